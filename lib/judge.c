#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "answer.h"
#include "budget.h"
#include "judge.h"
#include "text.h"

#define KEEP_TOKENS	65536	/* more are given back after a big answer */

struct judge {
	struct judge_config	 cfg;
	size_t			 idlen;
	struct json		*response;	/* a response's tokens */
	struct buf		 scratch;	/* an answer made compact */
	struct json		*answer;	/* --json: its tokens */
	struct buf		 atext;		/* the answer's text, decoded */
	struct buf		 akeys;		/* --json: its decoded keys */
	struct buf		 avals;		/* --json: values, compact */
	struct json_members	 amembers;
	struct json_field	*afields;
	size_t			 nafields;
	struct json_field	 one[2];	/* one field, and the room */
	struct buf		 value;		/* a label or schema answer */
	struct buf		 tok;		/* scratch: a logprobs token */
	int			 no_logprobs;	/* 1: to say; 2: said */
};

struct judge *
judge_new(const struct judge_config *cfg)
{
	struct judge	*j;

	if ((j = calloc(1, sizeof(*j))) == NULL)
		return NULL;
	j->cfg = *cfg;
	j->idlen = strlen(cfg->idfield);
	if ((j->response = json_new()) == NULL ||
	    (j->answer = json_new()) == NULL) {
		judge_free(j);
		return NULL;
	}
	return j;
}

void
judge_free(struct judge *j)
{
	if (j == NULL)
		return;
	json_free(j->response);
	json_free(j->answer);
	buf_free(&j->scratch);
	buf_free(&j->atext);
	buf_free(&j->akeys);
	buf_free(&j->avals);
	json_members_free(&j->amembers);
	free(j->afields);
	buf_free(&j->value);
	buf_free(&j->tok);
	free(j);
}

/* Drop a Markdown code fence around the text, as models like to add. */
static void
strip_fence(const char **p, size_t *n)
{
	const char	*s, *e, *nl;

	text_trim(p, n);
	s = *p;
	e = *p + *n;
	if (e - s >= 6 && strncmp(s, "```", 3) == 0 &&
	    strncmp(e - 3, "```", 3) == 0 &&
	    (nl = memchr(s, '\n', e - s)) != NULL && nl < e - 3) {
		*p = nl + 1;
		*n = e - 3 - (nl + 1);
	}
}

/* The answer as the one field -o names. */
static void
one_field(struct judge *j, struct judged *out, const char *value, size_t len)
{
	j->one[0] = (struct json_field){ j->cfg.field, strlen(j->cfg.field),
	    value, len };
	out->fields = j->one;
	out->n = 1;
}

/*
 * --json: the answer is a JSON object, or a string that holds one, whose
 * members become fields of the row, so one call can fill several columns.
 * 0, 1 (invalid: err says why) or -1.
 */
