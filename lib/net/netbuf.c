/*
 * netbuf.c — the fixed pool of packet buffers.
 *
 * One array made at keel_net_open; a free list threads the idle buffers.
 * Allocation and release are O(1) and never touch the heap, so the
 * receive and transmit paths cannot fail for lack of malloc memory, only
 * for lack of buffers (counted by the caller as drop_no_buffer).
 */
#include <stdlib.h>

#include "net_impl.h"

int netbuf_pool_init(struct netbuf_pool *pool, uint32_t count)
{
	if (count == 0)
		return KEEL_EINVAL;
	pool->all = calloc(count, sizeof(struct netbuf));
	if (!pool->all)
		return KEEL_ENOMEM;
	pool->free_list = NULL;
	for (uint32_t i = count; i-- > 0;) {
		pool->all[i].next = pool->free_list;
		pool->free_list = &pool->all[i];
	}
	pool->total = count;
	pool->free = count;
	pool->low_water = count;
	return KEEL_OK;
}

struct netbuf *netbuf_alloc(struct keel_net *net)
{
	struct netbuf_pool *pool = &net->pool;
	struct netbuf *nb = pool->free_list;

	if (!nb)
		return NULL;
	pool->free_list = nb->next;
	pool->free--;
	if (pool->free < pool->low_water)
		pool->low_water = pool->free;
	nb->next = NULL;
	nb->more = NULL;
	nb->data = nb->buf + NETBUF_HEADROOM;
	nb->len = 0;
	nb->refs = 1;
	nb->flags = 0;
	return nb;
}

unsigned netbuf_peek(const struct keel_net *net, struct netbuf **out, unsigned n)
{
	struct netbuf *nb = net->pool.free_list;
	unsigned got = 0;

	for (; got < n && nb; got++, nb = nb->next)
		out[got] = nb;
	return got;
}

void netbuf_ref(struct netbuf *nb)
{
	if (nb->refs == UINT16_MAX)
		KEEL_PANIC("netbuf %p: reference count overflow", (void *)nb);
	nb->refs++;
}

/* Returns one buffer whose last reference went to the pool. */
static void release(struct netbuf_pool *pool, struct netbuf *nb)
{
	if (nb < pool->all || nb >= pool->all + pool->total)
		KEEL_PANIC("netbuf %p is not from this stack's pool", (void *)nb);
	nb->next = pool->free_list;
	nb->more = NULL;
	pool->free_list = nb;
	pool->free++;
}

void netbuf_free(struct keel_net *net, struct netbuf *nb)
{
	/* The head of a multi-buffer datagram owns the rest of the chain;
	 * walked iteratively so no chain length can deepen the stack. */
	while (nb) {
		struct netbuf *rest;

		if (nb->refs == 0)
			KEEL_PANIC("netbuf %p freed twice", (void *)nb);
		if (--nb->refs > 0)
			return;
		rest = nb->more;
		release(&net->pool, nb);
		nb = rest;
	}
}

void netbuf_pool_free(struct netbuf_pool *pool)
{
	if (pool->free != pool->total)
		KEEL_PANIC("netbuf: %u of %u buffers still held when the pool goes",
		           (unsigned)(pool->total - pool->free), (unsigned)pool->total);
	free(pool->all);
	*pool = (struct netbuf_pool){ 0 };
}
