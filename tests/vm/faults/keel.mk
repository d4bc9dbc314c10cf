# Faults on purpose, one per run, chosen by the first argument; the
# platform must report each and end the image with a crash status
# (tests/vm/faults.sh). The faults of the target's architecture are in
# $(ARCH).c.
APP_SRCS := main.c $(ARCH).c
