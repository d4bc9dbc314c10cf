# Prints its arguments and the heap it was given, one per line, so that
# the tests can check the command line and the memory map made it in.
APP_SRCS := main.c
