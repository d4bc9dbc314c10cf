/*
 * clock.c — time from the TSC: its frequency, the monotonic and wall
 * clocks, and the frequency of the local APIC timer kp_yield() sleeps on.
 *
 * The TSC frequency comes from CPUID when the CPU or hypervisor states it
 * (leaf 0x15 crystal ratio, else 0x16 base frequency; hypervisor leaf
 * 0x40000010, which VMware and QEMU with vmware-cpuid-freq fill), else it is measured
 * against the PIT over 10 ms. The measurement sleeps (`hlt`) until the
 * PIT interrupts instead of polling it, which costs no instructions (that
 * matters under emulation), and it reads the PIT's counter at both ends
 * rather than timing the interrupt, so the interrupt's latency does not
 * count (timing interrupts was 1-2% off under QEMU's TCG; this is within
 * about 0.1%). The local APIC timer's rate is measured in the same window,
 * unless the TSC-deadline mode makes it unnecessary or the hypervisor
 * states it.
 *
 * On KVM, when it offers kvmclock (CPUID leaves from 0x40000000 name
 * KVM and leaf +1 has CLOCKSOURCE2), the TSC frequency comes from the
 * host's own scale instead (pvclock.c: the structure Xen's PV clock has
 * too), read once at boot, and so does the wall clock, to the ns. The
 * TSC then still drives the clocks: that assumes the host keeps it
 * steady (a migration to a host with another TSC rate is not handled).
 * Not tried on a real KVM here (none can run on the machines this was
 * written on); TCG offers no kvmclock, and its path is the one tested.
 *
 * Monotonic ns = (TSC - TSC at boot) * mult >> 32, in 128-bit arithmetic
 * so it cannot overflow for centuries. The wall clock is the CMOS RTC read
 * at boot (whole seconds) plus monotonic time since.
 */
#include "platform_impl.h"

#define NSEC 1000000000ull
#define PIT_WINDOW 11932 /* PIT ticks: 10 ms */
#define PIT_TRIES 8     /* measurements before giving up */
#define CPUID_TSC_LEAF 0x15
#define CPUID_FREQ_LEAF 0x16
#define CPUID_HV_FREQ_LEAF 0x40000010
#define CPUID_HV_FIRST 0x40000000
#define CPUID_HV_LAST 0x4000ff00 /* hypervisors may list several interfaces, 0x100 apart */
#define KVM_FEATURE_CLOCKSOURCE2 (1u << 3)
#define MSR_KVM_WALL_CLOCK_NEW 0x4b564d00
#define MSR_KVM_SYSTEM_TIME_NEW 0x4b564d01

uint64_t clock_lapic_hz;
bool clock_use_deadline;

static uint64_t tsc_boot, tsc_hz, tsc_mult;
static uint64_t wall_boot_ns;
static volatile bool pit_fired;

/* The TSC frequency CPUID states, or 0; *lapic_hz gets the APIC timer
 * frequency when the hypervisor states it too. */
static uint64_t cpuid_tsc_hz(uint64_t *lapic_hz)
{
	uint32_t r[4];

	*lapic_hz = 0;
	if (cpu_features.max_leaf >= CPUID_TSC_LEAF) {
		cpu_cpuid(CPUID_TSC_LEAF, 0, r);
		/* TSC = crystal * ebx / eax; some CPUs leave the crystal out. */
		if (r[0] && r[1] && r[2])
			return (uint64_t)r[2] * r[1] / r[0];
		if (cpu_features.max_leaf >= CPUID_FREQ_LEAF) {
			cpu_cpuid(CPUID_FREQ_LEAF, 0, r);
			if (r[0] & 0xffff)
				return (uint64_t)(r[0] & 0xffff) * 1000000;
		}
	}
	if (cpu_features.max_hv_leaf >= CPUID_HV_FREQ_LEAF) {
		cpu_cpuid(CPUID_HV_FREQ_LEAF, 0, r);
		*lapic_hz = (uint64_t)r[1] * 1000;
		return (uint64_t)r[0] * 1000;
	}
	return 0;
}

/* kvmclock's structures; KVM writes them where the MSRs say. */
static struct pvclock_info kvm_time __attribute__((aligned(64)));
static struct {
	uint32_t version, sec, nsec; /* wall time at system time 0 */
} kvm_wall __attribute__((aligned(16)));

