/*
 * boot_info.c — reading what the loader passed: the memory map and the
 * command line, from a PVH hvm_start_info or a multiboot v1 info block.
 *
 * Everything is copied into boot_info before memory is handed out, and
 * every address the loader gave is checked to lie within the first GiB,
 * which is all boot.S maps (loaders put these structures low in practice).
 * Malformed structures make the image refuse to boot with a message,
 * never read outside what is mapped.
 *
 * The reading itself (boot_info_parse) sees memory only through a
 * boot_mem window and returns its verdict, so that the same code runs on
 * the host under the fuzzer (fuzz/boot_info.c) on a window of its input.
 * Modules (PVH modlist, multiboot mods) are not used and not read.
 */
#include "platform_impl.h"

#define PVH_MAGIC 0x336ec578
#define E820_RAM 1 /* "usable RAM" in both the PVH and the multiboot map */
#define BOOT_MAPPED_END (1ull << 30)

/* Xen's public arch-x86/hvm/start_info.h, version 1. */
struct hvm_start_info {
	uint32_t magic;
	uint32_t version;
	uint32_t flags;
	uint32_t nr_modules;
	uint64_t modlist_paddr;
	uint64_t cmdline_paddr;
	uint64_t rsdp_paddr;
	uint64_t memmap_paddr; /* version >= 1 */
	uint32_t memmap_entries;
	uint32_t reserved;
};

struct hvm_memmap_entry {
	uint64_t addr;
	uint64_t size;
	uint32_t type;
	uint32_t reserved;
};

/* The multiboot v1 specification, section 3.3. */
#define MB_INFO_MEMORY (1u << 0)
#define MB_INFO_CMDLINE (1u << 2)
#define MB_INFO_MMAP (1u << 6)
#define MB_INFO_LOADER_NAME (1u << 9)

struct multiboot_info {
	uint32_t flags;
	uint32_t mem_lower, mem_upper; /* KiB below 1 MiB / above 1 MiB */
	uint32_t boot_device;
	uint32_t cmdline;
	uint32_t mods_count, mods_addr;
	uint32_t syms[4];
	uint32_t mmap_length, mmap_addr;
	uint32_t drives_length, drives_addr;
	uint32_t config_table;
	uint32_t boot_loader_name;
};

/* `size` counts the bytes after itself; entries may be larger than this. */
struct multiboot_mmap_entry {
	uint32_t size;
	uint64_t addr;
	uint64_t len;
	uint32_t type;
} __attribute__((packed));

struct boot_info boot_info;

/* The loader's bytes at [addr, addr + len) when they lie inside the
 * window (address 0 never does); NULL otherwise. No sum here can wrap:
 * everything is compared as offsets into the window. */
static const void *at(const struct boot_mem *m, uint64_t addr, uint64_t len)
{
	if (addr == 0 || addr < m->base || addr - m->base > m->len ||
	    len > m->len - (addr - m->base))
		return NULL;
	return (const void *)(m->host + (uintptr_t)(addr - m->base));
}

/* Keeps the page-aligned inside of a usable range; drops what is left
 * over when the map has more ranges than boot_info can hold. */
void boot_info_add_ram(uint64_t addr, uint64_t len)
{
	uint64_t start = (addr + PAGE_SIZE - 1) & ~(uint64_t)(PAGE_SIZE - 1);
	uint64_t end = (addr + len) & ~(uint64_t)(PAGE_SIZE - 1);

	if (addr + len < addr || addr > UINT64_MAX - (PAGE_SIZE - 1) || start >= end ||
	    boot_info.nram == BOOT_MEMMAP_MAX)
		return;
	boot_info.ram[boot_info.nram].start = start;
	boot_info.ram[boot_info.nram].end = end;
	boot_info.nram++;
}

/* No hypervisor to ask by default; platform/xen's start.c asks Xen. */
__attribute__((weak)) bool boot_memmap_from_hypervisor(void)
{
	return false;
}

/* The NUL-terminated command line at addr (0: none), cut to
 * BOOT_CMDLINE_MAX - 1 bytes; every byte read, the one that says whether
 * it was cut included, lies inside the window. */
static const char *copy_cmdline(const struct boot_mem *m, uint64_t addr)
{
	const char *s;
	uint64_t room;
	size_t n;

	if (addr == 0)
		return NULL;
	if (!(s = at(m, addr, 1)))
		return "the loader's command line is not in the first GiB of memory";
	room = m->len - (addr - m->base);
	for (n = 0; n < BOOT_CMDLINE_MAX - 1; n++) {
		if (n == room)
			return "the loader's command line runs past the first GiB of memory";
		if ((boot_info.cmdline[n] = s[n]) == '\0')
			return NULL;
	}
	boot_info.cmdline[n] = '\0';
	if (n == room)
		return "the loader's command line runs past the first GiB of memory";
	boot_info.cmdline_truncated = s[n] != '\0';
	return NULL;
}

/* Little-endian fields read bytewise: the loader's structures need not
 * be aligned. */
static uint32_t le32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static uint64_t le64(const uint8_t *p)
{
	return le32(p) | (uint64_t)le32(p + 4) << 32;
}

