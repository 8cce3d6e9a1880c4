#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "seen.h"

static int
add(struct seen *s, const char *id, int skipped)
{
	return seen_add(s, id, strlen(id), skipped);
}

int
main(void)
{
	const struct seen_dup	*d;
	struct seen		*s;
	uint64_t		 ids, rows;
	char			 id[32];
	int			 k, ok;

	CHECK(seen_new(1000) == NULL);	/* not a power of two */
	CHECK(seen_new(0) == NULL);
	s = seen_new(SEEN_SLOTS);
	CHECK(s != NULL);
	CHECK(seen_dup(s, 0) == NULL);
	/* New IDs are new; the same one again is not; keys are bytes, so
	 * a prefix or an empty key is an ID of its own. */
	CHECK(add(s, "alrt-0011", 0) == 0);
	CHECK(add(s, "alrt-001", 0) == 0);
	CHECK(add(s, "", 0) == 0);
	CHECK(add(s, "alrt-0011", 0) == 1);
	CHECK(add(s, "alrt-0011", 0) == 1);
	CHECK(add(s, "", 0) == 1);
	/* Kept whole in the order they came again, with their counts. */
	d = seen_dup(s, 0);
	CHECK(d != NULL && d->len == 9 && memcmp(d->id, "alrt-0011", 9) == 0 &&
	    d->rows == 3 && d->skipped == 0);
	d = seen_dup(s, 1);
	CHECK(d != NULL && d->len == 0 && d->rows == 2);
	/* --skip-ids: which copies were skipped, the first one's too. */
	CHECK(add(s, "r5", 1) == 0);
	CHECK(add(s, "r5", 0) == 1);
	CHECK(add(s, "r5", 1) == 1);
	d = seen_dup(s, 2);
	CHECK(d != NULL && d->rows == 3 && d->skipped == 2);
	CHECK(seen_dup(s, SEEN_SHOW) == NULL);
	/* Past the few kept whole: counted. */
	CHECK(add(s, "x", 0) == 0 && add(s, "x", 0) == 1 &&
	    add(s, "x", 0) == 1);
	CHECK(add(s, "y", 0) == 0 && add(s, "y", 1) == 1);
	CHECK(add(s, "alrt-0011", 0) == 1);
	seen_more(s, &ids, &rows);
	CHECK(ids == 2 && rows == 5);
	CHECK(seen_dup(s, 0)->rows == 4);
	/* Many distinct IDs: none taken for another. */
	for (ok = 1, k = 0; k < 100000; k++) {
		snprintf(id, sizeof(id), "id-%d", k);
		ok &= add(s, id, 0) == 0;
	}
	CHECK(ok);
	CHECK(seen_full(s) == 0);
	seen_free(s);
	seen_free(NULL);

	/* A full table: later IDs are checked, not kept, and counted. */
	s = seen_new(8);
	for (k = 0; k < 6; k++) {
		snprintf(id, sizeof(id), "%d", k);
		CHECK(add(s, id, 0) == 0);
	}
	CHECK(seen_full(s) == 0);
	CHECK(add(s, "6", 0) == 0 && add(s, "6", 0) == 0);
	CHECK(seen_full(s) == 2);
	CHECK(add(s, "3", 0) == 1);
	seen_free(s);
	return check_done("test_seen");
}
