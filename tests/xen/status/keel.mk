# status N [TEXT]: prints TEXT (no newline) and exits with status N.
APP_SRCS := main.c
