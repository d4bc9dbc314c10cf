# examples/store: a branchable key-value store over HTTP, also served as a
# Git repository over the dumb HTTP protocol; on the socket stack (the
# host's sockets), with the store on block device "storage".
APP_SRCS := main.c
APP_LIBS := store block http net-socket
