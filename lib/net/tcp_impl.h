/*
 * tcp_impl.h — private to the TCP files of lib/net (tcp_*.c).
 *
 * Pieces and where they live
 *   tcp_conn.c        the connection table (keyed hash), allocation and
 *                     its bounds, reference counts, ISNs, TIME_WAIT list
 *   tcp_input.c       segment arrival: RFC 9293 3.10.7 with RFC 5961,
 *                     RFC 7323 (PAWS), RFC 6191 (TIME_WAIT reuse); the
 *                     short way for the pieces of a large segment
 *   tcp_listen.c      segments for a listener: SYN, SYN cookies, backlog
 *   tcp_recv.c        the receive side: in-order queue, out-of-order
 *                     queue, FIN, the advertised window (autotuned
 *                     buffer), delayed ACK
 *   tcp_output.c      what to send next (windows, Nagle, SWS), building
 *                     headers in place, RST and ACK segments
 *   tcp_options.c     parsing and writing TCP options
 *   tcp_timer.c       the one timer of a connection: RTO, tail loss
 *                     probe, persist, RACK's reordering timer, delayed
 *                     ACK, keepalive, TIME_WAIT, FIN_WAIT_2
 *   tcp_rtt.c         RFC 6298 round-trip estimation
 *   tcp_congestion.c  slow start with HyStart++ (RFC 9406), CUBIC (RFC
 *                     9438), RFC 5681 / RFC 6582 recovery, RFC 6928
 *                     initial window, send-buffer autotuning
 *   tcp_sack.c        RFC 2018 blocks we send, the sender's scoreboard,
 *                     loss detection (RACK of RFC 8985 with its reordering
 *                     timer and D-SACK, RFC 6675 IsLost) and what
 *                     recovery sends next
 *   tcp_cookie.c      RFC 4987 SYN cookies
 *   tcp_share.c       each connection's share of the packet pool: the
 *                     reserve, the share, data past the peer's window
 *   tcp_icmp.c        ICMP errors about our segments (RFC 5927 checks)
 *   tcp_siphash.c     SipHash-2-4, the keyed hash of ISNs, cookies, table
 *   tcp_api.c         keel_tcp_listen/accept/connect/listener_close/endpoints
 *   tcp_close.c       TCP's part of keel_net_close
 *   tcp_flow.c        the keel_flow operations of a connection
 *
 * Ownership of a connection: `refs` counts its holders — the stack while
 * the connection is in the table (state other than CLOSED), the
 * application from accept/connect until keel_close, every flow call while
 * it runs (it may park), and segment input and timers while they work on
 * it. It is freed when the count reaches zero, so a fiber woken by a
 * close or a reset never touches freed memory.
 *
 * Sequence space on the send side:
 *
 *       snd_una        snd_nxt              snd_max
 *    ----|================|====================|--------- (write_seq)
 *        acked below       next new byte        highest ever sent
 *
 * snd_nxt < snd_max only after a retransmission timeout without SACK
 * (go-back-N; with SACK the lost segments are resent in place) or while a
 * zero-window probe byte is out. The send queue holds the bytes
 * [snd_una, write_seq) in netbufs of at most one segment each;
 * `send_next` is the first buffer not yet sent, which starts at snd_nxt.
 */
#ifndef KEEL_NET_TCP_IMPL_H
#define KEEL_NET_TCP_IMPL_H

#include "net_impl.h"

/*
 * Images are built freestanding, where the compiler treats memcpy as an
 * ordinary call; the TCP files write __builtin_memcpy for the small
 * fixed-size copies of header fields so that they compile to moves.
 */

/* ---- Sequence numbers (modulo 2^32) -------------------------------------- */

static inline bool seq_lt(uint32_t a, uint32_t b)
{
	return (int32_t)(a - b) < 0;
}
static inline bool seq_leq(uint32_t a, uint32_t b)
{
	return (int32_t)(a - b) <= 0;
}
static inline bool seq_gt(uint32_t a, uint32_t b)
{
	return (int32_t)(a - b) > 0;
}
static inline bool seq_geq(uint32_t a, uint32_t b)
{
	return (int32_t)(a - b) >= 0;
}
static inline uint32_t seq_max(uint32_t a, uint32_t b)
{
	return seq_gt(a, b) ? a : b;
}
static inline uint32_t seq_min(uint32_t a, uint32_t b)
{
	return seq_lt(a, b) ? a : b;
}

/* ---- Header, flags, states ------------------------------------------------ */

#define TCP_HLEN 20
#define TCP_OPTS_MAX 40

enum tcp_flags {
	TCP_FIN = 0x01,
	TCP_SYN = 0x02,
	TCP_RST = 0x04,
	TCP_PSH = 0x08,
	TCP_ACK = 0x10,
	TCP_URG = 0x20,
};

