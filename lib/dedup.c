#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "dedup.h"

/*
 * Keys in an order of their own, a word at a time: the trees compare a
 * new row's key some thirty times, and keys are hashes, almost always
 * told apart by their first word, where memcmp is a call and a loop.
 */
static inline int
key_order(const unsigned char *a, const unsigned char *b)
{
	uint64_t	 x, y;
	size_t		 i;

	for (i = 0; i < CACHE_KEY_LEN; i += sizeof(x)) {
		memcpy(&x, a + i, sizeof(x));
		memcpy(&y, b + i, sizeof(y));
		if (x != y)
			return x < y ? -1 : 1;
	}
	return 0;
}

static int
key_cmp(const struct row *a, const struct row *b)
{
	return key_order(a->key, b->key);
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
	return key_order(a->key, b->key);
}

RB_HEAD(seens, seen);
RB_GENERATE_INTERNAL(seens, seen, entry, seen_cmp,
    static __attribute__((unused)))

/* An answer kept, in a tree by key and a list oldest first. */
struct kept {
	RB_ENTRY(kept)		 entry;
	TAILQ_ENTRY(kept)	 age;
	unsigned char		 key[CACHE_KEY_LEN];
	size_t			 len;
	char			 body[];
};

static int
kept_cmp(const struct kept *a, const struct kept *b)
{
	return key_order(a->key, b->key);
}

RB_HEAD(kepts, kept);
RB_GENERATE_INTERNAL(kepts, kept, entry, kept_cmp,
    static __attribute__((unused)))

struct dedup {
	struct leaders		 leaders;
	struct seens		 seen;
	size_t			 waiting;
	struct kepts		 kept;
	TAILQ_HEAD(, kept)	 ages;
	size_t			 kept_bytes;
	size_t			 keep;		/* at most, of them */
};

struct dedup *
dedup_new(void)
{
	struct dedup	*d;

	if ((d = calloc(1, sizeof(*d))) == NULL)
		return NULL;
	RB_INIT(&d->leaders);
	RB_INIT(&d->seen);
	RB_INIT(&d->kept);
	TAILQ_INIT(&d->ages);
	d->keep = DEDUP_KEEP;
	return d;
}

void
dedup_set_keep(struct dedup *d, size_t keep)
{
	d->keep = keep;
}

static void
forget(struct dedup *d, struct kept *k)
{
	RB_REMOVE(kepts, &d->kept, k);
	TAILQ_REMOVE(&d->ages, k, age);
	d->kept_bytes -= k->len;
	free(k);
}

void
dedup_free(struct dedup *d)
{
	struct seen	*s;
	struct kept	*k;

	if (d == NULL)
		return;
	while ((k = TAILQ_FIRST(&d->ages)) != NULL)
		forget(d, k);
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

struct row *
dedup_rekey(struct dedup *d, struct row *r, const unsigned char *key)
{
	struct row	*lead, *f;

	if (r->leading)
		RB_REMOVE(leaders, &d->leaders, r);
	memcpy(r->key, key, sizeof(r->key));
	if ((lead = RB_FIND(leaders, &d->leaders, r)) == NULL) {
		if (r->leading)
			RB_INSERT(leaders, &d->leaders, r);
		return NULL;
	}
	/* Asked by another already: its answer is theirs too. */
	if (r->leading)
		while ((f = TAILQ_FIRST(&r->followers)) != NULL) {
			TAILQ_REMOVE(&r->followers, f, follow);
			TAILQ_INSERT_TAIL(&lead->followers, f, follow);
		}
	r->leading = 0;
	return lead;
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

int
dedup_keep(struct dedup *d, const struct row *r, const char *body, size_t len)
{
	struct kept	*k, *old;

	/* One answer may not push out a sixteenth of the rest. */
	if (!r->keyed || len > d->keep / 16)
		return 0;
	if ((k = malloc(sizeof(*k) + len)) == NULL)
		return -1;
	memcpy(k->key, r->key, sizeof(k->key));
	memcpy(k->body, body, len);
	k->len = len;
	if ((old = RB_FIND(kepts, &d->kept, k)) != NULL)
		forget(d, old);
	while (d->kept_bytes + len > d->keep &&
	    (old = TAILQ_FIRST(&d->ages)) != NULL)
		forget(d, old);
	RB_INSERT(kepts, &d->kept, k);
	TAILQ_INSERT_TAIL(&d->ages, k, age);
	d->kept_bytes += len;
	return 0;
}

int
dedup_recall(struct dedup *d, const struct row *r, struct buf *out)
{
	struct kept	*k, *find;
	unsigned char	 space[sizeof(struct kept)];

	if (!r->keyed)
		return 0;
	find = (struct kept *)(void *)space;
	memcpy(find->key, r->key, sizeof(find->key));
	if ((k = RB_FIND(kepts, &d->kept, find)) == NULL)
		return 0;
	buf_reset(out);
	return buf_add(out, k->body, k->len) == -1 ? -1 : 1;
}
