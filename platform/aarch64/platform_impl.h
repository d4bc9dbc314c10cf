/*
 * platform_impl.h — private to platform/aarch64: the boot steps start.c
 * runs in order, and what the files share. Every .c file of the platform
 * includes this header and nothing else of the platform.
 *
 * The machine as this platform sees it: one CPU at EL1 in AArch64,
 * memory identity-mapped (virtual == physical) through TTBR0 with 4 KiB
 * pages and 39-bit addresses, the image linked 2 MiB into RAM, and
 * everything else described by the flattened device tree the loader
 * passes: RAM, the PL011 console, the PL031 RTC, the GIC (v2 or v3),
 * the generic timer's interrupt, PSCI, virtio-mmio transports.
 *
 * Interrupts are masked in PSTATE all the time. kp_yield() sleeps in
 * `wfi`, which a pending interrupt ends even while masked, and then
 * acknowledges what the GIC has pending (gic_poll): handlers run only
 * there, so the platform needs no locks and no interrupt context, and
 * an exception is always a fault (vectors.S, fault.c).
 */
#ifndef KEEL_AARCH64_PLATFORM_IMPL_H
#define KEEL_AARCH64_PLATFORM_IMPL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <keel/manifest.h>
#include <keel/platform.h>

#include "../common/common.h"
#include "../virtio/virtio.h"
#include "layout.h"

/* This target's name, for platform/common/manifest.c. */
#define PLATFORM_TARGET aarch64

/* ---- Device tree (dtb.c) ---------------------------------------------------- */

#define DT_RAM_MAX 8
#define DT_MMIO_MAX 32
#define DT_BOOTARGS_MAX 1024

/* One virtio-mmio transport: registers and its GIC interrupt ID. */
struct dt_mmio {
	uint64_t addr, size;
	uint32_t intid;
};

#define DT_PCI_IRQ_MAX 32

/* The generic PCIe host bridge ("pci-host-ecam-generic"): its
 * configuration space (ECAM), the first bus, the 32-bit memory window
 * BARs are placed in, and its interrupt-map (a function's INTx pin to a
 * GIC interrupt ID) with the mask applied to a function's address. */
struct dt_pci {
	uint64_t ecam, ecam_size;
	uint32_t bus;
	uint64_t mem_cpu, mem_pci, mem_size;
	uint32_t mask_devfn, mask_pin;
	struct dt_pci_irq {
		uint32_t devfn; /* phys.hi of the child address, masked */
		uint32_t pin;   /* 1..4 (INTA..INTD), masked */
		uint32_t intid;
	} irq[DT_PCI_IRQ_MAX];
	unsigned nirq;
};

/* What the platform uses of the device tree, copied out of it before
 * its memory is handed to the heap. A missing device has addr 0. */
struct dt_info {
	struct mem_range ram[DT_RAM_MAX];
	unsigned nram;
	char bootargs[DT_BOOTARGS_MAX];
	bool bootargs_truncated;
	uint64_t uart;             /* PL011 registers */
	uint64_t rtc;              /* PL031 registers */
	unsigned gic_version;      /* 2 or 3; 0: none found */
	uint64_t gicd, gicc, gicr; /* distributor; v2 CPU interface; v3 redistributor */
	uint32_t timer_intid;      /* the EL1 virtual timer's PPI */
	enum { PSCI_NONE, PSCI_HVC, PSCI_SMC } psci;
	struct dt_mmio mmio[DT_MMIO_MAX];
	unsigned nmmio;
	struct dt_pci pci;         /* ecam 0: no PCIe host bridge */
	uint64_t dtb_start, dtb_end; /* where the tree itself lay */
};

extern struct dt_info dt;

/* Reads the tree at `addr` into dt. Returns NULL, or a message saying
 * why the tree is unusable (nothing is printed: the console's address
 * comes from the tree). */
const char *dt_read(uint64_t addr);
/* The same on a tree at `tree` of which at most `limit` bytes may be
 * read (dt_read checks the address; the host tests call this). */
const char *dt_parse(const void *tree, uint64_t limit);

/* ---- System registers and barriers --------------------------------------------- */

