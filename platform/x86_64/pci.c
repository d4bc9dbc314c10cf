/*
 * pci.c — PCI configuration space through I/O ports 0xcf8/0xcfc
 * (configuration mechanism #1, which pc and q35 have), the scan of the
 * buses, memory BARs, capabilities and MSI-X.
 *
 * The firmware (SeaBIOS on pc and q35) has already given every BAR an
 * address; they are used as they are. Interrupts come by MSI-X only: a
 * message written straight to the local APIC, one vector per device,
 * never shared, and nothing to route through the IOAPIC (whose PCI
 * wiring differs between pc and q35 and is only described by ACPI).
 * Every virtio-pci device QEMU makes has MSI-X.
 */
#include "platform_impl.h"

#define CONFIG_ADDRESS 0xcf8
#define CONFIG_DATA 0xcfc
#define CONFIG_ENABLE 0x80000000u

#define REG_VENDOR 0x00
#define REG_COMMAND 0x04
#define REG_STATUS 0x06
#define REG_HEADER_TYPE 0x0e
#define REG_BAR0 0x10
#define REG_SECONDARY_BUS 0x19
#define REG_CAPABILITIES 0x34

#define COMMAND_MEMORY (1u << 1)
#define COMMAND_BUS_MASTER (1u << 2)
#define COMMAND_INTX_DISABLE (1u << 10)
#define STATUS_CAPABILITIES (1u << 4)
#define HEADER_MULTIFUNCTION 0x80
#define HEADER_BRIDGE 0x01

#define CAP_MSIX 0x11
#define MSIX_ENABLE (1u << 15)
#define MSIX_MASK_ALL (1u << 14)
#define MSIX_BIR_MASK 0x7u
#define MSI_ADDRESS 0xfee00000u /* x86 message address: the local APICs */

/* Bridges can at most chain through every bus number once. */
#define BUS_COUNT 256

static uint32_t address(const struct pci_fn *f, unsigned off)
{
	return CONFIG_ENABLE | (uint32_t)f->bus << 16 | (uint32_t)f->slot << 11 |
	       (uint32_t)f->fn << 8 | (off & 0xfc);
}

uint32_t pci_read32(const struct pci_fn *f, unsigned off)
{
	io_out32(CONFIG_ADDRESS, address(f, off));
	return io_in32(CONFIG_DATA);
}

uint16_t pci_read16(const struct pci_fn *f, unsigned off)
{
	return (uint16_t)(pci_read32(f, off) >> ((off & 2) * 8));
}

uint8_t pci_read8(const struct pci_fn *f, unsigned off)
{
	return (uint8_t)(pci_read32(f, off) >> ((off & 3) * 8));
}

void pci_write32(const struct pci_fn *f, unsigned off, uint32_t v)
{
	io_out32(CONFIG_ADDRESS, address(f, off));
	io_out32(CONFIG_DATA, v);
}

void pci_write16(const struct pci_fn *f, unsigned off, uint16_t v)
{
	io_out32(CONFIG_ADDRESS, address(f, off));
	io_out16((uint16_t)(CONFIG_DATA + (off & 2)), v);
}

/* Mechanism #1 is there when the address register keeps what is
 * written to it. */
static bool present(void)
{
	io_out32(CONFIG_ADDRESS, CONFIG_ENABLE);
	return io_in32(CONFIG_ADDRESS) == CONFIG_ENABLE;
}

