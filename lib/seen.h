/*
 * Seen: the IDs of this run's input, to say which come more than once.
 *
 * Two rows with one ID are two rows: each is sent and written, and an
 * output with the ID twice confuses whoever joins it back, and a resume
 * that counts it.  So every run checks: each ID is kept as a 62-bit
 * fingerprint (a keyed hash, so two IDs collide by chance only, about
 * once in tens of millions of runs of a million rows) in one
 * open-addressed table, and
 * the first few IDs that come again are kept whole, with their counts,
 * for the end of the run; the rest are only counted.
 *
 * Memory does not grow with the input: the table has a fixed size
 * (seen_new's), allocated at the first ID; once it is three quarters full
 * later IDs are checked against those kept but not kept themselves, and
 * seen_full says so.
 *
 * Not here: what a duplicate means for --skip-ids (idset.h counts the
 * times an ID was done), or telling the user (the caller).
 */
#ifndef ENRICH_SEEN_H
#define ENRICH_SEEN_H

#include <stddef.h>
#include <stdint.h>

#define SEEN_SLOTS	(1 << 18)	/* 2 MiB: 196,608 IDs kept */
#define SEEN_SHOW	3		/* IDs kept whole for the end */

/* One of the first IDs that came more than once. */
struct seen_dup {
	const char	*id;		/* the ID's key (idset_key), not
					 * NUL-terminated */
	size_t		 len;
	uint64_t	 rows;		/* rows that had it, skipped or not */
	uint64_t	 skipped;	/* of them, skipped by --skip-ids */
};

struct seen;

/* A table of this many slots (a power of two), or NULL. */
struct seen	*seen_new(size_t);
void		 seen_free(struct seen *);
/*
 * A row with this ID key came, skipped by --skip-ids or not: 1 if the ID
 * came before, 0 if not (or not known: the table is full), -1 if out of
 * memory.
 */
int		 seen_add(struct seen *, const char *, size_t, int);
/* The kth of the first SEEN_SHOW IDs that came again, in the order they
 * did; NULL past them. */
const struct seen_dup *seen_dup(const struct seen *, size_t);
/* Beyond those: how many more IDs came more than once, and the rows that
 * had them. */
void		 seen_more(const struct seen *, uint64_t *, uint64_t *);
/* Rows whose IDs were not kept, the table being full; 0 if none. */
uint64_t	 seen_full(const struct seen *);

#endif
