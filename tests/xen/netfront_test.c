/*
 * netfront_test.c — platform/xen/netfront.c on the host (ASan+UBSan)
 * against a fake netback (tests/xen/frontend_stubs.h): the handshake
 * keys it writes, frames both ways through granted pages, and a backend
 * that misbehaves — error statuses, lengths and offsets outside the
 * page or the MTU, flags never negotiated (each frame dropped, the
 * device going on), then ids it never got and more responses than
 * requests (the device stopped with one clear line, KEEL_EIO after,
 * never a read or write outside the rings and buffers). And the attach
 * refusing a missing MAC and a backend without rx-copy.
 */
#include "../../platform/xen/netfront.c"

#include "frontend_stubs.h"

#define FRONT "device/vif/0"
#define BACK "/local/domain/0/backend/vif/1/0"

static struct net *n;

static void backend_kick(void)
{
}

static void backend_wait(void)
{
}

static uint8_t *page_of(uint32_t ref)
{
	return grant_page_of(ref);
}

static void setup_keys(void)
{
	nkeys = 0;
	xs_set(FRONT "/backend-id", "0");
	xs_set(FRONT "/backend", BACK);
	xs_set(FRONT "/mac", "00:16:3e:4b:45:01");
	xs_set(BACK "/feature-rx-copy", "1");
}

/* Attaches device 0 ("service"); false with fail_msg when refused. */
static bool attach(void)
{
	memset(devices, 0, sizeof(devices));
	devices_count = 1;
	devices[0].kind = KEEL_NOTE_NET;
	strcpy(devices[0].name, "service");
	fail_msg[0] = '\0';
	if (setjmp(fail_jump))
		return false;
	netfront_attach(&devices[0], 0, FRONT);
	n = devices[0].driver;
	return true;
}

static int read_frame(uint8_t *buf, size_t *len)
{
	return kp_net_read(0, buf, 1514, len);
}

/* The backend answers the receive request at the consumer slot `slot`
 * (which names buffer req.id) with a frame of `len` bytes of value `v`
 * at `offset`, or with whatever the test writes over the response. */
static void rx_answer(uint32_t slot, uint16_t id, uint16_t offset, int16_t status, uint16_t flags,
                      uint8_t v)
{
	volatile union rx_entry *e = &n->rx->e[slot % RX_RING];

	if (status > 0 && id < RX_BUFS && (size_t)offset + (size_t)status <= PAGE_SIZE)
		memset(page_of(n->rx_gref[id]) + offset, v, (size_t)status);
	e->rsp.id = id;
	e->rsp.offset = offset;
	e->rsp.flags = flags;
	e->rsp.status = status;
}

static void rx_publish(uint32_t prod)
{
	n->rx->h.rsp_prod = prod;
	raise_event();
}