enum tcp_st {
	TCP_CLOSED = 0,
	TCP_SYN_SENT,
	TCP_SYN_RECEIVED,
	TCP_ESTABLISHED,
	TCP_FIN_WAIT_1,
	TCP_FIN_WAIT_2,
	TCP_CLOSE_WAIT,
	TCP_CLOSING,
	TCP_LAST_ACK,
	TCP_TIME_WAIT,
};

const char *tcp_state_name(enum tcp_st st);

/* ---- Tunables -------------------------------------------------------------- */

#define TCP_DEFAULT_MAX_CONNS 1024
#define TCP_DEFAULT_SYN_BACKLOG 128
#define TCP_DEFAULT_TIME_WAIT_MS 2000
#define TCP_DEFAULT_ACCEPT_BACKLOG 128
#define TCP_DEFAULT_SNDBUF (128 * 1024)
#define TCP_DEFAULT_RCVBUF (128 * 1024)
#define TCP_MIN_BUF (4 * 1024)
#define TCP_MAX_BUF (4 * 1024 * 1024)
#define TCP_MIN_MSS 536     /* the smallest send MSS we agree to */
#define TCP_DEFAULT_MSS 536 /* when the peer sends no MSS option (RFC 9293) */
#define TCP_INIT_RTO (1 * KEEL_SEC)
#define TCP_MIN_RTO (200 * KEEL_MSEC)
#define TCP_MAX_RTO (60 * KEEL_SEC)
#define TCP_DELACK_TIME (40 * KEEL_MSEC)
#define TCP_SYN_RETRIES 6
#define TCP_SYNACK_RETRIES 5
#define TCP_DATA_RETRIES 12
#define TCP_FIN_WAIT_2_TIME (30 * KEEL_SEC)
#define TCP_KEEPALIVE_PROBES 9
#define TCP_KEEPALIVE_INTVL_MAX 75 /* seconds */
#define TCP_CHALLENGE_ACKS_PER_SEC 10
#define TCP_PAWS_IDLE (24ull * 24 * 3600 * KEEL_SEC) /* RFC 7323 5.5 */
/* The pool's reserve (tcp_share.c): an eighth of it, at least this. */
#define TCP_POOL_RESERVE_MIN 16
/* Buffers a connection may always hold, however full the pool. */
#define TCP_SHARE_MIN 4
/* Buffers of written data queued past the right edge of the peer's
 * receive window: a TCP_NOTSENT_DIV-th of the pool's free part above the
 * reserve, at least TCP_NOTSENT_MIN (a peer that stops reading pins no
 * more). */
#define TCP_NOTSENT_MIN 8
#define TCP_NOTSENT_DIV 32

/* ---- Options (tcp_options.c) ---------------------------------------------- */

#define TCP_SACK_BLOCKS_MAX 4

struct tcp_opts {
	bool has_mss, has_wscale, sack_ok, has_ts;
	uint8_t wscale;
	uint8_t nsack;
	uint16_t mss;
	uint32_t ts_val, ts_ecr;
	uint32_t sack[TCP_SACK_BLOCKS_MAX][2]; /* [left, right) */
};

/*
 * Parses the option bytes p[0..len). KEEL_EINVAL when the list is malformed
 * (an option runs past the header, a length below 2): the segment is then
 * dropped. An option of a known kind with the wrong length is ignored, as
 * is every unknown kind. MSS, window scale and SACK-permitted count only
 * on SYN segments (`syn`).
 */
int tcp_options_parse(const uint8_t *p, size_t len, bool syn, struct tcp_opts *o);

/* What goes into the options of a segment we send. */
struct tcp_opts_out {
	bool syn; /* MSS, window scale, SACK-permitted as negotiated */
	bool ws, sack_perm, ts;
	uint8_t wscale;
	uint16_t mss;
	uint32_t ts_val, ts_ecr;
	uint8_t nsack;
	uint32_t sack[TCP_SACK_BLOCKS_MAX][2];
};

/* Writes the options (padded to a multiple of 4) to p (room TCP_OPTS_MAX);
 * returns their length. SACK blocks are cut to what fits. */
size_t tcp_options_write(uint8_t *p, const struct tcp_opts_out *o);

/* ---- A received segment, parsed once ---------------------------------------- */

struct tcp_seg {
	uint32_t src_be, dst_be;
	uint16_t sport_be, dport_be;
	uint32_t seq, ack;
	uint32_t wnd; /* the raw 16-bit field */
	uint8_t flags;
	uint32_t len; /* payload bytes (nb->data .. nb->len after the pull) */
	struct tcp_opts opt;
};

