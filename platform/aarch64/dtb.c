/*
 * dtb.c — what the platform needs from the flattened device tree
 * (Devicetree Specification v0.4, chapter 5), read once at boot.
 *
 * The tree comes from the loader and is checked before it is trusted:
 * the header's magic, version and sizes; every offset and length inside
 * the blob; every name and string NUL-terminated inside its block; a
 * bounded nesting depth and a bounded blob size. Anything else ends the
 * boot with a message (returned, since the console's address is in the
 * tree itself).
 *
 * Used: the root's #address-cells and #size-cells (for its children,
 * where everything used lives); /chosen/bootargs; memory nodes
 * (device_type "memory"); the first "arm,pl011" and "arm,pl031"; the
 * GIC ("arm,cortex-a15-gic"/"arm,gic-400" v2, "arm,gic-v3"); the
 * "arm,armv8-timer" interrupts (the third is the EL1 virtual timer);
 * "arm,psci*" with its method; every "virtio,mmio" transport; the first
 * "pci-host-ecam-generic" (reg, bus-range, the 32-bit memory range of
 * its ranges, interrupt-map and its mask, decoded once the GIC's
 * phandle, #address-cells and #interrupt-cells are known). Nodes with
 * status other than "okay" are skipped. Values are copied into `dt`.
 */
#include "platform_impl.h"

#define FDT_MAGIC 0xd00dfeedu
#define FDT_BEGIN_NODE 1
#define FDT_END_NODE 2
#define FDT_PROP 3
#define FDT_NOP 4
#define FDT_END 9
#define DTB_SIZE_MAX (4u << 20)
#define DEPTH_MAX 16
#define REG_MAX 4 /* (address, size) pairs kept per node */

struct dt_info dt;

static const uint8_t *blob;
static uint32_t struct_off, struct_size, strings_off, strings_size;
/* The strings block ends with a NUL: every name in it is terminated. */
static bool strings_terminated;

static inline uint32_t be32(const uint8_t *p)
{
	uint32_t v;

	__builtin_memcpy(&v, p, 4);
	return __builtin_bswap32(v);
}

static uint64_t cells(const uint8_t *p, unsigned n)
{
	uint64_t v = 0;

	for (unsigned i = 0; i < n; i++)
		v = v << 32 | be32(p + 4 * i);
	return v;
}

/* Inlined here (platform_streq is the same): the walk compares a name per
 * property, and boot is counted in instructions under emulation. */
static inline bool str_eq(const char *a, const char *b)
{
	while (*a && *a == *b) {
		a++;
		b++;
	}
	return *a == *b;
}

/* What a node is, from its compatible list. */
enum kind {
	KIND_OTHER,
	KIND_PL011,
	KIND_PL031,
	KIND_GICV2,
	KIND_GICV3,
	KIND_TIMER,
	KIND_PSCI,
	KIND_VIRTIO_MMIO,
	KIND_PCI_ECAM,
};

static const struct {
	const char *compatible;
	enum kind kind;
} kinds[] = {
	{ "virtio,mmio", KIND_VIRTIO_MMIO }, /* first: QEMU's virt has 32 */
	{ "arm,pl011", KIND_PL011 },         { "arm,pl031", KIND_PL031 },
	{ "arm,gic-v3", KIND_GICV3 },        { "arm,cortex-a15-gic", KIND_GICV2 },
	{ "arm,gic-400", KIND_GICV2 },       { "arm,armv8-timer", KIND_TIMER },
	{ "arm,psci-1.0", KIND_PSCI },       { "arm,psci-0.2", KIND_PSCI },
	{ "arm,psci", KIND_PSCI },           { "pci-host-ecam-generic", KIND_PCI_ECAM },
};

/* The kind of the first string of a compatible list (most specific
 * first, as the spec orders it) that this file knows; each string is
 * compared only with the names that start with its first character.
 * Strings not NUL-terminated within the list are ignored. */
static enum kind classify(const char *list, uint32_t len)
{
	uint32_t i = 0;

