# examples/echo: TCP and UDP echo servers on port 7 over the direct stack.
APP_SRCS := main.c
APP_LIBS := net
