# lib/net — the direct network stack. Every .c file here is part of it.
LIB_SRCS_net := $(sort $(wildcard lib/net/*.c))
