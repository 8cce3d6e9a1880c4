/*
 * Rows: a row's life, from the input line it came from to the output
 * line written for it, and the places it waits on the way.
 *
 * A row is made by rows_get and given back with rows_put; its buffers
 * are kept for the next row, up to a size, so a run allocates about as
 * many rows as its window holds.  Between the two it is in exactly one
 * place: being loaded (input.h), in flight (its xfer belongs to the pool),
 * waiting for a retry (here, until rows_due gives it back), or finished
 * (its line waiting to be queued by the caller).
 *
 * Ownership: the row owns every buffer in it.  r->line is valid until
 * the row is put back; output_line copies it.  r->xfer.body points into
 * r->body and r->xfer.url into r->url (or is NULL): both borrowed by the
 * pool while the request is in flight.
 *
 * Not here: what a row's text means (input.h), what a response means
 * (verdict.h), what its line says (record.h), when it starts (sched.h).
 */
#ifndef ENRICH_ROWS_H
#define ENRICH_ROWS_H

#include <sys/queue.h>
#include <sys/tree.h>

#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#include "cache.h"
#include "json.h"
#include "pool.h"

/* The kinds of failure an error record names, as "type". */
enum row_error {
	ROW_ERR_HTTP,
	ROW_ERR_NETWORK,
	ROW_ERR_TIMEOUT,
	ROW_ERR_PARSE,
	ROW_ERR_TEMPLATE,
	ROW_ERR_INPUT,
	ROW_ERR_TRUNCATED,	/* cut at the token limit */
	ROW_ERR_REFUSED,	/* refused, or stopped by a filter */
	ROW_ERR_INVALID,	/* not a valid answer, after re-asking */
	ROW_ERR_MAX_COST,	/* paid for, but the money ran out before it
				 * could be asked again */
	ROW_ERR_ATTACH		/* a file -a names cannot be sent */
};

/* Why a row was asked again of --escalate's model. */
enum row_escalated {
	ROW_ESC_NONE,
	ROW_ESC_CONFIDENCE,	/* its answer's confidence was under --below */
	ROW_ESC_INVALID		/* it failed as invalid_answer */
};

/* What the first model's answers of an escalated row were and took. */
struct row_first {
	enum row_escalated	 why;
	double			 confidence;	/* its answer's, or -1 */
	long long		 prompt_tokens;	/* -1: not reported */
	long long		 completion_tokens;
	long long		 cached_tokens;
	double			 cost_usd;	/* -1: no price known */
	int			 cost_estimated;	/* partly: no usage said */
	int			 paid;		/* by this run: not from the cache
						 * or another row's request */
};