/* SEG.LEN of RFC 9293: payload plus one for each of SYN and FIN. */
static inline uint32_t tcp_seg_seqlen(const struct tcp_seg *s)
{
	return s->len + ((s->flags & TCP_SYN) ? 1 : 0) + ((s->flags & TCP_FIN) ? 1 : 0);
}

/* ---- Per-buffer metadata (in netbuf.cb while TCP holds the buffer) ---------- */

enum tcp_txcb_flags {
	TXCB_SACKED = 1 << 0,       /* covered by a SACK block */
	TXCB_RETRANS = 1 << 1,      /* retransmitted during the current recovery */
	TXCB_EVER_RETRANS = 1 << 2, /* ever sent twice (Karn: no RTT sample) */
};

/*
 * A send-queue buffer: payload bytes [seq, seq + len) at buf + off, or,
 * when `ext` is set, at ext: memory outside the pool that the application
 * promised stays valid and unchanged (keel_flow_write_static). Such a
 * buffer holds no payload of its own, only room for the headers, which
 * are built at buf + off; the payload goes to the device as a second
 * piece of the frame.
 */
struct tcp_txcb {
	uint32_t seq;
	uint16_t off;
	uint16_t len;
	uint8_t flags;
	uint8_t pad_[7];
	keel_time sent_at; /* last transmission */
	const uint8_t *ext;
};

_Static_assert(sizeof(struct tcp_txcb) <= NETBUF_CB_SIZE, "tcp_txcb must fit netbuf.cb");

/* A receive-queue buffer: payload bytes [seq, seq + nb->len) at nb->data;
 * `fin` marks an out-of-order segment that carried FIN. */
struct tcp_rxcb {
	uint32_t seq;
	bool fin;
};

static inline struct tcp_txcb *txcb(struct netbuf *nb)
{
	return (struct tcp_txcb *)(void *)nb->cb;
}
/* Where the payload of send-queue buffer nb starts. */
static inline const uint8_t *tx_payload(struct netbuf *nb)
{
	const struct tcp_txcb *cb = txcb(nb);

	return cb->ext ? cb->ext : nb->buf + cb->off;
}
static inline struct tcp_rxcb *rxcb(struct netbuf *nb)
{
	return (struct tcp_rxcb *)(void *)nb->cb;
}

/* ---- Small intrusive list (a head is linked to itself when empty) --------- */

static inline void tcp_list_init(struct keel_list *h)
{
	h->next = h->prev = h;
}
static inline bool tcp_list_empty(const struct keel_list *h)
{
	return h->next == h;
}
static inline void tcp_list_add_tail(struct keel_list *h, struct keel_list *n)
{
	n->prev = h->prev;
	n->next = h;
	h->prev->next = n;
	h->prev = n;
}
static inline void tcp_list_del(struct keel_list *n)
{
	n->prev->next = n->next;
	n->next->prev = n->prev;
	n->next = n->prev = n;
}
#define tcp_list_entry(node, type, member) ((type *)(void *)((char *)(node)-offsetof(type, member)))

/* ---- A listener (the opaque struct keel_listener of net.h) ---------------- */

struct keel_listener {
	struct keel_net *net;
	struct keel_listener *next; /* in tcp_state.listeners */
	uint32_t addr_be;           /* 0: any */
	uint16_t port_be;
	bool closed;
	uint32_t refs;    /* the application + parked accepters */
	uint32_t backlog; /* bound of accept_q */
	uint32_t accept_len;
	struct keel_list syn_q;    /* SYN_RECEIVED connections (qlink) */
	struct keel_list accept_q; /* established, not yet accepted (qlink) */
	struct keel_waitq accept_wait;
};

/* ---- A connection ----------------------------------------------------------- */

enum tcp_conn_flags {
	CONN_APP_OWNED = 1 << 0,  /* handed to the application, not yet closed */
	CONN_APP_CLOSED = 1 << 1, /* keel_close done: nobody reads any more */
	CONN_RD_SHUT = 1 << 2,    /* no more reads: incoming data is dropped */
	CONN_WR_SHUT = 1 << 3,    /* no more writes; FIN queued at write_seq */
	CONN_FIN_RCVD = 1 << 4,   /* the peer's FIN is in sequence */
	CONN_PASSIVE = 1 << 5,    /* opened by a listener */
	CONN_ACK_NOW = 1 << 6,    /* an ACK must go out at the next output */
	CONN_IN_RECOVERY = 1 << 7,
	CONN_PERSIST = 1 << 8, /* the retransmit deadline is the persist timer */
	CONN_IN_TW_LIST = 1 << 9,
	CONN_ACCEPTED = 1 << 10, /* in a listener's accept queue */
	CONN_LIVE = 1 << 12,     /* in the table, counted, holding the stack's ref */
	CONN_HASHED = 1 << 13,
	CONN_RTO_RECOVERY = 1 << 14,    /* the recovery began with a timeout */
	CONN_TLP = 1 << 15,             /* the retransmit deadline is a tail loss probe */
	CONN_TLP_SENT = 1 << 16,        /* a probe went; none again until an ACK */
	CONN_OUTPUT_DEFERRED = 1 << 17, /* in tcp_state.deferred: output after this read */
	CONN_SNDBUF_SET = 1 << 18,      /* the application chose sndbuf: no autotuning */
	CONN_RCVBUF_SET = 1 << 19,      /* the application chose rcvbuf: no autotuning */
};

