# The files of the www site that the build makes instead of the repository
# holding them (lib/kv/site.mk, APP_SITE_EXTRA): files/1m.bin, one MiB of
# pseudo-random bytes from gen/bytes.c, the same on every machine. Its
# time is that of bytes.c, so it is made again only when bytes.c changes.
#
# Included by the keel.mk of examples/www and examples/www-socket.
WWW_GEN := $(patsubst %/,%,$(dir $(lastword $(MAKEFILE_LIST))))

APP_SITE_EXTRA += files/1m.bin

$(APP_OUT)/site-extra/files/1m.bin: $(WWW_GEN)/bytes.c
	@mkdir -p $(@D) $(APP_OUT)/host
	$(HOSTCC) $(HOST_CFLAGS) -o $(APP_OUT)/host/bytes $<
	$(APP_OUT)/host/bytes 1048576 >$@.tmp
	touch -r $< $@.tmp
	mv $@.tmp $@
