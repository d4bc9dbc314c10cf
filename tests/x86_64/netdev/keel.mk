# Declares a net device, which this version of the x86_64 platform cannot
# provide: the image must refuse to start.
APP_SRCS := main.c
