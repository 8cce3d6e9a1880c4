#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "anthropic.h"
#include "answer.h"
#include "labels.h"

#define ERROR_TEXT_MAX	500	/* bytes of a non-JSON error body quoted */
/* No request takes more tokens than this (the largest context windows
 * are a few million): a count above it is a broken or hostile server's,
 * and is taken as not reported rather than let it stall --tpm pacing or
 * overflow a sum. */
#define TOKENS_MAX	100000000LL

/*
 * Append a token's bytes to spelled: its "bytes" if given (a token may
 * hold part of a character), else its text's.  -1 if it has neither or
 * out of memory.
 */
static int
token_spell(const struct json *j, int t, struct buf *spelled)
{
	const char	*raw, *errstr;
	char		 num[8];
	long long	 v;
	size_t		 k, off, n;
	int		 s, e;

	if (json_type(j, (s = json_get(j, t, "bytes", 5))) == JSON_ARRAY) {
		for (k = 0; (e = json_index(j, s, k)) != -1; k++) {
			if (!json_is_integer(j, e))
				return -1;
			json_span(j, e, &off, &n);
			if (n >= sizeof(num))
				return -1;
			memcpy(num, json_text(j) + off, n);
			num[n] = '\0';
			v = strtonum(num, 0, 255, &errstr);
			if (errstr != NULL || buf_addc(spelled, (char)v) == -1)
				return -1;
		}
		return 0;
	}
	if (json_type(j, (s = json_get(j, t, "token", 5))) != JSON_STRING)
		return -1;
	json_string_raw(j, s, &raw, &n);
	return json_decode_string(spelled, raw, n);
}

/* A token's logprob, at most 0 (no more than certainty); -1 if none. */
static int
token_logprob(const struct json *j, int t, double *lp)
{
	char	 num[40];
	size_t	 off, len;
	int	 v;

	v = json_get(j, t, "logprob", 7);
	if (json_type(j, v) != JSON_NUMBER)
		return -1;
	json_span(j, v, &off, &len);
	if (len >= sizeof(num))
		return -1;
	memcpy(num, json_text(j) + off, len);
	num[len] = '\0';
	*lp = strtod(num, NULL);
	if (!isfinite(*lp))
		return -1;
	if (*lp > 0)
		*lp = 0;
	return 0;
}

int
answer_confidence(const struct json *j, size_t start, size_t end,
    struct buf *scratch, double *p)
{
	struct buf	 spelled = { 0 };
	const char	*raw;
	size_t		 k, n, len, pos, was, lo, hi, from = SIZE_MAX, to = 0;
	double		 sum = 0, lp;
	int		 t, c, lps, rv = -1;

	c = json_index(j, json_get(j, 0, "choices", 7), 0);
	t = json_get(j, c, "logprobs", 8);
	if (json_type(j, (lps = json_get(j, t, "content", 7))) != JSON_ARRAY ||
	    (n = json_len(j, lps)) == 0)
		return -1;
	t = json_get(j, json_get(j, c, "message", 7), "content", 7);
	if (json_type(j, t) != JSON_STRING)
		return -1;
	json_string_raw(j, t, &raw, &len);
	buf_reset(scratch);
	if (json_decode_string(scratch, raw, len) == -1)
		return -1;
	if (end > scratch->len)
		end = scratch->len;
	if (start >= end)
		return -1;
	for (k = 0, t = lps + 1; k < n; k++, t = json_next(j, t))
		if (token_spell(j, t, &spelled) == -1)
			goto out;
	/*
	 * What the tokens spell must be the answer, or they say nothing of
	 * its probability (a broken or hostile server's, or another text's:
	 * answer "S3", tokens "EC2").  Spelled exactly, the tokens that
	 * overlap the span are its; else all of them, if they spell the
	 * span with what a label is forgiven (case, quotes, white space, a
	 * final period).
	 */
	if (spelled.len == scratch->len && memcmp(spelled.data, scratch->data,
	    spelled.len) == 0) {
		lo = start;
		hi = end;
	} else if (labels_spelled(spelled.data != NULL ? spelled.data : "",
	    spelled.len, scratch->data + start, end - start)) {
		lo = 0;
		hi = spelled.len;
	} else
		goto out;
	was = spelled.len;
	for (k = 0, pos = 0, t = lps + 1; k < n && pos < hi;
	    k++, t = json_next(j, t)) {
		spelled.len = was;
		if (token_spell(j, t, &spelled) == -1)
			goto out;
		len = spelled.len - was;
		if (pos + len > lo) {
			if (token_logprob(j, t, &lp) == -1)
				goto out;
			sum += lp;
			if (from == SIZE_MAX)
				from = pos;
			to = pos + len;
		}
		pos += len;
	}
	/* A span that cuts a token is not what the token spells. */
	if (from == SIZE_MAX || !labels_spelled(spelled.data + from, to - from,
	    scratch->data + start, end - start))
		goto out;
	*p = exp(sum);
	rv = 0;
out:
	buf_free(&spelled);
	return rv;
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
