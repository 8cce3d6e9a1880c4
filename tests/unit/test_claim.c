/*
 * Claim driven by hand, on rowkit.h's rows (loaded from lines as sched.c
 * loads them, written through an emit that keeps each line), the
 * leader's answer made here.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check.h"
#include "rowkit.h"
#include "text.h"

/* The leader's request answered with text, and its line written. */
static void
answered(struct harness *h, struct row *r, const char *text)
{
	char	 body[256], why[256];

	snprintf(body, sizeof(body), "{\"choices\":[{\"message\":{\"role\":"
	    "\"assistant\",\"content\":\"%s\"}}]}", text);
	r->xfer.result = XFER_RESPONSE;
	r->xfer.status = 200;
	buf_reset(&r->xfer.resp);
	if (buf_adds(&r->xfer.resp, body) == -1 ||
	    record_response(h->record, r, why, sizeof(why)) != RECORD_WRITTEN ||
	    emit(h, r) == -1)
		abort();
}

/* The row is done with, as sched.c's are. */
static void
done_with(struct harness *h, struct row *r)
{
	claim_end(h->c, r);
	rows_put(h->rows, r);
}

/* Rows that ask the same follow the first; its answer is theirs, and is
 * kept for rows that come later. */
static void
test_follow(void)
{
	struct harness	 h;
	struct row	*lead, *other;
	char		 why[256];

	setup(&h, NULL, 0);
	CHECK(claim_row(h.c, lead = row(&h, 1, "same")) == 0);
	CHECK(claim_row(h.c, row(&h, 2, "same")) == 1);
	CHECK(claim_row(h.c, row(&h, 3, "same")) == 1);
	CHECK(claim_row(h.c, other = row(&h, 4, "other")) == 0);
	CHECK(claim_waiting(h.c) == 2);
	CHECK(h.emitted == 0);
	answered(&h, lead, "yes");
	CHECK(claim_keep(h.c, lead, why, sizeof(why)) == 0);
	CHECK(claim_release(h.c, lead, 1) == 0);
	CHECK(claim_waiting(h.c) == 0);
	CHECK(h.emitted == 3 && h.failed == 0);
	CHECK(wrote(&h, "{\"id\":2,\"q\":\"same\",\"answer\":\"yes\"}"));
	CHECK(wrote(&h, "{\"id\":3,\"q\":\"same\",\"answer\":\"yes\"}"));
	done_with(&h, lead);
	/* A later row of an answered key: written from memory at once. */
	CHECK(claim_row(h.c, row(&h, 5, "same")) == 1);
	CHECK(h.emitted == 4);
	CHECK(wrote(&h, "{\"id\":5,\"q\":\"same\",\"answer\":\"yes\"}"));
	/* The other key still leads: a row of it follows. */
	CHECK(claim_row(h.c, row(&h, 6, "other")) == 1);
	CHECK(claim_waiting(h.c) == 1);
	CHECK(claim_drop(h.c, other) == 0);
	CHECK(h.st.unsent == 2 && claim_waiting(h.c) == 0);
	teardown(&h);
}

/* The leader failed: each follower fails with its words and attempts. */
static void
test_fail(void)
{
	struct harness	 h;
	struct row	*lead, *f;

	setup(&h, NULL, 0);
	CHECK(claim_row(h.c, lead = row(&h, 1, "same")) == 0);
	CHECK(claim_row(h.c, f = row(&h, 2, "same")) == 1);
	lead->attempts = 3;
	rows_set_error(lead, ROW_ERR_HTTP, 503);
	if (buf_adds(&lead->msg, "server busy") == -1 ||
	    record_error(h.record, lead) == -1 || emit(&h, lead) == -1)
		abort();
	CHECK(f->attempts == 0);
	CHECK(claim_release(h.c, lead, 0) == 0);
	CHECK(h.emitted == 2 && h.failed == 2);
	CHECK(h.attempts == 3);
	CHECK(wrote(&h, "{\"id\":2,\"q\":\"same\",\"error\":"));
	CHECK(wrote(&h, "server busy"));
	CHECK(claim_waiting(h.c) == 0);
	/* A failure is not kept: the next row of the key leads. */
	done_with(&h, lead);
	CHECK(claim_row(h.c, lead = row(&h, 3, "same")) == 0);
	teardown(&h);
}

