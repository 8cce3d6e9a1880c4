/*
 * Finish driven by hand, on rowkit.h's rows and claim: each attempt
 * reserved, ended here with a status, a body and headers, and counted as
 * sched.c does it; a tell that keeps what is said.  The model costs $1 a
 * token, and the budget never runs out.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check.h"
#include "finish.h"
#include "rowkit.h"
#include "text.h"

#define MONEY	1e9	/* --max-cost: more than any test spends */

/* The fake clock. */
static long long	 now;

/* What finish said, in order. */
struct heard {
	enum finish_event	 what;
	long			 id;
	enum verdict_wait	 wait;
	long long		 delay;
	char			 text[256];	/* the text, else the row's msg */
};

/* Rowkit's harness first: emit and tell share the argument. */
struct finisher {
	struct harness		 h;
	struct verdicts		*verdicts;
	struct pace		*pace;
	struct finish		*f;
	struct heard		 heard[16];
	size_t			 nheard;
};

static void
told(void *arg, enum finish_event what, const struct row *r,
    const struct verdict *v, const char *text)
{
	struct finisher	*t = arg;
	struct heard	*e;
	char		 tmp[32];

	if (t->nheard == sizeof(t->heard) / sizeof(t->heard[0]))
		return;
	e = &t->heard[t->nheard++];
	e->what = what;
	snprintf(tmp, sizeof(tmp), "%.*s", (int)r->id.len, r->id.data);
	e->id = strtol(tmp, NULL, 10);
	e->wait = v != NULL ? v->wait : VERDICT_CHARGED;
	e->delay = v != NULL ? v->delay : -1;
	if (text != NULL)
		snprintf(e->text, sizeof(e->text), "%s", text);
	else
		snprintf(e->text, sizeof(e->text), "%.*s", (int)r->msg.len,
		    r->msg.data != NULL ? r->msg.data : "");
}

/* With --escalate big (rowkit.h's setup_escalate: below, or -1 for
 * --labels yes,no), each invalid answer asked again once. */
static void
start_escalate(struct finisher *t, struct cache *cache, double money,
    double below)
{
	struct verdict_config	 vc = { .retries = 2, .max_wait_ms = 60000,
				    .stall_ms = 600000, .reask = 1 };
	struct pace_config	 pc = { .window = 4, .max_window = 1000,
				    .max_wait_ms = 60000 };
	struct finish_parts	 fp = { 0 };

	memset(t, 0, sizeof(*t));
	now = 0;
	setup_escalate(&t->h, cache, money, below);
	if ((t->verdicts = verdict_new(&vc, now)) == NULL ||
	    (t->pace = pace_new(&pc, now)) == NULL)
		abort();
	fp.rows = t->h.rows;
	fp.input = t->h.input;
	fp.record = t->h.record;
	fp.verdicts = t->verdicts;
	fp.pace = t->pace;
	fp.stats = &t->h.st;
	fp.rates = &t->h.budget.rates;
	fp.claim = t->h.c;
	fp.emit = emit;
	fp.tell = told;
	fp.arg = t;
	fp.escalate = below != 0 ? "big" : NULL;
	if ((t->f = finish_new(&fp)) == NULL)
		abort();
}

static void
start(struct finisher *t, struct cache *cache)
{
	start_escalate(t, cache, MONEY, 0);
}

static void
stop(struct finisher *t)
{
	finish_free(t->f);
	pace_free(t->pace);
	verdict_free(t->verdicts);
	teardown(&t->h);
}

/* Row id asking q, claimed: 0 if it leads its key and is to be sent. */
static int
claimed(struct finisher *t, int id, const char *q, struct row **rp)
{
	struct row	*r;

	r = row(&t->h, id, q);
	if (rp != NULL)
		*rp = r;
	return claim_row(t->h.c, r);
}

/*
 * The row's request, sent at now and ended 5 ms later with this status
 * and body (and Retry-After, if not NULL), counted as sched.c counts it:
 * what finish_row makes of it.
 */
static int
ended(struct finisher *t, struct row *r, long status, const char *body,
    const char *retry_after)
{
	struct xfer	*x = &r->xfer;

	if (claim_reserve(t->h.c, r, 0) != 1)
		abort();
	r->epoch = pace_start(t->pace, now, r->cost);
	memset(x->header, 0, sizeof(x->header));
	if (retry_after != NULL)
		strlcpy(x->header[XH_RETRY_AFTER], retry_after,
		    sizeof(x->header[XH_RETRY_AFTER]));
	x->result = XFER_RESPONSE;
	x->status = status;
	x->elapsed_ms = 5;
	buf_reset(&x->resp);
	if (buf_adds(&x->resp, body) == -1)
		abort();
	now += 5;
	r->attempts++;
	pace_end(t->pace, r->cost);
	r->attempt_usd = -1;
	return finish_row(t->f, r, now);
}

