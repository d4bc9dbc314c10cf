# Test image for tests/linux/block.t: multi-sector writes, flush and
# read-back on block device "storage".
APP_SRCS := main.c
