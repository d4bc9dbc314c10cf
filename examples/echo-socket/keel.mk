# examples/echo-socket: examples/echo's main.c on the socket stack (the
# host's TCP/IP through its sockets; linux target only, no device, no
# privilege). Give it an unprivileged port: -- --port=7007.
APP_SRCS := ../echo/main.c
APP_LIBS := net-socket
