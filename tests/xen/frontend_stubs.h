/*
 * frontend_stubs.h — what netfront.c and blkfront.c call around them,
 * stood in for on the host, so that their tests (netfront_test.c,
 * blkfront_test.c, ASan+UBSan) drive them through a fake backend that
 * behaves and one that does not. Included once per test, after the
 * driver's source.
 *
 * xenstore is a small table of keys the test fills (xs_set); grants are
 * recorded (the page they name, so the fake backend can reach it);
 * events the front end sends call the test's backend (backend_kick);
 * platform_fail ends the attach through longjmp with its message kept;
 * the front end's console lines are kept too. intr_wait, the block
 * driver's sleep, lets the backend run and advances a fake clock.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"

struct device devices[KEEL_MANIFEST_MAX];
unsigned devices_count;
kp_handle_set intr_ready;

/* ---- xenstore: a table --------------------------------------------------- */

#define KEYS_MAX 64
static struct {
	char path[160], value[64];
} keys[KEYS_MAX];
static unsigned nkeys;

static void xs_set(const char *path, const char *value)
{
	for (unsigned i = 0; i < nkeys; i++) {
		if (strcmp(keys[i].path, path) == 0) {
			snprintf(keys[i].value, sizeof(keys[i].value), "%s", value);
			return;
		}
	}
	CHECK(nkeys < KEYS_MAX);
	snprintf(keys[nkeys].path, sizeof(keys[nkeys].path), "%s", path);
	snprintf(keys[nkeys].value, sizeof(keys[nkeys].value), "%s", value);
	nkeys++;
}

static const char *xs_get(const char *dir, const char *key)
{
	char path[200];

	snprintf(path, sizeof(path), "%s/%s", dir, key);
	for (unsigned i = 0; i < nkeys; i++) {
		if (strcmp(keys[i].path, path) == 0)
			return keys[i].value;
	}
	return NULL;
}

int xenbus_read(const char *dir, const char *key, char *buf, size_t size)
{
	const char *v = xs_get(dir, key);

	if (!v)
		return KEEL_ENOENT;
	if (strlen(v) >= size)
		return KEEL_ERANGE;
	strcpy(buf, v);
	return KEEL_OK;
}

bool xenbus_parse_u64(const char *s, uint64_t max, uint64_t *value)
{
	char *end;
	unsigned long long v;

	if (*s < '0' || *s > '9')
		return false;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (*end || errno == ERANGE || v > max) /* as xenbus.c: no overflow */
		return false;
	*value = v;
	return true;
}

int xenbus_read_u64(const char *dir, const char *key, uint64_t max, uint64_t *value)
{
	const char *v = xs_get(dir, key);

	if (!v)
		return KEEL_ENOENT;
	return xenbus_parse_u64(v, max, value) ? KEEL_OK : KEEL_EINVAL;
}

int xenbus_write(const char *dir, const char *key, const char *value)
{
	char path[200];

	snprintf(path, sizeof(path), "%s/%s", dir, key);
	xs_set(path, value);
	return KEEL_OK;
}

int xenbus_write_u64(const char *dir, const char *key, uint64_t value)
{
	char num[24];

	snprintf(num, sizeof(num), "%llu", (unsigned long long)value);
	return xenbus_write(dir, key, num);
}

int xenbus_wait_state(const char *dir, unsigned want, kp_time timeout, unsigned *seen)
{
	uint64_t s = 0;

	xenbus_read_u64(dir, "state", 6, &s);
	*seen = (unsigned)s;
	return s == want ? KEEL_OK : KEEL_ETIMEDOUT;
}

const char *xenbus_state_name(unsigned state)
{
	return state == 4 ? "Connected" : "other";
}

/* ---- Failing, printing ------------------------------------------------------ */

static jmp_buf fail_jump;
static char fail_msg[512], console[4096];

void platform_fail(const char *first, ...)
{
	va_list ap;
	size_t n = 0;

	va_start(ap, first);
	for (const char *s = first; s; s = va_arg(ap, const char *))
		n += (size_t)snprintf(fail_msg + n, sizeof(fail_msg) - n, "%s", s);
	va_end(ap);
	longjmp(fail_jump, 1);
}

void print_str(const char *s)
{
	size_t n = strlen(console);

	snprintf(console + n, sizeof(console) - n, "%s", s);
}

void xenbus_front_init(struct xenbus_front *x, const char *kind, const char *front,
                       const char *name)
{
	uint64_t id;

	x->kind = kind;
	x->name = name;
	snprintf(x->front, sizeof(x->front), "%s", front);
	if (xenbus_read_u64(front, "backend-id", 0x7fef, &id) < 0 ||
	    xenbus_read(front, "backend", x->back, sizeof(x->back)) < 0)
		platform_fail("no backend", NULL);
	x->backend_id = (uint16_t)id;
}

void xenbus_wait_backend(struct xenbus_front *x)
{
}

void xenbus_connect(struct xenbus_front *x)
{
}

/* ---- Memory, grants, events, time ------------------------------------------- */

/* Boot-time memory, never given back (kept here, so not a leak). */
static void *taken[1024];
static unsigned ntaken;

void *mem_take(size_t size)
{
	size = (size + PAGE_SIZE - 1) / PAGE_SIZE * PAGE_SIZE;
	void *p = aligned_alloc(PAGE_SIZE, size);

	CHECK(p && ntaken < 1024);
	memset(p, 0, size);
	taken[ntaken++] = p;
	return p;
}

#define GRANTS_MAX 4096
static uintptr_t granted[GRANTS_MAX]; /* grant ref -> address of the page */
static bool granted_ro[GRANTS_MAX];
static unsigned ngrants = 8;

int gnttab_grant(uint16_t domid, uint64_t pfn, bool readonly, uint32_t *ref)
{
	if (ngrants == GRANTS_MAX)
		return KEEL_ENOMEM;
	granted[ngrants] = (uintptr_t)(pfn * PAGE_SIZE);
	granted_ro[ngrants] = readonly;
	*ref = ngrants++;
	return KEEL_OK;
}

/* The page a grant reference names, as the backend would map it. */
static uint8_t *grant_page_of(uint32_t ref)
{
	CHECK(ref >= 8 && ref < ngrants);
	return (uint8_t *)granted[ref];
}

static void (*event_fn)(void *);
static void *event_arg;
static unsigned notifies;

int evtchn_alloc(uint16_t remote, void (*fn)(void *arg), void *arg, uint32_t *port)
{
	event_fn = fn;
	event_arg = arg;
	*port = 17;
	return KEEL_OK;
}

/* The test's backend: what it does when the front end notifies it. */
static void backend_kick(void);

void evtchn_notify(uint32_t port)
{
	CHECK(port == 17);
	notifies++;
	backend_kick();
}

/* Raises the front end's event, as Xen would. */
static void raise_event(void)
{
	if (event_fn)
		event_fn(event_arg);
}

static kp_time fake_now;

kp_time kp_clock_monotonic(void)
{
	return fake_now;
}

/* The block driver's sleep: the backend gets to run, a second passes. */
static void backend_wait(void);

void intr_wait(kp_time deadline)
{
	backend_wait();
	fake_now += 1000000000ull;
}

int devices_find(const char *name, uint32_t kind)
{
	for (unsigned i = 0; i < devices_count; i++) {
		if (devices[i].kind == kind && devices[i].driver &&
		    strcmp(devices[i].name, name) == 0)
			return (int)i;
	}
	return -1;
}
