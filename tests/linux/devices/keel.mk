# Test image for tests/linux/devices.t and net.t: declares net "service"
# and block "storage"; started without them it must refuse, with them it
# must reach main.
APP_SRCS := main.c
# image_util.h: the console helpers of images that use only the platform.
APP_CFLAGS := -I$(APP_DIR)/../../include
