/*
 * Dedup: rows that ask the same thing share one request.
 *
 * Two rows ask the same thing when their requests have the same key
 * (input.h: a hash of the URL and the body as first rendered).  The
 * first such row leads: it is sent, retried and judged as any row.  Rows
 * of the same key read while it is in flight or waiting to retry follow
 * it: they hold no place in the window and are written from its outcome
 * when it ends, so a run never sends the same body twice at once.  The
 * answers of leaders that ended are kept for rows that come later, the
 * latest DEDUP_KEEP bytes of them: enough for a duplicate a few thousand
 * rows behind its first (sorted input, retried chunks), and small beside
 * the window's own memory, so that a run's memory does not grow with
 * its input.  Duplicates further apart are --cache's, on disk.  For
 * --estimate it also remembers the keys of a whole dry run, to count the
 * requests that would really be sent.
 *
 * It owns nothing but its own nodes: rows are the caller's (rows.h), and
 * stay linked here from dedup_lead or dedup_follow until dedup_end or
 * dedup_take gives them back.  Not here: the cache on disk (cache.h), or
 * writing the followers' lines (claim.h).
 */
#ifndef ENRICH_DEDUP_H
#define ENRICH_DEDUP_H

#include <stddef.h>

#include "rows.h"

#define DEDUP_KEEP	(1024 * 1024)	/* bytes of answers kept */

struct dedup;

struct dedup	*dedup_new(void);
void		 dedup_free(struct dedup *);
/* Keep this many bytes of answers, not DEDUP_KEEP (before any is). */
void		 dedup_set_keep(struct dedup *, size_t);
/* The row leading for this row's key, or NULL. */
struct row	*dedup_find(struct dedup *, const struct row *);
/* The row is sent for its key: rows of the same key follow it. */
void		 dedup_lead(struct dedup *, struct row *);
/* The row waits for the leader's outcome. */
void		 dedup_follow(struct dedup *, struct row *, struct row *);
/* A row that follows the leader, taken off its list; NULL when none
 * is left. */
struct row	*dedup_take(struct dedup *, struct row *);
/* The leader is done (its followers taken): its key is free again.  A
 * row that never led is let be. */
void		 dedup_end(struct dedup *, struct row *);
/* Keep a leader's successful response body for rows that come later:
 * 0, or -1 if out of memory (nothing is kept then). */
int		 dedup_keep(struct dedup *, const struct row *, const char *,
		    size_t);
/* The body kept for this row's key, into out: 1; 0 if none is; -1 if
 * out of memory. */
int		 dedup_recall(struct dedup *, const struct row *, struct buf *);
/*
 * The row asks another thing now (--escalate): its key becomes key.  It
 * leads that key with its followers, if it led its own and no row leads
 * the new one; or else that row is returned, for the row to follow, its
 * followers moved to it.  NULL otherwise.
 */
struct row	*dedup_rekey(struct dedup *, struct row *,
		    const unsigned char *);
/* Rows following a leader, in all. */
size_t		 dedup_waiting(const struct dedup *);
/* A dry run's key seen before: 1; new (now remembered): 0; -1 if out
 * of memory. */
int		 dedup_seen(struct dedup *, const struct row *);

#endif
