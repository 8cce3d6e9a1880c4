#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "anthropic.h"
#include "request.h"

#define ERROR_TEXT_MAX	500	/* bytes of a non-JSON error body quoted */
/* No request takes more tokens than this (the largest context windows
 * are a few million): a count above it is a broken or hostile server's,
 * and is taken as not reported rather than let it stall --tpm pacing or
 * overflow a sum. */
#define TOKENS_MAX	100000000LL

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

/* Insert the text at off in b. */
static int
buf_insert(struct buf *b, size_t off, const char *s, size_t n)
{
	if (buf_reserve(b, n) == -1)
		return -1;
	memmove(b->data + off + n, b->data + off, b->len - off);
	memcpy(b->data + off, s, n);
	b->len += n;
	return 0;
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

/* A token's length in bytes: its "bytes" if given, else its text's. */
static long long
token_bytes(const struct json *j, int t, struct buf *scratch)
{
	const char	*raw;
	size_t		 n;
	int		 s;

	if (json_type(j, (s = json_get(j, t, "bytes", 5))) == JSON_ARRAY)
		return json_len(j, s);
	if (json_type(j, (s = json_get(j, t, "token", 5))) != JSON_STRING)
		return -1;
	json_string_raw(j, s, &raw, &n);
	buf_reset(scratch);
	if (json_decode_string(scratch, raw, n) == -1)
		return -1;
	return scratch->len;
}

int
request_confidence(const struct json *j, size_t start, size_t end,
    struct buf *scratch, double *p)
{
	const char	*text = json_text(j);
	char		 num[40];
	size_t		 k, n, off, len, pos = 0;
	double		 sum = 0, lp;
	long long	 b;
	int		 t, lps, used = 0;

	t = json_get(j, json_index(j, json_get(j, 0, "choices", 7), 0),
	    "logprobs", 8);
	if (json_type(j, (lps = json_get(j, t, "content", 7))) != JSON_ARRAY ||
	    (n = json_len(j, lps)) == 0)
		return -1;
	for (k = 0, t = lps + 1; k < n && pos < end; k++, t = json_next(j, t)) {
		if ((b = token_bytes(j, t, scratch)) < 0)
			return -1;
		/* A token wholly before or after the span is not counted. */
		if (pos + b > start) {
			lps = json_get(j, t, "logprob", 7);
			if (json_type(j, lps) != JSON_NUMBER)
				return -1;
			json_span(j, lps, &off, &len);
			if (len >= sizeof(num))
				return -1;
			memcpy(num, text + off, len);
			num[len] = '\0';
			lp = strtod(num, NULL);
			if (!isfinite(lp))
				return -1;
			sum += lp > 0 ? 0 : lp;
			used = 1;
		}
		pos += b;
	}
	if (!used)
		return -1;
	*p = exp(sum);
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
	if (buf_add(body, mid->data, mid->len) == -1)
		goto nomem;
	if (tmpl_render(r->user, row, 0, body, TMPL_JSON, err, errlen) == -1)
		return -1;
	if (buf_add(body, r->tail.data, r->tail.len) == -1)
		goto nomem;
	return 0;
nomem:
	snprintf(err, errlen, "out of memory");
	return -1;
}

/* Is token t the string s (without escapes)? */
static int
is_string(const struct json *j, int t, const char *s)
{
	const char	*raw;
	size_t		 n;

	if (json_type(j, t) != JSON_STRING)
		return 0;
	json_string_raw(j, t, &raw, &n);
	return n == strlen(s) && memcmp(raw, s, n) == 0;
}

long long
request_tokens(const struct json *j, int obj, const char *key)
{
	const char	*errstr;
	char		 num[24];
	size_t		 off, len;
	long long	 v;
	int		 t;

	t = json_get(j, obj, key, strlen(key));
	if (!json_is_integer(j, t))
		return -1;
	json_span(j, t, &off, &len);
	if (len >= sizeof(num))
		return -1;
	memcpy(num, json_text(j) + off, len);
	num[len] = '\0';
	v = strtonum(num, 0, TOKENS_MAX, &errstr);
	return errstr == NULL ? v : -1;
}

int
request_answer(const struct request *r, struct json *j, const char *text,
    size_t len, struct buf *scratch, struct answer *a, char *err,
    size_t errlen)
{
	const char	*raw;
	char		 jerr[96];
	size_t		 off, n;
	int		 t, u, c, m, fin;

	if (json_parse(j, text, len, jerr, sizeof(jerr)) == -1) {
		snprintf(err, errlen, "response is not JSON: %s", jerr);
		return -1;
	}
	if (r->messages && r->extract == NULL)
		return anthropic_answer(j, text, r->tool, scratch, a, err,
		    errlen);
	a->prompt_tokens = a->completion_tokens = -1;
	a->cached_tokens = a->cache_write_tokens = -1;
	if ((u = json_get(j, 0, "usage", 5)) != -1) {
		a->prompt_tokens = request_tokens(j, u, "prompt_tokens");
		a->completion_tokens = request_tokens(j, u, "completion_tokens");
		/* Billed at the cached price: OpenAI's place for them. */
		a->cached_tokens = request_tokens(j, json_get(j, u,
		    "prompt_tokens_details", 21), "cached_tokens");
	}
	if (r->extract != NULL)
		t = tmpl_lookup(r->extract, j, 0);
	else {
		c = json_index(j, json_get(j, 0, "choices", 7), 0);
		m = json_get(j, c, "message", 7);
		fin = json_get(j, c, "finish_reason", 13);
		t = json_get(j, m, "refusal", 7);
		/* A refusal or a filter is the model's last word on this
		 * request: not a parse error, and not worth a retry. */
		if (json_type(j, t) == JSON_STRING) {
			json_string_raw(j, t, &raw, &n);
			if (n > 0) {
				buf_reset(scratch);
				if (json_decode_string(scratch, raw, n) == -1)
					goto nomem;
				snprintf(err, errlen, "%.*s", (int)scratch->len,
				    scratch->data);
				return REQUEST_REFUSED;
			}
		}
		if (is_string(j, fin, "content_filter")) {
			snprintf(err, errlen, "the provider's content filter "
			    "stopped the answer");
			return REQUEST_REFUSED;
		}
		t = json_get(j, m, "content", 7);
		if (is_string(j, fin, "length")) {
			if (json_type(j, t) == JSON_STRING) {
				json_span(j, t, &off, &n);
				a->value = text + off;
				a->len = n;
			} else {
				a->value = "\"\"";
				a->len = 2;
			}
			a->string = 1;
			return REQUEST_TRUNCATED;
		}
	}
	switch (json_type(j, t)) {
	case JSON_NONE:
		snprintf(err, errlen, "response has no %s", r->extract ?
		    "value at --extract" : "choices[0].message.content");
		return -1;
	case JSON_NULL:
		snprintf(err, errlen, "%s", r->extract ? "the value at "
		    "--extract is null" : "response content is null (a "
		    "refusal or a tool call)");
		return -1;
	case JSON_STRING:
		json_span(j, t, &off, &n);
		a->value = text + off;
		a->len = n;
		a->string = 1;
		break;
	default:
		if (r->extract == NULL) {
			snprintf(err, errlen, "response content is not a "
			    "string");
			return -1;
		}
		/* Compact: the value goes on one output line. */
		json_span(j, t, &off, &n);
		buf_reset(scratch);
		if (json_compact(scratch, text + off, n, 0) == -1) {
			snprintf(err, errlen, "out of memory");
			return -1;
		}
		a->value = scratch->data;
		a->len = scratch->len;
		a->string = 0;
		break;
	}
	return 0;
nomem:
	snprintf(err, errlen, "out of memory");
	return -1;
}

/* Append a string member's decoded text, if it is a string. */
static int
add_string(const struct json *j, int obj, const char *key, struct buf *b)
{
	const char	*raw;
	size_t		 n;
	int		 t;

	t = obj == -1 ? 0 : json_get(j, obj, key, strlen(key));
	if (json_type(j, t) != JSON_STRING)
		return 0;
	json_string_raw(j, t, &raw, &n);
	return json_decode_string(b, raw, n) == -1 ? -1 : 1;
}

int
request_error(struct json *j, const char *text, size_t len, struct buf *msg,
    struct buf *code)
{
	char	 jerr[8];
	size_t	 n;
	int	 e, rv;

	buf_reset(msg);
	buf_reset(code);
	if (json_parse(j, text, len, jerr, sizeof(jerr)) == 0 &&
	    (e = json_get(j, 0, "error", 5)) != -1) {
		if (json_type(j, e) == JSON_STRING)
			return add_string(j, 0, "error", msg) == -1 ? -1 : 0;
		if ((rv = add_string(j, e, "code", code)) == 0)
			rv = add_string(j, e, "type", code);
		if (rv == -1 || (rv = add_string(j, e, "message", msg)) == -1)
			return -1;
		if (rv == 1)
			return 0;
	}
	/* Not an OpenAI error: quote the start, on one line. */
	n = len > ERROR_TEXT_MAX ? ERROR_TEXT_MAX : len;
	while (n > 0 && (text[n - 1] == '\n' || text[n - 1] == '\r'))
		n--;
	if (buf_add(msg, text, n) == -1)
		return -1;
	for (n = 0; n < msg->len; n++)
		if (msg->data[n] == '\n' || msg->data[n] == '\r')
			msg->data[n] = ' ';
	return 0;
}
