/*
 * pit.c — the 8254 programmable interval timer, the one clock of known
 * frequency (1.193182 MHz) every PC-compatible machine has; clock.c
 * measures the TSC and the local APIC timer against it.
 */
#include "platform_impl.h"

#define PIT_CH0 0x40
#define PIT_CMD 0x43
#define CMD_CH0_LOHI 0x30 /* channel 0, low then high byte */
#define MODE_ONESHOT 0x00 /* mode 0: interrupt on terminal count */
#define CMD_LATCH_CH0 0x00

static void load(uint8_t mode, uint16_t count)
{
	io_out8(PIT_CMD, CMD_CH0_LOHI | mode);
	io_out8(PIT_CH0, (uint8_t)count);
	io_out8(PIT_CH0, (uint8_t)(count >> 8)); /* counting starts here */
}

uint16_t pit_read(void)
{
	uint8_t lo, hi;

	io_out8(PIT_CMD, CMD_LATCH_CH0);
	lo = io_in8(PIT_CH0);
	hi = io_in8(PIT_CH0);
	return (uint16_t)(hi << 8 | lo);
}

/*
 * A missing PIT reads all ones, every time. A present one counting down
 * from 0x8000 reads at most that, unless this vCPU was descheduled for
 * longer than the count lasts (27 ms: a loaded host does that), when it
 * has wrapped and reads anything up to 0xffff, so one high reading
 * proves nothing: it is taken again, and only all ones every time means
 * there is no PIT.
 */
bool pit_present(void)
{
	for (unsigned i = 0; i < 4; i++) {
		load(MODE_ONESHOT, 0x8000);
		if (pit_read() != 0xffff)
			return true;
	}
	return false;
}

void pit_oneshot(uint16_t count)
{
	load(MODE_ONESHOT, count);
}
