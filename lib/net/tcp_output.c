/*
 * Sending: what may go out now (receiver's window, congestion window,
 * Nagle, sender-side silly-window avoidance), building the header in
 * front of the payload in place, and the control segments (SYN, ACK,
 * RST, probes).
 *
 * A data segment is always one whole send-queue buffer: write() fills
 * buffers of at most one MSS with headroom, the header is prepended in
 * place, and a retransmission sends the same buffer again (with a new
 * header). TCP holds a reference across ipv4_output(), so the buffer
 * stays queued after the frame has been copied out by the device.
 *
 * When only part of a buffer may be sent (a small window, a shrunken
 * MSS) the buffer is split first; the smaller part is copied. That is the
 * one place payload is copied a second time, and only on those paths.
 *
 * A buffer of outside memory (txcb.ext, keel_flow_write_static) is sent
 * the same way, except that its header is built in the buffer's own
 * headroom and the payload is handed to the device as a second piece of
 * the frame; splitting it copies nothing. When the next hop's MAC is not
 * known (ARP must queue the frame) the payload is copied into the buffer
 * for that one transmission.
 */
#include "tcp_impl.h"

/* ---- Building and sending one segment ------------------------------------------- */

int tcp_build_header(struct keel_net *net, struct netbuf *nb, uint16_t sport_be, uint16_t dport_be,
                     uint32_t seq, uint32_t ack, uint8_t flags, uint16_t wnd,
                     const struct tcp_opts_out *opts)
{
	uint8_t optbuf[TCP_OPTS_MAX];
	size_t olen = opts ? tcp_options_write(optbuf, opts) : 0;
	size_t hlen = TCP_HLEN + olen;
	uint8_t *h = netbuf_push(nb, hlen);

	(void)net;
	if (!h)
		return KEEL_EINVAL;
	__builtin_memcpy(h, &sport_be, 2);
	__builtin_memcpy(h + 2, &dport_be, 2);
	net_put32(h + 4, seq);
	net_put32(h + 8, ack);
	h[12] = (uint8_t)((hlen / 4) << 4);
	h[13] = flags;
	net_put16(h + 14, wnd);
	h[16] = h[17] = 0;
	h[18] = h[19] = 0;
	__builtin_memcpy(h + TCP_HLEN, optbuf, olen);
	return KEEL_OK;
}

int tcp_xmit(struct keel_net *net, struct netbuf *nb, uint32_t src_be, uint32_t dst_be,
             uint16_t sport_be, uint16_t dport_be, uint32_t seq, uint32_t ack, uint8_t flags,
             uint16_t wnd, const struct tcp_opts_out *opts)
{
	if (tcp_build_header(net, nb, sport_be, dport_be, seq, ack, flags, wnd, opts) != KEEL_OK) {
		netbuf_free(net, nb);
		return KEEL_EINVAL;
	}
	tcp_set_csum(net, nb, src_be, dst_be, NULL, 0);
	net->stats.tcp_out++;
	if (flags & TCP_RST)
		net->stats.tcp_resets_out++;
	return ipv4_output(net, nb, IP_PROTO_TCP, src_be, dst_be, 64);
}

/*
 * The checksum of the segment in nb (data at the TCP header) followed by
 * `more` payload bytes elsewhere: whole, or, when the device offers to
 * finish it, only the pseudo-header sum (NETBUF_CSUM_PARTIAL), which
 * saves reading the payload once more. Without the device's help the
 * bytes elsewhere must be given (more_data).
 */
void tcp_set_csum(struct keel_net *net, struct netbuf *nb, uint32_t src_be, uint32_t dst_be,
                  const void *more_data, size_t more)
{
	uint16_t l4_len = (uint16_t)(nb->len + more);
	uint32_t pseudo = inet_pseudo_sum(src_be, dst_be, IP_PROTO_TCP, l4_len);
	uint16_t csum;

	if (net->info.offloads & KP_NET_OFF_TX_CSUM) {
		nb->flags |= NETBUF_CSUM_PARTIAL;
		csum = (uint16_t)~inet_fold(pseudo);
	} else {
		nb->flags &= (uint16_t)~NETBUF_CSUM_PARTIAL;
		uint32_t sum = inet_sum(nb->data, nb->len, pseudo);

		/* The header's length is a multiple of 4, so the payload's
		 * sum continues it. */
		if (more_data)
			sum = inet_sum(more_data, more, sum);
		csum = inet_fold(sum);
	}
	__builtin_memcpy(nb->data + 16, &csum, 2);
}

