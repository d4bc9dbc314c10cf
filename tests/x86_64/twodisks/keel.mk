# Test image for tests/x86_64/block.t: two block devices, in order.
APP_SRCS := main.c
