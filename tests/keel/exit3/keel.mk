# An image whose main returns 3: the status must reach the shell.
APP_SRCS := main.c
