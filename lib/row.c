#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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

struct rows {
	struct row_config	 cfg;
	size_t			 idlen;
	struct json		*json;
	struct buf		 key;		/* scratch: an ID's key */
	struct buf		 val;		/* scratch: a field's value */
	TAILQ_HEAD(, row)	 free;
};

struct rows *
rows_new(const struct row_config *cfg)
{
	struct rows	*rs;

	if ((rs = calloc(1, sizeof(*rs))) == NULL)
		return NULL;
	rs->cfg = *cfg;
	rs->idlen = strlen(cfg->idfield);
	TAILQ_INIT(&rs->free);
	if ((rs->json = json_new()) == NULL) {
		free(rs);
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
	while ((r = TAILQ_FIRST(&rs->free)) != NULL) {
		TAILQ_REMOVE(&rs->free, r, link);
		row_free(r);
	}
	json_free(rs->json);
	buf_free(&rs->key);
	buf_free(&rs->val);
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
	r->xfer.udata = r;
	r->attempts = 0;
	r->failed = 0;
	r->prompt_tokens = r->completion_tokens = -1;
	buf_reset(&r->text);
	buf_reset(&r->id);
	buf_reset(&r->body);
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

/* The error object: {"type":T,"status":S,"message":M}, into rs->val. */
static int
error_object(struct rows *rs, enum row_error type, long status,
    const struct buf *msg)
{
	struct buf	*v = &rs->val;

	buf_reset(v);
	if (buf_adds(v, "{\"type\":\"") == -1 ||
	    buf_adds(v, error_names[type]) == -1 ||
	    buf_adds(v, "\",\"status\":") == -1)
		return -1;
	if ((status > 0 ? buf_addu(v, status) : buf_adds(v, "null")) == -1)
		return -1;
	if (buf_adds(v, ",\"message\":") == -1 ||
	    json_quote(v, msg->data, msg->len) == -1 ||
	    buf_addc(v, '}') == -1)
		return -1;
	return 0;
}

/* Write the row's object with one field set (and the ID, if it had none). */
static int
splice_line(struct rows *rs, struct row *r, const char *name,
    const char *value, size_t valuelen)
{
	struct json_field	 f[2];
	size_t			 n = 0;

	if (r->idmissing)
		f[n++] = (struct json_field){ rs->cfg.idfield, rs->idlen,
		    r->id.data, r->id.len };
	f[n++] = (struct json_field){ name, strlen(name), value, valuelen };
	buf_reset(&r->line);
	if (json_splice(&r->line, r->text.data, r->text.len, &r->members, f,
	    n) == -1 || buf_addc(&r->line, '\n') == -1)
		return -1;
	return 0;
}

const char *
row_error_name(enum row_error e)
{
	return error_names[e];
}

static int
fail_row(struct rows *rs, struct row *r, enum row_error type, long status)
{
	r->failed = 1;
	r->error = type;
	r->status = status;
	if (error_object(rs, type, status, &r->msg) == -1)
		return -1;
	if (splice_line(rs, r, rs->cfg.errfield, rs->val.data,
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
	r->error = ROW_ERR_INPUT;
	r->status = 0;
	if (error_object(rs, ROW_ERR_INPUT, 0, &r->msg) == -1)
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
	if (request_body(rs->cfg.request, j, &r->body, err, sizeof(err)) ==
	    -1) {
		buf_reset(&r->msg);
		if (buf_adds(&r->msg, err) == -1)
			return -1;
		return fail_row(rs, r, ROW_ERR_TEMPLATE, 0);
	}
	if (rs->cfg.dry_run) {
		buf_reset(&r->line);
		if (buf_addc(&r->line, '{') == -1 ||
		    json_quote(&r->line, rs->cfg.idfield, rs->idlen) == -1 ||
		    buf_addc(&r->line, ':') == -1 ||
		    buf_add(&r->line, r->id.data, r->id.len) == -1 ||
		    buf_adds(&r->line, ",\"request\":") == -1 ||
		    buf_add(&r->line, r->body.data, r->body.len) == -1 ||
		    buf_adds(&r->line, "}\n") == -1)
			return -1;
		return ROW_WRITE;
	}
	r->xfer.body = r->body.data;
	r->xfer.bodylen = r->body.len;
	return ROW_SEND;
input:
	buf_reset(&r->msg);
	if (buf_adds(&r->msg, err) == -1)
		return -1;
	return fail_input(rs, r, ln);
}

int
row_finish(struct rows *rs, struct row *r)
{
	struct xfer	*x = &r->xfer;
	struct answer	 a;
	char		 err[256];

	r->attempts++;
	buf_reset(&r->msg);
	switch (x->result) {
	case XFER_NETWORK:
	case XFER_TIMEOUT:
		if (buf_adds(&r->msg, x->error) == -1)
			return -1;
		return fail_row(rs, r, x->result == XFER_TIMEOUT ?
		    ROW_ERR_TIMEOUT : ROW_ERR_NETWORK, 0);
	case XFER_TOOBIG:
		if (buf_adds(&r->msg, "response larger than "
		    "--max-response-bytes") == -1)
			return -1;
		return fail_row(rs, r, ROW_ERR_PARSE, x->status);
	case XFER_RESPONSE:
		break;
	}
	if (x->status >= 200 && x->status <= 299) {
		if (request_answer(rs->json, x->resp.data, x->resp.len, &a,
		    err, sizeof(err)) == -1) {
			if (buf_adds(&r->msg, err) == -1)
				return -1;
			return fail_row(rs, r, ROW_ERR_PARSE, x->status);
		}
		r->prompt_tokens = a.prompt_tokens;
		r->completion_tokens = a.completion_tokens;
		if (splice_line(rs, r, rs->cfg.field, x->resp.data + a.off,
		    a.len) == -1)
			return -1;
		return ROW_WRITE;
	}
	if (request_error(rs->json, x->resp.data, x->resp.len, &r->msg) == -1)
		return -1;
	r->status = x->status;
	/* Every other row would get the same answer. */
	if (x->status == 401) {
		if (buf_adds(&r->msg, " (check OPENAI_API_KEY or "
		    "--api-key-file)") == -1)
			return -1;
		return ROW_FATAL;
	}
	if (x->status == 404) {
		if (buf_adds(&r->msg, " (check --url and --model)") == -1)
			return -1;
		return ROW_FATAL;
	}
	return fail_row(rs, r, ROW_ERR_HTTP, x->status);
}