/* The money ran out: the row, its followers and the rows waiting for a
 * retry are not written. */
static void
test_drop_all(void)
{
	struct harness	 h;
	struct row	*lead, *r;

	setup(&h, NULL, 0);
	CHECK(claim_row(h.c, lead = row(&h, 1, "same")) == 0);
	CHECK(claim_row(h.c, row(&h, 2, "same")) == 1);
	CHECK(claim_row(h.c, r = row(&h, 3, "three")) == 0);
	r->due = 500;
	rows_wait(h.rows, r);
	CHECK(claim_row(h.c, row(&h, 4, "three")) == 1);
	CHECK(claim_row(h.c, r = row(&h, 5, "five")) == 0);
	r->due = 100;
	rows_wait(h.rows, r);
	CHECK(claim_drop_all(h.c, lead) == 0);
	CHECK(h.st.unsent == 5 && h.emitted == 0);
	CHECK(rows_waiting(h.rows) == 0 && claim_waiting(h.c) == 0);
	/* Its key is free: a new row leads it. */
	CHECK(claim_row(h.c, row(&h, 6, "same")) == 0);
	teardown(&h);
}

/* --cache: a success kept there answers a later run; a cache that cannot
 * keep it says why, and the answer is still written. */
static void
test_cache(void)
{
	struct harness	 h;
	struct cache	*cache, *gone;
	struct row	*r;
	char		 dir[] = "/tmp/test_claim.XXXXXX", bad[] =
			    "/tmp/test_claim.XXXXXX", cmd[64], why[256];

	if (mkdtemp(dir) == NULL || mkdtemp(bad) == NULL ||
	    (cache = cache_new(dir, why, sizeof(why))) == NULL ||
	    (gone = cache_new(bad, why, sizeof(why))) == NULL)
		abort();
	setup(&h, cache, 0);
	CHECK(claim_row(h.c, r = row(&h, 1, "kept")) == 0);
	answered(&h, r, "stored");
	CHECK(claim_keep(h.c, r, why, sizeof(why)) == 0);
	CHECK(claim_release(h.c, r, 1) == 0);
	done_with(&h, r);
	/* Failed, cached or shared rows are not kept again. */
	r = row(&h, 2, "unkept");
	r->failed = 1;
	CHECK(claim_keep(h.c, r, why, sizeof(why)) == 0);
	rows_put(h.rows, r);
	teardown(&h);

	/* A new run: its first row of the key comes from the cache. */
	setup(&h, cache, 0);
	CHECK(claim_estimate(h.c, row(&h, 1, "kept")) == CLAIM_CACHED);
	CHECK(claim_estimate(h.c, row(&h, 2, "kept")) == CLAIM_SHARED);
	CHECK(claim_estimate(h.c, row(&h, 3, "unkept")) == CLAIM_SEND);
	CHECK(claim_row(h.c, r = row(&h, 4, "kept")) == 1);
	CHECK(h.emitted == 1);
	CHECK(wrote(&h, "{\"id\":4,\"q\":\"kept\",\"answer\":\"stored\"}"));
	teardown(&h);

	/* A cache whose directory is gone: said, and the run goes on. */
	if (rmdir(bad) == -1)
		abort();
	setup(&h, gone, 0);
	CHECK(claim_row(h.c, r = row(&h, 1, "lost")) == 0);
	answered(&h, r, "not kept");
	why[0] = '\0';
	CHECK(claim_keep(h.c, r, why, sizeof(why)) == 1);
	CHECK(strstr(why, bad) != NULL);
	/* Still kept in memory for this run. */
	CHECK(claim_release(h.c, r, 1) == 0);
	done_with(&h, r);
	CHECK(claim_row(h.c, row(&h, 2, "lost")) == 1);
	CHECK(h.emitted == 2);
	teardown(&h);
	cache_free(cache);
	cache_free(gone);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	CHECK(system(cmd) == 0);
}

