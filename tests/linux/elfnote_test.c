/*
 * Unit test of tools/elfnote.c, the manifest reader of keel-launch and
 * keel-inspect: valid images through the section table and through PT_NOTE
 * segments, every kind of malformed file refused with a message, and a
 * mutation run (bit flips, truncation at every length) that must never
 * read out of bounds (AddressSanitizer watches).
 */
#include <elf.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "elfnote.h"

static int failures;

#define CHECK(cond)                                                                                \
	do {                                                                                       \
		if (!(cond)) {                                                                     \
			fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, __LINE__, #cond);   \
			failures++;                                                                \
		}                                                                                  \
	} while (0)

/* ---- Building small ELF files -------------------------------------------- */

#define IMG_MAX 4096
#define NOTES_AT 0x100
#define PHDR_AT 0x40

struct image {
	unsigned char b[IMG_MAX];
	size_t notes_len; /* bytes of notes written at NOTES_AT */
	size_t size;
};

static void put(unsigned char *p, uint64_t v, unsigned bytes)
{
	for (unsigned i = 0; i < bytes; i++)
		p[i] = (unsigned char)(v >> (8 * i));
}

static void add_raw_note(struct image *im, uint32_t namesz, const char *name, uint32_t descsz,
                         const void *desc, uint32_t type)
{
	unsigned char *p = im->b + NOTES_AT + im->notes_len;
	size_t name_pad = (namesz + 3u) & ~3u, desc_pad = (descsz + 3u) & ~3u;

	put(p, namesz, 4);
	put(p + 4, descsz, 4);
	put(p + 8, type, 4);
	memcpy(p + 12, name, namesz);
	memcpy(p + 12 + name_pad, desc, descsz);
	im->notes_len += 12 + name_pad + desc_pad;
}

static void add_note(struct image *im, uint32_t type, const char *name)
{
	char desc[KEEL_NOTE_DESC_SIZE] = { 0 };

	strncpy(desc, name, sizeof(desc));
	add_raw_note(im, 5, "Keel", KEEL_NOTE_DESC_SIZE, desc, type);
}

/*
 * Lays out: ELF header, one PT_NOTE program header, the notes, then (when
 * `sections`) a name table and three section headers (null, .note.keel,
 * .shstrtab).
 */
static void finish(struct image *im, bool sections)
{
	static const char names[] = "\0.shstrtab\0.note.keel";
	unsigned char *eh = im->b, *ph = im->b + PHDR_AT;
	size_t strtab_at = NOTES_AT + im->notes_len;
	size_t sh_at = (strtab_at + sizeof(names) + 7) & ~(size_t)7;

	memcpy(eh, ELFMAG, SELFMAG);
	eh[EI_CLASS] = ELFCLASS64;
	eh[EI_DATA] = ELFDATA2LSB;
	eh[EI_VERSION] = EV_CURRENT;
	put(eh + 0x10, ET_EXEC, 2);
	put(eh + 0x12, EM_X86_64, 2);
	put(eh + 0x14, EV_CURRENT, 4);
	put(eh + 0x20, PHDR_AT, 8);
	put(eh + 0x34, sizeof(Elf64_Ehdr), 2);
	put(eh + 0x36, sizeof(Elf64_Phdr), 2);
	put(eh + 0x38, 1, 2);

	put(ph, PT_NOTE, 4);
	put(ph + 0x08, NOTES_AT, 8);
	put(ph + 0x20, im->notes_len, 8);
	put(ph + 0x28, im->notes_len, 8);
	put(ph + 0x30, 4, 8);
	im->size = strtab_at;
	if (!sections)
		return;

	memcpy(im->b + strtab_at, names, sizeof(names));
	put(eh + 0x28, sh_at, 8);
	put(eh + 0x3a, sizeof(Elf64_Shdr), 2);
	put(eh + 0x3c, 3, 2);
	put(eh + 0x3e, 2, 2);
	/* [1] .note.keel */
	put(im->b + sh_at + 64 + 0x00, 11, 4);
	put(im->b + sh_at + 64 + 0x04, SHT_NOTE, 4);
	put(im->b + sh_at + 64 + 0x18, NOTES_AT, 8);
	put(im->b + sh_at + 64 + 0x20, im->notes_len, 8);
	put(im->b + sh_at + 64 + 0x30, 4, 8);
	/* [2] .shstrtab */
	put(im->b + sh_at + 128 + 0x00, 1, 4);
	put(im->b + sh_at + 128 + 0x04, SHT_STRTAB, 4);
	put(im->b + sh_at + 128 + 0x18, strtab_at, 8);
	put(im->b + sh_at + 128 + 0x20, sizeof(names), 8);
	im->size = sh_at + 3 * 64;
}

