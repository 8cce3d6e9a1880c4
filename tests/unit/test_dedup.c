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

	dedup_free(d);
	dedup_free(NULL);
	return check_done("test_dedup");
}
