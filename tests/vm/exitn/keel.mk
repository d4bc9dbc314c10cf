# Ends with the status its first argument names (0..255).
APP_SRCS := main.c
