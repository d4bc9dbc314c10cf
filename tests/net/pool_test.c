/*
 * pool_test — the size of a packet pool the configuration leaves to the
 * stack (frame_buffers 0): 512 on a large heap, a third of the free heap
 * on a small one, never fewer than 32; a size given is taken as it is.
 * Each stack is closed again (keel_net_close) before the next.
 */
#include "harness.h"

static uint32_t pool_for(size_t heap_free, uint32_t asked)
{
	struct keel_net_config cfg;
	struct keel_net *net;
	uint32_t total;

	keel_net_config_default(&cfg);
	cfg.addr = keel_addr_ipv4(10, 0, 0, 2);
	cfg.prefix_len = 24;
	cfg.log_config = false;
	cfg.frame_buffers = asked;
	h_heap_free = heap_free;
	h_tx_clear();
	net = h_open(&cfg);
	total = net->pool.total;
	CHECK(net->pool.free == total);
	CHECK(keel_net_close(net, 0) == KEEL_OK);
	return total;
}

static void body(void *arg)
{
	size_t nb = sizeof(struct netbuf);

	(void)arg;
	CHECK(pool_for(64u << 20, 0) == 512);
	CHECK(pool_for(512 * nb * 3, 0) == 512);
	CHECK(pool_for(300 * 1024, 0) == 300 * 1024 / 3 / nb);
	CHECK(pool_for(100 * nb * 3 + nb, 0) == 100);
	CHECK(pool_for(20 * 1024, 0) == 32);
	CHECK(pool_for(20 * 1024, 1000) == 1000);
	CHECK(pool_for(64u << 20, 77) == 77);
}

int main(void)
{
	return h_main("net/pool", body, NULL);
}
