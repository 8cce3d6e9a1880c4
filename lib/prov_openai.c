#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bapi.h"
#include "batchfile.h"
#include "labels.h"
#include "pool.h"
#include "prov_openai.h"

const char *const openai_keep[XH_MAX] = {
	[XH_RETRY_AFTER] = "retry-after",
	[XH_RETRY_AFTER_MS] = "retry-after-ms",
	[XH_SHOULD_RETRY] = "x-should-retry",
	[XH_REQUEST_ID] = "x-request-id",
	[XH_LOCATION] = "location",
	[XH_RL_LIMIT_REQUESTS] = "x-ratelimit-limit-requests",
	[XH_RL_LIMIT_TOKENS] = "x-ratelimit-limit-tokens",
	[XH_RL_REMAINING_REQUESTS] = "x-ratelimit-remaining-requests",
	[XH_RL_REMAINING_TOKENS] = "x-ratelimit-remaining-tokens",
	[XH_RL_RESET_REQUESTS] = "x-ratelimit-reset-requests",
	[XH_RL_RESET_TOKENS] = "x-ratelimit-reset-tokens",
};

/* The fixed runs of a chat body around a row's rendered messages. */
struct chat {
	struct buf	 head;	/* up to the system text */
	struct buf	 mid;	/* from it to the user's content */
	struct buf	 tail;	/* after the user message */
	int		 has_system;
};

int
openai_url(const struct provider_config *c, const char *base, size_t n,
    const char *query, char **url)
{
	if (asprintf(url, "%.*s%s%s", (int)n, base, c->endpoint, query) ==
	    -1) {
		*url = NULL;
		return -1;
	}
	return 0;
}

int
openai_batch_url(struct buf *b, const char *base, const char *version,
    const char *path)
{
	(void)version;
	if (buf_adds(b, base) == -1 || buf_adds(b, path) == -1)
		return -1;
	return buf_addc(b, '\0');
}

const struct provider_batch openai_batch = {
	.endpoint = "/v1/chat/completions",
	.purpose = "batch",
	.url = openai_batch_url,
	.line = batchfile_request_line,
	.create_body = bapi_create_body,
	.result = batchfile_parse_result,
};

const struct provider_wire openai_wire = {
	.url_env = "OPENAI_BASE_URL",
	.key_env = "OPENAI_API_KEY",
	.key_header = "Authorization: Bearer ",
	.key_name = "authorization:",
	.url = openai_url,
	.keep = openai_keep,
	.batch = &openai_batch,
	.attach = ATTACH_CHAT,
};

static void
chat_free(void *v)
{
	struct chat	*c = v;

	if (c == NULL)
		return;
	buf_free(&c->head);
	buf_free(&c->mid);
	buf_free(&c->tail);
	free(c);
}

static void *
chat_new(const struct provider_ask *a, char *err, size_t errlen)
{
	struct chat	*c;
	const char	*in = a->instruction;

	if ((c = calloc(1, sizeof(*c))) == NULL)
		goto nomem;
	c->has_system = a->has_system;
	if (buf_adds(&c->head, "{\"model\":") == -1 ||
	    json_quote(&c->head, a->model, strlen(a->model)) == -1 ||
	    buf_adds(&c->head, ",\"messages\":[") == -1)
		goto nomem;
	if (a->has_system) {
		/* The instruction goes on after the system text. */
		if (buf_adds(&c->head,
		    "{\"role\":\"system\",\"content\":\"") == -1 ||
		    (in != NULL && (buf_adds(&c->mid, "\\n\\n") == -1 ||
		    json_escape(&c->mid, in, strlen(in)) == -1)) ||
		    buf_adds(&c->mid, "\"},") == -1)
			goto nomem;
	} else if (in != NULL && (buf_adds(&c->head,
	    "{\"role\":\"system\",\"content\":") == -1 ||
	    json_quote(&c->head, in, strlen(in)) == -1 ||
	    buf_adds(&c->head, "},") == -1))
		goto nomem;
	if (buf_adds(&c->mid, "{\"role\":\"user\",\"content\":") == -1 ||
	    buf_adds(&c->tail, "}]") == -1 ||
	    buf_add(&c->tail, a->params, a->params_len) == -1)
		goto nomem;
	if (a->format != NULL && (buf_adds(&c->tail,
	    ",\"response_format\":") == -1 || json_compact(&c->tail,
	    a->format, strlen(a->format), 0) == -1))
		goto nomem;
	if (a->logprobs && buf_adds(&c->tail, ",\"logprobs\":true") == -1)
		goto nomem;
	if (buf_addc(&c->tail, '}') == -1)
		goto nomem;
	return c;
nomem:
	snprintf(err, errlen, "out of memory");
	chat_free(c);
	return NULL;
}

