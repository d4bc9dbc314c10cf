/*
 * net.c — net devices: a TAP file descriptor, one Ethernet frame per
 * read or write.
 *
 * The TAP must be in IFF_TAP mode (Ethernet frames, not IP packets) with
 * IFF_NO_PI (no 4-byte packet-info prefix). With IFF_VNET_HDR (what
 * keel-launch sets) every frame read or written is preceded by a
 * struct virtio_net_hdr, which is how the host kernel and the image
 * share checksum and segmentation offloads: the image sets the header
 * size and asks for TUN_F_CSUM | TUN_F_TSO4 before it is sealed, and then
 * offers the stack all four offloads of platform.h. The kernel may then
 * hand over frames whose TCP or UDP checksum is only partial (they come
 * from the host's own stack and never crossed a wire) and TCP/IPv4
 * segments of up to 64 KiB, and takes the same from the image. Without
 * IFF_VNET_HDR what read() returns is exactly a frame and no offload is
 * offered.
 *
 * Every header the host writes is checked before the frame is passed on
 * (kp_net_recv): unknown flags or GSO types, a checksum range outside the
 * frame, a GSO frame without a segment size, a large frame without GSO
 * are dropped.
 */
#include "platform_impl.h"
#include "vnet.h"

#define NET_MTU 1500
#define ETH_HEADER 14
#define VNET_HDR_LEN ((long)sizeof(struct linux_vnet_hdr))
/* Frames the host sends that do not fit are dropped; reading stops after
 * this many drops in one call so a flood of them cannot hold the loop. */
#define NET_READ_DROPS_MAX 64

#define OFFLOADS_ALL                                                                               \
	(KP_NET_OFF_RX_CSUM | KP_NET_OFF_TX_CSUM | KP_NET_OFF_TX_TSO4 | KP_NET_OFF_RX_GSO4)

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

/* The offloads of a TAP with virtio headers: the header size is set to
 * the 10 bytes of struct virtio_net_hdr, then the kernel is told what the
 * image takes. Sending large or partial frames needs nothing more. */
