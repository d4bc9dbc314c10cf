/* echo on the direct stack: its own TCP/IP on the net device "service". */
#include <keel/manifest.h>

KEEL_NET_DEVICE(service);