/* A 200 whose answer is text, with its usage: 2 + 1 tokens, $3. */
static const char *
answer(const char *text)
{
	static char	 body[256];

	snprintf(body, sizeof(body), "{\"choices\":[{\"message\":{\"role\":"
	    "\"assistant\",\"content\":\"%s\"}}],\"usage\":{\"prompt_tokens\":"
	    "2,\"completion_tokens\":1}}", text);
	return body;
}

/* A 200 whose answer is text, a token of this logprob: 2 + 1 tokens. */
static const char *
sure(const char *text, const char *logprob)
{
	static char	 body[512];

	snprintf(body, sizeof(body), "{\"choices\":[{\"message\":{\"role\":"
	    "\"assistant\",\"content\":\"%s\"},\"logprobs\":{\"content\":"
	    "[{\"token\":\"%s\",\"logprob\":%s}]}}],\"usage\":{"
	    "\"prompt_tokens\":2,\"completion_tokens\":1}}", text, text,
	    logprob);
	return body;
}

/* A 429 that names its wait: the row waits that long, not charged to -r,
 * and the pace holds every request until then; a 500 is charged.  Neither
 * is paid for, and nothing is written. */
static void
test_retry(void)
{
	struct finisher	 t;
	struct row	*r;

	start(&t, NULL);
	CHECK(claimed(&t, 1, "q1", &r) == 0);
	CHECK(ended(&t, r, 429, "{\"error\":{\"message\":\"Rate limit "
	    "reached for requests\",\"type\":\"requests\",\"code\":"
	    "\"rate_limit_exceeded\"}}", "2") == 0);
	CHECK(t.nheard == 2);
	CHECK(t.heard[0].what == FINISH_PACED && t.heard[0].id == 1);
	CHECK(t.heard[1].what == FINISH_RETRY && t.heard[1].id == 1 &&
	    t.heard[1].wait == VERDICT_HOLD && t.heard[1].delay == 2000);
	CHECK(r->due == 2005 && r->delay == 2000);
	CHECK(rows_waiting(t.h.rows) == 1 && rows_next_due(t.h.rows) == 2005);
	CHECK(t.h.st.retries == 0);
	/* Nothing starts before the named wait is over. */
	CHECK(pace_wait(t.pace, 100, r->cost) == 1905);
	CHECK(rows_due(t.h.rows, 2005) == r);

	/* A 500: its backoff, charged to -r, nothing paced. */
	now = 2005;
	CHECK(ended(&t, r, 500, "{\"error\":{\"message\":\"boom\",\"type\":"
	    "\"server_error\"}}", NULL) == 0);
	CHECK(t.nheard == 3 && t.heard[2].what == FINISH_RETRY &&
	    t.heard[2].wait == VERDICT_CHARGED && t.heard[2].delay >= 0 &&
	    t.heard[2].delay <= VERDICT_BASE_MS);
	CHECK(strcmp(t.heard[2].text, "boom") == 0);
	CHECK(t.h.st.retries == 1 && rows_waiting(t.h.rows) == 1);
	CHECK(t.h.emitted == 0);
	CHECK(t.h.st.cost_usd == 0 && t.h.budget.spent == 0 &&
	    t.h.budget.reserved == 0);
	stop(&t);
}

/* A 401: the run stops, and the row is not written (it is to be
 * resumed), nor the row that follows it. */
static void
test_stop(void)
{
	struct finisher	 t;
	struct row	*r;

	start(&t, NULL);
	CHECK(claimed(&t, 1, "same", &r) == 0);
	CHECK(claimed(&t, 2, "same", NULL) == 1);
	CHECK(ended(&t, r, 401, "{\"error\":{\"message\":\"Incorrect API "
	    "key provided\",\"type\":\"invalid_request_error\",\"code\":"
	    "\"invalid_api_key\"}}", NULL) == 1);
	CHECK(t.nheard == 1 && t.heard[0].what == FINISH_STOP &&
	    t.heard[0].id == 1);
	CHECK(strcmp(t.heard[0].text, "Incorrect API key provided (check "
	    "OPENAI_API_KEY or --api-key-file)") == 0);
	CHECK(t.h.emitted == 0 && rows_waiting(t.h.rows) == 0);
	CHECK(claim_waiting(t.h.c) == 1);
	stop(&t);
}