static uint32_t vnet_setup(struct linux_device *dev)
{
	int size = (int)VNET_HDR_LEN;

	if (linux_syscall3(LINUX_SYS_ioctl, dev->fd, LINUX_TUNSETVNETHDRSZ, (long)&size) < 0)
		refuse(dev, "a TAP whose virtio header size cannot be set");
	if (linux_syscall3(LINUX_SYS_ioctl, dev->fd, LINUX_TUNSETOFFLOAD,
	                   LINUX_TUN_F_CSUM | LINUX_TUN_F_TSO4) == 0)
		return OFFLOADS_ALL;
	if (linux_syscall3(LINUX_SYS_ioctl, dev->fd, LINUX_TUNSETOFFLOAD, LINUX_TUN_F_CSUM) == 0)
		return KP_NET_OFF_RX_CSUM | KP_NET_OFF_TX_CSUM | KP_NET_OFF_TX_TSO4;
	return KP_NET_OFF_TX_CSUM | KP_NET_OFF_TX_TSO4;
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

	flags = linux_syscall2(LINUX_SYS_fcntl, dev->fd, LINUX_F_GETFL);
	if (flags < 0 || (flags & LINUX_O_ACCMODE) != LINUX_O_RDWR)
		refuse(dev, "a TAP not open for reading and writing");
	/* kp_yield() is the only place the image may wait. */
	if (!(flags & LINUX_O_NONBLOCK) &&
	    linux_syscall3(LINUX_SYS_fcntl, dev->fd, LINUX_F_SETFL, flags | LINUX_O_NONBLOCK) < 0)
		refuse(dev, "a TAP that cannot be made non-blocking");

	dev->vnet = (ifr.u.ifr_flags & LINUX_IFF_VNET_HDR) != 0;
	dev->net.offloads = dev->vnet ? vnet_setup(dev) : 0;

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

/* ---- Sending ------------------------------------------------------------- */

int kp_net_send(kp_handle handle, const struct kp_net_frag *frags, unsigned nfrags,
                const struct kp_net_meta *meta)
{
	struct linux_device *dev = linux_device_get(handle, LINUX_DEVICE_NET);
	struct linux_iovec iov[KP_NET_FRAGS_MAX + 1];
	struct linux_vnet_hdr vh;
	unsigned niov = 0;
	size_t total = 0;
	long n;

	if (!dev || nfrags == 0 || nfrags > KP_NET_FRAGS_MAX)
		return KEEL_EINVAL;
	if (dev->vnet)
		iov[niov++] = (struct linux_iovec){ &vh, (uint64_t)VNET_HDR_LEN };
	for (unsigned i = 0; i < nfrags; i++) {
		if (frags[i].len > KP_NET_GSO_FRAME_MAX)
			return KEEL_EINVAL;
		total += frags[i].len;
		/* The kernel reads it; the cast only fits the iovec's type. */
		iov[niov++] =
		    (struct linux_iovec){ (void *)(uintptr_t)frags[i].base, frags[i].len };
	}
	if (total < ETH_HEADER ||
	    !linux_vnet_out(dev->net.mtu, dev->net.offloads, frags, nfrags, total, meta, &vh))
		return KEEL_EINVAL;
	if (!dev->vnet && meta && meta->flags)
		return KEEL_EINVAL;
	do {
		n = linux_syscall3(LINUX_SYS_writev, dev->fd, (long)iov, niov);
	} while (n == -LINUX_EINTR);
	if (n == (long)total + (dev->vnet ? VNET_HDR_LEN : 0))
		return KEEL_OK;
	/* A full queue: dropped, as on a congested wire. */
	if (n == -LINUX_EAGAIN || n == -LINUX_ENOBUFS || n == -LINUX_ENOMEM)
		return KEEL_EAGAIN;
	return KEEL_EIO;
}

int kp_net_write(kp_handle handle, const void *buf, size_t len)
{
	struct kp_net_frag f = { buf, len };

	return kp_net_send(handle, &f, 1, NULL);
}

/* ---- Receiving ----------------------------------------------------------- */

/* Reads one frame into bufs; as kp_net_recv(), plus *partial. */
static int recv_frame(struct linux_device *dev, const struct kp_net_buf *bufs, unsigned nbufs,
                      size_t *len, struct kp_net_meta *meta, bool *partial)
{
	struct linux_iovec iov[KP_NET_FRAGS_MAX + 2];
	struct linux_vnet_hdr vh = { 0 };
	unsigned char beyond;
	unsigned niov = 0;
	size_t room = 0;
	long hdr = dev->vnet ? VNET_HDR_LEN : 0;

	if (dev->vnet)
		iov[niov++] = (struct linux_iovec){ &vh, (uint64_t)VNET_HDR_LEN };
	for (unsigned i = 0; i < nbufs; i++) {
		room += bufs[i].len;
		iov[niov++] = (struct linux_iovec){ bufs[i].base, bufs[i].len };
	}
	if (room < dev->net.mtu + ETH_HEADER)
		return KEEL_EINVAL;
	/*
	 * A TAP hands out one frame per read and silently cuts a frame that
	 * does not fit. The extra byte at the end tells a frame larger than
	 * the room (the host side may have a larger one) from one that just
	 * fits: such frames are dropped, never passed on cut short.
	 */
	iov[niov++] = (struct linux_iovec){ &beyond, 1 };
	for (unsigned drops = 0; drops < NET_READ_DROPS_MAX;) {
		long n = linux_syscall3(LINUX_SYS_readv, dev->fd, (long)iov, niov);
		size_t flen;

		if (n == -LINUX_EINTR)
			continue;
		if (n == -LINUX_EAGAIN)
			return KEEL_EAGAIN;
		if (n < 0)
			return KEEL_EIO;
		if (n < hdr + ETH_HEADER || (size_t)(n - hdr) > room) {
			drops++; /* too large, or a runt that cannot be a frame */
			continue;
		}
		flen = (size_t)(n - hdr);
		*meta = (struct kp_net_meta){ 0 };
		*partial = false;
		if (dev->vnet &&
		    !linux_vnet_in(dev->net.mtu, dev->net.offloads, &vh, flen, meta, partial)) {
			drops++;
			continue;
		}
		if (!dev->vnet && flen > dev->net.mtu + ETH_HEADER) {
			drops++;
			continue;
		}
		*len = flen;
		return KEEL_OK;
	}
	return KEEL_EAGAIN;
}

int kp_net_recv(kp_handle handle, const struct kp_net_buf *bufs, unsigned nbufs, size_t *len,
                struct kp_net_meta *meta)
{
	struct linux_device *dev = linux_device_get(handle, LINUX_DEVICE_NET);
	bool partial;

	if (!dev || nbufs == 0 || nbufs > KP_NET_FRAGS_MAX)
		return KEEL_EINVAL;
	return recv_frame(dev, bufs, nbufs, len, meta, &partial);
}

int kp_net_read(kp_handle handle, void *buf, size_t size, size_t *len)
{
	struct linux_device *dev = linux_device_get(handle, LINUX_DEVICE_NET);
	struct kp_net_buf b = { buf, dev ? dev->net.mtu + ETH_HEADER : 0 };
	struct kp_net_meta meta;
	bool partial;
	int err;

	if (!dev || size < b.len)
		return KEEL_EINVAL;
	err = recv_frame(dev, &b, 1, len, &meta, &partial);
	if (err == KEEL_OK && partial) {
		/* The caller takes whole checksums: complete it here. The
		 * field holds the pseudo-header sum, which the sum covers. */
		linux_csum_complete(buf, *len, meta.csum_start, meta.csum_offset);
	}
	return err;
}
