/*
 * What the row harnesses share: the modules a row meets on its way (input,
 * record, verdict) over one user template with the default field names,
 * made once per process; a response given to a row as the pool would give
 * it; sched.c's judge(), driven the same way; and the one check every
 * harness makes of a written line.
 */
#ifndef FUZZ_H
#define FUZZ_H

#include <stdlib.h>
#include <string.h>

#include "input.h"
#include "record.h"
#include "verdict.h"

struct fuzz_rig {
	struct record	*record;
	struct input	*input;
	struct verdicts	*verdicts;
};

/* One setting of the options that change what a row turns into. */
struct fuzz_opts {
	int		 retries;	/* -r */
	int		 json;		/* --json */
	int		 meta;		/* --meta */
	int		 dry_run;
	int		 batch_in;	/* --batch-input */
	int		 batch_out;	/* --batch-output */
	const char	*extract;	/* --extract, or NULL */
	int		 messages;	/* --anthropic: the Messages API */
	struct idset	*skip;	/* --skip-ids, or NULL */
	const char	*labels;	/* --labels, or NULL */
	const char	*schema;	/* --schema's text, or NULL */
	int		 confidence;	/* --confidence */
	int		 reask;		/* --reask */
};

/* Everything made here lives as long as the process. */
static struct fuzz_rig *
fuzz_rig(const char *template, const struct fuzz_opts *o)
{
	struct record_config	 rc = { 0 };
	struct input_config	 ic = { 0 };
	struct verdict_config	 vc = { 0 };
	struct fuzz_rig		*z;
	struct request		*req;
	struct tmpl		*t;
	char			 err[256];

	if ((z = calloc(1, sizeof(*z))) == NULL)
		abort();
	t = tmpl_compile(template, strlen(template), TMPL_ESCAPES, err,
	    sizeof(err));
	if (t == NULL || (req = request_make(&(struct request_config){
	    provider_find(o->messages ? "anthropic" : "openai")->shape, "m",
	    NULL, t, NULL, 0 }, err, sizeof(err))) == NULL ||
	    (o->extract != NULL &&
	    request_extract(req, o->extract, err, sizeof(err)) == -1))
		abort();
	/* The Messages API asks for a schema by a tool: its answers are
	 * read from the tool's input. */
	if (o->messages && o->schema != NULL) {
		struct request_ask	 ask = { 0 };
		struct buf		 fmt = { 0 };

		if (buf_adds(&fmt, "{\"type\":\"json_schema\",\"json_schema\":"
		    "{\"name\":\"s\",\"schema\":") == -1 ||
		    buf_adds(&fmt, o->schema) == -1 || buf_adds(&fmt, "}}") ==
		    -1 || buf_addc(&fmt, '\0') == -1)
			abort();
		ask.format = fmt.data;
		if (request_ask(req, &ask, err, sizeof(err)) == -1)
			abort();
		buf_free(&fmt);
	}
	rc.request = req;
	rc.idfield = o->batch_in ? "custom_id" : "id";
	rc.field = "answer";
	rc.errfield = "error";
	rc.json = o->json;
	rc.meta = o->meta;
	rc.batch_out = o->batch_out;
	rc.confidence = o->confidence;
	if ((o->labels != NULL && (rc.labels = labels_new(o->labels,
	    strlen(o->labels), ',', err, sizeof(err))) == NULL) ||
	    (o->schema != NULL && (rc.schema = schema_new(o->schema,
	    strlen(o->schema), err, sizeof(err))) == NULL))
		abort();
	ic.idfield = rc.idfield;
	ic.errfield = rc.errfield;
	ic.request = req;
	ic.skip = o->skip;
	ic.dry_run = o->dry_run;
	ic.batch_in = o->batch_in;
	ic.batch_out = o->batch_out;
	ic.base = "http://127.0.0.1:1/v1";
	vc.retries = o->retries;
	vc.max_wait_ms = 1000;
	vc.stall_ms = 1000;
	vc.reask = o->reask;
	vc.overloaded = provider_find(o->messages ? "anthropic" : "openai")->
	    wire->overloaded;
	if ((z->record = record_new(&rc)) == NULL ||
	    (z->input = input_new(&ic, z->record)) == NULL ||
	    (z->verdicts = verdict_new(&vc, 0)) == NULL)
		abort();
	return z;
}

