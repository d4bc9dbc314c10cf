/*
 * platform_impl.h — private to platform/x86_64: the boot steps start.c runs
 * in order, and what the files share. Every .c file of the platform
 * includes this header and nothing else of the platform.
 *
 * The machine as this platform sees it: one CPU in 64-bit mode, memory
 * identity-mapped (virtual address == physical address) with 4-level page
 * tables, the image linked at 1 MiB, a 16550 UART on COM1 for the console,
 * the TSC for time, the local APIC timer (or TSC-deadline) to wake from
 * `hlt`, QEMU's isa-debug-exit port to end, and virtio devices (net,
 * block, entropy) on PCI with MSI-X or on MMIO through the IOAPIC.
 *
 * Interrupts are disabled everywhere except inside kp_yield()'s `sti; hlt`
 * window (see yield.c) and drivers' intr_wait(). Interrupt handlers therefore never run in the
 * middle of platform, runtime or application code: the platform needs no
 * locks, and a handler only records what happened for kp_yield() to
 * return. Exceptions (vectors 0..31) can happen anywhere; they are fatal.
 */
#ifndef KEEL_X86_64_PLATFORM_IMPL_H
#define KEEL_X86_64_PLATFORM_IMPL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <keel/manifest.h>
#include <keel/platform.h>

#include "../common/common.h"
#include "../virtio/virtio.h"
#include "layout.h"

/* This target's name, for platform/common/manifest.c. */
#ifndef PLATFORM_TARGET /* platform/xen builds these files as target xen */
#define PLATFORM_TARGET x86_64
#endif

/* ---- Boot information (boot_info.c) -------------------------------------- */

/* How the loader entered the image (boot.S passes it to x86_start). */
enum boot_kind {
	BOOT_PVH = BOOT_KIND_PVH, /* Xen PVH / QEMU / Firecracker: %ebx = hvm_start_info */
	BOOT_MULTIBOOT = BOOT_KIND_MULTIBOOT, /* multiboot v1 (GRUB, QEMU): %ebx = multiboot_info */
};

#define BOOT_CMDLINE_MAX 1024
#define BOOT_MEMMAP_MAX 32

/*
 * What the loader told us, copied into the image's own memory before
 * anything is allocated: loaders put these structures in RAM we are about
 * to hand to the heap (QEMU's multiboot loader puts the command line just
 * past the end of the image).
 */
struct boot_info {
	enum boot_kind kind;
	/* The loader's command line. QEMU's multiboot loader puts the image's
	 * path first (cmdline_has_name); PVH and GRUB 2 pass only the
	 * arguments. */
	char cmdline[BOOT_CMDLINE_MAX];
	bool cmdline_has_name;
	bool cmdline_truncated;
	struct mem_range ram[BOOT_MEMMAP_MAX]; /* usable RAM, page-aligned inwards */
	unsigned nram;
	/* PVH start info of version 0, or with no entries in its map. */
	bool memmap_absent;
};

extern struct boot_info boot_info;

/* Copies the loader's information into boot_info; refuses to boot (with
 * a message) when there is no memory map or the structures are unusable. */
void boot_info_read(enum boot_kind kind, uint32_t info_paddr);

/* What boot_info_parse may read of the loader's memory: physical
 * addresses [base, base + len), found at host + (address - base). */
struct boot_mem {
	uintptr_t host;
	uint64_t base, len;
};

/*
 * The reading part of boot_info_read, with no hardware and no refusal:
 * fills boot_info from the structure of `kind` at info_paddr, reading
 * only inside `mem`. Returns NULL, or why the structures are unusable
 * (boot_info is then partly filled). A PVH start info without a memory
 * map is not an error here: memmap_absent is set and nram is 0.
 */
const char *boot_info_parse(enum boot_kind kind, uint64_t info_paddr, const struct boot_mem *mem);
/* Adds a usable RAM range to boot_info (page-aligned inwards; ignored
 * when empty, wrapping, or beyond BOOT_MEMMAP_MAX ranges). */
void boot_info_add_ram(uint64_t addr, uint64_t len);
/*
 * When a PVH loader passes no memory map (hvm_start_info version 0, as
 * Xen does for its initial domain), boot_info_read calls this to get it
 * from the hypervisor instead: true when it filled boot_info.ram. The
 * default (weak, boot_info.c) has no hypervisor to ask.
 */
bool boot_memmap_from_hypervisor(void);