/*
 * Fills the options of a non-SYN segment carrying `payload` bytes. SACK
 * blocks take what room the segment has left: payload plus options may
 * not exceed the MSS both sides allow (RFC 9293 3.7.1), so a full-sized
 * segment carries none. Returns true when blocks were left out.
 */
bool tcp_fill_opts(struct tcp_conn *c, struct tcp_opts_out *o, uint32_t payload, keel_time now)
{
	uint32_t limit = c->peer_mss < c->rcv_mss ? c->peer_mss : c->rcv_mss;
	uint32_t room = limit > payload ? limit - payload : 0;
	uint8_t fit;

	memset(o, 0, sizeof(*o));
	if (room > TCP_OPTS_MAX)
		room = TCP_OPTS_MAX;
	if (c->ts_ok) {
		o->ts = true;
		o->ts_val = tcp_ts_at(c, now);
		o->ts_ecr = c->ts_recent;
		room = room > 12 ? room - 12 : 0;
	}
	if (!c->sack_ok || !c->ooo_head)
		return false;
	fit = room >= 12 ? (uint8_t)((room - 4) / 8) : 0;
	o->nsack = tcp_sack_blocks(c, o->sack, TCP_SACK_BLOCKS_MAX);
	if (o->nsack <= fit)
		return false;
	o->nsack = fit; /* the first blocks matter most (RFC 2018 4) */
	return true;
}

/* Bookkeeping after any segment that carried our ACK. */
static void acked_out(struct tcp_conn *c)
{
	c->last_ack_sent = c->rcv_nxt;
	c->flags &= ~CONN_ACK_NOW;
	c->segs_unacked = 0;
	c->delack_at = 0;
}

/* A segment without payload from connection c. */
static int send_ctl(struct tcp_conn *c, uint32_t seq, uint8_t flags)
{
	struct keel_net *net = c->net;
	struct netbuf *nb = netbuf_alloc(net);
	struct tcp_opts_out o;
	uint16_t wnd;

	if (!nb) {
		net->stats.drop_no_buffer++;
		return KEEL_ENOMEM;
	}
	tcp_fill_opts(c, &o, 0, keel_now());
	wnd = tcp_rcv_window_field(c);
	if (flags & TCP_ACK)
		acked_out(c);
	return tcp_xmit(net, nb, c->local_ip_be, c->remote_ip_be, c->local_port_be,
	                c->remote_port_be, seq, (flags & TCP_ACK) ? c->rcv_nxt : 0, flags, wnd, &o);
}

/* A pure ACK carries snd_max, not snd_nxt: after a timeout pulled snd_nxt
 * back, the peer may already hold those bytes, and would find an older
 * sequence number unacceptable and drop the ACK with it. */
void tcp_send_ack(struct tcp_conn *c)
{
	send_ctl(c, c->snd_max, TCP_ACK);
}

void tcp_send_rst_conn(struct tcp_conn *c)
{
	send_ctl(c, c->snd_max, TCP_RST | TCP_ACK);
}

void tcp_send_challenge_ack(struct tcp_conn *c)
{
	keel_time now = keel_now();

	if (now - c->chack_window >= KEEL_SEC || c->chack_window == 0) {
		c->chack_window = now;
		c->chack_count = 0;
	}
	if (c->chack_count >= TCP_CHALLENGE_ACKS_PER_SEC)
		return;
	c->chack_count++;
	tcp_send_ack(c);
}

/* RFC 9293 3.8.6.3 / RFC 1122: a keepalive is an ACK one byte below snd_una. */
void tcp_send_keepalive(struct tcp_conn *c)
{
	send_ctl(c, c->snd_una - 1, TCP_ACK);
}

