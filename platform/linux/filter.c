/*
 * filter.c — the seccomp-BPF program that seals an image.
 *
 * What a sealed image may do, and nothing else (anything not listed kills
 * the whole process with SIGSYS, SECCOMP_RET_KILL_PROCESS):
 *
 *   write          fd 1, fd 2 (console, messages) and the net devices' fds
 *   readv          the net devices' fds (a virtio header, a frame in
 *                  pieces, plus one byte to spot frames too large)
 *   writev         the net devices' fds (a virtio header and a frame in
 *                  pieces); with host sockets also any fd above E
 *   pread64        the block devices' fds
 *   pwrite64       the block devices' fds
 *   fdatasync      the block devices' fds
 *   ppoll          any arguments (it only reports readiness)
 *   clock_gettime  any clock
 *   getrandom      any flags
 *   mprotect       prot exactly PROT_NONE or PROT_READ|PROT_WRITE (guard
 *                  pages); never PROT_EXEC, so no new code can appear
 *   kill           only (own pid, SIGABRT), for kp_abort()
 *   exit_group, exit
 *
 * and, only for an image that asks for host sockets (spec->hostnet: its
 * manifest holds a KEEL_NOTE_HOSTNET note, i.e. it links lib/net-socket),
 * with E the epoll descriptor the platform created before sealing, so that
 * every socket the image opens afterwards is a descriptor above E:
 *
 *   socket         exactly (AF_INET, SOCK_STREAM or SOCK_DGRAM, each with
 *                  SOCK_NONBLOCK|SOCK_CLOEXEC, protocol 0)
 *   accept4        fd > E, flags exactly SOCK_NONBLOCK|SOCK_CLOEXEC
 *   bind, listen, connect, getsockname, getpeername, shutdown, close,
 *   read, writev, sendto, recvfrom
 *                  fd > E
 *   setsockopt, getsockopt
 *                  fd > E and (level, name) one of SOL_SOCKET with
 *                  SO_REUSEADDR, SO_ERROR, SO_SNDBUF, SO_RCVBUF,
 *                  SO_KEEPALIVE or SO_LINGER; IPPROTO_TCP with TCP_NODELAY,
 *                  TCP_KEEPIDLE, TCP_KEEPINTVL or TCP_KEEPCNT
 *   epoll_ctl      on E only, for a descriptor > E
 *   epoll_wait     on E only, timeout 0 (kp_yield stays the only wait)
 *
 * Socket descriptors cannot be listed in advance, hence "above E": below
 * it sit only the console and the devices, which keep their own rules.
 * No epoll_create1 is allowed: the one set exists before the seal.
 *
 * Before that, the filter kills any call not made with the x86_64 ABI
 * (another audit arch, i.e. the 32-bit int 0x80 entry) and any x32 system
 * call number: both would reach different system call tables.
 *
 * File descriptors are compared on their low 32 bits only, because that
 * is all the kernel uses of them (the parameters are `unsigned int` or
 * `int`); prot is an `unsigned long`, so both of its halves are checked.
 *
 * The program is assembled with symbolic labels; every conditional jump
 * is resolved at the end and must reach at most 255 instructions ahead.
 */
#include <stdbool.h>

#include "filter.h"

enum label {
	L_ALLOW,
	L_KILL,
	L_WRITE,
	L_READV,
	L_WRITEV,
	L_BLOCK,
	L_MPROTECT,
	L_KILL_CALL,
	L_SOCK_FD,
	L_SOCKET,
	L_ACCEPT,
	L_SOCKOPT,
	L_SOCKOPT_SOL,
	L_SOCKOPT_TCP,
	L_EPOLL_CTL,
	L_EPOLL_WAIT,
	L_COUNT,
};

/* Jump targets are label numbers while building, offsets at the end. */
struct assembler {
	struct linux_sock_filter *prog;
	unsigned cap, len;
	bool failed;
	int at[L_COUNT]; /* instruction index of each label, -1 until placed */
};

#define NEXT 0xff /* "fall through to the next instruction" while building */

static void emit(struct assembler *a, uint16_t code, uint8_t jt, uint8_t jf, uint32_t k)
{
	if (a->len >= a->cap) {
		a->failed = true;
		return;
	}
	a->prog[a->len++] = (struct linux_sock_filter){ code, jt, jf, k };
}

