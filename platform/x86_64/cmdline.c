/*
 * cmdline.c — the loader's command line as argc/argv for main.
 *
 * Words are separated by spaces or tabs; a word may be quoted with "..."
 * or '...' to hold spaces (the quotes are removed; there are no escapes).
 * argv[0] is the image's name: a multiboot loader puts the image's path
 * first (QEMU and GRUB do), and its last component is used; PVH passes
 * only the arguments, and the name is then "keel", as on linux when a
 * program is started without one.
 *
 * Bounded: BOOT_CMDLINE_MAX bytes and ARGV_MAX words; what does not fit
 * is dropped with a warning on the console.
 */
#include "platform_impl.h"

#define ARGV_MAX 64

static char *argv_store[ARGV_MAX + 1];
static char default_name[] = "keel";

static bool is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

/* Cuts the next word out of *p in place; NULL when there is none. */
static char *next_word(char **p)
{
	char *s = *p, *word, *out;
	char quote = 0;

	while (is_space(*s))
		s++;
	if (!*s)
		return NULL;
	word = out = s;
	for (; *s; s++) {
		if (quote) {
			if (*s == quote)
				quote = 0;
			else
				*out++ = *s;
		} else if (*s == '"' || *s == '\'') {
			quote = *s;
		} else if (is_space(*s)) {
			s++;
			break;
		} else {
			*out++ = *s;
		}
	}
	*out = '\0';
	*p = s;
	return word;
}

static char *last_component(char *path)
{
	char *name = path;

	for (char *s = path; *s; s++) {
		if (*s == '/' && s[1])
			name = s + 1;
	}
	return name;
}

void cmdline_split(int *argc, char ***argv)
{
	char *p = boot_info.cmdline;
	char *word;
	int n = 0;
	bool dropped = false;

	if (boot_info.cmdline_has_name && (word = next_word(&p)))
		argv_store[n++] = last_component(word);
	else
		argv_store[n++] = default_name;
	while ((word = next_word(&p))) {
		if (n == ARGV_MAX) {
			dropped = true;
			break;
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
