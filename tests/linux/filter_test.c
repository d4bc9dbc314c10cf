/*
 * Unit test of platform/linux/filter.c and abi.h, on the host.
 *
 * 1. Every kernel ABI value abi.h hard-codes equals the host's own headers.
 * 2. Filters built for several device sets, with and without host sockets,
 *    are run, call by call, through a small classic-BPF interpreter,
 *    against the allow-list in filter.c.
 * 3. The kernel itself accepts the largest filter, and a child sealed with
 *    it is killed by SIGSYS for a forbidden call but not for an allowed one.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/if_packet.h>
#include <linux/fs.h>
#include <linux/if_tun.h>
#include <linux/virtio_net.h>
#include <linux/seccomp.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/auxv.h>
#include <sys/epoll.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "filter.h"

static int failures;

#define CHECK(cond)                                                                                \
	do {                                                                                       \
		if (!(cond)) {                                                                     \
			fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, __LINE__, #cond);   \
			failures++;                                                                \
		}                                                                                  \
	} while (0)

#define SAME(ours, theirs) CHECK((long long)(ours) == (long long)(theirs))

static void test_abi(void)
{
	SAME(LINUX_SYS_read, __NR_read);
	SAME(LINUX_SYS_write, __NR_write);
	SAME(LINUX_SYS_close, __NR_close);
	SAME(LINUX_SYS_writev, __NR_writev);
	SAME(LINUX_SYS_socket, __NR_socket);
	SAME(LINUX_SYS_connect, __NR_connect);
	SAME(LINUX_SYS_sendto, __NR_sendto);
	SAME(LINUX_SYS_recvfrom, __NR_recvfrom);
	SAME(LINUX_SYS_shutdown, __NR_shutdown);
	SAME(LINUX_SYS_bind, __NR_bind);
	SAME(LINUX_SYS_listen, __NR_listen);
	SAME(LINUX_SYS_getsockname, __NR_getsockname);
	SAME(LINUX_SYS_getpeername, __NR_getpeername);
	SAME(LINUX_SYS_setsockopt, __NR_setsockopt);
	SAME(LINUX_SYS_getsockopt, __NR_getsockopt);
	SAME(LINUX_SYS_epoll_wait, __NR_epoll_wait);
	SAME(LINUX_SYS_epoll_ctl, __NR_epoll_ctl);
	SAME(LINUX_SYS_accept4, __NR_accept4);
	SAME(LINUX_SYS_epoll_create1, __NR_epoll_create1);
	SAME(LINUX_SYS_fstat, __NR_fstat);
	SAME(LINUX_SYS_mmap, __NR_mmap);
	SAME(LINUX_SYS_mprotect, __NR_mprotect);
	SAME(LINUX_SYS_rt_sigaction, __NR_rt_sigaction);
	SAME(LINUX_SYS_rt_sigprocmask, __NR_rt_sigprocmask);
	SAME(LINUX_SYS_ioctl, __NR_ioctl);
	SAME(LINUX_SYS_pread64, __NR_pread64);
	SAME(LINUX_SYS_pwrite64, __NR_pwrite64);
	SAME(LINUX_SYS_readv, __NR_readv);
	SAME(LINUX_SYS_getpid, __NR_getpid);
	SAME(LINUX_SYS_exit, __NR_exit);
	SAME(LINUX_SYS_kill, __NR_kill);
	SAME(LINUX_SYS_fcntl, __NR_fcntl);
	SAME(LINUX_SYS_fdatasync, __NR_fdatasync);
	SAME(LINUX_SYS_prctl, __NR_prctl);
	SAME(LINUX_SYS_clock_gettime, __NR_clock_gettime);
	SAME(LINUX_SYS_exit_group, __NR_exit_group);
	SAME(LINUX_SYS_ppoll, __NR_ppoll);
	SAME(LINUX_SYS_prlimit64, __NR_prlimit64);
	SAME(LINUX_SYS_seccomp, __NR_seccomp);
	SAME(LINUX_SYS_getrandom, __NR_getrandom);
	SAME(X32_SYSCALL_BIT, __X32_SYSCALL_BIT);

	SAME(LINUX_EPERM, EPERM);
	SAME(LINUX_ENOENT, ENOENT);
	SAME(LINUX_EINTR, EINTR);
	SAME(LINUX_EIO, EIO);
	SAME(LINUX_EBADF, EBADF);
	SAME(LINUX_EAGAIN, EAGAIN);
	SAME(LINUX_ENOMEM, ENOMEM);
	SAME(LINUX_EACCES, EACCES);
	SAME(LINUX_EINVAL, EINVAL);
	SAME(LINUX_ENOTTY, ENOTTY);
	SAME(LINUX_ENOSYS, ENOSYS);
	SAME(LINUX_ENOBUFS, ENOBUFS);
	SAME(LINUX_EBADFD, EBADFD);
	SAME(LINUX_ENFILE, ENFILE);
	SAME(LINUX_EMFILE, EMFILE);
	SAME(LINUX_EPIPE, EPIPE);
	SAME(LINUX_EPROTO, EPROTO);
	SAME(LINUX_EMSGSIZE, EMSGSIZE);
	SAME(LINUX_EADDRINUSE, EADDRINUSE);
	SAME(LINUX_EADDRNOTAVAIL, EADDRNOTAVAIL);
	SAME(LINUX_ENETDOWN, ENETDOWN);
	SAME(LINUX_ENETUNREACH, ENETUNREACH);
	SAME(LINUX_ECONNABORTED, ECONNABORTED);
	SAME(LINUX_ECONNRESET, ECONNRESET);
	SAME(LINUX_ENOTCONN, ENOTCONN);
	SAME(LINUX_ETIMEDOUT, ETIMEDOUT);
	SAME(LINUX_ECONNREFUSED, ECONNREFUSED);
	SAME(LINUX_EHOSTDOWN, EHOSTDOWN);
	SAME(LINUX_EHOSTUNREACH, EHOSTUNREACH);
	SAME(LINUX_EALREADY, EALREADY);
	SAME(LINUX_EINPROGRESS, EINPROGRESS);

	SAME(LINUX_AF_INET, AF_INET);
	SAME(LINUX_SOCK_STREAM, SOCK_STREAM);
	SAME(LINUX_SOCK_DGRAM, SOCK_DGRAM);
	SAME(LINUX_SOCK_NONBLOCK, SOCK_NONBLOCK);
	SAME(LINUX_SOCK_CLOEXEC, SOCK_CLOEXEC);
	SAME(LINUX_SOL_SOCKET, SOL_SOCKET);
	SAME(LINUX_SO_REUSEADDR, SO_REUSEADDR);
	SAME(LINUX_SO_ERROR, SO_ERROR);
	SAME(LINUX_SO_SNDBUF, SO_SNDBUF);
	SAME(LINUX_SO_RCVBUF, SO_RCVBUF);
	SAME(LINUX_SO_KEEPALIVE, SO_KEEPALIVE);
	SAME(LINUX_SO_LINGER, SO_LINGER);
	SAME(LINUX_IPPROTO_TCP, IPPROTO_TCP);
	SAME(LINUX_TCP_NODELAY, TCP_NODELAY);
	SAME(LINUX_TCP_KEEPIDLE, TCP_KEEPIDLE);
	SAME(LINUX_TCP_KEEPINTVL, TCP_KEEPINTVL);
	SAME(LINUX_TCP_KEEPCNT, TCP_KEEPCNT);
	SAME(LINUX_SHUT_RD, SHUT_RD);
	SAME(LINUX_SHUT_WR, SHUT_WR);
	SAME(LINUX_SHUT_RDWR, SHUT_RDWR);
	SAME(LINUX_MSG_TRUNC, MSG_TRUNC);
	SAME(sizeof(struct linux_sockaddr_in), sizeof(struct sockaddr_in));
	SAME(offsetof(struct linux_sockaddr_in, port), offsetof(struct sockaddr_in, sin_port));
	SAME(offsetof(struct linux_sockaddr_in, addr), offsetof(struct sockaddr_in, sin_addr));
	SAME(sizeof(struct linux_linger), sizeof(struct linger));
	SAME(LINUX_EPOLL_CLOEXEC, EPOLL_CLOEXEC);
	SAME(LINUX_EPOLL_CTL_ADD, EPOLL_CTL_ADD);
	SAME(LINUX_EPOLLIN, EPOLLIN);
	SAME(LINUX_EPOLLOUT, EPOLLOUT);
	SAME(LINUX_EPOLLERR, EPOLLERR);
	SAME(LINUX_EPOLLHUP, EPOLLHUP);
	SAME(LINUX_EPOLLRDHUP, EPOLLRDHUP);
	SAME(LINUX_EPOLLET, EPOLLET);
	SAME(sizeof(struct linux_epoll_event), sizeof(struct epoll_event));
	SAME(offsetof(struct linux_epoll_event, data), offsetof(struct epoll_event, data));

	SAME(LINUX_F_GETFD, F_GETFD);
	SAME(LINUX_F_GETFL, F_GETFL);
	SAME(LINUX_F_SETFL, F_SETFL);
	SAME(LINUX_O_ACCMODE, O_ACCMODE);
	SAME(LINUX_O_RDWR, O_RDWR);
	SAME(LINUX_O_APPEND, O_APPEND);
	SAME(LINUX_O_NONBLOCK, O_NONBLOCK);
	SAME(LINUX_S_IFMT, S_IFMT);
	SAME(LINUX_S_IFSOCK, S_IFSOCK);
	SAME(LINUX_S_IFREG, S_IFREG);
	SAME(LINUX_S_IFBLK, S_IFBLK);
	SAME(LINUX_S_IFDIR, S_IFDIR);
	SAME(LINUX_S_IFCHR, S_IFCHR);
	SAME(LINUX_S_IFIFO, S_IFIFO);

	/* struct stat as glibc declares it for x86_64 is the kernel's. */
	SAME(sizeof(struct linux_stat), sizeof(struct stat));
	SAME(offsetof(struct linux_stat, st_mode), offsetof(struct stat, st_mode));
	SAME(offsetof(struct linux_stat, st_rdev), offsetof(struct stat, st_rdev));
	SAME(offsetof(struct linux_stat, st_size), offsetof(struct stat, st_size));
	SAME(LINUX_DEV_MAJOR(makedev(10, 200)), 10);
	SAME(LINUX_DEV_MINOR(makedev(10, 200)), 200);
	SAME(LINUX_DEV_MAJOR(makedev(4095 + 7, 0x12345)), 4095 + 7);
	SAME(LINUX_DEV_MINOR(makedev(4095 + 7, 0x12345)), 0x12345);

	SAME(LINUX_TUNGETIFF, TUNGETIFF);
	SAME(LINUX_BLKGETSIZE64, BLKGETSIZE64);
	SAME(LINUX_IFF_TUN, IFF_TUN);
	SAME(LINUX_IFF_TAP, IFF_TAP);
	SAME(LINUX_IFF_NO_PI, IFF_NO_PI);
	SAME(LINUX_IFF_VNET_HDR, IFF_VNET_HDR);
	SAME(LINUX_TUNSETOFFLOAD, TUNSETOFFLOAD);
	SAME(LINUX_TUNSETVNETHDRSZ, TUNSETVNETHDRSZ);
	SAME(LINUX_TUN_F_CSUM, TUN_F_CSUM);
	SAME(LINUX_TUN_F_TSO4, TUN_F_TSO4);
	SAME(sizeof(struct linux_vnet_hdr), sizeof(struct virtio_net_hdr));
	SAME(offsetof(struct linux_vnet_hdr, gso_size), offsetof(struct virtio_net_hdr, gso_size));
	SAME(offsetof(struct linux_vnet_hdr, csum_start),
	     offsetof(struct virtio_net_hdr, csum_start));
	SAME(offsetof(struct linux_vnet_hdr, csum_offset),
	     offsetof(struct virtio_net_hdr, csum_offset));
	SAME(LINUX_VNET_F_NEEDS_CSUM, VIRTIO_NET_HDR_F_NEEDS_CSUM);
	SAME(LINUX_VNET_F_DATA_VALID, VIRTIO_NET_HDR_F_DATA_VALID);
	SAME(LINUX_VNET_GSO_TCPV4, VIRTIO_NET_HDR_GSO_TCPV4);
	SAME(LINUX_VNET_GSO_ECN, VIRTIO_NET_HDR_GSO_ECN);
	SAME(sizeof(struct linux_ifreq), 40);
	SAME(offsetof(struct linux_ifreq, u.ifr_flags), 16);

	SAME(sizeof(struct linux_iovec), sizeof(struct iovec));
	SAME(offsetof(struct linux_iovec, len), offsetof(struct iovec, iov_len));

	SAME(LINUX_PROT_NONE, PROT_NONE);
	SAME(LINUX_PROT_READ, PROT_READ);
	SAME(LINUX_PROT_WRITE, PROT_WRITE);
	SAME(LINUX_MAP_PRIVATE, MAP_PRIVATE);
	SAME(LINUX_MAP_ANONYMOUS, MAP_ANONYMOUS);
	SAME(LINUX_MAP_NORESERVE, MAP_NORESERVE);

	SAME(LINUX_CLOCK_REALTIME, CLOCK_REALTIME);
	SAME(LINUX_CLOCK_MONOTONIC, CLOCK_MONOTONIC);
	SAME(sizeof(struct linux_timespec), sizeof(struct timespec));
	SAME(LINUX_POLLIN, POLLIN);
	SAME(LINUX_POLLOUT, POLLOUT);
	SAME(LINUX_POLLNVAL, POLLNVAL);
	SAME(sizeof(struct linux_pollfd), sizeof(struct pollfd));
	SAME(offsetof(struct linux_pollfd, revents), offsetof(struct pollfd, revents));

	SAME(LINUX_SIGABRT, SIGABRT);
	SAME(LINUX_SIGPIPE, SIGPIPE);
	SAME(LINUX_SIG_BLOCK, SIG_BLOCK);
	SAME(LINUX_SIG_UNBLOCK, SIG_UNBLOCK);
	SAME(LINUX_RLIMIT_NOFILE, RLIMIT_NOFILE);
	SAME(LINUX_AT_NULL, AT_NULL);
	SAME(LINUX_AT_RANDOM, AT_RANDOM);

	SAME(LINUX_PR_SET_SECCOMP, PR_SET_SECCOMP);
	SAME(LINUX_PR_SET_NO_NEW_PRIVS, PR_SET_NO_NEW_PRIVS);
	SAME(LINUX_SECCOMP_MODE_FILTER, SECCOMP_MODE_FILTER);
	SAME(LINUX_SECCOMP_SET_MODE_FILTER, SECCOMP_SET_MODE_FILTER);
	SAME(LINUX_SECCOMP_RET_KILL_PROCESS, SECCOMP_RET_KILL_PROCESS);
	SAME(LINUX_SECCOMP_RET_ALLOW, SECCOMP_RET_ALLOW);
	SAME(LINUX_AUDIT_ARCH_X86_64, AUDIT_ARCH_X86_64);
	SAME(LINUX_SECCOMP_DATA_NR, offsetof(struct seccomp_data, nr));
	SAME(LINUX_SECCOMP_DATA_ARCH, offsetof(struct seccomp_data, arch));
	SAME(LINUX_SECCOMP_DATA_ARG_LO(2), offsetof(struct seccomp_data, args[2]));
	SAME(LINUX_SECCOMP_DATA_ARG_HI(2), offsetof(struct seccomp_data, args[2]) + 4);
	SAME(LINUX_BPF_LD_W_ABS, BPF_LD | BPF_W | BPF_ABS);
	SAME(LINUX_BPF_JEQ_K, BPF_JMP | BPF_JEQ | BPF_K);
	SAME(LINUX_BPF_JGE_K, BPF_JMP | BPF_JGE | BPF_K);
	SAME(LINUX_BPF_JA, BPF_JMP | BPF_JA);
	SAME(LINUX_BPF_RET_K, BPF_RET | BPF_K);
	SAME(sizeof(struct linux_sock_filter), sizeof(struct sock_filter));
	SAME(sizeof(struct linux_sock_fprog), sizeof(struct sock_fprog));
	SAME(offsetof(struct linux_sock_fprog, filter), offsetof(struct sock_fprog, filter));
}

