/*
 * ring_test.c — platform/xen/ring.c on the host (ASan+UBSan): when
 * publishing requests asks for a notification (the backend's req_event
 * crossed, or not, counters wrapping at 2^32), responses counted
 * against the requests made (more than that stops the device with one
 * line, said once), the final check asking for an event at the next
 * response and seeing one that came meanwhile, and handles looked up
 * by kind.
 */
#include "../../platform/xen/ring.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"

struct device devices[KEEL_MANIFEST_MAX];
unsigned devices_count;
static char console[512];

void print_str(const char *s)
{
	size_t n = strlen(console);

	snprintf(console + n, sizeof(console) - n, "%s", s);
}

static struct ring_header ring;

/* Publishes requests up to prod with the backend's req_event at ev,
 * the previous producer at old. */
static bool push_with(uint32_t old, uint32_t ev, uint32_t prod)
{
	ring.req_prod = old;
	ring.req_event = ev;
	return ring_push(&ring, prod);
}

int main(void)
{
	struct xenbus_front x = { .kind = "net", .name = "service" };
	uint32_t avail = 99;
	int net_driver, blk_driver;

	/* A fresh ring asks for events at the first entries. */
	memset(&ring, 0, sizeof(ring));
	ring_init(&ring);
	CHECK(ring.req_event == 1 && ring.rsp_event == 1 && ring.req_prod == 0);

	/* Notify exactly when req_event lies in (old, prod]. */
	CHECK(push_with(0, 1, 1) && ring.req_prod == 1);
	CHECK(push_with(0, 1, 5));
	CHECK(push_with(0, 5, 5));
	CHECK(!push_with(0, 6, 5));
	CHECK(!push_with(5, 5, 9)); /* asked for at 5, told already */
	CHECK(!push_with(5, 5, 5)); /* nothing new published */
	CHECK(push_with(5, 6, 9));
	/* Across the wrap of the 32-bit counters. */
	CHECK(push_with(0xfffffffe, 0xffffffff, 2));
	CHECK(push_with(0xfffffffe, 1, 2));
	CHECK(push_with(0xfffffffe, 2, 2));
	CHECK(!push_with(0xfffffffe, 3, 2));
	CHECK(!push_with(0xfffffffe, 0xfffffffe, 2));
	CHECK(ring.req_prod == 2);

	/* Responses: at most the requests outstanding, wrapping too. */
	ring.rsp_prod = 7;
	CHECK(ring_responses(&x, &ring, 4, 10, &avail) == KEEL_OK && avail == 3);
	ring.rsp_prod = 10;
	CHECK(ring_responses(&x, &ring, 4, 10, &avail) == KEEL_OK && avail == 6);
	ring.rsp_prod = 3;
	CHECK(ring_responses(&x, &ring, 0xfffffffe, 5, &avail) == KEEL_OK && avail == 5);
	CHECK(!x.broken && console[0] == '\0');

	/* None waiting: the final check asks for the next one. */
	ring.rsp_prod = 4;
	ring.rsp_event = 0;
	CHECK(ring_final_check(&x, &ring, 4, 10, &avail) == KEEL_OK && avail == 0);
	CHECK(ring.rsp_event == 5);
	/* Some waiting: no event asked for, they are taken first. */
	ring.rsp_prod = 6;
	ring.rsp_event = 0;
	CHECK(ring_final_check(&x, &ring, 4, 10, &avail) == KEEL_OK && avail == 2);
	CHECK(ring.rsp_event == 0);

	/* More responses than requests: the device stops, said once. */
	ring.rsp_prod = 11;
	CHECK(ring_responses(&x, &ring, 4, 10, &avail) == KEEL_EIO && avail == 0);
	CHECK(x.broken);
	CHECK(strcmp(console, "keel: net device 'service': its backend published more responses "
	                      "than there were requests; the device is stopped\n") == 0);
	ring.rsp_prod = 3; /* behind our consumer: as many too many */
	CHECK(ring_final_check(&x, &ring, 4, 10, &avail) == KEEL_EIO && avail == 0);
	CHECK(ring_broken(&x, "did something else") == KEEL_EIO);
	CHECK(strstr(console, "something else") == NULL);

	/* Handles to drivers, by kind; none past the devices there are. */
	devices_count = 2;
	devices[0].kind = KEEL_NOTE_NET;
	devices[0].driver = &net_driver;
	devices[1].kind = KEEL_NOTE_BLOCK;
	devices[1].driver = &blk_driver;
	CHECK(ring_driver(0, KEEL_NOTE_NET) == &net_driver);
	CHECK(ring_driver(1, KEEL_NOTE_BLOCK) == &blk_driver);
	CHECK(ring_driver(0, KEEL_NOTE_BLOCK) == NULL);
	CHECK(ring_driver(1, KEEL_NOTE_NET) == NULL);
	CHECK(ring_driver(2, KEEL_NOTE_NET) == NULL);
	CHECK(ring_driver(1000, KEEL_NOTE_BLOCK) == NULL);
	printf("ring: ok\n");
	return 0;
}