int tcp_send_syn(struct tcp_conn *c)
{
	struct keel_net *net = c->net;
	struct netbuf *nb = netbuf_alloc(net);
	bool passive = c->state == TCP_SYN_RECEIVED;
	struct tcp_opts_out o = {
		.syn = true,
		.mss = c->rcv_mss,
		.ws = passive ? c->ws_ok : true,
		.wscale = c->rcv_wscale,
		.sack_perm = passive ? c->sack_ok : true,
		.ts = passive ? c->ts_ok : true,
		.ts_ecr = passive ? c->ts_recent : 0,
	};
	uint32_t wnd = c->rcvbuf < 65535 ? c->rcvbuf : 65535;
	int rc;

	tcp_timer_rexmit_start(c);
	if (!nb) {
		net->stats.drop_no_buffer++;
		return KEEL_ENOMEM;
	}
	o.ts_val = tcp_ts_now(c);
	if (passive) {
		c->rcv_adv = c->rcv_nxt + wnd;
		acked_out(c);
	}
	c->snd_nxt = c->iss + 1;
	c->snd_max = seq_max(c->snd_max, c->iss + 1);
	rc = tcp_xmit(net, nb, c->local_ip_be, c->remote_ip_be, c->local_port_be, c->remote_port_be,
	              c->iss, passive ? c->rcv_nxt : 0, passive ? TCP_SYN | TCP_ACK : TCP_SYN,
	              (uint16_t)wnd, &o);
	return rc;
}

void tcp_send_rst_reply(struct keel_net *net, const struct tcp_seg *seg)
{
	struct netbuf *nb;
	uint32_t seq = 0, ack = 0;
	uint8_t flags = TCP_RST;

	if (seg->flags & TCP_RST)
		return;
	nb = netbuf_alloc(net);
	if (!nb) {
		net->stats.drop_no_buffer++;
		return;
	}
	if (seg->flags & TCP_ACK) {
		seq = seg->ack;
	} else {
		ack = seg->seq + tcp_seg_seqlen(seg);
		flags |= TCP_ACK;
	}
	tcp_xmit(net, nb, seg->dst_be, seg->src_be, seg->dport_be, seg->sport_be, seq, ack, flags,
	         0, NULL);
}

void tcp_send_cookie_synack(struct keel_net *net, const struct tcp_seg *seg, uint32_t isn,
                            uint16_t mss, const struct tcp_opts *peer, uint8_t rcv_wscale)
{
	struct netbuf *nb = netbuf_alloc(net);
	struct tcp_opts_out o = {
		.syn = true,
		.mss = mss,
		.ws = peer->has_wscale,
		.wscale = rcv_wscale,
		.sack_perm = peer->sack_ok,
		.ts = peer->has_ts,
		/* Our TSval on the cookie path: the stack's millisecond clock. */
		.ts_val = (uint32_t)(keel_now() / KEEL_MSEC),
		.ts_ecr = peer->ts_val,
	};

	if (!nb) {
		net->stats.drop_no_buffer++;
		return;
	}
	tcp_xmit(net, nb, seg->dst_be, seg->src_be, seg->dport_be, seg->sport_be, isn, seg->seq + 1,
	         TCP_SYN | TCP_ACK, 65535, &o);
}

/* ---- The send queue ------------------------------------------------------------------ */

static struct netbuf *queue_prev(struct tcp_conn *c, struct netbuf *b)
{
	struct netbuf *p = c->sndq_head;

	if (p == b)
		return NULL;
	while (p && p->next != b)
		p = p->next;
	if (!p)
		KEEL_PANIC("tcp: buffer not in its send queue");
	return p;
}

static struct netbuf *copy_payload(struct keel_net *net, const uint8_t *src, uint32_t len)
{
	struct netbuf *nb = netbuf_alloc(net);

	if (!nb) {
		net->stats.drop_no_buffer++;
		return NULL;
	}
	memcpy(nb->data, src, len);
	nb->len = (uint16_t)len;
	return nb;
}

/* tcp_split_buf of a buffer of outside memory: the back becomes a new
 * buffer pointing further into the same memory. */
static struct netbuf *split_ext(struct tcp_conn *c, struct netbuf *b, uint32_t keep)
{
	struct tcp_txcb *cb = txcb(b);
	struct netbuf *nb = netbuf_alloc(c->net);

