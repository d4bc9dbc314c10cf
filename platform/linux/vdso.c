/*
 * vdso.c — finding clock_gettime in the vDSO the kernel maps into every
 * process (its address is the auxiliary vector's AT_SYSINFO_EHDR).
 *
 * Why: the event loop and the network stack read the monotonic clock many
 * times per frame. As a system call each read costs a kernel entry plus a
 * pass through the seccomp filter; the vDSO's clock_gettime reads the
 * kernel's time data from a shared page (and the TSC) without entering the
 * kernel at all, and makes the system call itself only when the host's
 * clock source cannot be read that way. Nothing changes for the seal: the
 * vDSO is already mapped, executable, in the sealed process.
 *
 * The vDSO is a small shared object the kernel itself built. It is still
 * read with every offset and count checked against the size of its one
 * loadable segment (that size is the kernel's word), so a malformed
 * image (another kernel, an emulator that fakes one) makes the lookup
 * fail and the clock falls back to the system call rather than jump
 * somewhere. The symbol is looked up by name only:
 * x86_64 kernels have exported it under this name since 2.6.24, and its
 * version (LINUX_2.6) was never changed.
 */
#include "platform_impl.h"

#define LINUX_AT_SYSINFO_EHDR 33

#define ELF_PT_LOAD 1
#define ELF_PT_DYNAMIC 2
#define ELF_DT_NULL 0
#define ELF_DT_HASH 4
#define ELF_DT_STRTAB 5
#define ELF_DT_SYMTAB 6
#define ELF_STT_FUNC 2
#define ELF_STB_GLOBAL 1
#define ELF_STB_WEAK 2
#define ELF_SHN_UNDEF 0
/* Before the size of the image is known, only its first page is read
 * (the ELF header and the program headers must lie there): the mapping
 * starts at a page boundary, so at least that page is there. */
#define FIRST_PAGE 4096
/* Loop bounds: far above what any vDSO holds. */
#define DYN_MAX 256
#define SYM_MAX 4096

struct elf_ehdr {
	uint8_t ident[16];
	uint16_t type, machine;
	uint32_t version;
	uint64_t entry, phoff, shoff;
	uint32_t flags;
	uint16_t ehsize, phentsize, phnum, shentsize, shnum, shstrndx;
};

struct elf_phdr {
	uint32_t type, flags;
	uint64_t offset, vaddr, paddr, filesz, memsz, align;
};

struct elf_dyn {
	int64_t tag;
	uint64_t val;
};

struct elf_sym {
	uint32_t name;
	uint8_t info, other;
	uint16_t shndx;
	uint64_t value, size;
};

/* The mapped vDSO: bytes [0, size) from base; vaddr_base is the virtual
 * address its loadable segment was linked at (file offset 0 there). */
struct vdso {
	const uint8_t *base;
	uint64_t size;
	uint64_t vaddr_base;
};

/* Whether [off, off + len) lies inside the mapped image. */
static bool in_image(const struct vdso *v, uint64_t off, uint64_t len)
{
	return off <= v->size && len <= v->size - off;
}

/* A linked address to an offset in the image; false when outside. */
static bool vaddr_offset(const struct vdso *v, uint64_t vaddr, uint64_t *off)
{
	if (vaddr < v->vaddr_base || vaddr - v->vaddr_base >= v->size)
		return false;
	*off = vaddr - v->vaddr_base;
	return true;
}

/* Whether the NUL-terminated string at offset `off` is `want`. */
static bool name_is(const struct vdso *v, uint64_t off, const char *want)
{
	for (;; off++, want++) {
		if (off >= v->size || v->base[off] != (uint8_t)*want)
			return false;
		if (!*want)
			return true;
	}
}