static int
members(struct judge *j, const char *p, size_t n, struct judged *out,
    char *err, size_t errlen)
{
	const struct json_member	*m;
	struct json_field		*f;
	const char			*name, *value;
	char				 jerr[128];
	size_t				 k, i, nf;

	if (json_parse(j->answer, p, n, jerr, sizeof(jerr)) == -1) {
		snprintf(err, errlen, "the answer is not JSON: %s", jerr);
		return 1;
	}
	if (json_type(j->answer, 0) != JSON_OBJECT) {
		snprintf(err, errlen, "the answer is not a JSON object");
		return 1;
	}
	if (json_members(j->answer, 0, &j->amembers) == -1)
		return -1;
	/* One more for the confidence. */
	if (j->amembers.n + 1 > j->nafields) {
		if ((f = reallocarray(j->afields, j->amembers.n + 1,
		    sizeof(*f))) == NULL)
			return -1;
		j->afields = f;
		j->nafields = j->amembers.n + 1;
	}
	/*
	 * Decode the keys and compact the values first: the buffers may move
	 * while they grow.  Compact, because a model that writes its JSON
	 * over several lines must not split the output line.
	 */
	buf_reset(&j->akeys);
	buf_reset(&j->avals);
	for (k = 0; k < j->amembers.n; k++) {
		m = &j->amembers.v[k];
		i = j->akeys.len;
		if (json_decode_string(&j->akeys, p + m->key,
		    m->keylen) == -1)
			return -1;
		j->afields[k].namelen = j->akeys.len - i;
		i = j->avals.len;
		if (json_compact(&j->avals, p + m->val, m->valend - m->val,
		    0) == -1)
			return -1;
		j->afields[k].valuelen = j->avals.len - i;
	}
	/* Keys may all be empty, leaving akeys with no storage at all. */
	name = j->akeys.data != NULL ? j->akeys.data : "";
	value = j->avals.data;
	for (nf = 0, k = 0; k < j->amembers.n; k++) {
		f = &j->afields[k];
		f->name = name;
		name += f->namelen;
		f->value = value;
		value += f->valuelen;
		if ((f->namelen == j->idlen && memcmp(f->name,
		    j->cfg.idfield, f->namelen) == 0) ||
		    (f->namelen == strlen(j->cfg.errfield) && memcmp(f->name,
		    j->cfg.errfield, f->namelen) == 0) ||
		    (j->cfg.meta && f->namelen == 5 &&
		    memcmp(f->name, "_meta", 5) == 0)) {
			snprintf(err, errlen, "the answer sets \"%.*s\", a "
			    "field the row keeps for itself", (int)f->namelen,
			    f->name);
			return 1;
		}
		/* Of duplicate keys the last wins, as in jq. */
		for (i = 0; i < nf; i++)
			if (j->afields[i].namelen == f->namelen &&
			    memcmp(j->afields[i].name, f->name,
			    f->namelen) == 0)
				break;
		if (i < nf) {
			j->afields[i].value = f->value;
			j->afields[i].valuelen = f->valuelen;
		} else
			j->afields[nf++] = *f;
	}
	out->fields = j->afields;
	out->n = nf;
	return 0;
}

/*
 * A 2xx whose body is an error ({"error":{"message":...}}, as some
 * gateways answer): the server's own words, not "no choices".
 */
static void
server_error(struct judge *j, const struct xfer *x, char *err,
    size_t errlen)
{
	char	 jerr[8];

	if (json_parse(j->response, x->resp.data, x->resp.len, jerr,
	    sizeof(jerr)) == -1 || json_type(j->response, 0) != JSON_OBJECT ||
	    json_get(j->response, 0, "error", 5) == -1)
		return;
	buf_reset(&j->scratch);
	buf_reset(&j->atext);
	if (answer_error(j->response, x->resp.data, x->resp.len,
	    &j->scratch, &j->atext) == -1 || j->scratch.len == 0)
		return;
	snprintf(err, errlen, "HTTP %ld with an error: %.*s", x->status,
	    (int)j->scratch.len, j->scratch.data);
}

/*
 * The dollars of the answer just read (r->attempt_usd) and of all the
 * row's answers (r->cost_usd): nothing for an answer not paid for now
 * (from the cache, or another row's).  An answer whose usage does not
 * say (some gateways and local servers send none) was paid for all the
 * same: what it does not say is estimated, the prompt as --max-cost
 * estimates it (budget.h) and the completion as the answer's bytes / 4,
 * within its limit, and the dollars are marked as estimated.  This one
 * figure is what _meta, the summary and --max-cost all count.
 */
static void
usage_cost(const struct judge *j, struct row *r, const struct answer *a)
{
	/* An escalated row's answers are the second model's. */
	const struct price_rates *rates = r->escalated ?
	    j->cfg.escalate_rates : j->cfg.rates;
	long long	 prompt = a->prompt_tokens, completion =
			    a->completion_tokens, limit;
	double		 usd;
	int		 est = 0;

	r->attempt_estimated = 0;
	if (rates == NULL) {
		r->attempt_usd = r->cost_usd = -1;
		r->cost_estimated = 0;
		return;
	}
	if (r->cached || r->shared) {
		r->attempt_usd = r->cost_usd = 0;
		r->cost_estimated = 0;
		return;
	}
	if (prompt < 0) {
		prompt = budget_estimate(r->prompt_bytes);
		est = 1;
	}
	if (completion < 0) {
		completion = (long long)(a->len + TEXT_BYTES_PER_TOKEN - 1) /
		    TEXT_BYTES_PER_TOKEN;
		limit = r->cost - text_tokens(r->prompt_bytes);
		if (limit > 0 && completion > limit)
			completion = limit;
		est = 1;
	}
	usd = price_cost(rates, prompt, est ? 0 : a->cached_tokens,
	    completion);
	/* A row asked again paid for each answer (an escalated row's
	 * first model's apart: r->first). */
	if (r->reasks > 0 && r->cost_usd >= 0) {
		r->cost_usd += usd;
		r->cost_estimated |= est;
	} else {
		r->cost_usd = usd;
		r->cost_estimated = est;
	}
	r->attempt_usd = usd;
	r->attempt_estimated = est;
}