static void place(struct assembler *a, enum label l)
{
	a->at[l] = (int)a->len;
}

static void load(struct assembler *a, uint32_t offset)
{
	emit(a, LINUX_BPF_LD_W_ABS, NEXT, NEXT, offset);
}

/* if (A == k) goto l; */
static void jeq_goto(struct assembler *a, uint32_t k, enum label l)
{
	emit(a, LINUX_BPF_JEQ_K, (uint8_t)l, NEXT, k);
}

/* if (A != k) goto l; */
static void jne_goto(struct assembler *a, uint32_t k, enum label l)
{
	emit(a, LINUX_BPF_JEQ_K, NEXT, (uint8_t)l, k);
}

/* if (A >= k) goto yes; else goto no; (either may be NEXT) */
static void jge_goto(struct assembler *a, uint32_t k, enum label yes, enum label no)
{
	emit(a, LINUX_BPF_JGE_K, (uint8_t)yes, (uint8_t)no, k);
}

/* goto l; (BPF_JA's offset is k, 32 bits; the label waits in jt until the end) */
static void jump(struct assembler *a, enum label l)
{
	emit(a, LINUX_BPF_JA, (uint8_t)l, NEXT, 0);
}

static void ret(struct assembler *a, uint32_t action)
{
	emit(a, LINUX_BPF_RET_K, NEXT, NEXT, action);
}

/* Replaces label numbers by offsets; false if a jump is out of reach. */
static bool resolve(struct assembler *a)
{
	for (unsigned i = 0; i < a->len; i++) {
		struct linux_sock_filter *ins = &a->prog[i];
		uint8_t *side[2] = { &ins->jt, &ins->jf };

		if (ins->code == LINUX_BPF_JA) {
			int to = a->at[ins->jt];

			if (to <= (int)i)
				return false;
			ins->k = (uint32_t)(to - (int)i - 1);
			ins->jt = ins->jf = 0;
			continue;
		}
		for (int s = 0; s < 2; s++) {
			int to;

			if (*side[s] == NEXT) {
				*side[s] = 0;
				continue;
			}
			to = a->at[*side[s]];
			if (to <= (int)i || to - (int)i - 1 > 255)
				return false;
			*side[s] = (uint8_t)(to - (int)i - 1);
		}
	}
	return true;
}

static void allow_fds(struct assembler *a, const int *fds, unsigned n)
{
	load(a, LINUX_SECCOMP_DATA_ARG_LO(0));
	for (unsigned i = 0; i < n; i++)
		jeq_goto(a, (uint32_t)fds[i], L_ALLOW);
	jump(a, L_KILL);
}

/* if (A is one of ks[0..n)) goto ALLOW; else goto KILL; */
static void allow_values(struct assembler *a, const uint32_t *ks, unsigned n)
{
	for (unsigned i = 0; i < n; i++)
		jeq_goto(a, ks[i], L_ALLOW);
	jump(a, L_KILL);
}

/* The calls on host sockets (see the top of the file). */
static void hostnet_dispatch(struct assembler *a)
{
	static const uint32_t on_socket_fd[] = {
		LINUX_SYS_read,     LINUX_SYS_writev,      LINUX_SYS_recvfrom,
		LINUX_SYS_sendto,   LINUX_SYS_connect,     LINUX_SYS_bind,
		LINUX_SYS_listen,   LINUX_SYS_getsockname, LINUX_SYS_getpeername,
		LINUX_SYS_shutdown, LINUX_SYS_close,
	};

	jeq_goto(a, LINUX_SYS_epoll_wait, L_EPOLL_WAIT);
	for (unsigned i = 0; i < sizeof(on_socket_fd) / sizeof(on_socket_fd[0]); i++)
		jeq_goto(a, on_socket_fd[i], L_SOCK_FD);
	jeq_goto(a, LINUX_SYS_accept4, L_ACCEPT);
	jeq_goto(a, LINUX_SYS_setsockopt, L_SOCKOPT);
	jeq_goto(a, LINUX_SYS_getsockopt, L_SOCKOPT);
	jeq_goto(a, LINUX_SYS_socket, L_SOCKET);
	jeq_goto(a, LINUX_SYS_epoll_ctl, L_EPOLL_CTL);
}

