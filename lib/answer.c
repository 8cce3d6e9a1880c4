#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "anthropic.h"
#include "answer.h"

#define ERROR_TEXT_MAX	500	/* bytes of a non-JSON error body quoted */
/* No request takes more tokens than this (the largest context windows
 * are a few million): a count above it is a broken or hostile server's,
 * and is taken as not reported rather than let it stall --tpm pacing or
 * overflow a sum. */
#define TOKENS_MAX	100000000LL

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
answer_confidence(const struct json *j, size_t start, size_t end,
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

long long
answer_tokens(const struct json *j, int obj, const char *key)
{
	return json_get_count(j, obj, key, TOKENS_MAX);
}

int
answer_read(const struct request *r, struct json *j, const char *text,
    size_t len, struct buf *scratch, struct answer *a, char *err,
    size_t errlen)
{
	struct request_form	 f;
	const char		*raw;
	char			 jerr[96];
	size_t			 off, n;
	int			 t, u, c, m, fin;

	if (json_parse(j, text, len, jerr, sizeof(jerr)) == -1) {
		snprintf(err, errlen, "response is not JSON: %s", jerr);
		return -1;
	}
	request_get_form(r, &f);
	if (f.messages && f.extract == NULL)
		return anthropic_answer(j, text, f.tool, scratch, a, err,
		    errlen);
	a->prompt_tokens = a->completion_tokens = -1;
	a->cached_tokens = a->cache_write_tokens = -1;
	if ((u = json_get(j, 0, "usage", 5)) != -1) {
		a->prompt_tokens = answer_tokens(j, u, "prompt_tokens");
		a->completion_tokens = answer_tokens(j, u, "completion_tokens");
		/* Billed at the cached price: OpenAI's place for them. */
		a->cached_tokens = answer_tokens(j, json_get(j, u,
		    "prompt_tokens_details", 21), "cached_tokens");
	}
	if (f.extract != NULL)
		t = tmpl_lookup(f.extract, j, 0);
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
				return ANSWER_REFUSED;
			}
		}
		if (json_is_string(j, fin, "content_filter")) {
			snprintf(err, errlen, "the provider's content filter "
			    "stopped the answer");
			return ANSWER_REFUSED;
		}
		t = json_get(j, m, "content", 7);
		if (json_is_string(j, fin, "length")) {
			if (json_type(j, t) == JSON_STRING) {
				json_span(j, t, &off, &n);
				a->value = text + off;
				a->len = n;
			} else {
				a->value = "\"\"";
				a->len = 2;
			}
			a->string = 1;
			return ANSWER_TRUNCATED;
		}
	}
	switch (json_type(j, t)) {
	case JSON_NONE:
		snprintf(err, errlen, "response has no %s", f.extract ?
		    "value at --extract" : "choices[0].message.content");
		return -1;
	case JSON_NULL:
		snprintf(err, errlen, "%s", f.extract ? "the value at "
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
		if (f.extract == NULL) {
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
answer_error(struct json *j, const char *text, size_t len, struct buf *msg,
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
