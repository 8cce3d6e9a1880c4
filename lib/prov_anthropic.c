#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "batchfile.h"
#include "jsonw.h"
#include "pool.h"
#include "prov_anthropic.h"
#include "prov_openai.h"
#include "text.h"

/* Between the cached system text and the rest of the body. */
#define CACHE_MARK	"\",\"cache_control\":{\"type\":\"ephemeral\"}}]"

static const char *const anthropic_keep[XH_MAX] = {
	[XH_RETRY_AFTER] = "retry-after",
	[XH_SHOULD_RETRY] = "x-should-retry",
	[XH_REQUEST_ID] = "request-id",
	[XH_LOCATION] = "location",
	/* tokens-* is "the most restrictive limit currently in effect" of
	 * the input and output token limits: the one pacing must meet. */
	[XH_RL_LIMIT_REQUESTS] = "anthropic-ratelimit-requests-limit",
	[XH_RL_LIMIT_TOKENS] = "anthropic-ratelimit-tokens-limit",
	[XH_RL_REMAINING_REQUESTS] = "anthropic-ratelimit-requests-remaining",
	[XH_RL_REMAINING_TOKENS] = "anthropic-ratelimit-tokens-remaining",
	[XH_RL_RESET_REQUESTS] = "anthropic-ratelimit-requests-reset",
	[XH_RL_RESET_TOKENS] = "anthropic-ratelimit-tokens-reset",
};

static int
schema_tool(struct json *j, const char *format, struct buf *b, char *err,
    size_t errlen)
{
	const char	*text;
	char		 jerr[96];
	size_t		 off, n;
	int		 s;

	if (json_parse(j, format, strlen(format), jerr, sizeof(jerr)) == -1) {
		snprintf(err, errlen, "the schema is not JSON: %s", jerr);
		return -1;
	}
	s = json_get(j, json_get(j, 0, "json_schema", 11), "schema", 6);
	if (s == -1)
		return 0;
	if (json_type(j, s) != JSON_OBJECT ||
	    !json_is_string(j, json_get(j, s, "type", 4), "object")) {
		snprintf(err, errlen, "--schema with --anthropic: the schema "
		    "goes as a tool's input_schema, which must be "
		    "{\"type\":\"object\",...}");
		return -1;
	}
	text = json_text(j);
	json_span(j, s, &off, &n);
	if (buf_adds(b, ",\"tools\":[{\"name\":\"" ANTHROPIC_TOOL "\","
	    "\"description\":\"Give your answer as this tool's input.\","
	    "\"input_schema\":") == -1 ||
	    json_compact(b, text + off, n, 0) == -1 ||
	    buf_adds(b, "}],\"tool_choice\":{\"type\":\"tool\",\"name\":"
	    "\"" ANTHROPIC_TOOL "\"}") == -1) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	return 0;
}

int
anthropic_cacheable(size_t bytes)
{
	return text_tokens(bytes) >= ANTHROPIC_CACHE_TOKENS;
}

static size_t
cached_bytes(const char *body, size_t len, size_t headlen)
{
	const char	*m;

	/* The text is JSON-escaped: a '"' in it is never bare, so the mark
	 * is found only where the runs put it. */
	if (headlen > len || (m = memmem(body + headlen, len - headlen,
	    CACHE_MARK, sizeof(CACHE_MARK) - 1)) == NULL)
		return 0;
	return m - (body + headlen);
}

/* usage: input_tokens does not count what the cache read or wrote. */
static void
messages_usage(const struct json *j, struct answer *a)
{
	long long	 in, rd, wr;
	int		 u;

	a->prompt_tokens = a->completion_tokens = -1;
	a->cached_tokens = a->cache_write_tokens = -1;
	if ((u = json_get(j, 0, "usage", 5)) == -1)
		return;
	in = json_get_count(j, u, "input_tokens", ANSWER_TOKENS_MAX);
	rd = a->cached_tokens = json_get_count(j, u,
	    "cache_read_input_tokens", ANSWER_TOKENS_MAX);
	wr = a->cache_write_tokens = json_get_count(j, u,
	    "cache_creation_input_tokens", ANSWER_TOKENS_MAX);
	/* The whole prompt, as OpenAI's prompt_tokens counts it. */
	if (in >= 0)
		a->prompt_tokens = in + (rd > 0 ? rd : 0) + (wr > 0 ? wr : 0);
	a->completion_tokens = json_get_count(j, u, "output_tokens",
	    ANSWER_TOKENS_MAX);
}