/* The tokens an answer cost; a row asked again paid for each answer. */
static void
usage(struct row *r, const struct answer *a)
{
	r->attempt_prompt = a->prompt_tokens;
	if (r->reasks > 0 && r->prompt_tokens >= 0 && a->prompt_tokens >= 0 &&
	    r->completion_tokens >= 0 && a->completion_tokens >= 0) {
		r->prompt_tokens += a->prompt_tokens;
		r->completion_tokens += a->completion_tokens;
		if (r->cached_tokens >= 0 && a->cached_tokens >= 0)
			r->cached_tokens += a->cached_tokens;
		return;
	}
	r->prompt_tokens = a->prompt_tokens;
	r->completion_tokens = a->completion_tokens;
	r->cached_tokens = a->cached_tokens;
}

int
judge_raw(struct judge *j, struct row *r, char *err, size_t errlen)
{
	struct xfer	*x = &r->xfer;
	struct answer	 a;
	char		 jerr[128];

	*err = '\0';
	json_shrink(j->response, KEEP_TOKENS);
	if (json_validate(x->resp.data, x->resp.len, jerr,
	    sizeof(jerr)) == -1) {
		snprintf(err, errlen, "response is not JSON: %s", jerr);
		return JUDGE_UNREADABLE;
	}
	/* The usage, where a chat completion gives it. */
	if (answer_read(j->cfg.request, j->response, x->resp.data,
	    x->resp.len, &j->scratch, &a, jerr, sizeof(jerr)) >= 0) {
		r->prompt_tokens = r->attempt_prompt = a.prompt_tokens;
		r->completion_tokens = a.completion_tokens;
		r->cached_tokens = a.cached_tokens;
		usage_cost(j, r, &a);
	}
	return JUDGE_ANSWER;
}

/*
 * --confidence: of the answer's decoded bytes start to end.  A provider
 * without logprobs gives null, said once.
 */
static void
confidence(struct judge *j, struct row *r, size_t start, size_t end)
{
	r->confidence = -1;
	if (!j->cfg.confidence)
		return;
	if (answer_confidence(j->cfg.request, j->response, start, end,
	    &j->tok, &r->confidence) == -1) {
		r->confidence = -1;
		if (j->no_logprobs == 0)
			j->no_logprobs = 1;
	}
}

/* --expect, of an answer written as it came: a string by its text. */
static int
expect_plain(struct judge *j, struct row *r, const struct answer *a)
{
	if (!a->string)
		return expect_answer(j->cfg.expect, r, -1, a->value, a->len,
		    1);
	buf_reset(&j->atext);
	if (json_decode_string(&j->atext, a->value + 1, a->len - 2) == -1)
		return -1;
	return expect_answer(j->cfg.expect, r, -1, j->atext.data != NULL ?
	    j->atext.data : "", j->atext.len, 0);
}

const char *
judge_note(struct judge *j)
{
	if (j->no_logprobs != 1)
		return NULL;
	j->no_logprobs = 2;
	return "--confidence: the provider sent no logprobs: \"confidence\" "
	    "is null";
}

/*
 * --escalate --below: an answer whose confidence is known and under it,
 * not already the second model's, is to be asked again of that model.
 */
static int
unsure(const struct judge *j, const struct row *r)
{
	return j->cfg.below > 0 && !r->escalated && r->confidence >= 0 &&
	    r->confidence < j->cfg.below;
}

/* The answer, read: to be judged. */
static int
judge_answer(struct judge *j, struct row *r, const struct answer *a,
    struct judged *out, char *err, size_t errlen)
{
	const char	*p, *name;
	size_t		 n, off, len;
	int		 rv;