/* ---- A classic-BPF interpreter for the opcodes filter.c uses ---------- */

#define INTERP_ERROR 0xdeadu /* not a seccomp action: the program is broken */

static uint32_t run(const struct linux_sock_filter *prog, int len, const struct seccomp_data *d)
{
	unsigned char data[sizeof(*d)];
	uint32_t acc = 0;

	memcpy(data, d, sizeof(data));
	for (int pc = 0, steps = 0; pc < len && steps < 10000; steps++) {
		const struct linux_sock_filter *ins = &prog[pc];

		switch (ins->code) {
		case LINUX_BPF_LD_W_ABS:
			if (ins->k % 4 || ins->k + 4 > sizeof(data))
				return INTERP_ERROR;
			memcpy(&acc, data + ins->k, 4);
			pc++;
			break;
		case LINUX_BPF_JEQ_K:
			pc += 1 + (acc == ins->k ? ins->jt : ins->jf);
			break;
		case LINUX_BPF_JGE_K:
			pc += 1 + (acc >= ins->k ? ins->jt : ins->jf);
			break;
		case LINUX_BPF_JA:
			pc += 1 + (int)ins->k;
			break;
		case LINUX_BPF_RET_K:
			return ins->k;
		default:
			return INTERP_ERROR;
		}
	}
	return INTERP_ERROR; /* ran off the end */
}

