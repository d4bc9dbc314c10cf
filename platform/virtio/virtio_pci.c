/*
 * virtio_pci.c — the virtio 1.x PCI transport (virtio 1.x, 4.1): modern
 * devices (QEMU's virtio-*-pci with disable-legacy=on, device IDs
 * 0x1040 + type) and transitional ones (0x1000..0x103f, type in the
 * subsystem ID), both driven through their modern interface. Shared by
 * x86_64 (BARs the firmware placed, MSI-X) and aarch64 (BARs its pci.c
 * placed, INTx through the host bridge's interrupt-map).
 *
 * The device's registers are found through vendor-specific PCI
 * capabilities, each naming a BAR, an offset and a length: the common
 * configuration, the notification area, the ISR status and the
 * device-specific configuration. Each window is mapped uncached
 * (mem_map_mmio). Only the device types Keel drives (net, block,
 * entropy) are taken; others are not even mapped. Interrupts: the
 * platform routes them (virtio_pci_route). By MSI-X, entry 0 serves the
 * queues that want interrupts and configuration changes raise none; by
 * INTx (MSI-X left disabled, so the device uses its pin whatever the
 * queues' vector registers say), the line may be shared and the ISR
 * status, read, says whether it was this device and lowers the line.
 * Legacy-only devices (without these capabilities) are not supported.
 */
#include "platform_impl.h"

#define VENDOR_VIRTIO 0x1af4
#define DEVICE_TRANSITIONAL_FIRST 0x1000
#define DEVICE_MODERN_BASE 0x1040
#define DEVICE_LAST 0x107f
#define REG_SUBSYSTEM_ID 0x2e

#define CAP_VENDOR 0x09
#define CAP_CFG_TYPE 3
#define CAP_BAR 4
#define CAP_OFFSET 8
#define CAP_LENGTH 12
#define CAP_NOTIFY_MULT 16

#define CFG_COMMON 1
#define CFG_NOTIFY 2
#define CFG_ISR 3
#define CFG_DEVICE 4

/* Common configuration (virtio 1.x, 4.1.4.3). */
#define COMMON_DFSELECT 0x00
#define COMMON_DF 0x04
#define COMMON_GFSELECT 0x08
#define COMMON_GF 0x0c
#define COMMON_MSIX_CONFIG 0x10
#define COMMON_NUM_QUEUES 0x12
#define COMMON_STATUS 0x14
#define COMMON_GENERATION 0x15
#define COMMON_Q_SELECT 0x16
#define COMMON_Q_SIZE 0x18
#define COMMON_Q_MSIX 0x1a
#define COMMON_Q_ENABLE 0x1c
#define COMMON_Q_NOFF 0x1e
#define COMMON_Q_DESCLO 0x20
#define COMMON_Q_DESCHI 0x24
#define COMMON_Q_AVAILLO 0x28
#define COMMON_Q_AVAILHI 0x2c
#define COMMON_Q_USEDLO 0x30
#define COMMON_Q_USEDHI 0x34

#define NO_VECTOR 0xffff

static uint64_t features(struct virtio_dev *d)
{
	uint64_t f;

	mmio_write32(d->common + COMMON_DFSELECT, 0);
	f = mmio_read32(d->common + COMMON_DF);
	mmio_write32(d->common + COMMON_DFSELECT, 1);
	return f | (uint64_t)mmio_read32(d->common + COMMON_DF) << 32;
}

static void set_features(struct virtio_dev *d, uint64_t f)
{
	mmio_write32(d->common + COMMON_GFSELECT, 0);
	mmio_write32(d->common + COMMON_GF, (uint32_t)f);
	mmio_write32(d->common + COMMON_GFSELECT, 1);
	mmio_write32(d->common + COMMON_GF, (uint32_t)(f >> 32));
}

static uint8_t status(struct virtio_dev *d)
{
	return mmio_read8(d->common + COMMON_STATUS);
}

static void set_status(struct virtio_dev *d, uint8_t s)
{
	mmio_write8(d->common + COMMON_STATUS, s);
}

static uint32_t config(struct virtio_dev *d, unsigned off, unsigned width)
{
	if (!d->device_cfg)
		return 0; /* a device without configuration (virtio-rng) */
	if (width == 1)
		return mmio_read8(d->device_cfg + off);
	if (width == 2)
		return mmio_read16(d->device_cfg + off);
	return mmio_read32(d->device_cfg + off);
}

static uint32_t config_generation(struct virtio_dev *d)
{
	return mmio_read8(d->common + COMMON_GENERATION);
}

static unsigned queue_max(struct virtio_dev *d, unsigned q)
{
	if (q >= mmio_read16(d->common + COMMON_NUM_QUEUES))
		return 0;
	mmio_write16(d->common + COMMON_Q_SELECT, (uint16_t)q);
	return mmio_read16(d->common + COMMON_Q_SIZE);
}

static void write64(uintptr_t lo, uintptr_t hi, uint64_t v)
{
	mmio_write32(lo, (uint32_t)v);
	mmio_write32(hi, (uint32_t)(v >> 32));
}

