# tests/core/image: lib/core's scheduler checks as an image (see main.c).
# Needs a heap of about 160 MiB for 10,000 fibers (tests/core/image.t).
APP_SRCS := main.c
