/*
 * manifest.c — the image's manifest: the target note the platform adds to
 * every image, and checking the notes in memory before main.
 *
 * The launcher (tools/qemu-run.sh, tools/qemu-run-aarch64.sh) checks the
 * file, but the image checks again: it may have been started by hand.
 * The declared devices are recorded in devices[], in note order (device
 * i is handle i); platform/virtio/devices.c matches them to hardware
 * once memory and interrupts are up.
 */
#include "platform_impl.h"

/* The target's name as a word (for the note) and as a string; each
 * through a second macro so that PLATFORM_TARGET is expanded first. */
#define TARGET_NOTE(name) KEEL__NOTE(target, KEEL_NOTE_TARGET, name)
#define STRING(name) STRING_(name)
#define STRING_(name) #name
#define TARGET_NAME STRING(PLATFORM_TARGET)

/* "This image is for PLATFORM_TARGET". start.c calls manifest_check(),
 * so this object file, and with it the note, is in every image. */
TARGET_NOTE(PLATFORM_TARGET);

static void add_device(const struct keel_note *note)
{
	struct device *dev;
	char num[PLATFORM_NUM_BUF];

	for (unsigned i = 0; i < devices_count; i++) {
		if (platform_streq(devices[i].name, note->desc))
			platform_fail("the manifest declares device '", note->desc, "' twice", NULL);
	}
	if (devices_count == KEEL_MANIFEST_MAX)
		platform_fail("the manifest declares more than ", platform_num(num, KEEL_MANIFEST_MAX),
		         " devices", NULL);
	dev = &devices[devices_count++];
	for (unsigned i = 0; i < KEEL_NOTE_DESC_SIZE; i++)
		dev->name[i] = note->desc[i];
	dev->kind = note->type;
}

int devices_find(const char *name, uint32_t kind)
{
	for (unsigned i = 0; i < devices_count; i++) {
		if (devices[i].kind == kind && devices[i].driver &&
		    platform_streq(devices[i].name, name))
			return (int)i;
	}
	return -1;
}

void manifest_check(void)
{
	const struct keel_note *note = __keel_manifest_start;
	const struct keel_note *end = __keel_manifest_end;
	size_t bytes = (size_t)((const char *)end - (const char *)note);
	unsigned targets = 0;

	if (bytes % sizeof(*note))
		platform_fail("the manifest (.note.keel) is malformed: its size is not a whole number "
		         "of notes",
		         NULL);
	for (; note < end; note++) {
		if (!keel_note_is_keels(note))
			platform_fail("the manifest (.note.keel) holds a note that is not Keel's", NULL);
		if (!keel_note_name_valid(note->desc))
			platform_fail("the manifest (.note.keel) holds an invalid name", NULL);
		switch (note->type) {
		case KEEL_NOTE_TARGET:
			if (!platform_streq(note->desc, TARGET_NAME))
				platform_fail("this image was built for target '", note->desc,
				              "', not " TARGET_NAME, NULL);
			targets++;
			break;
		case KEEL_NOTE_NET:
		case KEEL_NOTE_BLOCK:
			add_device(note);
			break;
		default:
			platform_fail("the manifest (.note.keel) holds a note of unknown type", NULL);
		}
	}
	if (targets != 1)
		platform_fail("the manifest (.note.keel) must name its target exactly once", NULL);
}
