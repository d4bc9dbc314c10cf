/*
 * devices.c — the manifest's devices on Xen's split drivers.
 *
 * The toolstack describes a domain's devices in xenstore: one directory
 * per vif under device/vif/ and per disk under device/vbd/, named by a
 * number. Matching is by kind and order, as on x86_64: the i-th declared
 * net device gets the vif with the i-th smallest number, the i-th block
 * device the i-th vbd (an xl config lists them in that order). A
 * declared device the domain lacks stops the image before main, naming
 * it; front ends nobody declared are left alone.
 *
 * Drivers are linked only when used: kp_net_* live in netfront.c,
 * kp_block_* in blkfront.c, and this file refers to their attach
 * functions weakly. manifest.c (common) fills devices[].
 */
#include "xen_impl.h"

#pragma weak netfront_attach
#pragma weak blkfront_attach

#define IDS_MAX KEEL_MANIFEST_MAX
#define ID_DIGITS 10

struct device devices[KEEL_MANIFEST_MAX];
unsigned devices_count;

struct id_list {
	unsigned n;
	uint64_t id[IDS_MAX];
};

/* The numeric children of `dir`, smallest first; others are ignored. */
static void list_ids(const char *dir, struct id_list *l)
{
	static char buf[XS_PAYLOAD_MAX];
	size_t count;
	const char *p = buf;
	int rc = xs_directory(&xenbus_xs, dir, buf, sizeof(buf), &count);

	l->n = 0;
	if (rc == KEEL_ENOENT)
		return;
	if (rc < 0)
		platform_fail("cannot list the domain's devices in xenstore (", dir, ")", NULL);
	for (size_t i = 0; i < count; i++) {
		size_t len = 0;
		uint64_t id;

		while (p + len < buf + sizeof(buf) && p[len])
			len++;
		if (p + len >= buf + sizeof(buf))
			break;
		if (len <= ID_DIGITS && xenbus_parse_u64(p, UINT32_MAX, &id) && l->n < IDS_MAX) {
			unsigned j = l->n++;

			for (; j > 0 && l->id[j - 1] > id; j--)
				l->id[j] = l->id[j - 1];
			l->id[j] = id;
		}
		p += len + 1;
	}
}

void devices_attach(void)
{
	struct id_list vifs, vbds;
	unsigned nnet = 0, nblock = 0;
	char num[PLATFORM_NUM_BUF];
	int rc;

	if (devices_count == 0)
		return;
	rc = xen_xenstore_open(&xenbus_xs);
	if (rc < 0)
		platform_fail(devices[0].kind == KEEL_NOTE_NET ? "net" : "block", " device '",
		              devices[0].name,
		              "' is declared, but the domain has no xenstore to find its backend "
		              "through (is it the initial domain? devices need a domU: "
		              "tools/xen-domu-run.sh)",
		              NULL);
	list_ids("device/vif", &vifs);
	list_ids("device/vbd", &vbds);
	for (unsigned i = 0; i < devices_count; i++) {
		struct device *dev = &devices[i];
		bool net = dev->kind == KEEL_NOTE_NET;
		struct id_list *l = net ? &vifs : &vbds;
		unsigned k = net ? nnet++ : nblock++;
		char front[32];
		const char *id;
		size_t n = 0;

		if (k >= l->n)
			platform_fail(net ? "net" : "block", " device '", dev->name,
			              "' is declared, but the domain has no ", net ? "vif" : "disk",
			              " left for it (its xl config needs one per declared ",
			              net ? "net" : "block", " device, in manifest order)", NULL);
		id = platform_num(num, l->id[k]);
		__builtin_memcpy(front, net ? "device/vif/" : "device/vbd/", 11);
		n = 11;
		while (*id)
			front[n++] = *id++;
		front[n] = '\0';
		if (net && netfront_attach)
			netfront_attach(dev, i, front);
		else if (!net && blkfront_attach)
			blkfront_attach(dev, i, front);
	}
}
