/*
 * Rows as sched.c has them, for the unit tests of the modules it hands
 * them to (claim, finish): rows loaded from lines ({"id":N,"q":"..."},
 * one key per q) with a request, a record and an output, claimed by a
 * claim whose emit keeps each line it is given, as sched.c's writes it.
 * Under a --max-cost the record prices answers at the budget's rates, $1
 * a token, as the program's does at the model's.  setup_escalate adds
 * --escalate big (at $10 a token): with --below and --confidence, or,
 * below 0, with --labels yes,no.
 *
 * Static, for one test file each, as check.h is.
 */
#ifndef ROWKIT_H
#define ROWKIT_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "claim.h"
#include "input.h"

struct harness {
	struct tmpl	*user;
	struct request	*req;
	struct request	*big;		/* --escalate's, or NULL */
	struct labels	*labels;
	struct price_rates big_rates;
	struct record	*record;
	struct input	*input;
	struct output	*out;
	struct rows	*rows;
	struct stats	 st;
	struct budget	 budget;
	struct claim	*c;
	int		 outfd;
	int		 emitted;	/* lines emit was given */
	int		 failed;	/* of them, error records */
	int		 attempts;	/* the last one's */
	struct buf	 text;		/* those lines, one a line */
};

static int
emit(void *arg, struct row *r)
{
	struct harness	*h = arg;

	h->emitted++;
	h->failed += r->failed != 0;
	h->attempts = r->attempts;
	if (buf_add(&h->text, r->line.data, r->line.len) == -1 ||
	    buf_addc(&h->text, '\n') == -1)
		return -1;
	return 0;
}

static void
setup_escalate(struct harness *h, struct cache *cache, double max_cost,
    double below)
{
	struct record_config	 rc = { 0 };
	struct input_config	 ic = { 0 };
	struct claim_parts	 cp = { 0 };
	struct request_ask	 ask = { 0 };
	char			 path[] = "/tmp/rowkit.XXXXXX", e[256];

	memset(h, 0, sizeof(*h));
	if ((h->outfd = mkstemp(path)) == -1)
		abort();
	unlink(path);
	h->user = tmpl_compile("{{q}}", 5, TMPL_ESCAPES, e, sizeof(e));
	h->req = request_new("m", NULL, h->user, NULL, 0, e, sizeof(e));
	rc.request = ic.request = h->req;
	rc.idfield = ic.idfield = "id";
	rc.field = "answer";
	rc.errfield = ic.errfield = "error";
	if (max_cost > 0) {
		h->budget.limit = max_cost;
		h->budget.rates = (struct price_rates){ 1e6, 1e6, 1e6 };
		rc.rates = &h->budget.rates;
		cp.budget = &h->budget;
	}
	ic.base = "http://127.0.0.1:1";
	/* As setup.c: --cache's keys are the same in every run. */
	ic.disk_keys = cache != NULL;
	if (below != 0) {
		h->big_rates = (struct price_rates){ 1e7, 1e7, 1e7 };
		h->big = request_new("big", NULL, h->user, NULL, 0, e,
		    sizeof(e));
		ask.logprobs = rc.confidence = below > 0;
		if (below < 0)
			h->labels = labels_new("yes,no", 6, ',', e, sizeof(e));
		rc.labels = h->labels;
		if (h->big == NULL || (ask.logprobs && (request_ask(h->req,
		    &ask, e, sizeof(e)) == -1 || request_ask(h->big, &ask, e,
		    sizeof(e)) == -1)))
			abort();
		rc.model = "m";
		rc.escalate = "big";
		rc.below = below > 0 ? below : 0;
		rc.escalate_rates = max_cost > 0 ? &h->big_rates : NULL;
		ic.escalate = h->big;
		cp.escalate_rates = rc.escalate_rates;
	}
	h->record = record_new(&rc);
	h->input = input_new(&ic, h->record);
	h->out = output_new(h->outfd, -1, 0);
	h->rows = rows_new();
	if (h->user == NULL || h->req == NULL || h->record == NULL ||
	    h->input == NULL || h->out == NULL || h->rows == NULL)
		abort();
	cp.rows = h->rows;
	cp.out = h->out;
	cp.record = h->record;
	cp.stats = &h->st;
	cp.cache = cache;
	cp.emit = emit;
	cp.arg = h;
	cp.input = h->input;
	if ((h->c = claim_new(&cp)) == NULL)
		abort();
}

static void __attribute__((unused))
setup(struct harness *h, struct cache *cache, double max_cost)
{
	setup_escalate(h, cache, max_cost, 0);
}

static void
teardown(struct harness *h)
{
	claim_free(h->c);
	rows_free(h->rows);
	output_free(h->out);
	input_free(h->input);
	record_free(h->record);
	request_free(h->req);
	request_free(h->big);
	labels_free(h->labels);
	tmpl_free(h->user);
	buf_free(&h->text);
	close(h->outfd);
}

/* Row id asking q, ready to send. */
static struct row *
row(struct harness *h, int id, const char *q)
{
	struct line	 ln = { 0 };
	struct row	*r;
	char		 text[128];

	ln.len = snprintf(text, sizeof(text), "{\"id\":%d,\"q\":\"%s\"}", id,
	    q);
	ln.text = text;
	ln.number = id;
	if ((r = rows_get(h->rows)) == NULL ||
	    input_load(h->input, r, &ln) != INPUT_SEND)
		abort();
	r->seq = id;
	return r;
}

/* Is this among the lines written? */
static int
wrote(struct harness *h, const char *line)
{
	if (buf_addc(&h->text, '\0') == -1)
		abort();
	h->text.len--;
	return strstr(h->text.data, line) != NULL;
}

#endif
