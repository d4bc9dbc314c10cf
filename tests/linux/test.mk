# Host unit tests of platform/linux (the seccomp filter generator and the
# ABI values it hard-codes) and of tools/elfnote.c, plus `status`, a helper
# the end-to-end scripts use to see which signal killed an image.

LINUX_T := $(H)/tests/linux
UNIT_TESTS += $(LINUX_T)/filter.test $(LINUX_T)/elfnote.test $(LINUX_T)/vnet.test \
	$(LINUX_T)/vdso.test

$(LINUX_T)/vnet.test: tests/linux/vnet_test.c platform/linux/vnet.c platform/linux/vnet.h \
		platform/linux/abi.h include/keel/platform.h
	@mkdir -p $(@D)
	$(HOSTCC) $(SAN_CFLAGS) -Iplatform/linux -o $@ tests/linux/vnet_test.c \
		platform/linux/vnet.c

$(LINUX_T)/vdso.test: tests/linux/vdso_test.c platform/linux/vdso.c platform/linux/platform_impl.h \
		platform/linux/abi.h
	@mkdir -p $(@D)
	$(HOSTCC) $(SAN_CFLAGS) -Iplatform/linux -o $@ tests/linux/vdso_test.c \
		platform/linux/vdso.c

$(LINUX_T)/filter.test: tests/linux/filter_test.c platform/linux/filter.c \
		platform/linux/filter.h platform/linux/abi.h include/keel/manifest.h
	@mkdir -p $(@D)
	$(HOSTCC) $(SAN_CFLAGS) -Iplatform/linux -o $@ tests/linux/filter_test.c \
		platform/linux/filter.c

$(LINUX_T)/elfnote.test: tests/linux/elfnote_test.c tools/elfnote.c tools/elfnote.h \
		include/keel/manifest.h
	@mkdir -p $(@D)
	$(HOSTCC) $(SAN_CFLAGS) -Itools -o $@ tests/linux/elfnote_test.c tools/elfnote.c

$(LINUX_T)/status: tests/linux/status.c
	@mkdir -p $(@D)
	$(HOSTCC) $(HOST_CFLAGS) -o $@ $<