/* --max-cost: each request holds its worst case until it ends, then pays
 * what it cost. */
static void
test_budget(void)
{
	struct harness	 h;
	struct row	*r[4];
	double		 worst;
	long long	 prompt;
	int		 k;

	setup(&h, NULL, 1);
	for (k = 0; k < 4; k++)
		r[k] = row(&h, k + 1, "money");
	/* Before any answer: the estimate (bytes / 4 rounded up, and the
	 * framing) doubled, and the completion's limit. */
	prompt = budget_estimate(r[0]->prompt_bytes);
	CHECK(prompt == (long long)(r[0]->prompt_bytes + 3) / 4 + BUDGET_FRAME);
	CHECK(budget_prompt(&h.budget, prompt) == 2 * prompt);
	worst = budget_worst(&h.budget, 2 * prompt, r[0]->cost -
	    text_tokens(r[0]->prompt_bytes));
	CHECK(worst > 0);
	/* Room for two and a half. */
	h.budget.limit = 2.5 * worst;
	for (k = 0; k < 2; k++) {
		CHECK(claim_reserve(h.c, r[k], k) == 1);
		CHECK(r[k]->reserved == worst);
	}
	/* No room: wait for those in flight, or, none, the money is spent. */
	CHECK(claim_reserve(h.c, r[k], k) == 0);
	CHECK(claim_reserve(h.c, r[k], 0) == -1);
	CHECK(r[k]->reserved == 0);
	/* What an attempt cost: its usage, its worst case without one,
	 * nothing without an answer. */
	r[0]->xfer.result = XFER_RESPONSE;
	r[0]->xfer.status = 200;
	r[0]->attempt_usd = 0.25;
	CHECK(claim_cost(r[0]) == 0.25);
	r[0]->attempt_usd = -1;
	CHECK(claim_cost(r[0]) == worst);
	r[0]->xfer.status = 500;
	CHECK(claim_cost(r[0]) == 0);
	r[0]->xfer.result = XFER_NETWORK;
	r[0]->xfer.status = 0;
	CHECK(claim_cost(r[0]) == 0);
	/* Settled: the reservation back, the cost spent; what the prompt
	 * came to (fewer tokens than estimated) is learnt: from now on
	 * the estimate itself, not doubled, and never less. */
	r[0]->attempt_prompt = 3;
	claim_settle(h.c, r[0], 0.25);
	CHECK(r[0]->reserved == 0 && h.budget.spent == 0.25);
	CHECK(h.budget.reserved == (k - 1) * worst);
	CHECK(h.budget.ratio == 1);
	CHECK(claim_reserve(h.c, r[k], 0) == 1);
	CHECK(r[k]->reserved == budget_worst(&h.budget, prompt, r[k]->cost -
	    text_tokens(r[k]->prompt_bytes)));
	/* A prompt that came to three times its estimate: every estimate
	 * after is three times as large. */
	r[1]->attempt_prompt = 3 * prompt;
	claim_settle(h.c, r[1], 0);
	CHECK(h.budget.ratio == 3);
	CHECK(budget_prompt(&h.budget, prompt) == 3 * prompt);
	/* No usage, or no answer: nothing learnt. */
	r[1]->attempt_prompt = -1;
	claim_settle(h.c, r[1], 0);
	CHECK(h.budget.ratio == 3);
	for (k = 0; k < 4; k++)
		rows_put(h.rows, r[k]);
	teardown(&h);

	/* Without --max-cost everything fits, and nothing is held. */
	setup(&h, NULL, 0);
	r[0] = row(&h, 1, "free");
	CHECK(claim_reserve(h.c, r[0], 0) == 1 && r[0]->reserved == 0);
	claim_settle(h.c, r[0], 1);
	CHECK(r[0]->reserved == 0);
	rows_put(h.rows, r[0]);
	teardown(&h);
}

