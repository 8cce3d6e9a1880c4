#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "batchfile.h"
#include "jsonw.h"
#include "judge.h"
#include "record.h"

#define LINE_QUOTED	4096	/* bytes of a bad line quoted in "line" */

struct record {
	struct record_config	 cfg;
	size_t			 idlen;
	struct judge		*judge;		/* reads and judges answers */
	struct buf		 err;		/* scratch: the error object */
	struct buf		 meta;		/* scratch: the _meta object */
	struct buf		 scratch;	/* a dry run's body, compact */
	char			 conf[16];	/* --confidence, as written */
};

/*
 * The record owns the judge that reads its answers, given the part of
 * the config that judging needs: what the row keeps for itself, prices,
 * what an answer must be.
 */
struct record *
record_new(const struct record_config *cfg)
{
	struct judge_config	 jc = { 0 };
	struct record		*rec;

	if ((rec = calloc(1, sizeof(*rec))) == NULL)
		return NULL;
	rec->cfg = *cfg;
	rec->idlen = strlen(cfg->idfield);
	jc.request = cfg->request;
	jc.field = cfg->field;
	jc.idfield = cfg->idfield;
	jc.errfield = cfg->errfield;
	jc.json = cfg->json;
	jc.meta = cfg->meta;
	jc.rates = cfg->rates;
	jc.escalate_rates = cfg->escalate_rates;
	jc.schema = cfg->schema;
	jc.labels = cfg->labels;
	jc.confidence = cfg->confidence;
	jc.expect = cfg->expect;
	jc.below = cfg->below;
	if ((rec->judge = judge_new(&jc)) == NULL) {
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
	judge_free(rec->judge);
	buf_free(&rec->scratch);
	buf_free(&rec->err);
	buf_free(&rec->meta);
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

const char *
record_note(struct record *rec)
{
	return judge_note(rec->judge);
}

/* --batch-output: the body as it came, in a Batch output line. */
static int
batch_response(struct record *rec, struct row *r, char *err, size_t errlen)
{
	if (judge_raw(rec->judge, r, err, errlen) != JUDGE_ANSWER)
		return RECORD_UNREADABLE;
	buf_reset(&r->line);
	if (batchfile_output(&r->line, r->lineno, r->id.data, r->id.len,
	    &r->xfer, NULL, NULL, 0) == -1)
		return -1;
	json_fix_surrogates(r->line.data, r->line.len);
	return RECORD_WRITTEN;
}

int
record_response(struct record *rec, struct row *r, char *err, size_t errlen)
{
	struct judged	 out;

	r->failed = 0;
	if (rec->cfg.batch_out)
		return batch_response(rec, r, err, errlen);
	switch (judge_response(rec->judge, r, &out, err, errlen)) {
	case -1:
		return -1;
	case JUDGE_UNREADABLE:
		return RECORD_UNREADABLE;
	case JUDGE_INVALID:
		return RECORD_INVALID;
	case JUDGE_TRUNCATED:
		return RECORD_TRUNCATED;
	case JUDGE_REFUSED:
		return RECORD_REFUSED;
	}
	if (write_answer(rec, r, out.fields, out.n) == -1)
		return -1;
	return out.unsure ? RECORD_ESCALATE : RECORD_WRITTEN;
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
