/*
 * Unit test of platform/x86_64/cmdline.c: the loader's command line as
 * argv, with and without the image's path first, quotes, blanks, and the
 * argument limit.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "platform_impl.h"

struct boot_info boot_info;
static char printed[512];

/* cmdline.c warns through print_str. */
void print_str(const char *s)
{
	strncat(printed, s, sizeof(printed) - strlen(printed) - 1);
}

static int failures;

static void check(const char *cmdline, bool has_name, const char *const *want)
{
	int argc, n = 0;
	char **argv;

	memset(&boot_info, 0, sizeof(boot_info));
	printed[0] = '\0';
	snprintf(boot_info.cmdline, sizeof(boot_info.cmdline), "%s", cmdline);
	boot_info.cmdline_has_name = has_name;
	cmdline_split(&argc, &argv);
	while (want[n])
		n++;
	if (argc != n || argv[argc] != NULL) {
		printf("FAIL '%s': argc %d, want %d\n", cmdline, argc, n);
		failures++;
		return;
	}
	for (int i = 0; i < n; i++) {
		if (strcmp(argv[i], want[i]) != 0) {
			printf("FAIL '%s': argv[%d] '%s', want '%s'\n", cmdline, i, argv[i],
			       want[i]);
			failures++;
		}
	}
}

int main(void)
{
	char many[BOOT_CMDLINE_MAX];
	int argc;
	char **argv;

	check("", false, (const char *const[]){ "keel", NULL });
	check("   ", false, (const char *const[]){ "keel", NULL });
	check("a b", false, (const char *const[]){ "keel", "a", "b", NULL });
	check(" \ta \t b  ", false, (const char *const[]){ "keel", "a", "b", NULL });
	check("/boot/images/hello x", true, (const char *const[]){ "hello", "x", NULL });
	check("hello", true, (const char *const[]){ "hello", NULL });
	check("dir/ x", true, (const char *const[]){ "dir/", "x", NULL });
	check("", true, (const char *const[]){ "keel", NULL });
	check("\"a b\" 'c d' e\"f g\"h", false,
	      (const char *const[]){ "keel", "a b", "c d", "ef gh", NULL });
	check("'it\"s' \"\" ''", false, (const char *const[]){ "keel", "it\"s", "", "", NULL });
	check("\"unterminated quote", false,
	      (const char *const[]){ "keel", "unterminated quote", NULL });

	/* More words than argv holds: the first ones are kept, with a warning. */
	many[0] = '\0';
	for (int i = 0; i < 100; i++)
		strcat(many, "w ");
	memset(&boot_info, 0, sizeof(boot_info));
	printed[0] = '\0';
	strcpy(boot_info.cmdline, many);
	cmdline_split(&argc, &argv);
	if (argc != 64 || argv[64] != NULL || !strstr(printed, "too many arguments")) {
		printf("FAIL: 100 words gave argc %d, warning '%s'\n", argc, printed);
		failures++;
	}

	/* A cut command line is said to be cut. */
	memset(&boot_info, 0, sizeof(boot_info));
	printed[0] = '\0';
	boot_info.cmdline_truncated = true;
	cmdline_split(&argc, &argv);
	if (!strstr(printed, "too long")) {
		printf("FAIL: no warning for a cut command line\n");
		failures++;
	}

	if (failures) {
		printf("%d failures\n", failures);
		return 1;
	}
	printf("cmdline: all passed\n");
	return 0;
}