/* Give the row's transfer a response, as the pool would. */
static void
fuzz_respond(struct row *r, long status, const void *body, size_t len)
{
	buf_reset(&r->xfer.resp);
	if (buf_add(&r->xfer.resp, body, len) == -1)
		abort();
	r->xfer.result = XFER_RESPONSE;
	r->xfer.status = status;
	r->xfer.elapsed_ms = 1;
	memset(r->xfer.header, 0, sizeof(r->xfer.header));
	r->attempts++;
}

/* What sched.c's judge() does with a finished attempt, at time 0. */
static enum verdict_kind
fuzz_judge(struct fuzz_rig *z, struct row *r)
{
	struct verdict	 v;
	char		 why[256];
	int		 rv;

	if (verdict_transfer(z->verdicts, r, 0, &v) == -1)
		abort();
	if (v.kind == VERDICT_DONE) {
		if ((rv = record_response(z->record, r, why,
		    sizeof(why))) == -1)
			abort();
		if (rv == RECORD_WRITTEN)
			verdict_success(z->verdicts, 0);
		else if ((rv == RECORD_UNREADABLE ?
		    verdict_unreadable(z->verdicts, r, 0, why, &v) :
		    rv == RECORD_INVALID ?
		    verdict_invalid(z->verdicts, r, 0, why, &v) :
		    verdict_final(z->verdicts, r, rv == RECORD_TRUNCATED ?
		    ROW_ERR_TRUNCATED : ROW_ERR_REFUSED, why, &v)) == -1)
			abort();
		/* Asked again: the body must stay one JSON request. */
		if (v.kind == VERDICT_RETRY && v.wait == VERDICT_REASK) {
			if ((rv = input_reask(z->input, r, why)) == -1)
				abort();
			if (rv == 1)
				v.kind = VERDICT_FAIL;
			else if (json_validate(r->body.data, r->body.len, why,
			    sizeof(why)) == -1)
				abort();
		}
	}
	if (v.kind == VERDICT_FAIL && record_error(z->record, r) == -1)
		abort();
	return v.kind;
}

/* A written line is one line of valid JSON, an object, newline-ended. */
static void
fuzz_check_line(const struct buf *line)
{
	char	 err[128];

	if (line->len < 3 || line->data[0] != '{' ||
	    line->data[line->len - 1] != '\n' ||
	    memchr(line->data, '\n', line->len - 1) != NULL ||
	    json_validate(line->data, line->len - 1, err, sizeof(err)) == -1)
		abort();
}

/*
 * A row of the line through the rig, every attempt answered with this
 * status and body, up to three attempts: it ends written (a valid line,
 * failed as the verdict says), or waiting, or stopping the run.
 */
static void
fuzz_attempts(struct fuzz_rig *z, struct rows *rs, const struct line *ln,
    long status, const void *data, size_t size)
{
	enum verdict_kind	 kind;
	struct row		*r;
	int			 n = 0;

	if ((r = rows_get(rs)) == NULL ||
	    input_load(z->input, r, ln) != INPUT_SEND)
		abort();
	do {
		fuzz_respond(r, status, data, size);
		kind = fuzz_judge(z, r);
	} while (kind == VERDICT_RETRY && ++n < 3);
	if (kind == VERDICT_DONE || kind == VERDICT_FAIL) {
		if (r->failed != (kind == VERDICT_FAIL))
			abort();
		fuzz_check_line(&r->line);
	}
	rows_put(rs, r);
}

#endif