int main(void)
{
	uint8_t buf[1514];
	size_t len;
	struct kp_net_info info;
	kp_handle h;

	/* Refusals at attach. */
	setup_keys();
	xs_set(FRONT "/mac", "00:16:3e:4b:45");
	CHECK(!attach() && strstr(fail_msg, "mac is missing or not a unicast"));
	setup_keys();
	xs_set(FRONT "/mac", "01:16:3e:4b:45:01"); /* multicast */
	CHECK(!attach() && strstr(fail_msg, "not a unicast"));
	setup_keys();
	xs_set(BACK "/feature-rx-copy", "0");
	CHECK(!attach() && strstr(fail_msg, "feature-rx-copy"));

	/* A good attach: the keys netback reads. */
	setup_keys();
	CHECK(attach());
	CHECK(strcmp(xs_get(FRONT, "request-rx-copy"), "1") == 0);
	CHECK(strcmp(xs_get(FRONT, "feature-rx-notify"), "1") == 0);
	CHECK(strcmp(xs_get(FRONT, "feature-no-csum-offload"), "1") == 0);
	CHECK(strcmp(xs_get(FRONT, "event-channel"), "17") == 0);
	CHECK(xs_get(FRONT, "tx-ring-ref") && xs_get(FRONT, "rx-ring-ref"));
	CHECK(grant_page_of((uint32_t)atoi(xs_get(FRONT, "tx-ring-ref"))) == (uint8_t *)n->tx);
	CHECK(grant_page_of((uint32_t)atoi(xs_get(FRONT, "rx-ring-ref"))) == (uint8_t *)n->rx);
	CHECK(kp_net_acquire("service", &h, &info) == KEEL_OK && h == 0);
	CHECK(memcmp(info.mac, "\x00\x16\x3e\x4b\x45\x01", 6) == 0 && info.mtu == 1500);
	CHECK(kp_net_acquire("other", &h, &info) == KEEL_ENODEV);
	/* Every receive buffer is posted, granted writable. */
	CHECK(n->rx->h.req_prod == RX_BUFS);
	for (unsigned i = 0; i < RX_BUFS; i++) {
		CHECK(n->rx->e[i].req.id == i);
		CHECK(!granted_ro[n->rx->e[i].req.gref]);
	}
	CHECK(read_frame(buf, &len) == KEEL_EAGAIN);
	CHECK(kp_net_read(0, buf, 100, &len) == KEEL_EINVAL);
	CHECK(!(intr_ready & 1));

	/* A good frame, then one the backend validated. */
	rx_answer(0, 0, 0, 60, 0, 0xab);
	rx_answer(1, 1, 32, 1514, NETRXF_DATA_VALIDATED, 0xcd);
	rx_publish(2);
	CHECK(intr_ready & 1);
	CHECK(read_frame(buf, &len) == KEEL_OK && len == 60 && buf[0] == 0xab && buf[59] == 0xab);
	{
		struct kp_net_buf bufs[2] = { { buf, 1000 }, { buf + 1000, 514 } };
		struct kp_net_meta meta;

		CHECK(kp_net_recv(0, bufs, 2, &len, &meta) == KEEL_OK && len == 1514);
		CHECK(meta.flags == KP_NET_F_CSUM_OK && buf[0] == 0xcd && buf[1513] == 0xcd);
	}
	CHECK(read_frame(buf, &len) == KEEL_EAGAIN && !(intr_ready & 1));
	/* The buffers went back to the backend, and it was told. */
	CHECK(n->rx->h.req_prod == RX_BUFS + 2);

	/* Frames the backend should not send: dropped, buffers reposted. */
	rx_answer(2, 2, 0, -1, 0, 0);                    /* an error */
	rx_answer(3, 3, 0, 10, 0, 0x11);                 /* shorter than a header */
	rx_answer(4, 4, 0, 1515, 0, 0x11);               /* over the MTU */
	rx_answer(5, 5, 4000, 200, 0, 0x11);             /* past its page */
	rx_answer(6, 6, 0, 60, NETRXF_CSUM_BLANK, 0x11); /* partial: not negotiated */
	rx_answer(7, 7, 0, 60, 1u << 2, 0x11);           /* more_data: no scatter-gather */
	rx_answer(8, 8, 0, 60, 1u << 3, 0x11);           /* extra info: no GSO */
	rx_answer(9, 9, 0, 64, 0, 0x22);                 /* and a good one */
	rx_publish(10);
	CHECK(read_frame(buf, &len) == KEEL_OK && len == 64 && buf[0] == 0x22);
	CHECK(read_frame(buf, &len) == KEEL_EAGAIN);
	CHECK(n->rx->h.req_prod == RX_BUFS + 10 && !n->x.broken);

	/* Sending: the frame lands in a read-only granted page. */
	memset(buf, 0x5a, 100);
	CHECK(kp_net_write(0, buf, 100) == KEEL_OK);
	CHECK(n->tx->h.req_prod == 1);
	{
		volatile struct tx_request *r = &n->tx->e[0].req;

		CHECK(r->size == 100 && r->offset == 0 && r->flags == 0 && granted_ro[r->gref]);
		CHECK(memcmp(page_of(r->gref), buf, 100) == 0);
	}
	CHECK(kp_net_write(0, buf, 13) == KEEL_EINVAL);
	CHECK(kp_net_write(0, buf, 1515) == KEEL_EINVAL);
	{
		struct kp_net_frag f = { buf, 100 };
		struct kp_net_meta partial = { .flags = KP_NET_F_CSUM_PARTIAL,
			                       .csum_start = 34,
			                       .csum_offset = 16 };
		struct kp_net_meta bad = partial;

		CHECK(kp_net_send(0, &f, 1, &partial) == KEEL_OK);
		CHECK(n->tx->e[1].req.flags == (NETTXF_CSUM_BLANK | NETTXF_DATA_VALIDATED));
		bad.csum_start = 90;
		CHECK(kp_net_send(0, &f, 1, &bad) == KEEL_EINVAL);
		bad = partial;
		bad.flags = KP_NET_F_TSO4;
		CHECK(kp_net_send(0, &f, 1, &bad) == KEEL_EINVAL);
	}
	/* Fill the transmit buffers: the next frame waits for the backend. */
	while (n->tx_nfree > 0)
		CHECK(kp_net_write(0, buf, 60) == KEEL_OK);
	CHECK(kp_net_write(0, buf, 60) == KEEL_EAGAIN);
	/* It answers the first one. */
	n->tx->e[0].rsp.id = n->tx->e[0].req.id;
	n->tx->e[0].rsp.status = 0;
	n->tx->h.rsp_prod = 1;
	CHECK(kp_net_write(0, buf, 60) == KEEL_OK);
	CHECK(kp_net_write(0, buf, 60) == KEEL_EAGAIN);
	CHECK(!n->x.broken && console[0] == '\0');

	/* A transmit answer naming a buffer the backend does not hold. */
	n->tx->e[1].rsp.id = n->tx->e[0].rsp.id; /* freed and sent again: held... */
	n->tx->e[1].rsp.status = 0;
	n->tx->e[2].rsp.id = n->tx->e[1].rsp.id; /* ...but not twice */
	n->tx->e[2].rsp.status = 0;
	n->tx->h.rsp_prod = 3;
	CHECK(kp_net_write(0, buf, 60) == KEEL_EIO);
	CHECK(n->x.broken && strstr(console, "net device 'service': its backend answered a transmit "
	                                   "request it was not given; the device is stopped\n"));
	CHECK(kp_net_write(0, buf, 60) == KEEL_EIO && read_frame(buf, &len) == KEEL_EIO);

	/* A NULL status answers an extra-info slot, and none is ever sent:
	 * a backend that sends one would otherwise leak a buffer each time. */
	setup_keys();
	console[0] = '\0';
	CHECK(attach());
	CHECK(kp_net_write(0, buf, 60) == KEEL_OK);
	n->tx->e[0].rsp.id = n->tx->e[0].req.id;
	n->tx->e[0].rsp.status = NETIF_RSP_NULL;
	n->tx->h.rsp_prod = 1;
	CHECK(kp_net_write(0, buf, 60) == KEEL_EIO);
	CHECK(n->x.broken && strstr(console, "answered a transmit slot that was never used"));

	/* Receive: an id out of range; then more responses than requests. */
	setup_keys();
	console[0] = '\0';
	CHECK(attach());
	rx_answer(0, RX_BUFS, 0, 60, 0, 0);
	rx_publish(1);
	CHECK(read_frame(buf, &len) == KEEL_EIO &&
	      strstr(console, "receive request it was not given"));
	CHECK(!(intr_ready & 1));
	setup_keys();
	console[0] = '\0';
	CHECK(attach());
	rx_publish(RX_BUFS + 1);
	CHECK(read_frame(buf, &len) == KEEL_EIO &&
	      strstr(console, "published more responses than there were requests"));
	setup_keys();
	console[0] = '\0';
	CHECK(attach());
	n->tx->h.rsp_prod = 1000;
	CHECK(kp_net_write(0, buf, 60) == KEEL_EIO);

	printf("netfront: ok\n");
	return 0;
}
