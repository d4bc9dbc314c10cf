/*
 * keel-inspect — what is inside a Keel image: its target, its device
 * manifest, its boot-protocol notes, and its size by section and by
 * library.
 *
 *   keel-inspect IMAGE
 *
 * The manifest is read with the validating reader of elfnote.c; a file
 * that is not a Keel image is refused with one line and status 2. Size by
 * library comes from the link map the build writes beside the image
 * (IMAGE.map, or the .map of IMAGE without its .elf suffix); without one,
 * that part is left out and the output says so.
 */
#include "elfnote.h"

#include <elf.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_LIBS 32

struct lib_size {
	char name[64];
	unsigned long text, data; /* bytes in allocated sections: code+rodata, data+bss */
};

static int die(const char *path, const char *msg)
{
	fprintf(stderr, "keel-inspect: %s: %s\n", path, msg);
	return 2;
}

static unsigned char *slurp(const char *path, size_t *size)
{
	FILE *f = fopen(path, "rb");
	unsigned char *buf;
	long n;

	if (!f)
		return NULL;
	if (fseek(f, 0, SEEK_END) || (n = ftell(f)) < 0 || (size_t)n > ELFNOTE_FILE_MAX ||
	    fseek(f, 0, SEEK_SET)) {
		fclose(f);
		return NULL;
	}
	buf = malloc((size_t)n + 1);
	if (buf && fread(buf, 1, (size_t)n, f) != (size_t)n) {
		free(buf);
		buf = NULL;
	}
	fclose(f);
	*size = (size_t)n;
	return buf;
}

/* Both readers below index the file only after these bounds checks. */
static int in_file(size_t size, uint64_t off, uint64_t len)
{
	return off <= size && len <= size - off;
}

static void print_sections(const unsigned char *f, size_t size)
{
	Elf64_Ehdr eh;
	Elf64_Shdr sh, strtab;
	unsigned long total[3] = {0, 0, 0}; /* text, data, bss as `size` counts them */

	memcpy(&eh, f, sizeof(eh));
	if (eh.e_shoff == 0 || eh.e_shentsize != sizeof(Elf64_Shdr) || eh.e_shstrndx >= eh.e_shnum ||
	    !in_file(size, eh.e_shoff, (uint64_t)eh.e_shnum * sizeof(Elf64_Shdr))) {
		printf("sections: (no section table)\n");
		return;
	}
	memcpy(&strtab, f + eh.e_shoff + (uint64_t)eh.e_shstrndx * sizeof(sh), sizeof(strtab));
	if (!in_file(size, strtab.sh_offset, strtab.sh_size) || strtab.sh_size == 0 ||
	    f[strtab.sh_offset + strtab.sh_size - 1] != 0) {
		printf("sections: (bad section name table)\n");
		return;
	}
	printf("sections (in memory):\n");
	for (unsigned i = 0; i < eh.e_shnum; i++) {
		memcpy(&sh, f + eh.e_shoff + (uint64_t)i * sizeof(sh), sizeof(sh));
		if (!(sh.sh_flags & SHF_ALLOC) || sh.sh_size == 0)
			continue;
		const char *name = sh.sh_name < strtab.sh_size
					   ? (const char *)f + strtab.sh_offset + sh.sh_name
					   : "?";
		printf("  %-20s %8lu  %c%c%c  %s\n", name, (unsigned long)sh.sh_size, 'r',
		       sh.sh_flags & SHF_WRITE ? 'w' : '-', sh.sh_flags & SHF_EXECINSTR ? 'x' : '-',
		       sh.sh_type == SHT_NOBITS ? "(not in file)" : "");
		if (sh.sh_type == SHT_NOBITS)
			total[2] += sh.sh_size;
		else if (sh.sh_flags & SHF_WRITE)
			total[1] += sh.sh_size;
		else
			total[0] += sh.sh_size;
	}
	printf("  %-20s %8lu text+rodata, %lu data, %lu bss\n", "total", total[0], total[1],
	       total[2]);
}

