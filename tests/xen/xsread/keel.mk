# A white-box test image of platform/xen's xenstore client on Xen's ring
# (tests/xen/domu.t, tests/xen/hello.t): it calls xen_xenstore_open and xs_*.
APP_SRCS := main.c