struct tcp_conn {
	struct keel_flow flow; /* first: a connection is a flow */
	struct keel_net *net;
	struct tcp_conn *hash_next;
	struct tcp_conn *deferred_next; /* in tcp_state.deferred */
	struct keel_list qlink;         /* listener's syn_q / accept_q, or the TIME_WAIT list */
	struct keel_listener *listener; /* while in syn_q or accept_q */

	uint32_t local_ip_be, remote_ip_be;
	uint16_t local_port_be, remote_port_be;
	enum tcp_st state;
	uint32_t flags; /* enum tcp_conn_flags */
	uint32_t refs;
	int error; /* what the application sees once it is set */

	/* Send sequence space */
	uint32_t iss, snd_una, snd_nxt, snd_max, write_seq;
	uint32_t snd_wnd;     /* peer's window, scaled */
	uint32_t max_snd_wnd; /* largest window the peer ever offered */
	uint32_t snd_wl1, snd_wl2;
	uint16_t mss;      /* payload bytes per segment we send */
	uint16_t peer_mss; /* what the peer announced (or 536) */
	uint16_t rcv_mss;  /* payload bytes we announced (MTU - 40) */
	uint8_t snd_wscale, rcv_wscale;
	bool ws_ok, sack_ok, ts_ok;

	/* Receive sequence space */
	uint32_t irs, rcv_nxt;
	uint32_t rcv_adv; /* right edge of the window we advertised */
	uint32_t last_ack_sent;

	/* Timestamps (RFC 7323) */
	uint32_t ts_recent;
	keel_time ts_recent_at;
	uint32_t ts_offset; /* per-connection offset of our TSval clock */

	/* RTT and retransmission (RFC 6298) */
	keel_time srtt, rttvar, rto; /* ns; srtt 0: no sample yet */
	uint8_t backoff;             /* exponential backoff shift of the RTO */
	uint8_t retries;             /* consecutive timeouts */
	uint8_t keepalive_sent;
	uint8_t dupacks;
	keel_time rtt_start; /* when the first SYN went (handshake RTT) */

	/* Congestion control (RFC 5681, RFC 6582, CUBIC of RFC 9438 and the
	 * slow-start exit of HyStart++, RFC 9406: tcp_congestion.c) */
	uint32_t cwnd, ssthresh, recover;
	uint32_t bytes_acked;              /* congestion avoidance accumulator */
	uint32_t w_max;                    /* CUBIC: cwnd before the last reduction */
	uint32_t w_est;                    /* CUBIC: the Reno-friendly estimate */
	uint32_t cubic_k;                  /* CUBIC: K, in 1/1024 s */
	keel_time epoch;                   /* CUBIC: start of this congestion avoidance (0: none) */
	uint32_t hs_round_end;             /* HyStart++: the round ends when this is acked */
	keel_time hs_last_min, hs_cur_min; /* HyStart++: min RTT of the last and this round */
	uint8_t hs_samples;                /* HyStart++: RTT samples in this round */

	/* SACK scoreboard (sender side) */
	uint32_t sacked_bytes, high_sacked;
	/* RACK loss detection (RFC 8985, tcp_sack.c): the send time and end
	 * of the most recently sent segment known to have arrived, and its
	 * round trip; what was sent before it and is not in after that round
	 * trip plus the reordering window is lost. */
	keel_time rack_sent;
	uint32_t rack_end;
	keel_time rack_rtt;
	keel_time rack_at;       /* the reordering timer: look again then (0: off) */
	bool rack_reordering;    /* the peer has seen segments out of order */
	uint8_t reo_wnd_mult;    /* reordering window in quarters of min_rtt */
	uint8_t reo_wnd_persist; /* recoveries left before the window shrinks back */
	keel_time min_rtt;
	keel_time lost_before; /* set by a timeout: all sent before it is lost */
	/* Most recent out-of-order arrival (first SACK block we report). */
	uint32_t sack_last;