/* The CPUID base of KVM's leaves ("KVMKVMKVM\0\0\0"), or 0. */
static uint32_t kvm_base(void)
{
	uint32_t r[4];

	if (!cpu_features.hypervisor)
		return 0;
	for (uint32_t base = CPUID_HV_FIRST; base <= CPUID_HV_LAST; base += 0x100) {
		cpu_cpuid(base, 0, r);
		if (r[1] == 0x4b4d564b && r[2] == 0x564b4d56 && r[3] == 0x4d &&
		    (r[0] == 0 || r[0] >= base + 1))
			return base;
	}
	return 0;
}

/*
 * The TSC frequency and the wall clock (ns since the epoch, at TSC
 * *tsc) from kvmclock; false when KVM does not offer it or what it
 * writes makes no sense. The MSR is switched off again afterwards: the
 * scale is read once.
 */
static bool kvmclock_read(uint64_t *hz, uint64_t *wall_ns, uint64_t *tsc)
{
	uint32_t base = kvm_base(), r[4], v, tries;
	struct pvclock c;
	bool ok;

	if (!base)
		return false;
	cpu_cpuid(base + 1, 0, r);
	if (!(r[0] & KVM_FEATURE_CLOCKSOURCE2))
		return false;
	cpu_wrmsr(MSR_KVM_SYSTEM_TIME_NEW, (uint64_t)(uintptr_t)&kvm_time | 1);
	cpu_wrmsr(MSR_KVM_WALL_CLOCK_NEW, (uint64_t)(uintptr_t)&kvm_wall);
	ok = pvclock_read(&kvm_time, &c) && pvclock_plausible(&c);
	cpu_wrmsr(MSR_KVM_SYSTEM_TIME_NEW, 0);
	if (!ok)
		return false;
	*hz = pvclock_tsc_hz(&c);
	*tsc = cpu_rdtsc();
	*wall_ns = 0;
	for (tries = 0; tries < 1000; tries++) {
		v = *(volatile uint32_t *)&kvm_wall.version;
		cpu_rmb();
		uint64_t sec = *(volatile uint32_t *)&kvm_wall.sec;
		uint32_t nsec = *(volatile uint32_t *)&kvm_wall.nsec;

		cpu_rmb();
		if (!(v & 1) && v == *(volatile uint32_t *)&kvm_wall.version) {
			if (nsec < NSEC)
				*wall_ns = sec * NSEC + nsec + pvclock_ns(&c, *tsc);
			break;
		}
	}
	return *hz >= 1000000;
}

static void pit_irq(unsigned vector, void *arg)
{
	pit_fired = true;
	pic_eoi(0);
}

static void timer_irq(unsigned vector, void *arg)
{
	lapic_eoi();
}

/* The three clocks read as close together as possible; the TSC is taken
 * on both sides of the slow port reads and averaged. */
struct sample {
	uint64_t tsc;
	uint32_t lapic;
	uint16_t pit;
};

static void take_sample(struct sample *s)
{
	uint64_t before = cpu_rdtsc();

	s->lapic = lapic_timer_current();
	s->pit = pit_read();
	s->tsc = before + (cpu_rdtsc() - before) / 2;
}

/*
 * The PIT counts down PIT_WINDOW ticks once (mode 0) and interrupts at
 * zero, then keeps counting down from 0xffff. Reading its counter just
 * after starting it and again after the interrupt gives the PIT ticks
 * between the two readings exactly, however late the interrupt was
 * delivered (up to 55 ms, when the 16-bit counter would wrap).
 *
 * The local APIC timer counts down freely meanwhile; it is also the
 * watchdog: should the PIT never interrupt, the APIC timer does, after
 * 2^32 ticks (seconds), and the image refuses to boot instead of sleeping
 * forever.
 *
 * A virtual machine can be descheduled by its host for longer than the
 * counter takes to wrap; the reading then looks as if the PIT had counted
 * backwards. Such a measurement is refused (false) and taken again.
 */
