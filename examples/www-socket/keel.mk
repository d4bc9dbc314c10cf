# examples/www-socket: the www example on the socket stack: the same
# main.c and site as examples/www, with the host's sockets instead of a
# TCP/IP stack of its own, so it runs unprivileged (linux target only).
APP_SRCS := ../www/main.c socket.c ../www/notls.c
APP_CFLAGS := -I$(APP_DIR)/../www
APP_LIBS := http kv net-socket
APP_SITE := ../www/site
include $(APP_DIR)/../www/gen/gen.mk
