/*
 * fail.c — the one-line messages an image prints when it refuses to start.
 *
 * They are built by hand rather than with the C library's snprintf: the
 * platform sits below libc and runs before the runtime exists.
 */
#include <stdarg.h>

#include "platform_impl.h"

#define FAIL_LINE_MAX 512

void linux_fail(const char *first, ...)
{
	static const char prefix[] = "keel: ";
	char line[FAIL_LINE_MAX];
	size_t len = 0;
	va_list ap;

	/* Keep room for the newline; an over-long message is cut, not lost. */
	for (const char *p = prefix; *p && len < sizeof(line) - 1; p++)
		line[len++] = *p;
	va_start(ap, first);
	for (const char *s = first; s; s = va_arg(ap, const char *)) {
		while (*s && len < sizeof(line) - 1)
			line[len++] = *s++;
	}
	va_end(ap);
	line[len++] = '\n';

	for (size_t done = 0; done < len;) {
		long n =
		    linux_syscall3(LINUX_SYS_write, 2, (long)(line + done), (long)(len - done));

		if (n == -LINUX_EINTR)
			continue;
		if (n <= 0)
			break;
		done += (size_t)n;
	}
	linux_syscall1(LINUX_SYS_exit_group, LINUX_EXIT_REFUSED);
	__builtin_unreachable();
}

const char *linux_num(char buf[LINUX_NUM_BUF], uint64_t value)
{
	char *p = buf + LINUX_NUM_BUF - 1;

	*p = '\0';
	do {
		*--p = (char)('0' + value % 10);
		value /= 10;
	} while (value);
	return p;
}

/* A table rather than a switch: the compiler would turn the switch into a
 * lookup table indexed by errno, mostly empty slots. */
static const struct {
	uint8_t err;
	const char *text;
} errors[] = {
	{ LINUX_EPERM, "operation not permitted" },
	{ LINUX_ENOENT, "no such file or directory" },
	{ LINUX_EIO, "input/output error" },
	{ LINUX_EBADF, "bad file descriptor" },
	{ LINUX_EBADFD, "file descriptor in bad state" },
	{ LINUX_ENOMEM, "out of memory" },
	{ LINUX_EACCES, "permission denied" },
	{ LINUX_EINVAL, "invalid argument" },
	{ LINUX_ENOTTY, "inappropriate ioctl for device" },
	{ LINUX_ENOSYS, "function not implemented" },
};

const char *linux_strerror(long err)
{
	for (unsigned i = 0; i < sizeof(errors) / sizeof(errors[0]); i++) {
		if (errors[i].err == -err)
			return errors[i].text;
	}
	return "system error";
}

bool linux_streq(const char *a, const char *b)
{
	while (*a && *a == *b) {
		a++;
		b++;
	}
	return *a == *b;
}

size_t linux_strlen(const char *s)
{
	size_t n = 0;

	while (s[n])
		n++;
	return n;
}
