# examples/www: a web site served by the image, on the direct stack (its
# own TCP/IP on the net device "service"), over HTTPS on port 443 with
# plain HTTP on port 80 redirecting to it. main.c is shared with
# examples/www-socket (the host's sockets, HTTP only) and examples/www-keys
# (the keys read from a block device).
#
# The certificate and key are compiled in. By default they are a
# development pair the build makes once with keel cert, shared by every
# target: build/cert/localhost.crt (names localhost, 127.0.0.1 and ::1)
# signed by the development CA build/cert/ca.crt, the file a client
# trusts (curl --cacert build/cert/ca.crt). Never in the repository. For
# another pair, give the prefix of NAME.crt (chain, PEM) and NAME.key;
# WWW_CERT=none builds the site without TLS (HTTP only, as www-socket):
#     make app APP=examples/www WWW_CERT=/path/to/www.example.org
WWW_CERT ?= build/cert/localhost
APP_SITE := site
include $(APP_DIR)/gen/gen.mk

# The image is linked again when WWW_CERT changes (the files linked differ).
WWW_CERT_STAMP := $(APP_OUT)/.www-cert
ifneq ($(shell cat $(WWW_CERT_STAMP) 2>/dev/null),$(WWW_CERT))
$(shell mkdir -p $(APP_OUT) && echo '$(WWW_CERT)' >$(WWW_CERT_STAMP))
endif
$(APP_OUT)/$(APP_NAME).elf: $(WWW_CERT_STAMP)

ifeq ($(WWW_CERT),none)
APP_SRCS := main.c direct.c notls.c
APP_LIBS := http kv net
else
APP_SRCS := main.c direct.c https.c keys_image.c
APP_LIBS := http kv net tls
include $(APP_DIR)/cert.mk
endif
$(WWW_CERT_STAMP):
	@mkdir -p $(@D) && echo '$(WWW_CERT)' >$@
