/*
 * keel-launch — runs a linux-target Keel image with its devices attached.
 *
 * It reads the image's manifest, opens each declared device (a TAP for a
 * net device, a file or block device for a block device), places device i
 * on file descriptor 3 + i, closes every other descriptor above 2, and
 * executes the image in its own place. The image then checks all of this
 * again and seals itself; keel-launch only saves the user from getting it
 * wrong by hand. `keel run` uses it.
 */
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/if_tun.h>
#include <net/if.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "elfnote.h"

#define EXIT_REFUSED 2
#define FIRST_DEVICE_FD 3
#define HEAP_MB_MIN 1
#define HEAP_MB_MAX 16384 /* as platform/linux/memory.c accepts */
#define POLL_US_MAX 1000  /* as platform/linux/yield.c accepts */

static const char usage_text[] =
    "usage: keel-launch [OPTIONS] IMAGE [--] [ARGS...]\n"
    "\n"
    "Runs a Keel image built for the linux target, with the devices its\n"
    "manifest declares attached. Every declared device must be given, and\n"
    "only declared devices may be given.\n"
    "\n"
    "options:\n"
    "  --net NAME=tap:IFNAME   attach the existing TAP interface IFNAME as net\n"
    "                          device NAME (needs CAP_NET_ADMIN or a TAP owned\n"
    "                          by the user: ip tuntap add dev IFNAME mode tap\n"
    "                          user $USER)\n"
    "  --block NAME=FILE       attach FILE (an existing regular file or block\n"
    "                          device, opened read-write) as block device NAME\n"
    "  --heap-mb N             give the image a heap of N MiB (1..16384;\n"
    "                          default 64); sets KEEL_HEAP_MB\n"
    "  --poll-us N             after input, poll up to N microseconds before\n"
    "                          sleeping in the next wait (0..1000; 0: never\n"
    "                          poll; default 50); sets KEEL_POLL_US\n"
    "  -h, --help              show this help\n"
    "\n"
    "An image linking the socket stack (lib/net-socket; manifest note\n"
    "'hostnet') uses the host's own sockets: nothing is attached for it.\n"
    "\n"
    "ARGS are passed to the image's main(); argv[0] is the image's file name.\n"
    "keel-launch exits with status 2 when it refuses to run the image;\n"
    "otherwise the image's own status is the result.\n";

struct attach {
	const char *name;   /* device name as given */
	const char *what;   /* interface name or file path */
	int kind;           /* KEEL_NOTE_NET or KEEL_NOTE_BLOCK */
	const char *option; /* "--net" or "--block", for messages */
	int fd;
};

static const char *image_path = "keel-launch";

static void refuse(const char *fmt, ...) __attribute__((noreturn, format(printf, 1, 2)));