#define ALLOW LINUX_SECCOMP_RET_ALLOW
#define KILL LINUX_SECCOMP_RET_KILL_PROCESS

static struct linux_sock_filter prog[LINUX_FILTER_MAX];
static int prog_len;

static uint32_t call4(int nr, uint64_t a0, uint64_t a1, uint64_t a2, uint64_t a3)
{
	struct seccomp_data d = { .nr = nr, .arch = AUDIT_ARCH_X86_64 };

	d.args[0] = a0;
	d.args[1] = a1;
	d.args[2] = a2;
	d.args[3] = a3;
	d.instruction_pointer = 0x401000;
	return run(prog, prog_len, &d);
}

static uint32_t call(int nr, uint64_t a0, uint64_t a1, uint64_t a2)
{
	return call4(nr, a0, a1, a2, 0);
}

/* The calls host sockets allow on any descriptor above the epoll set. */
static const int on_socket_fd[] = {
	LINUX_SYS_read,        LINUX_SYS_writev,   LINUX_SYS_recvfrom, LINUX_SYS_sendto,
	LINUX_SYS_connect,     LINUX_SYS_bind,     LINUX_SYS_listen,   LINUX_SYS_getsockname,
	LINUX_SYS_getpeername, LINUX_SYS_shutdown, LINUX_SYS_close,
};

