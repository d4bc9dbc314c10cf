/*
 * start.c — x86_start: from boot.S to keel_start(), in order.
 *
 * Order matters: the console first, so that every later refusal can be
 * printed; the CPU tables next, so that a fault anywhere after is
 * reported rather than a silent reset; the boot information is copied
 * before mem_init hands its memory out; the local APIC needs its
 * registers mapped (mem_init), and clock_init needs the APIC. Devices
 * come last: the command line names virtio-mmio devices, drivers take
 * their memory off the heap (so the runtime gets what is left) and wait
 * for their devices with the clock and interrupts.
 */
#include "platform_impl.h"

void x86_start(uint32_t kind, uint32_t info_paddr)
{
	static struct kp_start_info si;

	console_init();
	cpu_features_init();
	intr_init();
	cpu_tables_init();
	boot_info_read((enum boot_kind)kind, info_paddr);
	manifest_check();
	mem_init(&si.heap_start, &si.heap_size);
	lapic_init();
	clock_init();
	cmdline_split(&si.argc, &si.argv);
	devices_attach();
	si.heap_size = mem_heap_end - mem_heap_start;
	keel_start(&si);
}
