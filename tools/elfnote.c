/*
 * elfnote.c — the bounded, validating reader of a Keel image's manifest
 * (see elfnote.h).
 *
 * Every field read from the file is treated as hostile: offsets and sizes
 * are checked against the file size with overflow-free arithmetic before
 * anything is dereferenced, and fields are read byte by byte as
 * little-endian (the file need not be aligned, nor the host match it).
 */
#include "elfnote.h"

#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define NOTE_HEADER 12 /* namesz, descsz, type */
#define NOTE_NAMESZ 5  /* "Keel" and its NUL */

struct reader {
	const unsigned char *file;
	size_t size;
	struct elfnote_manifest *out;
	unsigned targets;
	char *err;
	size_t errlen;
};

static int fail(struct reader *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static int fail(struct reader *r, const char *fmt, ...)
{
	va_list ap;

	if (r->errlen) {
		va_start(ap, fmt);
		vsnprintf(r->err, r->errlen, fmt, ap);
		va_end(ap);
	}
	return -1;
}

static uint64_t le(const unsigned char *p, unsigned bytes)
{
	uint64_t v = 0;

	while (bytes--)
		v = v << 8 | p[bytes];
	return v;
}

/* True when [off, off + len) lies within the file. */
static bool in_file(const struct reader *r, uint64_t off, uint64_t len)
{
	return off <= r->size && len <= r->size - off;
}

const char *elfnote_kind_name(int kind)
{
	switch (kind) {
	case KEEL_NOTE_NET:
		return "net";
	case KEEL_NOTE_BLOCK:
		return "block";
	case KEEL_NOTE_HOSTNET:
		return "hostnet";
	default:
		return "unknown";
	}
}

const char *elfnote_machine_name(unsigned machine)
{
	switch (machine) {
	case EM_X86_64:
		return "x86_64";
	case EM_AARCH64:
		return "aarch64";
	case EM_RISCV:
		return "riscv64";
	default:
		return "unknown";
	}
}

static int keel_note(struct reader *r, uint32_t type, const unsigned char *desc, uint64_t descsz)
{
	struct elfnote_manifest *m = r->out;

	if (descsz != KEEL_NOTE_DESC_SIZE)
		return fail(r, "malformed manifest: a Keel note has a %llu-byte descriptor, not %d",
		            (unsigned long long)descsz, KEEL_NOTE_DESC_SIZE);
	if (!keel_note_name_valid((const char *)desc))
		return fail(r, "malformed manifest: a Keel note holds an invalid name");
	switch (type) {
	case KEEL_NOTE_TARGET:
		if (r->targets++)
			return fail(r, "malformed manifest: more than one target note");
		memcpy(m->target, desc, KEEL_NOTE_DESC_SIZE);
		return 0;
	case KEEL_NOTE_NET:
	case KEEL_NOTE_BLOCK:
		for (size_t i = 0; i < m->ndevices; i++) {
			if (!strcmp(m->devices[i].name, (const char *)desc))
				return fail(r, "malformed manifest: device '%s' is declared twice",
				            m->devices[i].name);
		}
		if (m->ndevices == KEEL_MANIFEST_MAX)
			return fail(r, "malformed manifest: more than %d devices",
			            KEEL_MANIFEST_MAX);
		m->devices[m->ndevices].kind = (int)type;
		memcpy(m->devices[m->ndevices].name, desc, KEEL_NOTE_DESC_SIZE);
		m->ndevices++;
		return 0;
	case KEEL_NOTE_HOSTNET:
		if (strcmp((const char *)desc, "sockets"))
			return fail(
			    r, "malformed manifest: a hostnet note asks for '%s', not 'sockets'",
			    (const char *)desc);
		if (m->hostnet)
			return fail(r, "malformed manifest: more than one hostnet note");
		m->hostnet = 1;
		return 0;
	default:
		return fail(r, "malformed manifest: a Keel note has unknown type %u", type);
	}
}

/*
 * Walks the notes in [off, off + len) of the file. In the .note.keel
 * section every note must be Keel's (`only_keel`); a PT_NOTE segment may
 * also carry other owners' notes, which are skipped. Sets *found to the
 * number of Keel notes seen.
 */
static int walk_notes(struct reader *r, uint64_t off, uint64_t len, uint64_t align, bool only_keel,
                      unsigned *found)
{
	const unsigned char *p = r->file + off;
	uint64_t pos = 0;

	align = align == 8 ? 8 : 4;
	while (pos < len) {
		uint64_t namesz, descsz, name_at, desc_at, end;
		uint32_t type;
		bool keel;

		if (len - pos < NOTE_HEADER)
			return fail(r, "malformed notes: a note header is cut short");
		namesz = le(p + pos, 4);
		descsz = le(p + pos + 4, 4);
		type = (uint32_t)le(p + pos + 8, 4);
		name_at = pos + NOTE_HEADER;
		/* Sizes are 32-bit, so none of these sums can wrap. */
		desc_at = name_at + ((namesz + align - 1) & ~(align - 1));
		end = desc_at + ((descsz + align - 1) & ~(align - 1));
		if (desc_at > len || descsz > len - desc_at)
			return fail(r, "malformed notes: a note runs past the end of its section");
		keel = namesz == NOTE_NAMESZ && !memcmp(p + name_at, KEEL_NOTE_OWNER, NOTE_NAMESZ);
		if (keel) {
			if (keel_note(r, type, p + desc_at, descsz))
				return -1;
			(*found)++;
		} else if (only_keel) {
			return fail(
			    r, "malformed manifest: .note.keel holds a note that is not Keel's");
		}
		/* The last note's padding may be missing. */
		pos = end < len ? end : len;
	}
	return 0;
}

/* Finds .note.keel through the section table. 1: found and read, 0: the
 * file has no section table, -1: error. */
static int from_sections(struct reader *r)
{
	const unsigned char *eh = r->file;
	uint64_t shoff = le(eh + 0x28, 8), shnum = le(eh + 0x3c, 2), shstrndx = le(eh + 0x3e, 2);
	uint64_t shentsize = le(eh + 0x3a, 2);
	const unsigned char *strtab, *keel = NULL;
	uint64_t stroff, strsize;
	unsigned found = 0;

	if (shoff == 0)
		return 0;
	if (shentsize != sizeof(Elf64_Shdr))
		return fail(r, "malformed ELF: section headers of %llu bytes, not %zu",
		            (unsigned long long)shentsize, sizeof(Elf64_Shdr));
	if (!in_file(r, shoff, sizeof(Elf64_Shdr)))
		return fail(
		    r, "truncated ELF: the section header table lies past the end of the file");
	/* Extended numbering: the real counts sit in section header 0. */
	if (shnum == 0)
		shnum = le(r->file + shoff + 0x20, 8);
	if (shstrndx == SHN_XINDEX)
		shstrndx = le(r->file + shoff + 0x28, 4);
	if (shnum == 0)
		return 0;
	if (shnum > r->size / sizeof(Elf64_Shdr) || !in_file(r, shoff, shnum * sizeof(Elf64_Shdr)))
		return fail(
		    r, "truncated ELF: the section header table lies past the end of the file");
	if (shstrndx == SHN_UNDEF || shstrndx >= shnum)
		return fail(r, "malformed ELF: no valid section name table");

	strtab = r->file + shoff + shstrndx * sizeof(Elf64_Shdr);
	stroff = le(strtab + 0x18, 8);
	strsize = le(strtab + 0x20, 8);
	if (le(strtab + 4, 4) != SHT_STRTAB || !in_file(r, stroff, strsize))
		return fail(r, "malformed ELF: the section name table is not a string table "
		               "within the file");

	for (uint64_t i = 1; i < shnum; i++) {
		const unsigned char *sh = r->file + shoff + i * sizeof(Elf64_Shdr);
		uint64_t name = le(sh, 4);
		static const char wanted[] = ".note.keel";

		if (name >= strsize)
			return fail(r, "malformed ELF: a section name lies outside the name table");
		if (strsize - name < sizeof(wanted) ||
		    memcmp(r->file + stroff + name, wanted, sizeof(wanted)))
			continue;
		if (keel)
			return fail(r, "malformed ELF: more than one .note.keel section");
		keel = sh;
	}
	if (!keel)
		return fail(r, "no .note.keel section: not a Keel image");
	if (le(keel + 4, 4) != SHT_NOTE)
		return fail(r, "malformed ELF: .note.keel is not a note section");
	if (!in_file(r, le(keel + 0x18, 8), le(keel + 0x20, 8)))
		return fail(r, "truncated ELF: .note.keel lies past the end of the file");
	if (walk_notes(r, le(keel + 0x18, 8), le(keel + 0x20, 8), le(keel + 0x30, 8), true, &found))
		return -1;
	return 1;
}

/* For files without a section table: Keel's notes in the PT_NOTE segments. */
static int from_segments(struct reader *r)
{
	const unsigned char *eh = r->file;
	uint64_t phoff = le(eh + 0x20, 8), phnum = le(eh + 0x38, 2), phentsize = le(eh + 0x36, 2);
	unsigned found = 0;

	if (phoff == 0 || phnum == 0)
		return fail(r, "no section table and no program headers: not a Keel image");
	if (phentsize != sizeof(Elf64_Phdr))
		return fail(r, "malformed ELF: program headers of %llu bytes, not %zu",
		            (unsigned long long)phentsize, sizeof(Elf64_Phdr));
	if (phnum == PN_XNUM)
		return fail(r, "malformed ELF: too many program headers");
	if (!in_file(r, phoff, phnum * sizeof(Elf64_Phdr)))
		return fail(r, "truncated ELF: the program headers lie past the end of the file");
	for (uint64_t i = 0; i < phnum; i++) {
		const unsigned char *ph = r->file + phoff + i * sizeof(Elf64_Phdr);
		uint64_t off = le(ph + 0x08, 8), filesz = le(ph + 0x20, 8);

		if (le(ph, 4) != PT_NOTE)
			continue;
		if (!in_file(r, off, filesz))
			return fail(r,
			            "truncated ELF: a note segment lies past the end of the file");
		if (walk_notes(r, off, filesz, le(ph + 0x30, 8), false, &found))
			return -1;
	}
	if (!found)
		return fail(r, "no Keel notes: not a Keel image");
	return 0;
}

int elfnote_parse(const void *file, size_t size, struct elfnote_manifest *out, char *err,
                  size_t errlen)
{
	struct reader r = { file, size, out, 0, err, errlen };
	const unsigned char *eh = file;
	int found;

	memset(out, 0, sizeof(*out));
	if (errlen)
		err[0] = '\0';
	if (size < SELFMAG || memcmp(eh, ELFMAG, SELFMAG))
		return fail(&r, "not an ELF file");
	if (size < EI_NIDENT || eh[EI_CLASS] != ELFCLASS64)
		return fail(&r,
		            size < EI_NIDENT ? "truncated ELF header" : "not a 64-bit ELF file");
	if (eh[EI_DATA] != ELFDATA2LSB)
		return fail(&r, "not a little-endian ELF file");
	if (size < sizeof(Elf64_Ehdr))
		return fail(&r, "truncated ELF header");
	if (eh[EI_VERSION] != EV_CURRENT || le(eh + 0x14, 4) != EV_CURRENT)
		return fail(&r, "unsupported ELF version");
	if (le(eh + 0x10, 2) != ET_EXEC)
		return fail(&r, "not an ELF executable (e_type %u)", (unsigned)le(eh + 0x10, 2));
	out->machine = (unsigned)le(eh + 0x12, 2);

	found = from_sections(&r);
	if (found < 0)
		return -1;
	if (found == 0 && from_segments(&r))
		return -1;
	if (r.targets == 0)
		return fail(&r, "malformed manifest: no target note");
	return 0;
}

int elfnote_read(const char *path, struct elfnote_manifest *out, char *err, size_t errlen)
{
	struct reader r = { NULL, 0, out, 0, err, errlen };
	unsigned char *buf;
	struct stat st;
	size_t got = 0;
	int fd, ret;

	memset(out, 0, sizeof(*out));
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return fail(&r, "cannot open: %s", strerror(errno));
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		close(fd);
		return fail(&r, "not a regular file");
	}
	if ((uint64_t)st.st_size > ELFNOTE_FILE_MAX) {
		close(fd);
		return fail(&r, "too large for an image (%lld bytes)", (long long)st.st_size);
	}
	buf = malloc(st.st_size ? (size_t)st.st_size : 1);
	if (!buf) {
		close(fd);
		return fail(&r, "out of memory");
	}
	/* The file may change size under us; read what fits, no more. */
	while (got < (size_t)st.st_size) {
		ssize_t n = read(fd, buf + got, (size_t)st.st_size - got);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			ret = fail(&r, "cannot read: %s", strerror(errno));
			goto out;
		}
		if (n == 0)
			break;
		got += (size_t)n;
	}
	ret = elfnote_parse(buf, got, out, err, errlen);
out:
	free(buf);
	close(fd);
	return ret;
}