static bool in(int fd, const int *fds, unsigned n)
{
	for (unsigned i = 0; i < n; i++) {
		if (fds[i] == fd)
			return true;
	}
	return false;
}

/* Runs every case the allow-list distinguishes against `spec`. */
static void check_spec(const struct linux_filter_spec *spec)
{
	static const int unconditional[] = {
		LINUX_SYS_ppoll,      LINUX_SYS_clock_gettime, LINUX_SYS_getrandom,
		LINUX_SYS_exit_group, LINUX_SYS_exit,
	};
	struct seccomp_data d = { .nr = LINUX_SYS_getrandom, .arch = AUDIT_ARCH_I386 };

	prog_len = linux_filter_build(spec, prog, LINUX_FILTER_MAX);
	CHECK(prog_len > 0);
	if (prog_len <= 0)
		return;

	/* Only jumps carry jt/jf; every jump lands inside the program. */
	for (int i = 0; i < prog_len; i++) {
		const struct linux_sock_filter *ins = &prog[i];

		if (ins->code == LINUX_BPF_JEQ_K || ins->code == LINUX_BPF_JGE_K) {
			CHECK(i + 1 + ins->jt < prog_len && i + 1 + ins->jf < prog_len);
		} else {
			CHECK(ins->jt == 0 && ins->jf == 0);
			if (ins->code == LINUX_BPF_JA)
				CHECK(i + 1 + (long)ins->k < prog_len);
		}
	}
	CHECK(prog[prog_len - 1].code == LINUX_BPF_RET_K);

	/* Every system call number, with fds 0..40 in the first argument. */
	for (int nr = 0; nr < 512; nr++) {
		for (int fd = 0; fd < 40; fd++) {
			uint32_t want = KILL;
			bool net = in(fd, spec->net_fds, spec->n_net);
			bool block = in(fd, spec->block_fds, spec->n_block);

			if (in(nr, unconditional, 5))
				want = ALLOW;
			else if (nr == LINUX_SYS_writev && net)
				want = ALLOW; /* a frame in pieces */
			else if (spec->hostnet && in(nr, on_socket_fd, 11))
				want = fd > spec->epoll_fd ? ALLOW : KILL;
			else if (spec->hostnet && nr == LINUX_SYS_epoll_wait)
				want = fd == spec->epoll_fd ? ALLOW : KILL; /* timeout 0 */
			else if (nr == LINUX_SYS_write)
				want = fd == 1 || fd == 2 || net ? ALLOW : KILL;
			else if (nr == LINUX_SYS_readv)
				want = net ? ALLOW : KILL;
			else if (nr == LINUX_SYS_pread64 || nr == LINUX_SYS_pwrite64 ||
			         nr == LINUX_SYS_fdatasync)
				want = block ? ALLOW : KILL;
			if (nr == LINUX_SYS_mprotect || nr == LINUX_SYS_kill)
				continue; /* below */
			if (call(nr, (uint64_t)fd, 0, 0) != want) {
				fprintf(stderr, "nr %d fd %d: want %#x\n", nr, fd, want);
				failures++;
			}
			/* The kernel ignores the upper half of an fd; so do we. */
			CHECK(call(nr, (uint64_t)fd | (7ull << 32), 0, 0) == want);
			/* The same call through the x32 table is always refused. */
			CHECK(call(nr | (int)X32_SYSCALL_BIT, (uint64_t)fd, 0, 0) == KILL);
		}
	}
	/* A 32-bit (int 0x80) call never passes, whatever its number. */
	CHECK(run(prog, prog_len, &d) == KILL);
	d.arch = 0;
	CHECK(run(prog, prog_len, &d) == KILL);
	CHECK(call(-1, 0, 0, 0) == KILL);

	/* mprotect: only PROT_NONE and PROT_READ|PROT_WRITE, any address. */
	for (uint64_t prot = 0; prot < 16; prot++)
		CHECK(call(LINUX_SYS_mprotect, 0x7f0000000000, 4096, prot) ==
		      (prot == 0 || prot == 3 ? ALLOW : KILL));
	CHECK(call(LINUX_SYS_mprotect, 0, 4096, 3ull | 1ull << 32) == KILL);
	CHECK(call(LINUX_SYS_mprotect, 0, 4096, 1ull << 63) == KILL);

	/* kill: only SIGABRT to our own pid. */
	CHECK(call(LINUX_SYS_kill, (uint64_t)spec->pid, SIGABRT, 0) == ALLOW);
	CHECK(call(LINUX_SYS_kill, (uint64_t)spec->pid, SIGKILL, 0) == KILL);
	CHECK(call(LINUX_SYS_kill, (uint64_t)spec->pid, 0, 0) == KILL);
	CHECK(call(LINUX_SYS_kill, (uint64_t)spec->pid + 1, SIGABRT, 0) == KILL);
	CHECK(call(LINUX_SYS_kill, 0, SIGABRT, 0) == KILL);
	CHECK(call(LINUX_SYS_kill, (uint64_t)-1, SIGABRT, 0) == KILL);
	CHECK(call(LINUX_SYS_kill, 1, SIGABRT, 0) == KILL);
	CHECK(call(SYS_tgkill, (uint64_t)spec->pid, (uint64_t)spec->pid, SIGABRT) == KILL);
}

