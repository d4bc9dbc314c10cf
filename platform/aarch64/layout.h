/*
 * layout.h — numbers shared by the assembly and C files of
 * platform/aarch64 (no C declarations: boot.S and vectors.S include it).
 */
#ifndef KEEL_AARCH64_LAYOUT_H
#define KEEL_AARCH64_LAYOUT_H

/* MAIR_EL1 attribute indexes (boot.S sets MAIR_EL1 to match). */
#define MAIR_VALUE 0x00ff /* attr0: normal write-back; attr1: Device-nGnRnE */
#define ATTR_NORMAL 0
#define ATTR_DEVICE 1

/* TCR_EL1 without its IPS field (set from ID_AA64MMFR0_EL1 at boot):
 * 39-bit addresses through TTBR0 (T0SZ 25, 4 KiB granule, walks from
 * level 1), write-back inner-shareable walks, TTBR1 walks disabled. */
#define TCR_VALUE 0x803519

/* SCTLR_EL1: the RES1 bits, MMU, data and instruction caches, stack
 * alignment check; mem_init.c adds WXN once the final tables are in. */
#define SCTLR_RES1 0x30d00800
#define SCTLR_M (1 << 0)
#define SCTLR_C (1 << 2)
#define SCTLR_SA (1 << 3)
#define SCTLR_I (1 << 12)
#define SCTLR_WXN (1 << 19)
#define SCTLR_BOOT (SCTLR_RES1 | SCTLR_M | SCTLR_C | SCTLR_SA | SCTLR_I)

/* The exception frame vectors.S saves (struct exc_frame). */
#define FRAME_SIZE 304 /* x0..x30, sp, elr, spsr, esr, far, kind: 37 words, rounded to 16 */

#endif
