/*
 * pci.c — PCI Express through the generic ECAM host bridge the device
 * tree describes ("pci-host-ecam-generic": QEMU virt's pcie@10000000),
 * for the virtio PCI transport (platform/virtio/virtio_pci.c).
 *
 * Nothing before the image set the bus up (QEMU boots -kernel images
 * with no firmware), so this file does: every function of the bridge's
 * first bus gets its memory BARs placed, each naturally aligned, in the
 * bridge's 32-bit memory window (64-bit BARs too: the 64-bit window of
 * QEMU's virt lies above this platform's 512 GiB of address space);
 * I/O BARs are left unassigned (virtio 1.x needs none). A function's
 * INTx pin is looked up in the bridge's interrupt-map (slot and pin,
 * under the map's mask) to the GIC interrupt it raises. Only the first
 * bus is scanned: devices behind bridges (pcie-root-port) are not seen
 * (qemu-run-aarch64.sh plugs devices into the root bus). MSI/MSI-X are
 * not used (they would need the GICv2m frame or a GICv3 ITS).
 */
#include "platform_impl.h"

#define ECAM_BUS_SIZE (1u << 20)

#define REG_VENDOR 0x00
#define REG_COMMAND 0x04
#define REG_STATUS 0x06
#define REG_HEADER_TYPE 0x0e
#define REG_BAR0 0x10
#define REG_CAPABILITIES 0x34
#define REG_INTERRUPT_PIN 0x3d

#define COMMAND_MEMORY (1u << 1)
#define COMMAND_BUS_MASTER (1u << 2)
#define STATUS_CAPABILITIES (1u << 4)
#define HEADER_MULTIFUNCTION 0x80
#define HEADER_NORMAL 0x00

static uintptr_t ecam_bus; /* the first bus's configuration space, mapped */
static uint64_t next_free; /* in PCI addresses, within the memory window */

static uintptr_t cfg(const struct pci_fn *f, unsigned off)
{
	return ecam_bus + ((uintptr_t)f->slot << 15 | (uintptr_t)f->fn << 12 | (off & 0xffc));
}

uint32_t pci_read32(const struct pci_fn *f, unsigned off)
{
	return mmio_read32(cfg(f, off));
}

uint16_t pci_read16(const struct pci_fn *f, unsigned off)
{
	return (uint16_t)(pci_read32(f, off) >> ((off & 2) * 8));
}

uint8_t pci_read8(const struct pci_fn *f, unsigned off)
{
	return (uint8_t)(pci_read32(f, off) >> ((off & 3) * 8));
}

static void pci_write32(const struct pci_fn *f, unsigned off, uint32_t v)
{
	mmio_write32(cfg(f, off), v);
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
	uint32_t lo;
	uint64_t addr;

	if (bar > 5)
		return 0;
	lo = pci_read32(f, REG_BAR0 + bar * 4);
	if (lo & 1)
		return 0; /* an I/O BAR */
	addr = lo & ~0xfull;
	if ((lo >> 1 & 3) == 2) {
		if (bar == 5)
			return 0;
		addr |= (uint64_t)pci_read32(f, REG_BAR0 + (bar + 1) * 4) << 32;
	}
	/* Placed here, so inside the window; anything else is not ours. */
	if (addr < dt.pci.mem_pci || addr >= dt.pci.mem_pci + dt.pci.mem_size)
		return 0;
	return dt.pci.mem_cpu + (addr - dt.pci.mem_pci);
}

void pci_enable(const struct pci_fn *f)
{
	uint32_t cmd = pci_read32(f, REG_COMMAND) & 0xffff; /* not the status bits */

	pci_write32(f, REG_COMMAND, cmd | COMMAND_MEMORY | COMMAND_BUS_MASTER);
}

/* Sizes each memory BAR (all ones written, the size read back, with
 * decoding off) and gives it the next naturally aligned place in the
 * window; a BAR that does not fit is left at 0, which pci_bar refuses. */
