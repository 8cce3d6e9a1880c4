/*
 * Claim: what a row may have without a request of its own, and what its
 * request holds and gives back: an answer already known, a request
 * another row makes, and money.
 *
 * A new row is answered from an earlier row's answer kept in memory or
 * from --cache (cache.h) and written at once, or follows the row in
 * flight that asks the same (dedup.h), or leads its key and is sent.
 * When a leader ends, each row that followed it is written from its
 * outcome; a success is kept for rows that come later, in memory and
 * under --cache.  A row that will not be sent is dropped with its
 * followers: none is written, so --skip-ids resumes it; unless the run
 * already paid for an answer to it, which is never lost unwritten.  Under --max-cost
 * (budget.h) a request reserves its worst case before it goes and
 * settles what it cost, by its usage, when it ends.
 *
 * With --escalate a row is asked again of the second model (claim_escalate,
 * or when the answer known for it is less sure than --below): it asks
 * another thing then, under another key, which may be known or asked by
 * another row already.  Under --max-cost a row's first request holds the
 * escalation's worst case as well, until the row is done, so that an
 * escalation is never refused for money after the first answer was paid.
 *
 * It owns the table of rows that ask the same (dedup.h); what
 * claim_parts names is borrowed and must outlive it.  Rows it is done
 * with go back to parts->rows; rows it writes go through the caller's
 * emit, which counts and tells.  It says nothing itself: a cache that
 * cannot keep an answer comes back to the caller.  Not here: when a row
 * starts or what its answer means (sched.h, verdict.h, record.h).
 */
#ifndef ENRICH_CLAIM_H
#define ENRICH_CLAIM_H

#include <stddef.h>

#include "budget.h"
#include "cache.h"
#include "input.h"
#include "output.h"
#include "record.h"
#include "rows.h"
#include "stats.h"

struct claim_parts {
	struct rows	*rows;
	struct output	*out;
	struct record	*record;
	struct stats	*stats;
	struct cache	*cache;		/* --cache, or NULL */
	struct budget	*budget;	/* --max-cost, or NULL */
	/* Write the row's line (r->line, or r->failed): 0, or -1 if out
	 * of memory.  The row stays the claim's. */
	int		(*emit)(void *, struct row *);
	void		*arg;
	struct input	*input;		/* makes --escalate's requests */
	/* --escalate's model's prices, under --max-cost; else NULL. */
	const struct price_rates *escalate_rates;
	/* Bytes of answers kept for later duplicates; 0: DEDUP_KEEP. */
	size_t		 keep;
};

/* What a dry run's row would take (claim_estimate). */
enum claim_would {
	CLAIM_SEND,		/* a request of its own */
	CLAIM_SHARED,		/* an earlier row's request */
	CLAIM_CACHED		/* an answer under --cache */
};

struct claim;

struct claim	*claim_new(const struct claim_parts *);
void		 claim_free(struct claim *);
/*
 * A new row, with its key: 1 if it is written (answered from memory or
 * the cache, and given back) or follows a row that asks the same; 0 if
 * it is to be sent, leading its key; -1 if out of memory.
 */
int		 claim_row(struct claim *, struct row *);
/*
 * The row is to be asked of --escalate's model, for this reason (its
 * first model's answer, if a success, kept already): 1 if it is written
 * (its new question's answer known) or follows a row that asks the same;
 * 0 if it is to be sent, leading its new key with the rows that followed
 * it; -1 if out of memory.
 */
int		 claim_escalate(struct claim *, struct row *,
		    enum row_escalated);
/* --estimate: an enum claim_would for the row, or -1 if out of memory. */
int		 claim_estimate(struct claim *, struct row *);
/* Rows following a leader, in all. */
size_t		 claim_waiting(const struct claim *);
/* A row that follows the leader, taken to go where it went (a leader
 * parked for a batch); NULL when none is left. */
struct row	*claim_follower(struct claim *, struct row *);
/* The row is done with: its key is free again, and what it held for an
 * escalation given back.  A row that never led is let be. */
void		 claim_end(struct claim *, struct row *);
/*
 * The leader ended, its line written: ok if with a success.  Each row
 * that followed it is written from its outcome (the answer read again
 * against that row, or the leader's error) and given back.  0, or -1 if
 * out of memory.
 */
int		 claim_release(struct claim *, struct row *, int);
/*
 * A row that will not be sent, and the rows that follow it: none is
 * written, each is counted unsent, the output told (so that --ordered
 * lets later rows go), and each given back.  But a row already paid for
 * (an answer to ask again, when the money ran out) is written, a
 * max_cost error holding that answer, and its followers from it.  0, or
 * -1 if out of memory.
 */
int		 claim_drop(struct claim *, struct row *);
/* claim_drop for the row and every row that waits in parts->rows. */
int		 claim_drop_all(struct claim *, struct row *);
/*
 * Keep a written row's success, for later rows and under --cache: 0; 1
 * if --cache could not keep it, the reason in the buffer (the run goes
 * on); -1 if out of memory.
 */
int		 claim_keep(struct claim *, struct row *, char *, size_t);
/*
 * --max-cost, with this many requests in flight: reserve the row's worst
 * case (1; always, without a budget), or say it must wait for the
 * requests in flight (0), or that the money is spent (-1).
 */
int		 claim_reserve(struct claim *, struct row *, int);
/* What the attempt that just ended cost, from its usage (or, without
 * one, its estimate: r->attempt_estimated); its worst case for a success
 * whose answer could not be read. */
double		 claim_cost(const struct row *);
/* The row's reservation ends with its attempt, which cost this much. */
void		 claim_settle(struct claim *, struct row *, double);

#endif