/*
 * Splits boot_info.cmdline into argv (cmdline.c). A word
 * `virtio_mmio.device=SIZE@ADDR:IRQ` (Linux's syntax, which Firecracker
 * and QEMU's microvm use to describe virtio-mmio devices) is not an
 * argument: it is taken out and recorded in boot_mmio[], in order.
 */
void cmdline_split(int *argc, char ***argv);

#define BOOT_MMIO_MAX 16
struct boot_mmio {
	uint64_t addr, size; /* the registers: [addr, addr + size) */
	uint32_t irq;        /* the global system interrupt (IOAPIC input) */
};
extern struct boot_mmio boot_mmio[BOOT_MMIO_MAX];
extern unsigned boot_nmmio;

/* ---- The paravirtual clock of Xen and KVM (pvclock.c) ------------------------ */

/* As the hypervisor publishes it: Xen's vcpu_time_info, KVM's
 * pvclock_vcpu_time_info (32 bytes, the same layout). */
struct pvclock_info {
	uint32_t version; /* odd while the hypervisor updates the fields */
	uint32_t pad0;
	uint64_t tsc_timestamp; /* TSC when system_time was current */
	uint64_t system_time;   /* ns since the hypervisor's epoch */
	uint32_t tsc_to_system_mul;
	int8_t tsc_shift;
	uint8_t flags;
	uint8_t pad1[2];
};

/* A consistent copy of the fields. */
struct pvclock {
	uint64_t tsc_timestamp, system_time;
	uint32_t mul;
	int8_t shift;
};

/* Copies *t consistently (the version protocol, bounded); false when
 * the hypervisor kept it in an update. */
bool pvclock_read(const volatile struct pvclock_info *t, struct pvclock *c);
/* A scale that can be used: a multiplier, a shift within 31. */
bool pvclock_plausible(const struct pvclock *c);
/* The hypervisor's system time in ns at TSC value `tsc`. */
uint64_t pvclock_ns(const struct pvclock *c, uint64_t tsc);
/* The TSC frequency the scale stands for, in Hz (rounded). */
uint64_t pvclock_tsc_hz(const struct pvclock *c);

/* ---- CPU (cpu.c, cpu_tables.c, canary.c) ---------------------------------- */

struct cpu_features {
	bool rdrand, rdseed;
	bool tsc_deadline;
	bool hypervisor;
	uint32_t max_leaf, max_hv_leaf;
};
extern struct cpu_features cpu_features;

void cpu_features_init(void);
/* Sets gate `vector` of the IDT to `handler`, on interrupt stack `ist`
 * (0: the current stack). Before cpu_tables_init() only. */
void cpu_idt_set(unsigned vector, uintptr_t handler, unsigned ist);
/* Loads the final GDT with the TSS (interrupt stacks) and the IDT. */
void cpu_tables_init(void);

static inline void cpu_cpuid(uint32_t leaf, uint32_t sub, uint32_t r[4])
{
	__asm__ volatile("cpuid"
	                 : "=a"(r[0]), "=b"(r[1]), "=c"(r[2]), "=d"(r[3])
	                 : "a"(leaf), "c"(sub));
}

static inline uint64_t cpu_rdtsc(void)
{
	uint32_t lo, hi;

	__asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
	return (uint64_t)hi << 32 | lo;
}

static inline uint64_t cpu_rdmsr(uint32_t msr)
{
	uint32_t lo, hi;

	__asm__ volatile("rdmsr" : "=a"(lo), "=d"(hi) : "c"(msr));
	return (uint64_t)hi << 32 | lo;
}

static inline void cpu_wrmsr(uint32_t msr, uint64_t value)
{
	__asm__ volatile("wrmsr" ::"c"(msr), "a"((uint32_t)value), "d"((uint32_t)(value >> 32))
	                 : "memory");
}

static inline uint64_t cpu_read_cr2(void)
{
	uint64_t v;

	__asm__ volatile("mov %%cr2, %0" : "=r"(v));
	return v;
}

static inline uint64_t cpu_read_cr3(void)
{
	uint64_t v;

	__asm__ volatile("mov %%cr3, %0" : "=r"(v));
	return v;
}

static inline void cpu_write_cr3(uint64_t v)
{
	__asm__ volatile("mov %0, %%cr3" ::"r"(v) : "memory");
}

static inline void cpu_invlpg(uintptr_t addr)
{
	__asm__ volatile("invlpg (%0)" ::"r"(addr) : "memory");
}

/* Random 64-bit values from the CPU (random.c). false: none to be had. */
bool cpu_rdrand64(uint64_t *out);
bool cpu_rdseed64(uint64_t *out);