static void scan_bus(unsigned bus, void (*visit)(const struct pci_fn *f), uint8_t *seen)
{
	if (seen[bus])
		return;
	seen[bus] = 1;
	for (unsigned slot = 0; slot < 32; slot++) {
		for (unsigned fn = 0; fn < 8; fn++) {
			struct pci_fn f = { (uint8_t)bus, (uint8_t)slot, (uint8_t)fn, 0, 0, 0 };
			uint32_t id = pci_read32(&f, REG_VENDOR);
			uint8_t header;

			if ((id & 0xffff) == 0xffff || (id & 0xffff) == 0) {
				if (fn == 0)
					break; /* no device in this slot */
				continue;
			}
			f.vendor = (uint16_t)id;
			f.device = (uint16_t)(id >> 16);
			header = pci_read8(&f, REG_HEADER_TYPE);
			if ((header & 0x7f) == HEADER_BRIDGE)
				scan_bus(pci_read8(&f, REG_SECONDARY_BUS), visit, seen);
			else
				visit(&f);
			if (fn == 0 && !(header & HEADER_MULTIFUNCTION))
				break;
		}
	}
}

bool pci_scan(void (*visit)(const struct pci_fn *f))
{
	uint8_t seen[BUS_COUNT] = { 0 };

	if (!present())
		return false;
	scan_bus(0, visit, seen);
	return true;
}

unsigned pci_next_cap(const struct pci_fn *f, uint8_t id, unsigned after)
{
	unsigned off;

	if (!(pci_read16(f, REG_STATUS) & STATUS_CAPABILITIES))
		return 0;
	off = after ? pci_read8(f, after + 1) : pci_read8(f, REG_CAPABILITIES);
	/* At most 48 capabilities fit in the 192 bytes after the header:
	 * the bound stops a looping list. */
	for (unsigned n = 0; n < 48 && off >= 0x40; n++) {
		off &= 0xfc;
		if (pci_read8(f, off) == id)
			return off;
		off = pci_read8(f, off + 1);
	}
	return 0;
}

uint64_t pci_bar(const struct pci_fn *f, unsigned bar)
{
	uint32_t lo, type;
	uint64_t addr;

	if (bar > 5)
		return 0;
	lo = pci_read32(f, REG_BAR0 + bar * 4);
	if (lo & 1)
		return 0; /* an I/O BAR */
	type = (lo >> 1) & 3;
	addr = lo & ~0xfull;
	if (type == 2) { /* 64-bit: the next BAR holds the high half */
		if (bar == 5)
			return 0;
		addr |= (uint64_t)pci_read32(f, REG_BAR0 + (bar + 1) * 4) << 32;
	}
	return addr;
}

void pci_enable(const struct pci_fn *f)
{
	uint16_t cmd = pci_read16(f, REG_COMMAND);

	pci_write16(f, REG_COMMAND, (uint16_t)(cmd | COMMAND_MEMORY | COMMAND_BUS_MASTER));
}

bool pci_msix_route(const struct pci_fn *f, unsigned vector)
{
	unsigned cap = pci_next_cap(f, CAP_MSIX, 0);
	uint32_t table, bir;
	uint64_t bar;
	uintptr_t entry;
	uint16_t control;

	if (!cap)
		return false;
	control = pci_read16(f, cap + 2);
	table = pci_read32(f, cap + 4);
	bir = table & MSIX_BIR_MASK;
	bar = pci_bar(f, bir);
	if (!bar || !mem_map_mmio(bar + (table & ~MSIX_BIR_MASK), 16))
		return false;
	/* Masked while entry 0 is written, so no half-written message goes
	 * out; every other entry stays masked (their reset state). */
	pci_write16(f, cap + 2, (uint16_t)(control | MSIX_ENABLE | MSIX_MASK_ALL));
	entry = (uintptr_t)(bar + (table & ~MSIX_BIR_MASK));
	mmio_write32(entry + 0, MSI_ADDRESS | (lapic_id() & 0xff) << 12);
	mmio_write32(entry + 4, 0);
	mmio_write32(entry + 8, vector); /* fixed delivery, edge */
	mmio_write32(entry + 12, 0);     /* unmasked */
	pci_write16(f, cap + 2, (uint16_t)((control | MSIX_ENABLE) & ~MSIX_MASK_ALL));
	pci_write16(f, REG_COMMAND, (uint16_t)(pci_read16(f, REG_COMMAND) | COMMAND_INTX_DISABLE));
	return true;
}
