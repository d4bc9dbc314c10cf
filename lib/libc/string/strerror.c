/*
 * strerror — one short lower-case description per <errno.h> value, found
 * by a linear search of a constant table (strerror is never on a hot path).
 */
#include "../internal.h"

struct message {
	int errnum;
	const char *text;
};

static const struct message messages[] = {
	{ 0, "no error" },
	{ EPERM, "operation not permitted" },
	{ ENOENT, "no such file or directory" },
	{ ESRCH, "no such process" },
	{ EINTR, "interrupted" },
	{ EIO, "input/output error" },
	{ ENXIO, "no such device or address" },
	{ E2BIG, "argument list too long" },
	{ ENOEXEC, "not an executable" },
	{ EBADF, "bad descriptor" },
	{ ECHILD, "no child process" },
	{ EAGAIN, "resource temporarily unavailable" },
	{ ENOMEM, "out of memory" },
	{ EACCES, "permission denied" },
	{ EFAULT, "bad address" },
	{ EBUSY, "resource busy" },
	{ EEXIST, "already exists" },
	{ EXDEV, "cross-device link" },
	{ ENODEV, "no such device" },
	{ ENOTDIR, "not a directory" },
	{ EISDIR, "is a directory" },
	{ EINVAL, "invalid argument" },
	{ ENFILE, "too many open files in system" },
	{ EMFILE, "too many open files" },
	{ ENOTTY, "not a terminal" },
	{ EFBIG, "file too large" },
	{ ENOSPC, "no space left on device" },
	{ ESPIPE, "illegal seek" },
	{ EROFS, "read-only file system" },
	{ EMLINK, "too many links" },
	{ EPIPE, "broken pipe" },
	{ EDOM, "argument out of domain" },
	{ ERANGE, "result out of range" },
	{ EDEADLK, "deadlock would occur" },
	{ ENAMETOOLONG, "name too long" },
	{ ENOSYS, "function not implemented" },
	{ ENOTEMPTY, "directory not empty" },
	{ ELOOP, "too many levels of symbolic links" },
	{ ENOMSG, "no message of the desired type" },
	{ ENODATA, "no data available" },
	{ ETIME, "timer expired" },
	{ EPROTO, "protocol error" },
	{ EBADMSG, "bad message" },
	{ EOVERFLOW, "value too large for its type" },
	{ EILSEQ, "illegal byte sequence" },
	{ ENOTSOCK, "not a socket" },
	{ EDESTADDRREQ, "destination address required" },
	{ EMSGSIZE, "message too long" },
	{ EPROTOTYPE, "wrong protocol type for socket" },
	{ ENOPROTOOPT, "protocol option not available" },
	{ EPROTONOSUPPORT, "protocol not supported" },
	{ EOPNOTSUPP, "operation not supported" },
	{ EAFNOSUPPORT, "address family not supported" },
	{ EADDRINUSE, "address in use" },
	{ EADDRNOTAVAIL, "address not available" },
	{ ENETDOWN, "network is down" },
	{ ENETUNREACH, "network unreachable" },
	{ ENETRESET, "connection reset by network" },
	{ ECONNABORTED, "connection aborted" },
	{ ECONNRESET, "connection reset by peer" },
	{ ENOBUFS, "no buffer space available" },
	{ EISCONN, "already connected" },
	{ ENOTCONN, "not connected" },
	{ ESHUTDOWN, "endpoint shut down" },
	{ ETIMEDOUT, "timed out" },
	{ ECONNREFUSED, "connection refused" },
	{ EHOSTDOWN, "host is down" },
	{ EHOSTUNREACH, "host unreachable" },
	{ EALREADY, "operation already in progress" },
	{ EINPROGRESS, "operation in progress" },
	{ ECANCELED, "operation canceled" },
};

char *strerror(int errnum)
{
	for (size_t i = 0; i < sizeof(messages) / sizeof(messages[0]); i++) {
		/* C declares the result as char *, but it must not be written to. */
		if (messages[i].errnum == errnum)
			return (char *)messages[i].text;
	}
	return (char *)"unknown error";
}
