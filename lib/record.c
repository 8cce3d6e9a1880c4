#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "answer.h"
#include "batchfile.h"
#include "budget.h"
#include "jsonw.h"
#include "record.h"
#include "text.h"

#define KEEP_TOKENS	65536	/* more are given back after a big answer */
#define LINE_QUOTED	4096	/* bytes of a bad line quoted in "line" */

struct record {
	struct record_config	 cfg;
	size_t			 idlen;
	struct buf		 err;		/* scratch: the error object */
	struct buf		 meta;		/* scratch: the _meta object */
	struct json		*response;	/* a response's tokens */
	struct buf		 scratch;	/* an answer made compact */
	struct json		*answer;	/* --json: the answer's tokens */
	struct buf		 atext;		/* --json: the answer's text */
	struct buf		 akeys;		/* --json: its decoded keys */
	struct buf		 avals;		/* --json: values, compact */
	struct json_members	 amembers;
	struct json_field	*afields;
	size_t			 nafields;
	struct buf		 value;		/* a label or schema answer */
	struct buf		 tok;		/* scratch: a logprobs token */
	char			 conf[16];	/* --confidence, as written */
	int			 no_logprobs;	/* 1: to say; 2: said */
};

struct record *
record_new(const struct record_config *cfg)
{
	struct record	*rec;

	if ((rec = calloc(1, sizeof(*rec))) == NULL)
		return NULL;
	rec->cfg = *cfg;
	rec->idlen = strlen(cfg->idfield);
	if ((rec->response = json_new()) == NULL ||
	    (rec->answer = json_new()) == NULL) {
		record_free(rec);
		return NULL;
	}
	return rec;
}

void
record_free(struct record *rec)
{
	if (rec == NULL)
		return;
	json_free(rec->response);
	json_free(rec->answer);
	buf_free(&rec->scratch);
	buf_free(&rec->err);
	buf_free(&rec->meta);
	buf_free(&rec->atext);
	buf_free(&rec->akeys);
	buf_free(&rec->avals);
	json_members_free(&rec->amembers);
	free(rec->afields);
	buf_free(&rec->value);
	buf_free(&rec->tok);
	free(rec);
}

/* {"type":T,"status":S,"message":M,"attempts":N}, into rec->err. */
static int
error_object(struct record *rec, const struct row *r)
{
	struct jsonw	 w;
	const char	*type = rows_error_name(r->error);

	buf_reset(&rec->err);
	jsonw_begin(&w, &rec->err);
	jsonw_str(&w, "type", type, strlen(type));
	jsonw_count(&w, "status", r->status > 0 ? r->status : -1);
	jsonw_str(&w, "message", r->msg.data != NULL ? r->msg.data : "",
	    r->msg.len);
	if (r->error == ROW_ERR_TRUNCATED && r->kept.len > 0)
		jsonw_raw(&w, "partial", r->kept.data, r->kept.len);
	if ((r->error == ROW_ERR_INVALID || r->error == ROW_ERR_MAX_COST) &&
	    r->kept.len > 0)
		jsonw_raw(&w, "answer", r->kept.data, r->kept.len);
	jsonw_uint(&w, "attempts", r->attempts);
	return jsonw_end(&w, 0);
}

/* A cost in dollars, or null when no price is known. */
static void
dollars(struct jsonw *w, const char *key, double usd)
{
	char	 num[64];

	snprintf(num, sizeof(num), "%.6f", usd);
	jsonw_raw(w, key, num, strlen(num));
}

/* --escalate: "model", and "escalated" with what the first model's
 * answers took. */