static void hostnet_checks(struct assembler *a, uint32_t epoll_fd)
{
	static const uint32_t socket_types[] = {
		LINUX_SOCK_STREAM | LINUX_SOCK_NONBLOCK | LINUX_SOCK_CLOEXEC,
		LINUX_SOCK_DGRAM | LINUX_SOCK_NONBLOCK | LINUX_SOCK_CLOEXEC,
	};
	static const uint32_t sol_socket[] = {
		LINUX_SO_REUSEADDR, LINUX_SO_ERROR,     LINUX_SO_SNDBUF,
		LINUX_SO_RCVBUF,    LINUX_SO_KEEPALIVE, LINUX_SO_LINGER,
	};
	static const uint32_t ipproto_tcp[] = {
		LINUX_TCP_NODELAY,
		LINUX_TCP_KEEPIDLE,
		LINUX_TCP_KEEPINTVL,
		LINUX_TCP_KEEPCNT,
	};
	uint32_t first_socket = epoll_fd + 1;

	place(a, L_SOCK_FD);
	load(a, LINUX_SECCOMP_DATA_ARG_LO(0));
	jge_goto(a, first_socket, L_ALLOW, L_KILL);

	place(a, L_ACCEPT);
	load(a, LINUX_SECCOMP_DATA_ARG_LO(0));
	jge_goto(a, first_socket, NEXT, L_KILL);
	load(a, LINUX_SECCOMP_DATA_ARG_LO(3));
	jeq_goto(a, LINUX_SOCK_NONBLOCK | LINUX_SOCK_CLOEXEC, L_ALLOW);
	jump(a, L_KILL);

	place(a, L_SOCKET);
	load(a, LINUX_SECCOMP_DATA_ARG_LO(0));
	jne_goto(a, LINUX_AF_INET, L_KILL);
	load(a, LINUX_SECCOMP_DATA_ARG_LO(2));
	jne_goto(a, 0, L_KILL);
	load(a, LINUX_SECCOMP_DATA_ARG_LO(1));
	allow_values(a, socket_types, 2);

	place(a, L_SOCKOPT);
	load(a, LINUX_SECCOMP_DATA_ARG_LO(0));
	jge_goto(a, first_socket, NEXT, L_KILL);
	load(a, LINUX_SECCOMP_DATA_ARG_LO(1));
	jeq_goto(a, LINUX_SOL_SOCKET, L_SOCKOPT_SOL);
	jeq_goto(a, LINUX_IPPROTO_TCP, L_SOCKOPT_TCP);
	jump(a, L_KILL);
	place(a, L_SOCKOPT_SOL);
	load(a, LINUX_SECCOMP_DATA_ARG_LO(2));
	allow_values(a, sol_socket, sizeof(sol_socket) / sizeof(sol_socket[0]));
	place(a, L_SOCKOPT_TCP);
	load(a, LINUX_SECCOMP_DATA_ARG_LO(2));
	allow_values(a, ipproto_tcp, sizeof(ipproto_tcp) / sizeof(ipproto_tcp[0]));

	place(a, L_EPOLL_CTL);
	load(a, LINUX_SECCOMP_DATA_ARG_LO(0));
	jne_goto(a, epoll_fd, L_KILL);
	load(a, LINUX_SECCOMP_DATA_ARG_LO(2));
	jge_goto(a, first_socket, L_ALLOW, L_KILL);

	place(a, L_EPOLL_WAIT);
	load(a, LINUX_SECCOMP_DATA_ARG_LO(0));
	jne_goto(a, epoll_fd, L_KILL);
	load(a, LINUX_SECCOMP_DATA_ARG_LO(3));
	jeq_goto(a, 0, L_ALLOW); /* timeout 0: it never blocks */
	jump(a, L_KILL);
}