/* What only host sockets allow, argument by argument. */
static void check_hostnet(const struct linux_filter_spec *spec)
{
	static const struct {
		int level, name;
	} options[] = {
		{ SOL_SOCKET, SO_REUSEADDR },   { SOL_SOCKET, SO_ERROR },
		{ SOL_SOCKET, SO_SNDBUF },      { SOL_SOCKET, SO_RCVBUF },
		{ SOL_SOCKET, SO_KEEPALIVE },   { SOL_SOCKET, SO_LINGER },
		{ IPPROTO_TCP, TCP_NODELAY },   { IPPROTO_TCP, TCP_KEEPIDLE },
		{ IPPROTO_TCP, TCP_KEEPINTVL }, { IPPROTO_TCP, TCP_KEEPCNT },
	};
	const uint64_t flags = SOCK_NONBLOCK | SOCK_CLOEXEC;
	const uint64_t sock = (uint64_t)spec->epoll_fd + 1, ep = (uint64_t)spec->epoll_fd;

	prog_len = linux_filter_build(spec, prog, LINUX_FILTER_MAX);
	CHECK(prog_len > 0);
	if (prog_len <= 0)
		return;

	/* socket: AF_INET stream or datagram, non-blocking, close-on-exec. */
	CHECK(call(LINUX_SYS_socket, AF_INET, SOCK_STREAM | flags, 0) == ALLOW);
	CHECK(call(LINUX_SYS_socket, AF_INET, SOCK_DGRAM | flags, 0) == ALLOW);
	CHECK(call(LINUX_SYS_socket, AF_INET, SOCK_STREAM, 0) == KILL);
	CHECK(call(LINUX_SYS_socket, AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0) == KILL);
	CHECK(call(LINUX_SYS_socket, AF_INET, SOCK_RAW | flags, 0) == KILL);
	CHECK(call(LINUX_SYS_socket, AF_INET, SOCK_STREAM | flags, IPPROTO_TCP) == KILL);
	CHECK(call(LINUX_SYS_socket, AF_INET6, SOCK_STREAM | flags, 0) == KILL);
	CHECK(call(LINUX_SYS_socket, AF_UNIX, SOCK_STREAM | flags, 0) == KILL);
	CHECK(call(LINUX_SYS_socket, AF_NETLINK, SOCK_DGRAM | flags, 0) == KILL);
	CHECK(call(LINUX_SYS_socket, AF_PACKET, SOCK_DGRAM | flags, 0) == KILL);

	/* accept4: a socket, and flags exactly non-blocking, close-on-exec. */
	CHECK(call4(LINUX_SYS_accept4, sock, 0, 0, flags) == ALLOW);
	CHECK(call4(LINUX_SYS_accept4, sock, 0, 0, 0) == KILL);
	CHECK(call4(LINUX_SYS_accept4, sock, 0, 0, SOCK_NONBLOCK) == KILL);
	CHECK(call4(LINUX_SYS_accept4, ep, 0, 0, flags) == KILL);
	CHECK(call(SYS_accept, sock, 0, 0) == KILL);

	/* Socket options: the short list only, and only on sockets. */
	for (size_t i = 0; i < sizeof(options) / sizeof(options[0]); i++) {
		CHECK(call(LINUX_SYS_setsockopt, sock, (uint64_t)options[i].level,
		           (uint64_t)options[i].name) == ALLOW);
		CHECK(call(LINUX_SYS_getsockopt, sock + 100, (uint64_t)options[i].level,
		           (uint64_t)options[i].name) == ALLOW);
		CHECK(call(LINUX_SYS_setsockopt, ep, (uint64_t)options[i].level,
		           (uint64_t)options[i].name) == KILL);
	}
	CHECK(call(LINUX_SYS_setsockopt, sock, SOL_SOCKET, SO_BINDTODEVICE) == KILL);
	CHECK(call(LINUX_SYS_setsockopt, sock, SOL_SOCKET, SO_BROADCAST) == KILL);
	CHECK(call(LINUX_SYS_setsockopt, sock, SOL_SOCKET, SO_ATTACH_FILTER) == KILL);
	CHECK(call(LINUX_SYS_setsockopt, sock, SOL_IP, IP_TTL) == KILL);
	CHECK(call(LINUX_SYS_setsockopt, sock, IPPROTO_TCP, TCP_CONGESTION) == KILL);
	CHECK(call(LINUX_SYS_getsockopt, sock, IPPROTO_TCP, TCP_INFO) == KILL);

	/* epoll: only the platform's set, only sockets in it, never a wait. */
	CHECK(call4(LINUX_SYS_epoll_wait, ep, 0, 64, 0) == ALLOW);
	CHECK(call4(LINUX_SYS_epoll_wait, ep, 0, 64, (uint64_t)-1) == KILL);
	CHECK(call4(LINUX_SYS_epoll_wait, ep, 0, 64, 1) == KILL);
	CHECK(call4(LINUX_SYS_epoll_wait, sock, 0, 64, 0) == KILL);
	CHECK(call(LINUX_SYS_epoll_ctl, ep, EPOLL_CTL_ADD, sock) == ALLOW);
	CHECK(call(LINUX_SYS_epoll_ctl, ep, EPOLL_CTL_DEL, sock + 7) == ALLOW);
	CHECK(call(LINUX_SYS_epoll_ctl, ep, EPOLL_CTL_ADD, 1) == KILL);
	CHECK(call(LINUX_SYS_epoll_ctl, ep, EPOLL_CTL_ADD, ep) == KILL);
	CHECK(call(LINUX_SYS_epoll_ctl, sock, EPOLL_CTL_ADD, sock + 1) == KILL);
	CHECK(call(LINUX_SYS_epoll_create1, EPOLL_CLOEXEC, 0, 0) == KILL);
	CHECK(call(SYS_epoll_pwait, ep, 0, 64) == KILL);

	/* Still nothing else: no sendmsg, no write or ioctl on a socket. */
	CHECK(call(SYS_sendmsg, sock, 0, 0) == KILL);
	CHECK(call(SYS_recvmsg, sock, 0, 0) == KILL);
	CHECK(call(LINUX_SYS_write, sock, 0, 0) == KILL);
	CHECK(call(LINUX_SYS_ioctl, sock, 0, 0) == KILL);
	CHECK(call(LINUX_SYS_fcntl, sock, 0, 0) == KILL);
	CHECK(call(SYS_dup, sock, 0, 0) == KILL);
	CHECK(call(SYS_open, 0, 0, 0) == KILL);
	CHECK(call(SYS_execve, 0, 0, 0) == KILL);
}

