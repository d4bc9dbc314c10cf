# examples/www-keys: examples/www (the same main.c, site, direct stack and
# HTTPS) with the TLS certificate and key read at start from the block
# device "tls" instead of compiled in, so that one image serves with any
# certificate. The device holds the PEM text — the certificate chain, end
# entity first, and its private key — followed by zero bytes:
#     cat NAME.crt NAME.key >tls.img && truncate -s 64K tls.img
#     ./keel run --net service=tap:tap0 --block tls=tls.img examples/www-keys -- --ipv4=...
APP_SRCS := ../www/main.c ../www/direct.c ../www/https.c keys_device.c
APP_CFLAGS := -I$(APP_DIR)/../www
APP_LIBS := http kv net tls block
APP_SITE := ../www/site
include $(APP_DIR)/../www/gen/gen.mk
