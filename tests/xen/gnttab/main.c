/*
 * gnttab — platform/xen's grant tables, exercised by Xen itself: a page
 * granted to our own domain (the initial domain, 0) is copied by Xen
 * through the grant (GNTTABOP_copy with the grant reference as source),
 * and must arrive intact; once the grant is ended, the same copy must be
 * refused. Then the bounds: bad references, a bad domain, exhaustion.
 * Prints "gnttab: ok" when all holds, else what failed (status 1).
 * White-box: it includes the platform's private header.
 */
#include <stdio.h>
#include <string.h>

#include "../../../platform/xen/xen_impl.h"

#define GNTTABOP_COPY 5
#define GNTCOPY_SOURCE_GREF 1u

struct gnttab_copy_ptr {
	uint64_t u; /* a grant reference, or a frame */
	uint16_t domid;
	uint16_t offset;
	uint32_t pad;
};

struct gnttab_copy {
	struct gnttab_copy_ptr source, dest;
	uint16_t len;
	uint16_t flags;
	int16_t status;
	uint16_t pad;
};

static unsigned char src[4096] __attribute__((aligned(4096)));
static unsigned char dst[4096] __attribute__((aligned(4096)));

static int copy_from_grant(uint32_t ref)
{
	struct gnttab_copy op = {
		.source = { .u = ref, .domid = 0 },
		.dest = { .u = (uint64_t)(uintptr_t)dst / 4096, .domid = DOMID_SELF },
		.len = sizeof(dst),
		.flags = GNTCOPY_SOURCE_GREF,
	};
	long rc = gnttab_op(GNTTABOP_COPY, &op, 1);

	return rc < 0 ? (int)rc : op.status;
}

#define EXPECT(cond)                                                                        \
	do {                                                                                \
		if (!(cond)) {                                                              \
			printf("gnttab: failed: %s (line %d)\n", #cond, __LINE__);          \
			return 1;                                                           \
		}                                                                           \
	} while (0)

int main(void)
{
	static uint32_t refs[GNTTAB_ENTRIES];
	uint32_t ref;
	unsigned n = 0;
	int st;

	for (unsigned i = 0; i < sizeof(src); i++)
		src[i] = (unsigned char)(i * 7 + 3);
	EXPECT(gnttab_grant(0, (uintptr_t)src / 4096, true, &ref) == KEEL_OK);
	st = copy_from_grant(ref);
	printf("gnttab: copy through grant %u: status %d\n", ref, st);
	EXPECT(st == 0);
	EXPECT(memcmp(src, dst, sizeof(dst)) == 0);
	EXPECT(gnttab_end(ref) == KEEL_OK);
	memset(dst, 0, sizeof(dst));
	st = copy_from_grant(ref);
	printf("gnttab: copy through the ended grant: status %d\n", st);
	EXPECT(st != 0);
	EXPECT(dst[1] == 0);

	EXPECT(gnttab_end(ref) == KEEL_EINVAL);
	EXPECT(gnttab_end(3) == KEEL_EINVAL);
	EXPECT(gnttab_end(1u << 20) == KEEL_EINVAL);
	EXPECT(gnttab_grant(DOMID_SELF, 1, true, &ref) == KEEL_EINVAL);
	EXPECT(gnttab_grant(0, 1ull << 40, true, &ref) == KEEL_EINVAL);
	while (gnttab_grant(0, (uintptr_t)src / 4096, true, &refs[n]) == KEEL_OK)
		n++;
	printf("gnttab: %u grants before the table was full\n", n);
	EXPECT(n > 0 && n < GNTTAB_ENTRIES);
	while (n > 0)
		EXPECT(gnttab_end(refs[--n]) == KEEL_OK);
	printf("gnttab: ok\n");
	return 0;
}
