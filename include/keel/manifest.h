/*
 * keel/manifest.h — the device manifest an image carries.
 *
 * An application names the devices it needs with KEEL_NET_DEVICE(name) and
 * KEEL_BLOCK_DEVICE(name) at file scope. Each becomes an ELF note (owner
 * "Keel") in the section `.note.keel`; the platform library adds one
 * KEEL_NOTE_TARGET note naming the target the image was built for. The
 * linker script keeps them between the symbols __keel_manifest_start and
 * __keel_manifest_end, in link order.
 *
 * The launcher (`keel run`) reads the notes from the file to know what to
 * attach; the platform reads them from memory to know what to expect, and
 * on `linux` to build its seccomp filter. Device i of the manifest (counting
 * net and block devices together, in note order) is handle i; on `linux`
 * it is passed as file descriptor 3 + i.
 *
 * Names: 1..31 characters of [a-z0-9_], starting with a letter; unique.
 *
 * Besides devices, a manifest may ask for one capability of the host: a
 * KEEL_NOTE_HOSTNET note (at most one) says the image uses the host
 * kernel's own sockets. lib/net-socket emits it, so only images linking
 * that stack carry it; on `linux` it makes the platform create its socket
 * readiness set at start and its seccomp filter allow the socket calls
 * (platform/linux/README.md). It is not a device: it takes no handle and
 * no file descriptor, and other targets refuse it.
 */
#ifndef KEEL_MANIFEST_H
#define KEEL_MANIFEST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define KEEL_NOTE_OWNER "Keel"
#define KEEL_NOTE_DESC_SIZE 32
#define KEEL_MANIFEST_MAX 16 /* devices in one image */

enum keel_note_type {
	KEEL_NOTE_TARGET = 1,  /* desc: the target name, NUL-terminated */
	KEEL_NOTE_NET = 2,     /* desc: the device name, NUL-terminated */
	KEEL_NOTE_BLOCK = 3,   /* desc: the device name, NUL-terminated */
	KEEL_NOTE_HOSTNET = 4, /* desc: "sockets" (the only kind so far) */
};

/* One note exactly as it sits in the ELF file (all fields 4-aligned). */
struct keel_note {
	uint32_t namesz; /* 5: "Keel" and its NUL */
	uint32_t descsz; /* KEEL_NOTE_DESC_SIZE */
	uint32_t type;   /* enum keel_note_type */
	char name[8];
	char desc[KEEL_NOTE_DESC_SIZE];
};

#define KEEL__NOTE(kind, type, id)                                              \
	__attribute__((section(".note.keel"), used, aligned(4)))                  \
	const struct keel_note keel__note_##kind##_##id = {                       \
		5, KEEL_NOTE_DESC_SIZE, (type), KEEL_NOTE_OWNER, #id}

/* Declares a net device named `id` (an identifier, e.g. service). */
#define KEEL_NET_DEVICE(id) KEEL__NOTE(net, KEEL_NOTE_NET, id)
/* Declares a block device named `id` (an identifier, e.g. storage). */
#define KEEL_BLOCK_DEVICE(id) KEEL__NOTE(block, KEEL_NOTE_BLOCK, id)
/* Asks for the host's sockets. Emitted by lib/net-socket, which needs it;
 * an application never writes it itself. */
#define KEEL_HOST_SOCKETS() KEEL__NOTE(hostnet, KEEL_NOTE_HOSTNET, sockets)

/* Bounds of the manifest in memory (set by each platform's linker script). */
extern const struct keel_note __keel_manifest_start[];
extern const struct keel_note __keel_manifest_end[];

/*
 * For whoever reads a manifest back (the platforms from memory, the
 * launcher from the file): true when the descriptor `desc` (exactly
 * KEEL_NOTE_DESC_SIZE bytes, all read) holds a name as above, 1..31
 * characters of [a-z0-9_] starting with a letter, with only NULs after
 * it. Not constant-time (a manifest holds nothing secret).
 */
static inline bool keel_note_name_valid(const char desc[KEEL_NOTE_DESC_SIZE])
{
	size_t len = 0;

	while (len < KEEL_NOTE_DESC_SIZE && desc[len])
		len++;
	if (len == 0 || len == KEEL_NOTE_DESC_SIZE || desc[0] < 'a' || desc[0] > 'z')
		return false;
	for (size_t i = 0; i < len; i++) {
		char c = desc[i];

		if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_'))
			return false;
	}
	for (size_t i = len; i < KEEL_NOTE_DESC_SIZE; i++) {
		if (desc[i])
			return false;
	}
	return true;
}

/* True when `note` has the sizes and the owner of a Keel note (namesz 5
 * for "Keel" and its NUL, descsz KEEL_NOTE_DESC_SIZE). */
static inline bool keel_note_is_keels(const struct keel_note *note)
{
	static const char owner[5] = KEEL_NOTE_OWNER;

	if (note->namesz != sizeof(owner) || note->descsz != KEEL_NOTE_DESC_SIZE)
		return false;
	for (size_t i = 0; i < sizeof(owner); i++) {
		if (note->name[i] != owner[i])
			return false;
	}
	return true;
}

#endif
