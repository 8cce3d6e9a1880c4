#include <stdlib.h>
#include <string.h>

#include "claim.h"
#include "dedup.h"
#include "text.h"

/* A buffer's bytes, never NULL (memcpy's arguments must not be). */
#define TEXT(b)		((b).data != NULL ? (b).data : "")

struct claim {
	struct claim_parts	 p;
	struct dedup		*dedup;
};

struct claim *
claim_new(const struct claim_parts *parts)
{
	struct claim	*c;

	if ((c = calloc(1, sizeof(*c))) == NULL)
		return NULL;
	c->p = *parts;
	if ((c->dedup = dedup_new()) == NULL) {
		free(c);
		return NULL;
	}
	if (parts->keep > 0)
		dedup_set_keep(c->dedup, parts->keep);
	return c;
}

void
claim_free(struct claim *c)
{
	if (c == NULL)
		return;
	dedup_free(c->dedup);
	free(c);
}

/* --max-cost: what the row held for an escalation it will not make. */
static void
unhold(struct claim *c, struct row *r)
{
	if (c->p.budget != NULL && r->held > 0)
		budget_settle(c->p.budget, r->held, 0);
	r->held = 0;
}

/*
 * An answer known for what the row asks, kept in memory from an earlier
 * row or in --cache: 1 if the row is written with it (its followers too)
 * and given back; 0 if none is known, or it no longer answers what is
 * asked; 2 if it was less sure than --below and the row, asked of
 * --escalate's model now, is to be sent (claim_escalate); -1 if out of
 * memory.
 */
static int
known(struct claim *c, struct row *r)
{
	char	 why[256];
	int	 rv;

	if ((rv = dedup_recall(c->dedup, r, &r->xfer.resp)) == 1)
		r->shared = 1;
	else if (rv == 0 && c->p.cache != NULL &&
	    (rv = cache_get(c->p.cache, r->key, &r->xfer.resp)) == 1)
		r->cached = 1;
	if (rv != 1)
		return rv;
	/* The same path as a response: checked and written as one. */
	r->xfer.result = XFER_RESPONSE;
	r->xfer.status = 200;
	if ((rv = record_response(c->p.record, r, why, sizeof(why))) == -1)
		return -1;
	if (rv == RECORD_ESCALATE)
		return (rv = claim_escalate(c, r, ROW_ESC_CONFIDENCE)) == 0 ?
		    2 : rv;
	if (rv == RECORD_WRITTEN) {
		if (c->p.emit(c->p.arg, r) == -1 ||
		    claim_release(c, r, 1) == -1)
			rv = -1;
		else
			rv = 1;
		rows_put(c->p.rows, r);
		return rv;
	}
	/* No longer an answer to what is asked: a miss. */
	r->cached = r->shared = 0;
	r->prompt_tokens = r->completion_tokens = -1;
	r->cached_tokens = -1;
	r->cost_usd = r->attempt_usd = -1;
	r->cost_estimated = r->attempt_estimated = 0;
	buf_reset(&r->line);
	return 0;
}

int
claim_row(struct claim *c, struct row *r)
{
	struct row	*lead;
	int		 rv;

	if ((rv = known(c, r)) != 0)
		return rv == 2 ? 0 : rv;
	if ((lead = dedup_find(c->dedup, r)) != NULL) {
		dedup_follow(c->dedup, lead, r);
		return 1;
	}
	dedup_lead(c->dedup, r);
	return 0;
}

int
claim_escalate(struct claim *c, struct row *r, enum row_escalated why)
{
	unsigned char	 key[CACHE_KEY_LEN];
	struct row	*lead;
	int		 rv;

	rows_escalate(r, why);
	if (input_escalate(c->p.input, r, key) == -1)
		return -1;
	if ((lead = dedup_rekey(c->dedup, r, key)) != NULL) {
		/* It sends nothing more: what it held goes back. */
		unhold(c, r);
		dedup_follow(c->dedup, lead, r);
		return 1;
	}
	/* An escalated row's answer is never escalated: never 2. */
	if ((rv = known(c, r)) != 0)
		return rv;
	/* From claim_row, it leads nothing yet; from a response, it goes on
	 * leading, under its new key. */
	if (!r->leading)
		dedup_lead(c->dedup, r);
	return 0;
}

