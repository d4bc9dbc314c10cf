# Test image for tests/linux/net.t: frames out and in over net device
# "service" (a TAP).
APP_SRCS := main.c
