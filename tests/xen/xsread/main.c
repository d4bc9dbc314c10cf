/*
 * xsread — platform/xen's xenstore client against a real xenstored: reads
 * the domain's own name and id (paths relative to its home,
 * /local/domain/ID), a node that does not exist, writes a node under
 * data/ and reads it back. Prints "xenstore: ok", or "xenstore: none"
 * when the domain has no xenstore (the initial domain of the PVH-domain
 * lane), else what failed (status 1). White-box: it includes the
 * platform's private header.
 */
#include <stdio.h>
#include <string.h>

#include "../../../platform/xen/xen_impl.h"

int main(void)
{
	struct xs_conn c;
	char buf[256];
	size_t len = 0;
	int rc = xen_xenstore_open(&c);

	if (rc == KEEL_ENODEV) {
		printf("xenstore: none\n");
		return 0;
	}
	if (rc != KEEL_OK) {
		printf("xenstore: open failed: %d\n", rc);
		return 1;
	}
	if ((rc = xs_read(&c, "name", buf, sizeof(buf), &len)) != KEEL_OK) {
		printf("xenstore: read name: %d\n", rc);
		return 1;
	}
	printf("xenstore: name %s\n", buf);
	if ((rc = xs_read(&c, "domid", buf, sizeof(buf), &len)) != KEEL_OK) {
		printf("xenstore: read domid: %d\n", rc);
		return 1;
	}
	printf("xenstore: domid %s\n", buf);
	rc = xs_read(&c, "no/such/node", buf, sizeof(buf), &len);
	printf("xenstore: missing node: %s\n", rc == KEEL_ENOENT ? "ENOENT" : "unexpected");
	if ((rc = xs_write(&c, "data/keel", "42")) != KEEL_OK) {
		printf("xenstore: write: %d\n", rc);
		return 1;
	}
	if ((rc = xs_read(&c, "data/keel", buf, sizeof(buf), &len)) != KEEL_OK || strcmp(buf, "42")) {
		printf("xenstore: read back: %d '%s'\n", rc, buf);
		return 1;
	}
	printf("xenstore: ok\n");
	return 0;
}
