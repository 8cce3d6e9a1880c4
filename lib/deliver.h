/*
 * Deliver: the one place a row is written and counted, whichever way its
 * request went (real time or a batch) and whatever answered it (its own
 * request, an earlier row's, --cache, or nothing: an error).
 *
 * The row's line (r->line, made by record.h) goes to the output, and the
 * run's counts follow it: rows ok and failed, answers from the cache and
 * from another row's request, and the tokens this run paid for (a cached
 * or shared answer's are not).  A failed row is told to the caller.
 * Under --estimate nothing is written: the row is counted as what a real
 * run would do with it (sent, shared, or answered from --cache).
 *
 * Not here: what the line says (record.h), what an attempt cost (the
 * answers' dollars are counted as they come, finish.h), keeping an
 * answer (claim.h).
 */
#ifndef ENRICH_DELIVER_H
#define ENRICH_DELIVER_H

#include "claim.h"
#include "output.h"
#include "rows.h"
#include "stats.h"

struct deliver_parts {
	struct output	*out;
	struct stats	*stats;
	struct claim	*claim;		/* --estimate asks it */
	int		 estimate;
	/* A row failed: the row, for the call only. */
	void		(*failed)(void *, const struct row *);
	void		*arg;
};

struct deliver;

/* Everything given is borrowed. */
struct deliver	*deliver_new(const struct deliver_parts *);
void		 deliver_free(struct deliver *);
/* Write and count the row: 0, or -1 if out of memory. */
int		 deliver_row(struct deliver *, struct row *);

#endif