/*
 * The text blocks of content, joined, as JSON text of one string: in
 * place when there is one block, else in scratch.  The number of text
 * blocks, or -1 if out of memory.
 */
static int
join_text(const struct json *j, int content, const char *text,
    struct buf *scratch, struct answer *a)
{
	const char	*raw;
	size_t		 k, off, n;
	int		 b, t, found = 0;

	buf_reset(scratch);
	for (k = 0; (b = json_index(j, content, k)) != -1; k++) {
		t = json_get(j, b, "text", 4);
		if (!json_is_string(j, json_get(j, b, "type", 4), "text") ||
		    json_type(j, t) != JSON_STRING)
			continue;
		if (found++ == 0) {
			json_span(j, t, &off, &n);
			a->value = text + off;
			a->len = n;
		}
		/* Escaped contents joined are the escaped join. */
		json_string_raw(j, t, &raw, &n);
		if ((scratch->len == 0 && buf_addc(scratch, '"') == -1) ||
		    buf_add(scratch, raw, n) == -1)
			return -1;
	}
	if (found > 1) {
		if (buf_addc(scratch, '"') == -1)
			return -1;
		a->value = scratch->data;
		a->len = scratch->len;
	}
	if (found == 0) {
		a->value = "\"\"";
		a->len = 2;
	}
	a->string = 1;
	return found;
}

/*
 * The input of the call to ANTHROPIC_TOOL, as a JSON string of its JSON
 * text, in scratch: 1, or 0 if there is none; -1 if out of memory.
 */
static int
tool_input(const struct json *j, int content, const char *text,
    struct buf *scratch, struct answer *a)
{
	size_t	 k, off, n;
	int	 b, in;

	for (k = 0; (b = json_index(j, content, k)) != -1; k++) {
		in = json_get(j, b, "input", 5);
		if (!json_is_string(j, json_get(j, b, "type", 4), "tool_use") ||
		    !json_is_string(j, json_get(j, b, "name", 4), ANTHROPIC_TOOL) ||
		    json_type(j, in) == JSON_NONE)
			continue;
		json_span(j, in, &off, &n);
		buf_reset(scratch);
		if (json_quote(scratch, text + off, n) == -1)
			return -1;
		a->value = scratch->data;
		a->len = scratch->len;
		a->string = 1;
		return 1;
	}
	return 0;
}

int
anthropic_answer(const struct json *j, const char *text, int tool,
    struct buf *scratch, struct answer *a, char *err, size_t errlen)
{
	int	 c, stop, n;

	messages_usage(j, a);
	c = json_get(j, 0, "content", 7);
	stop = json_get(j, 0, "stop_reason", 11);
	if (json_type(j, c) != JSON_ARRAY) {
		snprintf(err, errlen, "response has no content array (not a "
		    "Messages API answer)");
		return -1;
	}
	/* Asked for through a tool; a model that wrote text instead is
	 * read for it, and the text checked like any answer. */
	if (tool && (n = tool_input(j, c, text, scratch, a)) != 0) {
		if (n == -1) {
			snprintf(err, errlen, "out of memory");
			return -1;
		}
	} else if ((n = join_text(j, c, text, scratch, a)) == -1) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	/* The model's last word on this request: not worth a retry. */
	if (json_is_string(j, stop, "refusal")) {
		if (n > 0 && a->len > 2)
			snprintf(err, errlen, "%.*s", (int)(a->len - 2),
			    a->value + 1);
		else
			snprintf(err, errlen, "the model refused to answer "
			    "(stop_reason refusal)");
		return ANSWER_REFUSED;
	}
	/*
	 * A turn paused by the server (a long run of its own tools, which
	 * -P tools may ask for) is no finished answer; going on would mean
	 * sending the paused turn back as it came, which a row's request
	 * does not do.  Final, as a cut answer is, with what came.
	 */
	if (json_is_string(j, stop, "pause_turn")) {
		snprintf(err, errlen, "the server paused the turn before the "
		    "answer was finished (stop_reason pause_turn); \"partial\" "
		    "holds what came");
		return ANSWER_TRUNCATED;
	}
	if (json_is_string(j, stop, "max_tokens")) {
		snprintf(err, errlen, "the answer was cut at the token limit "
		    "(stop_reason max_tokens); \"partial\" holds what came");
		return ANSWER_TRUNCATED;
	}
	if (n == 0) {
		snprintf(err, errlen, "response has no text block in content%s",
		    tool ? " and no call of the tool " ANTHROPIC_TOOL : "");
		return -1;
	}
	return 0;
}