/* A leader and a row that follows it, and how the leader's request ends:
 * nothing is said, and both are written. */
static void
both(struct finisher *t, long status, const char *body)
{
	struct row	*r;

	start(t, NULL);
	CHECK(claimed(t, 1, "same", &r) == 0);
	CHECK(claimed(t, 2, "same", NULL) == 1);
	CHECK(ended(t, r, status, body, NULL) == 0);
	CHECK(t->nheard == 0 && t->h.emitted == 2);
	CHECK(rows_waiting(t->h.rows) == 0 && claim_waiting(t->h.c) == 0);
	CHECK(t->h.budget.reserved == 0);
}

/* A 400: each row is written with its error object; nothing is paid,
 * and nothing kept. */
static void
test_fail(void)
{
	struct finisher	 t;
	struct row	*r;

	both(&t, 400, "{\"error\":{\"message\":\"bad thing\",\"type\":"
	    "\"invalid_request_error\"}}");
	CHECK(t.h.failed == 2);
	CHECK(wrote(&t.h, "{\"id\":1,\"q\":\"same\",\"error\":{\"type\":"
	    "\"http\",\"status\":400,\"message\":\"bad thing\","
	    "\"attempts\":1}}\n"));
	CHECK(wrote(&t.h, "{\"id\":2,\"q\":\"same\",\"error\":{\"type\":"
	    "\"http\",\"status\":400,\"message\":\"bad thing\","
	    "\"attempts\":1}}\n"));
	CHECK(t.h.st.cost_usd == 0 && t.h.budget.spent == 0);
	/* The next row of the key leads. */
	CHECK(claimed(&t, 3, "same", &r) == 0);
	rows_put(t.h.rows, r);
	stop(&t);
}

/* A 200: each row is written with the answer; its usage is paid, and the
 * answer kept for rows to come. */
static void
test_success(void)
{
	struct finisher	 t;

	both(&t, 200, answer("yes"));
	CHECK(t.h.failed == 0);
	CHECK(wrote(&t.h, "{\"id\":1,\"q\":\"same\",\"answer\":\"yes\"}\n"));
	CHECK(wrote(&t.h, "{\"id\":2,\"q\":\"same\",\"answer\":\"yes\"}\n"));
	CHECK(t.h.st.cost_usd == 3 && t.h.budget.spent == 3);
	/* Kept: a later row of the key is written at once. */
	CHECK(claimed(&t, 3, "same", NULL) == 1);
	CHECK(t.h.emitted == 3);
	CHECK(wrote(&t.h, "{\"id\":3,\"q\":\"same\",\"answer\":\"yes\"}\n"));
	stop(&t);
}

/* A --cache that cannot keep answers: said once, and every answer is
 * still written. */
static void
test_cache(void)
{
	struct finisher	 t;
	struct cache	*gone;
	struct row	*r;
	char		 bad[] = "/tmp/test_finish.XXXXXX", why[256];

	if (mkdtemp(bad) == NULL ||
	    (gone = cache_new(bad, why, sizeof(why))) == NULL ||
	    rmdir(bad) == -1)
		abort();
	start(&t, gone);
	CHECK(claimed(&t, 1, "one", &r) == 0);
	CHECK(ended(&t, r, 200, answer("first"), NULL) == 0);
	CHECK(claimed(&t, 2, "two", &r) == 0);
	CHECK(ended(&t, r, 200, answer("second"), NULL) == 0);
	CHECK(t.nheard == 1 && t.heard[0].what == FINISH_CACHE &&
	    t.heard[0].id == 1 && strstr(t.heard[0].text, bad) != NULL);
	CHECK(t.h.emitted == 2 && t.h.failed == 0);
	CHECK(wrote(&t.h, "{\"id\":2,\"q\":\"two\",\"answer\":\"second\"}\n"));
	stop(&t);
	cache_free(gone);
}

/*
 * A 200 without usage was paid for all the same: its estimate, the
 * prompt (4 bytes: 1 token and 16 of framing) and the answer's 5 bytes
 * ("yes", quoted: 2 tokens), $19, is what the run counts, what is marked
 * estimated, and what the budget spends: one figure.
 */
