/*
 * start.c — x86_start for Xen: from boot.S (x86_64's, entered through
 * the PVH note) to keel_start(), in order.
 *
 * Xen first: the hypercall page, which the console needs. On anything
 * but Xen the image says so on COM1 (where the machine may have a UART)
 * and halts (ending QEMU through its exit device when there is one); the
 * x86_64 target is the one for other hypervisors. Then
 * as on x86_64: CPU tables, boot information, manifest, paging. The
 * shared info page goes over a page of .bss (mapped by then), and the
 * clock and event channels read it. The PV console ring, if the console
 * needs it, is mapped once paging is final. The devices come last: their
 * front ends talk to their backends through xenstore, which needs events
 * and the clock, and take their rings and buffers off the heap.
 */
#include "xen_impl.h"

#define COM1 0x3f8
#define XENMEM_MEMORY_MAP 9
#define E820_RAM 1
#define MEMMAP_MAX 128

/* memory.h's xen_memory_map, and the E820 entries it points to. */
struct xen_memory_map {
	uint32_t nr_entries; /* in: room in buffer; out: entries written */
	uint32_t pad;
	uint64_t buffer;
};

struct e820_entry {
	uint64_t addr, size;
	uint32_t type;
} __attribute__((packed));

/*
 * Xen gives its initial PVH domain a start info of version 0, without a
 * memory map: the map comes from XENMEM_memory_map, as for a PV domain.
 * (Here rather than in a file of its own: this overrides boot_info.c's
 * weak default, and start.c is always linked.) The count Xen returns is
 * checked against the room it was given.
 */
bool boot_memmap_from_hypervisor(void)
{
	static struct e820_entry map[MEMMAP_MAX];
	struct xen_memory_map req = { MEMMAP_MAX, 0, (uint64_t)(uintptr_t)map };
	char num[PLATFORM_NUM_BUF];
	long rc = xen_memory_op(XENMEM_MEMORY_MAP, &req);

	if (rc < 0)
		platform_fail("neither the PVH start info nor Xen (XENMEM_memory_map: error ",
		         platform_num(num, (uint64_t)-rc), ") gives a memory map", NULL);
	if (req.nr_entries == 0 || req.nr_entries > MEMMAP_MAX)
		platform_fail("Xen's memory map has ", platform_num(num, req.nr_entries),
		         " entries (want 1 to 128)", NULL);
	for (uint32_t i = 0; i < req.nr_entries; i++) {
		if (map[i].type == E820_RAM)
			boot_info_add_ram(map[i].addr, map[i].size);
	}
	return true;
}

static void not_on_xen(void)
{
	static const char msg[] = "keel: this image is for Xen (target xen), and no Xen "
	                          "hypervisor was found (CPUID); use the x86_64 target\r\n";

	for (const char *p = msg; *p; p++)
		io_out8(COM1, (uint8_t)*p);
	/* QEMU's exit device, if the machine has one, ends the VM. */
	io_out8(0xf4, X86_EXIT_REFUSED);
	for (;;)
		__asm__ volatile("cli; hlt");
}

void x86_start(uint32_t kind, uint32_t info_paddr)
{
	static struct kp_start_info si;

	if (!xen_hypercall_init())
		not_on_xen();
	console_init();
	cpu_features_init();
	intr_init();
	cpu_tables_init();
	if ((enum boot_kind)kind != BOOT_PVH)
		platform_fail("the xen target starts only through Xen's PVH entry", NULL);
	boot_info_read((enum boot_kind)kind, info_paddr);
	manifest_check();
	mem_init(&si.heap_start, &si.heap_size);
	console_ring_init();
	shared_info_map();
	clock_init();
	evtchn_init();
	devices_attach();
	cmdline_split(&si.argc, &si.argv);
	keel_start(&si);
}
