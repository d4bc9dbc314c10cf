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

/* A PIT counting down from 0x8000 reads at most that; a missing one
 * reads all ones. */
bool pit_present(void)
{
	load(MODE_ONESHOT, 0x8000);
	return pit_read() <= 0x8000;
}

void pit_oneshot(uint16_t count)
{
	load(MODE_ONESHOT, count);
}
