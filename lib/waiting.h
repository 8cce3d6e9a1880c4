/*
 * Waiting: what the rows that wait are waiting on, said when they have
 * waited a while with nothing written (WAITING_SAY_MS), then again at
 * growing intervals up to WAITING_SAY_MAX: a run that waits (on
 * retries, on 429s, on the pace, on the money, on the grace period)
 * must not look like one that hangs.
 *
 * It reads the waiting rows (rows.h) and the limits they are held to
 * (verdict.h), and asks the pace how long the next row is held
 * (pace.h); it decides nothing about them.  The notice itself is the
 * scheduler's SCHED_WAITING (sched.h), whose report it fills.
 */
#ifndef ENRICH_WAITING_H
#define ENRICH_WAITING_H

#include <stddef.h>

#include "pace.h"
#include "rows.h"
#include "verdict.h"

#define WAITING_SAY_MS	5000
#define WAITING_SAY_MAX	30000

/* What the rows that wait are waiting on; times are clock_ms's. */
struct sched_waiting {
	size_t		 rows;		/* waiting for a retry, in all */
	size_t		 refused;	/* of them, after a rate-limit 429 */
	int		 refusals;	/* the most any of those has had
					 * counted against --max-429 */
	int		 max_429;	/* --max-429, or 0 */
	long long	 stall_end;	/* the refused fail then if no row
					 * succeeds (--stall-timeout) */
	size_t		 retrying;	/* after another failure */
	int		 retries;	/* the most any of those has had */
	int		 max_retries;	/* -r */
	long long	 next;		/* the first retry is due, or -1 */
	long long	 held;		/* the pace holds the next request
					 * until then, or -1 */
	int		 budget;	/* the next request waits for money */
	long long	 grace_end;	/* interrupted: the rest are given up
					 * then; or -1 */
};

/* When it was last quiet and when it speaks next; zeroed is unstarted. */
struct waiting {
	int		 started;
	long long	 quiet_since;	/* the last row written, or the
					 * start */
	long long	 say_at;	/* the next notice, or -1 */
	long long	 say_every;	/* and the one after it */
};

/* What a notice is made of, borrowed for the call. */
struct waiting_parts {
	const struct rows	*rows;
	const struct verdicts	*verdicts;
	struct pace		*pace;
	const struct row	*next;		/* held back, or NULL */
	int			 budget_held;	/* it waits for money */
	long long		 grace_end;	/* interrupted: then; or -1 */
};

/* The first turn, at now (again: nothing). */
void		 waiting_start(struct waiting *, long long);
/* A row was written: a wait after this starts its own count. */
void		 waiting_written(struct waiting *, long long);
/*
 * Rows wait (the caller knows): is a notice due at now?  1 with *w and
 * *quiet (ms since a row was written) filled, and the next one set; 0.
 */
int		 waiting_due(struct waiting *, long long,
		    const struct waiting_parts *, struct sched_waiting *,
		    long long *);
/* ms until the next notice, or -1 when none is set. */
long long	 waiting_timeout(const struct waiting *, long long);

#endif
