# Test image for tests/linux/devices.t: an invalid manifest (one name used
# by two devices) that the launcher and the platform must both refuse.
APP_SRCS := main.c
