#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "seen.h"

/* A slot holds a fingerprint with its top two bits clear, or 0 for none;
 * then the top bit says the ID came again, the next that its first row
 * was skipped. */
#define AGAIN		(1ULL << 63)
#define SKIPPED		(1ULL << 62)
#define FLAGS		(AGAIN | SKIPPED)

struct seen {
	uint64_t	*slot;		/* NULL until the first ID */
	size_t		 nslots;
	size_t		 used;
	uint64_t	 key0, key1;	/* the hash's, drawn at start */
	struct seen_dup	 dup[SEEN_SHOW];
	struct buf	 ids[SEEN_SHOW];	/* their text */
	size_t		 ndup;
	uint64_t	 more_ids;	/* IDs that came again, past those */
	uint64_t	 more_rows;
	uint64_t	 full;		/* rows not kept */
};

struct seen *
seen_new(size_t nslots)
{
	struct seen	*s;

	if (nslots < 2 || (nslots & (nslots - 1)) != 0 ||
	    (s = calloc(1, sizeof(*s))) == NULL)
		return NULL;
	s->nslots = nslots;
	s->key0 = (uint64_t)arc4random() << 32 | arc4random();
	s->key1 = (uint64_t)arc4random() << 32 | arc4random();
	return s;
}

void
seen_free(struct seen *s)
{
	size_t	 k;

	if (s == NULL)
		return;
	for (k = 0; k < SEEN_SHOW; k++)
		buf_free(&s->ids[k]);
	free(s->slot);
	free(s);
}

/* splitmix64's finaliser: every input bit moves every output bit. */
static uint64_t
mix(uint64_t x)
{
	x ^= x >> 30;
	x *= 0xbf58476d1ce4e5b9ULL;
	x ^= x >> 27;
	x *= 0x94d049bb133111ebULL;
	return x ^ (x >> 31);
}

/* The key's fingerprint: eight bytes at a time through the mixer, keyed
 * so that no input can be made to collide on purpose, less easily. */
static uint64_t
fingerprint(const struct seen *s, const char *p, size_t len)
{
	uint64_t	 h = s->key0 ^ len, w;
	size_t		 n;

	while (len > 0) {
		n = len < 8 ? len : 8;
		w = 0;
		memcpy(&w, p, n);
		h = mix(h ^ w ^ s->key1);
		p += n;
		len -= n;
	}
	h = mix(h) & ~FLAGS;
	return h != 0 ? h : 1;
}

/* The ID is one of the few kept whole: count the row there. */
static int
count_kept(struct seen *s, const char *key, size_t len, int skipped)
{
	size_t	 k;

	for (k = 0; k < s->ndup; k++)
		if (s->dup[k].len == len && memcmp(s->ids[k].data, key,
		    len) == 0) {
			s->dup[k].rows++;
			s->dup[k].skipped += skipped != 0;
			return 1;
		}
	return 0;
}

int
seen_add(struct seen *s, const char *key, size_t len, int skipped)
{
	struct seen_dup	*d;
	uint64_t	 f, *v;
	size_t		 i;

	if (s->slot == NULL && (s->slot = calloc(s->nslots,
	    sizeof(*s->slot))) == NULL)
		return -1;
	f = fingerprint(s, key, len);
	for (i = f & (s->nslots - 1); s->slot[i] != 0;
	    i = (i + 1) & (s->nslots - 1)) {
		v = &s->slot[i];
		if ((*v & ~FLAGS) != f)
			continue;
		if (*v & AGAIN) {
			/* A third copy or more. */
			if (!count_kept(s, key, len, skipped))
				s->more_rows++;
			return 1;
		}
		*v |= AGAIN;
		if (s->ndup < SEEN_SHOW) {
			d = &s->dup[s->ndup];
			if (buf_add(&s->ids[s->ndup], key, len) == -1)
				return -1;
			d->id = s->ids[s->ndup].data;
			d->len = len;
			d->rows = 2;
			d->skipped = (skipped != 0) + ((*v & SKIPPED) != 0);
			s->ndup++;
		} else {
			s->more_ids++;
			s->more_rows += 2;
		}
		return 1;
	}
	if (s->used + 1 > s->nslots / 4 * 3) {
		s->full++;
		return 0;
	}
	s->slot[i] = f | (skipped ? SKIPPED : 0);
	s->used++;
	return 0;
}

const struct seen_dup *
seen_dup(const struct seen *s, size_t k)
{
	return k < s->ndup ? &s->dup[k] : NULL;
}

void
seen_more(const struct seen *s, uint64_t *ids, uint64_t *rows)
{
	*ids = s->more_ids;
	*rows = s->more_rows;
}

uint64_t
seen_full(const struct seen *s)
{
	return s->full;
}