static const char *parse_pvh(const struct boot_mem *m, uint64_t addr)
{
	const uint8_t *si = at(m, addr, sizeof(struct hvm_start_info));
	const uint8_t *map;
	uint64_t map_addr;
	uint32_t version, entries;

	if (!si || le32(si + offsetof(struct hvm_start_info, magic)) != PVH_MAGIC)
		return "the PVH start info is missing or damaged";
	version = le32(si + offsetof(struct hvm_start_info, version));
	entries = le32(si + offsetof(struct hvm_start_info, memmap_entries));
	map_addr = le64(si + offsetof(struct hvm_start_info, memmap_paddr));
	if (version < 1 || entries == 0) {
		/* The caller may get the map elsewhere (boot_info_read). */
		boot_info.memmap_absent = true;
	} else {
		if (!(map = at(m, map_addr, (uint64_t)entries * sizeof(struct hvm_memmap_entry))))
			return "the PVH memory map is not in the first GiB of memory";
		for (uint32_t i = 0; i < entries; i++) {
			const uint8_t *e = map + (size_t)i * sizeof(struct hvm_memmap_entry);

			if (le32(e + offsetof(struct hvm_memmap_entry, type)) == E820_RAM)
				boot_info_add_ram(
				    le64(e + offsetof(struct hvm_memmap_entry, addr)),
				    le64(e + offsetof(struct hvm_memmap_entry, size)));
		}
	}
	return copy_cmdline(m, le64(si + offsetof(struct hvm_start_info, cmdline_paddr)));
}

/*
 * QEMU's multiboot loader (and GRUB legacy) put the image's path before
 * its arguments on the command line; GRUB 2 gives the arguments only.
 * It names itself "GRUB 2.xx" in boot_loader_name.
 */
static bool loader_is_grub2(const struct boot_mem *m, const uint8_t *mb, uint32_t flags)
{
	static const char grub2[] = "GRUB 2";
	const char *name;

	if (!(flags & MB_INFO_LOADER_NAME))
		return false;
	name = at(m, le32(mb + offsetof(struct multiboot_info, boot_loader_name)),
	          sizeof(grub2) - 1);
	if (!name)
		return false;
	for (size_t i = 0; i < sizeof(grub2) - 1; i++) {
		if (name[i] != grub2[i])
			return false;
	}
	return true;
}

static const char *parse_multiboot(const struct boot_mem *m, uint64_t addr)
{
	const uint8_t *mb = at(m, addr, sizeof(struct multiboot_info));
	uint32_t flags;

	if (!mb)
		return "the multiboot information is not in the first GiB of memory";
	flags = le32(mb + offsetof(struct multiboot_info, flags));
	if (flags & MB_INFO_MMAP) {
		uint32_t len = le32(mb + offsetof(struct multiboot_info, mmap_length));
		const uint8_t *map =
		    at(m, le32(mb + offsetof(struct multiboot_info, mmap_addr)), len);
		uint32_t off = 0;

		if (!map)
			return "the multiboot memory map is not in the first GiB of memory";
		/* Each entry says its own size; a size too small to hold an
		 * entry would loop forever or read garbage. */
		while (len - off >= sizeof(struct multiboot_mmap_entry)) {
			const uint8_t *e = map + off;
			uint32_t size = le32(e + offsetof(struct multiboot_mmap_entry, size));

			if (size < sizeof(struct multiboot_mmap_entry) - 4)
				return "the multiboot memory map is damaged";
			if (le32(e + offsetof(struct multiboot_mmap_entry, type)) == E820_RAM)
				boot_info_add_ram(
				    le64(e + offsetof(struct multiboot_mmap_entry, addr)),
				    le64(e + offsetof(struct multiboot_mmap_entry, len)));
			if (size > len - off - 4)
				break;
			off += size + 4;
		}
	} else if (flags & MB_INFO_MEMORY) {
		/* Only the amount of memory above 1 MiB, contiguous. */
		boot_info_add_ram(1u << 20,
		                  (uint64_t)le32(mb + offsetof(struct multiboot_info, mem_upper))
		                      << 10);
	}
	if (flags & MB_INFO_CMDLINE) {
		boot_info.cmdline_has_name = !loader_is_grub2(m, mb, flags);
		return copy_cmdline(m, le32(mb + offsetof(struct multiboot_info, cmdline)));
	}
	return NULL;
}

const char *boot_info_parse(enum boot_kind kind, uint64_t info_paddr, const struct boot_mem *m)
{
	const char *err;

	boot_info.kind = kind;
	boot_info.cmdline[0] = '\0';
	boot_info.cmdline_has_name = boot_info.cmdline_truncated = false;
	boot_info.memmap_absent = false;
	boot_info.nram = 0;
	if (kind == BOOT_PVH)
		err = parse_pvh(m, info_paddr);
	else if (kind == BOOT_MULTIBOOT)
		err = parse_multiboot(m, info_paddr);
	else
		err = "started by an unknown loader: neither the PVH entry nor multiboot";
	if (!err && boot_info.nram == 0 && !boot_info.memmap_absent)
		err = "the loader's memory map has no usable RAM";
	return err;
}

void boot_info_read(enum boot_kind kind, uint32_t info_paddr)
{
	/* All boot.S maps, identity-mapped. */
	static const struct boot_mem first_gib = { .host = 0, .base = 0, .len = BOOT_MAPPED_END };
	const char *err = boot_info_parse(kind, info_paddr, &first_gib);

	if (err)
		platform_fail(err, NULL);
	if (boot_info.memmap_absent && !boot_memmap_from_hypervisor())
		platform_fail("the PVH loader gave no memory map (hvm_start_info version 0); "
		              "use a loader that passes one (QEMU, Firecracker, Xen >= 4.11)",
		              NULL);
	if (boot_info.nram == 0)
		platform_fail("the loader's memory map has no usable RAM", NULL);
}
