/*
 * Branches and paths: random set/remove/batches against a model, across
 * reopens; list; compare-and-set conflicts of batches; history of a
 * branch and of a path.
 */
#include <stdlib.h>
#include <string.h>

#include <keel/store.h>

#include "check.h"
#include "simdev.h"

const char test_name[] = "store kv";

#define CAP (4 * 1024 * 1024)
#define NPATHS 24

static const char *const paths[NPATHS] = {
	"a",
	"b",
	"c.txt",
	"d/e",
	"d/f",
	"d/g/h",
	"d/g/i",
	"d/g/j/k",
	"x/y/z",
	"x/y/w",
	"x/v",
	"a0",
	"a.b",
	"q/r",
	"q/s/t",
	"q/s/u",
	"m/n/o/p",
	"m/n/o/q",
	"m/r",
	"s",
	"t/u",
	"t/v",
	"long/path/with/many/levels/file",
	"long/other",
};

static char model[NPATHS][64]; /* "" = absent */

static const struct keel_store_info who = { "Model", "model@example.org", "step\n", 1700000000,
	                                    60 };

/* A path conflicts with another when one is a proper prefix directory of
 * the other; the model keeps them apart by never setting both. */
static bool blocked(size_t i)
{
	size_t li = strlen(paths[i]);

	for (size_t k = 0; k < NPATHS; k++) {
		size_t lk = strlen(paths[k]);

		if (k == i || !model[k][0])
			continue;
		if (lk > li && memcmp(paths[k], paths[i], li) == 0 && paths[k][li] == '/')
			return true;
		if (li > lk && memcmp(paths[i], paths[k], lk) == 0 && paths[i][lk] == '/')
			return true;
	}
	return false;
}

static void check_model(struct keel_store *st)
{
	for (size_t i = 0; i < NPATHS; i++) {
		uint8_t *d;
		size_t len;
		int err = keel_store_get(st, "main", paths[i], &d, &len);

		if (!model[i][0]) {
			CHECK(err == KEEL_ENOENT);
			continue;
		}
		CHECK_OK(err);
		CHECK(len == strlen(model[i]) && memcmp(d, model[i], len) == 0);
		free(d);
	}
}

static int count_cb(void *arg, const struct keel_store_id *id, const struct keel_store_commit *c)
{
	(*(int *)arg)++;
	return KEEL_OK;
}

static int list_cb(void *arg, const char *name, size_t nl, uint32_t mode,
                   const struct keel_store_id *id)
{
	char *out = arg;

	strncat(out, name, nl);
	strcat(out, mode == KEEL_STORE_MODE_DIR ? "/," : ",");
	return KEEL_OK;
}

static void random_model(struct simdev *d)
{
	struct keel_store *st;
	int commits = 0;

	CHECK_OK(keel_store_open(&d->blk, NULL, &st));
	for (int step = 0; step < 400; step++) {
		size_t i = (size_t)(test_rand() % NPATHS);
		int op = (int)(test_rand() % 10);

		if (op < 5 && !blocked(i)) {
			snprintf(model[i], sizeof(model[i]), "value %d of %s", step, paths[i]);
			CHECK_OK(keel_store_set(st, "main", paths[i], model[i], strlen(model[i]),
			                        &who, NULL));
			commits++;
		} else if (op < 7) {
			int err = keel_store_remove(st, "main", paths[i], &who, NULL);
			if (model[i][0]) {
				CHECK_OK(err);
				model[i][0] = 0;
				commits++;
			} else {
				CHECK(err == KEEL_ENOENT);
			}
		} else if (op < 9) {
			/* A batch of several changes: one commit. */
			struct keel_store_txn *t;
			bool any = false;

			CHECK_OK(keel_store_txn_begin(st, "main", &t));
			for (int k = 0; k < 4; k++) {
				size_t j = (size_t)(test_rand() % NPATHS);
				if (model[j][0] && test_rand() % 2) {
					CHECK_OK(keel_store_txn_remove(t, paths[j]));
					model[j][0] = 0;
					any = true;
				} else if (!blocked(j)) {
					snprintf(model[j], sizeof(model[j]), "batch %d/%d", step,
					         k);
					CHECK_OK(keel_store_txn_set(t, paths[j], model[j],
					                            strlen(model[j])));
					any = true;
				}
			}
			struct keel_store_id before, after;
			(void)keel_store_ref_get(st, "main", &before);
			CHECK_OK(keel_store_txn_commit(t, &who, &after));
			if (!keel_store_id_eq(&before, &after))
				commits++;
			(void)any;
		} else {
			keel_store_close(st);
			CHECK_OK(keel_store_open(&d->blk, NULL, &st));
		}
		check_model(st);
	}
	int n = 0;
	CHECK_OK(keel_store_log(st, "main", NULL, 0, count_cb, &n));
	CHECK(n == commits);
	n = 0;
	CHECK_OK(keel_store_log(st, "main", NULL, 5, count_cb, &n));
	CHECK(n == 5 || n == commits);
	CHECK(keel_store_verify(st) > 0);
	keel_store_close(st);
}

struct path_hist {
	int n;
	char msgs[16][32];
};

