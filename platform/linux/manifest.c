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

struct linux_device linux_devices[KEEL_MANIFEST_MAX];
unsigned linux_ndevices;
bool linux_hostnet;

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
		if (!keel_note_is_keels(note))
			linux_fail("the manifest (.note.keel) holds a note that is not Keel's",
			           NULL);
		if (!keel_note_name_valid(note->desc))
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