	while (i < len) {
		const char *str = list + i;
		uint32_t n = 0;

		while (i + n < len && str[n])
			n++;
		if (i + n == len)
			return KIND_OTHER;
		for (unsigned k = 0; k < sizeof(kinds) / sizeof(kinds[0]); k++) {
			if (kinds[k].compatible[0] == str[0] && str_eq(str, kinds[k].compatible))
				return kinds[k].kind;
		}
		i += n + 1;
	}
	return KIND_OTHER;
}

/* The node being read (a child of the root). */
struct node {
	const char *compatible;
	uint32_t compatible_len;
	const char *device_type, *method, *status;
	const uint8_t *reg, *interrupts;
	uint32_t reg_len, interrupts_len;
	bool chosen;
	/* A PCIe host bridge's, or (#...-cells, phandle) the GIC's. */
	const uint8_t *ranges, *bus_range, *imap, *imap_mask;
	uint32_t ranges_len, bus_range_len, imap_len, imap_mask_len;
	uint32_t own_addr_cells, own_size_cells, interrupt_cells, phandle;
	bool has_addr_cells;
};

/* The GIC's, for decoding the PCIe interrupt-map after the walk (the
 * two nodes may come in either order), and the map itself, copied out. */
static uint32_t gic_phandle, gic_addr_cells, gic_interrupt_cells;
#define IMAP_BYTES 2048
static uint8_t imap[IMAP_BYTES];
static uint32_t imap_len;

static unsigned addr_cells = 2, size_cells = 1;

/* The i-th (address, size) of the node's reg; false past its end. */
static bool reg_at(const struct node *n, unsigned i, uint64_t *addr, uint64_t *size)
{
	uint32_t entry = 4 * (addr_cells + size_cells);

	if (!n->reg || entry == 0 || (uint64_t)(i + 1) * entry > n->reg_len)
		return false;
	*addr = cells(n->reg + i * entry, addr_cells);
	*size = cells(n->reg + i * entry + 4 * addr_cells, size_cells);
	return true;
}

/* GIC interrupt specifier i (3 cells: SPI/PPI, number, flags) as an ID. */
static bool intid_at(const struct node *n, unsigned i, uint32_t *intid)
{
	const uint8_t *p;

	if (!n->interrupts || (uint64_t)(i + 1) * 12 > n->interrupts_len)
		return false;
	p = n->interrupts + 12 * i;
	if (be32(p + 4) > 987)
		return false;
	*intid = be32(p + 4) + (be32(p) == 1 ? 16 : 32);
	return true;
}

static void use_gic(const struct node *n)
{
	gic_phandle = n->phandle;
	gic_addr_cells = n->has_addr_cells ? n->own_addr_cells : 0;
	gic_interrupt_cells = n->interrupt_cells;
}

/* The host bridge at [ecam, ecam + size): its first bus, its 32-bit
 * non-prefetchable memory window (ranges: 3 cells of PCI address, the
 * root's cells of CPU address, its own size cells), and its
 * interrupt-map, kept for pci_decode_imap. A bridge without a usable
 * window is ignored. */