/* A valid image: target linux, net service, block storage. */
static void valid(struct image *im, bool sections)
{
	memset(im, 0, sizeof(*im));
	add_note(im, KEEL_NOTE_NET, "service");
	add_note(im, KEEL_NOTE_BLOCK, "storage");
	add_note(im, KEEL_NOTE_TARGET, "linux");
	finish(im, sections);
}

static struct elfnote_manifest m;
static char err[256];

static int parse(const struct image *im)
{
	return elfnote_parse(im->b, im->size, &m, err, sizeof(err));
}

/* The image must be refused with a message containing `want`. */
static void refused(const struct image *im, const char *want, int line)
{
	if (parse(im) != -1 || !strstr(err, want)) {
		fprintf(stderr, "line %d: want refusal '%s', got '%s'\n", line, want, err);
		failures++;
	}
}
#define REFUSED(im, want) refused(im, want, __LINE__)

/* ---- Tests ------------------------------------------------------------------ */

static void test_valid(void)
{
	struct image im;

	for (int sections = 1; sections >= 0; sections--) {
		valid(&im, sections);
		CHECK(parse(&im) == 0);
		CHECK(!strcmp(m.target, "linux"));
		CHECK(m.machine == EM_X86_64);
		CHECK(m.ndevices == 2);
		CHECK(m.devices[0].kind == KEEL_NOTE_NET && !strcmp(m.devices[0].name, "service"));
		CHECK(m.devices[1].kind == KEEL_NOTE_BLOCK &&
		      !strcmp(m.devices[1].name, "storage"));
	}
	CHECK(!strcmp(elfnote_kind_name(KEEL_NOTE_NET), "net"));
	CHECK(!strcmp(elfnote_kind_name(KEEL_NOTE_BLOCK), "block"));
	CHECK(!strcmp(elfnote_machine_name(EM_AARCH64), "aarch64"));
	CHECK(!strcmp(elfnote_machine_name(9999), "unknown"));

	/* Sixteen devices and a target alone are fine; a PT_NOTE segment may
	 * hold other owners' notes (a Xen PVH note, say) beside Keel's. */
	memset(&im, 0, sizeof(im));
	add_raw_note(&im, 4, "Xen", 4, "\1\0\0\0", 18);
	for (int i = 0; i < KEEL_MANIFEST_MAX; i++) {
		char name[16];

		snprintf(name, sizeof(name), "dev%d", i);
		add_note(&im, i % 2 ? KEEL_NOTE_BLOCK : KEEL_NOTE_NET, name);
	}
	add_note(&im, KEEL_NOTE_TARGET, "x86_64");
	finish(&im, false);
	CHECK(parse(&im) == 0);
	CHECK(m.ndevices == KEEL_MANIFEST_MAX && !strcmp(m.target, "x86_64"));
	CHECK(!strcmp(m.devices[15].name, "dev15"));
	CHECK(!m.hostnet);

	/* Host sockets: not a device, in either kind of file. */
	for (int sections = 1; sections >= 0; sections--) {
		memset(&im, 0, sizeof(im));
		add_note(&im, KEEL_NOTE_NET, "service");
		add_note(&im, KEEL_NOTE_HOSTNET, "sockets");
		add_note(&im, KEEL_NOTE_TARGET, "linux");
		finish(&im, sections);
		CHECK(parse(&im) == 0);
		CHECK(m.hostnet && m.ndevices == 1 && !strcmp(m.devices[0].name, "service"));
	}
	CHECK(!strcmp(elfnote_kind_name(KEEL_NOTE_HOSTNET), "hostnet"));
}

