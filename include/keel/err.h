/*
 * keel/err.h — the error codes every Keel interface returns.
 *
 * Functions that can fail return 0 (KEEL_OK) or a non-negative count on
 * success and a negative `enum keel_err` value on failure. Pointer-returning
 * functions return NULL and document which error they mean.
 */
#ifndef KEEL_ERR_H
#define KEEL_ERR_H

enum keel_err {
	KEEL_OK = 0,
	KEEL_EAGAIN = -1,    /* nothing available now; try again later */
	KEEL_EINVAL = -2,    /* an argument is out of range or malformed */
	KEEL_ENOMEM = -3,    /* a bounded resource or the heap is exhausted */
	KEEL_ETIMEDOUT = -4, /* the deadline passed first */
	KEEL_ENODEV = -5,    /* no such device, or it is not attached */
	KEEL_EIO = -6,       /* the device or host reported an error */
	KEEL_ENOTSUP = -7,   /* the platform does not offer this */
	KEEL_ECLOSED = -8,   /* the object was closed or shut down */
	KEEL_EEXIST = -9,    /* the object already exists */
	KEEL_ENOENT = -10,   /* no such object */
	KEEL_ERANGE = -11,   /* a value does not fit */
	KEEL_ECONNRESET = -12,   /* the peer reset the connection */
	KEEL_ECONNREFUSED = -13, /* the peer refused the connection */
	KEEL_EADDRINUSE = -14,   /* the address or port is taken */
	KEEL_EHOSTUNREACH = -15, /* no route or no answer from the next hop */
	KEEL_ENOTCONN = -16,     /* not connected */
	KEEL_EBUSY = -17,        /* still in use: close what uses it first */
};

/* A short lower-case description of `err` ("timed out"); never NULL.
 * Unknown values give "unknown error". */
const char *keel_strerror(int err);

#endif
