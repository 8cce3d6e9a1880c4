/*
 * Stats: what a run has done, counted, and the three ways it is told at
 * the end: the summary line, --stats-json, and --estimate's figures for a
 * dry run.  Counts from a server are added with saturation, so absurd
 * usage cannot wrap them.  It formats; the caller prints.
 *
 * Not here: the live status line (progress.h).
 */
#ifndef ENRICH_STATS_H
#define ENRICH_STATS_H

#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#include "expect.h"

/* What one endpoint did, when there are several (endpoints.h counts). */
struct stats_endpoint {
	const char	*name;		/* its URL, redacted */
	uint64_t	 rows;		/* attempts it answered (2xx) */
	uint64_t	 errors;	/* attempts it did not */
	uint64_t	 latency_ms;	/* the sum over those answered */
	uint64_t	 set_aside;	/* times */
};

struct stats {
	uint64_t	 ok;
	uint64_t	 failed;
	uint64_t	 skipped;
	uint64_t	 outside;	/* rows outside --sample, not written */
	uint64_t	 retries;
	uint64_t	 reasks;	/* invalid answers asked again */
	uint64_t	 http429;
	uint64_t	 inflight;
	uint64_t	 prompt_tokens;
	uint64_t	 completion_tokens;
	uint64_t	 cached_tokens;	/* of prompt_tokens, from a cache */
	uint64_t	 rows_read;	/* non-blank input lines taken, those
					 * outside the sample too */
	uint64_t	 bytes_read;	/* input bytes they took */
	uint64_t	 bytes_total;	/* the input's size, if known; else 0 */
	uint64_t	 connections;	/* opened over the run */
	double		 paced;		/* requests a second paced at, or 0 */
	double		 paced_tokens;	/* tokens a second paced at, or 0 */
	uint64_t	 cache_hits;	/* rows written from --cache */
	uint64_t	 shared;	/* rows written from another row's
					 * request: duplicates */
	int		 priced;	/* the model's prices are known; */
	const char	*unpriced;	/* else why not, for the summary, or
					 * NULL */
	double		 cost_usd;	/* spent, from each answer's usage */
	double		 cost_estimated_usd;	/* of it, estimated: answers
					 * that said no usage */
	uint64_t	 unsent;	/* --max-cost: read, not sent */
	/* --escalate: the two models (NULL without it), borrowed; the rows
	 * written with the second one's answer; the dollars each cost. */
	const char	*models[2];
	uint64_t	 escalated;
	double		 model_usd[2];
	long long	 start_ms;
	/* --expect: rows written are counted there; borrowed, or NULL. */
	struct expect	*expect;
	/* Several endpoints: theirs, borrowed; NULL with one. */
	const struct stats_endpoint *endpoints;
	size_t		 nendpoints;
	/* --estimate: what a dry run would send. */
	uint64_t	 est_rows;
	uint64_t	 est_tokens;	/* prompt tokens, estimated */
	uint64_t	 est_shared;	/* rows asking what another row asks */
	uint64_t	 est_cache_hits;	/* rows --cache answers */
	uint64_t	 est_cache_rows;	/* rows whose system prompt asks
					 * for the cache */
	uint64_t	 est_cached;	/* of est_tokens, read from it: the
					 * cached prompts after the first */
};

/* What the estimate needs that is not counted. */
struct stats_prices {
	long long	 budget;	/* completion tokens a row, 0: unknown */
	double		 price_in;	/* dollars a million tokens */
	double		 price_out;
	long long	 rpm;		/* --rpm, --tpm, or 0 */
	long long	 tpm;
	/* --escalate's model, or NULL, and its prices (0: unknown). */
	const char	*escalate;
	double		 escalate_in;
	double		 escalate_out;
};

/* *v += n, where n < 0 adds nothing, and the sum stops at the top. */
void		 stats_add(uint64_t *, long long);
/* "N rows in T s (R/s): ...", without a newline. */
void		 stats_summary(const struct stats *, long long, char *,
		    size_t);
/* Endpoint k's line: "URL: N rows, N errors, ...". */
void		 stats_endpoint_line(const struct stats *, size_t, char *,
		    size_t);
/*
 * --expect's lines: the k-th, 0 the accuracy, then a label's precision
 * and recall (each label's, or each answer's when there are few).  0, or
 * -1 after the last.
 */
int		 stats_expect_line(const struct stats *, size_t, char *,
		    size_t);
/* The same figures as one JSON object, with a newline; with several
 * endpoints, "endpoints": one object each; with --expect, "expect". */
int		 stats_json(const struct stats *, long long, struct buf *);
/* --estimate: rows, tokens, cost and time, as lines of text. */
int		 stats_estimate(const struct stats *, const struct stats_prices *,
		    struct buf *);

#endif