	if (!nb) {
		c->net->stats.drop_no_buffer++;
		return NULL;
	}
	c->sndq_segs++;
	*txcb(nb) = *cb;
	txcb(nb)->seq = cb->seq + keep;
	txcb(nb)->off = (uint16_t)(nb->data - nb->buf);
	txcb(nb)->len = (uint16_t)(cb->len - keep);
	txcb(nb)->ext = cb->ext + keep;
	cb->len = (uint16_t)keep;
	nb->next = b->next;
	b->next = nb;
	if (c->sndq_tail == b)
		c->sndq_tail = nb;
	return b;
}

struct netbuf *tcp_split_buf(struct tcp_conn *c, struct netbuf *b, uint32_t keep)
{
	struct tcp_txcb *cb = txcb(b);
	uint8_t *payload = b->buf + cb->off;
	struct netbuf *nb;

	if (keep == 0 || keep >= cb->len)
		return b;
	if (cb->ext)
		return split_ext(c, b, keep);
	if (keep <= cb->len - keep) {
		/* The front is smaller: copy it into a new buffer before b. */
		struct netbuf *prev = queue_prev(c, b);

		nb = copy_payload(c->net, payload, keep);
		if (!nb)
			return NULL;
		c->sndq_segs++;
		*txcb(nb) = *cb;
		txcb(nb)->off = (uint16_t)(nb->data - nb->buf);
		txcb(nb)->len = (uint16_t)keep;
		cb->seq += keep;
		cb->off = (uint16_t)(cb->off + keep);
		cb->len = (uint16_t)(cb->len - keep);
		b->data = b->buf + cb->off;
		b->len = cb->len;
		nb->next = b;
		if (prev)
			prev->next = nb;
		else
			c->sndq_head = nb;
		if (c->send_next == b)
			c->send_next = nb;
		return nb;
	}
	/* The back is smaller: copy it into a new buffer after b. */
	nb = copy_payload(c->net, payload + keep, cb->len - keep);
	if (!nb)
		return NULL;
	c->sndq_segs++;
	*txcb(nb) = *cb;
	txcb(nb)->seq = cb->seq + keep;
	txcb(nb)->off = (uint16_t)(nb->data - nb->buf);
	txcb(nb)->len = (uint16_t)(cb->len - keep);
	cb->len = (uint16_t)keep;
	b->len = cb->len;
	nb->next = b->next;
	b->next = nb;
	if (c->sndq_tail == b)
		c->sndq_tail = nb;
	return b;
}

/*
 * Sends the segment of buffer b of outside memory (cb: its control block;
 * b holds a reference for the layers below, consumed here): header in b,
 * payload from cb->ext as a second piece of the frame.
 */
static void xmit_ext(struct tcp_conn *c, struct netbuf *b, const struct tcp_txcb *cb, uint8_t flags,
                     uint16_t wnd, const struct tcp_opts_out *o)
{
	struct keel_net *net = c->net;
	struct kp_net_frag payload = { cb->ext, cb->len };
	uint8_t hop_mac[6];

	if (!ipv4_hop_ready(net, c->remote_ip_be, hop_mac)) {
		/* ARP may hold the frame past this call: copy the payload in,
		 * so the frame is whole in the buffer as any other. */
		memcpy(b->data, cb->ext, cb->len);
		tcp_xmit(net, b, c->local_ip_be, c->remote_ip_be, c->local_port_be,
		         c->remote_port_be, cb->seq, c->rcv_nxt, flags, wnd, o);
		return;
	}
	b->len = 0;
	if (tcp_build_header(net, b, c->local_port_be, c->remote_port_be, cb->seq, c->rcv_nxt,
	                     flags, wnd, o) != KEEL_OK) {
		netbuf_free(net, b);
		return;
	}
	tcp_set_csum(net, b, c->local_ip_be, c->remote_ip_be, cb->ext, cb->len);
	net->stats.tcp_out++;
	ipv4_output_frags(net, b, &payload, 1, cb->len, 0, c->local_ip_be, c->remote_ip_be,
	                  hop_mac);
}

/*
 * Sends send-queue buffer b (whole). `rexmit`: it was sent before.
 * Returns KEEL_OK.
 *
 * The layers below give a buffer back before ipv4_output() returns (the
 * device copies the frame) or, when they must keep it (ARP pending), take
 * their own copy of a buffer that is shared (refs > 1), because they link
 * it through `next` and use its control block. So b is ours again at
 * once; only its data/len and, defensively, next and cb are restored.
 */
