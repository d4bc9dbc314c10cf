/*
 * Unit test of platform/x86_64/cmdline.c: the loader's command line as
 * argv, with and without the image's path first, quotes, blanks, and the
 * argument limit; virtio_mmio.device= entries taken out of argv into
 * boot_mmio[], malformed ones dropped with a warning.
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

	/* Device entries: out of argv, into boot_mmio[] in order. */
	check("a virtio_mmio.device=512@0xfeb00200:25 b virtio_mmio.device=4K@3489660928:5:3",
	      false, (const char *const[]){ "keel", "a", "b", NULL });
	if (boot_nmmio != 2 || boot_mmio[0].addr != 0xfeb00200 || boot_mmio[0].size != 512 ||
	    boot_mmio[0].irq != 25 || boot_mmio[1].addr != 0xd0000000 ||
	    boot_mmio[1].size != 4096 || boot_mmio[1].irq != 5 || printed[0]) {
		printf("FAIL: virtio_mmio entries: %u of them, warning '%s'\n", boot_nmmio,
		       printed);
		failures++;
	}
	static const char *const malformed[] = {
		"virtio_mmio.device=",
		"virtio_mmio.device=512",
		"virtio_mmio.device=512@0x1000",
		"virtio_mmio.device=512@0x1000:",
		"virtio_mmio.device=0@0x1000:5",
		"virtio_mmio.device=512@0x1000:5x",
		"virtio_mmio.device=512@0x1000:300",
		"virtio_mmio.device=1T@0x1000:5",
		"virtio_mmio.device=16G@0xffffffffffffff00:5",
		"virtio_mmio.device=99999999999999999999@0:5",
	};
	for (unsigned i = 0; i < sizeof(malformed) / sizeof(malformed[0]); i++) {
		check(malformed[i], false, (const char *const[]){ "keel", NULL });
		if (boot_nmmio != 0 || !strstr(printed, "ignoring malformed")) {
			printf("FAIL: '%s' accepted (%u entries, warning '%s')\n", malformed[i],
			       boot_nmmio, printed);
			failures++;
		}
	}
	/* More than fit: the first ones are kept, with a warning; argv past
	 * its limit does not hide entries that come after it. */
	many[0] = '\0';
	for (int i = 0; i < 100; i++)
		strcat(many, "w ");
	for (int i = 0; i < BOOT_MMIO_MAX + 1; i++)
		strcat(many, "virtio_mmio.device=512@0x1000:5 ");
	memset(&boot_info, 0, sizeof(boot_info));
	printed[0] = '\0';
	strcpy(boot_info.cmdline, many);
	cmdline_split(&argc, &argv);
	if (argc != 64 || boot_nmmio != BOOT_MMIO_MAX || !strstr(printed, "too many virtio_mmio")) {
		printf("FAIL: %d entries gave %u, argc %d, warning '%s'\n", BOOT_MMIO_MAX + 1,
		       boot_nmmio, argc, printed);
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