	if (!j->cfg.json && j->cfg.schema == NULL && j->cfg.labels == NULL) {
		one_field(j, out, a->value, a->len);
		confidence(j, r, 0, SIZE_MAX);
		if (j->cfg.expect != NULL && expect_plain(j, r, a) == -1)
			return -1;
		return JUDGE_ANSWER;
	}
	buf_reset(&r->kept);
	buf_reset(&j->atext);
	if (a->string) {
		/* Kept: asked again, the model sees its own answer. */
		if (buf_add(&r->kept, a->value, a->len) == -1 ||
		    json_decode_string(&j->atext, a->value + 1,
		    a->len - 2) == -1)
			return -1;
	} else if (buf_add(&j->atext, a->value, a->len) == -1)
		return -1;	/* --extract found JSON, not a string */
	p = j->atext.data != NULL ? j->atext.data : "";
	n = j->atext.len;
	if (j->cfg.labels != NULL) {
		if ((r->label = labels_match(j->cfg.labels, p, n, &off, &len,
		    err, errlen)) == -1)
			return JUDGE_INVALID;
		name = labels_name(j->cfg.labels, r->label);
		buf_reset(&j->value);
		if (json_quote(&j->value, name, strlen(name)) == -1)
			return -1;
		confidence(j, r, off, off + len);
		/* Counted when final: an answer to ask again is not. */
		if (!unsure(j, r))
			labels_add(j->cfg.labels, r->label, r->confidence);
		if (j->cfg.expect != NULL && expect_answer(j->cfg.expect,
		    r, r->label, NULL, 0, 0) == -1)
			return -1;
		one_field(j, out, j->value.data, j->value.len);
		return JUDGE_ANSWER;
	}
	confidence(j, r, 0, SIZE_MAX);
	strip_fence(&p, &n);
	if (j->cfg.schema != NULL) {
		if ((rv = schema_check(j->cfg.schema, p, n, err,
		    errlen)) != 0)
			return rv == -1 ? -1 : JUDGE_INVALID;
		if (!j->cfg.json) {
			/* A JSON value, not a string that holds one. */
			buf_reset(&j->value);
			if (json_compact(&j->value, p, n, 0) == -1)
				return -1;
			one_field(j, out, j->value.data, j->value.len);
			return JUDGE_ANSWER;
		}
	}
	if ((rv = members(j, p, n, out, err, errlen)) == 1)
		return JUDGE_INVALID;
	return rv == -1 ? -1 : JUDGE_ANSWER;
}

int
judge_response(struct judge *j, struct row *r, struct judged *out,
    char *err, size_t errlen)
{
	struct xfer	*x = &r->xfer;
	struct answer	 a;
	int		 rv;

	*err = '\0';
	out->fields = NULL;
	out->n = 0;
	out->unsure = 0;
	json_shrink(j->response, KEEP_TOKENS);
	json_shrink(j->answer, KEEP_TOKENS);
	switch (answer_read(j->cfg.request, j->response, x->resp.data,
	    x->resp.len, &j->scratch, &a, err, errlen)) {
	case -1:
		server_error(j, x, err, errlen);
		return JUDGE_UNREADABLE;
	case ANSWER_REFUSED:
		usage(r, &a);
		usage_cost(j, r, &a);
		return JUDGE_REFUSED;
	case ANSWER_TRUNCATED:
		/* Never written as an answer: kept for the error object. */
		usage(r, &a);
		usage_cost(j, r, &a);
		buf_reset(&r->kept);
		if (buf_add(&r->kept, a.value, a.len) == -1)
			return -1;
		/* The provider's reader may say it in its own words. */
		if (*err == '\0')
			snprintf(err, errlen, "the answer was cut at the token "
			    "limit (finish_reason length); \"partial\" holds "
			    "what came");
		return JUDGE_TRUNCATED;
	}
	usage(r, &a);
	usage_cost(j, r, &a);
	if ((rv = judge_answer(j, r, &a, out, err, errlen)) == JUDGE_ANSWER)
		out->unsure = unsure(j, r);
	return rv;
}
