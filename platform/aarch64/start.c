/*
 * start.c — a64_start: from boot.S to keel_start(), in order.
 *
 * The device tree first: it says where the console is, so a broken tree
 * cannot be reported anywhere (the image then stops, through PSCI if the
 * tree got that far). Then the manifest, the final page tables (which
 * map the device registers the tree named), the GIC and the clock; the
 * command line; devices last, since drivers take memory off the heap.
 */
#include "platform_impl.h"

void a64_start(uint64_t dtb)
{
	static struct kp_start_info si;
	const char *err;

	/* Loaders for bare-metal ELF images leave x0 at 0; QEMU then puts
	 * the tree at the start of RAM. */
	err = dt_read(dtb ? dtb : 0x40000000);
	console_init();
	if (err)
		platform_fail(err, NULL);
	manifest_check();
	mem_init(&si.heap_start, &si.heap_size);
	clock_init();
	gic_init();
	cmdline_split(&si.argc, &si.argv);
	devices_attach();
	si.heap_size = mem_heap_end - mem_heap_start;
	keel_start(&si);
}
