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
 * "arm,psci*" with its method; every "virtio,mmio" transport. Nodes with
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
	{ "arm,psci", KIND_PSCI },
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
};

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

static void use_node(const struct node *n)
{
	uint64_t a, s;
	uint32_t id;

	if (n->status && !str_eq(n->status, "okay") && !str_eq(n->status, "ok"))
		return;
	if (n->device_type && str_eq(n->device_type, "memory")) {
		for (unsigned i = 0; reg_at(n, i, &a, &s) && dt.nram < DT_RAM_MAX; i++) {
			if (s && a + s > a)
				dt.ram[dt.nram++] = (struct dt_range){ a, a + s };
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
		if (!dt.gic_version && reg_at(n, 0, &dt.gicd, &s) && reg_at(n, 1, &dt.gicr, &s))
			dt.gic_version = 3;
		break;
	case KIND_GICV2:
		if (!dt.gic_version && reg_at(n, 0, &dt.gicd, &s) && reg_at(n, 1, &dt.gicc, &s))
			dt.gic_version = 2;
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
	case 'b':
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
		}
		break;
	case 'i':
		if (str_eq(name, "interrupts")) {
			n->interrupts = val;
			n->interrupts_len = len;
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
	if ((err = walk()))
		return err;
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
