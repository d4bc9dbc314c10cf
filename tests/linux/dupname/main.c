/*
 * dupname — declares a net device and a block device with the same name.
 * Both are distinct symbols, so it links; the manifest is still invalid.
 */
#include <keel/manifest.h>

KEEL_NET_DEVICE(twin);
KEEL_BLOCK_DEVICE(twin);

int main(int argc, char **argv);

int main(int argc, char **argv)
{
	return 0;
}