static void
meta_escalated(struct record *rec, struct jsonw *w, const struct row *r)
{
	const struct row_first	*f = &r->first;
	const char		*m;
	char			 conf[16];
	int			 n;

	m = r->escalated ? rec->cfg.escalate : rec->cfg.model;
	jsonw_str(w, "model", m, strlen(m));
	if (!r->escalated)
		return;
	jsonw_open(w, "escalated", &n);
	jsonw_str(w, "model", rec->cfg.model, strlen(rec->cfg.model));
	m = f->why == ROW_ESC_CONFIDENCE ? "confidence" : "invalid_answer";
	jsonw_str(w, "because", m, strlen(m));
	if (f->why == ROW_ESC_CONFIDENCE) {
		snprintf(conf, sizeof(conf), "%.4f", f->confidence);
		jsonw_raw(w, "confidence", conf, strlen(conf));
	}
	jsonw_count(w, "prompt_tokens", f->prompt_tokens);
	jsonw_count(w, "completion_tokens", f->completion_tokens);
	if (f->cost_usd >= 0)
		dollars(w, "cost_usd", f->cost_usd);
	if (f->cost_usd >= 0 && f->cost_estimated)
		jsonw_bool(w, "cost_estimated", 1);
	jsonw_close(w, n);
}

/* {"attempts":N,"latency_ms":L,"prompt_tokens":P,"completion_tokens":C},
 * and "endpoint":URL when there are several. */
static int
meta_object(struct record *rec, const struct row *r)
{
	struct jsonw	 w;

	buf_reset(&rec->meta);
	jsonw_begin(&w, &rec->meta);
	jsonw_uint(&w, "attempts", r->attempts);
	jsonw_count(&w, "latency_ms", r->attempts > 0 ?
	    r->xfer.elapsed_ms : -1);
	jsonw_count(&w, "prompt_tokens", r->prompt_tokens);
	jsonw_count(&w, "completion_tokens", r->completion_tokens);
	if (r->cached_tokens >= 0)
		jsonw_count(&w, "cached_tokens", r->cached_tokens);
	if (r->endpoint_name != NULL)
		jsonw_str(&w, "endpoint", r->endpoint_name,
		    strlen(r->endpoint_name));
	if (r->cost_usd >= 0) {
		dollars(&w, "cost_usd", r->cost_usd);
		/* Some of it from no usage (usage_cost). */
		if (r->cost_estimated)
			jsonw_bool(&w, "cost_estimated", 1);
	}
	if (rec->cfg.escalate != NULL)
		meta_escalated(rec, &w, r);
	/* --expect: whether the answer is the row's right one. */
	if (r->agree >= 0)
		jsonw_bool(&w, "agree", r->agree);
	/* Paid for once, by another run or another row. */
	if (r->cached)
		jsonw_bool(&w, "cached", 1);
	if (r->shared)
		jsonw_bool(&w, "shared", 1);
	return jsonw_end(&w, 0);
}

/*
 * Write the row's object with these fields set, after its ID if it had
 * none, and before _meta if asked for.  The fields may be rec->afields.
 */
static int
write_row(struct record *rec, struct row *r, const struct json_field *f,
    size_t nf)
{
	struct json_field	*all, one[3];
	size_t			 n = 0, k;
	int			 rv = -1;

	if (nf + 2 <= 3)
		all = one;
	else if ((all = reallocarray(NULL, nf + 2, sizeof(*all))) == NULL)
		return -1;
	if (r->idmissing)
		all[n++] = (struct json_field){ rec->cfg.idfield, rec->idlen,
		    r->id.data, r->id.len };
	for (k = 0; k < nf; k++)
		all[n++] = f[k];
	if (rec->cfg.meta) {
		if (meta_object(rec, r) == -1)
			goto out;
		all[n++] = (struct json_field){ "_meta", 5, rec->meta.data,
		    rec->meta.len };
	}
	buf_reset(&r->line);
	rv = json_splice(&r->line, r->text.data, r->text.len, &r->members,
	    all, n) == -1 || buf_addc(&r->line, '\n') == -1 ? -1 : 0;
	/* The row is copied byte for byte: its lone surrogates too. */
	if (rv == 0)
		json_fix_surrogates(r->line.data, r->line.len);
out:
	if (all != one)
		free(all);
	return rv;
}

/*
 * A success: the fields, and with --confidence one more, which replaces
 * any the answer itself holds.  f has room for one more.
 */
