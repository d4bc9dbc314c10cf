/*
 * abi.h — the slice of the Linux x86_64 kernel ABI the platform uses:
 * system call numbers, constants and structure layouts.
 *
 * Images are built with -nostdinc, so the kernel's own headers are not
 * available; the values below are fixed by the kernel ABI and never change.
 * tests/linux/filter_test.c checks each one against the host's headers.
 *
 * This header holds only plain data so that host unit tests can include it
 * (the filter generator is tested on the host); the system call instruction
 * itself lives in syscall.h.
 */
#ifndef KEEL_LINUX_ABI_H
#define KEEL_LINUX_ABI_H

#include <stdint.h>

/* ---- System call numbers (arch/x86/entry/syscalls/syscall_64.tbl) ---- */

#define LINUX_SYS_read 0
#define LINUX_SYS_write 1
#define LINUX_SYS_close 3
#define LINUX_SYS_fstat 5
#define LINUX_SYS_mmap 9
#define LINUX_SYS_mprotect 10
#define LINUX_SYS_rt_sigaction 13
#define LINUX_SYS_rt_sigprocmask 14
#define LINUX_SYS_ioctl 16
#define LINUX_SYS_pread64 17
#define LINUX_SYS_pwrite64 18
#define LINUX_SYS_readv 19
#define LINUX_SYS_writev 20
#define LINUX_SYS_getpid 39
#define LINUX_SYS_socket 41
#define LINUX_SYS_connect 42
#define LINUX_SYS_sendto 44
#define LINUX_SYS_recvfrom 45
#define LINUX_SYS_shutdown 48
#define LINUX_SYS_bind 49
#define LINUX_SYS_listen 50
#define LINUX_SYS_getsockname 51
#define LINUX_SYS_getpeername 52
#define LINUX_SYS_setsockopt 54
#define LINUX_SYS_getsockopt 55
#define LINUX_SYS_exit 60
#define LINUX_SYS_kill 62
#define LINUX_SYS_fcntl 72
#define LINUX_SYS_fdatasync 75
#define LINUX_SYS_prctl 157
#define LINUX_SYS_clock_gettime 228
#define LINUX_SYS_exit_group 231
#define LINUX_SYS_epoll_wait 232
#define LINUX_SYS_epoll_ctl 233
#define LINUX_SYS_ppoll 271
#define LINUX_SYS_accept4 288
#define LINUX_SYS_epoll_create1 291
#define LINUX_SYS_prlimit64 302
#define LINUX_SYS_seccomp 317
#define LINUX_SYS_getrandom 318
#define LINUX_SYS_close_range 436

/* System call numbers with this bit set belong to the x32 ABI. */
#define X32_SYSCALL_BIT 0x40000000u

/* ---- errno values (returned negated by the raw system call) ---------- */

#define LINUX_EPERM 1
#define LINUX_ENOENT 2
#define LINUX_EINTR 4
#define LINUX_EIO 5
#define LINUX_EBADF 9
#define LINUX_EAGAIN 11
#define LINUX_ENOMEM 12
#define LINUX_EACCES 13
#define LINUX_EINVAL 22
#define LINUX_ENFILE 23
#define LINUX_EMFILE 24
#define LINUX_ENOTTY 25
#define LINUX_EPIPE 32
#define LINUX_ENOSYS 38
#define LINUX_EPROTO 71
#define LINUX_EBADFD 77
#define LINUX_EMSGSIZE 90
#define LINUX_EADDRINUSE 98
#define LINUX_EADDRNOTAVAIL 99
#define LINUX_ENETDOWN 100
#define LINUX_ENETUNREACH 101
#define LINUX_ECONNABORTED 103
#define LINUX_ECONNRESET 104
#define LINUX_ENOBUFS 105
#define LINUX_ENOTCONN 107
#define LINUX_ETIMEDOUT 110
#define LINUX_ECONNREFUSED 111
#define LINUX_EHOSTDOWN 112
#define LINUX_EHOSTUNREACH 113
#define LINUX_EALREADY 114
#define LINUX_EINPROGRESS 115

/* ---- Files --------------------------------------------------------------- */

#define LINUX_F_GETFD 1
#define LINUX_F_GETFL 3
#define LINUX_F_SETFL 4

#define LINUX_O_ACCMODE 0003
#define LINUX_O_RDWR 0002
#define LINUX_O_APPEND 02000
#define LINUX_O_NONBLOCK 04000

#define LINUX_S_IFMT 0170000
#define LINUX_S_IFSOCK 0140000
#define LINUX_S_IFREG 0100000
#define LINUX_S_IFBLK 0060000
#define LINUX_S_IFDIR 0040000
#define LINUX_S_IFCHR 0020000
#define LINUX_S_IFIFO 0010000

