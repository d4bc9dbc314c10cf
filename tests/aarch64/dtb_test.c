/*
 * Unit tests of platform/aarch64/dtb.c on the host: trees written here
 * (a virt-like one, then the same damaged in every way the reader must
 * refuse, then every truncation and many byte flips, which must never
 * read outside the blob: ASan watches), and, given files, QEMU's own
 * trees (tests/aarch64/dtb.t dumps them), whose summary is printed.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "platform_impl.h"

char __image_start[1], __image_end[1];

bool platform_streq(const char *a, const char *b)
{
	return strcmp(a, b) == 0;
}

static int failures;

#define CHECK(cond)                                                                        \
	do {                                                                               \
		if (!(cond)) {                                                             \
			fprintf(stderr, "%s:%d: CHECK(%s) failed\n", __FILE__, __LINE__, #cond); \
			failures++;                                                        \
		}                                                                          \
	} while (0)

/* ---- A small tree writer ------------------------------------------------------ */

static uint8_t st[8192], strs[2048];
static size_t nst, nstrs;

static void put32(uint32_t v)
{
	st[nst++] = (uint8_t)(v >> 24);
	st[nst++] = (uint8_t)(v >> 16);
	st[nst++] = (uint8_t)(v >> 8);
	st[nst++] = (uint8_t)v;
}

static void pad(void)
{
	while (nst & 3)
		st[nst++] = 0;
}

static void begin(const char *name)
{
	put32(1);
	memcpy(st + nst, name, strlen(name) + 1);
	nst += strlen(name) + 1;
	pad();
}

static void end_node(void)
{
	put32(2);
}

static uint32_t name_off(const char *name)
{
	for (size_t i = 0; i < nstrs; i += strlen((char *)strs + i) + 1) {
		if (strcmp((char *)strs + i, name) == 0)
			return (uint32_t)i;
	}
	memcpy(strs + nstrs, name, strlen(name) + 1);
	nstrs += strlen(name) + 1;
	return (uint32_t)(nstrs - strlen(name) - 1);
}

static void prop(const char *name, const void *val, uint32_t len)
{
	put32(3);
	put32(len);
	put32(name_off(name));
	memcpy(st + nst, val, len);
	nst += len;
	pad();
}

static void prop_str(const char *name, const char *s)
{
	prop(name, s, (uint32_t)strlen(s) + 1);
}

static void prop_cells(const char *name, const uint32_t *cells, unsigned n)
{
	uint8_t buf[64];

	for (unsigned i = 0; i < n; i++) {
		buf[4 * i] = (uint8_t)(cells[i] >> 24);
		buf[4 * i + 1] = (uint8_t)(cells[i] >> 16);
		buf[4 * i + 2] = (uint8_t)(cells[i] >> 8);
		buf[4 * i + 3] = (uint8_t)cells[i];
	}
	prop(name, buf, 4 * n);
}

static void wr32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

/* The PCIe host bridge virt_tree adds (before the GIC, whose phandle its
 * interrupt-map names, so that the map is decoded after the walk). */
enum tree_pci { PCI_NONE, PCI_GOOD, PCI_OTHER_PARENT, PCI_NO_MEM32 };
static enum tree_pci tree_pci;
#define GIC_PHANDLE 0x8001

static void prop_cells_long(const char *name, const uint32_t *cells, unsigned n)
{
	uint8_t buf[256];

	for (unsigned i = 0; i < n && i < 64; i++)
		wr32(buf + 4 * i, cells[i]);
	prop(name, buf, 4 * n);
}

