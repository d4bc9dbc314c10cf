/*
 * Crash consistency of the store's log. A workload of commits runs on the
 * recording device; then, for a crash just before every write and flush
 * it made — with the writes since the last flush kept in order, kept as
 * a random subset, and with the interrupted sector torn at several
 * points — the store must open, verify, hold every commit acknowledged
 * before the crash (and at most the one in flight besides), and go on
 * taking commits that survive a reopen. The workload writes an index
 * segment at every checkpoint and compacts the store in place halfway,
 * so crashes inside segments, both copies of the compaction and at each
 * superblock switch are among those checked.
 *
 *   crash.test [SEED [COMMITS]]
 */
#include <stdlib.h>
#include <string.h>

#include <keel/store.h>

#include "check.h"
#include "simdev.h"

const char test_name[] = "store crash";

#define CAP (512 * 1024)
#define MAX_COMMITS 400

struct state {
	struct keel_store_id main, side;
};

static struct state states[MAX_COMMITS + 1]; /* after k acknowledged commits */
static size_t acked_at[MAX_COMMITS + 1];     /* events recorded when k was acked */
static int n_acked;
static size_t from_segments; /* crash images opened from index segments */

static void person(struct keel_store_person *p, int64_t t)
{
	p->name = "Crash Test";
	p->name_len = 10;
	p->email = "crash@example.org";
	p->email_len = 17;
	p->time = t;
	p->tz_minutes = 0;
}

/* One commit on `branch` whose tree holds one blob of random size. */
static int commit_one(struct keel_store *st, const char *branch, int i, struct keel_store_id *out)
{
	static uint8_t data[6000];
	size_t len = (size_t)(test_rand() % sizeof(data));
	struct keel_store_entry e = { KEEL_STORE_MODE_FILE, "f", 1, { { 0 } } };
	struct keel_store_commit c = { 0 };
	struct keel_store_id old;
	uint8_t *enc;
	size_t elen;
	char msg[32];
	int err;

	for (size_t k = 0; k < len; k++)
		data[k] = (uint8_t)test_rand();
	CHECK_OK(keel_store_put(st, KEEL_STORE_BLOB, data, len, &e.id));
	CHECK_OK(keel_store_tree_encode(&e, 1, &enc, &elen));
	CHECK_OK(keel_store_put(st, KEEL_STORE_TREE, enc, elen, &c.tree));
	free(enc);
	(void)keel_store_ref_get(st, branch, &old);
	if (!keel_store_id_is_zero(&old))
		c.parents[c.n_parents++] = old;
	person(&c.author, 1000 + i);
	person(&c.committer, 1000 + i);
	c.message = msg;
	c.message_len = (size_t)snprintf(msg, sizeof(msg), "commit %d\n", i);
	CHECK_OK(keel_store_commit_encode(&c, &enc, &elen));
	CHECK_OK(keel_store_put(st, KEEL_STORE_COMMIT, enc, elen, out));
	free(enc);
	err = keel_store_ref_cas(st, branch, &old, out);
	return err;
}

static void check_image(const uint8_t *img, size_t cut, const char *how)
{
	struct simdev d;
	struct keel_store *st;
	struct keel_store_id m, s, id;
	int k = 0, err;

	while (k < n_acked && acked_at[k + 1] <= cut)
		k++;
	CHECK(simdev_init(&d, CAP, img, NULL) == 0);
	err = keel_store_open(&d.blk, NULL, &st);
	if (err != KEEL_OK)
		printf("cut %zu (%s): open returned %d\n", cut, how, err);
	CHECK(err == KEEL_OK);
	{
		struct keel_store_stats ss;

		keel_store_stats(st, &ss);
		from_segments += ss.segments > 0;
	}
	(void)keel_store_ref_get(st, "main", &m);
	(void)keel_store_ref_get(st, "side", &s);
	bool now = keel_store_id_eq(&m, &states[k].main) && keel_store_id_eq(&s, &states[k].side);
	bool next = k < n_acked && keel_store_id_eq(&m, &states[k + 1].main) &&
	            keel_store_id_eq(&s, &states[k + 1].side);
	if (!now && !next)
		printf("cut %zu (%s): state is neither commit %d nor %d\n", cut, how, k, k + 1);
	CHECK(now || next);
	CHECK_OK(keel_store_verify(st));
	/* The store goes on from here, and what it writes survives. */
	CHECK_OK(commit_one(st, "main", 9999, &id));
	keel_store_close(st);
	CHECK_OK(keel_store_open(&d.blk, NULL, &st));
	CHECK_OK(keel_store_ref_get(st, "main", &m));
	CHECK(keel_store_id_eq(&m, &id));
	CHECK_OK(keel_store_verify(st));
	keel_store_close(st);
	simdev_free(&d);
}

int main(int argc, char **argv)
{
	unsigned long long seed = argc > 1 ? strtoull(argv[1], NULL, 0) : 1;
	int commits = argc > 2 ? atoi(argv[2]) : 40;
	struct keel_store_config cfg = { .checkpoint_every = 4, .index_every = 8 };
	struct simdev d;
	struct keel_store *st;
	uint8_t *img;
	size_t n, images = 0, compact_events = 0;

	CHECK(commits > 0 && commits <= MAX_COMMITS);
	test_seed(seed);
	CHECK(simdev_init(&d, CAP, NULL, NULL) == 0);
	CHECK_OK(keel_store_format(&d.blk));
	simdev_record(&d);
	CHECK_OK(keel_store_open(&d.blk, &cfg, &st));
	for (int i = 0; i < commits; i++) {
		struct keel_store_id id;
		const char *b = i % 5 == 3 ? "side" : "main";

		CHECK_OK(commit_one(st, b, i, &id));
		n_acked++;
		states[n_acked] = states[n_acked - 1];
		if (b[0] == 'm')
			states[n_acked].main = id;
		else
			states[n_acked].side = id;
		acked_at[n_acked] = simdev_events(&d);
		if (i == commits / 2) {
			/* Compaction in place: every write of both copies and of
			 * the superblock switches is a crash point too. */
			size_t from = simdev_events(&d);

			long r = keel_store_compact_in_place(st);

			if (r <= 0)
				printf("compact in place at %d: %ld\n", i, r);
			CHECK(r > 0);
			compact_events += simdev_events(&d) - from;
		}
		if (i % 17 == 16) {
			/* Reopen mid-run: checkpoints, and a tail sector reread. */
			keel_store_close(st);
			CHECK_OK(keel_store_open(&d.blk, &cfg, &st));
		}
	}
	keel_store_close(st);
	n = simdev_events(&d);
	img = malloc(CAP);
	CHECK(img);
	for (size_t cut = 0; cut <= n; cut++) {
		static const size_t torn[] = { 0, 100, 511 };

		for (size_t t = 0; t < sizeof(torn) / sizeof(torn[0]); t++) {
			simdev_crash_image(&d, cut, false, 0, torn[t], img);
			check_image(img, cut, "in order");
			images++;
		}
		for (uint64_t r = 1; r <= 2; r++) {
			simdev_crash_image(&d, cut, true, seed * 1000 + cut * 10 + r, 200, img);
			check_image(img, cut, "random subset");
			images++;
		}
	}
	free(img);
	simdev_free(&d);
	printf("%d commits, %zu events (%zu in a compaction in place), %zu crash images checked "
	       "(%zu opened from index segments)\n",
	       commits, n, compact_events, images, from_segments);
	CHECK(from_segments > images / 4);
	printf("PASS %s\n", test_name);
	return 0;
}
