# examples/echo: TCP and UDP echo servers on port 7 over the direct stack.
# examples/echo-socket builds the same main.c on the socket stack.
APP_SRCS := main.c device.c
APP_LIBS := net
