# lib/store — the branchable, Git-compatible store (include/keel/store.h).
# Every .c file here is part of it; it needs lib/block at link time
# (APP_LIBS := store block).
LIB_SRCS_store := $(sort $(wildcard lib/store/*.c))
