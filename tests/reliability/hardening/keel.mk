# Test image for tests/reliability/hardening.t: the linux target's memory
# protection, probed by one attack chosen by argv[1]. Declares no devices.
APP_SRCS := main.c