static void refuse(const char *fmt, ...)
{
	va_list ap;

	fputs("keel: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(EXIT_REFUSED);
}

static void usage_error(const char *fmt, ...) __attribute__((noreturn, format(printf, 1, 2)));

static void usage_error(const char *fmt, ...)
{
	va_list ap;

	fputs("keel-launch: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputs("; try 'keel-launch --help'\n", stderr);
	exit(EXIT_REFUSED);
}

/* The value of `--opt VALUE` or `--opt=VALUE` at argv[*i], or NULL when
 * argv[*i] is not that option. */
static const char *option_value(int argc, char **argv, int *i, const char *opt)
{
	size_t len = strlen(opt);

	if (strncmp(argv[*i], opt, len))
		return NULL;
	if (argv[*i][len] == '=')
		return argv[*i] + len + 1;
	if (argv[*i][len])
		return NULL;
	if (*i + 1 >= argc)
		usage_error("%s needs a value", opt);
	return argv[++*i];
}

/* Splits NAME=VALUE; both parts must be non-empty. */
static void split_device(const char *option, const char *arg, struct attach *a)
{
	const char *eq = strchr(arg, '=');
	char *name;

	if (!eq || eq == arg || !eq[1])
		usage_error("%s expects NAME=%s, not '%s'", option,
		            strcmp(option, "--net") ? "FILE" : "tap:IFNAME", arg);
	name = strndup(arg, (size_t)(eq - arg));
	if (!name)
		refuse("out of memory");
	a->name = name;
	a->what = eq + 1;
	a->option = option;
	a->fd = -1;
}

/* The value of `option`: plain decimal digits, from min to max. */
static unsigned parse_number(const char *option, const char *unit, unsigned min, unsigned max,
                             const char *s)
{
	unsigned long v;
	char *end;

	errno = 0;
	v = strtoul(s, &end, 10);
	/* strtoul would take a sign or leading spaces. */
	if (*s < '0' || *s > '9' || errno || *end || v < min || v > max)
		usage_error("%s expects a number of %s from %u to %u, not '%s'", option, unit, min,
		            max, s);
	return (unsigned)v;
}

/* "net service, block storage", for messages about what an image declares. */
static void describe_manifest(const struct elfnote_manifest *m, char *buf, size_t len)
{
	size_t used = 0;

	buf[0] = '\0';
	if (m->ndevices == 0)
		used = (size_t)snprintf(buf, len, "no devices");
	for (size_t i = 0; i < m->ndevices && used < len; i++)
		used += (size_t)snprintf(buf + used, len - used, "%s%s %s", i ? ", " : "",
		                         elfnote_kind_name(m->devices[i].kind), m->devices[i].name);
	/* Host sockets are not a device: nothing to attach, no descriptor. */
	if (m->hostnet && used < len)
		snprintf(buf + used, len - used, "; it uses host sockets (hostnet)");
}

static int open_tap(const struct attach *a)
{
	const char *ifname = a->what + strlen("tap:");
	struct ifreq ifr;
	int fd;

	if (strncmp(a->what, "tap:", 4))
		usage_error("--net %s=%s: the value must be tap:IFNAME", a->name, a->what);
	if (!*ifname || strlen(ifname) >= IFNAMSIZ)
		usage_error("--net %s=%s: an interface name has 1 to %d characters", a->name,
		            a->what, IFNAMSIZ - 1);
	/* TUNSETIFF would create a missing interface (with privilege), which
	 * would come up unconfigured and reach nothing: refuse instead. */
	if (!if_nametoindex(ifname))
		refuse("net device '%s': no network interface '%s'; create it with "
		       "'ip tuntap add dev %s mode tap'",
		       a->name, ifname, ifname);
	fd = open("/dev/net/tun", O_RDWR | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0)
		refuse("net device '%s': cannot open /dev/net/tun: %s", a->name, strerror(errno));
	memset(&ifr, 0, sizeof(ifr));
	/* Virtio headers: the image shares checksum and segmentation
	 * offloads with the kernel through them (platform/linux/net.c). */
	ifr.ifr_flags = IFF_TAP | IFF_NO_PI | IFF_VNET_HDR;
	memcpy(ifr.ifr_name, ifname, strlen(ifname));
	if (ioctl(fd, TUNSETIFF, &ifr) < 0) {
		if (errno == EPERM)
			refuse("net device '%s': cannot attach TAP '%s': %s (it needs "
			       "CAP_NET_ADMIN, or a TAP created with 'user %s')",
			       a->name, ifname, strerror(errno),
			       getenv("USER") ? getenv("USER") : "$USER");
		if (errno == EINVAL)
			refuse("net device '%s': cannot attach '%s': it is not a TAP, or not "
			       "one without packet information (IFF_NO_PI)",
			       a->name, ifname);
		refuse("net device '%s': cannot attach TAP '%s': %s", a->name, ifname,
		       strerror(errno));
	}
	return fd;
}

static int open_block(const struct attach *a)
{
	struct stat st;
	int fd = open(a->what, O_RDWR | O_CLOEXEC);

	if (fd < 0)
		refuse("block device '%s': cannot open '%s': %s", a->name, a->what,
		       strerror(errno));
	if (fstat(fd, &st) < 0 || !(S_ISREG(st.st_mode) || S_ISBLK(st.st_mode)))
		refuse("block device '%s': '%s' is neither a regular file nor a block device",
		       a->name, a->what);
	if (S_ISREG(st.st_mode) && st.st_size < 512)
		refuse("block device '%s': '%s' is smaller than one 512-byte block", a->name,
		       a->what);
	return fd;
}

/* Makes sure 0, 1 and 2 are open, so that no device lands on them and the
 * image's console writes go nowhere unexpected. */
static void ensure_std_fds(void)
{
	for (int fd = 0; fd < 3; fd++) {
		if (fcntl(fd, F_GETFD) < 0 && errno == EBADF) {
			int null = open("/dev/null", O_RDWR);

			if (null < 0)
				refuse("cannot open /dev/null: %s", strerror(errno));
			if (null != fd)
				refuse("cannot fill fd %d with /dev/null", fd);
		}
	}
}

static void close_from(int first)
{
	long max;

	if (close_range((unsigned)first, ~0u, 0) == 0)
		return;
	/* Kernels before 5.9: close one by one up to the descriptor limit. */
	max = sysconf(_SC_OPEN_MAX);
	if (max < 0 || max > (1 << 20))
		max = 1 << 20;
	for (long fd = first; fd < max; fd++)
		close((int)fd);
}

int main(int argc, char **argv)
{
	struct attach given[KEEL_MANIFEST_MAX];
	struct attach *order[KEEL_MANIFEST_MAX] = { 0 };
	struct elfnote_manifest m;
	char err[256], declared[1024];
	unsigned ngiven = 0, heap_mb = 0;
	long poll_us = -1; /* -1: not given, the image's default */
	const char *base, *value;
	char **image_argv;
	int i;

	for (i = 1; i < argc; i++) {
		const char *arg = argv[i];

		if (!strcmp(arg, "-h") || !strcmp(arg, "--help")) {
			fputs(usage_text, stdout);
			return 0;
		}
		if (!strcmp(arg, "--")) {
			i++;
			break;
		}
		if (arg[0] != '-' || !arg[1])
			break;
		if ((value = option_value(argc, argv, &i, "--net")) ||
		    (value = option_value(argc, argv, &i, "--block"))) {
			bool net = !strncmp(arg, "--net", 5);

			if (ngiven == KEEL_MANIFEST_MAX)
				usage_error("more than %d devices given", KEEL_MANIFEST_MAX);
			split_device(net ? "--net" : "--block", value, &given[ngiven]);
			given[ngiven++].kind = net ? KEEL_NOTE_NET : KEEL_NOTE_BLOCK;
		} else if ((value = option_value(argc, argv, &i, "--heap-mb"))) {
			heap_mb = parse_number("--heap-mb", "MiB", HEAP_MB_MIN, HEAP_MB_MAX, value);
		} else if ((value = option_value(argc, argv, &i, "--poll-us"))) {
			poll_us = parse_number("--poll-us", "microseconds", 0, POLL_US_MAX, value);
		} else {
			usage_error("unknown option '%s'", arg);
		}
	}
	if (i >= argc)
		usage_error("no IMAGE given");
	image_path = argv[i++];
	if (i < argc && !strcmp(argv[i], "--"))
		i++;

	if (elfnote_read(image_path, &m, err, sizeof(err)))
		refuse("%s: %s", image_path, err);
	if (strcmp(m.target, "linux"))
		refuse("%s was built for target '%s', not linux; run it with 'keel run -t %s'",
		       image_path, m.target, m.target);
	if (m.machine != EM_X86_64)
		refuse("%s is a linux image for %s, but this launcher runs x86_64 images",
		       image_path, elfnote_machine_name(m.machine));

	/* Match what was given against what the image declares. */
	describe_manifest(&m, declared, sizeof(declared));
	for (unsigned g = 0; g < ngiven; g++) {
		struct attach *a = &given[g];
		size_t d;

		for (d = 0; d < m.ndevices && strcmp(m.devices[d].name, a->name); d++)
			;
		if (d == m.ndevices)
			refuse("%s declares no device '%s' (it declares %s)", image_path, a->name,
			       declared);
		if (m.devices[d].kind != a->kind)
			refuse("'%s' is a %s device of %s: give it with %s", a->name,
			       elfnote_kind_name(m.devices[d].kind), image_path,
			       m.devices[d].kind == KEEL_NOTE_NET ? "--net NAME=tap:IFNAME"
			                                          : "--block NAME=FILE");
		if (order[d])
			usage_error("device '%s' is given twice", a->name);
		order[d] = a;
	}
	for (size_t d = 0; d < m.ndevices; d++) {
		if (!order[d])
			refuse("%s needs %s device '%s': give %s %s=%s", image_path,
			       elfnote_kind_name(m.devices[d].kind), m.devices[d].name,
			       m.devices[d].kind == KEEL_NOTE_NET ? "--net" : "--block",
			       m.devices[d].name,
			       m.devices[d].kind == KEEL_NOTE_NET ? "tap:IFNAME" : "FILE");
	}

	ensure_std_fds();
	/*
	 * Open everything first, then lift each descriptor above the device
	 * range (3 .. 3+n-1), so that placing device d on 3 + d never
	 * overwrites another device that happened to be opened there.
	 */
	for (size_t d = 0; d < m.ndevices; d++) {
		int fd =
		    order[d]->kind == KEEL_NOTE_NET ? open_tap(order[d]) : open_block(order[d]);
		int high = fcntl(fd, F_DUPFD_CLOEXEC, FIRST_DEVICE_FD + (int)m.ndevices);

		if (high < 0)
			refuse("cannot move a descriptor: %s", strerror(errno));
		close(fd);
		order[d]->fd = high;
	}
	for (size_t d = 0; d < m.ndevices; d++) {
		/* dup2 leaves the new descriptor without FD_CLOEXEC: it survives exec. */
		if (dup2(order[d]->fd, FIRST_DEVICE_FD + (int)d) < 0)
			refuse("cannot place device '%s' on fd %d: %s", order[d]->name,
			       FIRST_DEVICE_FD + (int)d, strerror(errno));
	}
	close_from(FIRST_DEVICE_FD + (int)m.ndevices);

	if (heap_mb) {
		char num[16];

		snprintf(num, sizeof(num), "%u", heap_mb);
		setenv("KEEL_HEAP_MB", num, 1);
	}
	if (poll_us >= 0) {
		char num[16];

		snprintf(num, sizeof(num), "%ld", poll_us);
		setenv("KEEL_POLL_US", num, 1);
	}

	/* argv[0] is the image's file name; the rest are the user's ARGS. */
	image_argv = calloc((size_t)(argc - i) + 2, sizeof(*image_argv));
	if (!image_argv)
		refuse("out of memory");
	base = strrchr(image_path, '/');
	image_argv[0] = (char *)(base ? base + 1 : image_path);
	for (int a = i; a < argc; a++)
		image_argv[a - i + 1] = argv[a];
	execv(image_path, image_argv);
	refuse("cannot run %s: %s", image_path, strerror(errno));
}
