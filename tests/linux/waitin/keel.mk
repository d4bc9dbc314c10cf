# Test image for tests/linux/pollwait.t: counts the frames that come in
# on net device "service" (a TAP), waiting for them in short turns.
APP_SRCS := main.c
# image_util.h: the console helpers of images that use only the platform.
APP_CFLAGS := -I$(APP_DIR)/../../include