struct row {
	LIST_ENTRY(row)		 all;		/* every row, for rows_free */
	TAILQ_ENTRY(row)	 link;		/* on the free list */
	RB_ENTRY(row)		 wait;		/* waiting for a retry */
	/* The input. */
	uint64_t		 lineno;
	uint64_t		 seq;		/* among non-blank lines */
	struct buf		 text;		/* the input object */
	struct json_members	 members;	/* its members, in text */
	struct buf		 id;		/* the ID as JSON text */
	int			 idmissing;	/* id is the line number */
	/* The request. */
	struct buf		 body;
	struct buf		 url;		/* a batch line's own */
	struct xfer		 xfer;
	long long		 cost;		/* estimated tokens */
	size_t			 prompt_bytes;	/* of the rendered messages */
	/* Its key (cache.h), of the URL and the body as first rendered:
	 * the same for rows that ask the same thing. */
	unsigned char		 key[CACHE_KEY_LEN];
	int			 keyed;		/* key is set */
	RB_ENTRY(row)		 dup;		/* leading its key (dedup.h) */
	int			 leading;
	TAILQ_HEAD(, row)	 followers;	/* rows waiting on it */
	TAILQ_ENTRY(row)	 follow;	/* on its leader's list */
	double			 reserved;	/* --max-cost: dollars held */
	long long		 est_prompt;	/* and the prompt's tokens it
						 * estimated, unscaled */
	double			 spent_usd;	/* what its attempts cost, all
						 * told (claim_settle) */
	size_t			 cached_bytes;	/* of them, asking for a cache */
	/* Its attempts so far. */
	int			 attempts;	/* requests sent */
	int			 retries;	/* charged to -r */
	int			 ratelimits;	/* 429s waited out */
	int			 refusals;	/* of them, counted against
						 * --max-429 */
	long long		 refused_since;	/* the first 429's attempt
						 * started then */
	long long		 refused_last;	/* the last one counted */
	int			 parse_retried;
	long long		 due;		/* when to retry */
	long long		 delay;		/* and how long that is */
	unsigned long		 epoch;		/* pace_start's, this attempt */
	int			 endpoint;	/* several -u: this attempt's */
	uint64_t		 tried;		/* the endpoints that failed it */
	const char		*endpoint_name;	/* for _meta; NULL with one -u */
	long long		 prompt_tokens;		/* -1: not reported */
	long long		 completion_tokens;
	long long		 cached_tokens;	/* of prompt_tokens; -1: not
						 * reported */
	double			 cost_usd;	/* of its answers, from usage;
						 * -1: no price known */
	double			 attempt_usd;	/* of the last attempt's answer;
						 * -1: not known */
	long long		 attempt_prompt;	/* its prompt_tokens; -1:
						 * not known */
	int			 cost_estimated;	/* cost_usd is partly an
						 * estimate: an answer said
						 * no usage */
	int			 attempt_estimated;	/* attempt_usd is one */
	/* The outcome. */
	struct buf		 line;		/* the output line */
	int			 failed;	/* line is an error record */
	int			 cached;	/* answered from --cache */
	int			 shared;	/* answered by another row's
						 * request (dedup.h) */
	enum row_error		 error;		/* if failed: the kind, */
	long			 status;	/* the HTTP status or 0, */
	struct buf		 msg;		/* and the message; */
	struct buf		 kept;		/* the answer, as JSON text (a
						 * string): what came of a
						 * truncated one, or the last
						 * invalid one */
	int			 reasks;	/* asked again after an
						 * invalid answer */
	int			 label;		/* --labels: its index */
	double			 confidence;	/* --confidence: or -1 */
	/* --expect (expect.h): whether the answer is the right one (1 or
	 * 0), or -1 if the row holds none; the two as compared. */
	int			 agree;
	struct buf		 gold;
	struct buf		 given;
	/* --escalate: asked again of the second model; the tokens, cost and
	 * flags above are then that model's, the first one's set aside. */
	int			 escalated;
	struct row_first	 first;
	double			 held;		/* --max-cost: dollars held for
						 * the escalation */
};

struct rows;

struct rows	*rows_new(void);
/* Frees every row, wherever it is. */
void		 rows_free(struct rows *);
/* A clean row, or NULL if out of memory. */
struct row	*rows_get(struct rows *);
void		 rows_put(struct rows *, struct row *);
/* Wait until the time the row's due says. */
void		 rows_wait(struct rows *, struct row *);
/* A waiting row whose time has come, or NULL. */
struct row	*rows_due(struct rows *, long long);
/* Any waiting row, due or not, or NULL. */
struct row	*rows_pop(struct rows *);
/* When the next waiting row is due; -1 if none waits. */
long long	 rows_next_due(const struct rows *);
size_t		 rows_waiting(const struct rows *);
/* The waiting row after r (the first if r is NULL), by due time; NULL
 * after the last.  For reading only: the rows stay where they are. */
const struct row *rows_next_waiting(const struct rows *, const struct row *);
/*
 * The row is to be asked again of another model, for this reason: the
 * first model's tokens, cost and confidence are set aside in r->first,
 * and the row is as before its first answer, with new retries (its body
 * and key are the caller's to make).
 */
void		 rows_escalate(struct row *, enum row_escalated);
/* Set the row's error: its kind and status, and an empty message for
 * the caller to fill. */
void		 rows_set_error(struct row *, enum row_error, long);
/* The name of an error type, as in the record: "http", "timeout", ... */
const char	*rows_error_name(enum row_error);

#endif
