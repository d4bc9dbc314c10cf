# examples/store-socket: the store example on the socket stack: the same
# main.c as examples/store, with the host's sockets instead of a TCP/IP
# stack of its own, so it runs unprivileged (linux target only).
APP_SRCS := ../store/main.c socket.c
APP_CFLAGS := -I$(APP_DIR)/../store
APP_LIBS := store block http net-socket
