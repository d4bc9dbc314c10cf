# Test image for tests/linux/block.t: multi-sector writes, flush and
# read-back on block device "storage".
APP_SRCS := main.c
# image_util.h: the console helpers of images that use only the platform.
APP_CFLAGS := -I$(APP_DIR)/../../include
