# Test image for tests/x86_64/net.t: echoes frames on net device "service".
APP_SRCS := main.c