static void use_pci(const struct node *n, uint64_t ecam, uint64_t size)
{
	uint32_t entry = 4 * (3 + addr_cells + n->own_size_cells);

	if (!n->has_addr_cells || n->own_addr_cells != 3 || n->own_size_cells < 1 ||
	    n->own_size_cells > 2 || !n->ranges)
		return;
	for (uint32_t off = 0; off + entry <= n->ranges_len; off += entry) {
		const uint8_t *r = n->ranges + off;
		uint32_t space = be32(r) >> 24 & 3;
		uint64_t pci = cells(r + 4, 2), cpu = cells(r + 12, addr_cells);
		uint64_t len = cells(r + 12 + 4 * addr_cells, n->own_size_cells);

		/* 32-bit memory, not prefetchable, below 4 GiB on both sides. */
		if (space == 2 && !(be32(r) & (1u << 30)) && len && pci + len <= (1ull << 32) &&
		    pci + len > pci && cpu + len > cpu && cpu + len <= VA_LIMIT) {
			dt.pci.mem_cpu = cpu;
			dt.pci.mem_pci = pci;
			dt.pci.mem_size = len;
			break;
		}
	}
	if (!dt.pci.mem_size)
		return;
	dt.pci.ecam = ecam;
	dt.pci.ecam_size = size;
	if (n->bus_range && n->bus_range_len == 8 && be32(n->bus_range) <= 255)
		dt.pci.bus = be32(n->bus_range);
	if (n->imap_mask && n->imap_mask_len == 16 && n->imap && n->interrupt_cells == 1 &&
	    n->imap_len <= IMAP_BYTES) {
		dt.pci.mask_devfn = be32(n->imap_mask);
		dt.pci.mask_pin = be32(n->imap_mask + 12);
		__builtin_memcpy(imap, n->imap, n->imap_len);
		imap_len = n->imap_len;
	}
}

/* The interrupt-map's entries that lead to the GIC with a 3-cell SPI
 * specifier: child address (3 cells), pin (1), the parent's phandle,
 * its unit address (gic_addr_cells), its specifier (3 cells). An entry
 * naming another parent stops the decoding (its size is unknown). */
static void pci_decode_imap(void)
{
	uint32_t entry = 4 * (3 + 1 + 1 + gic_addr_cells + 3);

	if (!imap_len || gic_interrupt_cells != 3 || gic_addr_cells > 2)
		return;
	for (uint32_t off = 0; off + entry <= imap_len && dt.pci.nirq < DT_PCI_IRQ_MAX;
	     off += entry) {
		const uint8_t *e = imap + off;
		const uint8_t *spec = e + 20 + 4 * gic_addr_cells;

		if (!gic_phandle || be32(e + 16) != gic_phandle)
			return;
		if (be32(spec) != 0 || be32(spec + 4) > 987)
			continue; /* not an SPI */
		dt.pci.irq[dt.pci.nirq++] = (struct dt_pci_irq){
			be32(e) & dt.pci.mask_devfn, be32(e + 12) & dt.pci.mask_pin,
			be32(spec + 4) + 32 };
	}
}

static void use_node(const struct node *n)
{
	uint64_t a, s;
	uint32_t id;

	if (n->status && !str_eq(n->status, "okay") && !str_eq(n->status, "ok"))
		return;
	if (n->device_type && str_eq(n->device_type, "memory")) {
		for (unsigned i = 0; reg_at(n, i, &a, &s) && dt.nram < DT_RAM_MAX; i++) {
			if (s && a + s > a)
				dt.ram[dt.nram++] = (struct mem_range){ a, a + s };
		}
		return;
	}
	switch (n->compatible ? classify(n->compatible, n->compatible_len) : KIND_OTHER) {
	case KIND_PL011:
		if (!dt.uart && reg_at(n, 0, &a, &s))
			dt.uart = a;
		break;
	case KIND_PL031:
		if (!dt.rtc && reg_at(n, 0, &a, &s))
			dt.rtc = a;
		break;
	case KIND_GICV3:
		if (!dt.gic_version && reg_at(n, 0, &dt.gicd, &s) && reg_at(n, 1, &dt.gicr, &s)) {
			dt.gic_version = 3;
			use_gic(n);
		}
		break;
	case KIND_GICV2:
		if (!dt.gic_version && reg_at(n, 0, &dt.gicd, &s) && reg_at(n, 1, &dt.gicc, &s)) {
			dt.gic_version = 2;
			use_gic(n);
		}
		break;
	case KIND_TIMER:
		if (intid_at(n, 2, &id) && id >= 16 && id < 32)
			dt.timer_intid = id;
		break;
	case KIND_PSCI:
		if (n->method && str_eq(n->method, "hvc"))
			dt.psci = PSCI_HVC;
		else if (n->method && str_eq(n->method, "smc"))
			dt.psci = PSCI_SMC;
		break;
	case KIND_VIRTIO_MMIO:
		if (dt.nmmio < DT_MMIO_MAX && reg_at(n, 0, &a, &s) && intid_at(n, 0, &id))
			dt.mmio[dt.nmmio++] = (struct dt_mmio){ a, s, id };
		break;
	case KIND_PCI_ECAM:
		if (!dt.pci.ecam && reg_at(n, 0, &a, &s) && s >= (1u << 20))
			use_pci(n, a, s);
		break;
	case KIND_OTHER:
		break;
	}
}