static void place_bars(const struct pci_fn *f)
{
	uint64_t end = dt.pci.mem_pci + dt.pci.mem_size;

	for (unsigned bar = 0; bar < 6; bar++) {
		unsigned reg = REG_BAR0 + bar * 4;
		uint32_t lo = pci_read32(f, reg);
		bool wide = (lo & 1) == 0 && (lo >> 1 & 3) == 2 && bar < 5;
		uint64_t mask, size, at;

		if (lo & 1)
			continue; /* I/O */
		pci_write32(f, reg, 0xffffffffu);
		mask = pci_read32(f, reg) & ~0xfull;
		if (wide) {
			pci_write32(f, reg + 4, 0xffffffffu);
			mask |= (uint64_t)pci_read32(f, reg + 4) << 32;
		} else {
			mask |= 0xffffffff00000000ull;
		}
		size = ~mask + 1;
		at = (next_free + size - 1) & ~(size - 1);
		if ((mask & 0xffffffffu) == 0 || size == 0 || at < next_free || at + size > end ||
		    at + size < at) {
			at = 0; /* absent, or no room: unassigned */
		} else {
			next_free = at + size;
		}
		pci_write32(f, reg, (uint32_t)at);
		if (wide) {
			pci_write32(f, reg + 4, (uint32_t)(at >> 32));
			bar++;
		}
	}
}

/* The GIC interrupt the function's INTx pin raises; 0 when it has none
 * or the interrupt-map does not say. */
static uint32_t intx(const struct pci_fn *f)
{
	uint32_t pin = pci_read8(f, REG_INTERRUPT_PIN);
	uint32_t devfn = (uint32_t)f->bus << 16 | (uint32_t)f->slot << 11 | (uint32_t)f->fn << 8;

	if (pin < 1 || pin > 4)
		return 0;
	for (unsigned i = 0; i < dt.pci.nirq; i++) {
		const struct dt_pci_irq *e = &dt.pci.irq[i];

		if ((devfn & dt.pci.mask_devfn) == e->devfn && (pin & dt.pci.mask_pin) == e->pin)
			return e->intid;
	}
	return 0;
}

bool pci_scan(void (*visit)(const struct pci_fn *f))
{
	uint64_t bus_addr = dt.pci.ecam + (uint64_t)dt.pci.bus * ECAM_BUS_SIZE;

	if (!dt.pci.ecam || dt.pci.bus * (uint64_t)ECAM_BUS_SIZE >= dt.pci.ecam_size)
		return false;
	if (platform_is_ram(bus_addr, ECAM_BUS_SIZE) ||
	    platform_is_ram(dt.pci.mem_cpu, dt.pci.mem_size)) {
		print_str("keel: warning: the PCIe host bridge's windows lie in RAM; "
		          "PCI devices ignored\n");
		return false;
	}
	ecam_bus = (uintptr_t)bus_addr;
	next_free = dt.pci.mem_pci;
	for (unsigned slot = 0; slot < 32; slot++) {
		for (unsigned fn = 0; fn < 8; fn++) {
			struct pci_fn f = {
				(uint8_t)dt.pci.bus, (uint8_t)slot, (uint8_t)fn, 0, 0, 0
			};
			uint32_t id;
			uint8_t header;

			/* Each function's 4 KiB of configuration space is mapped
			 * when it is first read: the 256 pages of the whole bus
			 * would cost more boot time than the rest of the scan. */
			if (!mem_map_mmio(cfg(&f, 0), PAGE_SIZE)) {
				print_str("keel: warning: no page tables left to map PCI "
				          "configuration space; the scan stops\n");
				return true;
			}
			id = pci_read32(&f, REG_VENDOR);

			if ((id & 0xffff) == 0xffff || (id & 0xffff) == 0) {
				if (fn == 0)
					break; /* no device in this slot */
				continue;
			}
			f.vendor = (uint16_t)id;
			f.device = (uint16_t)(id >> 16);
			header = pci_read8(&f, REG_HEADER_TYPE);
			if ((header & 0x7f) == HEADER_NORMAL) {
				place_bars(&f);
				f.intx = intx(&f);
				visit(&f);
			}
			if (fn == 0 && !(header & HEADER_MULTIFUNCTION))
				break;
		}
	}
	return true;
}