int
anthropic_overloaded(long status, const char *code, size_t len)
{
	return status == 529 || (code != NULL && len == 16 &&
	    memcmp(code, "overloaded_error", 16) == 0);
}

/* The fixed runs of a Messages body around a row's rendered messages. */
struct msgs {
	struct buf	 head;	/* up to the system text */
	struct buf	 mid;	/* from it to the user's content */
	struct buf	 midc;	/* mid, when the system text is cached */
	struct buf	 tail;	/* after the user message */
	int		 has_system;
	int		 tool;	/* asks for its answer by a tool */
};

static void
msgs_free(void *v)
{
	struct msgs	*m = v;

	if (m == NULL)
		return;
	buf_free(&m->head);
	buf_free(&m->mid);
	buf_free(&m->midc);
	buf_free(&m->tail);
	free(m);
}

static void *
msgs_new(const struct provider_ask *a, char *err, size_t errlen)
{
	static const char user[] = "\"messages\":[{\"role\":\"user\","
	    "\"content\":";
	struct msgs	*m;
	struct json	*j = NULL;
	const char	*in = a->instruction;
	size_t		 len;

	if ((m = calloc(1, sizeof(*m))) == NULL)
		goto nomem;
	m->has_system = a->has_system;
	if (buf_adds(&m->head, "{\"model\":") == -1 ||
	    json_quote(&m->head, a->model, strlen(a->model)) == -1 ||
	    buf_addc(&m->head, ',') == -1)
		goto nomem;
	/*
	 * Always a text block: then a long prompt can ask for the cache
	 * with one member more, decided row by row.  The instruction goes
	 * on after the system text, or is the system prompt.
	 */
	if (a->has_system) {
		if (buf_adds(&m->head, "\"system\":[{\"type\":\"text\","
		    "\"text\":\"") == -1 ||
		    (in != NULL && (buf_adds(&m->mid, "\\n\\n") == -1 ||
		    json_escape(&m->mid, in, strlen(in)) == -1)) ||
		    buf_add(&m->midc, m->mid.data, m->mid.len) == -1 ||
		    buf_adds(&m->mid, "\"}],") == -1 ||
		    buf_adds(&m->midc, CACHE_MARK ",") == -1 ||
		    buf_adds(&m->midc, user) == -1)
			goto nomem;
	} else if (in != NULL && (buf_adds(&m->head, "\"system\":[{\"type\":"
	    "\"text\",\"text\":") == -1 ||
	    json_quote(&m->head, in, strlen(in)) == -1 ||
	    buf_adds(&m->head, "}],") == -1))
		goto nomem;
	if (buf_adds(&m->mid, user) == -1 || buf_adds(&m->tail, "}]") == -1)
		goto nomem;
	if (a->max_tokens > 0 && (buf_adds(&m->tail, ",\"max_tokens\":") ==
	    -1 || buf_addu(&m->tail, (unsigned long long)a->max_tokens) == -1))
		goto nomem;
	if (buf_add(&m->tail, a->params, a->params_len) == -1)
		goto nomem;
	if (a->format != NULL) {
		if ((j = json_new()) == NULL)
			goto nomem;
		len = m->tail.len;
		if (schema_tool(j, a->format, &m->tail, err, errlen) == -1)
			goto fail;
		m->tool = m->tail.len > len;
		json_free(j);
	}
	/* No logprobs: the Messages API has none (confidence is null). */
	if (buf_addc(&m->tail, '}') == -1)
		goto nomem;
	return m;
nomem:
	snprintf(err, errlen, "out of memory");
fail:
	json_free(j);
	msgs_free(m);
	return NULL;
}

