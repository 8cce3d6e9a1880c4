/*
 * Finish: what a finished attempt means for its row, and what becomes of
 * the row.
 *
 * The attempt is judged (verdict.h), its answer read and its line made
 * (record.h), an invalid answer asked again (input.h), and several
 * endpoints have their say (route.h).  With the model's price known, what
 * the attempt cost is counted and settled (claim.h).  Then the row waits
 * for its retry among the waiting rows, the pace told of a rate limit;
 * or it stops the run, unwritten, to be resumed; or it is written: a
 * failure with its error object, a success kept for later rows (claim.h)
 * and the tokens it took told to the pace.  The rows that asked what it
 * asked are written after it.  With --escalate, a row whose answer is
 * less sure than --below, or that failed as invalid_answer, is not
 * written but asked of the other model (claim.h), and waits to be sent
 * first among the rows, unless the answer is known.
 *
 * It keeps one flag (a cache failure is said once); what finish_parts
 * names is borrowed and must outlive it.  Rows it writes go through the
 * caller's emit, which counts and tells; what the user may want to hear
 * of comes to the caller's tell.  Not here: the attempt's end counted
 * against the pace and the endpoints, a server that stalls every
 * request, which row starts next and when (sched.h); the policy of
 * retries (verdict.h).
 */
#ifndef ENRICH_FINISH_H
#define ENRICH_FINISH_H

#include "claim.h"
#include "endpoints.h"
#include "input.h"
#include "pace.h"
#include "price.h"
#include "record.h"
#include "rows.h"
#include "stats.h"
#include "verdict.h"

/* What finish_row has to say: the row, and the verdict or a text. */
enum finish_event {
	FINISH_RETRY,		/* the row waits to try again: verdict */
	FINISH_PACED,		/* a first rate-limit 429: pacing from now */
	FINISH_STOP,		/* no row can succeed: the row says why */
	FINISH_ANSWER,		/* the answers say: text (record_note) */
	FINISH_CACHE,		/* an answer could not be kept: text */
	FINISH_ESCALATE		/* the row is asked of --escalate's model:
				 * text says why */
};

struct finish_parts {
	struct rows	*rows;		/* a retry waits here; rows done with
					 * go back */
	struct input	*input;
	struct record	*record;
	struct verdicts	*verdicts;
	struct pace	*pace;
	struct stats	*stats;
	struct endpoints *endpoints;	/* several -u; NULL: one */
	const struct price_rates *rates;	/* the model's, or NULL */
	struct claim	*claim;
	/* Write the row's line (r->line, or r->failed): 0, or -1 if out
	 * of memory.  The row stays finish's. */
	int		(*emit)(void *, struct row *);
	/* Tell: the row, and the verdict or the text, valid for the call
	 * only. */
	void		(*tell)(void *, enum finish_event, const struct row *,
			    const struct verdict *, const char *);
	void		*arg;
	const char	*escalate;	/* --escalate's model, or NULL */
};

struct finish;

struct finish	*finish_new(const struct finish_parts *);
void		 finish_free(struct finish *);
/*
 * The row's attempt ended at now, its transfer in r->xfer, counted by
 * the caller (r->attempts, pace_end) and not moved to another endpoint:
 * the row waits for its retry among parts->rows, or is given back there.
 * 0; 1 if no row can succeed and the run must stop; -1 if out of memory.
 */
int		 finish_row(struct finish *, struct row *, long long);

#endif
