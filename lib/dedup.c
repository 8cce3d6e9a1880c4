#include <stdlib.h>
#include <string.h>

#include "dedup.h"

static int
key_cmp(const struct row *a, const struct row *b)
{
	return memcmp(a->key, b->key, sizeof(a->key));
}

RB_HEAD(leaders, row);
/* libbsd leaves __unused undefined, which RB_GENERATE_STATIC needs. */
RB_GENERATE_INTERNAL(leaders, row, dup, key_cmp,
    static __attribute__((unused)))

/* A key of a dry run, remembered. */
struct seen {
	RB_ENTRY(seen)	 entry;
	unsigned char	 key[CACHE_KEY_LEN];
};

static int
seen_cmp(const struct seen *a, const struct seen *b)
{
	return memcmp(a->key, b->key, sizeof(a->key));
}

RB_HEAD(seens, seen);
RB_GENERATE_INTERNAL(seens, seen, entry, seen_cmp,
    static __attribute__((unused)))

struct dedup {
	struct leaders	 leaders;
	struct seens	 seen;
	size_t		 waiting;
};

struct dedup *
dedup_new(void)
{
	struct dedup	*d;

	if ((d = calloc(1, sizeof(*d))) == NULL)
		return NULL;
	RB_INIT(&d->leaders);
	RB_INIT(&d->seen);
	return d;
}

void
dedup_free(struct dedup *d)
{
	struct seen	*s;

	if (d == NULL)
		return;
	while ((s = RB_MIN(seens, &d->seen)) != NULL) {
		RB_REMOVE(seens, &d->seen, s);
		free(s);
	}
	free(d);
}

struct row *
dedup_find(struct dedup *d, const struct row *r)
{
	if (!r->keyed)
		return NULL;
	return RB_FIND(leaders, &d->leaders, (struct row *)r);
}

void
dedup_lead(struct dedup *d, struct row *r)
{
	TAILQ_INIT(&r->followers);
	if (r->keyed && RB_INSERT(leaders, &d->leaders, r) == NULL)
		r->leading = 1;
}

void
dedup_follow(struct dedup *d, struct row *leader, struct row *r)
{
	TAILQ_INSERT_TAIL(&leader->followers, r, follow);
	d->waiting++;
}

struct row *
dedup_take(struct dedup *d, struct row *leader)
{
	struct row	*r;

	if (!leader->leading ||
	    (r = TAILQ_FIRST(&leader->followers)) == NULL)
		return NULL;
	TAILQ_REMOVE(&leader->followers, r, follow);
	d->waiting--;
	return r;
}

void
dedup_end(struct dedup *d, struct row *r)
{
	if (!r->leading)
		return;
	RB_REMOVE(leaders, &d->leaders, r);
	r->leading = 0;
}

size_t
dedup_waiting(const struct dedup *d)
{
	return d->waiting;
}

int
dedup_seen(struct dedup *d, const struct row *r)
{
	struct seen	*s, find;

	if (!r->keyed)
		return 0;
	memcpy(find.key, r->key, sizeof(find.key));
	if (RB_FIND(seens, &d->seen, &find) != NULL)
		return 1;
	if ((s = malloc(sizeof(*s))) == NULL)
		return -1;
	memcpy(s->key, r->key, sizeof(s->key));
	RB_INSERT(seens, &d->seen, s);
	return 0;
}
