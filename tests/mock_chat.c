/*
 * mock_chat.c: the API side.  req_decide takes a request as either
 * protocol hands it over and decides what it is owed, in the order a real
 * service checks: key, URL, method, body, model, rate limit, then the
 * faults (mock_faults.c), then the answer.  The answers are here: chat
 * completions (echo, hash, json, pick, or what [[answer:]] and [[reask:]]
 * say), refusals, embeddings, and error bodies in OpenAI's shape, with
 * token usage counted as bytes / 4; the tokens' logprobs come from
 * mock_logprobs.c.  So is --log.
 * Writing the answer out is the protocol's business.
 */

#include <ctype.h>
#include <err.h>
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "mock.h"

#define CREATED		"1700000000"

/* Where a walk over a request's headers is. */
struct hcursor {
	const char	*p;
	size_t		 i;
};

struct buf	 sc_user, sc_model, sc_alt, sc_msg, sc_body, sc_log;
/* [[usage:N]], [[finish:REASON]], [[refusal:TEXT]] and [[cached:N]] of the
 * request being answered, or NULL. */
static const char	*usage_ct, *finish, *refusal, *cached_ct;
static size_t		 usage_ct_len, finish_len, refusal_len, cached_ct_len;
/* [[no-usage]] of the request being answered. */
static int		 no_usage;
/* The top_logprobs owed to each token, or -1 for "logprobs": null; and
 * the probability they give, or -1 for made-up ones. */
static long long	 want_top = -1;
static double		 want_p = -1;
/* [[logprobs-of:TEXT]]: the logprobs are TEXT's, not the answer's. */
static const char	*lp_of;
static size_t		 lp_of_len;

/* Answers */

void
body_error(const char *msg, size_t mlen, const char *type,
    const char *param, const char *code)
{
	struct buf *b = &sc_body;

	b->len = 0;
	buf_adds(b, "{\"error\":{\"message\":\"");
	buf_add_jstr(b, msg, mlen);
	buf_addf(b, "\",\"type\":\"%s\",\"param\":", type);
	if (param != NULL)
		buf_addf(b, "\"%s\"", param);
	else
		buf_adds(b, "null");
	if (code != NULL)
		buf_addf(b, ",\"code\":\"%s\"}}", code);
	else
		buf_adds(b, ",\"code\":null}}");
}

void
reply_error(struct reply *r, int status, const char *msg, const char *type,
    const char *param, const char *code)
{
	r->kind = R_ERROR;
	r->status = status;
	body_error(msg, strlen(msg), type, param, code);
}

/* The message for a request that could not be taken whole. */
const char *
fail_msg(int status)
{
	switch (status) {
	case 411:
		return "Chunked request bodies are not supported; send "
		    "Content-Length.";
	case 413:
		return "Request body too large.";
	case 431:
		return "Request header fields too large.";
	default:
		return "Malformed HTTP request.";
	}
}

/*
 * The answer body.  ans is the content, or NULL with nx >= 0 for nx
 * bytes of 'x'.
 */
