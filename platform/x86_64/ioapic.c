/*
 * ioapic.c — routing device interrupt lines through the IOAPICs.
 *
 * Only virtio-mmio devices use it (PCI devices interrupt by MSI-X,
 * pci.c). Without ACPI tables to read, the IOAPICs are looked for where
 * QEMU puts them: the first at 0xfec00000 with inputs (GSIs) 0..23 on
 * every machine, and on microvm a second at 0xfec10000 with 24..47, where
 * its virtio-mmio transports are wired by default. An IOAPIC counts as
 * present when its version register reads as one.
 *
 * Lines are set up level-triggered: a virtio-mmio device holds its line
 * up until the driver acknowledges the interrupt, so none is lost
 * between the handler reading the status and the EOI. All entries start
 * masked (their reset state); only routed ones are unmasked.
 */
#include "platform_impl.h"

#define IOREGSEL 0x00
#define IOWIN 0x10
#define REG_VERSION 0x01
#define REG_REDIRECT 0x10 /* entry n: 0x10 + 2n (low), 0x11 + 2n (high) */

#define REDIRECT_LEVEL (1u << 15)
#define REDIRECT_MASKED (1u << 16)

static const struct {
	uint64_t base;
	unsigned gsi_base;
} known[] = {
	{ 0xfec00000, 0 },
	{ 0xfec10000, 24 },
};

/* 0: not looked at yet; 1: absent; otherwise the number of inputs + 1. */
static unsigned inputs[sizeof(known) / sizeof(known[0])];

static uint32_t read_reg(uintptr_t base, unsigned reg)
{
	mmio_write32(base + IOREGSEL, reg);
	return mmio_read32(base + IOWIN);
}

static void write_reg(uintptr_t base, unsigned reg, uint32_t v)
{
	mmio_write32(base + IOREGSEL, reg);
	mmio_write32(base + IOWIN, v);
}

/* The IOAPIC that has input `gsi`, or -1. */
static int find(unsigned gsi)
{
	for (unsigned i = 0; i < sizeof(known) / sizeof(known[0]); i++) {
		if (gsi < known[i].gsi_base)
			continue;
		if (!inputs[i]) {
			uint32_t version;

			inputs[i] = 1;
			if (mem_map_mmio(known[i].base, PAGE_SIZE)) {
				version = read_reg((uintptr_t)known[i].base, REG_VERSION);
				/* Versions 0x11 and 0x20 are the IOAPICs in use;
				 * nothing there reads as 0 or all ones. */
				if ((version & 0xff) >= 0x11 && (version & 0xff) <= 0x20)
					inputs[i] = ((version >> 16) & 0xff) + 2;
			}
		}
		if (gsi - known[i].gsi_base < inputs[i] - 1)
			return (int)i;
	}
	return -1;
}

bool ioapic_has(unsigned gsi)
{
	return find(gsi) >= 0;
}

void ioapic_route(unsigned gsi, unsigned vector)
{
	int i = find(gsi);
	char num[PLATFORM_NUM_BUF];
	uintptr_t base;
	unsigned entry;

	if (i < 0)
		platform_fail("no IOAPIC has interrupt input ", platform_num(num, gsi), NULL);
	base = (uintptr_t)known[i].base;
	entry = gsi - known[i].gsi_base;
	write_reg(base, REG_REDIRECT + 2 * entry + 1, (lapic_id() & 0xff) << 24);
	write_reg(base, REG_REDIRECT + 2 * entry, vector | REDIRECT_LEVEL);
}
