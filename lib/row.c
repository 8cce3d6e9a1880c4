#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "retry.h"
#include "row.h"

/* A recycled row keeps buffers up to this size; larger ones are freed. */
#define KEEP_BYTES	(1024 * 1024)

static const char *const error_names[] = {
	[ROW_ERR_HTTP] = "http",
	[ROW_ERR_NETWORK] = "network",
	[ROW_ERR_TIMEOUT] = "timeout",
	[ROW_ERR_PARSE] = "parse",
	[ROW_ERR_TEMPLATE] = "template",
	[ROW_ERR_INPUT] = "input",
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
	struct row_config	 cfg;
	size_t			 idlen;
	struct json		*json;
	struct buf		 key;		/* scratch: an ID's key */
	struct buf		 val;		/* scratch: a field's value */
	struct buf		 code;		/* scratch: an error code */
	struct buf		 meta;		/* scratch: the _meta object */
	struct json		*answer;	/* --json: the answer's tokens */
	struct buf		 atext;		/* --json: the answer's text */
	struct buf		 akeys;		/* --json: its decoded keys */
	struct json_members	 amembers;
	struct json_field	*afields;
	size_t			 nafields;
	long long		 last_success;
	long long		 deadline;	/* -1: none */
	struct waittree		 waiting;
	size_t			 nwaiting;
	TAILQ_HEAD(, row)	 free;
	LIST_HEAD(, row)	 all;	/* free, waiting, in flight, anywhere */
};

struct rows *
rows_new(const struct row_config *cfg, long long now)
{
	struct rows	*rs;

	if ((rs = calloc(1, sizeof(*rs))) == NULL)
		return NULL;
	rs->cfg = *cfg;
	rs->idlen = strlen(cfg->idfield);
	rs->last_success = now;
	rs->deadline = -1;
	RB_INIT(&rs->waiting);
	TAILQ_INIT(&rs->free);
	LIST_INIT(&rs->all);
	if ((rs->json = json_new()) == NULL ||
	    (rs->answer = json_new()) == NULL) {
		rows_free(rs);
		return NULL;
	}
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
	json_free(rs->json);
	json_free(rs->answer);
	buf_free(&rs->key);
	buf_free(&rs->val);
	buf_free(&rs->code);
	buf_free(&rs->meta);
	buf_free(&rs->atext);
	buf_free(&rs->akeys);
	json_members_free(&rs->amembers);
	free(rs->afields);
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
	r->failed = 0;
	r->hold = 0;
	r->prompt_tokens = r->completion_tokens = -1;
	buf_reset(&r->text);
	buf_reset(&r->id);
	buf_reset(&r->body);
	buf_reset(&r->url);
	r->xfer.url = NULL;
	buf_reset(&r->line);
	buf_reset(&r->msg);
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
	if (r->members.cap > 1024)
		json_members_free(&r->members);
	TAILQ_INSERT_HEAD(&rs->free, r, link);
}

const char *
row_error_name(enum row_error e)
{
	return error_names[e];
}

/* {"type":T,"status":S,"message":M,"attempts":N}, into rs->val. */
static int
error_object(struct rows *rs, const struct row *r)
{
	struct buf	*v = &rs->val;

	buf_reset(v);
	if (buf_adds(v, "{\"type\":\"") == -1 ||
	    buf_adds(v, error_names[r->error]) == -1 ||
	    buf_adds(v, "\",\"status\":") == -1)
		return -1;
	if ((r->status > 0 ? buf_addu(v, r->status) :
	    buf_adds(v, "null")) == -1)
		return -1;
	if (buf_adds(v, ",\"message\":") == -1 ||
	    json_quote(v, r->msg.data, r->msg.len) == -1 ||
	    buf_adds(v, ",\"attempts\":") == -1 ||
	    buf_addu(v, r->attempts) == -1 || buf_addc(v, '}') == -1)
		return -1;
	return 0;
}