/* An attachment as a content part: image_url, or file for a document. */
static int
chat_part(struct buf *b, const struct provider_part *p)
{
	const char	*mt = p->media_type != NULL ? p->media_type : "";

	if (p->kind == PROVIDER_IMAGE) {
		if (buf_adds(b, ",{\"type\":\"image_url\",\"image_url\":"
		    "{\"url\":\"") == -1)
			return -1;
	} else if (buf_adds(b, ",{\"type\":\"file\",\"file\":{") == -1 ||
	    (p->filename != NULL && (buf_adds(b, "\"filename\":") == -1 ||
	    json_quote(b, p->filename, strlen(p->filename)) == -1 ||
	    buf_addc(b, ',') == -1)) ||
	    buf_adds(b, p->data != NULL ? "\"file_data\":\"" :
	    "\"file_url\":\"") == -1)
		return -1;
	if (p->data != NULL) {
		if (buf_adds(b, "data:") == -1 ||
		    json_escape(b, mt, strlen(mt)) == -1 ||
		    buf_adds(b, ";base64,") == -1 ||
		    buf_add(b, p->data, p->len) == -1)
			return -1;
	} else if (p->url != NULL && json_escape(b, p->url,
	    strlen(p->url)) == -1)
		return -1;
	return buf_adds(b, "\"}}");
}

static int
chat_body(const void *v, const struct provider_prompt *p, struct buf *b)
{
	const struct chat	*c = v;
	size_t			 k;

	if (buf_add(b, c->head.data, c->head.len) == -1 ||
	    (c->has_system && buf_add(b, p->system, p->system_len) == -1) ||
	    buf_add(b, c->mid.data, c->mid.len) == -1)
		return -1;
	/* With attachments the content is a list of parts, text first. */
	if (p->nparts == 0) {
		if (buf_addc(b, '"') == -1 ||
		    buf_add(b, p->user, p->user_len) == -1 ||
		    buf_addc(b, '"') == -1)
			return -1;
	} else {
		if (buf_adds(b, "[{\"type\":\"text\",\"text\":\"") == -1 ||
		    buf_add(b, p->user, p->user_len) == -1 ||
		    buf_adds(b, "\"}") == -1)
			return -1;
		for (k = 0; k < p->nparts; k++)
			if (chat_part(b, &p->parts[k]) == -1)
				return -1;
		if (buf_addc(b, ']') == -1)
			return -1;
	}
	return buf_add(b, c->tail.data, c->tail.len);
}

int
openai_reask(struct json *j, struct buf *body, const char *answer,
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

void
openai_usage(const struct json *j, struct answer *a)
{
	int	 u;

	a->prompt_tokens = a->completion_tokens = -1;
	a->cached_tokens = a->cache_write_tokens = -1;
	if ((u = json_get(j, 0, "usage", 5)) == -1)
		return;
	a->prompt_tokens = json_get_count(j, u, "prompt_tokens",
	    ANSWER_TOKENS_MAX);
	a->completion_tokens = json_get_count(j, u, "completion_tokens",
	    ANSWER_TOKENS_MAX);
	/* Billed at the cached price: OpenAI's place for them. */
	a->cached_tokens = json_get_count(j, json_get(j, u,
	    "prompt_tokens_details", 21), "cached_tokens", ANSWER_TOKENS_MAX);
}

int
openai_answer(const void *shape, const struct json *j, const char *text,
    struct buf *scratch, struct answer *a, char *err, size_t errlen)
{
	const char	*raw;
	size_t		 off, n;
	int		 t, c, m, fin;

	(void)shape;
	openai_usage(j, a);
	c = json_index(j, json_get(j, 0, "choices", 7), 0);
	m = json_get(j, c, "message", 7);
	fin = json_get(j, c, "finish_reason", 13);
	t = json_get(j, m, "refusal", 7);
	/* A refusal or a filter is the model's last word on this request:
	 * not a parse error, and not worth a retry. */
	if (json_type(j, t) == JSON_STRING) {
		json_string_raw(j, t, &raw, &n);
		if (n > 0) {
			buf_reset(scratch);
			if (json_decode_string(scratch, raw, n) == -1) {
				snprintf(err, errlen, "out of memory");
				return -1;
			}
			snprintf(err, errlen, "%.*s", (int)scratch->len,
			    scratch->data);
			return ANSWER_REFUSED;
		}
	}
	if (json_is_string(j, fin, "content_filter")) {
		snprintf(err, errlen, "the provider's content filter stopped "
		    "the answer");
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
	switch (json_type(j, t)) {
	case JSON_NONE:
		snprintf(err, errlen, "response has no "
		    "choices[0].message.content");
		return -1;
	case JSON_NULL:
		snprintf(err, errlen, "response content is null (a refusal "
		    "or a tool call)");
		return -1;
	case JSON_STRING:
		json_span(j, t, &off, &n);
		a->value = text + off;
		a->len = n;
		a->string = 1;
		return 0;
	default:
		snprintf(err, errlen, "response content is not a string");
		return -1;
	}
}

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
openai_confidence(const struct json *j, size_t start, size_t end,
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

const struct provider_shape openai_chat_shape = {
	.shape_new = chat_new,
	.shape_free = chat_free,
	.body = chat_body,
	.reask = openai_reask,
	.usage = openai_usage,
	.answer = openai_answer,
	.confidence = openai_confidence,
};