static void pcie_node(void)
{
	static const uint32_t reg[] = { 0x40, 0x10000000, 0, 0x10000000 }, bus[] = { 0, 0xff };
	static const uint32_t three[] = { 3 }, two[] = { 2 }, one[] = { 1 };
	static const uint32_t mask[] = { 0x1800, 0, 0, 7 };
	/* I/O, 32-bit memory, 64-bit memory (above 512 GiB). */
	static const uint32_t ranges[] = { 0x01000000, 0, 0,          0, 0x3eff0000, 0,    0x10000,
		                           0x02000000, 0, 0x10000000, 0, 0x10000000, 0,    0x2eff0000,
		                           0x03000000, 0x80, 0,       0x80, 0,       0x80, 0 };
	static const uint32_t no_mem32[] = { 0x01000000, 0, 0, 0, 0x3eff0000, 0, 0x10000,
		                             0x03000000, 0x80, 0, 0x80, 0, 0x80, 0 };
	uint32_t ph = tree_pci == PCI_OTHER_PARENT ? GIC_PHANDLE + 1 : GIC_PHANDLE;
	uint32_t map[] = { 0, 0, 0, 1, ph, 0, 0, 0, 3, 4, 0x800, 0, 0, 1, ph, 0, 0, 0, 4, 4 };

	begin("pcie@10000000");
	prop_str("compatible", "pci-host-ecam-generic");
	prop_cells("reg", reg, 4);
	prop_cells("bus-range", bus, 2);
	prop_cells("#address-cells", three, 1);
	prop_cells("#size-cells", two, 1);
	prop_cells("#interrupt-cells", one, 1);
	if (tree_pci == PCI_NO_MEM32)
		prop_cells_long("ranges", no_mem32, 14);
	else
		prop_cells_long("ranges", ranges, 21);
	prop_cells("interrupt-map-mask", mask, 4);
	prop_cells_long("interrupt-map", map, 20);
	end_node();
}

/* A tree like QEMU's virt (GICv3 when gic3), into a malloc'd blob. */
static uint8_t *virt_tree(bool gic3, size_t *size)
{
	static const uint32_t two[] = { 2 }, mem[] = { 0, 0x40000000, 0, 0x8000000 };
	static const uint32_t uart[] = { 0, 0x09000000, 0, 0x1000 };
	static const uint32_t rtc[] = { 0, 0x09010000, 0, 0x1000 };
	static const uint32_t gicv3[] = { 0, 0x08000000, 0, 0x10000, 0, 0x080a0000, 0, 0xf60000 };
	static const uint32_t gicv2[] = { 0, 0x08000000, 0, 0x10000, 0, 0x08010000, 0, 0x10000 };
	static const uint32_t timer[] = { 1, 13, 4, 1, 14, 4, 1, 11, 4, 1, 10, 4 };
	uint8_t *blob;

	nst = nstrs = 0;
	begin("");
	prop_cells("#address-cells", two, 1);
	prop_cells("#size-cells", two, 1);
	begin("chosen");
	prop_str("bootargs", "one 'two words'");
	end_node();
	begin("memory@40000000");
	prop_str("device_type", "memory");
	prop_cells("reg", mem, 4);
	end_node();
	begin("pl011@9000000");
	prop("compatible", "arm,pl011\0arm,primecell", 24);
	prop_cells("reg", uart, 4);
	end_node();
	begin("pl031@9010000");
	prop("compatible", "arm,pl031\0arm,primecell", 24);
	prop_cells("reg", rtc, 4);
	end_node();
	if (tree_pci != PCI_NONE)
		pcie_node();
	begin("intc@8000000");
	prop_str("compatible", gic3 ? "arm,gic-v3" : "arm,cortex-a15-gic");
	prop_cells("reg", gic3 ? gicv3 : gicv2, 8);
	if (tree_pci != PCI_NONE) {
		static const uint32_t ph[] = { GIC_PHANDLE }, three[] = { 3 };

		prop_cells("#address-cells", two, 1);
		prop_cells("#interrupt-cells", three, 1);
		prop_cells("phandle", ph, 1);
	}
	end_node();
	begin("timer");
	prop("compatible", "arm,armv8-timer\0arm,armv7-timer", 32);
	prop_cells("interrupts", timer, 12);
	end_node();
	begin("psci");
	prop("compatible", "arm,psci-1.0\0arm,psci-0.2\0arm,psci", 35);
	prop_str("method", "hvc");
	end_node();
	for (unsigned i = 0; i < 3; i++) {
		uint32_t reg[] = { 0, 0x0a000000 + 0x200 * i, 0, 0x200 };
		uint32_t irq[] = { 0, 16 + i, 1 };
		char name[32];

		snprintf(name, sizeof(name), "virtio_mmio@%x", 0x0a000000 + 0x200 * i);
		begin(name);
		prop_str("compatible", "virtio,mmio");
		prop_cells("reg", reg, 4);
		prop_cells("interrupts", irq, 3);
		if (i == 2)
			prop_str("status", "disabled");
		end_node();
	}
	end_node();
	put32(9);

	*size = 40 + nst + nstrs;
	blob = calloc(1, *size);
	wr32(blob, 0xd00dfeed);
	wr32(blob + 4, (uint32_t)*size);
	wr32(blob + 8, 40);
	wr32(blob + 12, (uint32_t)(40 + nst));
	wr32(blob + 16, 40);
	wr32(blob + 20, 17);
	wr32(blob + 24, 16);
	wr32(blob + 32, (uint32_t)nstrs);
	wr32(blob + 36, (uint32_t)nst);
	memcpy(blob + 40, st, nst);
	memcpy(blob + 40 + nst, strs, nstrs);
	return blob;
}