	/* Send queue: [snd_una, write_seq) */
	struct netbuf *sndq_head, *sndq_tail, *send_next;
	uint32_t sndq_bytes;
	uint32_t sndq_segs; /* buffers in the send queue */
	uint32_t sndbuf;

	/* Receive queues */
	struct netbuf *rcvq_head, *rcvq_tail; /* in order, not yet read */
	uint32_t rcvq_bytes, rcvq_segs;
	struct netbuf *ooo_head; /* out of order, sorted by seq */
	uint32_t ooo_bytes, ooo_segs;
	uint32_t rcvbuf;
	uint8_t segs_unacked; /* full segments received since our last ACK */
	/* Receive-buffer autotuning (tcp_recv.c): rcv_nxt and the time at
	 * the start of the current round trip of measurement. */
	uint32_t rcv_tune_seq;
	keel_time rcv_tune_at;

	/* Options set by the application */
	bool nodelay;
	uint32_t keepalive_s;

	/* Challenge ACK rate limit (RFC 5961 7) */
	keel_time chack_window;
	uint32_t chack_count;

	/* The connection's one timer and the deadlines it serves (0: off). */
	struct keel_timer timer;
	keel_time rexmit_at; /* RTO, or persist when CONN_PERSIST */
	keel_time delack_at;
	keel_time keepalive_at;
	keel_time close_at; /* TIME_WAIT / orphaned FIN_WAIT_2 end */
	keel_time last_rcv; /* for keepalive idleness */

	/* Fibers parked on this connection */
	struct keel_waitq rd_wait, wr_wait, conn_wait;
};

/* ---- Stack-wide TCP state ---------------------------------------------------- */

struct tcp_state {
	struct keel_net *net;
	struct tcp_conn **buckets;
	uint32_t nbuckets; /* a power of two */
	/* The connection tcp_conn_lookup found last (NULL: none): segments
	 * come in runs for one connection (a large received segment is cut
	 * into tens), and the table's keyed hash costs more than the rest of
	 * the lookup. Cleared when that connection leaves the table. */
	struct tcp_conn *last_found;
	struct keel_listener *listeners;
	uint32_t nconns;   /* connections in the table */
	uint32_t nsynrecv; /* of which in SYN_RECEIVED */
	uint32_t max_conns, max_syn_backlog;
	keel_time time_wait;
	struct keel_list time_wait_q; /* TIME_WAIT connections, oldest first */
	uint64_t hash_key[2], isn_key[2], cookie_key[2];
	uint16_t next_port;         /* ephemeral port search start */
	keel_time cookies_until;    /* accept cookie ACKs until then */
	struct keel_waitq buf_wait; /* writers waiting for pool buffers */
	/* Connections whose output waits for the end of the current read
	 * (net->rx_deferring), each holding a reference. */
	struct tcp_conn *deferred;
	uint64_t ooo_dropped;    /* out-of-order segments over the bound */
	uint64_t timeouts;       /* retransmission timeouts */
	uint64_t recoveries;     /* fast retransmit / recovery episodes */
	uint64_t tail_probes;    /* tail loss probes sent */
	uint64_t rcv_collapsed;  /* small segments merged into a queued buffer */
	uint64_t rcv_fast;       /* pieces of large segments taken the short way */
	/* Every piece of a large segment goes the full way (tcp_input_pieces
	 * takes none): the tests compare the two ways with it. */
	bool rcv_fast_off;
	uint32_t mem_conns_peak; /* most connections ever at once */
};

static inline struct tcp_state *tcp_of(struct keel_net *net)
{
	return net->tcp;
}

/* ---- tcp_siphash.c ---------------------------------------------------------- */

/* SipHash-2-4 of `len` bytes with the 128-bit key k. */
uint64_t tcp_siphash(const uint64_t k[2], const void *data, size_t len);

/* ---- tcp_conn.c -------------------------------------------------------------- */

struct tcp_conn *tcp_conn_lookup(struct tcp_state *ts, uint32_t local_ip_be, uint16_t local_port_be,
                                 uint32_t remote_ip_be, uint16_t remote_port_be);
/* A new connection (state CLOSED, refs 1 for the stack, not yet hashed)
 * or NULL: KEEL_ENOMEM in *err when the bound or the heap says no. */
struct tcp_conn *tcp_conn_alloc(struct keel_net *net, int *err);
void tcp_conn_hash(struct tcp_conn *c);
void tcp_conn_get(struct tcp_conn *c);
void tcp_conn_put(struct tcp_conn *c);
/* Ends the connection: CLOSED, out of the table, queues freed, waiters
 * woken; `err` (0 or negative) is what the application sees next. */
