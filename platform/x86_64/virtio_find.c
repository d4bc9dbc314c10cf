/*
 * virtio_find.c — where x86_64's virtio devices are (platform/virtio does
 * the rest): PCI functions on pc and q35; on microvm the virtio-mmio
 * transports the command line names (virtio_mmio.device=..., cmdline.c),
 * or when it names none, the ones QEMU's microvm has at its fixed
 * addresses. The order they are found in (PCI address order;
 * command-line order) is the order devices.c matches them to the
 * manifest in.
 *
 * microvm's layout: transports every 512 bytes from 0xfeb00000; with
 * ACPI (its default) and two IOAPICs (its default) 24 of them on inputs
 * 24..47, with ACPI and one IOAPIC 8 on 16..23, without ACPI 8 on 5..12
 * (whether there is ACPI shows in the RSDP in the BIOS area). QEMU puts
 * the first -device on the highest free transport, so they are probed
 * from the top down to keep the order of the QEMU command line. QEMU
 * (7.2) delivers input 0 of each IOAPIC on its input 2 (the ISA timer's
 * override, applied to the second IOAPIC too), so transport 0 with two
 * IOAPICs is taken to be on input 26, shared with transport 2.
 */
#include "platform_impl.h"

#define MICROVM_BASE 0xfeb00000u
#define MICROVM_STRIDE 512
#define BIOS_AREA_START 0xe0000u
#define BIOS_AREA_END 0x100000u
#define RSDP_SIGNATURE 0x2052545020445352ull /* "RSD PTR ", little-endian */

void virtio_discover(void)
{
	bool pci = pci_scan(virtio_pci_probe);

	for (unsigned i = 0; i < boot_nmmio; i++)
		virtio_mmio_probe(boot_mmio[i].addr, boot_mmio[i].size, boot_mmio[i].irq, false);
	/* microvm without ACPI names its devices on the command line itself
	 * (through PVH); with ACPI (its default) it names none. */
	if (!pci && boot_nmmio == 0)
		virtio_mmio_probe_microvm();
}

/* A command line naming a window in RAM (the image, the heap) is wrong. */
bool platform_is_ram(uint64_t addr, uint64_t size)
{
	if (addr < (uintptr_t)__image_end && addr + size > (uintptr_t)__image_start)
		return true;
	for (unsigned i = 0; i < boot_info.nram; i++) {
		if (addr < boot_info.ram[i].end && addr + size > boot_info.ram[i].start)
			return true;
	}
	return false;
}

/* Whether the firmware left ACPI tables: an RSDP ("RSD PTR ", 16-byte
 * aligned) in the BIOS area. Low memory is unmapped (mem_init.c): the
 * area is mapped read-only for the search, then unmapped again. */
static bool acpi_present(void)
{
	bool found = false;

	if (!mem_map_range(BIOS_AREA_START, BIOS_AREA_END, MAP_RO))
		return false;
	for (uintptr_t a = BIOS_AREA_START; a < BIOS_AREA_END && !found; a += 16)
		found = *(const volatile uint64_t *)a == RSDP_SIGNATURE;
	for (uintptr_t a = BIOS_AREA_START; a < BIOS_AREA_END; a += PAGE_SIZE) {
		uint64_t *pte = mem_pte(a, false);

		if (pte)
			*pte = 0;
		cpu_invlpg(a);
	}
	return found;
}

void virtio_mmio_probe_microvm(void)
{
	/* The second IOAPIC exists only with ACPI: no need to look. */
	bool second = ioapic_has(24);
	bool acpi = second || acpi_present();
	unsigned count = second ? 24 : 8;
	unsigned gsi = second ? 24 : acpi ? 16 : 5;

	for (unsigned i = count; i-- > 0;)
		virtio_mmio_probe(MICROVM_BASE + i * MICROVM_STRIDE, MICROVM_STRIDE,
		                  second && i == 0 ? gsi + 2 : gsi + i, true);
}
