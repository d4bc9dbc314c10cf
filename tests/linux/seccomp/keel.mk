# Test image for tests/linux/seccomp.t: after sealing, makes one forbidden
# system call (or overflows its stack, or touches page 0), chosen by
# argv[1]. Declares no devices.
APP_SRCS := main.c
