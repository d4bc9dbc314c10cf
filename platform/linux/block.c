/*
 * block.c — block devices: a regular file or a host block device, read and
 * written with pread64/pwrite64 at explicit offsets (the file position is
 * never used, so no call depends on an earlier one).
 */
#include "platform_impl.h"

#define BLOCK_SIZE 512

static void refuse(const struct linux_device *dev, const char *why)
{
	char num[LINUX_NUM_BUF];

	linux_fail("block device '", dev->name, "' on fd ", linux_num(num, (uint64_t)dev->fd), " ",
	           why, NULL);
}

void linux_block_attach(struct linux_device *dev)
{
	struct linux_stat st;
	uint64_t bytes = 0;
	long flags, err;

	err = linux_syscall2(LINUX_SYS_fstat, dev->fd, (long)&st);
	if (err < 0)
		refuse(dev, linux_strerror(err));
	switch (st.st_mode & LINUX_S_IFMT) {
	case LINUX_S_IFREG:
		bytes = (uint64_t)st.st_size;
		break;
	case LINUX_S_IFBLK:
		err = linux_syscall3(LINUX_SYS_ioctl, dev->fd, LINUX_BLKGETSIZE64, (long)&bytes);
		if (err < 0)
			refuse(dev, "is a block device whose size cannot be read");
		break;
	default:
		refuse(dev, "is neither a regular file nor a block device; "
		            "run the image with 'keel run'");
	}

	flags = linux_syscall2(LINUX_SYS_fcntl, dev->fd, LINUX_F_GETFL);
	if (flags < 0 || (flags & LINUX_O_ACCMODE) != LINUX_O_RDWR)
		refuse(dev, "is not open for reading and writing");
	/* With O_APPEND, Linux's pwrite ignores the offset and appends. */
	if ((flags & LINUX_O_APPEND) &&
	    linux_syscall3(LINUX_SYS_fcntl, dev->fd, LINUX_F_SETFL, flags & ~LINUX_O_APPEND) < 0)
		refuse(dev, "is open for appending and that cannot be turned off");

	/* A partial last block is not part of the device. */
	dev->block.capacity = bytes & ~(uint64_t)(BLOCK_SIZE - 1);
	dev->block.block_size = BLOCK_SIZE;
	if (dev->block.capacity == 0)
		refuse(dev, "is smaller than one 512-byte block");
}

int kp_block_acquire(const char *name, kp_handle *handle, struct kp_block_info *info)
{
	struct linux_device *dev = linux_device_find(name, LINUX_DEVICE_BLOCK);

	if (!dev)
		return KEEL_ENODEV;
	*handle = (kp_handle)(dev - linux_devices);
	*info = dev->block;
	return KEEL_OK;
}

/* The checks platform.h asks of both directions. */
static struct linux_device *checked(kp_handle handle, uint64_t offset, size_t len)
{
	struct linux_device *dev = linux_device_get(handle, LINUX_DEVICE_BLOCK);

	if (!dev || len == 0 || offset % BLOCK_SIZE || len % BLOCK_SIZE)
		return NULL;
	if (offset > dev->block.capacity || len > dev->block.capacity - offset)
		return NULL;
	return dev;
}

/*
 * Both loops go on after a short transfer (a signal, a huge request split
 * by the kernel) and stop on an error or at end of file: a file that shrank
 * under us is an I/O error, not a silent short read.
 */
int kp_block_read(kp_handle handle, uint64_t offset, void *buf, size_t len)
{
	struct linux_device *dev = checked(handle, offset, len);
	char *p = buf;

	if (!dev)
		return KEEL_EINVAL;
	while (len > 0) {
		long n =
		    linux_syscall4(LINUX_SYS_pread64, dev->fd, (long)p, (long)len, (long)offset);

		if (n == -LINUX_EINTR)
			continue;
		if (n <= 0)
			return KEEL_EIO;
		p += n;
		len -= (size_t)n;
		offset += (uint64_t)n;
	}
	return KEEL_OK;
}

int kp_block_write(kp_handle handle, uint64_t offset, const void *buf, size_t len)
{
	struct linux_device *dev = checked(handle, offset, len);
	const char *p = buf;

	if (!dev)
		return KEEL_EINVAL;
	while (len > 0) {
		long n =
		    linux_syscall4(LINUX_SYS_pwrite64, dev->fd, (long)p, (long)len, (long)offset);

		if (n == -LINUX_EINTR)
			continue;
		if (n <= 0)
			return KEEL_EIO;
		p += n;
		len -= (size_t)n;
		offset += (uint64_t)n;
	}
	return KEEL_OK;
}

int kp_block_flush(kp_handle handle)
{
	struct linux_device *dev = linux_device_get(handle, LINUX_DEVICE_BLOCK);
	long n;

	if (!dev)
		return KEEL_EINVAL;
	do {
		n = linux_syscall1(LINUX_SYS_fdatasync, dev->fd);
	} while (n == -LINUX_EINTR);
	return n < 0 ? KEEL_EIO : KEEL_OK;
}
