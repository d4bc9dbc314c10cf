# clock sleep|spin MS: the clocks across a sleep (or a busy wait).
APP_SRCS := main.c