/* {"attempts":N,"latency_ms":L,"prompt_tokens":P,"completion_tokens":C} */
static int
meta_object(struct rows *rs, const struct row *r)
{
	struct buf	*m = &rs->meta;

	buf_reset(m);
	if (buf_adds(m, "{\"attempts\":") == -1 ||
	    buf_addu(m, r->attempts) == -1 ||
	    buf_adds(m, ",\"latency_ms\":") == -1 ||
	    (r->attempts > 0 ? buf_addu(m, r->xfer.elapsed_ms) :
	    buf_adds(m, "null")) == -1 ||
	    buf_adds(m, ",\"prompt_tokens\":") == -1 ||
	    (r->prompt_tokens >= 0 ? buf_addu(m, r->prompt_tokens) :
	    buf_adds(m, "null")) == -1 ||
	    buf_adds(m, ",\"completion_tokens\":") == -1 ||
	    (r->completion_tokens >= 0 ? buf_addu(m, r->completion_tokens) :
	    buf_adds(m, "null")) == -1 || buf_addc(m, '}') == -1)
		return -1;
	return 0;
}

/*
 * Write the row's object with these fields set, after its ID if it had
 * none, and before _meta if asked for.  The fields may be rs->afields.
 */
static int
write_row(struct rows *rs, struct row *r, const struct json_field *f,
    size_t nf)
{
	struct json_field	*all, one[3];
	size_t			 n = 0, k;
	int			 rv;

	if (nf + 2 <= 3)
		all = one;
	else if ((all = reallocarray(NULL, nf + 2, sizeof(*all))) == NULL)
		return -1;
	if (r->idmissing)
		all[n++] = (struct json_field){ rs->cfg.idfield, rs->idlen,
		    r->id.data, r->id.len };
	for (k = 0; k < nf; k++)
		all[n++] = f[k];
	if (rs->cfg.meta) {
		if (meta_object(rs, r) == -1)
			goto fail;
		all[n++] = (struct json_field){ "_meta", 5, rs->meta.data,
		    rs->meta.len };
	}
	buf_reset(&r->line);
	rv = json_splice(&r->line, r->text.data, r->text.len, &r->members,
	    all, n) == -1 || buf_addc(&r->line, '\n') == -1 ? -1 : 0;
	if (all != one)
		free(all);
	return rv;
fail:
	if (all != one)
		free(all);
	return -1;
}

static int
write_field(struct rows *rs, struct row *r, const char *name,
    const char *value, size_t valuelen)
{
	struct json_field	 f = { name, strlen(name), value, valuelen };

	return write_row(rs, r, &f, 1);
}

/* Note what went wrong; r->msg is the caller's to fill. */
static void
set_error(struct row *r, enum row_error type, long status)
{
	r->error = type;
	r->status = status;
	buf_reset(&r->msg);
}

/*
 * --batch-output: an OpenAI Batch output line,
 * {"id":"batch_req_N","custom_id":ID,"response":{"status_code":S,
 * "request_id":R,"body":{..}},"error":null}, or "response":null and an
 * "error":{"code":..,"message":..} when no whole response came.
 */
static int
batch_line(struct row *r)
{
	struct xfer	*x = &r->xfer;
	struct buf	*b = &r->line;
	const char	*rid = x->header[XH_REQUEST_ID];
	char		 jerr[8];
	int		 rv = 0;

	buf_reset(b);
	rv |= buf_adds(b, "{\"id\":\"batch_req_");
	rv |= buf_addu(b, r->lineno);
	rv |= buf_adds(b, "\",\"custom_id\":");
	rv |= buf_add(b, r->id.data, r->id.len);
	if (r->attempts > 0 && x->result == XFER_RESPONSE) {
		rv |= buf_adds(b, ",\"response\":{\"status_code\":");
		rv |= buf_addu(b, x->status);
		rv |= buf_adds(b, ",\"request_id\":");
		rv |= *rid != '\0' ? json_quote(b, rid, strlen(rid)) :
		    buf_adds(b, "null");
		rv |= buf_adds(b, ",\"body\":");
		/* A body that is not JSON is kept, as a string. */
		rv |= json_validate(x->resp.data, x->resp.len, jerr,
		    sizeof(jerr)) == 0 ? json_compact(b, x->resp.data,
		    x->resp.len, 0) : json_quote(b, x->resp.data, x->resp.len);
		rv |= buf_adds(b, "},\"error\":null}\n");
	} else {
		rv |= buf_adds(b, ",\"response\":null,\"error\":{\"code\":\"");
		rv |= buf_adds(b, error_names[r->error]);
		rv |= buf_adds(b, "\",\"message\":");
		rv |= json_quote(b, r->msg.data, r->msg.len);
		rv |= buf_adds(b, "}}\n");
	}
	return rv == 0 ? 0 : -1;
}

