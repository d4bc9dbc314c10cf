/*
 * net.c — net devices: a TAP file descriptor, one Ethernet frame per
 * read or write.
 *
 * The TAP must be in IFF_TAP mode (Ethernet frames, not IP packets) with
 * IFF_NO_PI (no 4-byte packet-info prefix) and without IFF_VNET_HDR (no
 * virtio header), so that what read() returns is exactly a frame.
 */
#include "platform_impl.h"

#define NET_MTU 1500
#define ETH_HEADER 14
/* Frames the host sends that do not fit are dropped; reading stops after
 * this many drops in one call so a flood of them cannot hold the loop. */
#define NET_READ_DROPS_MAX 64

/* "a regular file", "a pipe": what a descriptor is, for messages. */
static const char *describe_mode(uint32_t mode)
{
	switch (mode & LINUX_S_IFMT) {
	case LINUX_S_IFREG:
		return "a regular file";
	case LINUX_S_IFDIR:
		return "a directory";
	case LINUX_S_IFCHR:
		return "a character device other than /dev/net/tun";
	case LINUX_S_IFBLK:
		return "a block device";
	case LINUX_S_IFIFO:
		return "a pipe";
	case LINUX_S_IFSOCK:
		return "a socket";
	default:
		return "not a TAP";
	}
}

static void refuse(const struct linux_device *dev, const char *why)
{
	char num[LINUX_NUM_BUF];

	linux_fail("net device '", dev->name, "' on fd ", linux_num(num, (uint64_t)dev->fd), " is ",
	           why, ", not a TAP with IFF_TAP|IFF_NO_PI; run the image with 'keel run'", NULL);
}

void linux_net_attach(struct linux_device *dev)
{
	struct linux_stat st;
	struct linux_ifreq ifr;
	long flags, err;

	/*
	 * Identify /dev/net/tun by its device number before the ioctl: the
	 * TUNGETIFF request number may mean something else to another
	 * driver, and we must not send it a request we did not intend.
	 */
	err = linux_syscall2(LINUX_SYS_fstat, dev->fd, (long)&st);
	if (err < 0)
		refuse(dev, linux_strerror(err));
	if ((st.st_mode & LINUX_S_IFMT) != LINUX_S_IFCHR ||
	    LINUX_DEV_MAJOR(st.st_rdev) != LINUX_TUN_MAJOR ||
	    LINUX_DEV_MINOR(st.st_rdev) != LINUX_TUN_MINOR)
		refuse(dev, describe_mode(st.st_mode));

	for (unsigned i = 0; i < sizeof(ifr); i++)
		((char *)&ifr)[i] = 0;
	err = linux_syscall3(LINUX_SYS_ioctl, dev->fd, LINUX_TUNGETIFF, (long)&ifr);
	if (err == -LINUX_EBADFD)
		refuse(dev, "/dev/net/tun not attached to an interface (no TUNSETIFF)");
	if (err < 0)
		refuse(dev, linux_strerror(err));
	if ((ifr.u.ifr_flags & (LINUX_IFF_TUN | LINUX_IFF_TAP)) != LINUX_IFF_TAP)
		refuse(dev, "a TUN (IP packets)");
	if (!(ifr.u.ifr_flags & LINUX_IFF_NO_PI))
		refuse(dev, "a TAP with packet information (IFF_NO_PI unset)");
	if (ifr.u.ifr_flags & LINUX_IFF_VNET_HDR)
		refuse(dev, "a TAP with virtio headers (IFF_VNET_HDR)");

	flags = linux_syscall2(LINUX_SYS_fcntl, dev->fd, LINUX_F_GETFL);
	if (flags < 0 || (flags & LINUX_O_ACCMODE) != LINUX_O_RDWR)
		refuse(dev, "a TAP not open for reading and writing");
	/* kp_yield() is the only place the image may wait. */
	if (!(flags & LINUX_O_NONBLOCK) &&
	    linux_syscall3(LINUX_SYS_fcntl, dev->fd, LINUX_F_SETFL, flags | LINUX_O_NONBLOCK) < 0)
		refuse(dev, "a TAP that cannot be made non-blocking");

	/* A fresh random address each start: locally administered (bit 1)
	 * and unicast (bit 0 clear) so it can never clash with a vendor's. */
	if (kp_random(dev->net.mac, sizeof(dev->net.mac)) != KEEL_OK)
		linux_fail("cannot draw a MAC address: getrandom failed", NULL);
	dev->net.mac[0] = (uint8_t)((dev->net.mac[0] & 0xfe) | 0x02);
	dev->net.mtu = NET_MTU;
}

int kp_net_acquire(const char *name, kp_handle *handle, struct kp_net_info *info)
{
	struct linux_device *dev = linux_device_find(name, LINUX_DEVICE_NET);

	if (!dev)
		return KEEL_ENODEV;
	*handle = (kp_handle)(dev - linux_devices);
	*info = dev->net;
	return KEEL_OK;
}

int kp_net_write(kp_handle handle, const void *buf, size_t len)
{
	struct linux_device *dev = linux_device_get(handle, LINUX_DEVICE_NET);
	long n;

	if (!dev || len < ETH_HEADER || len > dev->net.mtu + ETH_HEADER)
		return KEEL_EINVAL;
	do {
		n = linux_syscall3(LINUX_SYS_write, dev->fd, (long)buf, (long)len);
	} while (n == -LINUX_EINTR);
	if (n == (long)len)
		return KEEL_OK;
	/* A full queue: dropped, as on a congested wire. */
	if (n == -LINUX_EAGAIN || n == -LINUX_ENOBUFS || n == -LINUX_ENOMEM)
		return KEEL_EAGAIN;
	return KEEL_EIO;
}

int kp_net_read(kp_handle handle, void *buf, size_t size, size_t *len)
{
	struct linux_device *dev = linux_device_get(handle, LINUX_DEVICE_NET);
	size_t max = dev ? dev->net.mtu + ETH_HEADER : 0;
	unsigned char beyond;
	struct linux_iovec iov[2] = { { buf, max }, { &beyond, 1 } };

	if (!dev || size < max)
		return KEEL_EINVAL;
	/*
	 * A TAP hands out one frame per read and silently cuts a frame that
	 * does not fit. The extra byte at the end tells a frame larger than
	 * the MTU (the host side may have a larger one) from one that just
	 * fits: such frames are dropped, never passed on cut short.
	 */
	for (unsigned drops = 0; drops < NET_READ_DROPS_MAX;) {
		long n = linux_syscall3(LINUX_SYS_readv, dev->fd, (long)iov, 2);

		if (n == -LINUX_EINTR)
			continue;
		if (n == -LINUX_EAGAIN)
			return KEEL_EAGAIN;
		if (n < 0)
			return KEEL_EIO;
		if ((size_t)n > max || n < ETH_HEADER) {
			drops++; /* too large, or a runt that cannot be a frame */
			continue;
		}
		*len = (size_t)n;
		return KEEL_OK;
	}
	return KEEL_EAGAIN;
}
