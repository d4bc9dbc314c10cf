/*
 * fuzz/dtb.c — libFuzzer target for the aarch64 device tree reader
 * (dt_parse, platform/aarch64/dtb.c, the code the images run) and the
 * command line it hands on (/chosen/bootargs through aarch64's
 * cmdline_split, platform/aarch64/cmdline.c, and
 * platform/common/words.c).
 *
 * The input is the blob, and the parser may read exactly its bytes (the
 * limit dt_read computes from the memory map is the input's size here):
 * ASan reports any read past them. What it accepts must keep the
 * promises of platform_impl.h.
 */
#include <stdlib.h>
#include <string.h>

#include "platform_impl.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The image's bounds, which dt_read (not called here) compares with. */
char __image_start[1], __image_end[1];

bool platform_streq(const char *a, const char *b)
{
	return strcmp(a, b) == 0;
}

void print_str(const char *s)
{
	(void)s;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t *blob;
	const char *err;
	char **argv;
	int argc;

	/* A copy of exactly the input's size, so that ASan sees its end. */
	blob = malloc(size ? size : 1);
	if (!blob)
		abort();
	memcpy(blob, data, size);
	memset(&dt, 0, sizeof(dt)); /* as in the image: dt is in .bss */
	err = dt_parse(blob, size);
	if (err) {
		if (!err[0])
			abort();
		free(blob);
		return 0;
	}
	if (dt.nram < 1 || dt.nram > DT_RAM_MAX || !dt.uart || dt.dtb_end > size ||
	    dt.nmmio > DT_MMIO_MAX || dt.pci.nirq > DT_PCI_IRQ_MAX ||
	    (dt.gic_version != 0 && dt.gic_version != 2 && dt.gic_version != 3) ||
	    dt.timer_intid < 16 || dt.timer_intid > 31 || dt.pci.bus > 255)
		abort();
	for (unsigned i = 0; i < dt.nram; i++) {
		if (dt.ram[i].start >= dt.ram[i].end)
			abort();
	}
	for (unsigned i = 0; i < dt.nmmio; i++) {
		if (dt.mmio[i].intid < 16 || dt.mmio[i].intid > 1019)
			abort();
	}
	for (unsigned i = 0; i < dt.pci.nirq; i++) {
		if (dt.pci.irq[i].intid < 32 || dt.pci.irq[i].intid > 1019)
			abort();
	}
	if (dt.pci.mem_size && (dt.pci.mem_pci + dt.pci.mem_size > (1ull << 32) ||
	                        dt.pci.mem_cpu + dt.pci.mem_size < dt.pci.mem_cpu))
		abort();
	if (memchr(dt.bootargs, '\0', DT_BOOTARGS_MAX) == NULL)
		abort();

	/* The command line, as main will see it. */
	cmdline_split(&argc, &argv);
	if (argc < 1 || argc > 64 || argv[argc] != NULL)
		abort();
	for (int i = 1; i < argc; i++) {
		if (argv[i] < dt.bootargs || argv[i] >= dt.bootargs + DT_BOOTARGS_MAX)
			abort();
	}
	free(blob);
	return 0;
}
