# Test image for tests/store/kill.t: a write-heavy store on block device
# "storage", killed at random moments; and the checker run after each kill.
APP_SRCS := main.c
APP_LIBS := store block
