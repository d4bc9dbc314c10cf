/*
 * gic.c — the generic interrupt controller, version 2 or 3 (whichever
 * the device tree names; QEMU: -M virt,gic-version=2|3).
 *
 * Interrupts stay masked in PSTATE: the GIC is used only to wake `wfi`
 * and to say, afterwards, which interrupts are pending (gic_poll reads
 * the acknowledge register until it reads "spurious", runs each one's
 * handler and ends it). Every interrupt used has the highest priority
 * and goes to this CPU; the priority mask lets all through.
 *
 * GICv2: distributor and memory-mapped CPU interface. GICv3: distributor
 * with affinity routing, this CPU's redistributor (woken up first), and
 * the CPU interface through system registers. Interrupts are put in
 * group 1 (non-secure); QEMU's virt has no secure side, so the
 * distributor's DS bit is set and both groups are ours.
 */
#include "platform_impl.h"

#define GICD_CTLR 0x000
#define GICD_IGROUPR 0x080
#define GICD_ISENABLER 0x100
#define GICD_ITARGETSR 0x800
#define GICD_IROUTER 0x6000
#define GICD_CTLR_RWP (1u << 31)

#define GICC_CTLR 0x00
#define GICC_PMR 0x04
#define GICC_IAR 0x0c
#define GICC_EOIR 0x10

#define GICR_WAKER 0x14
#define GICR_SGI 0x10000 /* the SGI_base frame */
#define GICR_IGROUPR0 (GICR_SGI + 0x080)
#define GICR_ISENABLER0 (GICR_SGI + 0x100)

#define INTID_SPURIOUS 1020
#define INTID_MAX 1020
#define HANDLERS_MAX 64
#define WAIT_MAX 1000000

static uintptr_t gicd, gicc, gicr;
static unsigned version;

struct handler {
	uint32_t intid;
	intr_handler fn;
	void *arg;
};

static struct handler handlers[HANDLERS_MAX];
static unsigned nhandlers;

static void wait_clear(uintptr_t reg, uint32_t bits, const char *what)
{
	for (unsigned i = 0; mmio_read32(reg) & bits; i++) {
		if (i == WAIT_MAX)
			platform_fail("the GIC does not answer: ", what, NULL);
	}
}

static void enable_ppi(uint32_t intid)
{
	if (version == 2) {
		mmio_write32(gicd + GICD_ISENABLER, 1u << intid);
	} else {
		mmio_write32(gicr + GICR_IGROUPR0, mmio_read32(gicr + GICR_IGROUPR0) | 1u << intid);
		mmio_write32(gicr + GICR_ISENABLER0, 1u << intid);
	}
}

void gic_enable(uint32_t intid)
{
	uintptr_t word = 4 * (intid / 32);
	uint32_t bit = 1u << (intid % 32);

	if (intid < 32) {
		enable_ppi(intid);
		return;
	}
	if (version == 2) {
		/* ITARGETSR: one byte per interrupt; CPU interface 0. */
		uintptr_t t = gicd + GICD_ITARGETSR + (intid & ~3u);
		uint32_t shift = 8 * (intid & 3);

		mmio_write32(t, (mmio_read32(t) & ~(0xffu << shift)) | 1u << shift);
	} else {
		mmio_write32(gicd + GICD_IGROUPR + word,
		             mmio_read32(gicd + GICD_IGROUPR + word) | bit);
		mmio_write64(gicd + GICD_IROUTER + 8 * (uintptr_t)intid, 0); /* affinity 0.0.0.0 */
	}
	mmio_write32(gicd + GICD_ISENABLER + word, bit);
}

static void init_v2(void)
{
	mmio_write32(gicd + GICD_CTLR, 0x3);
	mmio_write32(gicc + GICC_PMR, 0xff);
	mmio_write32(gicc + GICC_CTLR, 0x1);
}

static void init_v3(void)
{
	/* ARE, EnableGrp1, EnableGrp0 (the layout with DS set). */
	mmio_write32(gicd + GICD_CTLR, 0x13);
	wait_clear(gicd + GICD_CTLR, GICD_CTLR_RWP, "distributor");
	/* Wake the redistributor: clear ProcessorSleep, wait for
	 * ChildrenAsleep to clear. */
	mmio_write32(gicr + GICR_WAKER, mmio_read32(gicr + GICR_WAKER) & ~2u);
	wait_clear(gicr + GICR_WAKER, 4, "redistributor");
	sysreg_write(S3_0_C12_C12_5, sysreg_read(S3_0_C12_C12_5) | 1); /* ICC_SRE_EL1.SRE */
	cpu_isb();
	if (!(sysreg_read(S3_0_C12_C12_5) & 1))
		platform_fail("the GICv3 CPU interface cannot be used through system registers", NULL);
	sysreg_write(S3_0_C4_C6_0, 0xff); /* ICC_PMR_EL1 */
	sysreg_write(S3_0_C12_C12_3, 0);  /* ICC_BPR1_EL1 */
	sysreg_write(S3_0_C12_C12_7, 1);  /* ICC_IGRPEN1_EL1 */
	cpu_isb();
}

void gic_init(void)
{
	version = dt.gic_version;
	gicd = (uintptr_t)dt.gicd;
	gicc = (uintptr_t)dt.gicc;
	gicr = (uintptr_t)dt.gicr;
	if (version == 2)
		init_v2();
	else if (version == 3)
		init_v3();
	else
		platform_fail("the device tree names no GIC (v2 or v3)", NULL);
	enable_ppi(dt.timer_intid);
}

void intr_set_handler(uint32_t intid, intr_handler fn, void *arg)
{
	if (nhandlers == HANDLERS_MAX)
		platform_fail("too many interrupt handlers", NULL);
	handlers[nhandlers++] = (struct handler){ intid, fn, arg };
}

static uint32_t acknowledge(void)
{
	if (version == 2)
		return mmio_read32(gicc + GICC_IAR);
	return (uint32_t)sysreg_read(S3_0_C12_C12_0); /* ICC_IAR1_EL1 */
}

static void end(uint32_t iar)
{
	if (version == 2)
		mmio_write32(gicc + GICC_EOIR, iar);
	else
		sysreg_write(S3_0_C12_C12_1, iar); /* ICC_EOIR1_EL1 */
}

void gic_poll(void)
{
	for (;;) {
		uint32_t iar = acknowledge();
		uint32_t intid = iar & 0xffffff;

		if (version == 2)
			intid &= 0x3ff;
		if (intid >= INTID_SPURIOUS)
			return;
		if (intid == dt.timer_intid) {
			/* Level-triggered: disarmed, its line drops; yield.c
			 * re-arms it for the next deadline. */
			timer_arm(0);
		} else {
			for (unsigned i = 0; i < nhandlers; i++) {
				if (handlers[i].intid == intid)
					handlers[i].fn(intid, handlers[i].arg);
			}
		}
		end(iar);
	}
}