static void test_filters(void)
{
	struct linux_filter_spec none = { .pid = 4242 };
	struct linux_filter_spec mixed = {
		.net_fds = { 3, 5 }, .n_net = 2, .block_fds = { 4 }, .n_block = 1, .pid = 77
	};
	struct linux_filter_spec full = { .pid = 1 << 22 };
	struct linux_filter_spec bad = { .pid = 1 };

	check_spec(&none);
	check_spec(&mixed);
	for (unsigned i = 0; i < KEEL_MANIFEST_MAX; i++) {
		if (i % 3)
			full.net_fds[full.n_net++] = 3 + (int)i;
		else
			full.block_fds[full.n_block++] = 3 + (int)i;
	}
	check_spec(&full);

	/* Host sockets, alone and with every device. */
	{
		struct linux_filter_spec sockets = { .pid = 99, .hostnet = true, .epoll_fd = 3 };

		check_spec(&sockets);
		check_hostnet(&sockets);
		full.hostnet = true;
		full.epoll_fd = 3 + KEEL_MANIFEST_MAX;
		check_spec(&full);
		check_hostnet(&full);
		printf("filter: %d instructions for %d devices and host sockets\n",
		       linux_filter_build(&full, prog, LINUX_FILTER_MAX), KEEL_MANIFEST_MAX);
		sockets.epoll_fd = 2;
		CHECK(linux_filter_build(&sockets, prog, LINUX_FILTER_MAX) == -1);
		full.hostnet = false;
	}

	/* Out-of-range specs and too little room are refused, not truncated. */
	bad.n_net = KEEL_MANIFEST_MAX + 1;
	CHECK(linux_filter_build(&bad, prog, LINUX_FILTER_MAX) == -1);
	bad.n_net = 10;
	bad.n_block = 7;
	CHECK(linux_filter_build(&bad, prog, LINUX_FILTER_MAX) == -1);
	bad.n_net = bad.n_block = 0;
	bad.pid = 0;
	CHECK(linux_filter_build(&bad, prog, LINUX_FILTER_MAX) == -1);
	CHECK(linux_filter_build(&mixed, prog, 10) == -1);
	printf("filter: %d instructions for %d devices\n",
	       linux_filter_build(&full, prog, LINUX_FILTER_MAX), KEEL_MANIFEST_MAX);
}