/* Notes of the loadable image other than Keel's own: boot protocols. */
static void print_boot_notes(const unsigned char *f, size_t size)
{
	Elf64_Ehdr eh;
	Elf64_Phdr ph;
	int any = 0;

	memcpy(&eh, f, sizeof(eh));
	if (eh.e_phentsize == sizeof(Elf64_Phdr) &&
	    in_file(size, eh.e_phoff, (uint64_t)eh.e_phnum * sizeof(ph))) {
		for (unsigned i = 0; i < eh.e_phnum; i++) {
			memcpy(&ph, f + eh.e_phoff + (uint64_t)i * sizeof(ph), sizeof(ph));
			if (ph.p_type != PT_NOTE || !in_file(size, ph.p_offset, ph.p_filesz))
				continue;
			uint64_t off = 0;
			while (off + 12 <= ph.p_filesz) {
				const unsigned char *n = f + ph.p_offset + off;
				uint32_t namesz, descsz, type;

				memcpy(&namesz, n, 4);
				memcpy(&descsz, n + 4, 4);
				memcpy(&type, n + 8, 4);
				uint64_t nlen = ((uint64_t)namesz + 3) & ~3ull;
				uint64_t dlen = ((uint64_t)descsz + 3) & ~3ull;
				if (12 + nlen + dlen > ph.p_filesz - off)
					break;
				const char *name = (const char *)n + 12;
				if (namesz == 4 && memcmp(name, "Xen", 4) == 0 && type == 18 &&
				    descsz >= 4) {
					uint32_t entry;

					memcpy(&entry, n + 12 + nlen, 4);
					printf("boot:     Xen PVH entry at 0x%x (QEMU -kernel, Firecracker, "
					       "Xen)\n",
					       entry);
					any = 1;
				}
				off += 12 + nlen + dlen;
			}
		}
	}
	/* A multiboot v1 header: magic, flags, checksum summing to zero, 4-aligned,
	 * within the first 8 KiB. */
	for (size_t off = 0; off + 12 <= size && off < 8192; off += 4) {
		uint32_t w[3];

		memcpy(w, f + off, sizeof(w));
		if (w[0] == 0x1BADB002u && (uint32_t)(w[0] + w[1] + w[2]) == 0) {
			printf("boot:     multiboot header at file offset 0x%zx\n", off);
			any = 1;
			break;
		}
	}
	if (!any)
		printf("boot:     started as a process (entry 0x%llx)\n",
		       (unsigned long long)eh.e_entry);
}

/* Which library an input file of the link belongs to, from its path. */
static void lib_name(const char *input, char *out, size_t outlen)
{
	const char *slash = strrchr(input, '/');
	const char *base = slash ? slash + 1 : input;
	const char *paren = strchr(base, '(');

	if (strncmp(base, "libkeel", 7) == 0 && paren) {
		size_t n = (size_t)(paren - base) - 7;

		if (n > 2 && memcmp(base + 7 + n - 2, ".a", 2) == 0)
			n -= 2;
		snprintf(out, outlen, "%.*s", (int)n, base + 7);
		if (strcmp(out, "c") == 0)
			snprintf(out, outlen, "libc");
	} else if (paren) {
		snprintf(out, outlen, "%.*s", (int)(paren - base), base);
	} else {
		snprintf(out, outlen, "app");
	}
}

static void add_size(struct lib_size *libs, int *nlibs, const char *lib, const char *section,
		     unsigned long size)
{
	int i;

	for (i = 0; i < *nlibs; i++)
		if (strcmp(libs[i].name, lib) == 0)
			break;
	if (i == *nlibs) {
		if (*nlibs == MAX_LIBS)
			return;
		snprintf(libs[i].name, sizeof(libs[i].name), "%s", lib);
		libs[i].text = libs[i].data = 0;
		(*nlibs)++;
	}
	if (strncmp(section, ".data", 5) == 0 || strncmp(section, ".bss", 4) == 0)
		libs[i].data += size;
	else
		libs[i].text += size;
}