static bool pit_measure(uint64_t *tsc, uint64_t *lapic)
{
	struct sample start, end;
	uint16_t ticks;

	intr_set_handler(INTR_VECTOR_PIC_BASE, pit_irq, NULL);
	pic_init(1u << 0);
	/* Every attempt: the one before closed it (a refused measurement
	 * that left it closed would never see the PIT again). */
	lapic_open_lint0();
	lapic_timer_start_free();
	pit_oneshot(PIT_WINDOW);
	take_sample(&start);
	while (!pit_fired) {
		__asm__ volatile("sti; hlt; cli" ::: "memory");
		if (lapic_timer_current() == 0)
			platform_fail("no interrupt from the PIT: cannot measure the TSC frequency",
			         NULL);
	}
	take_sample(&end);
	pic_init(0);
	lapic_close_lint0();
	lapic_timer_oneshot(0);
	intr_set_handler(INTR_VECTOR_PIC_BASE, NULL, NULL);

	pit_fired = false;

	ticks = (uint16_t)(start.pit - end.pit);
	if (ticks < start.pit || ticks == 0)
		return false;
	*tsc = (end.tsc - start.tsc) * PIT_HZ / ticks;
	*lapic = (uint64_t)(start.lapic - end.lapic) * PIT_HZ / ticks;
	return true;
}

void clock_init(void)
{
	uint64_t stated_lapic_hz;
	uint64_t epoch;

	uint64_t kvm_hz = 0, kvm_wall_ns = 0, kvm_tsc = 0;

	intr_set_handler(INTR_VECTOR_TIMER, timer_irq, NULL);
	tsc_boot = cpu_rdtsc();
	tsc_hz = cpuid_tsc_hz(&stated_lapic_hz);
	if (kvmclock_read(&kvm_hz, &kvm_wall_ns, &kvm_tsc))
		tsc_hz = kvm_hz;
	else
		kvm_wall_ns = 0; /* not from a clock whose rate was implausible */
	/* TSC-deadline needs only the TSC's frequency; the one-shot mode
	 * needs the APIC timer's too. */
	clock_use_deadline = cpu_features.tsc_deadline;
	clock_lapic_hz = stated_lapic_hz;
	if (!tsc_hz || (!clock_use_deadline && !clock_lapic_hz)) {
		uint64_t measured_tsc, measured_lapic;
		unsigned tries;

		if (!pit_present())
			platform_fail("cannot tell the TSC frequency: CPUID does not state it and there "
			         "is no PIT to measure it against",
			         NULL);
		for (tries = 0; !pit_measure(&measured_tsc, &measured_lapic); tries++)
			if (tries == PIT_TRIES - 1)
				platform_fail("the PIT wrapped in every measurement: cannot measure "
				              "the TSC frequency",
				              NULL);
		if (!tsc_hz)
			tsc_hz = measured_tsc;
		if (!clock_lapic_hz)
			clock_lapic_hz = measured_lapic;
	}
	if (tsc_hz < 1000000 || (!clock_use_deadline && clock_lapic_hz < 1000))
		platform_fail("the measured TSC or APIC timer frequency is implausible", NULL);
	tsc_mult = (uint64_t)(((unsigned __int128)NSEC << 32) / tsc_hz);

	/* The RTC says 0 when it cannot be read: the wall clock then starts
	 * at the epoch, which is obviously wrong rather than subtly. */
	if (kvm_wall_ns) {
		uint64_t since_boot =
		    (uint64_t)(((unsigned __int128)(kvm_tsc - tsc_boot) * tsc_mult) >> 32);

		wall_boot_ns = kvm_wall_ns >= since_boot ? kvm_wall_ns - since_boot : 0;
		return;
	}
	epoch = rtc_read_epoch();
	wall_boot_ns = epoch * NSEC;
	if (wall_boot_ns >= kp_clock_monotonic())
		wall_boot_ns -= kp_clock_monotonic();
}

kp_time kp_clock_monotonic(void)
{
	return (kp_time)(((unsigned __int128)(cpu_rdtsc() - tsc_boot) * tsc_mult) >> 32);
}

uint64_t kp_clock_wall(void)
{
	return wall_boot_ns + kp_clock_monotonic();
}

uint64_t clock_tsc_at(kp_time ns)
{
	unsigned __int128 t = ((unsigned __int128)ns * tsc_hz + NSEC - 1) / NSEC;

	return t > UINT64_MAX - tsc_boot ? UINT64_MAX : (uint64_t)t + tsc_boot;
}
