# Asks the host, through semihosting, for a file and a shell command: what
# a guest could do if the launcher gave it more of semihosting than exit.
APP_SRCS := main.c