/*
 * GNU ld map lines of interest, inside "Linker script and memory map":
 *   " .text.name  0xADDR  0xSIZE input"   or the name alone on a line and
 *   "             0xADDR  0xSIZE input"   on the next.
 */
static int print_libraries(const char *map_path)
{
	FILE *f = fopen(map_path, "r");
	char line[1024], pending[512] = "";
	struct lib_size libs[MAX_LIBS];
	int nlibs = 0, in_map = 0;

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		char sec[512], input[512], lib[64];
		unsigned long long addr, size;

		if (!in_map) {
			in_map = strncmp(line, "Linker script and memory map", 28) == 0;
			continue;
		}
		if (strncmp(line, "/DISCARD/", 9) == 0)
			break;
		if (line[0] != ' ' || line[1] != '.') {
			if (pending[0] && sscanf(line, " 0x%llx 0x%llx %511s", &addr, &size, input) == 3 &&
			    addr != 0) {
				lib_name(input, lib, sizeof(lib));
				add_size(libs, &nlibs, lib, pending, (unsigned long)size);
			}
			pending[0] = 0;
			continue;
		}
		int n = sscanf(line, " %511s 0x%llx 0x%llx %511s", sec, &addr, &size, input);
		if (n == 1) {
			snprintf(pending, sizeof(pending), "%s", sec);
		} else {
			pending[0] = 0;
			if (n == 4 && addr != 0 && strncmp(sec, ".note", 5) != 0 &&
			    strncmp(sec, ".comment", 8) != 0 && strncmp(sec, ".debug", 6) != 0) {
				lib_name(input, lib, sizeof(lib));
				add_size(libs, &nlibs, lib, sec, (unsigned long)size);
			}
		}
	}
	fclose(f);
	printf("by library (from %s):\n", map_path);
	for (int i = 0; i < nlibs; i++)
		printf("  %-20s %8lu code+rodata  %6lu data+bss\n", libs[i].name, libs[i].text,
		       libs[i].data);
	return 0;
}

int main(int argc, char **argv)
{
	struct elfnote_manifest m;
	char err[256], map[4096];
	unsigned char *file;
	size_t size;

	if (argc == 2 && (strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "--help") == 0)) {
		printf("usage: keel-inspect IMAGE\n"
		       "Shows a Keel image's target, device manifest, boot notes and sizes.\n");
		return 0;
	}
	if (argc != 2 || argv[1][0] == '-') {
		fprintf(stderr, "usage: keel-inspect IMAGE\n");
		return 2;
	}
	const char *path = argv[1];
	if (elfnote_read(path, &m, err, sizeof(err)) != 0)
		return die(path, err);
	file = slurp(path, &size);
	if (!file || size < sizeof(Elf64_Ehdr))
		return die(path, "cannot read the file");

	printf("image:    %s (%zu bytes)\n", path, size);
	printf("target:   %s (%s ELF)\n", m.target, elfnote_machine_name(m.machine));
	print_boot_notes(file, size);
	if (m.ndevices == 0)
		printf("devices:  none\n");
	for (size_t i = 0; i < m.ndevices; i++)
		printf("%s handle %zu: %-5s %-16s%s\n", i == 0 ? "devices: " : "         ", i,
		       elfnote_kind_name(m.devices[i].kind), m.devices[i].name,
		       strcmp(m.target, "linux") == 0 ? " (fd 3 + handle on linux)" : "");
	if (m.hostnet)
		printf("host:     hostnet sockets (the host's TCP/UDP sockets; not a device)\n");
	print_sections(file, size);
	free(file);

	/* The link map: IMAGE.map, or for IMAGE.elf the .map beside it. */
	size_t len = strlen(path);
	if (len > 4 && strcmp(path + len - 4, ".elf") == 0)
		snprintf(map, sizeof(map), "%.*s.map", (int)(len - 4), path);
	else
		snprintf(map, sizeof(map), "%s.map", path);
	if (print_libraries(map) != 0)
		printf("by library: no link map %s beside the image\n", map);
	return 0;
}
