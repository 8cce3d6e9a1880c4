/*
 * Rows: one input line's life, from its text to a request body, and from
 * the response to the line written for it.
 *
 * row_load turns an input line into a request body, or straight into an
 * output line when there is nothing to send (a bad line, a template that
 * does not fit, a dry run).  row_finish reads the finished transfer and
 * writes the output line: the input object byte for byte with the answer
 * (or the error) set, or says that the whole run must stop.
 *
 * Rows are recycled through rows_get and rows_put, so their buffers are
 * allocated once and grow to the largest row seen, within a bound.
 *
 * Not here: when rows start or where lines go (filter.c, output.h).
 */
#ifndef ENRICH_ROW_H
#define ENRICH_ROW_H

#include <sys/queue.h>
#include <sys/tree.h>

#include <stdint.h>

#include "buf.h"
#include "idset.h"
#include "json.h"
#include "lines.h"
#include "pool.h"
#include "request.h"

struct row_config {
	const char		*idfield;	/* -i */
	const char		*field;		/* -o */
	const char		*errfield;	/* --error-field */
	const struct request	*request;
	const struct idset	*skip;		/* --skip-ids, or NULL */
	int			 dry_run;
	int			 json;		/* --json: merge the answer */
	int			 batch_in;	/* --batch-input lines */
	int			 batch_out;	/* --batch-output lines */
	const char		*base;		/* --url, for batch paths */
	int			 meta;		/* --meta */
	int			 retries;	/* -r: per row */
	long long		 max_wait_ms;	/* --max-wait */
	long long		 stall_ms;	/* --stall-timeout */
};

enum row_error {
	ROW_ERR_HTTP,
	ROW_ERR_NETWORK,
	ROW_ERR_TIMEOUT,
	ROW_ERR_PARSE,
	ROW_ERR_TEMPLATE,
	ROW_ERR_INPUT
};

enum row_next {
	ROW_BLANK,		/* nothing to do, nothing to write */
	ROW_SKIP,		/* done in an earlier run: no output */
	ROW_SEND,		/* row->xfer is ready for the pool */
	ROW_WRITE,		/* row->line is ready for the output */
	ROW_RETRY,		/* waiting: rows_due gives it back later */
	ROW_FATAL		/* no row can succeed: stop, see row->msg */
};

struct row {
	LIST_ENTRY(row)		 all;		/* every row, for rows_free */
	TAILQ_ENTRY(row)	 link;		/* on the free list */
	RB_ENTRY(row)		 wait;		/* waiting for a retry */
	uint64_t		 lineno;
	uint64_t		 seq;		/* among non-blank lines */
	struct buf		 text;		/* the input object */
	struct json_members	 members;
	struct buf		 id;		/* the ID as JSON text */
	int			 idmissing;
	struct buf		 body;
	struct buf		 url;		/* a batch line's own */
	struct xfer		 xfer;
	long long		 cost;		/* estimated tokens */
	size_t			 prompt_bytes;	/* of the rendered messages */
	int			 attempts;	/* requests sent */
	int			 retries;	/* charged to -r */
	int			 ratelimits;	/* 429s waited out */
	int			 parse_retried;
	long long		 due;		/* when to retry */
	long long		 delay;		/* and how long that is */
	long long		 hold;		/* a 429's wait: hold everyone */
	int			 ratelimited;	/* the wait is for a rate limit */
	unsigned long		 epoch;		/* tune_started's, this attempt */
	long long		 prompt_tokens;
	long long		 completion_tokens;
	struct buf		 line;		/* the output line */
	int			 failed;	/* line is an error record */
	enum row_error		 error;		/* if failed: the kind, */
	long			 status;	/* the HTTP status or 0, */
	struct buf		 msg;		/* and the message */
};

struct rows;

/* now: the start of the run, for --stall-timeout. */
struct rows	*rows_new(const struct row_config *, long long);
void		 rows_free(struct rows *);
/* A clean row, or NULL if out of memory. */
struct row	*rows_get(struct rows *);
void		 rows_put(struct rows *, struct row *);
/* Both return an enum row_next, or -1 if out of memory. */
int		 row_load(struct rows *, struct row *, const struct line *);
int		 row_finish(struct rows *, struct row *, long long);
/* A waiting row whose time has come, or NULL. */
struct row	*rows_due(struct rows *, long long);
/* When the next waiting row is due; -1 if none waits. */
long long	 rows_next_due(const struct rows *);
size_t		 rows_waiting(const struct rows *);
/* After this time no retry is scheduled: the row fails instead. */
void		 rows_deadline(struct rows *, long long);
/* Any waiting row, due or not, or NULL. */
struct row	*rows_pop(struct rows *);
/* Fail a row that will not be tried again; its line is then ready. */
int		 row_give_up(struct rows *, struct row *);
/* The name of an error type, as in the record: "http", "timeout", ... */
const char	*row_error_name(enum row_error);

#endif
