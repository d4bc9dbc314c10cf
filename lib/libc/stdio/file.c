/*
 * The two console streams and their buffering (see <stdio.h>): stdout
 * keeps a line in a static buffer, stderr writes through at once after
 * flushing stdout, so the two stay in the order they were written.
 */
#include "../internal.h"

static char stdout_buf[BUFSIZ];

FILE keel__stdout = { .buf = stdout_buf, .cap = sizeof(stdout_buf), .len = 0 };
FILE keel__stderr = { .buf = NULL, .cap = 0, .len = 0 };

static void flush(FILE *f)
{
	if (f->len) {
		kp_console_write(f->buf, f->len);
		f->len = 0;
	}
}

/* Appends to f's buffer, writing it out whenever it fills. */
static void buffer(FILE *f, const char *p, size_t n)
{
	while (n) {
		if (f->len == 0 && n >= f->cap) {
			kp_console_write(p, n); /* no point copying it first */
			return;
		}
		size_t k = f->cap - f->len < n ? f->cap - f->len : n;

		memcpy(f->buf + f->len, p, k);
		f->len += k;
		p += k;
		n -= k;
		if (f->len == f->cap)
			flush(f);
	}
}

void keel__file_write(FILE *f, const char *p, size_t n)
{
	if (n == 0)
		return;
	if (!f->buf) {
		flush(stdout);
		kp_console_write(p, n);
		return;
	}
	/* Line buffering: everything up to the last newline goes out now. */
	const char *nl = memrchr(p, '\n', n);
	if (nl) {
		size_t line = (size_t)(nl + 1 - p);

		buffer(f, p, line);
		flush(f);
		p += line;
		n -= line;
	}
	buffer(f, p, n);
}

int fflush(FILE *f)
{
	if (!f || f == stdout)
		flush(stdout);
	return 0;
}