/* ---- Port I/O ------------------------------------------------------------- */

static inline void io_out8(uint16_t port, uint8_t v)
{
	__asm__ volatile("outb %0, %1" ::"a"(v), "Nd"(port));
}

static inline uint8_t io_in8(uint16_t port)
{
	uint8_t v;

	__asm__ volatile("inb %1, %0" : "=a"(v) : "Nd"(port));
	return v;
}

static inline void io_out16(uint16_t port, uint16_t v)
{
	__asm__ volatile("outw %0, %1" ::"a"(v), "Nd"(port));
}

static inline uint16_t io_in16(uint16_t port)
{
	uint16_t v;

	__asm__ volatile("inw %1, %0" : "=a"(v) : "Nd"(port));
	return v;
}

static inline void io_out32(uint16_t port, uint32_t v)
{
	__asm__ volatile("outl %0, %1" ::"a"(v), "Nd"(port));
}

static inline uint32_t io_in32(uint16_t port)
{
	uint32_t v;

	__asm__ volatile("inl %1, %0" : "=a"(v) : "Nd"(port));
	return v;
}

/* ---- Device registers and shared memory ------------------------------------ */

/* Registers mapped with mem_map_mmio(): every access is made, once, with
 * the width written, in program order (volatile). */
static inline uint8_t mmio_read8(uintptr_t a)
{
	return *(volatile uint8_t *)a;
}

static inline uint16_t mmio_read16(uintptr_t a)
{
	return *(volatile uint16_t *)a;
}

static inline uint32_t mmio_read32(uintptr_t a)
{
	return *(volatile uint32_t *)a;
}

static inline void mmio_write8(uintptr_t a, uint8_t v)
{
	*(volatile uint8_t *)a = v;
}

static inline void mmio_write16(uintptr_t a, uint16_t v)
{
	*(volatile uint16_t *)a = v;
}

static inline void mmio_write32(uintptr_t a, uint32_t v)
{
	*(volatile uint32_t *)a = v;
}

/*
 * Memory shared with a device (virtqueues) is ordinary cached RAM, and
 * x86 keeps stores in order and loads in order; the one reordering it
 * does is a later load passing an earlier store. cpu_mb() forbids that
 * (and the compiler's reordering); cpu_barrier() only the compiler's.
 */
static inline void cpu_mb(void)
{
	__asm__ volatile("mfence" ::: "memory");
}

static inline void cpu_barrier(void)
{
	__asm__ volatile("" ::: "memory");
}

/* platform/virtio's ordering of ring memory: x86 keeps stores in order
 * and loads in order, so only the compiler must be held back. */
static inline void cpu_wmb(void)
{
	__asm__ volatile("" ::: "memory");
}

static inline void cpu_rmb(void)
{
	__asm__ volatile("" ::: "memory");
}

static inline void cpu_relax(void)
{
	__asm__ volatile("pause");
}

/* ---- Memory (mem.c, mem_init.c, guard.c) --------------------------------- */

#define PAGE_SIZE 4096u
#define LARGE_PAGE_SIZE (2u << 20)

/* Page-table entry bits. */
#define PTE_P (1ull << 0)     /* present */
#define PTE_W (1ull << 1)     /* writable */
#define PTE_PWT (1ull << 3)   /* write-through */
#define PTE_PCD (1ull << 4)   /* cache disabled */
#define PTE_PS (1ull << 7)    /* in a directory entry: a 2 MiB page */
#define PTE_GUARD (1ull << 9) /* ours (bit 9 is free for software): a guard page */
#define PTE_NX (1ull << 63)   /* no execute */
#define PTE_ADDR 0x000ffffffffff000ull

/* Rights of each kind of mapping: W^X everywhere. */
#define MAP_RW (PTE_P | PTE_W | PTE_NX)
#define MAP_RO (PTE_P | PTE_NX)
#define MAP_RX (PTE_P)

/*
 * Builds the final page tables (W^X image, guard pages, page 0 and all of
 * low memory unmapped, the heap read-write and no-execute) and picks the
 * heap: the largest usable RAM range above the image, less the pages kept
 * for page tables. Refuses to boot below 1 MiB of heap.
 */
void mem_init(uintptr_t *heap_start, size_t *heap_size);

