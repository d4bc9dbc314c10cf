# examples/www: a web site served by the image, on the direct stack (its
# own TCP/IP on the net device "service"). main.c is shared with
# examples/www-socket, which links the host's sockets instead.
APP_SRCS := main.c direct.c
APP_LIBS := http kv net
APP_SITE := site
include $(APP_DIR)/gen/gen.mk
