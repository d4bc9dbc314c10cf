/*
 * virtio_irq.c — x86_64's virtio interrupts: a vector per PCI device
 * (MSI-X, never shared), one per IOAPIC input for MMIO transports (which
 * may share one); the handler asks each device on the vector whether it
 * interrupted, runs its driver's callback, and ends with the local
 * APIC's EOI. Handlers run only inside `sti; hlt` (yield.c).
 */
#include "platform_impl.h"

/* Every device sharing `vector` (MMIO devices may share an IOAPIC
 * input) is asked whether it interrupted. */
static void irq_handler(unsigned vector, void *arg)
{
	for (unsigned i = 0; i < virtio_ndevs; i++) {
		struct virtio_dev *d = &virtio_devs[i];

		if (d->vector == vector && d->on_interrupt && d->ops->ack(d))
			d->on_interrupt(d, d->arg);
	}
	lapic_eoi();
}

void virtio_irq(struct virtio_dev *d, void (*fn)(struct virtio_dev *d, void *arg), void *arg)
{
	unsigned vector = 0;

	d->on_interrupt = fn;
	d->arg = arg;
	/* MMIO devices wired to one IOAPIC input share its vector (PCI
	 * devices have MSI-X, never shared). */
	for (unsigned i = 0; i < virtio_ndevs && !d->pci.vendor; i++) {
		const struct virtio_dev *o = &virtio_devs[i];

		if (o != d && !o->pci.vendor && o->vector && o->irq == d->irq)
			vector = o->vector;
	}
	if (!vector) {
		vector = intr_alloc_vector();
		intr_set_handler(vector, irq_handler, NULL);
	}
	d->vector = vector;
	if (!d->ops->route(d, vector))
		virtio_fail(d, "its interrupt cannot be routed (no MSI-X, or no IOAPIC input)");
}

bool virtio_mmio_route(struct virtio_dev *d, unsigned vector)
{
	if (!ioapic_has(d->irq))
		return false;
	ioapic_route(d->irq, vector);
	return true;
}

bool virtio_pci_route(struct virtio_dev *d, unsigned vector)
{
	d->msix = true;
	return pci_msix_route(&d->pci, vector);
}
