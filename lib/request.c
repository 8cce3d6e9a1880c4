#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "anthropic.h"
#include "request.h"

struct request {
	const struct tmpl	*body;	/* --body: the whole of it */
	struct tmpl		*extract;	/* a path, or NULL: content */
	const struct tmpl	*system;
	const struct tmpl	*user;
	struct buf		 head;	/* up to the first rendered message */
	struct buf		 mid;	/* between system and user */
	struct buf		 tail;	/* after the user message */
	long long		 budget;
	int			 set_format;	/* -P response_format */
	int			 set_logprobs;	/* -P logprobs */
	int			 messages;	/* Anthropic's Messages API */
	int			 tool;		/* asks for its answer by a tool */
	struct buf		 midc;	/* mid, when the system is cached */
	struct attach		*attach;	/* -a, or NULL */
};

static int
check_param(const char *p, const char *eq, char *err, size_t errlen)
{
	static const char *const reserved[] = { "model", "messages" };
	size_t			 k, n = eq - p;

	if (n == 0) {
		snprintf(err, errlen, "-P %s: empty key", p);
		return -1;
	}
	for (k = 0; k < sizeof(reserved) / sizeof(reserved[0]); k++)
		if (strlen(reserved[k]) == n && memcmp(p, reserved[k], n) == 0) {
			snprintf(err, errlen, "-P %.*s: set by enrich itself%s",
			    (int)n, p, k == 0 ? "; use -m" : "");
			return -1;
		}
	return 0;
}

struct request *
request_new(const char *model, const struct tmpl *system,
    const struct tmpl *user, char *const *params, size_t nparams, char *err,
    size_t errlen)
{
	struct request	*r;
	const char	*eq, *ek;
	char		 jerr[128];
	size_t		 k, i;
	int		 later;

	if ((r = calloc(1, sizeof(*r))) == NULL)
		goto nomem;
	r->system = system;
	r->user = user;
	if (buf_adds(&r->head, "{\"model\":") == -1 ||
	    json_quote(&r->head, model, strlen(model)) == -1 ||
	    buf_adds(&r->head, ",\"messages\":[") == -1)
		goto nomem;
	if (system != NULL) {
		if (buf_adds(&r->head,
		    "{\"role\":\"system\",\"content\":\"") == -1 ||
		    buf_adds(&r->mid, "\"},") == -1)
			goto nomem;
	}
	if (buf_adds(&r->mid, "{\"role\":\"user\",\"content\":\"") == -1 ||
	    buf_adds(&r->tail, "\"}]") == -1)
		goto nomem;
	for (k = 0; k < nparams; k++) {
		if ((eq = strchr(params[k], '=')) == NULL) {
			snprintf(err, errlen, "-P %s: KEY=JSON expected",
			    params[k]);
			goto fail;
		}
		if (check_param(params[k], eq, err, errlen) == -1)
			goto fail;
		if (json_validate(eq + 1, strlen(eq + 1), jerr,
		    sizeof(jerr)) == -1) {
			snprintf(err, errlen, "-P %.*s: %s", (int)(eq -
			    params[k]), params[k], jerr);
			goto fail;
		}
		/* A key given again later wins, as on a command line. */
		for (later = 0, i = k + 1; i < nparams && !later; i++)
			later = (ek = strchr(params[i], '=')) != NULL &&
			    ek - params[i] == eq - params[k] &&
			    memcmp(params[i], params[k], eq - params[k]) == 0;
		if (later)
			continue;
		r->set_format |= strncmp(params[k], "response_format=", 16) == 0;
		r->set_logprobs |= strncmp(params[k], "logprobs=", 9) == 0;
		/* The completion budget counts against a token limit. */
		if (strncmp(params[k], "max_tokens=", 11) == 0 ||
		    strncmp(params[k], "max_completion_tokens=", 22) == 0)
			r->budget = strtonum(eq + 1, 0, LLONG_MAX, NULL);
		if (buf_addc(&r->tail, ',') == -1 ||
		    json_quote(&r->tail, params[k], eq - params[k]) == -1 ||
		    buf_addc(&r->tail, ':') == -1 ||
		    json_compact(&r->tail, eq + 1, strlen(eq + 1), 0) == -1)
			goto nomem;
	}
	if (buf_addc(&r->tail, '}') == -1)
		goto nomem;
	return r;
nomem:
	snprintf(err, errlen, "out of memory");
fail:
	request_free(r);
	return NULL;
}

