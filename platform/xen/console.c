/*
 * console.c — the console: HYPERVISOR_console_io, or the PV console ring.
 *
 * Xen's own console (its serial line, `xl dmesg`) takes writes from the
 * initial domain, and from any domain when Xen is built to allow it;
 * console_init asks with an empty write, which Xen checks like any
 * other. A domain Xen refuses (a domU on a production Xen) writes to its
 * PV console instead: a page shared with the console backend (xenconsoled
 * in dom0, which `xl console` and `xl create -c` show), found through
 * HVM_PARAM_CONSOLE_PFN and _EVTCHN once paging is up (console_ring_init);
 * until then a refused domain's messages are lost.
 *
 * The ring's indices are the backend's to write, so they are checked:
 * a consumer index more than a ring ahead of or behind ours means a
 * broken backend, and the ring is then given up (output dropped, as
 * platform.h allows) rather than written out of bounds. A full ring is
 * waited for with SCHEDOP_yield, a bounded number of times.
 *
 * Output is line-buffered as on x86_64: one hypercall or one
 * notification per line, not per byte.
 */
#include "xen_impl.h"

#define CONSOLEIO_WRITE 0
#define HVMOP_GET_PARAM 1
#define HVM_PARAM_CONSOLE_PFN 17
#define HVM_PARAM_CONSOLE_EVTCHN 18
#define SCHEDOP_YIELD 0
#define RING_OUT_SIZE 2048
#define RING_WAIT_MAX 100000 /* yields before a full ring is given up */
#define PFN_MAX (1ull << 40) /* 52-bit physical addresses */

#define LINE_BUF 256

/* io/console.h's xencons_interface. */
struct xencons_interface {
	char in[1024];
	char out[RING_OUT_SIZE];
	uint32_t in_cons, in_prod;
	uint32_t out_cons, out_prod;
};

struct xen_hvm_param {
	uint16_t domid;
	uint16_t pad;
	uint32_t index;
	uint64_t value;
};

static enum { CONSOLE_NONE, CONSOLE_XEN, CONSOLE_RING } mode;
static volatile struct xencons_interface *ring;
static uint32_t ring_port;
static char line[LINE_BUF];
static size_t line_len;

static long console_io(const char *buf, size_t len)
{
	return xen_hypercall(XEN_HC_CONSOLE_IO, CONSOLEIO_WRITE, len, (uint64_t)(uintptr_t)buf);
}

void console_init(void)
{
	mode = console_io("", 0) == 0 ? CONSOLE_XEN : CONSOLE_NONE;
}

static bool get_param(uint32_t index, uint64_t *value)
{
	struct xen_hvm_param p = { .domid = DOMID_SELF, .index = index };

	if (xen_hvm_op(HVMOP_GET_PARAM, &p) < 0)
		return false;
	*value = p.value;
	return true;
}

/* True when page `pfn` overlaps memory the image uses as RAM. */
static bool is_ram(uint64_t pfn)
{
	uint64_t a = pfn * PAGE_SIZE;

	if (a < (uintptr_t)__image_end && a + PAGE_SIZE > (uintptr_t)__image_start)
		return true;
	for (unsigned i = 0; i < boot_info.nram; i++) {
		if (a < boot_info.ram[i].end && a + PAGE_SIZE > boot_info.ram[i].start)
			return true;
	}
	return false;
}

void console_ring_init(void)
{
	uint64_t pfn, port;

	if (mode == CONSOLE_XEN)
		return;
	if (!get_param(HVM_PARAM_CONSOLE_PFN, &pfn) || !get_param(HVM_PARAM_CONSOLE_EVTCHN, &port))
		return;
	/* No console at all (0), or one that would overlay our memory or
	 * lie beyond physical addresses: not used. */
	if (pfn == 0 || pfn >= PFN_MAX || is_ram(pfn) || port == 0 || port >= XEN_EVTCHN_PORTS)
		return;
	if (!mem_map_range(pfn * PAGE_SIZE, (pfn + 1) * PAGE_SIZE, MAP_RW))
		return;
	ring = (volatile struct xencons_interface *)(uintptr_t)(pfn * PAGE_SIZE);
	ring_port = (uint32_t)port;
	mode = CONSOLE_RING;
}

static void ring_write(const char *buf, size_t len)
{
	unsigned waited = 0;

	while (len > 0 && mode == CONSOLE_RING) {
		uint32_t cons = ring->out_cons, prod = ring->out_prod;
		uint32_t used = prod - cons, n = 0;

		cpu_mb();
		if (used > RING_OUT_SIZE) {
			/* The backend moved an index out of bounds. */
			mode = CONSOLE_NONE;
			return;
		}
		if (used == RING_OUT_SIZE) {
			evtchn_notify(ring_port);
			if (++waited == RING_WAIT_MAX) {
				mode = CONSOLE_NONE;
				return;
			}
			xen_sched_op(SCHEDOP_YIELD, NULL);
			continue;
		}
		while (n < RING_OUT_SIZE - used && n < len) {
			ring->out[(prod + n) % RING_OUT_SIZE] = buf[n];
			n++;
		}
		cpu_wmb(); /* the bytes before the index that publishes them */
		ring->out_prod = prod + n;
		evtchn_notify(ring_port);
		buf += n;
		len -= n;
	}
}

static void raw_write(const char *buf, size_t len)
{
	if (mode == CONSOLE_XEN) {
		/* Xen takes at most what it says per call; the rest follows. */
		while (len > 0) {
			long n = console_io(buf, len);

			if (n < 0)
				return;
			if (n == 0 || (size_t)n > len)
				n = (long)len;
			buf += n;
			len -= (size_t)n;
		}
	} else if (mode == CONSOLE_RING) {
		ring_write(buf, len);
	}
}

static bool at_line_start = true;

void console_flush(void)
{
	if (line_len) {
		raw_write(line, line_len);
		at_line_start = line[line_len - 1] == '\n';
	}
	line_len = 0;
}

void console_write_now(const char *buf, size_t len)
{
	console_flush();
	raw_write(buf, len);
	if (len)
		at_line_start = buf[len - 1] == '\n';
}

/* For exit.c: the status line must start a line of its own. */
bool console_at_line_start(void)
{
	return line_len == 0 && at_line_start;
}

void kp_console_write(const char *buf, size_t len)
{
	for (size_t i = 0; i < len; i++) {
		line[line_len++] = buf[i];
		if (buf[i] == '\n' || line_len == LINE_BUF)
			console_flush();
	}
}
