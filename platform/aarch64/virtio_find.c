/*
 * virtio_find.c — where aarch64's virtio devices are: the device tree's
 * "virtio,mmio" transports (QEMU's virt has 32, 512 bytes apart from
 * 0x0a000000, SPIs 16..47), probed from the highest address down: QEMU
 * plugs each -device virtio-*-device into the free transport with the
 * highest address, so this is the order of its command line, which is
 * the order devices.c matches them to the manifest in. Empty transports
 * are skipped. Before them, the virtio functions on the PCIe host
 * bridge's first bus, in slot order (pci.c places their BARs and finds
 * their INTx interrupts). platform/virtio does the rest.
 */
#include "platform_impl.h"

void virtio_discover(void)
{
	struct dt_mmio sorted[DT_MMIO_MAX];
	unsigned n = dt.nmmio;

	for (unsigned i = 0; i < n; i++) {
		unsigned j = i;

		for (; j > 0 && sorted[j - 1].addr < dt.mmio[i].addr; j--)
			sorted[j] = sorted[j - 1];
		sorted[j] = dt.mmio[i];
	}
	pci_scan(virtio_pci_probe);
	for (unsigned i = 0; i < n; i++)
		virtio_mmio_probe(sorted[i].addr, sorted[i].size, sorted[i].intid, false);
}

bool platform_is_ram(uint64_t addr, uint64_t size)
{
	if (addr < (uintptr_t)__image_end && addr + size > (uintptr_t)__image_start)
		return true;
	for (unsigned i = 0; i < dt.nram; i++) {
		if (addr < dt.ram[i].end && addr + size > dt.ram[i].start)
			return true;
	}
	return false;
}
