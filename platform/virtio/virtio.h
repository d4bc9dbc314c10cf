/*
 * virtio.h — private to the platforms that drive virtio devices
 * (platform/x86_64, platform/aarch64): the virtio code they share, in
 * platform/virtio/, and what that code needs from each of them.
 *
 * The shared files are the split virtqueues and the start-up handshake
 * (virtio.c), the virtio-mmio and PCI transports (virtio_mmio.c,
 * virtio_pci.c), the drivers (virtio_net.c, virtio_blk.c, virtio_rng.c)
 * and the matching of the manifest's devices to the machine's
 * (devices.c). Each includes
 * "platform_impl.h", found through the -I its platform's build.mk adds
 * for these files; every platform_impl.h includes this header.
 *
 * What a platform provides to the shared code (in its platform_impl.h,
 * or as functions):
 *
 *   mmio_read8/16/32, mmio_write8/16/32   device register access
 *   cpu_mb()     full barrier: earlier stores before later loads, and
 *                device register accesses ordered with memory
 *   cpu_wmb()    earlier stores to memory before later ones (the device
 *                sees a ring entry before the index that shows it)
 *   cpu_rmb()    earlier loads before later ones (an index before the
 *                entries and buffers it shows)
 *   cpu_relax()  a polite pause inside a bounded polling loop
 *   PAGE_SIZE, mem_take(), mem_map_mmio()
 *   mem_heap_start, mem_heap_end      the heap not yet taken
 *   intr_wait(), intr_ready               sleeping for a device; readiness
 *   print_str(), print_xnum()             the platform's messages
 *   platform_fail(first, ..., NULL)       refuse to boot with a message
 *   platform_streq(a, b)
 *   platform_is_ram(addr, size)           a register window must not be RAM
 *   virtio_discover()                     finds the transports (its order
 *                                         is the order devices match in)
 *   virtio_irq()                          a device's interrupt to a handler
 *   virtio_mmio_route()                   an MMIO transport's line, routed
 *   virtio_pci_route(), pci_*()           PCI: a device's interrupt, and
 *                                         configuration space (pci.c)
 *
 * Memory is identity-mapped on both: the address the CPU uses for a ring
 * or buffer is the one the device is given.
 */
#ifndef KEEL_VIRTIO_H
#define KEEL_VIRTIO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <keel/manifest.h>
#include <keel/platform.h>

/* One function of a PCI device, by its configuration-space address (the
 * PCI transport, virtio_pci.c). */
struct pci_fn {
	uint8_t bus, slot, fn;
	uint16_t vendor, device;
	uint32_t intx; /* aarch64: the GIC interrupt its INTx pin is wired to; 0: none */
};

/* ---- virtio (virtio.c, virtio_mmio.c; x86_64: virtio_pci.c) -------------------- */

/* Device types (virtio 1.x, 5). */
#define VIRTIO_ID_NET 1
#define VIRTIO_ID_BLOCK 2
#define VIRTIO_ID_RNG 4

/* Feature bits the transports and rings know about (virtio 1.x, 6). */
#define VIRTIO_F_ANY_LAYOUT (1ull << 27) /* legacy: header and data may share a buffer */
#define VIRTIO_F_VERSION_1 (1ull << 32)  /* a modern (1.x) device */

/* Split virtqueue (virtio 1.x, 2.7): descriptor table, driver ("avail")
 * ring, device ("used") ring, shared with the device. */
#define VIRTQ_DESC_F_NEXT 1
#define VIRTQ_DESC_F_WRITE 2 /* the device writes this buffer */
#define VIRTQ_AVAIL_F_NO_INTERRUPT 1
#define VIRTQ_USED_F_NO_NOTIFY 1

struct virtq_desc {
	uint64_t addr;
	uint32_t len;
	uint16_t flags, next;
};

struct virtq_avail {
	uint16_t flags, idx;
	uint16_t ring[];
};

struct virtq_used_elem {
	uint32_t id, len;
};

struct virtq_used {
	uint16_t flags, idx;
	struct virtq_used_elem ring[];
};

struct virtio_dev;

struct virtq {
	struct virtio_dev *dev;
	uint16_t index; /* the queue's number on its device */
	uint16_t size;  /* entries, a power of two */
	volatile struct virtq_desc *desc;
	volatile struct virtq_avail *avail;
	volatile struct virtq_used *used;
	uint16_t next_avail; /* the driver's copy of avail->idx */
	uint16_t next_used;  /* used entries before this one are taken */
	uintptr_t notify;    /* PCI: where to write to notify this queue */
};

