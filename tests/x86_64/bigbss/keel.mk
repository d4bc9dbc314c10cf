# An image with 600 KiB of bss: at 2 MiB of guest memory too little is left
# for the heap, and the platform must say so before main.
APP_SRCS := main.c