/* A response of text, whose one token has this logprob. */
static void
respond(struct row *r, const char *text, const char *logprob)
{
	char	 body[512];

	snprintf(body, sizeof(body), "{\"choices\":[{\"message\":{\"role\":"
	    "\"assistant\",\"content\":\"%s\"},\"logprobs\":{\"content\":"
	    "[{\"token\":\"%s\",\"logprob\":%s}]}}]}", text, text, logprob);
	r->xfer.result = XFER_RESPONSE;
	r->xfer.status = 200;
	buf_reset(&r->xfer.resp);
	if (buf_adds(&r->xfer.resp, body) == -1)
		abort();
}

/*
 * --escalate big --below 0.8 with --cache: an unsure answer in the cache
 * sends the row on to big, whose request rows that ask the same follow;
 * its answer, kept under big's own key, answers the next run at once.
 */
static void
test_escalate(void)
{
	struct harness	 h;
	struct cache	*cache;
	struct row	*r, *f;
	char		 dir[] = "/tmp/test_claim.XXXXXX", cmd[64];
	char		 why[256];

	if (mkdtemp(dir) == NULL ||
	    (cache = cache_new(dir, why, sizeof(why))) == NULL)
		abort();
	setup_escalate(&h, cache, 0, 0.8);
	CHECK(claim_row(h.c, r = row(&h, 1, "q")) == 0);
	respond(r, "no", "-1");
	CHECK(record_response(h.record, r, why, sizeof(why)) ==
	    RECORD_ESCALATE);
	CHECK(claim_keep(h.c, r, why, sizeof(why)) == 0);
	done_with(&h, r);
	teardown(&h);

	/* The next run: the cache's unsure answer, then big's request. */
	setup_escalate(&h, cache, 0, 0.8);
	CHECK(claim_row(h.c, r = row(&h, 1, "q")) == 0);
	CHECK(r->escalated && r->first.why == ROW_ESC_CONFIDENCE &&
	    !r->first.paid && !r->cached && r->leading);
	CHECK(memmem(r->body.data, r->body.len, "\"model\":\"big\"", 13) !=
	    NULL);
	CHECK(claim_row(h.c, f = row(&h, 2, "q")) == 1);
	CHECK(h.emitted == 0 && claim_waiting(h.c) == 1);
	respond(r, "yes", "-2");
	/* Big's answer is the last, however unsure. */
	CHECK(record_response(h.record, r, why, sizeof(why)) ==
	    RECORD_WRITTEN);
	CHECK(emit(&h, r) == 0);
	CHECK(claim_keep(h.c, r, why, sizeof(why)) == 0);
	CHECK(claim_release(h.c, r, 1) == 0);
	done_with(&h, r);
	CHECK(h.emitted == 2);
	CHECK(wrote(&h, "{\"id\":2,\"q\":\"q\",\"answer\":\"yes\","
	    "\"confidence\":0.1353}"));
	teardown(&h);

	/* And the next: both answers from the cache, nothing to send. */
	setup_escalate(&h, cache, 0, 0.8);
	CHECK(claim_row(h.c, r = row(&h, 1, "q")) == 1);
	CHECK(h.emitted == 1);
	CHECK(wrote(&h, "{\"id\":1,\"q\":\"q\",\"answer\":\"yes\","));
	teardown(&h);
	cache_free(cache);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	CHECK(system(cmd) == 0);
}

/*
 * --max-cost: a row escalated after another of its question, its first
 * answer not kept, follows that one to big and gives back what it held.
 */
