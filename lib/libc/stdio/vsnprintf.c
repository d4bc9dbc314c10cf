/* vsnprintf — the formatter writing into a caller's buffer (C11 7.21.6.12). */
#include "../internal.h"

struct buffer_sink {
	struct keel__sink base; /* first: the formatter sees only this */
	char *buf;
	size_t used; /* bytes stored */
	size_t room; /* bytes that can still be stored, the NUL excluded */
};

static void buffer_put(struct keel__sink *s, const char *p, size_t n)
{
	struct buffer_sink *b = (struct buffer_sink *)s;
	size_t k = n < b->room ? n : b->room;

	memcpy(b->buf + b->used, p, k);
	b->used += k;
	b->room -= k;
	if (b->room == 0)
		s->full = true;
}

int vsnprintf(char *restrict buf, size_t size, const char *restrict fmt, va_list ap)
{
	struct buffer_sink b = {
		.base = { .put = buffer_put, .count = 0, .full = size <= 1 },
		.buf = buf,
		.used = 0,
		.room = size ? size - 1 : 0,
	};
	int ret = keel__vformat(&b.base, fmt, ap);

	if (size)
		buf[b.used] = '\0';
	return ret;
}