/* struct stat as x86_64 fstat() fills it (144 bytes). */
struct linux_stat {
	uint64_t st_dev;
	uint64_t st_ino;
	uint64_t st_nlink;
	uint32_t st_mode;
	uint32_t st_uid;
	uint32_t st_gid;
	uint32_t pad0;
	uint64_t st_rdev;
	int64_t st_size;
	int64_t st_blksize;
	int64_t st_blocks;
	uint64_t st_time[6]; /* atime, mtime, ctime: seconds and nanoseconds */
	int64_t reserved[3];
};

/* Device numbers as the kernel encodes them in st_rdev (new_encode_dev). */
#define LINUX_DEV_MAJOR(d)                                                                         \
	((unsigned)((((uint64_t)(d) >> 8) & 0xfff) | (((uint64_t)(d) >> 32) & ~0xfffu)))
#define LINUX_DEV_MINOR(d) ((unsigned)(((uint64_t)(d)&0xff) | (((uint64_t)(d) >> 12) & ~0xffu)))

/* /dev/net/tun is the misc character device 10:200 on every Linux. */
#define LINUX_TUN_MAJOR 10
#define LINUX_TUN_MINOR 200

struct linux_iovec {
	void *base;
	uint64_t len;
};

/* ---- ioctl --------------------------------------------------------------- */

#define LINUX_TUNGETIFF 0x800454d2u    /* _IOR('T', 210, unsigned int) */
#define LINUX_BLKGETSIZE64 0x80081272u /* _IOR(0x12, 114, size_t) */
#define LINUX_TUNSETOFFLOAD 0x400454d0u    /* _IOW('T', 208, unsigned int) */
#define LINUX_TUNSETVNETHDRSZ 0x400454d8u  /* _IOW('T', 216, int) */

/* TUNSETOFFLOAD: what the reader of the TAP can take. */
#define LINUX_TUN_F_CSUM 0x01
#define LINUX_TUN_F_TSO4 0x02

/* struct virtio_net_hdr in front of each frame of an IFF_VNET_HDR TAP
 * (10 bytes, the host's byte order). */
struct linux_vnet_hdr {
	uint8_t flags;
	uint8_t gso_type;
	uint16_t hdr_len;
	uint16_t gso_size;
	uint16_t csum_start;
	uint16_t csum_offset;
};
#define LINUX_VNET_F_NEEDS_CSUM 1
#define LINUX_VNET_F_DATA_VALID 2
#define LINUX_VNET_GSO_NONE 0
#define LINUX_VNET_GSO_TCPV4 1
#define LINUX_VNET_GSO_ECN 0x80

#define LINUX_IFF_TUN 0x0001
#define LINUX_IFF_TAP 0x0002
#define LINUX_IFF_NO_PI 0x1000
#define LINUX_IFF_VNET_HDR 0x4000
#define LINUX_IFNAMSIZ 16

/* struct ifreq as TUNGETIFF fills it (40 bytes; only the flags matter). */
struct linux_ifreq {
	char ifr_name[LINUX_IFNAMSIZ];
	union {
		uint16_t ifr_flags;
		char pad[24];
	} u;
};

/* ---- Memory -------------------------------------------------------------- */

#define LINUX_PROT_NONE 0
#define LINUX_PROT_READ 1
#define LINUX_PROT_WRITE 2
#define LINUX_MAP_PRIVATE 0x02
#define LINUX_MAP_ANONYMOUS 0x20
#define LINUX_MAP_NORESERVE 0x4000
#define LINUX_PAGE_SIZE 4096

/* ---- Time and polling ---------------------------------------------------- */

#define LINUX_CLOCK_REALTIME 0
#define LINUX_CLOCK_MONOTONIC 1

struct linux_timespec {
	int64_t tv_sec;
	int64_t tv_nsec;
};

#define LINUX_POLLIN 0x001
#define LINUX_POLLOUT 0x004
#define LINUX_POLLNVAL 0x020

struct linux_pollfd {
	int32_t fd;
	int16_t events;
	int16_t revents;
};

/* ---- Sockets and epoll (only for host sockets, hostsock.h) -------------- */

#define LINUX_AF_INET 2
#define LINUX_SOCK_STREAM 1
#define LINUX_SOCK_DGRAM 2
#define LINUX_SOCK_NONBLOCK 04000
#define LINUX_SOCK_CLOEXEC 02000000