static void test_refused(void)
{
	struct image im;
	char desc[KEEL_NOTE_DESC_SIZE];

	/* Not ELF, wrong flavour of ELF. */
	valid(&im, true);
	im.b[0] = 0x7e;
	REFUSED(&im, "not an ELF file");
	valid(&im, true);
	im.size = 3;
	REFUSED(&im, "not an ELF file");
	valid(&im, true);
	im.size = 40;
	REFUSED(&im, "truncated ELF header");
	valid(&im, true);
	im.b[EI_CLASS] = ELFCLASS32;
	REFUSED(&im, "not a 64-bit ELF file");
	valid(&im, true);
	im.b[EI_DATA] = ELFDATA2MSB;
	REFUSED(&im, "not a little-endian");
	valid(&im, true);
	im.b[EI_VERSION] = 2;
	REFUSED(&im, "unsupported ELF version");
	valid(&im, true);
	put(im.b + 0x10, ET_DYN, 2);
	REFUSED(&im, "not an ELF executable");

	/* Section table damage. */
	valid(&im, true);
	im.size -= 10;
	REFUSED(&im, "section header table lies past the end");
	valid(&im, true);
	put(im.b + 0x28, (uint64_t)-64, 8);
	REFUSED(&im, "section header table lies past the end");
	valid(&im, true);
	put(im.b + 0x3a, 40, 2);
	REFUSED(&im, "section headers of 40 bytes");
	valid(&im, true);
	put(im.b + 0x3e, 7, 2);
	REFUSED(&im, "no valid section name table");
	valid(&im, true);
	put(im.b + 0x3c, 0xffff, 2);
	REFUSED(&im, "past the end");
	valid(&im, true);
	put(im.b + (im.size - 192) + 64, 999, 4); /* .note.keel's name */
	REFUSED(&im, "section name lies outside");
	valid(&im, true);
	put(im.b + (im.size - 192) + 64, 1, 4); /* .note.keel now named .shstrtab */
	REFUSED(&im, "no .note.keel section");
	valid(&im, true);
	put(im.b + (im.size - 192) + 64 + 4, SHT_PROGBITS, 4);
	REFUSED(&im, "is not a note section");
	valid(&im, true);
	put(im.b + (im.size - 192) + 64 + 0x20, 4000, 8);
	REFUSED(&im, ".note.keel lies past the end");
	valid(&im, true);
	put(im.b + (im.size - 192) + 128 + 4, SHT_PROGBITS, 4);
	REFUSED(&im, "not a string table");
	valid(&im, true);
	put(im.b + (im.size - 192) + 128, 11, 4); /* both sections now named .note.keel */
	put(im.b + (im.size - 192) + 128 + 4, SHT_STRTAB, 4);
	REFUSED(&im, "more than one .note.keel");

	/* Without sections: program headers. */
	valid(&im, false);
	put(im.b + 0x36, 32, 2);
	REFUSED(&im, "program headers of 32 bytes");
	valid(&im, false);
	put(im.b + PHDR_AT + 0x20, 4000, 8);
	REFUSED(&im, "note segment lies past the end");
	valid(&im, false);
	put(im.b + 0x20, 0, 8);
	REFUSED(&im, "no section table and no program headers");
	memset(&im, 0, sizeof(im));
	add_raw_note(&im, 4, "GNU", 4, "abcd", 3);
	finish(&im, false);
	REFUSED(&im, "no Keel notes");

	/* Note damage. */
	memset(&im, 0, sizeof(im));
	add_note(&im, KEEL_NOTE_TARGET, "linux");
	im.notes_len += 8; /* a stray 8 bytes: not even a note header */
	finish(&im, true);
	REFUSED(&im, "note header is cut short");
	memset(&im, 0, sizeof(im));
	add_note(&im, KEEL_NOTE_TARGET, "linux");
	put(im.b + NOTES_AT + 4, 4096, 4);
	finish(&im, true);
	REFUSED(&im, "runs past the end");
	memset(&im, 0, sizeof(im));
	add_note(&im, KEEL_NOTE_TARGET, "linux");
	put(im.b + NOTES_AT, 0xfffffff0u, 4);
	finish(&im, true);
	REFUSED(&im, "runs past the end");
	memset(&im, 0, sizeof(im));
	add_raw_note(&im, 5, "Keel", 16, "linux\0\0\0\0\0\0\0\0\0\0", KEEL_NOTE_TARGET);
	finish(&im, true);
	REFUSED(&im, "16-byte descriptor");
	memset(&im, 0, sizeof(im));
	add_raw_note(&im, 4, "GNU", 4, "abcd", 3);
	add_note(&im, KEEL_NOTE_TARGET, "linux");
	finish(&im, true);
	REFUSED(&im, "not Keel's");
	memset(&im, 0, sizeof(im));
	add_note(&im, 9, "linux");
	finish(&im, true);
	REFUSED(&im, "unknown type 9");
	memset(&im, 0, sizeof(im));
	add_note(&im, KEEL_NOTE_HOSTNET, "sockets");
	add_note(&im, KEEL_NOTE_HOSTNET, "sockets");
	add_note(&im, KEEL_NOTE_TARGET, "linux");
	finish(&im, true);
	REFUSED(&im, "more than one hostnet note");
	memset(&im, 0, sizeof(im));
	add_note(&im, KEEL_NOTE_HOSTNET, "raw");
	add_note(&im, KEEL_NOTE_TARGET, "linux");
	finish(&im, true);
	REFUSED(&im, "asks for 'raw', not 'sockets'");

	/* Names. */
	static const char *const bad_names[] = {
		"", "Service", "9lives", "_x", "a-b", "a b", "abcdefghijklmnopqrstuvwxyz012345"
	};
	for (size_t i = 0; i < sizeof(bad_names) / sizeof(bad_names[0]); i++) {
		memset(&im, 0, sizeof(im));
		memset(desc, 0, sizeof(desc));
		memcpy(desc, bad_names[i],
		       strlen(bad_names[i]) < sizeof(desc) ? strlen(bad_names[i]) : sizeof(desc));
		add_raw_note(&im, 5, "Keel", KEEL_NOTE_DESC_SIZE, desc, KEEL_NOTE_NET);
		add_note(&im, KEEL_NOTE_TARGET, "linux");
		finish(&im, true);
		REFUSED(&im, "invalid name");
	}
	memset(&im, 0, sizeof(im));
	memset(desc, 0, sizeof(desc));
	memcpy(desc, "ok\0junk", 7); /* bytes after the NUL must be zero */
	add_raw_note(&im, 5, "Keel", KEEL_NOTE_DESC_SIZE, desc, KEEL_NOTE_NET);
	add_note(&im, KEEL_NOTE_TARGET, "linux");
	finish(&im, true);
	REFUSED(&im, "invalid name");

	/* Manifest rules. */
	memset(&im, 0, sizeof(im));
	add_note(&im, KEEL_NOTE_NET, "service");
	finish(&im, true);
	REFUSED(&im, "no target note");
	memset(&im, 0, sizeof(im));
	add_note(&im, KEEL_NOTE_TARGET, "linux");
	add_note(&im, KEEL_NOTE_TARGET, "linux");
	finish(&im, true);
	REFUSED(&im, "more than one target note");
	memset(&im, 0, sizeof(im));
	add_note(&im, KEEL_NOTE_NET, "twin");
	add_note(&im, KEEL_NOTE_BLOCK, "twin");
	add_note(&im, KEEL_NOTE_TARGET, "linux");
	finish(&im, true);
	REFUSED(&im, "device 'twin' is declared twice");
	memset(&im, 0, sizeof(im));
	for (int i = 0; i <= KEEL_MANIFEST_MAX; i++) {
		char name[16];

		snprintf(name, sizeof(name), "d%d", i);
		add_note(&im, KEEL_NOTE_BLOCK, name);
	}
	add_note(&im, KEEL_NOTE_TARGET, "linux");
	finish(&im, true);
	REFUSED(&im, "more than 16 devices");
}

