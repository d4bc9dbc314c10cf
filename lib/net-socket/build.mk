# lib/net-socket — the socket stack: keel/net.h on the host kernel's own
# sockets (see lib/net-socket/README.md). It exists for TARGET=linux only:
# it reaches the host through platform/linux/hostsock.h, whose directory is
# added to the include path of its objects alone.
ifeq ($(TARGET),linux)
LIB_SRCS_net-socket := $(sort $(wildcard lib/net-socket/*.c))
$(B)/obj/lib/net-socket/%.o: IMAGE_CFLAGS += -Iplatform/linux
else
# Nothing to build on other targets, and an app that asks for it stops
# with this message (the Makefile prints LIB_UNAVAILABLE_<name>).
LIB_SRCS_net-socket :=
OPT_LIBS := $(filter-out net-socket,$(OPT_LIBS))
LIB_UNAVAILABLE_net-socket := the socket stack (net-socket) uses the host's sockets and exists \
	only for TARGET=linux (not $(TARGET)); link the direct stack instead (APP_LIBS := net)
endif