static bool queue_start(struct virtio_dev *d, struct virtq *vq, bool interrupts)
{
	uintptr_t c = d->common;
	uint16_t vector = interrupts && d->msix ? 0 : NO_VECTOR;

	mmio_write16(c + COMMON_Q_SELECT, vq->index);
	mmio_write16(c + COMMON_Q_SIZE, vq->size);
	mmio_write16(c + COMMON_Q_MSIX, vector);
	/* A device out of vectors reads back NO_VECTOR. */
	if (mmio_read16(c + COMMON_Q_MSIX) != vector)
		return false;
	write64(c + COMMON_Q_DESCLO, c + COMMON_Q_DESCHI, (uintptr_t)vq->desc);
	write64(c + COMMON_Q_AVAILLO, c + COMMON_Q_AVAILHI, (uintptr_t)vq->avail);
	write64(c + COMMON_Q_USEDLO, c + COMMON_Q_USEDHI, (uintptr_t)vq->used);
	vq->notify = d->notify_base + (uintptr_t)mmio_read16(c + COMMON_Q_NOFF) * d->notify_mult;
	mmio_write16(c + COMMON_Q_ENABLE, 1);
	return true;
}

static void notify(struct virtio_dev *d, struct virtq *vq)
{
	mmio_write16(vq->notify, vq->index);
}

static bool route(struct virtio_dev *d, unsigned vector)
{
	d->msix = false;
	if (!virtio_pci_route(d, vector))
		return false;
	if (!d->msix && !d->isr)
		return false; /* INTx cannot be acknowledged without the ISR status */
	mmio_write16(d->common + COMMON_MSIX_CONFIG, NO_VECTOR);
	return true;
}

/* MSI-X interrupts are never shared: it was this device. INTx: reading
 * the ISR status acknowledges it (bit 0 queues, bit 1 configuration). */
static uint32_t ack(struct virtio_dev *d)
{
	return d->msix ? 1 : mmio_read8(d->isr);
}

static const struct virtio_ops pci_ops = {
	features,  set_features, status, set_status, config, config_generation,
	queue_max, queue_start,  notify, route,      ack,
};

static void hex_digits(char *out, unsigned v, unsigned n)
{
	while (n--)
		*out++ = "0123456789abcdef"[(v >> (n * 4)) & 0xf];
}

/* "PCI bb:ss.f" */
static void name(struct virtio_dev *d, const struct pci_fn *f)
{
	char *w = d->where;

	__builtin_memcpy(w, "PCI ", 4);
	hex_digits(w + 4, f->bus, 2);
	w[6] = ':';
	hex_digits(w + 7, f->slot, 2);
	w[9] = '.';
	w[10] = (char)('0' + f->fn);
	w[11] = '\0';
}

/* Maps the window a capability describes; 0 when it is unusable. */
static uintptr_t window(const struct pci_fn *f, unsigned cap)
{
	uint64_t bar = pci_bar(f, pci_read8(f, cap + CAP_BAR));
	uint32_t off = pci_read32(f, cap + CAP_OFFSET);
	uint32_t len = pci_read32(f, cap + CAP_LENGTH);

	if (!bar || len == 0 || !mem_map_mmio(bar + off, len))
		return 0;
	return (uintptr_t)(bar + off);
}

void virtio_pci_probe(const struct pci_fn *f)
{
	struct virtio_dev *d;
	uint32_t type;

	if (f->vendor != VENDOR_VIRTIO || f->device < DEVICE_TRANSITIONAL_FIRST ||
	    f->device > DEVICE_LAST)
		return;
	type = f->device >= DEVICE_MODERN_BASE ? f->device - DEVICE_MODERN_BASE
	                                       : pci_read16(f, REG_SUBSYSTEM_ID);
	if (type != VIRTIO_ID_NET && type != VIRTIO_ID_BLOCK && type != VIRTIO_ID_RNG)
		return;
	if (!(d = virtio_found()))
		return;
	*d = (struct virtio_dev){ .ops = &pci_ops, .type = type, .pci = *f, .irq = f->intx };
	name(d, f);
	for (unsigned cap = pci_next_cap(f, CAP_VENDOR, 0); cap;
	     cap = pci_next_cap(f, CAP_VENDOR, cap)) {
		switch (pci_read8(f, cap + CAP_CFG_TYPE)) {
		case CFG_COMMON:
			if (!d->common)
				d->common = window(f, cap);
			break;
		case CFG_NOTIFY:
			if (!d->notify_base) {
				d->notify_base = window(f, cap);
				d->notify_mult = pci_read32(f, cap + CAP_NOTIFY_MULT);
			}
			break;
		case CFG_DEVICE:
			if (!d->device_cfg)
				d->device_cfg = window(f, cap);
			break;
		case CFG_ISR:
			if (!d->isr)
				d->isr = window(f, cap);
			break;
		}
	}
	if (!d->common || !d->notify_base) {
		/* Not usable: forget it, so nothing is matched to it. */
		print_str("keel: warning: ");
		print_str(d->where);
		print_str(": a virtio device without a modern interface (legacy-only, or its "
		          "registers could not be mapped); ignored\n");
		virtio_ndevs--;
		return;
	}
	pci_enable(f);
}
