/*
 * xenbus.c — the split-driver handshake both front ends share (Xen's
 * public io/xenbus.h), over the domain's one xenstore connection.
 *
 * A front end's directory (device/vif/0, device/vbd/51712) is written
 * by the toolstack with the path and domain of its backend; the two
 * ends then publish their rings, event channels and features as keys
 * and step through the states Initialising (1), InitWait (2),
 * Initialised (3), Connected (4), Closing (5), Closed (6). There are no
 * watches here: a wait reads the other end's state every WAIT_STEP_NS
 * until it is the one wanted, a deadline passes, or the other end
 * closes. Everything read is checked: numbers are plain decimals that
 * fit, the backend's domain is a real one, its path is absolute and
 * fits.
 */
#include "xen_impl.h"

#define WAIT_STEP_NS 10000000ull /* 10 ms */

struct xs_conn xenbus_xs;

/* dir + "/" + key into buf; false when it does not fit. */
static bool join(char *buf, size_t size, const char *dir, const char *key)
{
	size_t a = platform_strlen(dir), b = platform_strlen(key);

	if (a + 1 + b + 1 > size)
		return false;
	__builtin_memcpy(buf, dir, a);
	buf[a] = '/';
	__builtin_memcpy(buf + a + 1, key, b + 1);
	return true;
}

int xenbus_read(const char *dir, const char *key, char *buf, size_t size)
{
	char path[XENBUS_PATH_MAX + 32];
	size_t len;

	if (!join(path, sizeof(path), dir, key))
		return KEEL_EINVAL;
	return xs_read(&xenbus_xs, path, buf, size, &len);
}

bool xenbus_parse_u64(const char *s, uint64_t max, uint64_t *value)
{
	uint64_t v = 0;

	if (*s == '\0' || platform_strlen(s) > 20)
		return false;
	for (; *s; s++) {
		uint64_t d = (uint64_t)(*s - '0');

		if (*s < '0' || *s > '9' || d > max || v > (max - d) / 10)
			return false;
		v = v * 10 + d;
	}
	*value = v;
	return true;
}

int xenbus_read_u64(const char *dir, const char *key, uint64_t max, uint64_t *value)
{
	char buf[24];
	int rc = xenbus_read(dir, key, buf, sizeof(buf));

	if (rc == KEEL_ERANGE)
		return KEEL_EINVAL;
	if (rc < 0)
		return rc;
	return xenbus_parse_u64(buf, max, value) ? KEEL_OK : KEEL_EINVAL;
}

int xenbus_write(const char *dir, const char *key, const char *value)
{
	char path[XENBUS_PATH_MAX + 32];

	if (!join(path, sizeof(path), dir, key))
		return KEEL_EINVAL;
	return xs_write(&xenbus_xs, path, value);
}

int xenbus_write_u64(const char *dir, const char *key, uint64_t value)
{
	char num[PLATFORM_NUM_BUF];

	return xenbus_write(dir, key, platform_num(num, value));
}

int xenbus_wait_state(const char *dir, unsigned want, kp_time timeout, unsigned *seen)
{
	kp_time end = kp_clock_monotonic() + timeout;

	*seen = 0;
	for (;;) {
		kp_handle_set ready;
		uint64_t state;
		int rc = xenbus_read_u64(dir, "state", XENBUS_STATE_CLOSED, &state);

		if (rc == KEEL_OK) {
			*seen = (unsigned)state;
			if (state == want)
				return KEEL_OK;
			if (state >= XENBUS_STATE_CLOSING)
				return KEEL_ECLOSED;
		} else if (rc != KEEL_ENOENT) {
			return rc;
		}
		if (kp_clock_monotonic() >= end)
			return KEEL_ETIMEDOUT;
		kp_yield(kp_clock_monotonic() + WAIT_STEP_NS, &ready);
	}
}

void xenbus_front_init(struct xenbus_front *x, const char *kind, const char *front,
                       const char *name)
{
	uint64_t id;
	int rc;

	x->kind = kind;
	x->name = name;
	if (platform_strlen(front) >= sizeof(x->front))
		platform_fail(kind, " device '", name, "': its xenstore path is too long", NULL);
	__builtin_memcpy(x->front, front, platform_strlen(front) + 1);
	rc = xenbus_read_u64(front, "backend-id", DOMID_SELF - 1, &id);
	if (rc < 0)
		platform_fail(kind, " device '", name, "': ", front,
		              "/backend-id is missing or not a domain id", NULL);
	x->backend_id = (uint16_t)id;
	rc = xenbus_read(front, "backend", x->back, sizeof(x->back));
	if (rc < 0 || x->back[0] != '/')
		platform_fail(kind, " device '", name, "': ", front,
		              "/backend is missing, too long or not an absolute path", NULL);
}

const char *xenbus_state_name(unsigned state)
{
	static const char *const names[] = { "unknown",   "Initialising", "InitWait", "Initialised",
		                             "Connected", "Closing",      "Closed" };

	return state <= XENBUS_STATE_CLOSED ? names[state] : "unknown";
}

void xenbus_connect(struct xenbus_front *x)
{
	unsigned seen;
	int rc;

	if (xenbus_write_u64(x->front, "state", XENBUS_STATE_CONNECTED) < 0)
		platform_fail(x->kind, " device '", x->name, "': cannot write ", x->front, "/state",
		              NULL);
	rc = xenbus_wait_state(x->back, XENBUS_STATE_CONNECTED, XENBUS_WAIT_NS, &seen);
	if (rc < 0)
		platform_fail(x->kind, " device '", x->name, "': its backend ", x->back,
		              " did not connect (state ", xenbus_state_name(seen), ")", NULL);
}

void xenbus_wait_backend(struct xenbus_front *x)
{
	unsigned seen;

	if (xenbus_wait_state(x->back, XENBUS_STATE_INITWAIT, XENBUS_WAIT_NS, &seen) < 0)
		platform_fail(x->kind, " device '", x->name, "': its backend ", x->back,
		              " is not waiting for a front end (state ", xenbus_state_name(seen),
		              ")", NULL);
}
