/*
 * platform_impl.h — private to platform/linux: the device table, the start
 * steps entry.c runs in order, and small helpers shared by the files.
 * Every .c file of the platform includes this header and nothing else of
 * the platform.
 */
#ifndef KEEL_LINUX_PLATFORM_IMPL_H
#define KEEL_LINUX_PLATFORM_IMPL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <keel/manifest.h>
#include <keel/platform.h>

#include "syscall.h"

/* Device i of the manifest is handle i and file descriptor 3 + i. */
#define LINUX_FIRST_DEVICE_FD 3

/* Kinds of devices, numbered as their manifest note types. */
enum linux_device_kind {
	LINUX_DEVICE_NET = KEEL_NOTE_NET,
	LINUX_DEVICE_BLOCK = KEEL_NOTE_BLOCK,
};

struct linux_device {
	enum linux_device_kind kind;
	int fd;
	char name[KEEL_NOTE_DESC_SIZE];
	/* net: the host reported an error or hang-up on the fd; it is no
	 * longer polled, so a broken TAP cannot make kp_yield() spin. */
	bool failed;
	/* net: the TAP puts a struct linux_vnet_hdr before each frame
	 * (IFF_VNET_HDR), which carries the offloads of net.offloads. */
	bool vnet;
	struct kp_net_info net;
	struct kp_block_info block;
};

/* Filled by linux_manifest_load() and linux_devices_attach(); read-only
 * once the image is sealed. */
extern struct linux_device linux_devices[KEEL_MANIFEST_MAX];
extern unsigned linux_ndevices;

/*
 * Host sockets (hostpoll.c, hostsock.c; the interface lib/net-socket uses
 * is hostsock.h). linux_hostnet is set by linux_manifest_load() when the
 * manifest holds a KEEL_NOTE_HOSTNET note; linux_hostpoll_open() then
 * creates the epoll set of the image's sockets, linux_hostpoll_fd (-1
 * otherwise), whose handle is the first after the devices.
 */
extern bool linux_hostnet;
extern int linux_hostpoll_fd;
#define LINUX_HOSTPOLL_HANDLE ((kp_handle)linux_ndevices)

/* The device for `handle` if it exists and has `kind`, else NULL. */
struct linux_device *linux_device_get(kp_handle handle, enum linux_device_kind kind);

/* The declared device of `kind` named `name`, or NULL. */
struct linux_device *linux_device_find(const char *name, enum linux_device_kind kind);

/* ---- Start steps, in the order entry.c runs them ------------------------ */

/* Finds the vDSO's clock_gettime through the auxiliary vector (vdso.c),
 * else the clock uses the system call. */
void linux_clock_init(const uint64_t *auxv);
void linux_console_init(void);
void linux_abort_init(void);
void linux_manifest_load(void);
void linux_devices_attach(void);
void linux_net_attach(struct linux_device *dev);
void linux_block_attach(struct linux_device *dev);
void linux_heap_reserve(char **envp, uintptr_t *start, size_t *size);
/* Reads KEEL_POLL_US, the poll window of kp_yield() (yield.c). */
void linux_poll_configure(char **envp);
void linux_hostpoll_open(void);
void linux_seal(void);

/* __vdso_clock_gettime of the vDSO the auxiliary vector points at, or
 * NULL if there is none or it cannot be read (vdso.c). */
typedef int (*linux_clock_gettime_fn)(int clock, struct linux_timespec *ts);
linux_clock_gettime_fn linux_vdso_clock_gettime(const uint64_t *auxv);

/* The process id, recorded before sealing (kp_abort signals it). */
extern int linux_pid;

/* ---- The environment, read only before sealing (env.c) --------------------- */

/* The value of variable `name` in `envp` (the text after "name="), or NULL. */
const char *linux_env(char **envp, const char *name);

/* Sets *value to the number `s` spells in plain decimal digits and returns
 * true when it is from `min` to `max`; otherwise returns false and leaves
 * *value alone. No sign, no spaces, no empty string. `max` must be below
 * UINT64_MAX / 10 (the digits are summed without an overflow check). */
bool linux_parse_uint(const char *s, uint64_t min, uint64_t max, uint64_t *value);

/* ---- Failing before main ------------------------------------------------- */

/* Exit status of an image that refuses to start. */
#define LINUX_EXIT_REFUSED 2

/*
 * Writes "keel: " and the strings up to the NULL, then a newline, to fd 2
 * in one write, and ends the process with LINUX_EXIT_REFUSED. Only for
 * use before main: after that, failures are errors returned to the caller.
 */
void linux_fail(const char *first, ...) __attribute__((noreturn, sentinel));

/* Decimal text of `value` in `buf`; returns buf. */
#define LINUX_NUM_BUF 24
const char *linux_num(char buf[LINUX_NUM_BUF], uint64_t value);

/* A short description of a negated errno value ("permission denied"). */
const char *linux_strerror(long err);

bool linux_streq(const char *a, const char *b);
size_t linux_strlen(const char *s);

#endif
