/* errno — one core and no threads, so one plain global (see <errno.h>). */
#include "../internal.h"

int errno;