#define LINUX_SOL_SOCKET 1
#define LINUX_SO_REUSEADDR 2
#define LINUX_SO_ERROR 4
#define LINUX_SO_SNDBUF 7
#define LINUX_SO_RCVBUF 8
#define LINUX_SO_KEEPALIVE 9
#define LINUX_SO_LINGER 13
#define LINUX_IPPROTO_TCP 6
#define LINUX_TCP_NODELAY 1
#define LINUX_TCP_KEEPIDLE 4
#define LINUX_TCP_KEEPINTVL 5
#define LINUX_TCP_KEEPCNT 6

#define LINUX_SHUT_RD 0
#define LINUX_SHUT_WR 1
#define LINUX_SHUT_RDWR 2

#define LINUX_MSG_TRUNC 0x20

/* struct sockaddr_in (16 bytes); port and address in network order. */
struct linux_sockaddr_in {
	uint16_t family;
	uint8_t port[2];
	uint8_t addr[4];
	uint8_t zero[8];
};

struct linux_linger {
	int32_t onoff;
	int32_t linger; /* seconds */
};

#define LINUX_EPOLL_CLOEXEC 02000000
#define LINUX_EPOLL_CTL_ADD 1
#define LINUX_EPOLLIN 0x001u
#define LINUX_EPOLLOUT 0x004u
#define LINUX_EPOLLERR 0x008u
#define LINUX_EPOLLHUP 0x010u
#define LINUX_EPOLLRDHUP 0x2000u
#define LINUX_EPOLLET 0x80000000u

/* struct epoll_event: packed on x86_64 (12 bytes), unlike other arches. */
struct linux_epoll_event {
	uint32_t events;
	uint64_t data;
} __attribute__((packed));

/* ---- Signals and limits -------------------------------------------------- */

#define LINUX_SIGABRT 6
#define LINUX_SIGPIPE 13
#define LINUX_SIG_BLOCK 0
#define LINUX_SIG_UNBLOCK 1
#define LINUX_SIGSET_SIZE 8 /* the kernel's sigset_t: 64 bits */
#define LINUX_SIGBIT(sig) ((uint64_t)1 << ((sig)-1))

/* The kernel's struct sigaction for rt_sigaction (not the C library's). */
struct linux_sigaction {
	uint64_t handler; /* 0: SIG_DFL */
	uint64_t flags;
	uint64_t restorer;
	uint64_t mask;
};

#define LINUX_RLIMIT_NOFILE 7

struct linux_rlimit {
	uint64_t cur;
	uint64_t max;
};

/* ---- Auxiliary vector ---------------------------------------------------- */

#define LINUX_AT_NULL 0
#define LINUX_AT_RANDOM 25

/* ---- seccomp and classic BPF --------------------------------------------- */

#define LINUX_PR_SET_SECCOMP 22
#define LINUX_PR_SET_NO_NEW_PRIVS 38
#define LINUX_SECCOMP_MODE_FILTER 2
#define LINUX_SECCOMP_SET_MODE_FILTER 1

#define LINUX_SECCOMP_RET_KILL_PROCESS 0x80000000u
#define LINUX_SECCOMP_RET_ALLOW 0x7fff0000u

/* EM_X86_64 (62) | __AUDIT_ARCH_64BIT | __AUDIT_ARCH_LE */
#define LINUX_AUDIT_ARCH_X86_64 0xc000003eu

/* Offsets into struct seccomp_data, which the filter loads from. */
#define LINUX_SECCOMP_DATA_NR 0
#define LINUX_SECCOMP_DATA_ARCH 4
#define LINUX_SECCOMP_DATA_ARG_LO(i) (16 + 8 * (i)) /* little-endian */
#define LINUX_SECCOMP_DATA_ARG_HI(i) (20 + 8 * (i))

/* Opcodes: class | size | mode | op | source, as in linux/filter.h. */
#define LINUX_BPF_LD_W_ABS 0x20 /* BPF_LD | BPF_W | BPF_ABS */
#define LINUX_BPF_JEQ_K 0x15    /* BPF_JMP | BPF_JEQ | BPF_K */
#define LINUX_BPF_JGE_K 0x35    /* BPF_JMP | BPF_JGE | BPF_K */
#define LINUX_BPF_JA 0x05       /* BPF_JMP | BPF_JA */
#define LINUX_BPF_RET_K 0x06    /* BPF_RET | BPF_K */

struct linux_sock_filter {
	uint16_t code;
	uint8_t jt;
	uint8_t jf;
	uint32_t k;
};

struct linux_sock_fprog {
	uint16_t len;
	const struct linux_sock_filter *filter;
};

#endif
