/*
 * mock_messages.c: Anthropic's Messages API, for enrich --anthropic.
 * POST .../messages is answered here instead of by mock_chat.c, after the
 * checks Anthropic makes: the key in x-api-key (an Authorization header
 * is refused: the key must never go as a Bearer token), anthropic-version
 * present, a body with model and max_tokens, no field the API does not
 * know and no "system" role among the messages (mock_json.c reads it).
 * Errors come in Anthropic's shape, {"type":"error","error":{"type",
 * "message"}}, whichever fault made them: [[status:529]] is
 * overloaded_error, a 429 rate_limit_error.
 *
 * The answer is the same function of the row's message (the first user
 * message) as for chat completions, as content blocks, with stop_reason
 * ([[finish:max_tokens]], [[finish:refusal]], or [[refusal:TEXT]]) and
 * usage counting what a cacheable system prompt (1,024 tokens or more,
 * with cache_control) wrote to the cache the first time and read from it
 * after.  A request with an assistant message after the row's is a
 * re-ask, answered and counted as for chat ([[reask:FIRST|THEN]],
 * [[answer:TEXT]]).  A request whose tool_choice makes the model call a
 * tool gets the answer as that tool's input.  [[blocks]] splits the
 * answer into two text blocks with a tool_use block between; [[nochoices]]
 * answers no content, [[null]] only a tool_use block.
 * --ratelimit-headers sends anthropic-ratelimit-requests-* with an RFC
 * 3339 reset.
 */

#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "mock.h"

#define CACHE_MIN	(1024 * 4)	/* bytes: 1,024 tokens at 4 a token */
#define CACHE_SLOTS	64		/* system prompts remembered */

static struct buf	 sc_sys;	/* the system prompt's text */
static struct buf	 sc_tool;	/* the tool it must call, or empty */
static uint64_t		 cache[CACHE_SLOTS];
static size_t		 cache_next;
/* Header values, until the reply is serialized. */
static char		 rl_val[3][40];

int
messages_target(const char *target, size_t len)
{
	const char *qm = memchr(target, '?', len);

	if (qm != NULL)
		len = (size_t)(qm - target);
	return cfg.path == NULL && len >= 9 &&
	    memcmp(target + len - 9, "/messages", 9) == 0;
}

/* The value of the request's header name, or NULL. */
static const char *
header(const struct request *rq, const char *name, size_t *vlen)
{
	const char *p = rq->hdr;
	struct hdr l;
	size_t i, n = strlen(name);

	if (rq->hdr != NULL) {
		while (hdr_next(&p, rq->hdr_end, &l) == 1)
			if (l.nlen == n && strncasecmp(l.name, name, n) == 0) {
				*vlen = l.vlen;
				return l.val;
			}
		return NULL;
	}
	for (i = 0; i < rq->nfields; i++)
		if (rq->fields[i].nlen == n &&
		    strncasecmp(rq->fields[i].name, name, n) == 0) {
			*vlen = rq->fields[i].vlen;
			return rq->fields[i].val;
		}
	return NULL;
}

static const char *
error_type(int status)
{
	switch (status) {
	case 400:
		return "invalid_request_error";
	case 401:
		return "authentication_error";
	case 403:
		return "permission_error";
	case 404:
		return "not_found_error";
	case 413:
		return "request_too_large";
	case 429:
		return "rate_limit_error";
	case 529:
		return "overloaded_error";
	default:
		return "api_error";
	}
}

/* sc_body = an error in Anthropic's shape. */
static void
messages_error(struct reply *r, int status, const char *msg, size_t mlen)
{
	struct buf *b = &sc_body;

	r->kind = R_ERROR;
	r->status = status;
	b->len = 0;
	buf_addf(b, "{\"type\":\"error\",\"error\":{\"type\":\"%s\","
	    "\"message\":\"", error_type(status));
	buf_add_jstr(b, msg, mlen);
	buf_adds(b, "\"}}");
}

/*
 * An error the shared code wrote in OpenAI's shape, {"error":{"message":
 * "...","type":...}}, rewritten in Anthropic's.  The message is copied
 * as it is escaped: an escaped message holds no bare '"'.
 */
static void
reshape_error(struct reply *r)
{
	static const char lead[] = "{\"error\":{\"message\":\"";
	const char *m, *e;
	struct buf *b = &sc_body;

	sc_alt.len = 0;
	/* [[status:529]] without a [[message]]: Anthropic's own words. */
	if (r->status == 529 && memmem(b->p, b->len, "\"mock status 529\"",
	    17) != NULL)
		buf_adds(&sc_alt, "Overloaded");
	else if (b->len > sizeof(lead) - 1 && memcmp(b->p, lead,
	    sizeof(lead) - 1) == 0 && (e = memmem(b->p, b->len,
	    "\",\"type\":", 9)) != NULL) {
		m = b->p + sizeof(lead) - 1;
		buf_add(&sc_alt, m, (size_t)(e - m));
	} else if (r->status == 529)
		buf_adds(&sc_alt, "Overloaded");
	else
		buf_addf(&sc_alt, "mock status %d", r->status);
	b->len = 0;
	buf_addf(b, "{\"type\":\"error\",\"error\":{\"type\":\"%s\","
	    "\"message\":\"", r->status == 200 ? "overloaded_error" :
	    error_type(r->status));
	buf_add(b, sc_alt.p, sc_alt.len);
	buf_adds(b, "\"}}");
}

