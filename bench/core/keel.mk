# bench/core: the runtime's switch, wake, timer and spawn costs (main.c).
# peer.c is the host-side baseline, built by bench/core.sh, not part of the image.
APP_SRCS := main.c