static int send_buf(struct tcp_conn *c, struct netbuf *b, bool rexmit)
{
	struct keel_net *net = c->net;
	struct tcp_txcb cb = *txcb(b);
	struct netbuf *next = b->next;
	struct tcp_opts_out o;
	uint8_t flags = TCP_ACK;
	uint32_t end = cb.seq + cb.len;
	uint16_t wnd;
	keel_time now = keel_now();
	bool sack_left_out;

	if (!next)
		flags |= TCP_PSH;
	if ((c->flags & CONN_WR_SHUT) && end == c->write_seq)
		flags |= TCP_FIN;
	/* SACK news that does not fit beside the payload goes in an ACK of
	 * its own, sent right after. */
	sack_left_out = tcp_fill_opts(c, &o, cb.len, now) && (c->flags & CONN_ACK_NOW);
	wnd = tcp_rcv_window_field(c);
	acked_out(c);
	b->data = b->buf + cb.off;
	b->len = cb.len;
	netbuf_ref(b);
	if (cb.ext)
		xmit_ext(c, b, &cb, flags, wnd, &o);
	else
		tcp_xmit(net, b, c->local_ip_be, c->remote_ip_be, c->local_port_be,
		         c->remote_port_be, cb.seq, c->rcv_nxt, flags, wnd, &o);
	if (b->refs != 1)
		KEEL_PANIC("tcp: a lower layer kept a shared send buffer");
	cb.sent_at = now;
	if (rexmit) {
		cb.flags |= TXCB_EVER_RETRANS;
		net->stats.tcp_retransmits++;
	}
	b->data = b->buf + cb.off;
	b->len = cb.ext ? 0 : cb.len;
	b->next = next;
	*txcb(b) = cb;
	if (flags & TCP_FIN)
		end++;
	c->snd_max = seq_max(c->snd_max, end);
	if (sack_left_out)
		tcp_send_ack(c);
	return KEEL_OK;
}

/* Sends b, the buffer at snd_nxt, and advances snd_nxt past it. */
static int send_new(struct tcp_conn *c, struct netbuf *b)
{
	uint32_t seq = txcb(b)->seq;
	uint32_t end = seq + txcb(b)->len;
	bool rexmit = seq_lt(seq, c->snd_max);
	bool fin = (c->flags & CONN_WR_SHUT) && end == c->write_seq;
	struct netbuf *next = b->next;

	send_buf(c, b, rexmit);
	c->snd_nxt = end + (fin ? 1 : 0);
	c->send_next = next;
	return KEEL_OK;
}

void tcp_retransmit_buf(struct tcp_conn *c, struct netbuf *b)
{
	if (txcb(b)->len > c->mss) {
		b = tcp_split_buf(c, b, c->mss);
		if (!b)
			return;
	}
	send_buf(c, b, true);
	txcb(b)->flags |= TXCB_RETRANS;
}

/* The FIN alone (no data left unsent). */
static void send_fin(struct tcp_conn *c)
{
	bool rexmit = seq_lt(c->write_seq, c->snd_max);

	if (send_ctl(c, c->write_seq, TCP_FIN | TCP_ACK) < 0)
		return;
	if (rexmit)
		c->net->stats.tcp_retransmits++;
	c->snd_nxt = c->write_seq + 1;
	c->snd_max = seq_max(c->snd_max, c->snd_nxt);
}

/* Zero-window probe (RFC 9293 3.8.6.1): one new byte beyond the window,
 * copied into its own small segment, so the queue is not split for it.
 * snd_nxt stays put; snd_max covers the byte so its ACK is acceptable. */
void tcp_send_window_probe(struct tcp_conn *c)
{
	struct netbuf *b = c->send_next;
	struct netbuf *nb;
	struct tcp_opts_out o;
	uint16_t wnd;

	if (!b) {
		if ((c->flags & CONN_WR_SHUT) && c->snd_una == c->write_seq)
			send_fin(c);
		return;
	}
	nb = copy_payload(c->net, tx_payload(b), 1);
	if (!nb)
		return;
	tcp_fill_opts(c, &o, 1, keel_now());
	wnd = tcp_rcv_window_field(c);
	acked_out(c);
	tcp_xmit(c->net, nb, c->local_ip_be, c->remote_ip_be, c->local_port_be, c->remote_port_be,
	         c->snd_nxt, c->rcv_nxt, TCP_ACK, wnd, &o);
	c->snd_max = seq_max(c->snd_max, c->snd_nxt + 1);
}

