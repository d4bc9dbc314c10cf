/*
 * manifest.c — the image's manifest: the target note this platform adds to
 * every image, and reading the device notes back from memory at start.
 *
 * The launcher validated the notes in the file, but the image checks them
 * again: it may have been started by hand, and what it finds here decides
 * which file descriptors the seccomp filter opens up.
 */
#include "platform_impl.h"

/* "This image is for linux". entry.c calls linux_manifest_load() below, so
 * this object file — and with it the note — is in every image. */
KEEL__NOTE(target, KEEL_NOTE_TARGET, linux);

#define NOTE_NAMESZ 5 /* "Keel" and its NUL */

struct linux_device linux_devices[KEEL_MANIFEST_MAX];
unsigned linux_ndevices;
bool linux_hostnet;

/* Names: 1..31 of [a-z0-9_], starting with a letter, NUL-padded to the end
 * of the descriptor. Returns false for anything else. */
static bool valid_name(const char desc[KEEL_NOTE_DESC_SIZE])
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

static bool owner_is_keel(const char *name)
{
	static const char owner[NOTE_NAMESZ] = KEEL_NOTE_OWNER;

	for (unsigned i = 0; i < NOTE_NAMESZ; i++) {
		if (name[i] != owner[i])
			return false;
	}
	return true;
}

static void add_device(const struct keel_note *note)
{
	char num[LINUX_NUM_BUF];
	struct linux_device *dev;

	for (unsigned i = 0; i < linux_ndevices; i++) {
		if (linux_streq(linux_devices[i].name, note->desc))
			linux_fail("the manifest declares device '", note->desc, "' twice", NULL);
	}
	if (linux_ndevices == KEEL_MANIFEST_MAX)
		linux_fail("the manifest declares more than ", linux_num(num, KEEL_MANIFEST_MAX),
		           " devices", NULL);
	dev = &linux_devices[linux_ndevices];
	dev->kind = (enum linux_device_kind)note->type;
	dev->fd = LINUX_FIRST_DEVICE_FD + (int)linux_ndevices;
	for (unsigned i = 0; i < KEEL_NOTE_DESC_SIZE; i++)
		dev->name[i] = note->desc[i];
	linux_ndevices++;
}

/*
 * Every note in .note.keel is a struct keel_note: the section holds only
 * Keel's notes and each is 4-aligned with no padding, so the section is an
 * array of them. Anything else means the image was damaged or built wrong.
 */
void linux_manifest_load(void)
{
	const struct keel_note *note = __keel_manifest_start;
	const struct keel_note *end = __keel_manifest_end;
	size_t bytes = (size_t)((const char *)end - (const char *)note);
	unsigned targets = 0;

	if (bytes % sizeof(*note))
		linux_fail("the manifest (.note.keel) is malformed: its size is not a whole "
		           "number of notes",
		           NULL);
	for (; note < end; note++) {
		if (note->namesz != NOTE_NAMESZ || note->descsz != KEEL_NOTE_DESC_SIZE ||
		    !owner_is_keel(note->name))
			linux_fail("the manifest (.note.keel) holds a note that is not Keel's",
			           NULL);
		if (!valid_name(note->desc))
			linux_fail("the manifest (.note.keel) holds an invalid name", NULL);
		switch (note->type) {
		case KEEL_NOTE_TARGET:
			if (!linux_streq(note->desc, "linux"))
				linux_fail("this image was built for target '", note->desc,
				           "', not linux", NULL);
			targets++;
			break;
		case KEEL_NOTE_NET:
		case KEEL_NOTE_BLOCK:
			add_device(note);
			break;
		case KEEL_NOTE_HOSTNET:
			if (!linux_streq(note->desc, "sockets"))
				linux_fail(
				    "the manifest asks for host networking of unknown kind '",
				    note->desc, "'", NULL);
			if (linux_hostnet)
				linux_fail("the manifest asks for host sockets twice", NULL);
			linux_hostnet = true;
			break;
		default:
			linux_fail("the manifest (.note.keel) holds a note of unknown type", NULL);
		}
	}
	if (targets != 1)
		linux_fail("the manifest (.note.keel) must name its target exactly once", NULL);
}

const char *kp_target(void)
{
	return "linux";
}
