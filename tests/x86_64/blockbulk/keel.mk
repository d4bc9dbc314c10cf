# Test and bench image for tests/vm/block.sh and bench/block.sh: large
# transfers on block device "storage", which the driver splits into
# several requests in flight at once.
APP_SRCS := main.c
# image_util.h: the console helpers of images that use only the platform.
APP_CFLAGS := -I$(APP_DIR)/../../include