/* A NUL-terminated string at [off, limit) of the blob, its length in
 * *len; NULL if none. */
static const char *string_in(uint32_t off, uint32_t limit, uint32_t *len)
{
	for (uint32_t i = off; i < limit; i++) {
		if (!blob[i]) {
			*len = i - off;
			return (const char *)blob + off;
		}
	}
	return NULL;
}

static void prop(struct node *n, unsigned depth, const char *name, const uint8_t *val, uint32_t len)
{
	bool terminated = len > 0 && val[len - 1] == '\0';

	if (depth == 1) {
		if (str_eq(name, "#address-cells") && len == 4 && be32(val) <= 2)
			addr_cells = be32(val);
		else if (str_eq(name, "#size-cells") && len == 4 && be32(val) <= 2)
			size_cells = be32(val);
		return;
	}
	if (depth != 2)
		return;
	/* On the first character, so that each property costs at most one
	 * comparison (boot is counted in instructions under emulation). */
	switch (name[0]) {
	case '#':
		if (len == 4 && str_eq(name, "#address-cells")) {
			n->own_addr_cells = be32(val);
			n->has_addr_cells = true;
		} else if (len == 4 && str_eq(name, "#size-cells")) {
			n->own_size_cells = be32(val);
		} else if (len == 4 && str_eq(name, "#interrupt-cells")) {
			n->interrupt_cells = be32(val);
		}
		break;
	case 'p':
		if (len == 4 && str_eq(name, "phandle"))
			n->phandle = be32(val);
		break;
	case 'b':
		if (str_eq(name, "bus-range")) {
			n->bus_range = val;
			n->bus_range_len = len;
			break;
		}
		if (n->chosen && terminated && str_eq(name, "bootargs")) {
			uint32_t i;

			for (i = 0; i + 1 < len && i + 1 < DT_BOOTARGS_MAX; i++)
				dt.bootargs[i] = (char)val[i];
			dt.bootargs[i] = '\0';
			dt.bootargs_truncated = i + 1 < len;
		}
		break;
	case 'c':
		if (terminated && str_eq(name, "compatible")) {
			n->compatible = (const char *)val;
			n->compatible_len = len;
		}
		break;
	case 'd':
		if (terminated && str_eq(name, "device_type"))
			n->device_type = (const char *)val;
		break;
	case 'm':
		if (terminated && str_eq(name, "method"))
			n->method = (const char *)val;
		break;
	case 's':
		if (terminated && str_eq(name, "status"))
			n->status = (const char *)val;
		break;
	case 'r':
		if (str_eq(name, "reg")) {
			n->reg = val;
			n->reg_len = len;
		} else if (str_eq(name, "ranges")) {
			n->ranges = val;
			n->ranges_len = len;
		}
		break;
	case 'i':
		if (str_eq(name, "interrupts")) {
			n->interrupts = val;
			n->interrupts_len = len;
		} else if (str_eq(name, "interrupt-map")) {
			n->imap = val;
			n->imap_len = len;
		} else if (str_eq(name, "interrupt-map-mask")) {
			n->imap_mask = val;
			n->imap_mask_len = len;
		}
		break;
	}
}