void tcp_conn_drop(struct tcp_conn *c, int err);
/* Sends RST (when the state calls for one) and drops with err. */
void tcp_conn_abort(struct tcp_conn *c, int err);
void tcp_conn_set_state(struct tcp_conn *c, enum tcp_st st);
/* Enters TIME_WAIT (or restarts its clock). */
void tcp_conn_time_wait(struct tcp_conn *c);
/* Frees the oldest TIME_WAIT connection to make room; false when none. */
bool tcp_conn_recycle_time_wait(struct tcp_state *ts);
uint32_t tcp_isn(struct tcp_state *ts, uint32_t lip, uint16_t lport, uint32_t rip, uint16_t rport);
/* Sets buffer sizes, MSS and window scale for a new connection. */
void tcp_conn_init_params(struct tcp_conn *c);
/* Applies the options of the peer's SYN (and ours) once both are known. */
void tcp_conn_negotiate(struct tcp_conn *c, const struct tcp_opts *syn_opts);
/* Frees every buffer of the send, receive and out-of-order queues. */
void tcp_conn_free_queues(struct tcp_conn *c);
uint32_t tcp_ts_now(const struct tcp_conn *c);
uint32_t tcp_ts_at(const struct tcp_conn *c, keel_time t);
/* The smallest window scale that lets a 16-bit window cover `bytes`. */
uint8_t tcp_wscale_for(uint32_t bytes);

/* ---- tcp_input.c / tcp_listen.c ---------------------------------------------- */

void tcp_conn_input(struct tcp_conn *c, struct netbuf *nb, struct tcp_seg *seg);
/* A segment for listener l with no connection of its own. `isn_floor`
 * (or NULL): the ISN must lie above it (a TIME_WAIT connection reused). */
void tcp_listen_input(struct keel_listener *l, struct netbuf *nb, struct tcp_seg *seg,
                      const uint32_t *isn_floor);
/* Moves a SYN_RECEIVED connection of a listener to its accept queue. */
void tcp_listen_established(struct tcp_conn *c);
/* Takes a connection out of its listener's queues. */
void tcp_listen_unlink(struct tcp_conn *c);
struct keel_listener *tcp_listener_lookup(struct tcp_state *ts, uint32_t addr_be, uint16_t port_be);
void tcp_listener_put(struct keel_listener *l);

/* ---- tcp_recv.c --------------------------------------------------------------- */

/* Takes the payload (and FIN) of an acceptable, trimmed segment. Consumes nb. */
void tcp_recv_data(struct tcp_conn *c, struct netbuf *nb, struct tcp_seg *seg);
/* The window to put in a segment now (raw field) and the edge it means. */
uint16_t tcp_rcv_window_field(struct tcp_conn *c);
/* Whether reading made the window grow enough to tell the peer. */
bool tcp_rcv_window_update_due(struct tcp_conn *c);
/* Copies up to len queued bytes to buf, freeing consumed buffers. */
size_t tcp_recv_copy(struct tcp_conn *c, uint8_t *buf, size_t len);

/* ---- tcp_output.c -------------------------------------------------------------- */

/* Sends whatever the windows, Nagle and pending ACKs allow. */
void tcp_output(struct tcp_conn *c);
/* tcp_output() now, or, while a run of received frames is taken in
 * (net->rx_deferring), once after the last of them. */
void tcp_output_soon(struct tcp_conn *c);
/* Arms the retransmission or persist timer as the send state needs. */
void tcp_output_timer(struct tcp_conn *c);
/* Sends one segment of the send queue again (fast retransmit, holes). */
void tcp_retransmit_buf(struct tcp_conn *c, struct netbuf *b);
/* SYN or SYN-ACK by state; (re)starts the retransmission timer. Returns
 * what ipv4_output said (KEEL_EHOSTUNREACH: no route). */
int tcp_send_syn(struct tcp_conn *c);
void tcp_send_ack(struct tcp_conn *c);
void tcp_send_rst_conn(struct tcp_conn *c);
/* A challenge ACK (RFC 5961), rate-limited per connection. */
void tcp_send_challenge_ack(struct tcp_conn *c);
/* A tail loss probe (RFC 8985 7): the last segment sent, again. */
void tcp_send_tail_probe(struct tcp_conn *c);
/* A keepalive probe or zero-window probe. */
void tcp_send_keepalive(struct tcp_conn *c);
void tcp_send_window_probe(struct tcp_conn *c);
/* RST in answer to a segment no connection takes (RFC 9293 3.10.7.1). */
void tcp_send_rst_reply(struct keel_net *net, const struct tcp_seg *seg);
/* A SYN-ACK with a cookie ISN; nothing is kept. */
void tcp_send_cookie_synack(struct keel_net *net, const struct tcp_seg *seg, uint32_t isn,
                            uint16_t mss, const struct tcp_opts *peer, uint8_t rcv_wscale);