#define sysreg_read(name)                                                                          \
	({                                                                                         \
		uint64_t v_;                                                                       \
		__asm__ volatile("mrs %0, " #name : "=r"(v_));                                     \
		v_;                                                                                \
	})
#define sysreg_write(name, v) __asm__ volatile("msr " #name ", %0" ::"r"((uint64_t)(v)) : "memory")

static inline void cpu_isb(void)
{
	__asm__ volatile("isb" ::: "memory");
}

/* Orders memory accesses, device registers included, both ways. */
static inline void cpu_mb(void)
{
	__asm__ volatile("dsb sy" ::: "memory");
}

static inline void cpu_barrier(void)
{
	__asm__ volatile("" ::: "memory");
}

/* Orders ring memory shared with devices (platform/virtio/virtio.h):
 * stores before later stores, loads before later loads. */
static inline void cpu_wmb(void)
{
	__asm__ volatile("dmb oshst" ::: "memory");
}

static inline void cpu_rmb(void)
{
	__asm__ volatile("dmb oshld" ::: "memory");
}

static inline void cpu_relax(void)
{
	__asm__ volatile("yield");
}

/* Device registers (mapped Device-nGnRnE): each access made once, with
 * the width written, in program order. */
static inline uint8_t mmio_read8(uintptr_t a)
{
	uint8_t v = *(volatile uint8_t *)a;

	__asm__ volatile("" ::: "memory");
	return v;
}

static inline uint16_t mmio_read16(uintptr_t a)
{
	uint16_t v = *(volatile uint16_t *)a;

	__asm__ volatile("" ::: "memory");
	return v;
}

static inline void mmio_write8(uintptr_t a, uint8_t v)
{
	__asm__ volatile("" ::: "memory");
	*(volatile uint8_t *)a = v;
}

static inline void mmio_write16(uintptr_t a, uint16_t v)
{
	__asm__ volatile("" ::: "memory");
	*(volatile uint16_t *)a = v;
}

static inline uint32_t mmio_read32(uintptr_t a)
{
	uint32_t v = *(volatile uint32_t *)a;

	__asm__ volatile("" ::: "memory");
	return v;
}

static inline void mmio_write32(uintptr_t a, uint32_t v)
{
	__asm__ volatile("" ::: "memory");
	*(volatile uint32_t *)a = v;
}

static inline void mmio_write64(uintptr_t a, uint64_t v)
{
	__asm__ volatile("" ::: "memory");
	*(volatile uint64_t *)a = v;
}

/* ---- Memory (mem.c, mem_init.c, guard.c) ----------------------------------------- */

#define PAGE_SIZE 4096u
#define BLOCK_SIZE (2u << 20)

/* Descriptor bits (VMSAv8-64, 4 KiB granule). */
#define PTE_VALID (1ull << 0)
#define PTE_TABLE (1ull << 1) /* level 1-2: a table; level 3: a page */
#define PTE_ATTR(i) ((uint64_t)(i) << 2)
#define PTE_RO (1ull << 7) /* AP[2]: read-only */
#define PTE_SH (3ull << 8) /* inner shareable */
#define PTE_AF (1ull << 10)
#define PTE_PXN (1ull << 53)
#define PTE_UXN (1ull << 54)
#define PTE_GUARD (1ull << 55) /* ours (software bit): a guard page */
#define PTE_ADDR 0x0000fffffffff000ull

#define MAP_RW (PTE_AF | PTE_SH | PTE_ATTR(ATTR_NORMAL) | PTE_PXN | PTE_UXN)
#define MAP_RO (MAP_RW | PTE_RO)
#define MAP_RX (PTE_AF | PTE_SH | PTE_ATTR(ATTR_NORMAL) | PTE_RO | PTE_UXN)
#define MAP_DEVICE (PTE_AF | PTE_ATTR(ATTR_DEVICE) | PTE_PXN | PTE_UXN)

#define VA_LIMIT (1ull << 39)

/* Builds the final tables (W^X image, guard pages, page 0 unmapped,
 * the device registers of dt) and picks the heap. */
void mem_init(uintptr_t *heap_start, size_t *heap_size);

void mem_pool_init(uintptr_t start, uintptr_t end);
uint64_t *mem_new_table(void);
void mem_set_root(uint64_t *root);
/* Level-3 entry for va, splitting a 2 MiB block; with `create`,
 * missing tables are made. NULL when there is none (or no pool left). */
uint64_t *mem_pte(uint64_t va, bool create);
/* Maps [start, end) to itself with `flags` (boot only). */
bool mem_map_range(uint64_t start, uint64_t end, uint64_t flags);
/* Maps [phys, phys + len) as device memory (registers); false when out
 * of page-table pages. */
bool mem_map_mmio(uint64_t phys, uint64_t len);
/* Invalidates the TLB entries of one page, after its entry changed. */
void mem_flush_page(uintptr_t va);
bool mem_is_mapped(uintptr_t addr, size_t len);
bool mem_is_guard(uintptr_t addr);
/* The heap (mem_heap_start, mem_heap_end, mem_take): common.h. */

/* ---- Interrupts and time (gic.c, clock.c, yield.c) -------------------------------- */

/* Sets the GIC up (refuses to boot without one) with the timer's PPI
 * enabled. */
void gic_init(void);
/* Enables interrupt `intid` (an SPI: level-triggered, to this CPU). */
void gic_enable(uint32_t intid);
typedef void (*intr_handler)(uint32_t intid, void *arg);
void intr_set_handler(uint32_t intid, intr_handler fn, void *arg);
/* Acknowledges and handles every interrupt the GIC has pending. */
void gic_poll(void);

/* Reads CNTFRQ; refuses to boot if it is 0. */
void clock_init(void);
/* The counter value at monotonic time `ns`, saturating. */
uint64_t clock_counter_at(kp_time ns);
/* Arms the EL1 virtual timer for `counter` (disarms with 0). */
void timer_arm(uint64_t counter);
/* Seconds since the epoch from the PL031; 0 without one. */
uint64_t rtc_read_epoch(void);

/* Sleeps in `wfi` until an interrupt was handled or `deadline`. */
void intr_wait(kp_time deadline);
extern kp_handle_set intr_ready;

/* ---- Exceptions (vectors.S, fault.c) -------------------------------------------- */

struct exc_frame {
	uint64_t x[31];
	uint64_t sp, elr, spsr, esr, far, kind;
};

void fault_report(struct exc_frame *f) __attribute__((noreturn));
/* Prints "keel:   stack: PC RET RET..." from a frame-record walk. */
void fault_print_stack(uint64_t pc, uint64_t fp);

/* ---- Console (console.c) ---------------------------------------------------------- */

/* Messages (print_str, platform_fail...) and the manifest check are
 * platform/common's (common.h). */
void console_init(void);
void console_flush(void);
void console_write_now(const char *buf, size_t len);

/* ---- Exit (exit.c) ---------------------------------------------------------------- */

#define A64_EXIT_REFUSED PLATFORM_EXIT_REFUSED
#define A64_EXIT_ABORT (128 + 6)
#define A64_EXIT_SIGILL (128 + 4)
#define A64_EXIT_SIGTRAP (128 + 5)
#define A64_EXIT_SIGBUS (128 + 7)
#define A64_EXIT_SIGSEGV (128 + 11)

/* kp_exit tries semihosting's SYS_EXIT first (exit.c): while it does,
 * a64_semihost_trying is set, and an undefined-instruction exception at
 * a64_semihost_hlt means the host has no semihosting; fault.c then calls
 * exit_without_semihosting (PSCI SYSTEM_OFF) instead of reporting. */
extern bool a64_semihost_trying;
extern char a64_semihost_hlt[];
void exit_without_semihosting(void) __attribute__((noreturn));

/* ---- Start (cmdline.c, start.c, random.c) ----------------------------------------- */

void cmdline_split(int *argc, char ***argv);

/* Places the BARs of every function on the PCIe host bridge's first bus
 * and calls `visit` for each, in slot order (pci.c); false without a
 * usable host bridge. */
bool pci_scan(void (*visit)(const struct pci_fn *f));

/* RNDR (FEAT_RNG): false when the CPU has none or it failed. */
bool cpu_rndr64(uint64_t *out);
bool cpu_has_rndr(void);

void a64_start(uint64_t dtb) __attribute__((noreturn));

/* ---- Linker-script symbols (image.ld) ---------------------------------------------- */

extern char __image_start[], __text_start[], __text_end[], __data_start[];
extern char __bss_end[], __image_end[];
extern char __boot_stack_guard[], __boot_stack_top[];
extern char __exception_stack_guard[], __exception_stack_top[];
extern uint64_t boot_l1[];
extern char a64_vectors[];

extern uintptr_t __stack_chk_guard;

#endif
