#include <stdlib.h>

#include "rows.h"

/* A recycled row keeps buffers up to this size; larger ones are freed. */
#define KEEP_BYTES	(1024 * 1024)

static const char *const error_names[] = {
	[ROW_ERR_HTTP] = "http",
	[ROW_ERR_NETWORK] = "network",
	[ROW_ERR_TIMEOUT] = "timeout",
	[ROW_ERR_PARSE] = "parse",
	[ROW_ERR_TEMPLATE] = "template",
	[ROW_ERR_INPUT] = "input",
	[ROW_ERR_TRUNCATED] = "truncated",
	[ROW_ERR_REFUSED] = "refused",
	[ROW_ERR_INVALID] = "invalid_answer",
	[ROW_ERR_MAX_COST] = "max_cost",
	[ROW_ERR_ATTACH] = "attachment",
};

static int
wait_cmp(const struct row *a, const struct row *b)
{
	if (a->due != b->due)
		return a->due < b->due ? -1 : 1;
	if (a->lineno != b->lineno)
		return a->lineno < b->lineno ? -1 : 1;
	return 0;
}

RB_HEAD(waittree, row);
/* libbsd leaves __unused undefined, which RB_GENERATE_STATIC needs. */
RB_GENERATE_INTERNAL(waittree, row, wait, wait_cmp,
    static __attribute__((unused)))

struct rows {
	struct waittree		 waiting;
	size_t			 nwaiting;
	TAILQ_HEAD(, row)	 free;
	LIST_HEAD(, row)	 all;	/* free, waiting, in flight, anywhere */
};

struct rows *
rows_new(void)
{
	struct rows	*rs;

	if ((rs = calloc(1, sizeof(*rs))) == NULL)
		return NULL;
	RB_INIT(&rs->waiting);
	TAILQ_INIT(&rs->free);
	LIST_INIT(&rs->all);
	return rs;
}

static void
row_free(struct row *r)
{
	buf_free(&r->text);
	json_members_free(&r->members);
	buf_free(&r->id);
	buf_free(&r->body);
	buf_free(&r->url);
	buf_free(&r->xfer.resp);
	buf_free(&r->line);
	buf_free(&r->msg);
	buf_free(&r->kept);
	buf_free(&r->gold);
	buf_free(&r->given);
	free(r);
}

void
rows_free(struct rows *rs)
{
	struct row	*r;

	if (rs == NULL)
		return;
	/* Rows still in flight or waiting when the run stops go too. */
	while ((r = LIST_FIRST(&rs->all)) != NULL) {
		LIST_REMOVE(r, all);
		row_free(r);
	}
	free(rs);
}

struct row *
rows_get(struct rows *rs)
{
	struct row	*r;

	if ((r = TAILQ_FIRST(&rs->free)) != NULL)
		TAILQ_REMOVE(&rs->free, r, link);
	else if ((r = calloc(1, sizeof(*r))) == NULL)
		return NULL;
	else
		LIST_INSERT_HEAD(&rs->all, r, all);
	r->xfer.udata = r;
	r->attempts = r->retries = r->ratelimits = r->parse_retried = 0;
	r->reasks = 0;
	r->refusals = 0;
	r->refused_since = 0;
	r->refused_last = 0;
	r->label = -1;
	r->confidence = -1;
	r->agree = -1;
	r->escalated = 0;
	r->held = 0;
	r->failed = 0;
	r->cost = 0;
	r->prompt_bytes = 0;
	r->cached_bytes = 0;
	r->prompt_tokens = r->completion_tokens = -1;
	r->cached_tokens = -1;
	r->cost_usd = r->attempt_usd = -1;
	r->attempt_prompt = -1;
	r->cost_estimated = r->attempt_estimated = 0;
	r->keyed = r->leading = r->cached = r->shared = 0;
	r->reserved = 0;
	r->spent_usd = 0;
	buf_reset(&r->text);
	buf_reset(&r->id);
	buf_reset(&r->body);
	buf_reset(&r->url);
	r->xfer.url = NULL;
	r->xfer.target = r->endpoint = 0;
	r->tried = 0;
	r->endpoint_name = NULL;
	buf_reset(&r->line);
	buf_reset(&r->msg);
	buf_reset(&r->kept);
	buf_reset(&r->gold);
	buf_reset(&r->given);
	return r;
}

static void
shrink(struct buf *b)
{
	if (b->cap > KEEP_BYTES)
		buf_free(b);
}

void
rows_put(struct rows *rs, struct row *r)
{
	/* One huge row must not pin its memory for the rest of the run. */
	shrink(&r->text);
	shrink(&r->body);
	shrink(&r->xfer.resp);
	shrink(&r->line);
	shrink(&r->msg);
	shrink(&r->kept);
	shrink(&r->gold);
	shrink(&r->given);
	if (r->members.cap > 1024)
		json_members_free(&r->members);
	TAILQ_INSERT_HEAD(&rs->free, r, link);
}

void
rows_escalate(struct row *r, enum row_escalated why)
{
	r->first.why = why;
	r->first.confidence = r->confidence;
	r->first.prompt_tokens = r->prompt_tokens;
	r->first.completion_tokens = r->completion_tokens;
	r->first.cached_tokens = r->cached_tokens;
	r->first.cost_usd = r->cost_usd;
	r->first.cost_estimated = r->cost_estimated;
	r->first.paid = !r->cached && !r->shared;
	r->escalated = 1;
	r->prompt_tokens = r->completion_tokens = r->cached_tokens = -1;
	r->cost_usd = r->attempt_usd = -1;
	r->cost_estimated = r->attempt_estimated = 0;
	r->cached = r->shared = 0;
	r->failed = 0;
	r->confidence = -1;
	r->label = -1;
	r->retries = r->ratelimits = r->parse_retried = 0;
	r->refusals = 0;
	r->tried = 0;
	buf_reset(&r->line);
	buf_reset(&r->msg);
}

void
rows_wait(struct rows *rs, struct row *r)
{
	RB_INSERT(waittree, &rs->waiting, r);
	rs->nwaiting++;
}

struct row *
rows_pop(struct rows *rs)
{
	struct row	*r = RB_MIN(waittree, &rs->waiting);

	if (r != NULL) {
		RB_REMOVE(waittree, &rs->waiting, r);
		rs->nwaiting--;
	}
	return r;
}

struct row *
rows_due(struct rows *rs, long long now)
{
	struct row	*r = RB_MIN(waittree, &rs->waiting);

	return r != NULL && r->due <= now ? rows_pop(rs) : NULL;
}

long long
rows_next_due(const struct rows *rs)
{
	struct row	*r = RB_MIN(waittree, (struct waittree *)&rs->waiting);

	return r != NULL ? r->due : -1;
}

const struct row *
rows_next_waiting(const struct rows *rs, const struct row *r)
{
	struct waittree	*t = (struct waittree *)&rs->waiting;

	return r == NULL ? RB_MIN(waittree, t) :
	    RB_NEXT(waittree, t, (struct row *)r);
}

size_t
rows_waiting(const struct rows *rs)
{
	return rs->nwaiting;
}

void
rows_set_error(struct row *r, enum row_error type, long status)
{
	r->error = type;
	r->status = status;
	buf_reset(&r->msg);
}

const char *
rows_error_name(enum row_error e)
{
	return error_names[e];
}