/* Builds the 20-byte header plus options in front of nb->data and sends
 * it; used by the paths above. Consumes nb. */
int tcp_xmit(struct keel_net *net, struct netbuf *nb, uint32_t src_be, uint32_t dst_be,
             uint16_t sport_be, uint16_t dport_be, uint32_t seq, uint32_t ack, uint8_t flags,
             uint16_t wnd, const struct tcp_opts_out *opts);
/* Prepends the TCP header (20 bytes plus options, checksum zero) to nb. */
int tcp_build_header(struct keel_net *net, struct netbuf *nb, uint16_t sport_be, uint16_t dport_be,
                     uint32_t seq, uint32_t ack, uint8_t flags, uint16_t wnd,
                     const struct tcp_opts_out *opts);
/* The TCP checksum field of the segment in nb plus `more` payload bytes
 * that follow elsewhere: at `more_data` when not NULL (summed here unless
 * the device finishes the sum), else only with the device's help. */
void tcp_set_csum(struct keel_net *net, struct netbuf *nb, uint32_t src_be, uint32_t dst_be,
                  const void *more_data, size_t more);
/* Splits send-queue buffer b after `keep` bytes (the smaller part is copied
 * to a fresh buffer; for a buffer of outside memory only the reference
 * is). Returns the buffer holding the first `keep` bytes,
 * or NULL when the pool is empty. */
struct netbuf *tcp_split_buf(struct tcp_conn *c, struct netbuf *b, uint32_t keep);
/* Fills the options of a non-SYN segment of c with `payload` bytes;
 * true when SACK blocks did not all fit. */
bool tcp_fill_opts(struct tcp_conn *c, struct tcp_opts_out *o, uint32_t payload, keel_time now);

/* ---- tcp_timer.c ----------------------------------------------------------------- */

void tcp_timer_init(struct tcp_conn *c);
/* Re-arms the connection timer for the earliest of its deadlines. */
void tcp_timer_update(struct tcp_conn *c);
/* (Re)starts the RTO, or a tail loss probe ahead of it when one may go. */
void tcp_timer_rexmit_start(struct tcp_conn *c);
void tcp_timer_rexmit_stop(struct tcp_conn *c);
void tcp_timer_persist_start(struct tcp_conn *c);
void tcp_timer_delack(struct tcp_conn *c);
void tcp_timer_keepalive_reset(struct tcp_conn *c);

/* ---- tcp_rtt.c --------------------------------------------------------------------- */

void tcp_rtt_sample(struct tcp_conn *c, keel_time rtt);
keel_time tcp_rto_current(const struct tcp_conn *c); /* with backoff, clamped */

/* ---- tcp_congestion.c ----------------------------------------------------------------- */

void tcp_cc_init(struct tcp_conn *c);
/* snd_una moved forward to `ack` by `acked` bytes (called after snd_una
 * moved). */
void tcp_cc_ack(struct tcp_conn *c, uint32_t ack, uint32_t acked);
/* A duplicate ACK (RFC 5681 definition). */
void tcp_cc_dupack(struct tcp_conn *c);
/* After an ACK or at the reordering timer: recovery begins if RACK now
 * finds the first unacknowledged segment lost. */
void tcp_cc_rack_timeout(struct tcp_conn *c);
/* An RTT sample from an ACK of new data (HyStart++). */
void tcp_cc_rtt(struct tcp_conn *c, keel_time rtt);
/* The cube root of x, rounded down (CUBIC's K). */
uint32_t tcp_cc_cbrt(uint64_t x);
/* CUBIC's window W(t) of RFC 9438 4.2, in bytes, t in 1/1024 s since the
 * epoch began. */
uint32_t tcp_cc_cubic_window(const struct tcp_conn *c, uint64_t t);
void tcp_cc_timeout(struct tcp_conn *c);
uint32_t tcp_flight(const struct tcp_conn *c);

/* ---- tcp_sack.c ------------------------------------------------------------------------- */

/* Marks send-queue buffers covered by the SACK blocks of an ACK (its
 * cumulative ACK `ack` tells a D-SACK block). Returns
 * the latest send time of newly SACKed bytes sent only once (an RTT
 * sample), or 0. */
keel_time tcp_sack_update(struct tcp_conn *c, const struct tcp_opts *o, uint32_t ack);
void tcp_sack_clear(struct tcp_conn *c);
/* A send-queue buffer was delivered (SACKed or acknowledged); called
 * before high_sacked takes it into account. */
