# A white-box test image of platform/xen's grant tables (tests/xen/gnttab.t):
# it calls the platform's private gnttab_* directly.
APP_SRCS := main.c
