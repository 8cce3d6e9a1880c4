#include <stdlib.h>

#include "finish.h"
#include "route.h"
#include "text.h"

struct finish {
	struct finish_parts	 p;
	int			 cache_said;	/* a write failure was said */
};

struct finish *
finish_new(const struct finish_parts *parts)
{
	struct finish	*f;

	if ((f = calloc(1, sizeof(*f))) == NULL)
		return NULL;
	f->p = *parts;
	return f;
}

void
finish_free(struct finish *f)
{
	free(f);
}

static void
tell(struct finish *f, enum finish_event what, const struct row *r,
    const struct verdict *v, const char *text)
{
	if (f->p.tell != NULL)
		f->p.tell(f->p.arg, what, r, v, text);
}

/* What a finished attempt means; the row's line is written unless it is
 * to be tried again, asked of --escalate's model (*esc), or the run
 * stops. */
static int
judge(struct finish *f, struct row *r, long long now, struct verdict *v,
    enum row_escalated *esc)
{
	const char	*note;
	char		 why[256];
	int		 rv;

	if (verdict_transfer(f->p.verdicts, r, now, v) == -1)
		return -1;
	if (v->kind == VERDICT_DONE) {
		rv = record_response(f->p.record, r, why, sizeof(why));
		if (rv == -1)
			return -1;
		switch (rv) {
		case RECORD_ESCALATE:
			*esc = ROW_ESC_CONFIDENCE;
			/* FALLTHROUGH */
		case RECORD_WRITTEN:
			rv = 0;
			verdict_success(f->p.verdicts, now);
			if ((note = record_note(f->p.record)) != NULL)
				tell(f, FINISH_ANSWER, r, NULL, note);
			break;
		case RECORD_UNREADABLE:
			rv = verdict_unreadable(f->p.verdicts, r, now, why, v);
			break;
		case RECORD_INVALID:
			rv = verdict_invalid(f->p.verdicts, r, now, why, v);
			if (rv == 0 && v->kind == VERDICT_RETRY &&
			    v->wait == VERDICT_REASK) {
				/* The model is told its own words. */
				if ((rv = input_reask(f->p.input, r, why)) == 1) {
					rv = 0;
					v->kind = VERDICT_FAIL;
				}
			}
			break;
		default:
			rv = verdict_final(f->p.verdicts, r,
			    rv == RECORD_TRUNCATED ? ROW_ERR_TRUNCATED :
			    ROW_ERR_REFUSED, why, v);
			break;
		}
		if (rv == -1)
			return -1;
	}
	/* Its re-asks spent, an invalid answer goes to the other model. */
	if (v->kind == VERDICT_FAIL && f->p.escalate != NULL &&
	    !r->escalated && r->error == ROW_ERR_INVALID) {
		*esc = ROW_ESC_INVALID;
		return 0;
	}
	if (v->kind == VERDICT_FAIL && record_error(f->p.record, r) == -1)
		return -1;
	return 0;
}

/*
 * The tokens a request took of a provider's limit, by its usage: its
 * prompt, and its completion budget whole when it sent one (OpenAI
 * counts max_tokens when the request starts, and gives back nothing
 * unused), else what it wrote.  -1 if the usage did not say.
 */
static long long
charged(const struct row *r)
{
	long long	 budget;

	if (r->prompt_tokens < 0 || r->completion_tokens < 0)
		return -1;
	budget = r->cost - text_tokens(r->prompt_bytes);
	return r->prompt_tokens + (budget > r->completion_tokens ? budget :
	    r->completion_tokens);
}

/* Keep a success; a failure to is said once, and the run goes on. */
static int
keep(struct finish *f, struct row *r)
{
	char	 why[512];
	int	 rv;

	if ((rv = claim_keep(f->p.claim, r, why, sizeof(why))) == 1 &&
	    !f->cache_said) {
		f->cache_said = 1;
		tell(f, FINISH_CACHE, r, NULL, why);
	}
	return rv == -1 ? -1 : 0;
}

