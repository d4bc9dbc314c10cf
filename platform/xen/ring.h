/*
 * ring.h — private to platform/xen: what the split drivers' front ends
 * (netfront.c, blkfront.c) share beyond the xenbus handshake: the header
 * of a shared ring (Xen's public io/ring.h), publishing requests,
 * counting the backend's responses without trusting them, and stopping a
 * device whose backend broke the protocol. Implemented in ring.c.
 *
 * A ring is one or more pages granted to the backend: this header, then
 * the entries (requests and responses share them). Producers and
 * consumers are free-running 32-bit counters; the entry of counter i is
 * i modulo the (power-of-two) number of entries. Each side asks the
 * other for an event at a counter value (req_event, rsp_event): the
 * other notifies when it publishes past it.
 */
#ifndef KEEL_XEN_RING_H
#define KEEL_XEN_RING_H

#include "xen_impl.h"

#define RING_HEADER 64 /* bytes before the first entry */

struct ring_header {
	uint32_t req_prod, req_event; /* ours: the requests published */
	uint32_t rsp_prod, rsp_event; /* the backend's: the responses published */
	uint8_t pad[RING_HEADER - 16];
};

_Static_assert(sizeof(struct ring_header) == RING_HEADER, "ring header layout");

/* SHARED_RING_INIT on a zeroed ring: each side asks for an event at the
 * first entry the other publishes. */
void ring_init(volatile struct ring_header *h);

/* Publishes the requests up to `prod` (our producer). True when the
 * backend asked to be told of them (its req_event lies in what was just
 * published): then the caller notifies its event channel. */
bool ring_push(volatile struct ring_header *h, uint32_t prod);

/*
 * The responses published and not yet consumed (`cons`: our consumer,
 * `req`: our request producer) in *avail. KEEL_OK, or KEEL_EIO, *avail
 * 0, when the backend claims more responses than there were requests:
 * the device is stopped (ring_broken).
 */
int ring_responses(struct xenbus_front *x, volatile struct ring_header *h, uint32_t cons,
                   uint32_t req, uint32_t *avail);

/* As ring_responses; when none waits, asks for an event at the next
 * response and looks once more (one may have come before the request
 * was seen: RING_FINAL_CHECK_FOR_RESPONSES). */
int ring_final_check(struct xenbus_front *x, volatile struct ring_header *h, uint32_t cons,
                     uint32_t req, uint32_t *avail);

/* The driver of handle h when it is a started device of `kind`
 * (KEEL_NOTE_NET, KEEL_NOTE_BLOCK), else NULL. */
void *ring_driver(kp_handle h, uint32_t kind);

/*
 * The backend broke the protocol (`why` completes "its backend ..."):
 * the device stops. Says so on the console once, naming the device,
 * and sets x->broken, which the driver checks before every use of the
 * ring. Returns KEEL_EIO.
 */
int ring_broken(struct xenbus_front *x, const char *why);

#endif