static int path_cb(void *arg, const struct keel_store_id *id, const struct keel_store_commit *c)
{
	struct path_hist *h = arg;

	if (h->n < 16)
		snprintf(h->msgs[h->n], sizeof(h->msgs[0]), "%.*s", (int)c->message_len,
		         c->message);
	h->n++;
	return KEEL_OK;
}

static void scenarios(void)
{
	struct simdev d;
	struct keel_store *st;
	struct keel_store_txn *t1, *t2;
	struct keel_store_info info = { "A", "a@x", NULL, 100, 0 };
	char listed[256] = "";
	uint8_t *data;
	size_t len;

	CHECK(simdev_init(&d, CAP, NULL, NULL) == 0);
	CHECK_OK(keel_store_format(&d.blk));
	CHECK_OK(keel_store_open(&d.blk, NULL, &st));
	CHECK(keel_store_get(st, "main", "a", &data, &len) == KEEL_ENOENT);
	CHECK(keel_store_set(st, "main", "/a", "x", 1, &info, NULL) == KEEL_EINVAL);
	CHECK(keel_store_set(st, "main", "a//b", "x", 1, &info, NULL) == KEEL_EINVAL);
	CHECK(keel_store_set(st, "ma in", "a", "x", 1, &info, NULL) == KEEL_EINVAL);

	info.message = "add f\n";
	info.time = 101;
	CHECK_OK(keel_store_set(st, "main", "dir/f", "1", 1, &info, NULL));
	info.message = "add g\n";
	info.time = 102;
	CHECK_OK(keel_store_set(st, "main", "dir/g", "2", 1, &info, NULL));
	info.message = "change f\n";
	info.time = 103;
	CHECK_OK(keel_store_set(st, "main", "dir/f", "3", 1, &info, NULL));
	info.message = "same f\n";
	info.time = 104;
	struct keel_store_id h1, h2;
	CHECK_OK(keel_store_ref_get(st, "main", &h1));
	CHECK_OK(keel_store_set(st, "main", "dir/f", "3", 1, &info, &h2));
	CHECK(keel_store_id_eq(&h1, &h2)); /* no change, no commit */
	CHECK_OK(keel_store_list(st, "main", "", list_cb, listed));
	CHECK(strcmp(listed, "dir/,") == 0);
	listed[0] = 0;
	CHECK_OK(keel_store_list(st, "main", "dir", list_cb, listed));
	CHECK(strcmp(listed, "f,g,") == 0);
	CHECK(keel_store_list(st, "main", "dir/f", list_cb, listed) == KEEL_ENOENT);

	struct path_hist h = { 0 };
	CHECK_OK(keel_store_log(st, "main", "dir/f", 0, path_cb, &h));
	CHECK(h.n == 2 && strcmp(h.msgs[0], "change f\n") == 0 &&
	      strcmp(h.msgs[1], "add f\n") == 0);
	memset(&h, 0, sizeof(h));
	CHECK_OK(keel_store_log(st, "main", "dir", 0, path_cb, &h));
	CHECK(h.n == 3);

	/* Two batches from the same commit: the second loses. */
	CHECK_OK(keel_store_txn_begin(st, "main", &t1));
	CHECK_OK(keel_store_txn_begin(st, "main", &t2));
	CHECK_OK(keel_store_txn_set(t1, "one", "1", 1));
	CHECK_OK(keel_store_txn_set(t2, "two", "2", 1));
	CHECK_OK(keel_store_txn_commit(t1, &info, NULL));
	CHECK(keel_store_txn_commit(t2, &info, NULL) == KEEL_EAGAIN);
	CHECK(keel_store_get(st, "main", "two", &data, &len) == KEEL_ENOENT);

	/* A file replaced by a directory and back; removing the last file of
	 * a directory removes the directory. */
	CHECK_OK(keel_store_set(st, "main", "one/inner", "i", 1, &info, NULL));
	CHECK(keel_store_get(st, "main", "one", &data, &len) == KEEL_ENOENT);
	CHECK_OK(keel_store_get(st, "main", "one/inner", &data, &len));
	free(data);
	CHECK_OK(keel_store_set(st, "main", "one", "back", 4, &info, NULL));
	CHECK_OK(keel_store_get(st, "main", "one", &data, &len));
	CHECK(len == 4);
	free(data);
	CHECK_OK(keel_store_remove(st, "main", "dir/f", &info, NULL));
	CHECK_OK(keel_store_remove(st, "main", "dir/g", &info, NULL));
	listed[0] = 0;
	CHECK_OK(keel_store_list(st, "main", "", list_cb, listed));
	CHECK(strcmp(listed, "one,") == 0);
	/* Branches are independent. */
	CHECK_OK(keel_store_set(st, "dev", "only-dev", "d", 1, &info, NULL));
	CHECK(keel_store_get(st, "main", "only-dev", &data, &len) == KEEL_ENOENT);
	CHECK(keel_store_get(st, "dev", "one", &data, &len) == KEEL_ENOENT);
	keel_store_close(st);
	simdev_free(&d);
}

int main(void)
{
	struct simdev d;

	test_seed(3);
	scenarios();
	CHECK(simdev_init(&d, CAP, NULL, NULL) == 0);
	CHECK_OK(keel_store_format(&d.blk));
	random_model(&d);
	simdev_free(&d);
	printf("PASS %s\n", test_name);
	return 0;
}