static const char *parse(const uint8_t *blob, size_t size)
{
	memset(&dt, 0, sizeof(dt));
	return dt_parse(blob, size);
}

static void test_good(void)
{
	size_t size;
	uint8_t *blob = virt_tree(true, &size);

	CHECK(parse(blob, size) == NULL);
	CHECK(dt.nram == 1 && dt.ram[0].start == 0x40000000 && dt.ram[0].end == 0x48000000);
	CHECK(strcmp(dt.bootargs, "one 'two words'") == 0);
	CHECK(dt.uart == 0x09000000 && dt.rtc == 0x09010000);
	CHECK(dt.gic_version == 3 && dt.gicd == 0x08000000 && dt.gicr == 0x080a0000);
	CHECK(dt.timer_intid == 27);
	CHECK(dt.psci == PSCI_HVC);
	CHECK(dt.nmmio == 2); /* the third is disabled */
	CHECK(dt.mmio[1].addr == 0x0a000200 && dt.mmio[1].size == 0x200 && dt.mmio[1].intid == 49);
	free(blob);

	blob = virt_tree(false, &size);
	CHECK(parse(blob, size) == NULL);
	CHECK(dt.gic_version == 2 && dt.gicc == 0x08010000);
	CHECK(dt.pci.ecam == 0 && dt.pci.nirq == 0);
	free(blob);

	/* The PCIe host bridge, its interrupt-map decoded though it comes
	 * before the GIC it names. */
	tree_pci = PCI_GOOD;
	blob = virt_tree(true, &size);
	CHECK(parse(blob, size) == NULL);
	CHECK(dt.pci.ecam == 0x4010000000ull && dt.pci.ecam_size == 0x10000000 && dt.pci.bus == 0);
	CHECK(dt.pci.mem_cpu == 0x10000000 && dt.pci.mem_pci == 0x10000000 &&
	      dt.pci.mem_size == 0x2eff0000);
	CHECK(dt.pci.mask_devfn == 0x1800 && dt.pci.mask_pin == 7 && dt.pci.nirq == 2);
	CHECK(dt.pci.irq[0].devfn == 0 && dt.pci.irq[0].pin == 1 && dt.pci.irq[0].intid == 35);
	CHECK(dt.pci.irq[1].devfn == 0x800 && dt.pci.irq[1].pin == 1 && dt.pci.irq[1].intid == 36);
	free(blob);
	/* A map leading to another interrupt controller: no INTx known. */
	tree_pci = PCI_OTHER_PARENT;
	blob = virt_tree(true, &size);
	CHECK(parse(blob, size) == NULL);
	CHECK(dt.pci.ecam == 0x4010000000ull && dt.pci.nirq == 0);
	free(blob);
	/* No 32-bit memory window: the bridge is not used at all. */
	tree_pci = PCI_NO_MEM32;
	blob = virt_tree(true, &size);
	CHECK(parse(blob, size) == NULL);
	CHECK(dt.pci.ecam == 0 && dt.pci.mem_size == 0);
	free(blob);
	tree_pci = PCI_NONE;
}

