/*
 * start.c — a64_start: from boot.S to keel_start(), in order.
 *
 * The device tree first: it says where the console is. A tree too broken
 * to name the UART is reported on the virt board's PL011, where QEMU
 * always puts it (on another board the message goes wherever that
 * address leads, or nowhere); the image then ends with status 2 through
 * semihosting, or PSCI if the tree got as far as naming it. Then the
 * manifest, the final page tables (which map the device registers the
 * tree named), the GIC and the clock; the command line; devices last,
 * since drivers take memory off the heap.
 */
#include "platform_impl.h"

/* The PL011 of QEMU's virt board (its memory map: VIRT_UART). */
#define VIRT_PL011 0x09000000u

void a64_start(uint64_t dtb)
{
	static struct kp_start_info si;
	const char *err;

	/* Loaders for bare-metal ELF images leave x0 at 0; QEMU then puts
	 * the tree at the start of RAM. */
	err = dt_read(dtb ? dtb : 0x40000000);
	if (err && !dt.uart)
		dt.uart = VIRT_PL011;
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
