#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "anthropic.h"
#include "pool.h"
#include "text.h"

/* Between the cached system text and the rest of the body. */
#define CACHE_MARK	"\",\"cache_control\":{\"type\":\"ephemeral\"}}]"

static const char *const anthropic_headers[XH_MAX] = {
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

int
anthropic_shape(const char *model, int system, const char *params,
    size_t plen, long long max_tokens, struct buf *head, struct buf *mid,
    struct buf *midc, struct buf *tail)
{
	static const char user[] = "\"messages\":[{\"role\":\"user\","
	    "\"content\":\"";

	if (buf_adds(head, "{\"model\":") == -1 ||
	    json_quote(head, model, strlen(model)) == -1 ||
	    buf_addc(head, ',') == -1)
		return -1;
	/* Always a text block: then a long prompt can ask for the cache
	 * with one member more, decided row by row. */
	if (system) {
		if (buf_adds(head, "\"system\":[{\"type\":\"text\",\"text\":"
		    "\"") == -1 || buf_adds(mid, "\"}],") == -1 ||
		    buf_adds(mid, user) == -1 ||
		    buf_adds(midc, CACHE_MARK ",") == -1 ||
		    buf_adds(midc, user) == -1)
			return -1;
	} else if (buf_adds(head, user) == -1)
		return -1;
	if (buf_adds(tail, "\"}]") == -1)
		return -1;
	if (max_tokens > 0 && (buf_adds(tail, ",\"max_tokens\":") == -1 ||
	    buf_addu(tail, (unsigned long long)max_tokens) == -1))
		return -1;
	if (buf_add(tail, params, plen) == -1 || buf_addc(tail, '}') == -1)
		return -1;
	return 0;
}

int
anthropic_instruction(struct buf *head, struct buf *mid, struct buf *midc,
    int system, const char *instr)
{
	struct buf	 b = { 0 };
	const char	*at;
	int		 rv = -1;

	if (system) {
		/* The system text goes on in both: mid and midc start where
		 * it ends. */
		if (buf_adds(&b, "\\n\\n") == -1 ||
		    json_escape(&b, instr, strlen(instr)) == -1 ||
		    buf_insert(mid, 0, b.data, b.len) == -1 ||
		    buf_insert(midc, 0, b.data, b.len) == -1)
			goto out;
	} else {
		if ((at = memmem(head->data, head->len, "\"messages\":[",
		    12)) == NULL)
			goto out;
		if (buf_adds(&b, "\"system\":[{\"type\":\"text\",\"text\":") ==
		    -1 || json_quote(&b, instr, strlen(instr)) == -1 ||
		    buf_adds(&b, "}],") == -1 ||
		    buf_insert(head, at - head->data, b.data, b.len) == -1)
			goto out;
	}
	rv = 0;
out:
	buf_free(&b);
	return rv;
}

int
anthropic_tool(struct json *j, const char *format, struct buf *b, char *err,
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

size_t
anthropic_cached_bytes(const char *body, size_t len, size_t headlen)
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
usage(const struct json *j, struct answer *a)
{
	long long	 in, rd, wr;
	int		 u;

	a->prompt_tokens = a->completion_tokens = -1;
	a->cached_tokens = a->cache_write_tokens = -1;
	if ((u = json_get(j, 0, "usage", 5)) == -1)
		return;
	in = answer_tokens(j, u, "input_tokens");
	rd = a->cached_tokens = answer_tokens(j, u, "cache_read_input_tokens");
	wr = a->cache_write_tokens = answer_tokens(j, u,
	    "cache_creation_input_tokens");
	/* The whole prompt, as OpenAI's prompt_tokens counts it. */
	if (in >= 0)
		a->prompt_tokens = in + (rd > 0 ? rd : 0) + (wr > 0 ? wr : 0);
	a->completion_tokens = answer_tokens(j, u, "output_tokens");
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

	usage(j, a);
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

const char *const *
anthropic_keep(void)
{
	return anthropic_headers;
}

/* n digits at *p, moved past them; -1 if they are not all there. */
static int
digits(const char **p, int n)
{
	int	 v = 0;

	while (n-- > 0) {
		if (!isdigit((unsigned char)**p))
			return -1;
		v = v * 10 + (*(*p)++ - '0');
	}
	return v;
}

long long
anthropic_reset_ms(const char *s, long long now_ms)
{
	struct tm	 tm;
	const char	*p = s;
	long long	 ms = 0, scale = 100, off = 0, min, when;
	time_t		 t;
	int		 sign;

	memset(&tm, 0, sizeof(tm));
	if ((tm.tm_year = digits(&p, 4)) == -1 || *p++ != '-' ||
	    (tm.tm_mon = digits(&p, 2)) == -1 || *p++ != '-' ||
	    (tm.tm_mday = digits(&p, 2)) == -1)
		return -1;
	/* RFC 3339 allows t, and a space for readability. */
	if (*p != 'T' && *p != 't' && *p != ' ')
		return -1;
	p++;
	if ((tm.tm_hour = digits(&p, 2)) == -1 || *p++ != ':' ||
	    (tm.tm_min = digits(&p, 2)) == -1 || *p++ != ':' ||
	    (tm.tm_sec = digits(&p, 2)) == -1)
		return -1;
	if (*p == '.') {
		if (!isdigit((unsigned char)*++p))
			return -1;
		for (; isdigit((unsigned char)*p); p++, scale /= 10)
			ms += (*p - '0') * scale;
	}
	if (*p == 'Z' || *p == 'z')
		p++;
	else if (*p == '+' || *p == '-') {
		sign = *p++ == '-' ? -1 : 1;
		if ((off = digits(&p, 2)) == -1 || *p++ != ':')
			return -1;
		if ((min = digits(&p, 2)) == -1)
			return -1;
		off = sign * (off * 60 + min) * 60;
	} else
		return -1;
	while (*p == ' ')
		p++;
	if (*p != '\0' || tm.tm_mon < 1 || tm.tm_mon > 12 || tm.tm_mday < 1 ||
	    tm.tm_mday > 31 || tm.tm_hour > 23 || tm.tm_min > 59 ||
	    tm.tm_sec > 60)
		return -1;
	tm.tm_year -= 1900;
	tm.tm_mon--;
	if ((t = timegm(&tm)) == (time_t)-1)
		return -1;
	when = ((long long)t - off) * 1000 + ms;
	return when > now_ms ? when - now_ms : 0;
}

int
anthropic_overloaded(const char *code, size_t len)
{
	return code != NULL && len == 16 && memcmp(code, "overloaded_error",
	    16) == 0;
}