/* The row waits for its retry; the pace hears of a rate limit. */
static void
retry(struct finish *f, struct row *r, long long now, const struct verdict *v)
{
	struct pace	*pace = f->p.pace;
	long long	 hold;

	r->delay = v->delay;
	r->due = now + v->delay;
	/* With several endpoints, a named wait holds its own endpoint
	 * (endpoints.h), not the others. */
	hold = v->wait == VERDICT_HOLD && f->p.endpoints == NULL ? r->due : 0;
	if ((v->wait == VERDICT_RATE || v->wait == VERDICT_HOLD) &&
	    (v->tokens ? pace_refused_tokens(pace, now, r->epoch, r->cost,
	    hold, v->told) : pace_refused(pace, now, r->epoch, hold)))
		tell(f, FINISH_PACED, r, v, NULL);
	if (v->wait == VERDICT_CHARGED)
		f->p.stats->retries++;
	if (v->wait == VERDICT_REASK)
		f->p.stats->reasks++;
	tell(f, FINISH_RETRY, r, v, NULL);
	rows_wait(f->p.rows, r);
}

/*
 * Asked again of --escalate's model: the first model's success kept for
 * later rows all the same; then the row is written now (its answer
 * known), follows another, or waits to be sent at once.
 */
static int
escalate(struct finish *f, struct row *r, long long now,
    enum row_escalated why)
{
	char	 text[512];
	int	 rv;

	if (why == ROW_ESC_CONFIDENCE && keep(f, r) == -1)
		return -1;
	if (why == ROW_ESC_CONFIDENCE)
		snprintf(text, sizeof(text), "confidence %.4f, under --below; "
		    "asking %s", r->confidence, f->p.escalate);
	else
		snprintf(text, sizeof(text), "%.*s; asking %s",
		    (int)r->msg.len, r->msg.data != NULL ? r->msg.data : "",
		    f->p.escalate);
	tell(f, FINISH_ESCALATE, r, NULL, text);
	if ((rv = claim_escalate(f->p.claim, r, why)) != 0)
		return rv == -1 ? -1 : 0;
	r->delay = 0;
	r->due = now;
	rows_wait(f->p.rows, r);
	return 0;
}

int
finish_row(struct finish *f, struct row *r, long long now)
{
	enum row_escalated	 esc = ROW_ESC_NONE;
	struct verdict		 v;
	double			 cost;
	int			 stop = 0;

	if (judge(f, r, now, &v, &esc) == -1)
		return -1;
	if (f->p.endpoints != NULL &&
	    route_verdict(f->p.endpoints, r, &v) == -1)
		return -1;
	if (f->p.rates != NULL) {
		cost = claim_cost(r);
		f->p.stats->cost_usd += cost;
		/* Each model's share, with --escalate. */
		f->p.stats->model_usd[r->escalated] += cost;
		/* No usage said: the part of it that is an estimate. */
		if (r->attempt_estimated || r->attempt_usd < 0)
			f->p.stats->cost_estimated_usd += cost;
		claim_settle(f->p.claim, r, cost);
	}
	switch (v.kind) {
	case VERDICT_RETRY:
		retry(f, r, now, &v);
		return 0;
	case VERDICT_STOP:
		/* The row is not written: it resumes. */
		tell(f, FINISH_STOP, r, &v, NULL);
		stop = 1;
		break;
	case VERDICT_DONE:
		pace_success(f->p.pace, now, r->cost, charged(r),
		    r->xfer.elapsed_ms);
		/* FALLTHROUGH */
	case VERDICT_FAIL:
		if (esc != ROW_ESC_NONE)
			return escalate(f, r, now, esc);
		if ((v.kind == VERDICT_DONE && keep(f, r) == -1) ||
		    f->p.emit(f->p.arg, r) == -1 ||
		    claim_release(f->p.claim, r, v.kind == VERDICT_DONE &&
		    !r->failed) == -1) {
			rows_put(f->p.rows, r);
			return -1;
		}
		break;
	}
	claim_end(f->p.claim, r);
	rows_put(f->p.rows, r);
	return stop;
}
