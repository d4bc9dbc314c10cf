/*
 * twodisks — declares block devices "first" and "second", prints their
 * capacities and writes each one's name at the start of it, so the test
 * can see which file each name was matched to.
 */
#include <stdio.h>
#include <string.h>

#include <keel/manifest.h>
#include <keel/platform.h>

KEEL_BLOCK_DEVICE(first);
KEEL_BLOCK_DEVICE(second);

static unsigned char sector[512];

static int label(const char *name, struct kp_block_info *info)
{
	kp_handle h;

	if (kp_block_acquire(name, &h, info) != KEEL_OK) {
		printf("twodisks: cannot acquire %s\n", name);
		return 1;
	}
	memset(sector, 0, sizeof(sector));
	memcpy(sector, name, strlen(name));
	if (kp_block_write(h, 0, sector, sizeof(sector)) != KEEL_OK ||
	    kp_block_flush(h) != KEEL_OK) {
		printf("twodisks: cannot write %s\n", name);
		return 1;
	}
	return 0;
}

int main(int argc, char **argv)
{
	struct kp_block_info a, b;

	if (label("first", &a) || label("second", &b))
		return 1;
	printf("twodisks: first %llu second %llu\n", (unsigned long long)a.capacity,
	       (unsigned long long)b.capacity);
	return 0;
}
