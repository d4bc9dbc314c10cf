# Test image for tests/linux/devices.t and net.t: declares net "service"
# and block "storage"; started without them it must refuse, with them it
# must reach main.
APP_SRCS := main.c
