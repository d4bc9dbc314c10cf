# Sleeps (or spins) for a while, so that the tests can compare what the
# VM costs the host in each case: an idle image must halt, not spin.
APP_SRCS := main.c
