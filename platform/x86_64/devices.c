/*
 * devices.c — network and block devices: none yet.
 *
 * The virtio drivers come later; until then no device can be attached
 * (manifest.c refuses images that declare one), so every handle is
 * invalid.
 */
#include "platform_impl.h"

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