/*
 * The probe is the last segment sent, again, not a new one as RFC 8985
 * 7.3 prefers: when the flight did arrive and only its ACK was lost, a
 * new in-order segment is ACKed at the receiver's leisure (Linux delays
 * such ACKs 40 ms or more while it has no data to send), a duplicate at
 * once (with a D-SACK). Either way the ACK tells what is missing.
 */
void tcp_send_tail_probe(struct tcp_conn *c)
{
	struct netbuf *b, *last = NULL;

	tcp_of(c->net)->tail_probes++;
	for (b = c->sndq_head; b && seq_lt(txcb(b)->seq, c->snd_nxt); b = b->next)
		last = b;
	if (last) {
		tcp_retransmit_buf(c, last);
		txcb(last)->flags &= (uint8_t)~TXCB_RETRANS; /* not a repair */
	} else if ((c->flags & CONN_WR_SHUT) && c->snd_una == c->write_seq) {
		send_fin(c);
	}
}

/* ---- Deciding what goes out ---------------------------------------------------------- */

static uint32_t window_left(uint32_t base, uint32_t wnd, uint32_t from)
{
	uint32_t edge = base + wnd;

	return seq_gt(edge, from) ? edge - from : 0;
}

/*
 * May buffer b (at snd_nxt) go out now, whole or in part? Returns the
 * bytes to send (the whole buffer, a prefix, or 0 to wait).
 */
static uint32_t sendable(struct tcp_conn *c, struct netbuf *b, uint32_t cwnd_left)
{
	uint32_t len = txcb(b)->len;
	uint32_t rwnd_left = window_left(c->snd_una, c->snd_wnd, c->snd_nxt);
	uint32_t left = rwnd_left < cwnd_left ? rwnd_left : cwnd_left;
	bool last = b->next == NULL;
	bool outstanding = c->snd_nxt != c->snd_una;

	if (len > c->mss)
		len = c->mss;
	if (left >= len) {
		/* Nagle (RFC 9293 3.7.4): a short segment waits while data is
		 * unacknowledged, unless disabled or the stream is ending. */
		if (len < c->mss && last && outstanding && !c->nodelay &&
		    !(c->flags & CONN_WR_SHUT))
			return 0;
		return len;
	}
	/* Sender SWS avoidance (3.8.6.2.1): when the receiver's window is the
	 * limit, send part of a segment only if it is at least half of the
	 * largest window the peer has offered. */
	if (rwnd_left < cwnd_left && rwnd_left > 0 && rwnd_left >= c->max_snd_wnd / 2)
		return rwnd_left;
	return 0;
}

static bool send_one_new(struct tcp_conn *c, uint32_t cwnd_left)
{
	struct netbuf *b = c->send_next;
	uint32_t n;

	if (!b)
		return false;
	n = sendable(c, b, cwnd_left);
	if (n == 0)
		return false;
	if (n < txcb(b)->len) {
		b = tcp_split_buf(c, b, n);
		if (!b)
			return false;
	}
	return send_new(c, b) == KEEL_OK;
}

/*
 * Segmentation offload: a run of whole, never-sent, full-sized buffers
 * from send_next, as much as both windows allow (at most 64 KiB and
 * KP_NET_FRAGS_MAX buffers), goes to the device as one large segment,
 * which the device cuts into MSS-sized ones with these headers. The
 * first buffer carries the headers in its headroom, as a single segment
 * would; the others' payload is only pointed at. Returns false (nothing
 * sent) when no run of two buffers or more may go now; the caller then
 * sends buffer by buffer.
 */
#define TSO_PAYLOAD_MAX (65535 - 20 - TCP_HLEN - TCP_OPTS_MAX)

