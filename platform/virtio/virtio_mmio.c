/*
 * virtio_mmio.c — the virtio-mmio transport (virtio 1.x, 4.2): version 2
 * (modern; QEMU's virtio-*-device with virtio-mmio.force-legacy=false,
 * Firecracker) and version 1 (legacy, QEMU's default for virtio-mmio).
 *
 * A transport is a 512-byte register window and an interrupt line. Where
 * they are is the platform's to find (x86_64: the command line or
 * microvm's layout; aarch64: the device tree), and it calls
 * virtio_mmio_probe() for each, in the order devices are to match in.
 * Empty transports (device ID 0) are skipped.
 *
 * Lines are level-triggered: the device holds its line up until
 * InterruptACK, which the handler writes before the interrupt ends.
 *
 * Legacy devices differ in three ways handled here: 32 feature bits, no
 * FEATURES_OK step (virtio.c), and a queue given as one page frame
 * (QueuePFN) in the layout virtio.c already uses, with 4 KiB pages.
 */
#include "platform_impl.h"

#define MAGIC 0x74726976 /* "virt" */

#define REG_MAGIC 0x000
#define REG_VERSION 0x004
#define REG_DEVICE_ID 0x008
#define REG_DEVICE_FEATURES 0x010
#define REG_DEVICE_FEATURES_SEL 0x014
#define REG_DRIVER_FEATURES 0x020
#define REG_DRIVER_FEATURES_SEL 0x024
#define REG_GUEST_PAGE_SIZE 0x028 /* legacy */
#define REG_QUEUE_SEL 0x030
#define REG_QUEUE_NUM_MAX 0x034
#define REG_QUEUE_NUM 0x038
#define REG_QUEUE_ALIGN 0x03c /* legacy */
#define REG_QUEUE_PFN 0x040   /* legacy */
#define REG_QUEUE_READY 0x044
#define REG_QUEUE_NOTIFY 0x050
#define REG_INTERRUPT_STATUS 0x060
#define REG_INTERRUPT_ACK 0x064
#define REG_STATUS 0x070
#define REG_QUEUE_DESC_LOW 0x080
#define REG_QUEUE_DESC_HIGH 0x084
#define REG_QUEUE_DRIVER_LOW 0x090
#define REG_QUEUE_DRIVER_HIGH 0x094
#define REG_QUEUE_DEVICE_LOW 0x0a0
#define REG_QUEUE_DEVICE_HIGH 0x0a4
#define REG_CONFIG_GENERATION 0x0fc
#define REG_CONFIG 0x100

#define WINDOW_MIN 0x100

static uint32_t rd(struct virtio_dev *d, unsigned reg)
{
	return mmio_read32(d->regs + reg);
}

static void wr(struct virtio_dev *d, unsigned reg, uint32_t v)
{
	mmio_write32(d->regs + reg, v);
}

static uint64_t features(struct virtio_dev *d)
{
	uint64_t f;

	wr(d, REG_DEVICE_FEATURES_SEL, 0);
	f = rd(d, REG_DEVICE_FEATURES);
	if (d->legacy)
		return f;
	wr(d, REG_DEVICE_FEATURES_SEL, 1);
	return f | (uint64_t)rd(d, REG_DEVICE_FEATURES) << 32;
}

static void set_features(struct virtio_dev *d, uint64_t f)
{
	wr(d, REG_DRIVER_FEATURES_SEL, 0);
	wr(d, REG_DRIVER_FEATURES, (uint32_t)f);
	if (d->legacy)
		return;
	wr(d, REG_DRIVER_FEATURES_SEL, 1);
	wr(d, REG_DRIVER_FEATURES, (uint32_t)(f >> 32));
}

static uint8_t status(struct virtio_dev *d)
{
	return (uint8_t)rd(d, REG_STATUS);
}

static void set_status(struct virtio_dev *d, uint8_t s)
{
	wr(d, REG_STATUS, s);
}

static uint32_t config(struct virtio_dev *d, unsigned off, unsigned width)
{
	uintptr_t a = d->regs + REG_CONFIG + off;

	if (width == 1)
		return mmio_read8(a);
	if (width == 2)
		return mmio_read16(a);
	return mmio_read32(a);
}

static uint32_t config_generation(struct virtio_dev *d)
{
	return d->legacy ? 0 : rd(d, REG_CONFIG_GENERATION);
}