/* A follower of an escalated leader is answered as it was. */
static void
follow_escalated(struct row *f, const struct row *lead)
{
	if (!lead->escalated || f->escalated)
		return;
	rows_escalate(f, lead->first.why);
	f->first = lead->first;
	f->first.paid = 0;
}

int
claim_estimate(struct claim *c, struct row *r)
{
	int	 rv;

	if ((rv = dedup_seen(c->dedup, r)) != 0)
		return rv == 1 ? CLAIM_SHARED : -1;
	if (c->p.cache != NULL && (rv = cache_get(c->p.cache, r->key,
	    &r->xfer.resp)) != 0)
		return rv == 1 ? CLAIM_CACHED : -1;
	return CLAIM_SEND;
}

size_t
claim_waiting(const struct claim *c)
{
	return dedup_waiting(c->dedup);
}

struct row *
claim_follower(struct claim *c, struct row *lead)
{
	return dedup_take(c->dedup, lead);
}

void
claim_end(struct claim *c, struct row *r)
{
	unhold(c, r);
	dedup_end(c->dedup, r);
}

int
claim_release(struct claim *c, struct row *lead, int ok)
{
	struct row	*f;
	char		 why[256];
	int		 rv;

	unhold(c, lead);
	while ((f = dedup_take(c->dedup, lead)) != NULL) {
		follow_escalated(f, lead);
		f->shared = 1;
		f->xfer.result = lead->xfer.result;
		f->xfer.status = lead->xfer.status;
		rv = 0;
		if (ok) {
			buf_reset(&f->xfer.resp);
			if (buf_add(&f->xfer.resp, TEXT(lead->xfer.resp),
			    lead->xfer.resp.len) == -1 ||
			    (rv = record_response(c->p.record, f, why,
			    sizeof(why))) == -1)
				goto fail;
		}
		/* Its leader's answer, as written: not asked again. */
		if (rv == RECORD_ESCALATE)
			rv = RECORD_WRITTEN;
		if (!ok || rv != RECORD_WRITTEN) {
			/* The request's failure, as many attempts as it
			 * took: the same words for every row of it. */
			if (!ok)
				f->attempts = lead->attempts;
			rows_set_error(f, ok ? ROW_ERR_PARSE : lead->error,
			    ok ? 0 : lead->status);
			buf_reset(&f->kept);
			if (buf_add(&f->msg, ok ? why : TEXT(lead->msg), ok ?
			    strlen(why) : lead->msg.len) == -1 ||
			    (!ok && buf_add(&f->kept, TEXT(lead->kept),
			    lead->kept.len) == -1) ||
			    record_error(c->p.record, f) == -1)
				goto fail;
		}
		if (c->p.emit(c->p.arg, f) == -1)
			goto fail;
		rows_put(c->p.rows, f);
	}
	dedup_end(c->dedup, lead);
	return 0;
fail:
	rows_put(c->p.rows, f);
	return -1;
}

/*
 * A row dropped after the run paid for an answer to it (one to be asked
 * again, when the money ran out): written, an error of its own type
 * holding the answer paid for, with its tokens and dollars, never left
 * for --skip-ids to pay for unseen; the rows that follow it are written
 * from it.  0, or -1 if out of memory.
 */
static int
write_paid(struct claim *c, struct row *r)
{
	static const char	 why[] = "the money (--max-cost) ran out before "
				    "the row could be asked again; \"answer\" "
				    "holds the last answer, paid for";
	int			 rv;

	rows_set_error(r, ROW_ERR_MAX_COST, 0);
	rv = buf_adds(&r->msg, why) == -1 || record_error(c->p.record, r) ==
	    -1 || c->p.emit(c->p.arg, r) == -1 || claim_release(c, r, 0) == -1;
	rows_put(c->p.rows, r);
	return rv ? -1 : 0;
}