/* An attachment as a content block: image or document, by base64 or URL. */
static int
msgs_part(struct buf *b, const struct provider_part *p)
{
	const char	*mt = p->media_type != NULL ? p->media_type : "";

	if (buf_adds(b, p->kind == PROVIDER_IMAGE ? ",{\"type\":\"image\"," :
	    ",{\"type\":\"document\",") == -1)
		return -1;
	if (p->data != NULL) {
		if (buf_adds(b, "\"source\":{\"type\":\"base64\","
		    "\"media_type\":") == -1 ||
		    json_quote(b, mt, strlen(mt)) == -1 ||
		    buf_adds(b, ",\"data\":\"") == -1 ||
		    buf_add(b, p->data, p->len) == -1 ||
		    buf_adds(b, "\"}") == -1)
			return -1;
	} else if (buf_adds(b, "\"source\":{\"type\":\"url\",\"url\":") ==
	    -1 || json_quote(b, p->url != NULL ? p->url : "",
	    p->url != NULL ? strlen(p->url) : 0) == -1 ||
	    buf_addc(b, '}') == -1)
		return -1;
	if (p->kind == PROVIDER_DOCUMENT && p->filename != NULL &&
	    (buf_adds(b, ",\"title\":") == -1 ||
	    json_quote(b, p->filename, strlen(p->filename)) == -1))
		return -1;
	return buf_addc(b, '}');
}

static int
msgs_body(const void *v, const struct provider_prompt *p, struct buf *b)
{
	const struct msgs	*m = v;
	const struct buf	*mid = &m->mid;
	size_t			 k;

	/* Row by row: a system template with fields may be long or not. */
	if (m->has_system && anthropic_cacheable(p->system_len))
		mid = &m->midc;
	if (buf_add(b, m->head.data, m->head.len) == -1 ||
	    (m->has_system && buf_add(b, p->system, p->system_len) == -1) ||
	    buf_add(b, mid->data, mid->len) == -1)
		return -1;
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
			if (msgs_part(b, &p->parts[k]) == -1)
				return -1;
		if (buf_addc(b, ']') == -1)
			return -1;
	}
	return buf_add(b, m->tail.data, m->tail.len);
}

static size_t
msgs_cached_bytes(const void *v, const char *body, size_t len)
{
	const struct msgs	*m = v;

	return m->has_system ? cached_bytes(body, len, m->head.len) : 0;
}

static int
msgs_answer(const void *v, const struct json *j, const char *text,
    struct buf *scratch, struct answer *a, char *err, size_t errlen)
{
	const struct msgs	*m = v;

	return anthropic_answer(j, text, m != NULL && m->tool, scratch, a,
	    err, errlen);
}

static int
msgs_check_param(const char *key, size_t n, char *err, size_t errlen)
{
	if ((n == 6 && memcmp(key, "system", 6) == 0) ||
	    (n == 21 && memcmp(key, "max_completion_tokens", 21) == 0)) {
		snprintf(err, errlen, "-P %.*s: not for --anthropic%s",
		    (int)n, key, key[0] == 's' ? "; use -s" :
		    "; use -P max_tokens=N");
		return -1;
	}
	return 0;
}

/*
 * Message Batches.  A line is {"custom_id","params":BODY}; the lines,
 * joined, are the creation body's requests (no file is uploaded); a
 * result line is {"custom_id","result":{"type":"succeeded","message":
 * {...}}}, or "errored" with an error object, or "canceled" or
 * "expired" (never run: as OpenAI's batch_cancelled and batch_expired).
 */
static int
batch_line(struct buf *b, const char *id, size_t idlen, const char *url,
    const char *body, size_t bodylen)
{
	struct jsonw	 w;

	(void)url;
	jsonw_begin(&w, b);
	jsonw_str(&w, "custom_id", id, idlen);
	jsonw_raw(&w, "params", body, bodylen);
	return jsonw_end(&w, 1);
}

