/* getenv — an image has no environment. */
#include "../internal.h"

char *getenv(const char *name)
{
	return NULL;
}