/* What a transport (PCI or MMIO) does; virtio.c does the rest. */
struct virtio_ops {
	uint64_t (*features)(struct virtio_dev *d); /* offered by the device */
	void (*set_features)(struct virtio_dev *d, uint64_t features);
	uint8_t (*status)(struct virtio_dev *d);
	void (*set_status)(struct virtio_dev *d, uint8_t status);
	/* Device-specific configuration: `width` (1, 2, 4) bytes at `off`. */
	uint32_t (*config)(struct virtio_dev *d, unsigned off, unsigned width);
	uint32_t (*config_generation)(struct virtio_dev *d);
	/* Largest size of queue `q` (0: no such queue). */
	unsigned (*queue_max)(struct virtio_dev *d, unsigned q);
	/* Gives the device the queue's memory and enables it; `interrupts`:
	 * the queue signals used buffers through the device's vector. */
	bool (*queue_start)(struct virtio_dev *d, struct virtq *vq, bool interrupts);
	void (*notify)(struct virtio_dev *d, struct virtq *vq);
	/* Routes the device's interrupt to `vector` (before queue_start). */
	bool (*route)(struct virtio_dev *d, unsigned vector);
	/* Reads and acknowledges the interrupt status; nonzero: it was this
	 * device (always nonzero with MSI-X, which is never shared). */
	uint32_t (*ack)(struct virtio_dev *d);
};

struct virtio_dev {
	const struct virtio_ops *ops;
	uint32_t type;   /* VIRTIO_ID_* */
	bool legacy;     /* a virtio 0.9 (legacy MMIO) device */
	bool claimed;    /* matched to a manifest device or to kp_random */
	unsigned vector; /* its interrupt vector; 0 before virtio_irq */
	char where[24];  /* "PCI 00:04.0", "MMIO 0xfeb00000", for messages */
	/* Transport: MMIO registers, or PCI function and register windows. */
	uintptr_t regs;
	uint32_t irq;      /* its interrupt line (MMIO: IOAPIC input or GIC INTID; PCI: INTx's) */
	struct pci_fn pci; /* PCI: its function (pci.vendor is 0 on MMIO) */
	uintptr_t common, device_cfg, notify_base, isr;
	uint32_t notify_mult;
	bool msix; /* PCI: interrupts by MSI-X (else INTx, acknowledged through isr) */
	/* Called from the interrupt handler when the device interrupted. */
	void (*on_interrupt)(struct virtio_dev *d, void *arg);
	void *arg;
};

#define VIRTIO_DEV_MAX 32
extern struct virtio_dev virtio_devs[VIRTIO_DEV_MAX];
extern unsigned virtio_ndevs;

/* Finds the virtio devices (the platform's: x86_64 virtio_find.c, aarch64
 * virtio_find.c). Each transport adds what it finds with virtio_found()
 * (NULL when the table is full). */
void virtio_discover(void);
struct virtio_dev *virtio_found(void);
/* A virtio-mmio transport at [addr, addr + size) on line `irq`; `quiet`:
 * no warning when nothing is there. */
void virtio_mmio_probe(uint64_t addr, uint64_t size, uint32_t irq, bool quiet);
/* A PCI function, taken when it is a virtio device Keel drives. */
void virtio_pci_probe(const struct pci_fn *f);

/*
 * Resets the device, acknowledges it, and accepts the features of
 * `wanted` it offers (plus VERSION_1 from a modern device). Returns the
 * accepted set; refuses to boot when the device will not take them.
 */
uint64_t virtio_negotiate(struct virtio_dev *d, uint64_t wanted);
/* Routes the device's interrupt to a handler that acknowledges the
 * device and calls `fn` (the platform's: virtio_irq.c). Before
 * virtio_queue(). */
void virtio_irq(struct virtio_dev *d, void (*fn)(struct virtio_dev *d, void *arg), void *arg);
/* Sets up queue `index` with at most `size` entries (memory from
 * mem_take); refuses to boot on failure. */
void virtio_queue(struct virtio_dev *d, struct virtq *vq, unsigned index, unsigned size,
                  bool interrupts);
/* Tells the device the driver is ready (DRIVER_OK). */
void virtio_ready(struct virtio_dev *d);
/* Device configuration, read consistently (retried across changes). */
uint32_t virtio_config32(struct virtio_dev *d, unsigned off);
uint64_t virtio_config64(struct virtio_dev *d, unsigned off);
/* Refuses to boot: "keel: <where>: <what>". */
void virtio_fail(struct virtio_dev *d, const char *what) __attribute__((noreturn));

