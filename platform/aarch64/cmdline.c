/*
 * cmdline.c — /chosen/bootargs (QEMU's -append) as argc/argv for main.
 *
 * Words are separated by spaces or tabs; a word may be quoted with "..."
 * or '...' to hold spaces (the quotes are removed; no escapes), as on
 * x86_64. The loader passes only the arguments, so argv[0] is "keel", as
 * on x86_64's PVH entry. Bounded: DT_BOOTARGS_MAX bytes and ARGV_MAX
 * words; what does not fit is dropped with a warning.
 */
#include "platform_impl.h"

#define ARGV_MAX 64

static char *argv_store[ARGV_MAX + 1];
static char default_name[] = "keel";

void cmdline_split(int *argc, char ***argv)
{
	char *p = dt.bootargs;
	char *word;
	int n = 0;
	bool dropped = false;

	argv_store[n++] = default_name;
	while ((word = platform_next_word(&p))) {
		if (n == ARGV_MAX) {
			dropped = true;
			continue;
		}
		argv_store[n++] = word;
	}
	argv_store[n] = NULL;
	if (dt.bootargs_truncated)
		print_str("keel: warning: the command line is too long; it was cut\n");
	if (dropped)
		print_str("keel: warning: too many arguments; the last ones were dropped\n");
	*argc = n;
	*argv = argv_store;
}