static void
body_chat(uint64_t seq, enum kind kind, size_t prompt, const char *ans,
    size_t alen, long long nx)
{
	struct buf *b = &sc_body;
	size_t pt, ct;

	b->len = 0;
	buf_addf(b, "{\"id\":\"chatcmpl-mock-%" PRIu64 "\",\"object\":"
	    "\"chat.completion\",\"created\":" CREATED ",\"model\":\"", seq);
	buf_add_jstr(b, sc_model.p, sc_model.len);
	buf_addc(b, '"');
	if (nx >= 0)
		alen = (size_t)nx;
	if (kind == R_ANSWER) {
		buf_adds(b, ",\"choices\":[{\"index\":0,\"message\":"
		    "{\"role\":\"assistant\",\"content\":\"");
		if (nx >= 0) {
			/* ans is NULL: sc_alt is free to hold the x's when
			 * their logprobs are owed. */
			buf_reserve(b, alen);
			memset(b->p + b->len, 'x', alen);
			if (want_top >= 0) {
				sc_alt.len = 0;
				buf_add(&sc_alt, b->p + b->len, alen);
				ans = sc_alt.p;
			}
			b->len += alen;
		} else
			buf_add_jstr(b, ans, alen);
		buf_adds(b, "\"},\"logprobs\":");
		if (want_top >= 0 && lp_of != NULL)
			logprobs_add(b, lp_of, lp_of_len, want_top, want_p);
		else if (want_top >= 0)
			logprobs_add(b, ans, alen, want_top, want_p);
		else
			buf_adds(b, "null");
		buf_adds(b, ",\"finish_reason\":\"");
		if (finish != NULL)
			buf_add_jstr(b, finish, finish_len);
		else
			buf_adds(b, "stop");
		buf_adds(b, "\"}]");
	} else if (kind == R_NULL) {
		buf_adds(b, ",\"choices\":[{\"index\":0,\"message\":"
		    "{\"role\":\"assistant\",\"content\":null,\"refusal\":"
		    "\"");
		if (refusal != NULL)
			buf_add_jstr(b, refusal, refusal_len);
		else
			buf_adds(b, "I'm sorry, I can't help with that.");
		buf_adds(b, "\"},\"logprobs\":null,\"finish_reason\":"
		    "\"stop\"}]");
		alen = 0;
	}
	pt = (prompt + 3) / 4;
	ct = (alen + 3) / 4;
	if (no_usage) {
		/* As some gateways and local servers answer. */
		buf_adds(b, "}");
		return;
	}
	if (usage_ct != NULL) {
		/* [[usage:N]]: whatever a broken server might say. */
		buf_addf(b, ",\"usage\":{\"prompt_tokens\":%zu,"
		    "\"completion_tokens\":", pt);
		buf_add(b, usage_ct, usage_ct_len);
		buf_adds(b, "}}");
		return;
	}
	buf_addf(b, ",\"usage\":{\"prompt_tokens\":%zu,\"completion_tokens\":"
	    "%zu,\"total_tokens\":%zu", pt, ct, pt + ct);
	/* [[cached:N]]: N of the prompt tokens came from the provider's
	 * prompt cache, as OpenAI reports them. */
	if (cached_ct != NULL) {
		buf_adds(b, ",\"prompt_tokens_details\":{\"cached_tokens\":");
		buf_add(b, cached_ct, cached_ct_len);
		buf_addc(b, '}');
	}
	buf_adds(b, "}}");
}

/*
 * --answer pick:A,B,C: the word of the list that comes first in the
 * prompt, else "unknown".  A stand-in for a classifier in demos that is
 * still a function of the prompt.
 */
void
pick_answer(struct buf *out)
{
	const char *w = cfg.pick, *comma, *at, *best = NULL;
	size_t wl, bestlen = 0;
	const char *first = NULL;

	while (*w != '\0') {
		comma = strchr(w, ',');
		wl = comma ? (size_t)(comma - w) : strlen(w);
		at = wl > 0 ? memmem(sc_user.p, sc_user.len, w, wl) : NULL;
		if (at != NULL && (first == NULL || at < first)) {
			first = at;
			best = w;
			bestlen = wl;
		}
		w += wl + (comma != NULL);
	}
	out->len = 0;
	if (best != NULL)
		buf_add(out, best, bestlen);
	else
		buf_adds(out, "unknown");
}

/*
 * An embedding of the input in sc_user: eight numbers from its hash, so
 * each row gets its own and a test can recompute it.
 */
static void
reply_embedding(struct reply *r, size_t prompt)
{
	struct buf *b = &sc_body;
	uint64_t h = fnv1a(sc_user.p, sc_user.len);
	int k;

	r->kind = R_ANSWER;
	r->status = 200;
	b->len = 0;
	buf_adds(b, "{\"object\":\"list\",\"data\":[{\"object\":"
	    "\"embedding\",\"index\":0,\"embedding\":[");
	for (k = 0; k < 8; k++)
		buf_addf(b, "%s%.4f", k ? "," : "",
		    (double)((h >> (8 * k)) & 0xff) / 255.0);
	buf_adds(b, "]}],\"model\":\"");
	buf_add_jstr(b, sc_model.p, sc_model.len);
	buf_addf(b, "\",\"usage\":{\"prompt_tokens\":%zu,\"total_tokens\":"
	    "%zu}}", (prompt + 3) / 4, (prompt + 3) / 4);
}