/* Makes descriptor chain `head` available to the device. */
void virtq_push(struct virtq *vq, uint16_t head);
/* Notifies the device of what was pushed, unless it said it need not be. */
void virtq_kick(struct virtq *vq);
/* True when the device has returned a buffer not yet taken. */
bool virtq_has_used(const struct virtq *vq);
/* Takes the next returned buffer (virtq_has_used() first). */
struct virtq_used_elem virtq_take(struct virtq *vq);
/* Waits, sleeping, until the device returns a buffer or `timeout` ns
 * pass (false). */
bool virtq_wait(struct virtq *vq, kp_time timeout);

/* ---- Devices of the manifest (manifest.c, devices.c) ------------------------- */

/* Declared device i of the manifest, which is handle i. */
struct device {
	char name[KEEL_NOTE_DESC_SIZE];
	uint32_t kind;           /* KEEL_NOTE_NET or KEEL_NOTE_BLOCK */
	struct virtio_dev *vdev; /* the hardware matched to it (devices_attach) */
	void *driver;            /* the driver's state; NULL until attached */
};
extern struct device devices[KEEL_MANIFEST_MAX];
extern unsigned devices_count;

/*
 * Matches each declared device to a virtio device of its kind (the i-th
 * net device of the manifest to the i-th virtio-net device found, and so
 * for block) and starts its driver when the image links one (it does
 * when it calls kp_net_* / kp_block_*); starts virtio-rng for kp_random
 * when the image links it. Refuses to boot, naming the device, when
 * hardware is missing.
 */
void devices_attach(void);
/*
 * Called by kp_exit before it ends the machine, which then stops at once:
 * waits (polling, up to DEVICES_QUIESCE_NS in all) until each net device
 * has taken the frames written to it, so that an image's last frames
 * leave it rather than die in the device's queue. Runs once: a fault
 * while it runs exits without it.
 */
#define DEVICES_QUIESCE_NS (200 * 1000 * 1000ull)
void devices_quiesce(void);

/* Drivers, each in its own file (virtio_net.c, virtio_blk.c,
 * virtio_rng.c). devices.c refers to these weakly: a driver is in the
 * image only when the image calls into it (kp_net_*, kp_block_*,
 * kp_random), and devices.c starts only the drivers that are there. */
void virtio_net_attach(struct device *dev, kp_handle h);
/* Waits, polling, until the device has taken every frame written to it
 * or `deadline` (kp_clock_monotonic) passes. */
void virtio_net_drain(struct device *dev, kp_time deadline);
void virtio_blk_attach(struct device *dev, kp_handle h);
void virtio_rng_attach(struct virtio_dev *d);
/* Fills buf with len bytes from virtio-rng; false when there is none or
 * it failed (virtio_rng.c). */
bool virtio_rng_read(void *buf, size_t len);

/* ---- Provided by each platform (see the top) ----------------------------------- */

/* True when [addr, addr + size) overlaps RAM or the image. */
bool platform_is_ram(uint64_t addr, uint64_t size);
/* Routes an MMIO transport's interrupt line (d->irq) to `vector`; false
 * when the platform cannot. */
bool virtio_mmio_route(struct virtio_dev *d, unsigned vector);
/* Routes a PCI device's interrupt to `vector`: by MSI-X (x86_64; sets
 * d->msix) or its INTx line d->irq (aarch64); false when it cannot. */
bool virtio_pci_route(struct virtio_dev *d, unsigned vector);

/* PCI configuration space, for virtio_pci.c (the platform's pci.c). */
uint8_t pci_read8(const struct pci_fn *f, unsigned off);
uint16_t pci_read16(const struct pci_fn *f, unsigned off);
uint32_t pci_read32(const struct pci_fn *f, unsigned off);
/* Offset of the next capability with ID `id` after offset `after` (0:
 * from the first); 0 when there is none. */
unsigned pci_next_cap(const struct pci_fn *f, uint8_t id, unsigned after);
/* The CPU address of memory BAR `bar`; 0 when it is not a memory BAR
 * or has no address. */
uint64_t pci_bar(const struct pci_fn *f, unsigned bar);
/* Turns on memory decoding and bus mastering (DMA). */
void pci_enable(const struct pci_fn *f);

#endif
