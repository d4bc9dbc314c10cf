# Test image for tests/linux/seccomp.t: after sealing, makes one forbidden
# system call (or overflows its stack, or touches page 0), chosen by
# argv[1]. Declares no devices.
APP_SRCS := main.c
# image_util.h: the console helpers of images that use only the platform.
APP_CFLAGS := -I$(APP_DIR)/../../include
