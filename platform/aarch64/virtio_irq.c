/*
 * virtio_irq.c — aarch64's virtio interrupts: each virtio-mmio transport
 * has its own GIC interrupt (an SPI, level-triggered), enabled when its
 * driver starts; a PCI device's INTx pin raises the SPI the host bridge's
 * interrupt-map names (pci.c), which several devices may share. gic_poll (yield.c's wake-up) calls the handler, which
 * acknowledges the device (InterruptACK drops its line) and runs the
 * driver's callback; gic.c ends the interrupt afterwards. The "vector"
 * of platform/virtio is the interrupt ID here.
 */
#include "platform_impl.h"

static void irq_handler(uint32_t intid, void *arg)
{
	for (unsigned i = 0; i < virtio_ndevs; i++) {
		struct virtio_dev *d = &virtio_devs[i];

		if (d->vector == intid && d->on_interrupt && d->ops->ack(d))
			d->on_interrupt(d, d->arg);
	}
}

void virtio_irq(struct virtio_dev *d, void (*fn)(struct virtio_dev *d, void *arg), void *arg)
{
	bool shared = false;

	d->on_interrupt = fn;
	d->arg = arg;
	for (unsigned i = 0; i < virtio_ndevs; i++) {
		const struct virtio_dev *o = &virtio_devs[i];

		if (o != d && o->vector && o->irq == d->irq)
			shared = true;
	}
	d->vector = d->irq;
	if (!d->ops->route(d, d->irq))
		virtio_fail(d, "its interrupt cannot be routed (not an SPI of the GIC)");
	if (!shared)
		intr_set_handler(d->irq, irq_handler, NULL);
}

bool virtio_mmio_route(struct virtio_dev *d, unsigned vector)
{
	if (vector < 32 || vector >= 1020)
		return false;
	gic_enable(vector);
	return true;
}

/* INTx: the SPI its pin raises (d->irq); the device acknowledges through
 * its ISR status (virtio_pci.c). No MSI-X: d->msix stays false. */
bool virtio_pci_route(struct virtio_dev *d, unsigned vector)
{
	return virtio_mmio_route(d, vector);
}
