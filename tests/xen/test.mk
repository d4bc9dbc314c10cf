# Host unit tests of platform/xen pieces that are plain C: the xenstore
# client, against a fake xenstored. (The end-to-end tests, *.t, run xen
# images as Xen PVH domains under QEMU.)

XEN_T := $(H)/tests/xen
UNIT_TESTS += $(XEN_T)/xenstore.test

$(XEN_T)/xenstore.test: tests/xen/xenstore_test.c platform/xen/xenstore.c platform/xen/xenstore.h
	@mkdir -p $(@D)
	$(HOSTCC) $(SAN_CFLAGS) -o $@ tests/xen/xenstore_test.c platform/xen/xenstore.c