/*
 * Render the answer for the content in sc_user: [[bytes:N]] x's, else
 * what [[as:MODEL=ANSWER]] says for the request's model, else what
 * [[reask:FIRST|THEN]] says for this attempt, else [[answer:TEXT]], else
 * the --answer mode's.
 */
static void
reply_answer(struct reply *r, enum kind kind, size_t prompt, long long nx,
    const struct directives *d, int reask)
{
	const struct as_answer *as;
	char hex[17];

	r->kind = kind;
	r->status = 200;
	if (kind != R_ANSWER || nx >= 0) {
		body_chat(r->seq, kind, prompt, NULL, 0, nx);
		return;
	}
	if ((as = as_pick(d)) != NULL) {
		want_p = as->p;
		body_chat(r->seq, kind, prompt, as->answer, as->answer_len,
		    -1);
		want_p = -1;
		return;
	}
	if (d->reask_first != NULL) {
		if (reask)
			body_chat(r->seq, kind, prompt, d->reask_then,
			    d->reask_then_len, -1);
		else
			body_chat(r->seq, kind, prompt, d->reask_first,
			    d->reask_first_len, -1);
		return;
	}
	if (d->answer != NULL) {
		body_chat(r->seq, kind, prompt, d->answer, d->answer_len, -1);
		return;
	}
	switch (cfg.mode) {
	case A_ECHO:
		body_chat(r->seq, kind, prompt, sc_user.p, sc_user.len, -1);
		break;
	case A_HASH:
		snprintf(hex, sizeof(hex), "%016" PRIx64,
		    fnv1a(sc_user.p, sc_user.len));
		body_chat(r->seq, kind, prompt, hex, 16, -1);
		break;
	case A_PICK:
		pick_answer(&sc_alt);
		body_chat(r->seq, kind, prompt, sc_alt.p, sc_alt.len, -1);
		break;
	case A_JSON:
		sc_alt.len = 0;
		buf_adds(&sc_alt, "{\"echo\":\"");
		buf_add_jstr(&sc_alt, sc_user.p, sc_user.len);
		buf_addf(&sc_alt, "\",\"len\":%zu}", sc_user.len);
		body_chat(r->seq, kind, prompt, sc_alt.p, sc_alt.len, -1);
		break;
	}
}

/* Requests */

static int
auth_ok(const struct request *rq)
{
	size_t kl = strlen(cfg.key);

	return rq->has_auth && rq->auth_len == 7 + kl &&
	    strncasecmp(rq->auth, "Bearer ", 7) == 0 &&
	    memcmp(rq->auth + 7, cfg.key, kl) == 0;
}

/* The next of a request's headers, whichever protocol it came by. */
static int
req_hdr_next(const struct request *rq, struct hcursor *cur, struct hdr *l)
{
	if (rq->hdr != NULL)
		return hdr_next(&cur->p, rq->hdr_end, l) == 1;
	if (cur->i >= rq->nfields)
		return 0;
	*l = rq->fields[cur->i++];
	return 1;
}

/*
 * One JSON line per request for --log; slow and thorough.  A chat request
 * holding an assistant message gets "reask":true.
 */
static void
log_request(uint64_t seq, const struct request *rq, int reask)
{
	struct buf *b = &sc_log;
	struct hcursor p = { rq->hdr, 0 }, q;
	struct hdr l, m;
	size_t at, i;
	int first = 1, dup;

	b->len = 0;
	buf_addf(b, "{\"n\":%" PRIu64 ",\"method\":\"", seq);
	buf_add_jstr(b, rq->meth, rq->meth_len);
	buf_adds(b, "\",\"path\":\"");
	buf_add_jstr(b, rq->target, rq->target_len);
	buf_adds(b, "\",\"headers\":{");
	while (req_hdr_next(rq, &p, &l)) {
		/* A header sent again later is left to its last copy. */
		q = p;
		dup = 0;
		while (!dup && req_hdr_next(rq, &q, &m))
			dup = m.nlen == l.nlen &&
			    strncasecmp(m.name, l.name, l.nlen) == 0;
		if (dup)
			continue;
		if (!first)
			buf_addc(b, ',');
		first = 0;
		buf_addc(b, '"');
		at = b->len;
		buf_add_jstr(b, l.name, l.nlen);
		/* Lowercasing after escaping is safe: escapes are lowercase. */
		for (i = at; i < b->len; i++)
			b->p[i] = (char)tolower((unsigned char)b->p[i]);
		buf_adds(b, "\":\"");
		buf_add_jstr(b, l.val, l.vlen);
		buf_addc(b, '"');
	}
	buf_adds(b, "},\"body\":\"");
	buf_add_jstr(b, rq->body, rq->body_len);
	buf_adds(b, reask ? "\",\"reask\":true}\n" : "\"}\n");
	if (fwrite(b->p, 1, b->len, logfp) != b->len || fflush(logfp) == EOF)
		warn("%s", cfg.log_path);
}