int linux_filter_build(const struct linux_filter_spec *spec, struct linux_sock_filter *prog,
                       unsigned cap)
{
	struct assembler a = { .prog = prog,
		               .cap = cap > LINUX_FILTER_MAX ? LINUX_FILTER_MAX : cap };
	int console_and_net[2 + KEEL_MANIFEST_MAX] = { 1, 2 };

	if (spec->n_net > KEEL_MANIFEST_MAX || spec->n_block > KEEL_MANIFEST_MAX ||
	    spec->n_net + spec->n_block > KEEL_MANIFEST_MAX || spec->pid <= 0)
		return -1;
	if (spec->hostnet && (spec->epoll_fd < 3 || spec->epoll_fd == INT32_MAX))
		return -1;
	for (unsigned i = 0; i < L_COUNT; i++)
		a.at[i] = -1;
	for (unsigned i = 0; i < spec->n_net; i++)
		console_and_net[2 + i] = spec->net_fds[i];

	load(&a, LINUX_SECCOMP_DATA_ARCH);
	jne_goto(&a, LINUX_AUDIT_ARCH_X86_64, L_KILL);
	load(&a, LINUX_SECCOMP_DATA_NR);
	emit(&a, LINUX_BPF_JGE_K, L_KILL, NEXT, X32_SYSCALL_BIT);

	/* The event loop's own calls first: they are made most often. */
	jeq_goto(&a, LINUX_SYS_clock_gettime, L_ALLOW);
	jeq_goto(&a, LINUX_SYS_ppoll, L_ALLOW);
	jeq_goto(&a, LINUX_SYS_write, L_WRITE);
	if (spec->n_net) {
		jeq_goto(&a, LINUX_SYS_readv, L_READV);
		jeq_goto(&a, LINUX_SYS_writev, L_WRITEV);
	}
	if (spec->n_block) {
		jeq_goto(&a, LINUX_SYS_pread64, L_BLOCK);
		jeq_goto(&a, LINUX_SYS_pwrite64, L_BLOCK);
		jeq_goto(&a, LINUX_SYS_fdatasync, L_BLOCK);
	}
	if (spec->hostnet)
		hostnet_dispatch(&a);
	jeq_goto(&a, LINUX_SYS_mprotect, L_MPROTECT);
	jeq_goto(&a, LINUX_SYS_kill, L_KILL_CALL);
	jeq_goto(&a, LINUX_SYS_getrandom, L_ALLOW);
	jeq_goto(&a, LINUX_SYS_exit_group, L_ALLOW);
	jeq_goto(&a, LINUX_SYS_exit, L_ALLOW);
	jump(&a, L_KILL);

	place(&a, L_WRITE);
	allow_fds(&a, console_and_net, 2 + spec->n_net);
	if (spec->n_net) {
		place(&a, L_READV);
		allow_fds(&a, spec->net_fds, spec->n_net);
		/* writev is also a socket call: a descriptor not a device's
		 * goes on to the socket rules, when there are any. */
		place(&a, L_WRITEV);
		load(&a, LINUX_SECCOMP_DATA_ARG_LO(0));
		for (unsigned i = 0; i < spec->n_net; i++)
			jeq_goto(&a, (uint32_t)spec->net_fds[i], L_ALLOW);
		jump(&a, spec->hostnet ? L_SOCK_FD : L_KILL);
	}
	if (spec->n_block) {
		place(&a, L_BLOCK);
		allow_fds(&a, spec->block_fds, spec->n_block);
	}

	place(&a, L_MPROTECT);
	load(&a, LINUX_SECCOMP_DATA_ARG_HI(2));
	jne_goto(&a, 0, L_KILL);
	load(&a, LINUX_SECCOMP_DATA_ARG_LO(2));
	jeq_goto(&a, LINUX_PROT_NONE, L_ALLOW);
	jeq_goto(&a, LINUX_PROT_READ | LINUX_PROT_WRITE, L_ALLOW);
	jump(&a, L_KILL);

	place(&a, L_KILL_CALL);
	load(&a, LINUX_SECCOMP_DATA_ARG_LO(0));
	jne_goto(&a, (uint32_t)spec->pid, L_KILL);
	load(&a, LINUX_SECCOMP_DATA_ARG_LO(1));
	jeq_goto(&a, LINUX_SIGABRT, L_ALLOW);
	jump(&a, L_KILL);

	if (spec->hostnet)
		hostnet_checks(&a, (uint32_t)spec->epoll_fd);

	place(&a, L_ALLOW);
	ret(&a, LINUX_SECCOMP_RET_ALLOW);
	place(&a, L_KILL);
	ret(&a, LINUX_SECCOMP_RET_KILL_PROCESS);

	if (a.failed || !resolve(&a))
		return -1;
	return (int)a.len;
}
