/*
 * devices.c — the manifest's devices on the machine's virtio devices.
 *
 * Matching is by kind and order: the i-th net device of the manifest gets
 * the i-th virtio-net device found, the i-th block device the i-th
 * virtio-blk device (in the order the platform's virtio_discover finds
 * them: x86_64, PCI address order or the command line's order; aarch64,
 * the device tree's transports from the highest address down); tools/qemu-run*.sh attach them in that
 * order. Devices nobody declared are left alone: never reset, never
 * given a handle. A declared device without hardware
 * stops the image before main, naming it.
 *
 * Drivers are linked only when used. kp_net_* live in virtio_net.c,
 * kp_block_* in virtio_blk.c, and this file refers to their attach
 * functions weakly: an image that never calls kp_net_acquire has no
 * virtio_net.o, and its declared net device (if any) is checked to be
 * there but not started. kp_random (random.c) pulls in virtio_rng.c.
 */
#include "platform_impl.h"

#pragma weak virtio_net_attach
#pragma weak virtio_net_drain
#pragma weak virtio_blk_attach
#pragma weak virtio_rng_attach

struct device devices[KEEL_MANIFEST_MAX];
unsigned devices_count;

/* The first device of `type` not yet matched, now matched; NULL if none. */
static struct virtio_dev *claim(uint32_t type)
{
	for (unsigned i = 0; i < virtio_ndevs; i++) {
		struct virtio_dev *d = &virtio_devs[i];

		if (d->type == type && !d->claimed) {
			d->claimed = true;
			return d;
		}
	}
	return NULL;
}

void devices_attach(void)
{
	/* Nothing to look for: no device declared, no entropy driver. */
	if (devices_count == 0 && !virtio_rng_attach)
		return;
	virtio_discover();
	for (unsigned i = 0; i < devices_count; i++) {
		struct device *dev = &devices[i];
		bool net = dev->kind == KEEL_NOTE_NET;

		dev->vdev = claim(net ? VIRTIO_ID_NET : VIRTIO_ID_BLOCK);
		if (!dev->vdev)
			platform_fail(net ? "net" : "block", " device '", dev->name,
			         "' is declared, but the machine has no ",
			         net ? "virtio-net" : "virtio-blk",
			         " device left for it (attach one per declared device, in "
			         "manifest order: qemu-run.sh ",
			         net ? "--net " : "--block ", dev->name, "=...)", NULL);
	}
	for (unsigned i = 0; i < devices_count; i++) {
		struct device *dev = &devices[i];

		if (dev->kind == KEEL_NOTE_NET && virtio_net_attach)
			virtio_net_attach(dev, i);
		else if (dev->kind == KEEL_NOTE_BLOCK && virtio_blk_attach)
			virtio_blk_attach(dev, i);
	}
	if (virtio_rng_attach) {
		struct virtio_dev *rng = claim(VIRTIO_ID_RNG);

		if (rng)
			virtio_rng_attach(rng);
	}
}

void devices_quiesce(void)
{
	static bool done;
	kp_time deadline;

	if (done || !virtio_net_drain)
		return;
	done = true;
	deadline = kp_clock_monotonic() + DEVICES_QUIESCE_NS;
	for (unsigned i = 0; i < devices_count; i++) {
		if (devices[i].kind == KEEL_NOTE_NET && devices[i].driver)
			virtio_net_drain(&devices[i], deadline);
	}
}
