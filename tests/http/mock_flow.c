/*
 * The in-memory flow of the HTTP tests (see mock_flow.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <keel/core.h>

#include "mock_flow.h"

static struct mock_flow *of(struct keel_flow *f)
{
	return (struct mock_flow *)(void *)f;
}

/* Sleeps in mock time until `until` or `deadline`; false when the
 * deadline came first. */
static bool wait_until(keel_time until, keel_time deadline)
{
	if (deadline <= until) {
		if (deadline != KEEL_FOREVER)
			keel_sleep_until(deadline);
		return false;
	}
	keel_sleep_until(until);
	return true;
}

static long mock_read(struct keel_flow *f, void *buf, size_t len, keel_time deadline)
{
	struct mock_flow *m = of(f);
	size_t n = m->in_len - m->in_pos;

	m->reads++;
	if (m->closed)
		return KEEL_ECLOSED;
	if (n == 0) {
		if (!m->hold_open || deadline == KEEL_FOREVER)
			return 0;
		keel_sleep_until(deadline);
		return KEEL_ETIMEDOUT;
	}
	if (m->delay && !wait_until(keel_now() + m->delay, deadline))
		return KEEL_ETIMEDOUT;
	if (m->chunk_i < m->nchunks) {
		if (m->chunks[m->chunk_i] < n)
			n = m->chunks[m->chunk_i];
		m->chunk_i++;
	} else if (m->max_read && m->max_read < n) {
		n = m->max_read;
	}
	if (n > len)
		n = len;
	memcpy(buf, m->in + m->in_pos, n);
	m->in_pos += n;
	return (long)n;
}

static long mock_writev(struct keel_flow *f, const struct keel_iovec *iov, size_t iovcnt,
                        keel_time deadline)
{
	struct mock_flow *m = of(f);
	size_t total = 0;

	m->writevs++;
	if (m->closed || m->shut_wr)
		return KEEL_ECLOSED;
	for (size_t i = 0; i < iovcnt; i++)
		total += iov[i].len;
	if (m->write_limit && m->out_len + total > m->write_limit) {
		if (deadline != KEEL_FOREVER)
			keel_sleep_until(deadline);
		return KEEL_ETIMEDOUT;
	}
	if (m->out_len + total + 1 > m->out_cap) {
		size_t cap = m->out_cap ? m->out_cap : 4096;

		while (cap < m->out_len + total + 1)
			cap *= 2;
		m->out = realloc(m->out, cap);
		if (!m->out) {
			fprintf(stderr, "mock flow: out of memory\n");
			abort();
		}
		m->out_cap = cap;
	}
	for (size_t i = 0; i < iovcnt; i++) {
		memcpy(m->out + m->out_len, iov[i].base, iov[i].len);
		m->out_len += iov[i].len;
	}
	m->out[m->out_len] = 0;
	return (long)total;
}

static long mock_write_static(struct keel_flow *f, const struct keel_iovec *head, size_t nhead,
                              const void *data, size_t len, keel_time deadline)
{
	struct mock_flow *m = of(f);
	struct keel_iovec iov[KEEL_FLOW_STATIC_HEAD_MAX + 1];

	if (nhead > KEEL_FLOW_STATIC_HEAD_MAX)
		return KEEL_EINVAL;
	m->static_writes++;
	m->static_data = data;
	m->static_len = len;
	for (size_t i = 0; i < nhead; i++)
		iov[i] = head[i];
	iov[nhead] = (struct keel_iovec){ data, len };
	return mock_writev(f, iov, nhead + 1, deadline);
}

static int mock_shutdown(struct keel_flow *f, enum keel_shutdown how)
{
	if (how & KEEL_SHUT_WR)
		of(f)->shut_wr = true;
	return KEEL_OK;
}

static void mock_close(struct keel_flow *f)
{
	of(f)->closed = true;
}

static void mock_describe(struct keel_flow *f, char *buf, size_t len)
{
	of(f)->describe_calls++;
	snprintf(buf, len, "mock <- peer:1234");
}

static int mock_set(struct keel_flow *f, enum keel_flow_opt opt, int value)
{
	if (opt != KEEL_FLOW_SNDBUF)
		return KEEL_ENOTSUP;
	of(f)->sndbuf = value;
	return KEEL_OK;
}

static const struct keel_flow_ops mock_ops = {
	.read = mock_read,
	.writev = mock_writev,
	.write_static = mock_write_static,
	.shutdown = mock_shutdown,
	.close = mock_close,
	.describe = mock_describe,
	.set = mock_set,
};

void mock_flow_init(struct mock_flow *m, const char *in, size_t len)
{
	memset(m, 0, sizeof(*m));
	m->flow.ops = &mock_ops;
	m->in = in;
	m->in_len = len;
}

void mock_flow_free(struct mock_flow *m)
{
	free(m->out);
	m->out = NULL;
	m->out_len = m->out_cap = 0;
}
