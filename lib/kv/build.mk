# lib/kv — read-only key-value stores: compiled into the image (tables
# written by keel-mkkv) or a tar archive on a block device. Every .c file
# here is part of it.
LIB_SRCS_kv := $(sort $(wildcard lib/kv/*.c))