struct request *
request_new_messages(const char *model, const struct tmpl *system,
    const struct tmpl *user, char *const *params, size_t nparams,
    long long max_tokens, char *err, size_t errlen)
{
	struct request	*r;
	struct buf	 old = { 0 };
	size_t		 k;

	for (k = 0; k < nparams; k++)
		if (strncmp(params[k], "system=", 7) == 0 ||
		    strncmp(params[k], "max_completion_tokens=", 22) == 0) {
			snprintf(err, errlen, "-P %.*s: not for --anthropic%s",
			    (int)strcspn(params[k], "="), params[k],
			    params[k][0] == 's' ? "; use -s" :
			    "; use -P max_tokens=N");
			return NULL;
		}
	/* The -P members as the chat body has them, checked: the tail
	 * after the messages' closing "}], up to the final }. */
	if ((r = request_new(model, system, user, params, nparams, err,
	    errlen)) == NULL)
		return NULL;
	old = r->tail;
	memset(&r->tail, 0, sizeof(r->tail));
	buf_reset(&r->head);
	buf_reset(&r->mid);
	r->messages = 1;
	if (anthropic_shape(model, system != NULL, old.data + 3, old.len - 4,
	    r->budget > 0 ? 0 : max_tokens, &r->head, &r->mid, &r->midc,
	    &r->tail) == -1) {
		buf_free(&old);
		request_free(r);
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	buf_free(&old);
	if (r->budget == 0)
		r->budget = max_tokens;
	return r;
}

size_t
request_cached_bytes(const struct request *r, const char *body, size_t len)
{
	if (!r->messages || r->system == NULL)
		return 0;
	return anthropic_cached_bytes(body, len, r->head.len);
}

struct request *
request_new_body(const struct tmpl *body, char *err, size_t errlen)
{
	struct request	*r;

	if ((r = calloc(1, sizeof(*r))) == NULL) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	r->body = body;
	return r;
}

/*
 * The Messages API asks in its own way (anthropic.h): the instruction in
 * the top-level system, the schema as a tool the model must call, and no
 * logprobs, which it does not have (the answers' confidence is null).
 */
static int
ask_messages(struct request *r, const struct request_ask *ask, char *err,
    size_t errlen)
{
	struct json	*j;
	size_t		 len;
	int		 rv;

	if (ask->instruction != NULL && anthropic_instruction(&r->head,
	    &r->mid, &r->midc, r->system != NULL, ask->instruction) == -1) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	if (ask->format == NULL)
		return 0;
	if ((j = json_new()) == NULL) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	/* Before the body's closing brace. */
	len = --r->tail.len;
	if ((rv = anthropic_tool(j, ask->format, &r->tail, err, errlen)) == 0)
		r->tool = r->tail.len > len;
	json_free(j);
	if (buf_addc(&r->tail, '}') == -1) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	return rv;
}

int
request_ask(struct request *r, const struct request_ask *ask, char *err,
    size_t errlen)
{
	struct buf	 b = { 0 };

	if (r->body != NULL) {
		snprintf(err, errlen, "a --body request says all it asks");
		return -1;
	}
	if (ask->format != NULL && r->set_format) {
		snprintf(err, errlen, "-P response_format: set by --schema");
		return -1;
	}
	if (ask->logprobs && r->set_logprobs) {
		snprintf(err, errlen, "-P logprobs: set by --confidence");
		return -1;
	}
	if (r->messages)
		return ask_messages(r, ask, err, errlen);
	if (ask->instruction != NULL) {
		/* After the system message, or as one of its own. */
		if (r->system != NULL) {
			if (buf_adds(&b, "\\n\\n") == -1 ||
			    json_escape(&b, ask->instruction,
			    strlen(ask->instruction)) == -1 ||
			    buf_insert(&r->mid, 0, b.data, b.len) == -1)
				goto nomem;
		} else {
			if (buf_adds(&b, "{\"role\":\"system\",\"content\":") ==
			    -1 || json_quote(&b, ask->instruction,
			    strlen(ask->instruction)) == -1 ||
			    buf_adds(&b, "},") == -1 ||
			    buf_add(&r->head, b.data, b.len) == -1)
				goto nomem;
		}
		buf_reset(&b);
	}
	/* Before the body's closing brace. */
	r->tail.len--;
	if (ask->format != NULL && (buf_adds(&r->tail,
	    ",\"response_format\":") == -1 ||
	    json_compact(&r->tail, ask->format, strlen(ask->format), 0) == -1))
		goto nomem;
	if (ask->logprobs && buf_adds(&r->tail, ",\"logprobs\":true") == -1)
		goto nomem;
	if (buf_addc(&r->tail, '}') == -1)
		goto nomem;
	buf_free(&b);
	return 0;
nomem:
	buf_free(&b);
	snprintf(err, errlen, "out of memory");
	return -1;
}

int
request_reask(struct json *j, struct buf *body, const char *answer,
    size_t len, const char *why)
{
	struct buf	 b = { 0 };
	char		 jerr[8];
	size_t		 off, n;
	int		 m;

	if (json_parse(j, body->data, body->len, jerr, sizeof(jerr)) == -1 ||
	    json_type(j, (m = json_get(j, 0, "messages", 8))) != JSON_ARRAY ||
	    json_len(j, m) == 0)
		return 1;
	json_span(j, m, &off, &n);
	if (buf_adds(&b, ",{\"role\":\"assistant\",\"content\":") == -1 ||
	    buf_add(&b, answer, len) == -1 ||
	    buf_adds(&b, "},{\"role\":\"user\",\"content\":\"That answer "
	    "is not valid: ") == -1 ||
	    json_escape(&b, why, strlen(why)) == -1 ||
	    buf_adds(&b, ". Answer again, with the corrected answer "
	    "only.\"}") == -1 ||
	    buf_insert(body, off + n - 1, b.data, b.len) == -1) {
		buf_free(&b);
		return -1;
	}
	buf_free(&b);
	return 0;
}

int
request_extract(struct request *r, const char *path, char *err,
    size_t errlen)
{
	struct buf	 b = { 0 };
	char		 e[128];

	/* A path is a template of one placeholder: one parser for both. */
	if (buf_adds(&b, "{{") == -1 || buf_adds(&b, path) == -1 ||
	    buf_adds(&b, "}}") == -1) {
		buf_free(&b);
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	if (strstr(path, "{{") != NULL || strstr(path, "}}") != NULL ||
	    (r->extract = tmpl_compile(b.data, b.len, 0, e, sizeof(e))) ==
	    NULL) {
		snprintf(err, errlen, "--extract %s: not a path like "
		    "choices.0.message.content", path);
		buf_free(&b);
		return -1;
	}
	buf_free(&b);
	return 0;
}

void
request_free(struct request *r)
{
	if (r == NULL)
		return;
	tmpl_free(r->extract);
	buf_free(&r->head);
	buf_free(&r->mid);
	buf_free(&r->tail);
	buf_free(&r->midc);
	free(r);
}

void
request_get_form(const struct request *r, struct request_form *f)
{
	f->extract = r->extract;
	f->messages = r->messages;
	f->tool = r->tool;
}

size_t
request_overhead(const struct request *r)
{
	return r->head.len + r->mid.len + r->tail.len;	/* 0 for --body */
}

long long
request_budget(const struct request *r)
{
	return r->budget;
}

void
request_attach(struct request *r, struct attach *a)
{
	r->attach = a;
}

/*
 * With files, the user message's content is a list: the runs end the
 * message's opening with a string's quote, which becomes a text part's,
 * and the tail starts by closing the string, which then closes the text
 * part, the files' parts and the list.
 */
static int
parts_open(const struct request *r, struct buf *body)
{
	if (attach_count(r->attach) == 0)
		return 0;
	body->len--;
	return buf_adds(body, "[{\"type\":\"text\",\"text\":\"");
}

static int
parts_close(const struct request *r, struct buf *body)
{
	if (attach_count(r->attach) == 0)
		return buf_add(body, r->tail.data, r->tail.len);
	return buf_adds(body, "\"}") == -1 ||
	    attach_parts(r->attach, r->messages ? ATTACH_MESSAGES :
	    ATTACH_CHAT, body) == -1 || buf_addc(body, ']') == -1 ||
	    buf_add(body, r->tail.data + 1, r->tail.len - 1) == -1 ? -1 : 0;
}

int
request_body(const struct request *r, const struct json *row,
    struct buf *body, char *err, size_t errlen)
{
	const struct buf	*mid = &r->mid;
	size_t			 start;

	if (r->body != NULL)
		return tmpl_render(r->body, row, 0, body, TMPL_VALUES, err,
		    errlen);
	if (buf_add(body, r->head.data, r->head.len) == -1)
		goto nomem;
	start = body->len;
	if (r->system != NULL && tmpl_render(r->system, row, 0, body,
	    TMPL_JSON, err, errlen) == -1)
		return -1;
	/* Row by row: a system template with fields may be long or not. */
	if (r->messages && r->system != NULL &&
	    anthropic_cacheable(body->len - start))
		mid = &r->midc;
	if (buf_add(body, mid->data, mid->len) == -1 ||
	    parts_open(r, body) == -1)
		goto nomem;
	if (tmpl_render(r->user, row, 0, body, TMPL_JSON, err, errlen) == -1)
		return -1;
	if (parts_close(r, body) == -1)
		goto nomem;
	return 0;
nomem:
	snprintf(err, errlen, "out of memory");
	return -1;
}