void tcp_rack_delivered(struct tcp_conn *c, const struct tcp_txcb *cb, keel_time now);
/* The reordering window of RFC 8985 6.2 now. */
keel_time tcp_rack_reo_wnd(const struct tcp_conn *c);
/* Re-arms (or stops) the reordering timer: the earliest time a buffer
 * sent before the last delivered one becomes lost if still not in. */
void tcp_rack_timer_update(struct tcp_conn *c);
/* A D-SACK block (RFC 2883) reported a spurious retransmission: widen
 * the reordering window (RFC 8985 6.2 step 4). */
void tcp_rack_dsack(struct tcp_conn *c);
/*
 * What recovery sends next (RFC 6675 5), kept up to date while it sends,
 * so that one round of output walks the flight about once instead of
 * twice per segment sent. The clock is read once, at the start: what
 * turns lost while the round runs is found at the next ACK or by the
 * reordering timer.
 */
struct tcp_sack_scan {
	keel_time now, reo_wnd;
	uint32_t pipe;        /* RFC 6675 pipe: bytes thought to be in the network */
	uint32_t segs;        /* c->sndq_segs when positions were taken */
	struct netbuf *end;   /* the first buffer past the flight (at snd_nxt) */
	uint32_t end_sacked;  /* SACKed bytes below `end` */
	struct netbuf *hole;  /* where the search for the next hole goes on */
	uint32_t hole_sacked; /* SACKed bytes below `hole` */
};
void tcp_sack_scan_start(struct tcp_conn *c, struct tcp_sack_scan *s);
/* The next hole to retransmit, or NULL. */
struct netbuf *tcp_sack_scan_hole(struct tcp_conn *c, struct tcp_sack_scan *s);
/* After the hole (or, with NULL, new data) was sent. False: the hole
 * still counts as lost, so sending more now would only repeat it. */
bool tcp_sack_scan_sent(struct tcp_conn *c, struct tcp_sack_scan *s, struct netbuf *hole);
/* Whether the first unacknowledged segment is lost (RFC 6675 IsLost, or
 * sent well before something that arrived). */
bool tcp_sack_head_lost(struct tcp_conn *c);
/* After a timeout: everything outstanding and not SACKed is lost. */
void tcp_sack_timeout(struct tcp_conn *c);
/* Fills up to max blocks describing the out-of-order queue. */
uint8_t tcp_sack_blocks(struct tcp_conn *c, uint32_t blocks[][2], uint8_t max);

/* ---- tcp_cookie.c ---------------------------------------------------------------------- */

/* The ISN of a cookie SYN-ACK for seg; *mss_out the MSS encoded. */
uint32_t tcp_cookie_make(struct tcp_state *ts, const struct tcp_seg *seg, uint16_t mss,
                         uint8_t peer_wscale, bool sack_ok, uint16_t *mss_out);
/* Checks the cookie acknowledged by seg (an ACK to a listener). On success
 * fills mss, wscale (0xff: none) and sack. */
bool tcp_cookie_check(struct tcp_state *ts, const struct tcp_seg *seg, uint16_t *mss,
                      uint8_t *wscale, bool *sack_ok);

#define TCP_COOKIE_PERIOD (64 * KEEL_SEC)
/* The window scale a cookie SYN-ACK offers (that of the default buffer). */
uint8_t tcp_cookie_wscale(void);

/* ---- tcp_share.c ------------------------------------------------------------------------ */

/* Free buffers TCP queues never take (rule 1 of tcp_share.c). */
uint32_t tcp_share_reserve(const struct keel_net *net);
/* Buffers c holds in its send, receive and out-of-order queues. */
uint32_t tcp_share_held(const struct tcp_conn *c);
/* Whether c may take one more buffer from the pool for data it sends. */
bool tcp_share_may_send(const struct tcp_conn *c);
/* Whether c may keep (queue) a received segment's buffer, already taken
 * from the pool by the device; `in_order`: the segment is at rcv_nxt. */
bool tcp_share_may_keep(const struct tcp_conn *c, bool in_order);
/* Buffers of written data c may queue past the right edge of the peer's
 * window now (rule 3 of tcp_share.c). */
uint32_t tcp_share_past_window(const struct tcp_conn *c);
/* Whether written data reaches that bound: writers then wait for the
 * window. */
bool tcp_share_window_full(const struct tcp_conn *c);
/* The most a send or receive buffer grows to by itself (autotuning):
 * what a quarter of the pool holds, at most TCP_MAX_BUF. Larger
 * buffers would let one direction's queue crowd out the other's. */
uint32_t tcp_share_autotune_max(const struct tcp_conn *c);

/* ---- tcp_flow.c ------------------------------------------------------------------------ */

extern const struct keel_flow_ops tcp_flow_ops;
/* Wakes readers, writers and connecters of c. */
void tcp_wake_all(struct tcp_conn *c);

#endif