/* Finds the loadable segment and the dynamic table; false: not usable. */
static bool vdso_open(const uint8_t *base, struct vdso *v, uint64_t *dyn_off, uint64_t *dyn_len)
{
	const struct elf_ehdr *eh = (const struct elf_ehdr *)base;
	const struct elf_phdr *load = NULL, *dynamic = NULL;

	if (base[0] != 0x7f || base[1] != 'E' || base[2] != 'L' || base[3] != 'F' ||
	    base[4] != 2 /* 64-bit */ || base[5] != 1 /* little-endian */ ||
	    eh->phentsize != sizeof(struct elf_phdr) || eh->phnum == 0 || eh->phnum > 16 ||
	    eh->phoff < sizeof(*eh) || eh->phoff % 8 ||
	    eh->phoff + (uint64_t)eh->phnum * sizeof(struct elf_phdr) > FIRST_PAGE)
		return false;
	for (unsigned i = 0; i < eh->phnum; i++) {
		const struct elf_phdr *ph = (const struct elf_phdr *)(base + eh->phoff) + i;

		if (ph->type == ELF_PT_LOAD && !load)
			load = ph;
		else if (ph->type == ELF_PT_DYNAMIC)
			dynamic = ph;
	}
	/* The whole image is one segment mapped from its start. */
	if (!load || !dynamic || load->offset != 0 || load->filesz == 0 ||
	    load->filesz > (1u << 20) ||
	    eh->phoff + (uint64_t)eh->phnum * sizeof(*load) > load->filesz)
		return false;
	*v = (struct vdso){ .base = base, .size = load->filesz, .vaddr_base = load->vaddr };
	if (!in_image(v, dynamic->offset, dynamic->filesz) || dynamic->offset % 8)
		return false;
	*dyn_off = dynamic->offset;
	*dyn_len = dynamic->filesz / sizeof(struct elf_dyn);
	return true;
}

/*
 * The function `name` (of clock_gettime's type) in the vDSO at `base`, or NULL if
 * there is none or the image does not look like one.
 */
static linux_clock_gettime_fn vdso_lookup(const uint8_t *base, const char *name)
{
	struct vdso v;
	uint64_t dyn_off, ndyn, hash = 0, strtab = 0, symtab = 0, nsym;
	bool have_hash = false, have_str = false, have_sym = false;
	const struct elf_dyn *dyn;
	uint32_t nchain;

	if (!vdso_open(base, &v, &dyn_off, &ndyn))
		return NULL;
	dyn = (const struct elf_dyn *)(base + dyn_off);
	for (uint64_t i = 0; i < ndyn && i < DYN_MAX && dyn[i].tag != ELF_DT_NULL; i++) {
		if (dyn[i].tag == ELF_DT_HASH)
			have_hash = vaddr_offset(&v, dyn[i].val, &hash);
		else if (dyn[i].tag == ELF_DT_STRTAB)
			have_str = vaddr_offset(&v, dyn[i].val, &strtab);
		else if (dyn[i].tag == ELF_DT_SYMTAB)
			have_sym = vaddr_offset(&v, dyn[i].val, &symtab);
	}
	/* The SysV hash table's second word is the number of symbols. */
	if (!have_hash || !have_str || !have_sym || !in_image(&v, hash, 8) || hash % 4 ||
	    symtab % 8)
		return NULL;
	nchain = ((const uint32_t *)(base + hash))[1];
	nsym = nchain < SYM_MAX ? nchain : SYM_MAX;
	if (!in_image(&v, symtab, nsym * sizeof(struct elf_sym)))
		return NULL;
	for (uint64_t i = 0; i < nsym; i++) {
		const struct elf_sym *s = (const struct elf_sym *)(base + symtab) + i;
		unsigned type = s->info & 0xf, bind = s->info >> 4;
		uint64_t at;

		if (type != ELF_STT_FUNC || (bind != ELF_STB_GLOBAL && bind != ELF_STB_WEAK) ||
		    s->shndx == ELF_SHN_UNDEF || s->name >= v.size - strtab)
			continue;
		if (!name_is(&v, strtab + s->name, name))
			continue;
		if (!vaddr_offset(&v, s->value, &at))
			return NULL;
		return (linux_clock_gettime_fn)((uintptr_t)base + at);
	}
	return NULL;
}

linux_clock_gettime_fn linux_vdso_clock_gettime(const uint64_t *auxv)
{
	const uint8_t *base = NULL;

	for (; auxv[0] != LINUX_AT_NULL; auxv += 2) {
		if (auxv[0] == LINUX_AT_SYSINFO_EHDR)
			base = (const uint8_t *)(uintptr_t)auxv[1];
	}
	return base ? vdso_lookup(base, "__vdso_clock_gettime") : NULL;
}