int
claim_drop(struct claim *c, struct row *r)
{
	struct row	*f;
	int		 rv = 0;

	if (r->spent_usd > 0)
		return write_paid(c, r);
	while ((f = dedup_take(c->dedup, r)) != NULL) {
		c->p.stats->unsent++;
		rv |= output_skip(c->p.out, f->seq);
		rows_put(c->p.rows, f);
	}
	dedup_end(c->dedup, r);
	unhold(c, r);
	c->p.stats->unsent++;
	rv |= output_skip(c->p.out, r->seq);
	rows_put(c->p.rows, r);
	return rv == 0 ? 0 : -1;
}

int
claim_drop_all(struct claim *c, struct row *r)
{
	int	 rv;

	rv = claim_drop(c, r);
	while ((r = rows_pop(c->p.rows)) != NULL)
		rv |= claim_drop(c, r);
	return rv;
}

int
claim_keep(struct claim *c, struct row *r, char *why, size_t whylen)
{
	if (r->failed || r->cached || r->shared || !r->keyed)
		return 0;
	if (dedup_keep(c->dedup, r, TEXT(r->xfer.resp), r->xfer.resp.len) ==
	    -1)
		return -1;
	if (c->p.cache == NULL)
		return 0;
	return cache_put(c->p.cache, r->key, TEXT(r->xfer.resp),
	    r->xfer.resp.len, why, whylen) == -1 ? 1 : 0;
}

int
claim_reserve(struct claim *c, struct row *r, int inflight)
{
	const struct price_rates *esc = c->p.escalate_rates;
	struct budget	*b = c->p.budget;
	long long	 est, prompt, completion;
	double		 worst, extra = 0;

	if (b == NULL)
		return 1;
	/* The completion's limit is exact; the prompt's tokens are not. */
	est = budget_estimate(r->prompt_bytes);
	prompt = budget_prompt(b, est);
	completion = r->cost - text_tokens(r->prompt_bytes);
	worst = price_cost(r->escalated ? esc : &b->rates, prompt, 0,
	    completion);
	/* The escalation's first request: what was held for it, and more
	 * should the prompts have turned out longer since. */
	if (r->escalated && r->held > 0) {
		if (worst > r->held && budget_reserve(b, worst - r->held) == 0)
			r->held = worst;
		r->reserved = r->held;
		r->held = 0;
		r->est_prompt = est;
		return 1;
	}
	/* Its first request holds an escalation's too, as the worst case:
	 * the same prompt and budget at the other model's prices. */
	if (esc != NULL && !r->escalated && r->held == 0)
		extra = price_cost(esc, prompt, 0, completion);
	if (budget_reserve(b, worst + extra) == 0) {
		r->reserved = worst;
		r->held += extra;
		r->est_prompt = est;
		return 1;
	}
	return inflight > 0 ? 0 : -1;
}

double
claim_cost(const struct row *r)
{
	const struct xfer	*x = &r->xfer;

	if (x->result != XFER_RESPONSE || x->status < 200 || x->status > 299)
		return 0;
	/* A success whose answer could not be read: the worst it could
	 * have been.  One without usage has its estimate (record.c). */
	if (r->attempt_usd < 0)
		return r->reserved;
	return r->attempt_usd;
}

void
claim_settle(struct claim *c, struct row *r, double cost)
{
	r->spent_usd += cost;
	if (c->p.budget != NULL) {
		budget_settle(c->p.budget, r->reserved, cost);
		/* What the prompt came to, for the estimates to come. */
		if (r->attempt_prompt >= 0)
			budget_learn(c->p.budget, r->est_prompt,
			    r->attempt_prompt);
	}
	r->reserved = 0;
}
