# lib/block — byte ranges, flushes and a read cache over a block device
# (include/keel/block.h). Every .c file here is part of it.
LIB_SRCS_block := $(sort $(wildcard lib/block/*.c))