/* Each damage must be refused with a message, not a crash. */
static void test_refused(void)
{
	size_t size;
	uint8_t *blob = virt_tree(true, &size);
	uint8_t *copy = malloc(size);
	static const struct {
		unsigned off;
		uint32_t value;
	} damage[] = {
		{ 0, 0xd00dfeee },  /* magic */
		{ 4, 39 },          /* total size below the header */
		{ 4, 0x7fffffff },  /* total size beyond the blob */
		{ 8, 0xfffffff0 },  /* structure block outside */
		{ 12, 0xfffffff0 }, /* strings block outside */
		{ 20, 15 },         /* version */
		{ 24, 18 },         /* last compatible version */
		{ 32, 0xffffff },   /* strings size */
		{ 36, 0xffffff },   /* structure size */
		{ 40, 7 },          /* first token unknown */
		{ 40, 2 },          /* closes a node never opened */
		{ 40, 9 },          /* ends at once: no memory, no uart */
	};

	for (size_t i = 0; i < sizeof(damage) / sizeof(damage[0]); i++) {
		memcpy(copy, blob, size);
		wr32(copy + damage[i].off, damage[i].value);
		if (!parse(copy, size)) {
			fprintf(stderr, "damage %zu (offset %u) was accepted\n", i, damage[i].off);
			failures++;
		}
	}
	/* The limit is honoured: the whole tree, one byte short. */
	CHECK(parse(blob, size - 1) != NULL);
	free(copy);
	free(blob);
}

/* Every truncation (size field kept, so the walk runs off the end of
 * its blocks) and many random byte flips: refused or accepted, never an
 * access outside the blob. */
static void test_robust(void)
{
	size_t size;
	uint8_t *blob;

	tree_pci = PCI_GOOD; /* the host bridge's ranges and map damaged too */
	blob = virt_tree(true, &size);
	tree_pci = PCI_NONE;

	for (size_t cut = 0; cut < size; cut++) {
		uint8_t *copy = malloc(cut ? cut : 1);

		memcpy(copy, blob, cut);
		parse(copy, cut);
		free(copy);
	}
	srand(1);
	for (unsigned round = 0; round < 20000; round++) {
		uint8_t *copy = malloc(size);

		memcpy(copy, blob, size);
		for (unsigned k = 0; k < 1 + round % 4; k++)
			copy[(size_t)rand() % size] ^= (uint8_t)(1u << (rand() % 8));
		parse(copy, size);
		free(copy);
	}
	free(blob);
}

static int summarize(const char *path)
{
	FILE *f = fopen(path, "rb");
	static uint8_t buf[4 << 20];
	size_t n;
	const char *err;

	if (!f) {
		perror(path);
		return 1;
	}
	n = fread(buf, 1, sizeof(buf), f);
	fclose(f);
	err = parse(buf, n);
	if (err) {
		printf("%s: refused: %s\n", path, err);
		return 1;
	}
	printf("%s: ram %u ranges, first 0x%llx-0x%llx; uart 0x%llx; rtc 0x%llx; gic v%u; "
	       "timer %u; psci %s; virtio-mmio %u; bootargs [%s]\n",
	       path, dt.nram, (unsigned long long)dt.ram[0].start,
	       (unsigned long long)dt.ram[0].end, (unsigned long long)dt.uart,
	       (unsigned long long)dt.rtc, dt.gic_version, dt.timer_intid,
	       dt.psci == PSCI_HVC ? "hvc" : dt.psci == PSCI_SMC ? "smc" : "none", dt.nmmio,
	       dt.bootargs);
	printf("%s: pci ecam 0x%llx+0x%llx bus %u; mem 0x%llx+0x%llx at pci 0x%llx; "
	       "interrupt-map mask 0x%x/%u, %u entries",
	       path, (unsigned long long)dt.pci.ecam, (unsigned long long)dt.pci.ecam_size,
	       dt.pci.bus, (unsigned long long)dt.pci.mem_cpu, (unsigned long long)dt.pci.mem_size,
	       (unsigned long long)dt.pci.mem_pci, dt.pci.mask_devfn, dt.pci.mask_pin, dt.pci.nirq);
	for (unsigned i = 0; i < dt.pci.nirq; i++)
		printf("%s%x/%u>%u", i ? " " : ": ", dt.pci.irq[i].devfn, dt.pci.irq[i].pin,
		       dt.pci.irq[i].intid);
	printf("\n");
	return 0;
}

int main(int argc, char **argv)
{
	if (argc > 1) {
		int rc = 0;

		for (int i = 1; i < argc; i++)
			rc |= summarize(argv[i]);
		return rc;
	}
	test_good();
	test_refused();
	test_robust();
	if (failures) {
		printf("dtb: %d failures\n", failures);
		return 1;
	}
	printf("dtb: ok\n");
	return 0;
}
