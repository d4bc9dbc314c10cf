# bench/startup: prints one line and exits; measures image start-up cost.
APP_SRCS := main.c
