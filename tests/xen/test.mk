# Host unit tests of platform/xen pieces that are plain C: the xenstore
# client, against a fake xenstored. (The end-to-end tests, *.t, run xen
# images as Xen PVH domains under QEMU.)

XEN_T := $(H)/tests/xen
UNIT_TESTS += $(XEN_T)/xenstore.test

$(XEN_T)/xenstore.test: tests/xen/xenstore_test.c platform/xen/xenstore.c platform/xen/xenstore.h
	@mkdir -p $(@D)
	$(HOSTCC) $(SAN_CFLAGS) -o $@ tests/xen/xenstore_test.c platform/xen/xenstore.c

# netfront and blkfront against a fake backend, well-behaved or not,
# each with the shared ring code they use (ring.c); and ring.c alone.
UNIT_TESTS += $(XEN_T)/netfront.test $(XEN_T)/blkfront.test $(XEN_T)/ring.test
XEN_FRONT_DEPS := tests/xen/frontend_stubs.h tests/xen/check.h platform/xen/xen_impl.h \
	platform/xen/xenstore.h platform/xen/ring.h platform/xen/ring.c

$(XEN_T)/netfront.test: tests/xen/netfront_test.c platform/xen/netfront.c $(XEN_FRONT_DEPS)
	@mkdir -p $(@D)
	$(HOSTCC) $(SAN_CFLAGS) -o $@ tests/xen/netfront_test.c platform/xen/ring.c

$(XEN_T)/blkfront.test: tests/xen/blkfront_test.c platform/xen/blkfront.c $(XEN_FRONT_DEPS)
	@mkdir -p $(@D)
	$(HOSTCC) $(SAN_CFLAGS) -o $@ tests/xen/blkfront_test.c platform/xen/ring.c

$(XEN_T)/ring.test: tests/xen/ring_test.c $(XEN_FRONT_DEPS)
	@mkdir -p $(@D)
	$(HOSTCC) $(SAN_CFLAGS) -o $@ tests/xen/ring_test.c platform/xen/ring.c