static bool send_tso(struct tcp_conn *c, uint32_t cwnd_left)
{
	struct keel_net *net = c->net;
	struct kp_net_frag tail[KP_NET_FRAGS_MAX - 1];
	struct netbuf *first = c->send_next, *last = NULL, *b;
	unsigned ntail = 0;
	uint32_t head_len;
	bool first_ext;
	uint32_t rwnd_left = window_left(c->snd_una, c->snd_wnd, c->snd_nxt);
	uint32_t left = rwnd_left < cwnd_left ? rwnd_left : cwnd_left;
	uint32_t bytes = 0, end;
	unsigned n = 0;
	uint8_t hop_mac[6];
	uint8_t flags = TCP_ACK;
	struct tcp_opts_out o;
	struct tcp_txcb cb0;
	keel_time now;
	bool sack_left_out;
	uint16_t wnd;

	if (!first || !(net->info.offloads & KP_NET_OFF_TX_TSO4) || txcb(first)->len != c->mss ||
	    seq_lt(txcb(first)->seq, c->snd_max) || left < 2u * c->mss)
		return false;
	/* The first buffer's payload is a piece of its own when it lies
	 * outside (ntail counts the pieces after the headers). */
	first_ext = txcb(first)->ext != NULL;
	for (b = first; b && ntail + 2 < KP_NET_FRAGS_MAX; b = b->next) {
		if (txcb(b)->len != c->mss || bytes + c->mss > left ||
		    bytes + c->mss > TSO_PAYLOAD_MAX)
			break;
		if (n > 0 || first_ext)
			tail[ntail++] = (struct kp_net_frag){ tx_payload(b), txcb(b)->len };
		bytes += c->mss;
		last = b;
		n++;
	}
	if (n < 2 || !ipv4_tso_ready(net, c->remote_ip_be, hop_mac))
		return false;
	head_len = first_ext ? 0 : c->mss;

	end = txcb(first)->seq + bytes;
	if (!last->next)
		flags |= TCP_PSH;
	if ((c->flags & CONN_WR_SHUT) && end == c->write_seq)
		flags |= TCP_FIN;
	now = keel_now();
	sack_left_out = tcp_fill_opts(c, &o, c->mss, now) && (c->flags & CONN_ACK_NOW);
	wnd = tcp_rcv_window_field(c);
	acked_out(c);
	cb0 = *txcb(first);
	b = first->next;
	first->data = first->buf + cb0.off;
	first->len = (uint16_t)head_len;
	netbuf_ref(first);
	if (tcp_build_header(net, first, c->local_port_be, c->remote_port_be, cb0.seq, c->rcv_nxt,
	                     flags, wnd, &o) == KEEL_OK) {
		tcp_set_csum(net, first, c->local_ip_be, c->remote_ip_be, NULL, bytes - head_len);
		net->stats.tcp_out++;
		ipv4_output_frags(net, first, tail, ntail, bytes - head_len, c->mss, c->local_ip_be,
		                  c->remote_ip_be, hop_mac);
	} else {
		netbuf_free(net, first);
	}
	if (first->refs != 1)
		KEEL_PANIC("tcp: a lower layer kept a shared send buffer");
	first->data = first->buf + cb0.off;
	first->len = (uint16_t)head_len;
	first->next = b;
	*txcb(first) = cb0;
	for (b = first;; b = b->next) {
		txcb(b)->sent_at = now;
		if (b == last)
			break;
	}
	c->snd_nxt = end + ((flags & TCP_FIN) ? 1 : 0);
	c->snd_max = seq_max(c->snd_max, c->snd_nxt);
	c->send_next = last->next;
	if (sack_left_out)
		tcp_send_ack(c);
	return true;
}

/* Loss recovery with SACK (RFC 6675 5, simplified): while the pipe leaves
 * room for a segment, retransmit the next lost hole, else send new data. */
static bool sack_recovery_output(struct tcp_conn *c)
{
	struct tcp_sack_scan scan;
	bool sent = false;

	tcp_sack_scan_start(c, &scan);
	for (unsigned guard = 0; guard < 1024; guard++) {
		struct netbuf *hole;

		if (scan.pipe + c->mss > c->cwnd)
			break;
		hole = tcp_sack_scan_hole(c, &scan);
		if (hole && txcb(hole)->sent_at == keel_now())
			break; /* sent this very instant: wait for news */
		if (hole)
			tcp_retransmit_buf(c, hole);
		else if (!send_one_new(c, c->cwnd - scan.pipe))
			break;
		sent = true;
		if (!tcp_sack_scan_sent(c, &scan, hole))
			break;
	}
	return sent;
}