static void
messages_errs(struct reply *r, int status, const char *msg)
{
	messages_error(r, status, msg, strlen(msg));
}

/* Was this system prompt cached before?  It is now. */
static int
cache_hit(uint64_t h)
{
	size_t i;

	for (i = 0; i < CACHE_SLOTS; i++)
		if (cache[i] == h)
			return 1;
	cache[cache_next++ % CACHE_SLOTS] = h;
	return 0;
}

/*
 * The answer's text into sc_alt: what [[as:MODEL=ANSWER]] says for the
 * request's model, else what [[reask:FIRST|THEN]] says for this attempt,
 * else [[refusal:TEXT]] or [[answer:TEXT]], else --answer's.
 */
static void
answer_text(const struct directives *d, int reask)
{
	const struct as_answer *as;

	sc_alt.len = 0;
	if ((as = as_pick(d)) != NULL) {
		buf_add(&sc_alt, as->answer, as->answer_len);
		return;
	}
	if (d->reask_first != NULL) {
		if (reask)
			buf_add(&sc_alt, d->reask_then, d->reask_then_len);
		else
			buf_add(&sc_alt, d->reask_first, d->reask_first_len);
		return;
	}
	if (d->refusal != NULL || d->answer != NULL) {
		if (d->refusal != NULL)
			buf_add(&sc_alt, d->refusal, d->refusal_len);
		else
			buf_add(&sc_alt, d->answer, d->answer_len);
		return;
	}
	switch (cfg.mode) {
	case A_ECHO:
		buf_add(&sc_alt, sc_user.p, sc_user.len);
		break;
	case A_HASH:
		buf_addf(&sc_alt, "%016" PRIx64, fnv1a(sc_user.p,
		    sc_user.len));
		break;
	case A_PICK:
		pick_answer(&sc_alt);
		break;
	case A_JSON:
		buf_adds(&sc_alt, "{\"echo\":\"");
		buf_add_jstr(&sc_alt, sc_user.p, sc_user.len);
		buf_addf(&sc_alt, "\",\"len\":%zu}", sc_user.len);
		break;
	}
}

/* A text block of sc_alt's bytes [from, to). */
static void
text_block(struct buf *b, size_t from, size_t to)
{
	buf_adds(b, "{\"type\":\"text\",\"text\":\"");
	buf_add_jstr(b, sc_alt.p + from, to - from);
	buf_adds(b, "\"}");
}

static void
messages_answer(struct reply *r, const struct directives *d, size_t prompt,
    int cached, int reask)
{
	static const char tool[] = "{\"type\":\"tool_use\",\"id\":"
	    "\"toolu_mock\",\"name\":\"lookup\",\"input\":{}}";
	struct buf *b = &sc_body;
	size_t in, sys, rd = 0, wr = 0, half;

	r->kind = R_ANSWER;
	r->status = 200;
	answer_text(d, reask);
	b->len = 0;
	buf_addf(b, "{\"id\":\"msg_mock_%" PRIu64 "\",\"type\":\"message\","
	    "\"role\":\"assistant\",\"model\":\"", r->seq);
	buf_add_jstr(b, sc_model.p, sc_model.len);
	buf_adds(b, "\",\"content\":[");
	if (d->null)
		buf_adds(b, tool);
	else if (sc_tool.len > 0 && !d->nochoices) {
		/* Made to call a tool: the answer is its input, an object
		 * (the answer itself where it is one, as --answer json's). */
		buf_adds(b, "{\"type\":\"tool_use\",\"id\":\"toolu_mock\","
		    "\"name\":\"");
		buf_add_jstr(b, sc_tool.p, sc_tool.len);
		buf_adds(b, "\",\"input\":");
		if (json_is_object(sc_alt.p, sc_alt.len))
			buf_add(b, sc_alt.p, sc_alt.len);
		else {
			buf_adds(b, "{\"text\":\"");
			buf_add_jstr(b, sc_alt.p, sc_alt.len);
			buf_adds(b, "\"}");
		}
		buf_addc(b, '}');
	} else if (!d->nochoices && memmem(sc_user.p, sc_user.len, "[[blocks]]",
	    10) != NULL && sc_alt.len >= 2) {
		/* Split where no UTF-8 sequence is cut. */
		for (half = sc_alt.len / 2; half > 0 &&
		    (sc_alt.p[half] & 0xc0) == 0x80; half--)
			;
		text_block(b, 0, half);
		buf_addc(b, ',');
		buf_adds(b, tool);
		buf_addc(b, ',');
		text_block(b, half, sc_alt.len);
	} else if (!d->nochoices)
		text_block(b, 0, sc_alt.len);
	buf_adds(b, "],\"stop_reason\":\"");
	if (d->finish != NULL)
		buf_add_jstr(b, d->finish, d->finish_len);
	else if (d->refusal != NULL)
		buf_adds(b, "refusal");
	else
		buf_adds(b, sc_tool.len > 0 ? "tool_use" : "end_turn");
	buf_adds(b, "\",\"stop_sequence\":null,\"usage\":{");
	in = (prompt + 3) / 4;
	if (cached && sc_sys.len >= CACHE_MIN) {
		sys = (sc_sys.len + 3) / 4;
		in -= sys;
		if (cache_hit(fnv1a(sc_sys.p, sc_sys.len)))
			rd = sys;
		else
			wr = sys;
	}
	buf_addf(b, "\"input_tokens\":%zu,\"cache_creation_input_tokens\":%zu,"
	    "\"cache_read_input_tokens\":%zu,\"output_tokens\":", in, wr, rd);
	if (d->usage != NULL)
		buf_add(b, d->usage, d->usage_len);
	else
		buf_addf(b, "%zu", (sc_alt.len + 3) / 4);
	buf_adds(b, "}}");
}

