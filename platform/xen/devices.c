/*
 * devices.c — the manifest's devices on Xen: none yet.
 *
 * Xen's split drivers (netfront, blkfront: rings set up through
 * xenstore, grant references) are not written yet, so an image that
 * declares a device is refused before main, and the device calls of
 * platform.h answer as for a device that is not attached. manifest.c
 * (x86_64's) records the declared devices here.
 */
#include "xen_impl.h"

struct device devices[KEEL_MANIFEST_MAX];
unsigned devices_count;

void devices_check(void)
{
	if (devices_count > 0)
		platform_fail(devices[0].kind == KEEL_NOTE_NET ? "net" : "block", " device '",
		         devices[0].name,
		         "' is declared, but the xen target has no netfront or blkfront "
		         "driver yet: build this app for x86_64",
		         NULL);
}

int kp_net_acquire(const char *name, kp_handle *handle, struct kp_net_info *info)
{
	return KEEL_ENODEV;
}

int kp_net_write(kp_handle handle, const void *buf, size_t len)
{
	return KEEL_EINVAL;
}

int kp_net_read(kp_handle handle, void *buf, size_t size, size_t *len)
{
	return KEEL_EINVAL;
}

int kp_block_acquire(const char *name, kp_handle *handle, struct kp_block_info *info)
{
	return KEEL_ENODEV;
}

int kp_block_read(kp_handle handle, uint64_t offset, void *buf, size_t len)
{
	return KEEL_EINVAL;
}

int kp_block_write(kp_handle handle, uint64_t offset, const void *buf, size_t len)
{
	return KEEL_EINVAL;
}

int kp_block_flush(kp_handle handle)
{
	return KEEL_EINVAL;
}