/* Where new page tables come from (mem.c): [start, end), mapped. */
void mem_pool_init(uintptr_t start, uintptr_t end);
/* A zeroed page from the pool, NULL when it is used up. */
uint64_t *mem_new_table(void);
/* The root table mem_pde/mem_pte/mem_map_range work on. */
void mem_set_root(uint64_t *pml4);
/* Entries for `va`; with `create`, missing tables are made. NULL if none
 * (or the pool is empty). mem_pte splits a 2 MiB page to give one. */
uint64_t *mem_pde(uint64_t va, bool create);
uint64_t *mem_pte(uint64_t va, bool create);
/* Maps [start, end) to itself with `flags` (boot only, no TLB flush). */
bool mem_map_range(uint64_t start, uint64_t end, uint64_t flags);

/* Maps [phys, phys + len) uncached, read-write, no-execute, for device
 * registers; false when out of page-table pages. */
bool mem_map_mmio(uint64_t phys, uint64_t len);

/* True when every byte of [addr, addr + len) is mapped. Walks the page
 * tables; safe on any address (the fault reporter uses it). */
bool mem_is_mapped(uintptr_t addr, size_t len);

/* True when `addr` falls in a guard page (unmapped on purpose under a
 * stack, by image.ld or kp_page_guard). */
bool mem_is_guard(uintptr_t addr);

/* The heap (mem_heap_start, mem_heap_end, mem_take): common.h. */

/* ---- Interrupts (intr.c, intr_stubs.S) ------------------------------------ */

/* Saved by the stubs in intr_stubs.S, lowest address first. */
struct intr_frame {
	uint64_t r15, r14, r13, r12, r11, r10, r9, r8;
	uint64_t rbp, rdi, rsi, rdx, rcx, rbx, rax;
	uint64_t vector, error;
	uint64_t rip, cs, rflags, rsp, ss; /* pushed by the CPU */
};

/* A handler for an interrupt vector: runs with interrupts disabled, on
 * the stack kp_yield() was called on, between `sti; hlt` and `cli`. It
 * MUST acknowledge its source (lapic_eoi, or the PIC) itself. */
typedef void (*intr_handler)(unsigned vector, void *arg);

void intr_init(void);
void intr_set_handler(unsigned vector, intr_handler fn, void *arg);
/* A vector of INTR_VECTOR_DEVICE_FIRST..LAST nobody has yet; refuses to
 * boot when they are all taken. */
unsigned intr_alloc_vector(void);

/* Sleeps in `hlt` until an interrupt has been handled or monotonic time
 * reaches `deadline` (yield.c). For drivers that wait for their device
 * (block, entropy) with interrupts otherwise off; may return early. */
void intr_wait(kp_time deadline);

/* Handles that have input waiting: a driver sets its handle's bit when
 * input arrives (from its interrupt handler) and clears it once all of it
 * has been read, so kp_yield() reports input until it is read, as poll()
 * does on linux. kp_yield() only reads it. */
extern kp_handle_set intr_ready;

/* Called from intr_stubs.S. */
void intr_dispatch(struct intr_frame *f);
void fault_report(struct intr_frame *f) __attribute__((noreturn));
/* Prints "keel:   stack: RIP RET RET..." from a frame-pointer walk. */
void fault_print_stack(uint64_t rip, uint64_t rbp);

/* The entry stubs (intr_stubs.S): the one for vector v is at
 * intr_stubs + v * INTR_STUB_SIZE, for v < INTR_STUB_COUNT. */
extern const char intr_stubs[], intr_stub_spurious[];

/* ---- Interrupt controllers and timers (lapic.c, pic.c, pit.c) ----------- */

void lapic_init(void);
void lapic_eoi(void);
/* This CPU's local APIC ID, the destination of device interrupts. */
uint32_t lapic_id(void);
/* Opens (ExtINT) and masks LINT0, through which the 8259 reaches the
 * CPU: open only while clock.c measures against the PIT. */
void lapic_open_lint0(void);
void lapic_close_lint0(void);
/* One-shot timer: fires INTR_VECTOR_TIMER after `ticks` (LAPIC timer
 * ticks), or at TSC value `tsc` in TSC-deadline mode. 0 disarms. */
void lapic_timer_oneshot(uint32_t ticks);
void lapic_timer_deadline(uint64_t tsc);
/* Counts down from 2^32 - 1, interrupting at 0; for measuring its rate. */
void lapic_timer_start_free(void);
uint32_t lapic_timer_current(void);

/* Remaps the 8259s out of the exception vectors and masks every line but
 * those in `unmasked` (bit i: IRQ i). */