/* Count r for --stats, in one of its classes or none. */
static void
reply_count(const struct reply *r)
{
	switch (r->kind) {
	case R_DROP:
		st.dropped++;
		return;
	case R_STALL:
		st.stalled++;
		return;
	case R_GARBAGE:
		st.garbage++;
		return;
	default:
		break;
	}
	if (r->status == 429)
		st.s429++;
	else if (r->status >= 500)
		st.s5xx++;
	else if (r->status >= 400)
		st.s4xx++;
	else if (r->status >= 200 && r->status < 300)
		st.ok++;
}

/*
 * Decide the answer to a complete request, for either protocol: fill *r
 * and sc_body, count it, and return the delay in ms before it is due.
 * The request is taken into inflight; the caller releases it when the
 * answer goes out.  The checks go in the order a real service makes
 * them: key, URL, method, body, model, rate limit; then the faults, then
 * the answer.  r's headers may point into sc_user: serialize them before
 * the next request.
 */
/*
 * --slots N: a server that works on N answers at a time, as a GPU box
 * does, the rest waiting their turn in order of arrival.  With a fixed
 * time per answer the wait is known on arrival: the answer takes the
 * slot that frees first, and is due its time after that.
 */
static uint64_t
slots_delay(uint64_t delay)
{
	static uint64_t	*free_at;
	struct timespec	 ts;
	uint64_t	 now, start;
	int		 k, first = 0;

	if (free_at == NULL && (free_at = calloc(cfg.slots,
	    sizeof(*free_at))) == NULL)
		err(1, NULL);
	clock_gettime(CLOCK_MONOTONIC, &ts);
	now = (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
	for (k = 1; k < cfg.slots; k++)
		if (free_at[k] < free_at[first])
			first = k;
	start = free_at[first] > now ? free_at[first] : now;
	free_at[first] = start + delay;
	return start + delay - now;
}

uint64_t
req_decide(const struct request *rq, struct reply *r)
{
	const char *target = rq->target, *qm, *emsg;
	const char *param = NULL, *code = NULL;
	struct directives d;
	struct chatreq cr;
	size_t plen, prompt;
	uint64_t delay;
	int embed;

	memset(r, 0, sizeof(*r));
	r->seq = ++st.requests;
	if (++inflight > st.max_concurrent)
		st.max_concurrent = inflight;
	memset(&cr, 0, sizeof(cr));
	delay = (uint64_t)cfg.latency_ms;
	if (cfg.jitter_ms > 0)
		delay += rng_next() % (uint64_t)(cfg.jitter_ms + 1);
	/* Anthropic's API: its own checks, answers and error shape. */
	if (messages_target(target, rq->target_len)) {
		delay = messages_decide(rq, r, delay, &cr.reask);
		if (logfp != NULL)
			log_request(r->seq, rq, cr.reask);
		reply_count(r);
		return delay;
	}

	if (cfg.key != NULL && !auth_ok(rq)) {
		reply_error(r, 401, "Incorrect API key provided.",
		    "invalid_request_error", NULL, "invalid_api_key");
		goto out;
	}
	if (batches_decide(rq, r, &delay))
		goto out;
	qm = memchr(target, '?', rq->target_len);
	plen = qm != NULL ? (size_t)(qm - target) : rq->target_len;
	embed = cfg.path == NULL && plen >= 11 &&
	    memcmp(target + plen - 11, "/embeddings", 11) == 0;
	if (cfg.path != NULL ? plen != strlen(cfg.path) ||
	    memcmp(target, cfg.path, plen) != 0 : !embed &&
	    (plen < 17 || memcmp(target + plen - 17, "/chat/completions", 17))) {
		sc_msg.len = 0;
		buf_adds(&sc_msg, "Invalid URL (");
		buf_add(&sc_msg, rq->meth, rq->meth_len);
		buf_addc(&sc_msg, ' ');
		buf_add(&sc_msg, target, plen);
		buf_addc(&sc_msg, ')');
		r->kind = R_ERROR;
		r->status = 404;
		body_error(sc_msg.p, sc_msg.len, "invalid_request_error",
		    NULL, NULL);
		goto out;
	}
	if (rq->meth_len != 4 || memcmp(rq->meth, "POST", 4) != 0) {
		reply_error(r, 405, "Method not allowed; use POST.",
		    "invalid_request_error", NULL, NULL);
		r->allow = 1;
		goto out;
	}
	if ((emsg = embed ? embed_parse(rq->body, rq->body_len, &prompt) :
	    chat_parse(rq->body, rq->body_len, &cr, &param, &code)) !=
	    NULL) {
		reply_error(r, 400, emsg, "invalid_request_error", param,
		    code);
		goto out;
	}
	if (!embed)
		prompt = cr.prompt;
	/* --frame-tokens: as bytes, 4 a token, so that every count of the
	 * prompt below has it. */
	if (!embed && cfg.frame > 0)
		prompt += 4 * (size_t)cfg.frame * (cr.messages + 1);
	if (cr.reask)
		st.reasks++;
	if (cfg.reject_model != NULL &&
	    sc_model.len == strlen(cfg.reject_model) &&
	    memcmp(sc_model.p, cfg.reject_model, sc_model.len) == 0) {
		sc_msg.len = 0;
		buf_adds(&sc_msg, "The model `");
		buf_add(&sc_msg, sc_model.p, sc_model.len);
		buf_adds(&sc_msg, "` does not exist or you do not have access "
		    "to it.");
		r->kind = R_ERROR;
		r->status = 404;
		body_error(sc_msg.p, sc_msg.len, "invalid_request_error",
		    NULL, "model_not_found");
		goto out;
	}
	if (rps_refuse(r) || (!embed && tpm_refuse(r,
	    (long long)(prompt + 3) / 4 + chat_budget(rq->body)))) {
		/* At once: a provider's gateway refuses before any model
		 * runs, so its 429s do not take a request's latency. */
		delay = 0;
		goto out;
	}
	usage_ct = finish = refusal = cached_ct = NULL;
	no_usage = 0;
	want_top = -1;
	if (fault_decide(&d, r, &delay))
		goto out;
	usage_ct = d.usage;
	usage_ct_len = d.usage_len;
	no_usage = d.no_usage;
	finish = d.finish;
	finish_len = d.finish_len;
	cached_ct = d.cached;
	cached_ct_len = d.cached_len;
	refusal = d.refusal;
	refusal_len = d.refusal_len;
	lp_of = d.logprobs_of;
	lp_of_len = d.logprobs_of_len;
	if (cr.logprobs && !d.no_logprobs)
		want_top = cr.top_logprobs;
	if (d.nochoices)
		reply_answer(r, R_NOCHOICES, prompt, -1, &d, cr.reask);
	else if (d.null || d.refusal != NULL)
		reply_answer(r, R_NULL, prompt, -1, &d, cr.reask);
	else if (embed)
		reply_embedding(r, prompt);
	else
		reply_answer(r, R_ANSWER, prompt, d.bytes, &d, cr.reask);
	if (cfg.slots > 0)
		delay = slots_delay(delay);
out:
	/* Last, so that the line can say what the body turned out to be. */
	if (logfp != NULL)
		log_request(r->seq, rq, cr.reask);
	if (cfg.rl_headers)
		reply_ratelimit_hdrs(r);
	reply_count(r);
	return delay;
}

void
chat_cleanup(void)
{
	buf_free(&sc_user);
	buf_free(&sc_model);
	buf_free(&sc_alt);
	buf_free(&sc_msg);
	buf_free(&sc_body);
	buf_free(&sc_log);
}
