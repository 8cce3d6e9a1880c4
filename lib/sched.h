/*
 * Sched: which row goes next, and when.
 *
 * It drives a run one turn of the caller's poll loop at a time: rows
 * whose transfers finished are judged and written or put to wait
 * (finish.h); then the window is filled, retries that are due first,
 * then new rows from the input (input.h), each as soon as the pace
 * (pace.h) lets it start.  It reads no more input while the window
 * is full, the output is backed up, or too many rows wait for a retry, so
 * memory is bounded by the window, never by the input.
 *
 * Rows that ask what a row in flight asks wait for its answer, and rows
 * --cache answers are written without a request; successes are kept
 * there (claim.h).  With --escalate a row may be asked a second time, of
 * another model (finish.h); it goes before new rows.  Under --max-cost each request reserves its worst case
 * (claim.h) before it goes; one that does not fit waits for the
 * requests in flight to give back theirs (or, parked in Batch files, for
 * their batches, while less than half the cap is spent), and when it
 * still does not fit the run reads and sends nothing more: rows not sent are not
 * written, so --skip-ids resumes where the money ran out.
 *
 * After an interrupt it reads nothing more and gives the rows in flight
 * or waiting until the grace period ends; then the waiting rows fail and
 * the rest are lost, to be resumed with --skip-ids.
 *
 * While rows wait (a retry, a 429, the pace or the money holding them)
 * and nothing has been written for a few seconds, it says what they wait
 * on and when they will be given up (SCHED_WAITING), again at growing
 * intervals, so that no wait is silent.
 *
 * It owns its rows; everything in sched_parts is borrowed.  Without a
 * pool (a dry run) no row is sent: each is written as it is read.  It
 * prints nothing: what the user may want to hear of comes to the
 * caller's notify function.
 *
 * With several endpoints (endpoints.h) each request goes to the one with
 * the most headroom; a row whose endpoint is down, or refuses it with a
 * 429, goes at once to another that has not failed it, not charged to -r;
 * only when every endpoint has failed it is the verdict asked (route.h).
 *
 * Not here: the poll() itself, signals, or stdin and stdout's
 * descriptors (filter.c).
 */
#ifndef ENRICH_SCHED_H
#define ENRICH_SCHED_H

#include <stddef.h>

#include "endpoints.h"
#include "budget.h"
#include "cache.h"
#include "input.h"
#include "lines.h"
#include "output.h"
#include "pace.h"
#include "pool.h"
#include "record.h"
#include "rows.h"
#include "stats.h"
#include "transport.h"
#include "verdict.h"
#include "waiting.h"

struct sched_config {
	int		 estimate;	/* --estimate: count, do not write */
	int		 ordered;	/* --ordered: grow the reorder buffer
					 * with the window */
	long long	 grace_ms;	/* --grace */
	int		 no_input;	/* read nothing (--batch-cancel) */
};

struct sched_parts {
	struct lines	*in;
	struct output	*out;
	struct input	*input;
	struct record	*record;
	struct verdicts	*verdicts;
	struct pool	*pool;		/* NULL: a dry run */
	struct pace	*pace;		/* NULL with the pool */
	struct stats	*stats;
	struct endpoints *endpoints;	/* several -u; NULL: one */
	struct cache	*cache;		/* --cache, or NULL */
	const struct price_rates *rates;	/* the model's, or NULL */
	struct budget	*budget;	/* --max-cost, or NULL */
	/* How rows go: NULL for real time through the pool (made here);
	 * the Batch API's (batchapi.h), given with the rows it makes. */
	struct transport *transport;
	struct rows	*rows;		/* NULL: its own */
	const char	*escalate;	/* --escalate's model, or NULL */
	const struct price_rates *escalate_rates;	/* its prices, under
						 * --max-cost; else NULL */
};

enum sched_event {
	SCHED_FAILED,		/* a row failed: row */
	SCHED_RETRY,		/* a row waits to try again: row, verdict */
	SCHED_PACED,		/* a first rate-limit 429: pacing from now */
	SCHED_STOP,		/* no row can succeed: the row says why */
	SCHED_HELD,		/* pacing holds the next request ms */
	SCHED_STALLED,		/* the server holds every request ms, more
				 * than --max-wait: the run stops */
	SCHED_INPUT,		/* the input says: text (input_note) */
	SCHED_ASIDE,		/* endpoint text is set aside for ms */
	SCHED_BACK,		/* endpoint text is taken back */
	SCHED_GONE,		/* endpoint text refused the key (401): set
				 * aside for good, others left */
	SCHED_CACHE,		/* an answer could not be kept: text */
	SCHED_ANSWER,		/* the answers say: text (record_note) */
	SCHED_ESCALATE,		/* a row is asked of --escalate's model:
				 * row, and text says why */
	SCHED_WAITING		/* rows wait and nothing was written for
				 * ms: waiting says on what */
};

/* struct sched_waiting, SCHED_WAITING's report, is waiting.h's. */

struct sched_notice {
	enum sched_event	 what;
	const struct row	*row;
	const struct verdict	*verdict;
	long long		 ms;
	const char		*text;
	const struct sched_waiting *waiting;
};

struct sched;

struct sched	*sched_new(const struct sched_config *,
		    const struct sched_parts *,
		    void (*)(void *, const struct sched_notice *), void *);
void		 sched_free(struct sched *);
/* One turn at time now; -1 and err if the run cannot go on (out of
 * memory, or the pool refused a request). */
int		 sched_turn(struct sched *, long long, char *, size_t);
/* Should the caller read stdin now? */
int		 sched_want_input(const struct sched *);
/* How long the caller's poll() may sleep: ms, or -1 for no limit. */
long long	 sched_timeout(struct sched *, long long);
/* Is the run over: everything written, or the grace period spent? */
int		 sched_over(const struct sched *, long long);
/* A row said the run must stop (SCHED_STOP). */
int		 sched_stopped(const struct sched *);
/* --max-cost: the next request did not fit in what was left, so none
 * was sent after it. */
int		 sched_broke(const struct sched *);
/* The first interrupt: read no more, and give the rest a deadline.  -1
 * and err if the run cannot go on (out of memory), as sched_turn. */
int		 sched_interrupt(struct sched *, long long, char *, size_t);
/* SIGUSR1/SIGUSR2: scale the window; the new window. */
int		 sched_scale(struct sched *, double);

#endif