/* The row fails with the error set on it. */
static int
fail_row(struct rows *rs, struct row *r)
{
	r->failed = 1;
	if (rs->cfg.batch_out)
		return batch_line(r) == -1 ? -1 : ROW_WRITE;
	if (error_object(rs, r) == -1)
		return -1;
	if (write_field(rs, r, rs->cfg.errfield, rs->val.data,
	    rs->val.len) == -1)
		return -1;
	return ROW_WRITE;
}

/* A line that is no row: {"id":N,"error":{...},"line":"raw text"}. */
static int
fail_input(struct rows *rs, struct row *r, const struct line *ln)
{
	struct buf	*b = &r->line;

	r->failed = 1;
	if (error_object(rs, r) == -1)
		return -1;
	buf_reset(b);
	if (buf_addc(b, '{') == -1 ||
	    json_quote(b, rs->cfg.idfield, rs->idlen) == -1 ||
	    buf_addc(b, ':') == -1 || buf_addu(b, ln->number) == -1 ||
	    buf_addc(b, ',') == -1 ||
	    json_quote(b, rs->cfg.errfield, strlen(rs->cfg.errfield)) == -1 ||
	    buf_addc(b, ':') == -1 ||
	    buf_add(b, rs->val.data, rs->val.len) == -1 ||
	    buf_adds(b, ",\"line\":") == -1 ||
	    json_quote(b, ln->text, ln->len) == -1 ||
	    buf_adds(b, "}\n") == -1)
		return -1;
	buf_reset(&r->id);
	return buf_addu(&r->id, ln->number) == -1 ? -1 : ROW_WRITE;
}