/* x-ratelimit-* as the shared code computed them, Anthropic's way. */
static void
ratelimit_hdrs(struct reply *r)
{
	struct timespec ts;
	struct tm tm;
	double reset;
	long long ms;
	char *end;
	time_t t;

	reply_ratelimit_hdrs(r);
	r->rl = 0;
	if (r->nhdr + 3 > NHDR)
		return;
	reset = strtod(r->rl_reset, &end);
	if (strcmp(end, "ms") == 0)
		reset /= 1000;
	/* When the bucket is full again, to the millisecond. */
	clock_gettime(CLOCK_REALTIME, &ts);
	ms = (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000 +
	    (long long)(reset * 1000 + 0.5);
	t = (time_t)(ms / 1000);
	gmtime_r(&t, &tm);
	snprintf(rl_val[0], sizeof(rl_val[0]), "%lld", cfg.rps);
	snprintf(rl_val[1], sizeof(rl_val[1]), "%lld", r->rl_remaining);
	strftime(rl_val[2], sizeof(rl_val[2]), "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(rl_val[2] + strlen(rl_val[2]), sizeof(rl_val[2]) -
	    strlen(rl_val[2]), ".%03lldZ", ms % 1000);
	r->hdr[r->nhdr++] = (struct hdr){ "anthropic-ratelimit-requests-limit",
	    rl_val[0], 34, strlen(rl_val[0]) };
	r->hdr[r->nhdr++] = (struct hdr){
	    "anthropic-ratelimit-requests-remaining", rl_val[1], 38,
	    strlen(rl_val[1]) };
	r->hdr[r->nhdr++] = (struct hdr){ "anthropic-ratelimit-requests-reset",
	    rl_val[2], 34, strlen(rl_val[2]) };
}

/*
 * Decide the answer to a Messages request, as req_decide does for chat
 * completions (mock_chat.c has counted it in and logged it); returns the
 * delay in ms.
 */
uint64_t
messages_decide(const struct request *rq, struct reply *r, uint64_t delay,
    int *reask)
{
	struct directives d;
	const char *key, *emsg;
	size_t klen, vlen, prompt;
	int cached;

	key = header(rq, "x-api-key", &klen);
	if (rq->has_auth) {
		/* Anthropic takes no Bearer token for an API key. */
		messages_errs(r, 401, "invalid x-api-key: the key goes in "
		    "x-api-key, not in Authorization");
		goto out;
	}
	if (key == NULL) {
		messages_errs(r, 401, "x-api-key header is required");
		goto out;
	}
	if (cfg.key != NULL && (klen != strlen(cfg.key) ||
	    memcmp(key, cfg.key, klen) != 0)) {
		messages_errs(r, 401, "invalid x-api-key");
		goto out;
	}
	if (header(rq, "anthropic-version", &vlen) == NULL) {
		messages_errs(r, 400, "anthropic-version: header is required");
		goto out;
	}
	if (rq->meth_len != 4 || memcmp(rq->meth, "POST", 4) != 0) {
		messages_errs(r, 405, "Method not allowed");
		r->allow = 1;
		goto out;
	}
	if ((emsg = messages_parse(rq->body, rq->body_len, &prompt, &sc_sys,
	    &cached, &sc_tool, reask)) != NULL) {
		messages_error(r, 400, emsg, strlen(emsg));
		goto out;
	}
	if (*reask)
		st.reasks++;
	if (rps_refuse(r)) {
		reshape_error(r);
		delay = 0;
		goto out;
	}
	if (fault_decide(&d, r, &delay)) {
		if (r->kind == R_ERROR)
			reshape_error(r);
		goto out;
	}
	messages_answer(r, &d, prompt, cached, *reask);
out:
	if (cfg.rl_headers)
		ratelimit_hdrs(r);
	return delay;
}

void
messages_free(void)
{
	buf_free(&sc_sys);
	buf_free(&sc_tool);
	messages_cleanup();
}
