#include <stdlib.h>

#include "deliver.h"
#include "expect.h"
#include "text.h"

struct deliver {
	struct deliver_parts	 p;
};

struct deliver *
deliver_new(const struct deliver_parts *parts)
{
	struct deliver	*d;

	if ((d = calloc(1, sizeof(*d))) == NULL)
		return NULL;
	d->p = *parts;
	return d;
}

void
deliver_free(struct deliver *d)
{
	free(d);
}

/* An estimate counts what a dry run would send. */
static int
estimate(struct deliver *d, struct row *r)
{
	struct stats	*st = d->p.stats;
	int		 rv;

	if ((rv = claim_estimate(d->p.claim, r)) == -1)
		return -1;
	if (rv == CLAIM_SHARED)
		st->est_shared++;
	else if (rv == CLAIM_CACHED)
		st->est_cache_hits++;
	else {
		st->est_rows++;
		stats_add(&st->est_tokens, text_tokens(r->prompt_bytes));
		if (r->cached_bytes > 0 && st->est_cache_rows++ > 0)
			stats_add(&st->est_cached,
			    text_tokens(r->cached_bytes));
	}
	return output_skip(d->p.out, r->seq);
}

int
deliver_row(struct deliver *d, struct row *r)
{
	struct stats	*st = d->p.stats;

	if (d->p.estimate && !r->failed)
		return estimate(d, r);
	if (output_line(d->p.out, r->seq, r->failed, r->line.data,
	    r->line.len) == -1 || (st->expect != NULL &&
	    expect_count(st->expect, r) == -1))
		return -1;
	/* Tokens paid for by this run: not a cached or a shared answer's. */
	if (r->cached)
		st->cache_hits++;
	else if (r->shared)
		st->shared++;
	else {
		stats_add(&st->prompt_tokens, r->prompt_tokens);
		stats_add(&st->completion_tokens, r->completion_tokens);
		stats_add(&st->cached_tokens, r->cached_tokens);
	}
	/* And the first model's, when this run paid for them. */
	if (r->escalated) {
		st->escalated++;
		if (r->first.paid) {
			stats_add(&st->prompt_tokens, r->first.prompt_tokens);
			stats_add(&st->completion_tokens,
			    r->first.completion_tokens);
			stats_add(&st->cached_tokens, r->first.cached_tokens);
		}
	}
	if (!r->failed) {
		st->ok++;
		return 0;
	}
	st->failed++;
	if (d->p.failed != NULL)
		d->p.failed(d->p.arg, r);
	return 0;
}