static unsigned queue_max(struct virtio_dev *d, unsigned q)
{
	wr(d, REG_QUEUE_SEL, q);
	return rd(d, REG_QUEUE_NUM_MAX);
}

static bool queue_start(struct virtio_dev *d, struct virtq *vq, bool interrupts)
{
	uint64_t desc = (uintptr_t)vq->desc;

	wr(d, REG_QUEUE_SEL, vq->index);
	wr(d, REG_QUEUE_NUM, vq->size);
	if (d->legacy) {
		if (desc >> 44)
			return false; /* a 32-bit page frame number */
		wr(d, REG_GUEST_PAGE_SIZE, PAGE_SIZE);
		wr(d, REG_QUEUE_ALIGN, PAGE_SIZE);
		wr(d, REG_QUEUE_PFN, (uint32_t)(desc / PAGE_SIZE));
		return true;
	}
	wr(d, REG_QUEUE_DESC_LOW, (uint32_t)desc);
	wr(d, REG_QUEUE_DESC_HIGH, (uint32_t)(desc >> 32));
	wr(d, REG_QUEUE_DRIVER_LOW, (uint32_t)(uintptr_t)vq->avail);
	wr(d, REG_QUEUE_DRIVER_HIGH, (uint32_t)((uint64_t)(uintptr_t)vq->avail >> 32));
	wr(d, REG_QUEUE_DEVICE_LOW, (uint32_t)(uintptr_t)vq->used);
	wr(d, REG_QUEUE_DEVICE_HIGH, (uint32_t)((uint64_t)(uintptr_t)vq->used >> 32));
	wr(d, REG_QUEUE_READY, 1);
	return rd(d, REG_QUEUE_READY) == 1;
}

static void notify(struct virtio_dev *d, struct virtq *vq)
{
	wr(d, REG_QUEUE_NOTIFY, vq->index);
}

static bool route(struct virtio_dev *d, unsigned vector)
{
	return virtio_mmio_route(d, vector);
}

static uint32_t ack(struct virtio_dev *d)
{
	uint32_t s = rd(d, REG_INTERRUPT_STATUS);

	if (s)
		wr(d, REG_INTERRUPT_ACK, s);
	return s;
}

static const struct virtio_ops mmio_ops = {
	features,  set_features, status, set_status, config, config_generation,
	queue_max, queue_start,  notify, route,      ack,
};

/* "MMIO 0x..." */
static void name(struct virtio_dev *d, uint64_t addr)
{
	char *w = d->where;
	unsigned digits = 1;

	while (digits < 16 && (addr >> (digits * 4)))
		digits++;
	__builtin_memcpy(w, "MMIO 0x", 7);
	w += 7;
	while (digits--)
		*w++ = "0123456789abcdef"[(addr >> (digits * 4)) & 0xf];
	*w = '\0';
}

static void warn(uint64_t addr, const char *what)
{
	print_str("keel: warning: virtio-mmio at ");
	print_xnum(addr);
	print_str(": ");
	print_str(what);
	print_str("; ignored\n");
}

void virtio_mmio_probe(uint64_t addr, uint64_t size, uint32_t irq, bool quiet)
{
	struct virtio_dev *d;
	uintptr_t regs = (uintptr_t)addr;
	uint32_t version, type;

	/* A window in RAM (the image, the heap) is a wrong description;
	 * mapping it as device memory would break the image. */
	if (platform_is_ram(addr, size)) {
		warn(addr, "the register window lies in RAM");
		return;
	}
	if (size < WINDOW_MIN || addr & 3 || !mem_map_mmio(addr, size)) {
		if (!quiet)
			warn(addr, "the register window cannot be mapped");
		return;
	}
	if (mmio_read32(regs + REG_MAGIC) != MAGIC) {
		if (!quiet)
			warn(addr, "no virtio-mmio registers there");
		return;
	}
	version = mmio_read32(regs + REG_VERSION);
	if (version != 1 && version != 2) {
		warn(addr, "unknown transport version");
		return;
	}
	type = mmio_read32(regs + REG_DEVICE_ID);
	if (type == 0)
		return; /* a transport with no device behind it */
	if (!(d = virtio_found()))
		return;
	*d = (struct virtio_dev){
		.ops = &mmio_ops, .type = type, .legacy = version == 1, .regs = regs, .irq = irq
	};
	name(d, addr);
}