/* ---- The kernel's verdict --------------------------------------------- */

/* Seals a child with `spec`'s filter, runs `nr` raw and returns its wait
 * status. The child exits 0 after an allowed call. */
static int sealed_child(const struct linux_filter_spec *spec, long nr, long a0)
{
	int status = 0;
	pid_t pid = fork();

	if (pid == 0) {
		struct linux_filter_spec s = *spec;
		struct linux_sock_fprog fprog;

		s.pid = getpid();
		fprog.len = (uint16_t)linux_filter_build(&s, prog, LINUX_FILTER_MAX);
		fprog.filter = prog;
		if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) ||
		    syscall(LINUX_SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &fprog))
			syscall(LINUX_SYS_exit_group, 99); /* the kernel refused the filter */
		syscall(nr, a0, 0, 0);
		syscall(LINUX_SYS_exit_group, 0);
	}
	CHECK(pid > 0);
	CHECK(waitpid(pid, &status, 0) == pid);
	return status;
}

static void test_kernel(void)
{
	struct linux_filter_spec full = { .pid = 1 };
	struct rlimit no_core = { 0, 0 };
	int st;

	/* Children killed by SIGSYS must not leave core files behind. */
	setrlimit(RLIMIT_CORE, &no_core);
	for (unsigned i = 0; i < KEEL_MANIFEST_MAX; i++)
		full.net_fds[full.n_net++] = 3 + (int)i;
	fflush(NULL);

	st = sealed_child(&full, LINUX_SYS_getrandom, 0);
	CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	st = sealed_child(&full, LINUX_SYS_getpid, 0);
	CHECK(WIFSIGNALED(st) && WTERMSIG(st) == SIGSYS);
	st = sealed_child(&full, LINUX_SYS_fdatasync, 3);
	CHECK(WIFSIGNALED(st) && WTERMSIG(st) == SIGSYS);

	/* The largest filter of all: every device and host sockets. */
	full.hostnet = true;
	full.epoll_fd = 3 + KEEL_MANIFEST_MAX;
	st = sealed_child(&full, LINUX_SYS_getrandom, 0);
	CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	st = sealed_child(&full, LINUX_SYS_close, 3 + KEEL_MANIFEST_MAX + 1);
	CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	st = sealed_child(&full, LINUX_SYS_close, 1);
	CHECK(WIFSIGNALED(st) && WTERMSIG(st) == SIGSYS);
}

int main(void)
{
	test_abi();
	test_filters();
	test_kernel();
	if (failures) {
		printf("filter: FAIL (%d checks)\n", failures);
		return 1;
	}
	printf("filter: ok\n");
	return 0;
}
