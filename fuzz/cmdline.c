/*
 * fuzz/cmdline.c — libFuzzer target for the command line, from the
 * loader's bytes to what main sees: x86_64's (and xen's) cmdline_split
 * (platform/x86_64/cmdline.c: words, quotes, the image's name,
 * virtio_mmio.device= entries) on the word splitter of
 * platform/common/words.c, then the network options of lib/net's
 * keel_net_config_args (lib/net/config.c, lib/net/addr.c) on the argv it
 * makes, as an image linking the direct stack does.
 *
 * The first byte's low bit says whether a multiboot loader put the
 * image's path first; the rest, up to its first NUL, is the command line
 * as boot_info_parse leaves it (cut at BOOT_CMDLINE_MAX - 1, flagged).
 * What comes out must keep the promises of platform_impl.h and
 * include/keel/net.h.
 */
#include <stdlib.h>
#include <string.h>

#include "platform_impl.h"

#include <keel/net.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

struct boot_info boot_info;

void print_str(const char *s)
{
	(void)s;
}

/* A word of argv lies in the command line and ends inside it. */
static bool in_cmdline(const char *w)
{
	const char *lo = boot_info.cmdline, *hi = boot_info.cmdline + BOOT_CMDLINE_MAX;

	return w >= lo && w < hi && memchr(w, '\0', (size_t)(hi - w)) != NULL;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct keel_net_config cfg, before;
	char *saved[66];
	char err[128];
	char **argv;
	int argc, kept;
	size_t n;

	if (size < 1)
		return 0;
	memset(&boot_info, 0, sizeof(boot_info));
	boot_info.kind = BOOT_MULTIBOOT;
	boot_info.cmdline_has_name = data[0] & 1;
	n = size - 1 < BOOT_CMDLINE_MAX - 1 ? size - 1 : BOOT_CMDLINE_MAX - 1;
	memcpy(boot_info.cmdline, data + 1, n);
	boot_info.cmdline_truncated = size - 1 > n;

	cmdline_split(&argc, &argv);
	if (argc < 1 || argc > 64 || argv[argc] != NULL || boot_nmmio > BOOT_MMIO_MAX)
		abort();
	/* argv[0] is the image's name, whatever it looks like. */
	if (!argv[0] || (!in_cmdline(argv[0]) && strcmp(argv[0], "keel") != 0))
		abort();
	for (int i = 1; i < argc; i++) {
		if (!argv[i] || !in_cmdline(argv[i]) ||
		    strncmp(argv[i], "virtio_mmio.device=", 19) == 0)
			abort();
	}
	for (unsigned i = 0; i < boot_nmmio; i++) {
		if (boot_mmio[i].size == 0 ||
		    boot_mmio[i].addr + boot_mmio[i].size < boot_mmio[i].addr ||
		    boot_mmio[i].irq > 255)
			abort();
	}

	/* The network options, as the direct stack's images take them. */
	memcpy(saved, argv, sizeof(char *) * (size_t)(argc + 1));
	keel_net_config_default(&cfg);
	memcpy(&before, &cfg, sizeof(cfg));
	kept = argc;
	if (keel_net_config_args(&cfg, &kept, argv, err, sizeof(err)) == KEEL_OK) {
		bool after_dashes = false;

		if (kept < 1 || kept > argc || argv[kept] != NULL || argv[0] != saved[0])
			abort();
		for (int i = 1; i < kept; i++) {
			if (strcmp(argv[i], "--") == 0)
				after_dashes = true;
			if (!after_dashes && (strncmp(argv[i], "--ipv4=", 7) == 0 ||
			                      strncmp(argv[i], "--dns=", 6) == 0 ||
			                      strncmp(argv[i], "--max-conns=", 12) == 0))
				abort();
		}
		if (cfg.addr.family == KEEL_AF_INET4 &&
		    (cfg.prefix_len < 1 || cfg.prefix_len > 32 || cfg.addr.bytes[0] == 0 ||
		     cfg.addr.bytes[0] == 127 || cfg.addr.bytes[0] >= 224))
			abort();
		if (cfg.max_tcp_conns > 1000000)
			abort();
	} else {
		/* Refused: a message, and both argv and the configuration as
		 * they were. */
		if (!err[0] || kept != argc || memcmp(&cfg, &before, sizeof(cfg)) != 0 ||
		    memcmp(saved, argv, sizeof(char *) * (size_t)(argc + 1)) != 0)
			abort();
	}
	return 0;
}
