# examples/store: a branchable key-value store over HTTP, also served as a
# Git repository over the dumb HTTP protocol, with the store on block
# device "storage"; on the direct stack (its own TCP/IP on the net device
# "service": virtio-net on x86_64 and aarch64, a TAP on linux). main.c is
# shared with examples/store-socket, which links the host's sockets.
APP_SRCS := main.c direct.c
APP_LIBS := store block http net