static void
test_escalate_hold(void)
{
	struct harness	 h;
	struct row	*a, *b;
	double		 held;
	char		 why[256];

	setup_escalate(&h, NULL, 1e9, 0.8);
	CHECK(claim_row(h.c, a = row(&h, 1, "a question of some tokens")) ==
	    0);
	CHECK(claim_reserve(h.c, a, 0) == 1 && a->held > 0);
	held = a->held;
	claim_settle(h.c, a, 0);
	CHECK(claim_escalate(h.c, a, ROW_ESC_CONFIDENCE) == 0);
	CHECK(a->leading && h.budget.reserved == held);
	/* A's first answer was not kept: B asks small again. */
	CHECK(claim_row(h.c, b = row(&h, 2, "a question of some tokens")) ==
	    0);
	CHECK(claim_reserve(h.c, b, 1) == 1 && b->held == held);
	claim_settle(h.c, b, 0);
	CHECK(h.budget.reserved == 2 * held);
	CHECK(claim_escalate(h.c, b, ROW_ESC_CONFIDENCE) == 1);
	CHECK(!b->leading && b->held == 0 && h.budget.reserved == held);
	CHECK(claim_waiting(h.c) == 1);
	/* A's big answer is B's. */
	respond(a, "yes", "-0.1");
	CHECK(record_response(h.record, a, why, sizeof(why)) ==
	    RECORD_WRITTEN);
	CHECK(emit(&h, a) == 0);
	CHECK(claim_release(h.c, a, 1) == 0);
	done_with(&h, a);
	CHECK(h.emitted == 2 && h.budget.reserved == 0);
	CHECK(wrote(&h, "{\"id\":2,\"q\":\"a question of some tokens\","
	    "\"answer\":\"yes\","));
	teardown(&h);
}

/*
 * The money runs out with a row paid for once and to be asked again:
 * dropped, it is written all the same, a max_cost error holding the
 * answer paid for, and the row that follows it from it; a row never paid
 * for is dropped unwritten, for --skip-ids.
 */
static void
test_drop_paid(void)
{
	struct harness	 h;
	struct row	*lead, *unpaid;

	setup(&h, NULL, 1e9);
	CHECK(claim_row(h.c, lead = row(&h, 1, "same")) == 0);
	CHECK(claim_row(h.c, row(&h, 2, "same")) == 1);
	CHECK(claim_row(h.c, unpaid = row(&h, 3, "other")) == 0);
	CHECK(claim_reserve(h.c, lead, 0) == 1);
	lead->attempts = 1;
	lead->prompt_tokens = 20;
	lead->completion_tokens = 1;
	if (buf_adds(&lead->kept, "\"bad\"") == -1)
		abort();
	claim_settle(h.c, lead, 21);
	CHECK(lead->spent_usd == 21);
	CHECK(claim_drop(h.c, lead) == 0);
	CHECK(h.emitted == 2 && h.failed == 2 && h.st.unsent == 0);
	CHECK(wrote(&h, "{\"id\":1,\"q\":\"same\",\"error\":{\"type\":"
	    "\"max_cost\",\"status\":null,\"message\":\"the money "
	    "(--max-cost) ran out before the row could be asked again; "
	    "\\\"answer\\\" holds the last answer, paid for\",\"answer\":"
	    "\"bad\",\"attempts\":1}}"));
	CHECK(wrote(&h, "{\"id\":2,\"q\":\"same\",\"error\":{\"type\":"
	    "\"max_cost\""));
	CHECK(claim_waiting(h.c) == 0);
	CHECK(claim_drop(h.c, unpaid) == 0);
	CHECK(h.emitted == 2 && h.st.unsent == 1);
	teardown(&h);
}

int
main(void)
{
	test_follow();
	test_fail();
	test_drop_all();
	test_cache();
	test_budget();
	test_escalate();
	test_escalate_hold();
	test_drop_paid();
	return check_done("test_claim");
}
