# Host unit tests of platform/aarch64 pieces that are plain C: the device
# tree reader (ASan + UBSan, on trees the test writes itself). The
# end-to-end tests (*.t) build aarch64 images with make TARGET=aarch64
# and run them under QEMU; dtb.t also feeds QEMU's own trees to this
# binary.

AARCH64_T := $(H)/tests/aarch64
UNIT_TESTS += $(AARCH64_T)/dtb.test

$(AARCH64_T)/dtb.test: tests/aarch64/dtb_test.c platform/aarch64/dtb.c \
		platform/aarch64/platform_impl.h platform/aarch64/layout.h platform/virtio/virtio.h \
		platform/common/common.h
	@mkdir -p $(@D)
	$(HOSTCC) $(SAN_CFLAGS) -Iplatform/aarch64 -o $@ tests/aarch64/dtb_test.c \
		platform/aarch64/dtb.c