/* Every truncation and many random corruptions: refused or accepted, but
 * never read out of bounds, and an accepted manifest is well-formed. */
static void test_mutations(void)
{
	struct image base, im;
	uint64_t seed = 0x9e3779b97f4a7c15u;
	unsigned accepted = 0;

	for (int sections = 0; sections < 2; sections++) {
		valid(&base, sections);
		for (size_t len = 0; len < base.size; len++) {
			unsigned char *copy = malloc(len ? len : 1);

			memcpy(copy, base.b, len);
			if (elfnote_parse(copy, len, &m, err, sizeof(err)) == 0)
				accepted++;
			free(copy);
		}
	}
	for (int round = 0; round < 200000; round++) {
		unsigned char *copy;
		int flips;

		valid(&base, round % 2);
		im = base;
		seed ^= seed << 13;
		seed ^= seed >> 7;
		seed ^= seed << 17;
		flips = 1 + (int)(seed % 4);
		for (int f = 0; f < flips; f++) {
			seed ^= seed << 13;
			seed ^= seed >> 7;
			seed ^= seed << 17;
			im.b[(seed >> 8) % im.size] ^= (unsigned char)(1u << (seed % 8));
		}
		/* An exact-size heap copy, so ASan sees any read past the end. */
		copy = malloc(im.size);
		memcpy(copy, im.b, im.size);
		if (elfnote_parse(copy, im.size, &m, err, sizeof(err)) == 0) {
			accepted++;
			CHECK(m.ndevices <= KEEL_MANIFEST_MAX);
			CHECK(memchr(m.target, 0, sizeof(m.target)) && m.target[0]);
			for (size_t i = 0; i < m.ndevices; i++)
				CHECK(m.devices[i].name[0] >= 'a' && m.devices[i].name[0] <= 'z');
		} else {
			CHECK(err[0] != '\0' && !strchr(err, '\n'));
		}
		free(copy);
	}
	printf("elfnote: %u of the mutated files still parse\n", accepted);
}

static void test_files(void)
{
	char path[] = "/tmp/elfnote_test_XXXXXX";
	struct image im;
	int fd = mkstemp(path);

	CHECK(fd >= 0);
	valid(&im, true);
	CHECK(write(fd, im.b, im.size) == (ssize_t)im.size);
	close(fd);
	CHECK(elfnote_read(path, &m, err, sizeof(err)) == 0 && m.ndevices == 2);
	unlink(path);
	CHECK(elfnote_read(path, &m, err, sizeof(err)) == -1);
	CHECK(strstr(err, "cannot open") != NULL);
	CHECK(elfnote_read("/", &m, err, sizeof(err)) == -1);
	CHECK(strstr(err, "not a regular file") != NULL);
	CHECK(elfnote_read("/dev/null", &m, err, sizeof(err)) == -1);
	/* A message is cut to the buffer, never overrun. */
	CHECK(elfnote_read(path, &m, err, 5) == -1 && strlen(err) == 4);
}

int main(void)
{
	test_valid();
	test_refused();
	test_mutations();
	test_files();
	if (failures) {
		printf("elfnote: FAIL (%d checks)\n", failures);
		return 1;
	}
	printf("elfnote: ok\n");
	return 0;
}
