# An image whose bss (6 MiB) alone is more than a small guest's memory:
# the loader cannot even place it, and the image must say so, not reset.
APP_SRCS := main.c
