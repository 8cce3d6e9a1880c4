#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "dedup.h"

/* A row with a key made of one byte. */
static void
row_key(struct row *r, unsigned char k)
{
	memset(r, 0, sizeof(*r));
	memset(r->key, k, sizeof(r->key));
	r->keyed = 1;
}

int
main(void)
{
	struct dedup	*d = dedup_new();
	struct row	 a, a2, a3, b, none;

	CHECK(d != NULL);
	row_key(&a, 1);
	row_key(&a2, 1);
	row_key(&a3, 1);
	row_key(&b, 2);
	memset(&none, 0, sizeof(none));

	/* The first of a key leads; the rest of it follow, in order. */
	CHECK(dedup_find(d, &a) == NULL);
	dedup_lead(d, &a);
	CHECK(a.leading);
	CHECK(dedup_find(d, &a2) == &a);
	CHECK(dedup_find(d, &b) == NULL);
	dedup_follow(d, &a, &a2);
	dedup_follow(d, &a, &a3);
	dedup_lead(d, &b);
	CHECK(dedup_waiting(d) == 2);
	CHECK(dedup_take(d, &b) == NULL);
	CHECK(dedup_take(d, &a) == &a2);
	CHECK(dedup_take(d, &a) == &a3);
	CHECK(dedup_take(d, &a) == NULL);
	CHECK(dedup_waiting(d) == 0);
	/* Its end frees the key for the next row of it. */
	dedup_end(d, &a);
	CHECK(!a.leading && dedup_find(d, &a2) == NULL);
	dedup_end(d, &a);		/* twice is harmless */
	dedup_lead(d, &a2);
	CHECK(dedup_find(d, &a3) == &a2);
	CHECK(dedup_find(d, &b) == &b);
	/* A row without a key (no body) never leads or matches. */
	CHECK(dedup_find(d, &none) == NULL);
	dedup_lead(d, &none);
	CHECK(!none.leading && dedup_find(d, &none) == NULL);
	dedup_end(d, &none);

	/* A dry run's keys: the first time new, then seen. */
	CHECK(dedup_seen(d, &a) == 0);
	CHECK(dedup_seen(d, &a2) == 1);
	CHECK(dedup_seen(d, &b) == 0);
	CHECK(dedup_seen(d, &b) == 1);
	CHECK(dedup_seen(d, &none) == 0 && dedup_seen(d, &none) == 0);

	/* Answers kept for later rows: by key, the latest replacing. */
	{
		struct buf	 out = { 0 };
		static char	 big[DEDUP_KEEP / 16 + 1];
		struct row	 c;
		int		 i;

		CHECK(dedup_recall(d, &a, &out) == 0);
		CHECK(dedup_keep(d, &a, "{\"x\":1}", 7) == 0);
		CHECK(dedup_recall(d, &a2, &out) == 1);
		CHECK_BUF(out, "{\"x\":1}");
		CHECK(dedup_recall(d, &b, &out) == 0);
		CHECK(dedup_keep(d, &a, "{}", 2) == 0);
		CHECK(dedup_recall(d, &a3, &out) == 1);
		CHECK_BUF(out, "{}");
		CHECK(dedup_keep(d, &none, "{}", 2) == 0);
		CHECK(dedup_recall(d, &none, &out) == 0);
		/* Too big to keep: not kept, and nothing else lost. */
		CHECK(dedup_keep(d, &b, big, sizeof(big)) == 0);
		CHECK(dedup_recall(d, &b, &out) == 0);
		CHECK(dedup_recall(d, &a, &out) == 1);
		/* Bounded: the oldest go first. */
		for (i = 0; i < 17; i++) {
			row_key(&c, (unsigned char)(10 + i));
			CHECK(dedup_keep(d, &c, big, DEDUP_KEEP / 16) == 0);
		}
		CHECK(dedup_recall(d, &a, &out) == 0);
		row_key(&c, 10);
		CHECK(dedup_recall(d, &c, &out) == 0);
		row_key(&c, 26);
		CHECK(dedup_recall(d, &c, &out) == 1 &&
		    out.len == DEDUP_KEEP / 16);
		buf_free(&out);
	}

	/* A smaller bound (a Batch run's): 1,000 bytes keep the latest
	 * sixteen answers of 62 bytes, and none of more than a sixteenth. */
	{
		struct dedup	*k = dedup_new();
		struct buf	 out = { 0 };
		static char	 mid[100];
		struct row	 c;
		int		 i;

		dedup_set_keep(k, 1000);
		for (i = 0; i < 12; i++) {
			row_key(&c, (unsigned char)(40 + i));
			CHECK(dedup_keep(k, &c, mid, 62) == 0);
		}
		row_key(&c, 40);
		CHECK(dedup_recall(k, &c, &out) == 1);
		row_key(&c, 60);
		CHECK(dedup_keep(k, &c, mid, 63) == 0);
		CHECK(dedup_recall(k, &c, &out) == 0);
		for (i = 0; i < 12; i++) {
			row_key(&c, (unsigned char)(70 + i));
			CHECK(dedup_keep(k, &c, mid, 62) == 0);
		}
		row_key(&c, 40);
		CHECK(dedup_recall(k, &c, &out) == 0);
		row_key(&c, 81);
		CHECK(dedup_recall(k, &c, &out) == 1 && out.len == 62);
		buf_free(&out);
		dedup_free(k);
	}

	/* A row asking another thing: it leads the new key with its
	 * followers, or follows the row leading it, its followers too. */
	{
		struct dedup	*e = dedup_new();
		struct row	 l, f1, c, g1, n;
		unsigned char	 k3[CACHE_KEY_LEN], k4[CACHE_KEY_LEN];

		memset(k3, 3, sizeof(k3));
		memset(k4, 4, sizeof(k4));
		row_key(&l, 1);
		row_key(&f1, 1);
		row_key(&c, 3);
		row_key(&g1, 3);
		dedup_lead(e, &l);
		dedup_follow(e, &l, &f1);
		CHECK(dedup_rekey(e, &l, k4) == NULL);
		CHECK(l.leading && dedup_find(e, &f1) == NULL);
		row_key(&n, 4);
		CHECK(dedup_find(e, &n) == &l);
		dedup_lead(e, &c);
		dedup_follow(e, &c, &g1);
		CHECK(dedup_rekey(e, &l, k3) == &c);
		CHECK(!l.leading && dedup_find(e, &n) == NULL);
		dedup_follow(e, &c, &l);
		CHECK(dedup_take(e, &c) == &g1);
		CHECK(dedup_take(e, &c) == &f1);
		CHECK(dedup_take(e, &c) == &l);
		CHECK(dedup_take(e, &c) == NULL);
		/* One that led nothing leads nothing: the caller leads it. */
		row_key(&n, 5);
		CHECK(dedup_rekey(e, &n, k4) == NULL && !n.leading);
		CHECK(dedup_rekey(e, &n, k3) == &c && !n.leading);
		dedup_end(e, &c);
		dedup_free(e);
	}

	dedup_free(d);
	dedup_free(NULL);
	return check_done("test_dedup");
}