void tcp_output(struct tcp_conn *c)
{
	bool sent = false;

	switch (c->state) {
	case TCP_ESTABLISHED:
	case TCP_CLOSE_WAIT:
	case TCP_FIN_WAIT_1:
	case TCP_CLOSING:
	case TCP_LAST_ACK:
		break;
	case TCP_FIN_WAIT_2:
	case TCP_TIME_WAIT:
		if (c->flags & CONN_ACK_NOW)
			tcp_send_ack(c);
		return;
	default:
		return;
	}

	if ((c->flags & CONN_IN_RECOVERY) && c->sack_ok) {
		sent = sack_recovery_output(c);
	} else {
		for (unsigned guard = 0; guard < 4096; guard++) {
			uint32_t cwnd_left = window_left(c->snd_una, c->cwnd, c->snd_nxt);

			if (!send_tso(c, cwnd_left) && !send_one_new(c, cwnd_left))
				break;
			sent = true;
		}
	}
	/* The FIN alone, once every byte before it has gone. */
	if ((c->flags & CONN_WR_SHUT) && !c->send_next && c->snd_nxt == c->write_seq) {
		send_fin(c);
		sent = true;
	}
	if (!sent && (c->flags & CONN_ACK_NOW))
		tcp_send_ack(c);

	/* A probe is due two round trips after the last segment sent (RFC
	 * 8985 7.2), and its time depends on the flight: restart it. */
	if (sent && (c->flags & CONN_TLP))
		tcp_timer_rexmit_start(c);
	tcp_output_timer(c);
}

void tcp_output_soon(struct tcp_conn *c)
{
	struct tcp_state *ts = tcp_of(c->net);

	/* Duplicate ACKs for out-of-order data go at once, one per segment:
	 * a sender without SACK counts them to detect the loss. */
	if (!c->net->rx_deferring || ((c->flags & CONN_ACK_NOW) && c->ooo_head)) {
		tcp_output(c);
		return;
	}
	if (c->flags & CONN_OUTPUT_DEFERRED)
		return;
	c->flags |= CONN_OUTPUT_DEFERRED;
	tcp_conn_get(c);
	c->deferred_next = ts->deferred;
	ts->deferred = c;
}

void tcp_output_flush(struct keel_net *net)
{
	struct tcp_state *ts = tcp_of(net);

	while (ts && ts->deferred) {
		struct tcp_conn *c = ts->deferred;

		ts->deferred = c->deferred_next;
		c->deferred_next = NULL;
		c->flags &= ~(uint32_t)CONN_OUTPUT_DEFERRED;
		if (c->flags & CONN_LIVE)
			tcp_output(c);
		tcp_conn_put(c);
	}
}

void tcp_output_timer(struct tcp_conn *c)
{
	/* Data waits and nothing is in flight but perhaps a window probe
	 * (its one byte is all snd_max is past snd_una): only the persist
	 * timer will move it (a zero window, or one too small to use).
	 * Probes do not count as retransmissions. A probe byte still
	 * unacknowledged when the window opens to less than the SWS
	 * threshold changes nothing: the RTO cannot help, as there is
	 * nothing sent to resend and the window keeps new data back, while
	 * the persist timer sends what fits. Data really in flight (after a
	 * go-back-N timeout that could send nothing yet) stays with the RTO
	 * and its retry limit. */
	bool stalled = c->send_next && c->snd_nxt == c->snd_una &&
	               (c->snd_wnd == 0 || c->snd_max - c->snd_una <= 1);

	if (stalled) {
		if (!(c->flags & CONN_PERSIST) || c->rexmit_at == 0)
			tcp_timer_persist_start(c);
	} else if (c->snd_una != c->snd_max) {
		if (c->rexmit_at == 0 || (c->flags & CONN_PERSIST))
			tcp_timer_rexmit_start(c);
	} else if (c->rexmit_at) {
		tcp_timer_rexmit_stop(c);
	}
}
