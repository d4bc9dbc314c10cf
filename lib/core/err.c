/*
 * keel_strerror: the words for each keel_err value.
 */
#include "core_impl.h"

const char *keel_strerror(int err)
{
	switch (err) {
	case KEEL_OK:
		return "success";
	case KEEL_EAGAIN:
		return "try again";
	case KEEL_EINVAL:
		return "invalid argument";
	case KEEL_ENOMEM:
		return "out of memory";
	case KEEL_ETIMEDOUT:
		return "timed out";
	case KEEL_ENODEV:
		return "no such device";
	case KEEL_EIO:
		return "i/o error";
	case KEEL_ENOTSUP:
		return "not supported";
	case KEEL_ECLOSED:
		return "closed";
	case KEEL_EEXIST:
		return "already exists";
	case KEEL_ENOENT:
		return "not found";
	case KEEL_ERANGE:
		return "out of range";
	case KEEL_ECONNRESET:
		return "connection reset";
	case KEEL_ECONNREFUSED:
		return "connection refused";
	case KEEL_EADDRINUSE:
		return "address in use";
	case KEEL_EHOSTUNREACH:
		return "host unreachable";
	case KEEL_ENOTCONN:
		return "not connected";
	case KEEL_EBUSY:
		return "in use";
	default:
		return "unknown error";
	}
}
