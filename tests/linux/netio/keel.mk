# Test image for tests/linux/net.t: frames out and in over net device
# "service" (a TAP).
APP_SRCS := main.c
# image_util.h: the console helpers of images that use only the platform.
APP_CFLAGS := -I$(APP_DIR)/../../include