static int
is_blank(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

/* Find the row's ID and its key; -1 if the ID is of the wrong type. */
static int
load_id(struct rows *rs, struct row *r)
{
	struct json	*j = rs->json;
	size_t		 off, len;
	int		 t;

	r->idmissing = 0;
	if ((t = json_get(j, 0, rs->cfg.idfield, rs->idlen)) == -1) {
		r->idmissing = 1;
		buf_reset(&rs->key);
		if (buf_addu(&r->id, r->lineno) == -1 ||
		    buf_addu(&rs->key, r->lineno) == -1)
			return -2;
		return 0;
	}
	if (idset_key(j, t, &rs->key) == -1)
		return -1;
	json_span(j, t, &off, &len);
	return buf_add(&r->id, json_text(j) + off, len) == -1 ? -2 : 0;
}

static int
dry_run_line(struct rows *rs, struct row *r)
{
	struct buf	*b = &r->line;

	buf_reset(b);
	/* Compact: a --body template may span lines; output may not. */
	if (buf_addc(b, '{') == -1 ||
	    json_quote(b, rs->cfg.idfield, rs->idlen) == -1 ||
	    buf_addc(b, ':') == -1 || buf_add(b, r->id.data, r->id.len) == -1 ||
	    buf_adds(b, ",\"request\":") == -1 ||
	    json_compact(b, r->body.data, r->body.len, 0) == -1 ||
	    buf_adds(b, "}\n") == -1)
		return -1;
	return ROW_WRITE;
}

/*
 * --batch-input: the line is an OpenAI Batch request,
 * {"custom_id":..,"method":"POST","url":"/v1/chat/completions","body":{..}},
 * sent as it is.  The url is a path: after --url, less the /v1 they share.
 * 0, or 1 with err when the line is not such a request.
 */
static int
batch_request(struct rows *rs, struct row *r, char *err, size_t errlen)
{
	const struct json	*j = rs->json;
	const char		*raw, *base = rs->cfg.base;
	size_t			 off, len, blen = strlen(base);
	int			 t;

	t = json_get(j, 0, "method", 6);
	if (t != -1 && (json_type(j, t) != JSON_STRING || (json_string_raw(j,
	    t, &raw, &len), len != 4 || memcmp(raw, "POST", 4) != 0))) {
		snprintf(err, errlen, "batch line: only method POST is sent");
		return 1;
	}
	t = json_get(j, 0, "url", 3);
	if (json_type(j, t) != JSON_STRING ||
	    (json_string_raw(j, t, &raw, &len), len == 0 || *raw != '/' ||
	    memchr(raw, '\\', len) != NULL)) {
		snprintf(err, errlen, "batch line: no \"url\" path");
		return 1;
	}
	if (blen >= 3 && strcmp(base + blen - 3, "/v1") == 0 && len >= 4 &&
	    memcmp(raw, "/v1/", 4) == 0) {
		raw += 3;
		len -= 3;
	}
	if (buf_adds(&r->url, base) == -1 || buf_add(&r->url, raw, len) ==
	    -1 || buf_addc(&r->url, '\0') == -1)
		return -1;
	r->xfer.url = r->url.data;
	t = json_get(j, 0, "body", 4);
	if (json_type(j, t) != JSON_OBJECT) {
		snprintf(err, errlen, "batch line: no \"body\" object");
		return 1;
	}
	json_span(j, t, &off, &len);
	return json_compact(&r->body, json_text(j) + off, len, 0) == -1 ?
	    -1 : 0;
}

int
row_load(struct rows *rs, struct row *r, const struct line *ln)
{
	struct json	*j = rs->json;
	const char	*p = ln->text;
	size_t		 len = ln->len;
	char		 err[256];
	int		 rv;

	r->lineno = ln->number;
	while (len > 0 && is_blank(*p))
		p++, len--;
	while (len > 0 && is_blank(p[len - 1]))
		len--;
	if (len == 0 && !ln->toolong)
		return ROW_BLANK;
	if (ln->toolong) {
		snprintf(err, sizeof(err), "line longer than the limit; "
		    "\"line\" holds its first %d bytes", LINES_KEEP);
		goto input;
	}
	if (buf_add(&r->text, p, len) == -1)
		return -1;
	if (json_parse(j, r->text.data, r->text.len, err, sizeof(err)) == -1)
		goto input;
	if (json_type(j, 0) != JSON_OBJECT) {
		snprintf(err, sizeof(err), "not a JSON object");
		goto input;
	}
	if (json_members(j, 0, &r->members) == -1)
		return -1;
	if ((rv = load_id(rs, r)) == -2)
		return -1;
	if (rv == -1) {
		snprintf(err, sizeof(err), "ID field \"%.100s\" is neither a "
		    "string nor an integer", rs->cfg.idfield);
		goto input;
	}
	if (rs->cfg.skip != NULL && idset_has(rs->cfg.skip, rs->key.data,
	    rs->key.len))
		return ROW_SKIP;
	if (rs->cfg.batch_in) {
		if ((rv = batch_request(rs, r, err, sizeof(err))) == -1)
			return -1;
		/* With its custom_id known, a Batch error line can say so. */
		if (rv == 1 && rs->cfg.batch_out) {
			set_error(r, ROW_ERR_INPUT, 0);
			if (buf_adds(&r->msg, err) == -1)
				return -1;
			return fail_row(rs, r);
		}
		if (rv == 1)
			goto input;
	} else if (request_body(rs->cfg.request, j, &r->body, err,
	    sizeof(err)) == -1) {
		set_error(r, ROW_ERR_TEMPLATE, 0);
		if (buf_adds(&r->msg, err) == -1)
			return -1;
		return fail_row(rs, r);
	}
	/* The provider's estimate: 4 bytes a token, plus the budget. */
	r->prompt_bytes = r->body.len - request_overhead(rs->cfg.request);
	r->cost = r->prompt_bytes / 4 + request_budget(rs->cfg.request);
	if (rs->cfg.dry_run)
		return dry_run_line(rs, r);
	r->xfer.body = r->body.data;
	r->xfer.bodylen = r->body.len;
	return ROW_SEND;
input:
	set_error(r, ROW_ERR_INPUT, 0);
	if (buf_adds(&r->msg, err) == -1)
		return -1;
	return fail_input(rs, r, ln);
}

/* Append to the message: " (" why ")". */
static int
explain(struct row *r, const char *why)
{
	if (buf_adds(&r->msg, " (") == -1 || buf_adds(&r->msg, why) == -1 ||
	    buf_addc(&r->msg, ')') == -1)
		return -1;
	return 0;
}

enum wait_kind {
	WAIT_RETRY,		/* charged to -r */
	WAIT_RATE,		/* a rate limit, backing off */
	WAIT_HOLD		/* a rate limit the server named: all wait */
};

/* Wait and then try again, unless the wait is too long for the run. */
static int
retry_row(struct rows *rs, struct row *r, long long now, long long delay,
    enum wait_kind kind)
{
	if (rs->deadline >= 0 && now + delay > rs->deadline) {
		if (explain(r, "not retried: interrupted") == -1)
			return -1;
		return fail_row(rs, r);
	}
	r->hold = kind == WAIT_HOLD ? now + delay : 0;
	r->ratelimited = kind != WAIT_RETRY;
	r->delay = delay;
	r->due = now + delay;
	RB_INSERT(waittree, &rs->waiting, r);
	rs->nwaiting++;
	return ROW_RETRY;
}

/*
 * A retry charged to -r: after wait ms, or a backoff if wait is -1; or
 * the row fails when -r is spent.  A parse error is retried once only: a
 * proxy may have cut the answer short, but a model will not change its
 * mind about null content.
 */
static int
retry_charged(struct rows *rs, struct row *r, long long now, long long wait,
    int parse)
{
	if ((parse && r->parse_retried) || r->retries >= rs->cfg.retries)
		return fail_row(rs, r);
	if (parse)
		r->parse_retried = 1;
	r->retries++;
	return retry_row(rs, r, now, wait >= 0 ? wait :
	    retry_backoff(r->retries), WAIT_RETRY);
}

/* Is a response with this status worth another try, by its headers? */
static int
should_retry(const struct xfer *x)
{
	const char	*h = x->header[XH_SHOULD_RETRY];

	if (strcmp(h, "true") == 0)
		return 1;
	if (strcmp(h, "false") == 0)
		return 0;
	return retry_status(x->status);
}

/* A response that is not a success: fail, retry, or stop the run. */
static int
finish_http(struct rows *rs, struct row *r, long long now)
{
	struct xfer	*x = &r->xfer;
	long long	 wait;
	char		 why[160];

	set_error(r, ROW_ERR_HTTP, x->status);
	if (request_error(rs->json, x->resp.data, x->resp.len, &r->msg,
	    &rs->code) == -1)
		return -1;
	/* Every other row would get the same answer. */
	if (x->status == 401)
		return explain(r, "check OPENAI_API_KEY or --api-key-file") ==
		    -1 ? -1 : ROW_FATAL;
	if (x->status == 404)
		return explain(r, "check --url and --model") == -1 ? -1 :
		    ROW_FATAL;
	wait = retry_after(x->header[XH_RETRY_AFTER_MS],
	    x->header[XH_RETRY_AFTER], time(NULL));
	if (x->status == 429) {
		switch (retry_classify_429(rs->code.data, rs->code.len,
		    r->msg.data, r->msg.len)) {
		case RETRY_429_QUOTA:
			return explain(r, "the account has no quota left") ==
			    -1 ? -1 : ROW_FATAL;
		case RETRY_429_TOO_LARGE:
			return fail_row(rs, r);
		case RETRY_429_RATE:
			break;
		}
		if (wait < 0)
			wait = retry_message_wait(r->msg.data, r->msg.len);
	}
	if (!should_retry(x))
		return fail_row(rs, r);
	if (wait > rs->cfg.max_wait_ms) {
		snprintf(why, sizeof(why), "the server asked to wait %.1f s, "
		    "more than --max-wait", wait / 1000.0);
		return explain(r, why) == -1 ? -1 : fail_row(rs, r);
	}
	if (x->status == 429) {
		/* Backpressure, not a failure of the row, while the run as
		 * a whole still gets somewhere. */
		if (now - rs->last_success > rs->cfg.stall_ms) {
			snprintf(why, sizeof(why), "no row succeeded for "
			    "%lld s: --stall-timeout", rs->cfg.stall_ms / 1000);
			return explain(r, why) == -1 ? -1 : fail_row(rs, r);
		}
		r->ratelimits++;
		if (wait >= 0)
			return retry_row(rs, r, now, wait, WAIT_HOLD);
		return retry_row(rs, r, now, retry_backoff(r->ratelimits),
		    WAIT_RATE);
	}
	return retry_charged(rs, r, now, wait, 0);
}

/* Drop a Markdown code fence around the text, as models like to add. */
static void
strip_fence(const char **p, size_t *n)
{
	const char	*s = *p, *e = *p + *n, *nl;

	while (s < e && is_blank(*s))
		s++;
	while (e > s && is_blank(e[-1]))
		e--;
	if (e - s >= 6 && strncmp(s, "```", 3) == 0 &&
	    strncmp(e - 3, "```", 3) == 0 &&
	    (nl = memchr(s, '\n', e - s)) != NULL && nl < e - 3) {
		s = nl + 1;
		e -= 3;
	}
	*p = s;
	*n = e - s;
}

/*
 * --json: the answer is a JSON object, or a string that holds one, whose
 * members become fields of the row, so one call can fill several columns.
 * 0 when the line is written, 1 with err when the answer does not fit, -1
 * if out of memory.
 */
static int
merge_answer(struct rows *rs, struct row *r, const struct answer *a,
    char *err, size_t errlen)
{
	const struct json_member	*m;
	struct json_field		*f;
	const char			*p, *name;
	char				 jerr[128];
	size_t				 n, k, j, nf;

	buf_reset(&rs->atext);
	if ((a->string ? json_decode_string(&rs->atext, a->value + 1,
	    a->len - 2) : buf_add(&rs->atext, a->value, a->len)) == -1)
		return -1;
	p = rs->atext.data != NULL ? rs->atext.data : "";
	n = rs->atext.len;
	strip_fence(&p, &n);
	if (json_parse(rs->answer, p, n, jerr, sizeof(jerr)) == -1) {
		snprintf(err, errlen, "--json: the answer is not JSON: %s",
		    jerr);
		return 1;
	}
	if (json_type(rs->answer, 0) != JSON_OBJECT) {
		snprintf(err, errlen, "--json: the answer is not a JSON "
		    "object");
		return 1;
	}
	if (json_members(rs->answer, 0, &rs->amembers) == -1)
		return -1;
	if (rs->amembers.n > rs->nafields) {
		if ((f = reallocarray(rs->afields, rs->amembers.n,
		    sizeof(*f))) == NULL)
			return -1;
		rs->afields = f;
		rs->nafields = rs->amembers.n;
	}
	/* Decode the keys first: the buffer may move while it grows. */
	buf_reset(&rs->akeys);
	for (k = 0; k < rs->amembers.n; k++) {
		m = &rs->amembers.v[k];
		j = rs->akeys.len;
		if (json_decode_string(&rs->akeys, p + m->key, m->keylen) == -1)
			return -1;
		rs->afields[k].namelen = rs->akeys.len - j;
	}
	name = rs->akeys.data;
	for (nf = 0, k = 0; k < rs->amembers.n; k++) {
		m = &rs->amembers.v[k];
		f = &rs->afields[k];
		f->name = name;
		name += f->namelen;
		if ((f->namelen == rs->idlen && memcmp(f->name,
		    rs->cfg.idfield, f->namelen) == 0) ||
		    (f->namelen == strlen(rs->cfg.errfield) && memcmp(f->name,
		    rs->cfg.errfield, f->namelen) == 0)) {
			snprintf(err, errlen, "--json: the answer sets \"%.*s\", "
			    "the row's own field", (int)f->namelen, f->name);
			return 1;
		}
		f->value = p + m->val;
		f->valuelen = m->valend - m->val;
		/* Of duplicate keys the last wins, as in jq. */
		for (j = 0; j < nf; j++)
			if (rs->afields[j].namelen == f->namelen &&
			    memcmp(rs->afields[j].name, f->name,
			    f->namelen) == 0)
				break;
		if (j < nf) {
			rs->afields[j].value = f->value;
			rs->afields[j].valuelen = f->valuelen;
		} else
			rs->afields[nf++] = *f;
	}
	return write_row(rs, r, rs->afields, nf) == -1 ? -1 : 0;
}

/* --batch-output: any JSON body of a success is the answer. */
static int
finish_batch(struct rows *rs, struct row *r, long long now)
{
	struct xfer	*x = &r->xfer;
	struct answer	 a;
	char		 err[256];

	if (json_validate(x->resp.data, x->resp.len, err, sizeof(err)) == -1) {
		set_error(r, ROW_ERR_PARSE, x->status);
		if (buf_adds(&r->msg, "response is not JSON: ") == -1 ||
		    buf_adds(&r->msg, err) == -1)
			return -1;
		return retry_charged(rs, r, now, -1, 1);
	}
	/* The usage, where a chat completion gives it. */
	if (request_answer(rs->cfg.request, rs->json, x->resp.data,
	    x->resp.len, &rs->val, &a, err, sizeof(err)) == 0) {
		r->prompt_tokens = a.prompt_tokens;
		r->completion_tokens = a.completion_tokens;
	}
	rs->last_success = now;
	r->failed = 0;
	return batch_line(r) == -1 ? -1 : ROW_WRITE;
}

int
row_finish(struct rows *rs, struct row *r, long long now)
{
	struct xfer	*x = &r->xfer;
	struct answer	 a;
	char		 err[256];
	int		 rv;

	r->attempts++;
	r->hold = 0;
	switch (x->result) {
	case XFER_NETWORK:
	case XFER_TIMEOUT:
		set_error(r, x->result == XFER_TIMEOUT ? ROW_ERR_TIMEOUT :
		    ROW_ERR_NETWORK, 0);
		if (buf_adds(&r->msg, x->error) == -1)
			return -1;
		return retry_charged(rs, r, now, -1, 0);
	case XFER_TOOBIG:
		set_error(r, ROW_ERR_PARSE, x->status);
		if (buf_adds(&r->msg, "response larger than "
		    "--max-response-bytes") == -1)
			return -1;
		return fail_row(rs, r);
	case XFER_RESPONSE:
		break;
	}
	if (x->status < 200 || x->status > 299)
		return finish_http(rs, r, now);
	if (rs->cfg.batch_out)
		return finish_batch(rs, r, now);
	if (request_answer(rs->cfg.request, rs->json, x->resp.data,
	    x->resp.len, &rs->val, &a, err, sizeof(err)) == -1) {
		set_error(r, ROW_ERR_PARSE, x->status);
		if (buf_adds(&r->msg, err) == -1)
			return -1;
		return retry_charged(rs, r, now, -1, 1);
	}
	r->prompt_tokens = a.prompt_tokens;
	r->completion_tokens = a.completion_tokens;
	if (rs->cfg.json) {
		if ((rv = merge_answer(rs, r, &a, err, sizeof(err))) == -1)
			return -1;
		if (rv == 1) {
			/* The model answered, just not as asked: a retry
			 * costs as much as the first try and may fare no
			 * better, so it fails the row. */
			set_error(r, ROW_ERR_PARSE, x->status);
			if (buf_adds(&r->msg, err) == -1)
				return -1;
			return fail_row(rs, r);
		}
	} else if (write_field(rs, r, rs->cfg.field, a.value, a.len) == -1)
		return -1;
	rs->last_success = now;
	r->failed = 0;
	return ROW_WRITE;
}

struct row *
rows_due(struct rows *rs, long long now)
{
	struct row	*r = RB_MIN(waittree, &rs->waiting);

	if (r == NULL || r->due > now)
		return NULL;
	RB_REMOVE(waittree, &rs->waiting, r);
	rs->nwaiting--;
	return r;
}

long long
rows_next_due(const struct rows *rs)
{
	struct row	*r = RB_MIN(waittree, (struct waittree *)&rs->waiting);

	return r != NULL ? r->due : -1;
}

size_t
rows_waiting(const struct rows *rs)
{
	return rs->nwaiting;
}

void
rows_deadline(struct rows *rs, long long when)
{
	rs->deadline = when;
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

int
row_give_up(struct rows *rs, struct row *r)
{
	if (explain(r, "not retried: interrupted") == -1)
		return -1;
	return fail_row(rs, r);
}
