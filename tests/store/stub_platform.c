/*
 * A stand-in for the platform in the store's host tests: lib/store asks
 * the wall clock for commit times (settable here) and lib/block's
 * keel_block_open asks for platform devices (there are none).
 */
#include <keel/platform.h>

uint64_t stub_wall_ns = 1700000000ull * 1000000000ull;

uint64_t kp_clock_wall(void)
{
	return stub_wall_ns;
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
