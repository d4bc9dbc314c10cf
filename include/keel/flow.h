/*
 * keel/flow.h — the one byte-stream interface.
 *
 * A TCP connection of the direct stack (lib/net), a TCP connection of the
 * socket stack (lib/net-socket) and a TLS session over either are all
 * flows, so a protocol written against this header (the HTTP server, an
 * application) runs unchanged over each. A flow is a table of operations
 * as its first field; implementations embed `struct keel_flow` at the
 * start of their own connection struct.
 *
 * Blocking: every call that waits parks only the calling fiber, and takes
 * an absolute deadline on the monotonic clock (KEEL_FOREVER: none). Calls
 * MUST be made from a fiber. A flow is used by one fiber at a time per
 * direction: one reader and one writer may work concurrently.
 */
#ifndef KEEL_FLOW_H
#define KEEL_FLOW_H

#include <stdbool.h>
#include <stddef.h>

#include <keel/core.h>
#include <keel/err.h>

struct keel_flow;

struct keel_iovec {
	const void *base;
	size_t len;
};

enum keel_shutdown {
	KEEL_SHUT_RD = 1,   /* no more reads: later data is discarded */
	KEEL_SHUT_WR = 2,   /* no more writes: the peer sees end of stream */
	KEEL_SHUT_RDWR = 3,
};

enum keel_flow_opt {
	KEEL_FLOW_NODELAY = 1,   /* int: 1 disables Nagle's algorithm */
	KEEL_FLOW_KEEPALIVE = 2, /* int: seconds of idle before probes; 0 off */
	KEEL_FLOW_SNDBUF = 3,    /* int: bytes; read-only where fixed */
	KEEL_FLOW_RCVBUF = 4,    /* int: bytes; read-only where fixed */
};

struct keel_flow_ops {
	/* See keel_read(). */
	long (*read)(struct keel_flow *f, void *buf, size_t len, keel_time deadline);
	/* See keel_writev(). */
	long (*writev)(struct keel_flow *f, const struct keel_iovec *iov, size_t iovcnt,
		       keel_time deadline);
	/* See keel_shutdown(). */
	int (*shutdown)(struct keel_flow *f, enum keel_shutdown how);
	/* See keel_close(). */
	void (*close)(struct keel_flow *f);
	/* See keel_flow_set() / keel_flow_get(). May be NULL: KEEL_ENOTSUP. */
	int (*set)(struct keel_flow *f, enum keel_flow_opt opt, int value);
	int (*get)(struct keel_flow *f, enum keel_flow_opt opt, int *value);
	/* See keel_flow_write_static(). May be NULL: the flow then copies
	 * the bytes as writev() does. */
	long (*write_static)(struct keel_flow *f, const struct keel_iovec *head, size_t nhead,
	                     const void *data, size_t len, keel_time deadline);
	/* A one-line description of the endpoints ("10.0.0.2:80 <- 10.0.0.1:5012")
	 * for logs; writes at most `len` bytes, NUL-terminated. May be NULL. */
	void (*describe)(struct keel_flow *f, char *buf, size_t len);
};

struct keel_flow {
	const struct keel_flow_ops *ops;
};

/*
 * Reads up to `len` bytes. Returns the number read (> 0) as soon as any
 * are available; 0 at end of stream (the peer shut down writing);
 * KEEL_ETIMEDOUT when the deadline passed with nothing read; KEEL_ECONNRESET
 * when the peer reset the connection; KEEL_ECLOSED after a read shutdown.
 * May block.
 */
static inline long keel_read(struct keel_flow *f, void *buf, size_t len, keel_time deadline)
{
	return f->ops->read(f, buf, len, deadline);
}

/*
 * Writes the bytes of `iov[0..iovcnt)` in order. Blocks until all of them
 * are accepted by the flow (queued for sending; the flow owns its copy) or
 * the deadline passes or an error occurs. Returns the number of bytes
 * accepted: all of them, or fewer when the deadline or an error cut it
 * short after some were accepted; a negative error when none were
 * (KEEL_ETIMEDOUT, KEEL_ECONNRESET, KEEL_ECLOSED after a write shutdown).
 * May block.
 */
static inline long keel_writev(struct keel_flow *f, const struct keel_iovec *iov, size_t iovcnt,
			       keel_time deadline)
{
	return f->ops->writev(f, iov, iovcnt, deadline);
}

/* keel_writev() of one buffer. May block. */
static inline long keel_write(struct keel_flow *f, const void *buf, size_t len,
			      keel_time deadline)
{
	struct keel_iovec iov = {buf, len};

	return f->ops->writev(f, &iov, 1, deadline);
}

/* Most head pieces keel_flow_write_static() takes. */
#define KEEL_FLOW_STATIC_HEAD_MAX 7

/*
 * As keel_writev() of the `nhead` pieces at `head` (at most
 * KEEL_FLOW_STATIC_HEAD_MAX; copied as writev copies them) followed by
 * the `len` bytes at `data`, with the same return values, deadline and
 * errors (KEEL_EINVAL for too many head pieces). The difference is the
 * contract on `data`: the caller promises those bytes stay valid and
 * unchanged for as long as the network stack runs (data still queued is
 * sent after keel_close, and resent when lost) — in practice the image's
 * read-only data, such as a compiled-in site. The flow may then queue
 * references to them instead of a copy (the direct stack does, for all
 * but the bytes that complete a partly filled segment); other flows copy
 * them as keel_writev() does. Bytes a later call may change (a buffer
 * reused, heap memory freed) MUST go through keel_writev(). May block.
 */
static inline long keel_flow_write_static(struct keel_flow *f, const struct keel_iovec *head,
                                          size_t nhead, const void *data, size_t len,
                                          keel_time deadline)
{
	struct keel_iovec iov[KEEL_FLOW_STATIC_HEAD_MAX + 1];

	if (nhead > KEEL_FLOW_STATIC_HEAD_MAX)
		return KEEL_EINVAL;
	if (f->ops->write_static)
		return f->ops->write_static(f, head, nhead, data, len, deadline);
	for (size_t i = 0; i < nhead; i++)
		iov[i] = head[i];
	iov[nhead] = (struct keel_iovec){ data, len };
	return f->ops->writev(f, iov, nhead + 1, deadline);
}

/*
 * Shuts down one or both directions. A write shutdown sends end of stream
 * after the data already accepted. Does not block. Returns KEEL_OK or
 * KEEL_ENOTCONN.
 */
static inline int keel_shutdown(struct keel_flow *f, enum keel_shutdown how)
{
	return f->ops->shutdown(f, how);
}

/*
 * Releases the flow. Data already accepted is still delivered (a graceful
 * close) unless the flow was reset; unread received data makes a TCP flow
 * send RST, as RFC 9293 says. `f` is invalid afterwards. Wakes any fiber
 * blocked on it with KEEL_ECLOSED. Does not block.
 */
static inline void keel_close(struct keel_flow *f)
{
	f->ops->close(f);
}

static inline int keel_flow_set(struct keel_flow *f, enum keel_flow_opt opt, int value)
{
	return f->ops->set ? f->ops->set(f, opt, value) : KEEL_ENOTSUP;
}

static inline int keel_flow_get(struct keel_flow *f, enum keel_flow_opt opt, int *value)
{
	return f->ops->get ? f->ops->get(f, opt, value) : KEEL_ENOTSUP;
}

#endif