static int
write_answer(struct record *rec, struct row *r, struct json_field *f,
    size_t nf)
{
	struct json_field	 c;
	size_t			 k;

	if (!rec->cfg.confidence)
		return write_row(rec, r, f, nf);
	if (r->confidence >= 0)
		snprintf(rec->conf, sizeof(rec->conf), "%.4f", r->confidence);
	else
		snprintf(rec->conf, sizeof(rec->conf), "null");
	c = (struct json_field){ "confidence", 10, rec->conf,
	    strlen(rec->conf) };
	for (k = 0; k < nf; k++)
		if (f[k].namelen == 10 && memcmp(f[k].name, "confidence",
		    10) == 0)
			break;
	f[k] = c;
	return write_row(rec, r, f, k < nf ? nf : nf + 1);
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

/*
 * --json: the answer is a JSON object, or a string that holds one, whose
 * members become fields of the row, so one call can fill several columns.
 */
static int
merge_answer(struct record *rec, struct row *r, const char *p, size_t n,
    char *err, size_t errlen)
{
	const struct json_member	*m;
	struct json_field		*f;
	const char			*name, *value;
	char				 jerr[128];
	size_t				 k, j, nf;

	if (json_parse(rec->answer, p, n, jerr, sizeof(jerr)) == -1) {
		snprintf(err, errlen, "the answer is not JSON: %s", jerr);
		return 1;
	}
	if (json_type(rec->answer, 0) != JSON_OBJECT) {
		snprintf(err, errlen, "the answer is not a JSON object");
		return 1;
	}
	if (json_members(rec->answer, 0, &rec->amembers) == -1)
		return -1;
	/* One more for the confidence. */
	if (rec->amembers.n + 1 > rec->nafields) {
		if ((f = reallocarray(rec->afields, rec->amembers.n + 1,
		    sizeof(*f))) == NULL)
			return -1;
		rec->afields = f;
		rec->nafields = rec->amembers.n + 1;
	}
	/*
	 * Decode the keys and compact the values first: the buffers may move
	 * while they grow.  Compact, because a model that writes its JSON
	 * over several lines must not split the output line.
	 */
	buf_reset(&rec->akeys);
	buf_reset(&rec->avals);
	for (k = 0; k < rec->amembers.n; k++) {
		m = &rec->amembers.v[k];
		j = rec->akeys.len;
		if (json_decode_string(&rec->akeys, p + m->key,
		    m->keylen) == -1)
			return -1;
		rec->afields[k].namelen = rec->akeys.len - j;
		j = rec->avals.len;
		if (json_compact(&rec->avals, p + m->val, m->valend - m->val,
		    0) == -1)
			return -1;
		rec->afields[k].valuelen = rec->avals.len - j;
	}
	/* Keys may all be empty, leaving akeys with no storage at all. */
	name = rec->akeys.data != NULL ? rec->akeys.data : "";
	value = rec->avals.data;
	for (nf = 0, k = 0; k < rec->amembers.n; k++) {
		f = &rec->afields[k];
		f->name = name;
		name += f->namelen;
		f->value = value;
		value += f->valuelen;
		if ((f->namelen == rec->idlen && memcmp(f->name,
		    rec->cfg.idfield, f->namelen) == 0) ||
		    (f->namelen == strlen(rec->cfg.errfield) && memcmp(f->name,
		    rec->cfg.errfield, f->namelen) == 0) ||
		    (rec->cfg.meta && f->namelen == 5 &&
		    memcmp(f->name, "_meta", 5) == 0)) {
			snprintf(err, errlen, "the answer sets \"%.*s\", a "
			    "field the row keeps for itself", (int)f->namelen,
			    f->name);
			return 1;
		}
		/* Of duplicate keys the last wins, as in jq. */
		for (j = 0; j < nf; j++)
			if (rec->afields[j].namelen == f->namelen &&
			    memcmp(rec->afields[j].name, f->name,
			    f->namelen) == 0)
				break;
		if (j < nf) {
			rec->afields[j].value = f->value;
			rec->afields[j].valuelen = f->valuelen;
		} else
			rec->afields[nf++] = *f;
	}
	return write_answer(rec, r, rec->afields, nf) == -1 ? -1 : 0;
}

/*
 * A 2xx whose body is an error ({"error":{"message":...}}, as some
 * gateways answer): the server's own words, not "no choices".
 */
static void
server_error(struct record *rec, const struct xfer *x, char *err,
    size_t errlen)
{
	char	 jerr[8];

	if (json_parse(rec->response, x->resp.data, x->resp.len, jerr,
	    sizeof(jerr)) == -1 || json_type(rec->response, 0) != JSON_OBJECT ||
	    json_get(rec->response, 0, "error", 5) == -1)
		return;
	buf_reset(&rec->scratch);
	buf_reset(&rec->atext);
	if (answer_error(rec->response, x->resp.data, x->resp.len,
	    &rec->scratch, &rec->atext) == -1 || rec->scratch.len == 0)
		return;
	snprintf(err, errlen, "HTTP %ld with an error: %.*s", x->status,
	    (int)rec->scratch.len, rec->scratch.data);
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
usage_cost(const struct record *rec, struct row *r, const struct answer *a)
{
	/* An escalated row's answers are the second model's. */
	const struct price_rates *rates = r->escalated ?
	    rec->cfg.escalate_rates : rec->cfg.rates;
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

/* --batch-output: any JSON body of a success is the answer. */
static int
batch_response(struct record *rec, struct row *r, char *err, size_t errlen)
{
	struct xfer	*x = &r->xfer;
	struct answer	 a;
	char		 jerr[128];

	if (json_validate(x->resp.data, x->resp.len, jerr,
	    sizeof(jerr)) == -1) {
		snprintf(err, errlen, "response is not JSON: %s", jerr);
		return RECORD_UNREADABLE;
	}
	/* The usage, where a chat completion gives it. */
	if (answer_read(rec->cfg.request, rec->response, x->resp.data,
	    x->resp.len, &rec->scratch, &a, jerr, sizeof(jerr)) >= 0) {
		r->prompt_tokens = r->attempt_prompt = a.prompt_tokens;
		r->completion_tokens = a.completion_tokens;
		r->cached_tokens = a.cached_tokens;
		usage_cost(rec, r, &a);
	}
	buf_reset(&r->line);
	if (batchfile_output(&r->line, r->lineno, r->id.data, r->id.len, x,
	    NULL, NULL, 0) == -1)
		return -1;
	json_fix_surrogates(r->line.data, r->line.len);
	return RECORD_WRITTEN;
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

/*
 * --confidence: of the answer's decoded bytes start to end.  A provider
 * without logprobs gives null, said once.
 */
static void
confidence(struct record *rec, struct row *r, size_t start, size_t end)
{
	r->confidence = -1;
	if (!rec->cfg.confidence)
		return;
	if (answer_confidence(rec->response, start, end, &rec->tok,
	    &r->confidence) == -1) {
		r->confidence = -1;
		if (rec->no_logprobs == 0)
			rec->no_logprobs = 1;
	}
}

/* --expect, of an answer written as it came: a string by its text. */
static int
expect_plain(struct record *rec, struct row *r, const struct answer *a)
{
	if (!a->string)
		return expect_answer(rec->cfg.expect, r, -1, a->value, a->len,
		    1);
	buf_reset(&rec->atext);
	if (json_decode_string(&rec->atext, a->value + 1, a->len - 2) == -1)
		return -1;
	return expect_answer(rec->cfg.expect, r, -1, rec->atext.data != NULL ?
	    rec->atext.data : "", rec->atext.len, 0);
}

const char *
record_note(struct record *rec)
{
	if (rec->no_logprobs != 1)
		return NULL;
	rec->no_logprobs = 2;
	return "--confidence: the provider sent no logprobs: \"confidence\" "
	    "is null";
}

/*
 * --escalate --below: an answer whose confidence is known and under it,
 * not already the second model's, is to be asked again of that model.
 */
static int
unsure(const struct record *rec, const struct row *r)
{
	return rec->cfg.below > 0 && !r->escalated && r->confidence >= 0 &&
	    r->confidence < rec->cfg.below;
}

static int	 respond(struct record *, struct row *, char *, size_t);

int
record_response(struct record *rec, struct row *r, char *err, size_t errlen)
{
	int	 rv;

	if ((rv = respond(rec, r, err, errlen)) == RECORD_WRITTEN &&
	    unsure(rec, r))
		return RECORD_ESCALATE;
	return rv;
}

static int
respond(struct record *rec, struct row *r, char *err, size_t errlen)
{
	struct xfer		*x = &r->xfer;
	struct json_field	 f[2];
	struct answer		 a;
	const char		*p, *name;
	size_t			 n, off, len;
	int			 rv;

	r->failed = 0;
	*err = '\0';
	json_shrink(rec->response, KEEP_TOKENS);
	json_shrink(rec->answer, KEEP_TOKENS);
	if (rec->cfg.batch_out)
		return batch_response(rec, r, err, errlen);
	switch (answer_read(rec->cfg.request, rec->response, x->resp.data,
	    x->resp.len, &rec->scratch, &a, err, errlen)) {
	case -1:
		server_error(rec, x, err, errlen);
		return RECORD_UNREADABLE;
	case ANSWER_REFUSED:
		usage(r, &a);
		usage_cost(rec, r, &a);
		return RECORD_REFUSED;
	case ANSWER_TRUNCATED:
		/* Never written as an answer: kept for the error object. */
		usage(r, &a);
		usage_cost(rec, r, &a);
		buf_reset(&r->kept);
		if (buf_add(&r->kept, a.value, a.len) == -1)
			return -1;
		/* The provider's reader may say it in its own words. */
		if (*err == '\0')
			snprintf(err, errlen, "the answer was cut at the token "
			    "limit (finish_reason length); \"partial\" holds "
			    "what came");
		return RECORD_TRUNCATED;
	}
	usage(r, &a);
	usage_cost(rec, r, &a);
	if (!rec->cfg.json && rec->cfg.schema == NULL &&
	    rec->cfg.labels == NULL) {
		f[0] = (struct json_field){ rec->cfg.field,
		    strlen(rec->cfg.field), a.value, a.len };
		confidence(rec, r, 0, SIZE_MAX);
		if (rec->cfg.expect != NULL && expect_plain(rec, r, &a) == -1)
			return -1;
		return write_answer(rec, r, f, 1) == -1 ? -1 : RECORD_WRITTEN;
	}
	buf_reset(&r->kept);
	buf_reset(&rec->atext);
	if (a.string) {
		/* Kept: asked again, the model sees its own answer. */
		if (buf_add(&r->kept, a.value, a.len) == -1 ||
		    json_decode_string(&rec->atext, a.value + 1,
		    a.len - 2) == -1)
			return -1;
	} else if (buf_add(&rec->atext, a.value, a.len) == -1)
		return -1;	/* --extract found JSON, not a string */
	p = rec->atext.data != NULL ? rec->atext.data : "";
	n = rec->atext.len;
	if (rec->cfg.labels != NULL) {
		if ((r->label = labels_match(rec->cfg.labels, p, n, &off, &len,
		    err, errlen)) == -1)
			return RECORD_INVALID;
		name = labels_name(rec->cfg.labels, r->label);
		buf_reset(&rec->value);
		if (json_quote(&rec->value, name, strlen(name)) == -1)
			return -1;
		confidence(rec, r, off, off + len);
		/* Counted when written: an answer to ask again is not. */
		if (!unsure(rec, r))
			labels_add(rec->cfg.labels, r->label, r->confidence);
		if (rec->cfg.expect != NULL && expect_answer(rec->cfg.expect,
		    r, r->label, NULL, 0, 0) == -1)
			return -1;
		f[0] = (struct json_field){ rec->cfg.field,
		    strlen(rec->cfg.field), rec->value.data, rec->value.len };
		return write_answer(rec, r, f, 1) == -1 ? -1 : RECORD_WRITTEN;
	}
	confidence(rec, r, 0, SIZE_MAX);
	strip_fence(&p, &n);
	if (rec->cfg.schema != NULL) {
		if ((rv = schema_check(rec->cfg.schema, p, n, err,
		    errlen)) != 0)
			return rv == -1 ? -1 : RECORD_INVALID;
		if (!rec->cfg.json) {
			/* A JSON value, not a string that holds one. */
			buf_reset(&rec->value);
			if (json_compact(&rec->value, p, n, 0) == -1)
				return -1;
			f[0] = (struct json_field){ rec->cfg.field,
			    strlen(rec->cfg.field), rec->value.data,
			    rec->value.len };
			return write_answer(rec, r, f, 1) == -1 ? -1 :
			    RECORD_WRITTEN;
		}
	}
	if ((rv = merge_answer(rec, r, p, n, err, errlen)) == 1)
		return RECORD_INVALID;
	return rv == -1 ? -1 : RECORD_WRITTEN;
}

int
record_error(struct record *rec, struct row *r)
{
	struct json_field	 f;
	const char		*type = rows_error_name(r->error);

	r->failed = 1;
	if (rec->cfg.batch_out) {
		buf_reset(&r->line);
		if (batchfile_output(&r->line, r->lineno, r->id.data, r->id.len,
		    r->attempts > 0 && r->xfer.result == XFER_RESPONSE ?
		    &r->xfer : NULL, type, r->msg.data, r->msg.len) == -1)
			return -1;
		json_fix_surrogates(r->line.data, r->line.len);
		return 0;
	}
	if (error_object(rec, r) == -1 || (rec->cfg.expect != NULL &&
	    expect_failed(rec->cfg.expect, r) == -1))
		return -1;
	f = (struct json_field){ rec->cfg.errfield, strlen(rec->cfg.errfield),
	    rec->err.data, rec->err.len };
	return write_row(rec, r, &f, 1);
}

int
record_input_error(struct record *rec, struct row *r, const struct line *ln)
{
	struct jsonw	 w;
	size_t		 len = ln->len;
	char		 why[64];

	r->failed = 1;
	/* 20 MB of NUL bytes must not become a 120 MB output line. */
	if (len > LINE_QUOTED) {
		len = LINE_QUOTED;
		snprintf(why, sizeof(why), " (\"line\" holds its first %d "
		    "bytes)", LINE_QUOTED);
		if (buf_adds(&r->msg, why) == -1)
			return -1;
	}
	if (error_object(rec, r) == -1)
		return -1;
	buf_reset(&r->line);
	jsonw_begin(&w, &r->line);
	jsonw_uint(&w, rec->cfg.idfield, ln->number);
	jsonw_raw(&w, rec->cfg.errfield, rec->err.data, rec->err.len);
	jsonw_str(&w, "line", ln->text, len);
	if (jsonw_end(&w, 1) == -1)
		return -1;
	buf_reset(&r->id);
	return buf_addu(&r->id, ln->number);
}

int
record_dry_run(struct record *rec, struct row *r)
{
	struct jsonw	 w;
	char		 id[32];

	buf_reset(&r->line);
	/* The line a Batch file would hold: its custom_id the row's. */
	if (rec->cfg.batch_dry != NULL) {
		snprintf(id, sizeof(id), "%llu",
		    (unsigned long long)r->seq + 1);
		buf_reset(&rec->scratch);
		if (json_compact(&rec->scratch, r->body.data != NULL ?
		    r->body.data : "", r->body.len, 0) == -1 ||
		    batchfile_request_line(&r->line, id, strlen(id),
		    rec->cfg.batch_dry, rec->scratch.data != NULL ?
		    rec->scratch.data : "", rec->scratch.len) == -1)
			return -1;
		return 0;
	}
	jsonw_begin(&w, &r->line);
	jsonw_raw(&w, rec->cfg.idfield, r->id.data, r->id.len);
	/* Compact: a --body template may span lines; output may not. */
	jsonw_raw(&w, "request", r->body.data, r->body.len);
	if (jsonw_end(&w, 1) == -1)
		return -1;
	json_fix_surrogates(r->line.data, r->line.len);
	return 0;
}