static void
test_no_usage(void)
{
	struct finisher	 t;
	struct row	*r;

	start(&t, NULL);
	CHECK(claimed(&t, 1, "same", &r) == 0);
	CHECK(ended(&t, r, 200, "{\"choices\":[{\"message\":{\"role\":"
	    "\"assistant\",\"content\":\"yes\"}}]}", NULL) == 0);
	CHECK(t.h.emitted == 1 && t.h.failed == 0);
	CHECK(t.h.st.cost_usd == 19 && t.h.st.cost_estimated_usd == 19);
	CHECK(t.h.budget.spent == 19 && t.h.budget.reserved == 0);
	/* With usage: nothing estimated. */
	CHECK(claimed(&t, 2, "other", &r) == 0);
	CHECK(ended(&t, r, 200, answer("no"), NULL) == 0);
	CHECK(t.h.st.cost_usd == 22 && t.h.st.cost_estimated_usd == 19);
	CHECK(t.h.budget.spent == 22);
	stop(&t);
}

/*
 * --escalate big --below 0.8: an answer at 0.5 is not written but kept,
 * and the row, with the row that follows it, waits to be asked of big at
 * once; big's answer is written for both, and a later row of the same
 * question has both answers at once.  Each model is paid at its price.
 */
static void
test_escalate_unsure(void)
{
	struct finisher	 t;
	struct row	*r, *r3;

	start_escalate(&t, NULL, MONEY, 0.8);
	CHECK(claimed(&t, 1, "q", &r) == 0);
	CHECK(claimed(&t, 2, "q", NULL) == 1);
	/* Sure enough: written as it is. */
	CHECK(claimed(&t, 5, "fine", &r3) == 0);
	CHECK(ended(&t, r3, 200, sure("yes", "-0.1"), NULL) == 0);
	CHECK(t.h.emitted == 1 && t.nheard == 0);
	CHECK(ended(&t, r, 200, sure("no", "-0.6931471805599453"), NULL) == 0);
	CHECK(t.h.emitted == 1);
	CHECK(t.nheard == 1 && t.heard[0].what == FINISH_ESCALATE &&
	    t.heard[0].id == 1 && strcmp(t.heard[0].text, "confidence 0.5000, "
	    "under --below; asking big") == 0);
	CHECK(r->escalated && r->first.why == ROW_ESC_CONFIDENCE &&
	    r->first.confidence == 0.5 && r->first.prompt_tokens == 2);
	CHECK(rows_waiting(t.h.rows) == 1 && rows_due(t.h.rows, now) == r);
	CHECK(memmem(r->body.data, r->body.len, "\"model\":\"big\"", 13) !=
	    NULL);
	/* Small's answer is kept: a row asking the same now goes to big as
	 * well, with the row already asking it. */
	CHECK(claimed(&t, 3, "q", NULL) == 1);
	CHECK(t.h.emitted == 1 && claim_waiting(t.h.c) == 2);
	CHECK(ended(&t, r, 200, sure("yes", "-0.5"), NULL) == 0);
	CHECK(t.h.emitted == 4 && t.h.failed == 0);
	CHECK(wrote(&t.h, "{\"id\":1,\"q\":\"q\",\"answer\":\"yes\","
	    "\"confidence\":0.6065}\n"));
	CHECK(wrote(&t.h, "{\"id\":2,\"q\":\"q\",\"answer\":\"yes\","));
	CHECK(wrote(&t.h, "{\"id\":3,\"q\":\"q\",\"answer\":\"yes\","));
	/* Big is unsure too: its answer is the last all the same. */
	CHECK(t.nheard == 1);
	/* Small's 3 tokens at $1, twice; big's at $10. */
	CHECK(t.h.st.cost_usd == 36 && t.h.st.model_usd[0] == 6 &&
	    t.h.st.model_usd[1] == 30);
	CHECK(t.h.budget.reserved == 0);
	/* Both answers kept: a later row has them at once. */
	CHECK(claimed(&t, 4, "q", NULL) == 1);
	CHECK(t.h.emitted == 5);
	CHECK(wrote(&t.h, "{\"id\":4,\"q\":\"q\",\"answer\":\"yes\","));
	stop(&t);
}

/*
 * --labels yes,no, asked again once: an invalid answer twice goes to
 * big, asked once; its invalid answer fails the row.
 */
