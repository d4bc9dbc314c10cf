# Faults on purpose, one per run, chosen by the first argument; the
# platform must report each and end the image with a crash status.
APP_SRCS := main.c
