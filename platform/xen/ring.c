/*
 * ring.c — the shared-ring bookkeeping both split drivers use (ring.h):
 * publishing requests with the event test of io/ring.h, counting
 * responses with the backend's producer checked against our own, and
 * the one console line of a device whose backend broke the protocol.
 */
#include "ring.h"

void ring_init(volatile struct ring_header *h)
{
	h->req_event = 1;
	h->rsp_event = 1;
}

bool ring_push(volatile struct ring_header *h, uint32_t prod)
{
	uint32_t old = h->req_prod;

	cpu_wmb(); /* the requests before the producer that publishes them */
	h->req_prod = prod;
	cpu_mb(); /* the producer before req_event is read */
	/* req_event in (old, prod], in modular arithmetic. */
	return (uint32_t)(prod - h->req_event) < (uint32_t)(prod - old);
}

int ring_responses(struct xenbus_front *x, volatile struct ring_header *h, uint32_t cons,
                   uint32_t req, uint32_t *avail)
{
	uint32_t prod = h->rsp_prod;

	*avail = 0;
	cpu_rmb(); /* the producer before the responses it publishes */
	if ((uint32_t)(prod - cons) > (uint32_t)(req - cons))
		return ring_broken(x, "published more responses than there were requests");
	*avail = prod - cons;
	return KEEL_OK;
}

int ring_final_check(struct xenbus_front *x, volatile struct ring_header *h, uint32_t cons,
                     uint32_t req, uint32_t *avail)
{
	int rc = ring_responses(x, h, cons, req, avail);

	if (rc < 0 || *avail > 0)
		return rc;
	h->rsp_event = cons + 1;
	cpu_mb(); /* rsp_event before the producer is read again */
	return ring_responses(x, h, cons, req, avail);
}

void *ring_driver(kp_handle h, uint32_t kind)
{
	if (h >= devices_count || devices[h].kind != kind)
		return NULL;
	return devices[h].driver;
}

int ring_broken(struct xenbus_front *x, const char *why)
{
	if (!x->broken) {
		print_str("keel: ");
		print_str(x->kind);
		print_str(" device '");
		print_str(x->name);
		print_str("': its backend ");
		print_str(why);
		print_str("; the device is stopped\n");
		x->broken = true;
	}
	return KEEL_EIO;
}
