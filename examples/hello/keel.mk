# examples/hello: the smallest useful Keel application.
# No devices; links only the runtime and libc.
APP_SRCS := main.c