static void
test_escalate_invalid(void)
{
	struct finisher	 t;
	struct row	*r;

	start_escalate(&t, NULL, MONEY, -1);
	CHECK(claimed(&t, 1, "q", &r) == 0);
	CHECK(ended(&t, r, 200, answer("maybe"), NULL) == 0);
	CHECK(t.nheard == 1 && t.heard[0].what == FINISH_RETRY &&
	    t.heard[0].wait == VERDICT_REASK);
	CHECK(rows_due(t.h.rows, now + 1000) == r && !r->escalated);
	CHECK(ended(&t, r, 200, answer("perhaps"), NULL) == 0);
	CHECK(t.nheard == 2 && t.heard[1].what == FINISH_ESCALATE &&
	    strcmp(t.heard[1].text, "the answer \"perhaps\" is not one of "
	    "the labels; answer with one label only; asking big") == 0);
	CHECK(t.h.emitted == 0 && r->escalated &&
	    r->first.why == ROW_ESC_INVALID);
	/* A fresh conversation: not the re-ask's. */
	CHECK(memmem(r->body.data, r->body.len, "perhaps", 7) == NULL);
	CHECK(rows_due(t.h.rows, now) == r);
	CHECK(ended(&t, r, 200, answer("dunno"), NULL) == 0);
	CHECK(t.nheard == 2 && t.h.emitted == 1 && t.h.failed == 1);
	CHECK(t.h.attempts == 3);
	CHECK(wrote(&t.h, "\"type\":\"invalid_answer\""));
	CHECK(wrote(&t.h, "\"answer\":\"dunno\""));
	stop(&t);

	/* Big's valid answer is written. */
	start_escalate(&t, NULL, MONEY, -1);
	CHECK(claimed(&t, 1, "q", &r) == 0);
	CHECK(ended(&t, r, 200, answer("maybe"), NULL) == 0);
	CHECK(ended(&t, r, 200, answer("maybe"), NULL) == 0);
	CHECK(rows_due(t.h.rows, now) == r);
	CHECK(ended(&t, r, 200, answer("No."), NULL) == 0);
	CHECK(t.h.emitted == 1 && t.h.failed == 0);
	CHECK(wrote(&t.h, "{\"id\":1,\"q\":\"q\",\"answer\":\"no\"}\n"));
	stop(&t);
}

/*
 * --max-cost: a row's first request holds the escalation's worst case
 * too; big's first request takes what was held, even when nothing else
 * would fit; a row done without escalation gives it back.
 */
static void
test_escalate_budget(void)
{
	struct finisher	 t;
	struct row	*r;
	long long	 prompt;
	double		 small, big;

	start_escalate(&t, NULL, MONEY, 0.8);
	CHECK(claimed(&t, 1, "a question of some tokens", &r) == 0);
	/* The prompt as --max-cost estimates it (budget.h), doubled
	 * before any answer has said. */
	prompt = budget_prompt(&t.h.budget, budget_estimate(r->prompt_bytes));
	small = price_cost(&t.h.budget.rates, prompt, 0, r->cost -
	    text_tokens(r->prompt_bytes));
	big = price_cost(&t.h.big_rates, prompt, 0, r->cost -
	    text_tokens(r->prompt_bytes));
	CHECK(small > 0 && big == 10 * small);
	t.h.budget.limit = small + big;
	CHECK(claim_reserve(t.h.c, r, 0) == 1);
	CHECK(r->reserved == small && r->held == big);
	CHECK(t.h.budget.reserved == small + big);
	claim_settle(t.h.c, r, 0);
	/* A retry holds no more. */
	CHECK(claim_reserve(t.h.c, r, 0) == 1 && r->held == big);
	claim_settle(t.h.c, r, 0);
	/* Unsure, at no cost: big's request has what was held. */
	t.h.budget.limit = small + big;
	CHECK(ended(&t, r, 200, "{\"choices\":[{\"message\":{\"role\":"
	    "\"assistant\",\"content\":\"no\"},\"logprobs\":{\"content\":"
	    "[{\"token\":\"no\",\"logprob\":-2}]}}],\"usage\":{"
	    "\"prompt_tokens\":0,\"completion_tokens\":0}}", NULL) == 0);
	CHECK(r->escalated && r->held == big && t.h.budget.reserved == big);
	CHECK(ended(&t, r, 200, "{\"choices\":[{\"message\":{\"role\":"
	    "\"assistant\",\"content\":\"yes\"}}],\"usage\":{"
	    "\"prompt_tokens\":0,\"completion_tokens\":0}}", NULL) == 0);
	CHECK(t.h.emitted == 1 && t.h.budget.reserved == 0);
	/* Sure at once: what was held goes back with the row. */
	t.h.budget.limit = MONEY;
	CHECK(claimed(&t, 2, "another question of some tokens", &r) == 0);
	CHECK(ended(&t, r, 200, sure("yes", "-0.01"), NULL) == 0);
	CHECK(t.h.emitted == 2 && t.h.budget.reserved == 0);
	stop(&t);
}

int
main(void)
{
	test_retry();
	test_no_usage();
	test_stop();
	test_fail();
	test_success();
	test_cache();
	test_escalate_unsure();
	test_escalate_invalid();
	test_escalate_budget();
	return check_done("test_finish");
}