static int
batch_create(struct buf *b, const char *lines, const char *endpoint)
{
	const char	*p, *nl;
	int		 first = 1;

	(void)endpoint;
	if (buf_adds(b, "{\"requests\":[") == -1)
		return -1;
	for (p = lines; *p != '\0'; p = nl + 1) {
		if ((nl = strchr(p, '\n')) == NULL)
			nl = p + strlen(p) - 1;
		if (nl > p && ((!first && buf_addc(b, ',') == -1) ||
		    buf_add(b, p, nl - p) == -1))
			return -1;
		first = 0;
		if (nl[1] == '\0')
			break;
	}
	return buf_adds(b, "]}");
}

static int
batch_result(struct json *j, const char *text, size_t len,
    struct batchfile_result *r, char *err, size_t errlen)
{
	const char	*raw;
	char		 jerr[96];
	size_t		 off, n;
	int		 t, res, e;

	r->status = 0;
	r->body = NULL;
	r->bodylen = 0;
	r->code[0] = r->msg[0] = '\0';
	buf_reset(r->custom_id);
	if (json_parse(j, text, len, jerr, sizeof(jerr)) == -1) {
		snprintf(err, errlen, "a result line that is not JSON: %s",
		    jerr);
		return 1;
	}
	t = json_get(j, 0, "custom_id", 9);
	res = json_get(j, 0, "result", 6);
	if (json_type(j, t) != JSON_STRING || json_type(j, res) !=
	    JSON_OBJECT) {
		snprintf(err, errlen, "a result line without a custom_id and "
		    "a result");
		return 1;
	}
	json_string_raw(j, t, &raw, &n);
	if (json_decode_string(r->custom_id, raw, n) == -1)
		return -1;
	t = json_get(j, res, "type", 4);
	if (json_is_string(j, t, "succeeded") &&
	    (e = json_get(j, res, "message", 7)) != -1) {
		r->status = 200;
		json_span(j, e, &off, &n);
		r->body = json_text(j) + off;
		r->bodylen = n;
	} else if (json_is_string(j, t, "errored")) {
		/* {"type":"error","error":{"type":...,"message":...}} */
		e = json_get(j, json_get(j, res, "error", 5), "error", 5);
		json_get_text(j, e, "type", r->code, sizeof(r->code));
		json_get_text(j, e, "message", r->msg, sizeof(r->msg));
		if (r->code[0] == '\0')
			snprintf(r->code, sizeof(r->code), "errored");
	} else if (json_is_string(j, t, "expired"))
		snprintf(r->code, sizeof(r->code), "batch_expired");
	else if (json_is_string(j, t, "canceled"))
		snprintf(r->code, sizeof(r->code), "batch_cancelled");
	else {
		snprintf(err, errlen, "a result line of no known type");
		return 1;
	}
	return 0;
}

const struct provider_batch anthropic_batch = {
	.endpoint = "/v1/messages",
	.purpose = NULL,
	.url = openai_batch_url,
	.line = batch_line,
	.create_body = batch_create,
	.result = batch_result,
};

const struct provider_wire anthropic_wire = {
	/* Not $OPENAI_BASE_URL: that is another provider's. */
	.base_url = "https://api.anthropic.com/v1",
	.endpoint = "/messages",
	.model = "claude-haiku-4-5",
	.key_env = "ANTHROPIC_API_KEY",
	.key_header = "x-api-key: ",
	.key_name = "x-api-key:",
	.fixed_header = "anthropic-version: " ANTHROPIC_VERSION,
	.key_always = 1,
	.url = openai_url,
	.keep = anthropic_keep,
	.overloaded = anthropic_overloaded,
	/* Not driven: the transport knows the OpenAI flow only. */
	.batch = NULL,
	.attach = ATTACH_MESSAGES,
};

const struct provider_shape anthropic_shape = {
	.check_param = msgs_check_param,
	.max_tokens = ANTHROPIC_MAX_TOKENS,
	.shape_new = msgs_new,
	.shape_free = msgs_free,
	.body = msgs_body,
	.cached_bytes = msgs_cached_bytes,
	.reask = openai_reask,
	.usage = messages_usage,
	.answer = msgs_answer,
};
