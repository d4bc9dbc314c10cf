/*
 * elfnote.h — reading the device manifest of a Keel image from its ELF file
 * (host side; used by keel-launch and keel-inspect).
 *
 * The reader is bounded and validating: it reads at most ELFNOTE_FILE_MAX
 * bytes, checks every offset and size against the file before using it,
 * and accepts the notes only if they follow keel/manifest.h exactly. The
 * notes are found through the section table (section `.note.keel`) or,
 * when a file has no section table, through its PT_NOTE segments.
 */
#ifndef KEEL_TOOLS_ELFNOTE_H
#define KEEL_TOOLS_ELFNOTE_H

#include <stddef.h>

#include <keel/manifest.h>

/* Larger files are refused (images are far smaller, even unstripped). */
#define ELFNOTE_FILE_MAX ((size_t)256 << 20)

struct elfnote_device {
	int kind;                       /* KEEL_NOTE_NET or KEEL_NOTE_BLOCK */
	char name[KEEL_NOTE_DESC_SIZE]; /* NUL-terminated, [a-z0-9_] */
};

struct elfnote_manifest {
	unsigned machine;                 /* e_machine: 62 = x86_64, 183 = aarch64 */
	char target[KEEL_NOTE_DESC_SIZE]; /* the KEEL_NOTE_TARGET note: "linux"... */
	size_t ndevices;                  /* device i is handle i */
	struct elfnote_device devices[KEEL_MANIFEST_MAX];
	/* A KEEL_NOTE_HOSTNET note asks for the host's sockets (kind
	 * "hostnet", desc "sockets"): not a device, nothing to attach. */
	int hostnet;
};

/*
 * Reads the manifest of the image at `path` into *out. Returns 0 on
 * success; -1 when the file cannot be read or is not a valid Keel image,
 * with a one-line reason (no trailing newline, not naming the file) in
 * err[0..errlen).
 */
int elfnote_read(const char *path, struct elfnote_manifest *out, char *err, size_t errlen);

/* The same for an image already in memory (tests and fuzzers use it). */
int elfnote_parse(const void *file, size_t size, struct elfnote_manifest *out, char *err,
                  size_t errlen);

/* "net", "block", "hostnet" (or "unknown"). */
const char *elfnote_kind_name(int kind);

/* A name for an e_machine value: "x86_64", "aarch64", or "unknown". */
const char *elfnote_machine_name(unsigned machine);

#endif