void pic_init(uint16_t unmasked);
void pic_eoi(unsigned irq);

#define PIT_HZ 1193182u
/* False when no PIT answers. */
bool pit_present(void);
/* Channel 0 one-shot: IRQ 0 after `count` ticks of PIT_HZ; the counter
 * then goes on down from 0xffff. */
void pit_oneshot(uint16_t count);
/* Channel 0's counter now. */
uint16_t pit_read(void);

/* ---- Time (clock.c, rtc.c) ------------------------------------------------ */

/* Calibrates the TSC and the wake-up timer; refuses to boot if it can't. */
void clock_init(void);
/* The TSC value at monotonic time `ns` (rounded up), saturating. */
uint64_t clock_tsc_at(kp_time ns);
/* Local APIC timer ticks per second (0 in TSC-deadline mode). */
extern uint64_t clock_lapic_hz;
extern bool clock_use_deadline;

/* Seconds since the epoch read from the CMOS clock; 0 if it looks wrong. */
uint64_t rtc_read_epoch(void);

/* ---- Console (console.c) -------------------------------------------------- */

void console_init(void);
/* Writes out what kp_console_write() has buffered. */
void console_flush(void);
/* Unbuffered write, for fault reports (flushes the buffer first). */
void console_write_now(const char *buf, size_t len);

/* Messages (print_str, platform_fail...) and the manifest check are
 * platform/common's (common.h). */

/* ---- Ending (exit.c) -------------------------------------------------------- */

/* Exit statuses the platform itself produces. An image that refuses to
 * start ends with 2, as on linux; crashes end with 128 + the number of
 * the signal Linux would have sent, as a shell reports a crashed process. */
#define X86_EXIT_REFUSED PLATFORM_EXIT_REFUSED
#define X86_EXIT_ABORT (128 + 6)   /* SIGABRT */
#define X86_EXIT_SIGILL (128 + 4)  /* #UD */
#define X86_EXIT_SIGTRAP (128 + 5) /* #DB, #BP */
#define X86_EXIT_SIGFPE (128 + 8)  /* #DE, #MF, #XM */
#define X86_EXIT_SIGSEGV (128 + 11)

/* ---- PCI (pci.c) ------------------------------------------------------------ */

/* Calls `visit` for every function on bus 0 and on the buses behind its
 * bridges, in address order. false: no PCI configuration mechanism (the
 * microvm machine has none). */
bool pci_scan(void (*visit)(const struct pci_fn *f));
/* pci_read8/16/32, pci_next_cap, pci_bar (firmware-assigned BARs) and
 * pci_enable: platform/virtio/virtio.h. */
void pci_write16(const struct pci_fn *f, unsigned off, uint16_t v);
void pci_write32(const struct pci_fn *f, unsigned off, uint32_t v);
/* Makes MSI-X entry 0 deliver `vector` to this CPU and enables MSI-X
 * (legacy INTx goes off). false: the function has no usable MSI-X. */
bool pci_msix_route(const struct pci_fn *f, unsigned vector);

/* ---- IOAPIC (ioapic.c) ------------------------------------------------------ */

/* True when an IOAPIC has input `gsi` (the first at 0xfec00000 has 0..23;
 * microvm has a second at 0xfec10000 with 24..47). */
bool ioapic_has(unsigned gsi);
/* Delivers input `gsi`, level-triggered, as `vector` to this CPU.
 * Refuses to boot when there is no such input. */
void ioapic_route(unsigned gsi, unsigned vector);

/* ---- virtio: shared (platform/virtio/virtio.h) and x86-specific ------------- */

/* microvm's default transports: used when the command line names none
 * and there is no PCI (virtio_find.c). */
void virtio_mmio_probe_microvm(void);

/* ---- Start steps (start.c) -------------------------------------------------- */

void x86_start(uint32_t kind, uint32_t info_paddr) __attribute__((noreturn));

/* ---- Linker-script symbols (image.ld) ------------------------------------- */

extern char __image_start[], __text_start[], __text_end[], __data_start[];
extern char __load_end[], __bss_end[], __image_end[];
extern char __tables_start[], __tables_end[];
extern char __boot_stack_guard[], __boot_stack_top[];
extern char __ist_df_guard[], __ist_df_top[];
extern char __ist_nmi_guard[], __ist_nmi_top[];
extern char __ist_pf_guard[], __ist_pf_top[];

/* Defined by libc (-mstack-protector-guard=global); seeded in canary.c. */
extern uintptr_t __stack_chk_guard;

#endif
