/* vfprintf — the formatter writing to a console stream. */
#include "../internal.h"

struct file_sink {
	struct keel__sink base; /* first: the formatter sees only this */
	FILE *f;
};

static void file_put(struct keel__sink *s, const char *p, size_t n)
{
	keel__file_write(((struct file_sink *)s)->f, p, n);
}

int vfprintf(FILE *restrict f, const char *restrict fmt, va_list ap)
{
	struct file_sink fs = { .base = { .put = file_put, .count = 0, .full = false }, .f = f };

	return keel__vformat(&fs.base, fmt, ap);
}