static const char *walk(void)
{
	uint32_t off = struct_off, end = struct_off + struct_size;
	unsigned depth = 0;
	struct node n = { 0 };

	for (;;) {
		uint32_t token;

		if (off + 4 > end)
			return "the device tree's structure block ends without FDT_END";
		token = be32(blob + off);
		off += 4;
		switch (token) {
		case FDT_BEGIN_NODE: {
			uint32_t len;
			const char *name = string_in(off, end, &len);

			if (!name)
				return "the device tree holds an unterminated node name";
			if (++depth > DEPTH_MAX)
				return "the device tree is nested too deeply";
			if (depth == 1 && name[0])
				return "the device tree's root node has a name";
			if (depth == 2) {
				n = (struct node){ 0 };
				n.chosen = str_eq(name, "chosen");
			}
			off += (len + 1 + 3) & ~3u;
			break;
		}
		case FDT_END_NODE:
			if (depth == 0)
				return "the device tree closes more nodes than it opens";
			if (depth == 2)
				use_node(&n);
			depth--;
			break;
		case FDT_PROP: {
			uint32_t len, nameoff, name_len;
			const char *name;

			if (off + 8 > end)
				return "the device tree holds a truncated property";
			len = be32(blob + off);
			nameoff = be32(blob + off + 4);
			off += 8;
			if (len > end - off)
				return "the device tree holds a property longer than its block";
			if (nameoff >= strings_size)
				return "the device tree holds a bad property name";
			name = strings_terminated
			           ? (const char *)blob + strings_off + nameoff
			           : string_in(strings_off + nameoff, strings_off + strings_size,
			                       &name_len);
			if (!name)
				return "the device tree holds a bad property name";
			if (depth == 0)
				return "the device tree holds a property outside any node";
			prop(&n, depth, name, blob + off, len);
			off += (len + 3) & ~3u;
			break;
		}
		case FDT_NOP:
			break;
		case FDT_END:
			return depth == 0 ? NULL : "the device tree ends inside a node";
		default:
			return "the device tree holds an unknown token";
		}
	}
}

const char *dt_parse(const void *tree, uint64_t limit)
{
	const char *err;
	uint32_t total;

	blob = tree;
	addr_cells = 2; /* the spec's defaults */
	size_cells = 1;
	if (limit < 40 || be32(blob) != FDT_MAGIC)
		return "no device tree (bad magic)";
	total = be32(blob + 4);
	struct_off = be32(blob + 8);
	strings_off = be32(blob + 12);
	strings_size = be32(blob + 32);
	struct_size = be32(blob + 36);
	if (be32(blob + 20) < 16 || be32(blob + 24) > 17)
		return "the device tree's version is not 16 or 17";
	if (total < 40 || total > DTB_SIZE_MAX || total > limit)
		return "the device tree's size is out of bounds";
	if (struct_off > total || struct_size > total - struct_off || (struct_off & 3) ||
	    strings_off > total || strings_size > total - strings_off)
		return "the device tree's blocks lie outside it";
	strings_terminated = strings_size > 0 && blob[strings_off + strings_size - 1] == '\0';
	dt.timer_intid = 27; /* the architected default for the virtual timer */
	gic_phandle = gic_addr_cells = gic_interrupt_cells = 0;
	imap_len = 0;
	if ((err = walk()))
		return err;
	pci_decode_imap();
	dt.dtb_end = total;
	if (dt.nram == 0)
		return "the device tree describes no memory";
	if (!dt.uart)
		return "the device tree names no PL011 UART";
	return NULL;
}

const char *dt_read(uint64_t addr)
{
	uint64_t image_start = (uintptr_t)__image_start, image_end = (uintptr_t)__image_end;
	uint64_t limit = (4ull << 30) - addr;
	const char *err;

	/* The boot table maps normal memory from 1 to 4 GiB; the tree may
	 * not overlap the image. */
	if (!addr || (addr & 7) || addr < (1ull << 30) || addr >= (4ull << 30) - 40 ||
	    (addr >= image_start && addr < image_end))
		return "no device tree (or not where it can be read)";
	if (addr < image_start && image_start - addr < limit)
		limit = image_start - addr;
	err = dt_parse((const void *)(uintptr_t)addr, limit);
	dt.dtb_start = addr;
	dt.dtb_end += addr;
	return err;
}
