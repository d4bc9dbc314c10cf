/*
 * boot_info.c — reading what the loader passed: the memory map and the
 * command line, from a PVH hvm_start_info or a multiboot v1 info block.
 *
 * Everything is copied into boot_info before memory is handed out, and
 * every address the loader gave is checked to lie within the first GiB,
 * which is all boot.S maps (loaders put these structures low in practice).
 * Malformed structures make the image refuse to boot with a message,
 * never read outside what is mapped.
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

/* True when [addr, addr + len) lies within the boot mapping. */
static bool readable(uint64_t addr, uint64_t len)
{
	return addr != 0 && addr < BOOT_MAPPED_END && len <= BOOT_MAPPED_END - addr;
}

static void *at(uint64_t addr)
{
	return (void *)(uintptr_t)addr;
}

/* Keeps the page-aligned inside of a usable range; drops what is left
 * over when the map has more ranges than boot_info can hold. */
void boot_info_add_ram(uint64_t addr, uint64_t len)
{
	uint64_t start = (addr + PAGE_SIZE - 1) & ~(uint64_t)(PAGE_SIZE - 1);
	uint64_t end = (addr + len) & ~(uint64_t)(PAGE_SIZE - 1);

	if (addr + len < addr || start >= end || boot_info.nram == BOOT_MEMMAP_MAX)
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

static void copy_cmdline(uint64_t addr)
{
	size_t n = 0;

	if (addr == 0)
		return;
	while (n < BOOT_CMDLINE_MAX - 1) {
		if (!readable(addr + n, 1))
			platform_fail("the loader's command line is not in the first GiB of memory",
			         NULL);
		if ((boot_info.cmdline[n] = *(const char *)at(addr + n)) == '\0')
			return;
		n++;
	}
	boot_info.cmdline[n] = '\0';
	boot_info.cmdline_truncated = *(const char *)at(addr + n) != '\0';
}

static void read_pvh(uint64_t addr)
{
	const struct hvm_start_info *si = at(addr);

	if (!readable(addr, sizeof(*si)) || si->magic != PVH_MAGIC)
		platform_fail("the PVH start info is missing or damaged", NULL);
	if ((si->version < 1 || si->memmap_entries == 0) && boot_memmap_from_hypervisor()) {
		copy_cmdline(si->cmdline_paddr);
		return;
	}
	if (si->version < 1 || si->memmap_entries == 0)
		platform_fail("the PVH loader gave no memory map (hvm_start_info version 0); "
		         "use a loader that passes one (QEMU, Firecracker, Xen >= 4.11)",
		         NULL);
	if (!readable(si->memmap_paddr,
	              (uint64_t)si->memmap_entries * sizeof(struct hvm_memmap_entry)))
		platform_fail("the PVH memory map is not in the first GiB of memory", NULL);
	for (uint32_t i = 0; i < si->memmap_entries; i++) {
		const struct hvm_memmap_entry *e =
		    (const struct hvm_memmap_entry *)at(si->memmap_paddr) + i;

		if (e->type == E820_RAM)
			boot_info_add_ram(e->addr, e->size);
	}
	copy_cmdline(si->cmdline_paddr);
}

/*
 * QEMU's multiboot loader (and GRUB legacy) put the image's path before
 * its arguments on the command line; GRUB 2 gives the arguments only.
 * It names itself "GRUB 2.xx" in boot_loader_name.
 */
static bool loader_is_grub2(const struct multiboot_info *mb)
{
	static const char grub2[] = "GRUB 2";
	uint64_t name = mb->boot_loader_name;

	if (!(mb->flags & MB_INFO_LOADER_NAME) || !readable(name, sizeof(grub2) - 1))
		return false;
	for (size_t i = 0; i < sizeof(grub2) - 1; i++) {
		if (*(const char *)at(name + i) != grub2[i])
			return false;
	}
	return true;
}

static void read_multiboot(uint64_t addr)
{
	const struct multiboot_info *mb = at(addr);

	if (!readable(addr, sizeof(*mb)))
		platform_fail("the multiboot information is not in the first GiB of memory", NULL);
	if (mb->flags & MB_INFO_MMAP) {
		uint64_t p = mb->mmap_addr, end = p + mb->mmap_length;

		if (!readable(p, mb->mmap_length))
			platform_fail("the multiboot memory map is not in the first GiB of memory",
			         NULL);
		/* Each entry says its own size; a size too small to hold an
		 * entry would loop forever or read garbage. */
		while (p + sizeof(struct multiboot_mmap_entry) <= end) {
			const struct multiboot_mmap_entry *e = at(p);

			if (e->size < sizeof(*e) - sizeof(e->size))
				platform_fail("the multiboot memory map is damaged", NULL);
			if (e->type == E820_RAM)
				boot_info_add_ram(e->addr, e->len);
			p += (uint64_t)e->size + sizeof(e->size);
		}
	} else if (mb->flags & MB_INFO_MEMORY) {
		/* Only the amount of memory above 1 MiB, contiguous. */
		boot_info_add_ram(1u << 20, (uint64_t)mb->mem_upper << 10);
	}
	if (mb->flags & MB_INFO_CMDLINE) {
		copy_cmdline(mb->cmdline);
		boot_info.cmdline_has_name = !loader_is_grub2(mb);
	}
}

void boot_info_read(enum boot_kind kind, uint32_t info_paddr)
{
	boot_info.kind = kind;
	if (kind == BOOT_PVH)
		read_pvh(info_paddr);
	else if (kind == BOOT_MULTIBOOT)
		read_multiboot(info_paddr);
	else
		platform_fail("started by an unknown loader: neither the PVH entry nor multiboot", NULL);
	if (boot_info.nram == 0)
		platform_fail("the loader's memory map has no usable RAM", NULL);
}
