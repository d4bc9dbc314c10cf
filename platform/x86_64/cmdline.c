/*
 * cmdline.c — the loader's command line as argc/argv for main.
 *
 * Words are separated by spaces or tabs; a word may be quoted with "..."
 * or '...' to hold spaces (the quotes are removed; there are no escapes).
 * argv[0] is the image's name: QEMU's multiboot loader (and GRUB legacy)
 * put the image's path first, and its last component is used; PVH and
 * GRUB 2 pass only the arguments, and the name is then "keel", as on
 * linux when a program is started without one.
 *
 * Words `virtio_mmio.device=SIZE@ADDR:IRQ[:ID]` describe virtio-mmio
 * devices in the syntax of Linux's virtio_mmio driver, which Firecracker
 * and QEMU's microvm (without ACPI) append and tools/qemu-run.sh passes:
 * SIZE with an optional K, M or G, ADDR and SIZE in decimal or 0x hex,
 * IRQ the interrupt input (GSI). They are taken out of argv and kept in
 * boot_mmio[] for virtio_mmio.c; a malformed one is dropped with a
 * warning. An argument that really is such a word cannot be passed.
 *
 * Bounded: BOOT_CMDLINE_MAX bytes, ARGV_MAX words and BOOT_MMIO_MAX
 * devices; what does not fit is dropped with a warning on the console.
 */
#include "platform_impl.h"

#define ARGV_MAX 64

static char *argv_store[ARGV_MAX + 1];
static char default_name[] = "keel";
static const char mmio_prefix[] = "virtio_mmio.device=";

struct boot_mmio boot_mmio[BOOT_MMIO_MAX];
unsigned boot_nmmio;

static char *last_component(char *path)
{
	char *name = path;

	for (char *s = path; *s; s++) {
		if (*s == '/' && s[1])
			name = s + 1;
	}
	return name;
}

static bool has_prefix(const char *s, const char *prefix)
{
	while (*prefix) {
		if (*s++ != *prefix++)
			return false;
	}
	return true;
}

/* A number in decimal or 0x hex at *p; false when there is none or it
 * does not fit in 64 bits. */
static bool parse_num(const char **p, uint64_t *out)
{
	const char *s = *p;
	unsigned base = 10;
	uint64_t v = 0;
	bool any = false;

	if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
		base = 16;
		s += 2;
	}
	for (;; s++) {
		unsigned d;

		if (*s >= '0' && *s <= '9')
			d = (unsigned)(*s - '0');
		else if (base == 16 && *s >= 'a' && *s <= 'f')
			d = (unsigned)(*s - 'a' + 10);
		else if (base == 16 && *s >= 'A' && *s <= 'F')
			d = (unsigned)(*s - 'A' + 10);
		else
			break;
		if (v > (UINT64_MAX - d) / base)
			return false;
		v = v * base + d;
		any = true;
	}
	*p = s;
	*out = v;
	return any;
}

/* SIZE@ADDR:IRQ[:ID] into *m; false when malformed. */
static bool parse_mmio(const char *s, struct boot_mmio *m)
{
	uint64_t size, addr, irq, id;
	unsigned shift = 0;

	if (!parse_num(&s, &size))
		return false;
	switch (*s) {
	case 'K':
	case 'k':
		shift = 10;
		s++;
		break;
	case 'M':
	case 'm':
		shift = 20;
		s++;
		break;
	case 'G':
	case 'g':
		shift = 30;
		s++;
		break;
	}
	if (size == 0 || size > (UINT64_MAX >> shift))
		return false;
	size <<= shift;
	if (*s++ != '@' || !parse_num(&s, &addr) || *s++ != ':' || !parse_num(&s, &irq))
		return false;
	if (*s == ':' && (s++, !parse_num(&s, &id)))
		return false;
	if (*s || irq > 255 || addr + size < addr)
		return false;
	m->addr = addr;
	m->size = size;
	m->irq = (uint32_t)irq;
	return true;
}

/* Records a virtio_mmio.device= word; warns about what it cannot use. */
static void take_mmio(const char *word)
{
	struct boot_mmio m;

	if (!parse_mmio(word + sizeof(mmio_prefix) - 1, &m)) {
		print_str("keel: warning: ignoring malformed '");
		print_str(word);
		print_str("' (want virtio_mmio.device=SIZE@ADDR:IRQ)\n");
	} else if (boot_nmmio == BOOT_MMIO_MAX) {
		print_str("keel: warning: too many virtio_mmio.device entries; ignoring '");
		print_str(word);
		print_str("'\n");
	} else {
		boot_mmio[boot_nmmio++] = m;
	}
}

void cmdline_split(int *argc, char ***argv)
{
	char *p = boot_info.cmdline;
	char *word;
	int n = 0;
	bool dropped = false;

	boot_nmmio = 0;
	if (boot_info.cmdline_has_name && (word = platform_next_word(&p)))
		argv_store[n++] = last_component(word);
	else
		argv_store[n++] = default_name;
	while ((word = platform_next_word(&p))) {
		if (has_prefix(word, mmio_prefix)) {
			take_mmio(word);
			continue;
		}
		/* Past the limit the words are still read: device entries
		 * come last. */
		if (n == ARGV_MAX) {
			dropped = true;
			continue;
		}
		argv_store[n++] = word;
	}
	argv_store[n] = NULL;
	if (boot_info.cmdline_truncated)
		print_str("keel: warning: the command line is too long; it was cut\n");
	if (dropped)
		print_str("keel: warning: too many arguments; the last ones were dropped\n");
	*argc = n;
	*argv = argv_store;
}
