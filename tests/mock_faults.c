/*
 * mock_faults.c: failure on purpose.  The directives a row writes into its
 * user message ([[status:503]], [[drop]], [[sleep:200]], ...), the
 * shares drawn at random (--fail-429, --fail-500, --drop, --stall,
 * --garbage), and the --rps and --tpm walls with their 429s and
 * x-ratelimit headers.
 * This file decides which fault a request gets; the protocol files carry
 * it out (a close or a reset for a drop, half a body for [[truncate]]).
 * The directives that shape an answer rather than fail it ([[answer:]],
 * [[reask:]], [[refusal:]], [[finish:]], [[usage:]], [[no-logprobs]],
 * [[logprobs-of:]],
 * [[as:]]) are read here too, and carried out by mock_chat.c.
 */

#include <err.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mock.h"

#define BYTES_MAX	(256LL * 1024 * 1024)	/* [[bytes:N]] */

static uint64_t	 rng_state;
static uint64_t	 fail500_turn;
static const int fail500_status[] = { 500, 502, 503 };
static double	 bucket;			/* --rps tokens */
static uint64_t	 bucket_ns;
static double	 tbucket;		/* --tpm tokens */
static uint64_t	 tbucket_ns;
static uint64_t	*once_tab;			/* open addressing, 0 = free */
static size_t	 once_cap, once_len;
/* The exact wait, for retry-after-ms, as OpenAI sends it. */
static char	 rps_wait_ms[24];

/* The --tpm bucket holds two seconds of tokens. */
static double
tpm_cap(void)
{
	return (double)cfg.tpm / 30.0;
}

/* Seed the draws, fill the --rps bucket: call once now_ns is set. */
void
fault_init(void)
{
	rng_state = cfg.seed;
	bucket_ns = now_ns;
	bucket = (double)cfg.rps;
	tbucket_ns = now_ns;
	tbucket = tpm_cap();
}

void
fault_cleanup(void)
{
	free(once_tab);
	once_tab = NULL;
	once_cap = once_len = 0;
}

/* splitmix64: tiny, and the same --seed gives the same choices. */
uint64_t
rng_next(void)
{
	uint64_t z;

	z = (rng_state += 0x9e3779b97f4a7c15ULL);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static int
chance(uint32_t ppm)
{
	return rng_next() % PPM < ppm;
}

/*
 * "Was this content seen before?"  Only requests with a -once directive
 * land here, so the set stays small; it keeps 64-bit hashes, not texts.
 */
static int
once_first(uint64_t h)
{
	uint64_t *t, *old;
	size_t i, j, cap;

	if (h == 0)
		h = 1;
	if ((once_len + 1) * 2 > once_cap) {
		cap = once_cap ? once_cap * 2 : 64;
		if ((t = calloc(cap, sizeof(*t))) == NULL)
			err(1, NULL);
		old = once_tab;
		for (i = 0; i < once_cap; i++) {
			if (old[i] == 0)
				continue;
			for (j = old[i] & (cap - 1); t[j] != 0;
			    j = (j + 1) & (cap - 1))
				;
			t[j] = old[i];
		}
		free(old);
		once_tab = t;
		once_cap = cap;
	}
	for (i = h & (once_cap - 1); once_tab[i] != 0;
	    i = (i + 1) & (once_cap - 1))
		if (once_tab[i] == h)
			return 0;
	once_tab[i] = h;
	once_len++;
	return 1;
}

/* The --rps token bucket, refilled continuously, one second deep. */
static void
rps_refill(void)
{
	bucket += (double)(now_ns - bucket_ns) * (double)cfg.rps / 1e9;
	if (bucket > (double)cfg.rps)
		bucket = (double)cfg.rps;
	bucket_ns = now_ns;
}

/* Take a token, or say in how many seconds the next one comes. */
static int
rps_take(long long *wait_s)
{
	double w;

	rps_refill();
	if (bucket >= 1.0) {
		bucket -= 1.0;
		return 1;
	}
	w = (1.0 - bucket) / (double)cfg.rps;
	snprintf(rps_wait_ms, sizeof(rps_wait_ms), "%lld",
	    (long long)(w * 1000.0) + 1);
	*wait_s = (long long)w;
	if ((double)*wait_s < w)	/* round up, without libm */
		(*wait_s)++;
	if (*wait_s < 1)
		*wait_s = 1;
	return 0;
}

static void
reply_ratelimit(struct reply *r, const char *secs)
{
	sc_msg.len = 0;
	buf_addf(&sc_msg, "Rate limit reached for requests. Please try again "
	    "in %ss.", secs);
	r->kind = R_ERROR;
	r->status = 429;
	strlcpy(r->retry_after, secs, sizeof(r->retry_after));
	body_error(sc_msg.p, sc_msg.len, "requests", NULL,
	    "rate_limit_exceeded");
}

/*
 * The --rps wall: take a token, or fill r with the 429 that a gateway
 * sends past its rate and return 1.
 */
int
rps_refuse(struct reply *r)
{
	long long wait_s;
	char secs[32];

	if (cfg.rps == 0 || rps_take(&wait_s))
		return 0;
	snprintf(secs, sizeof(secs), "%lld", wait_s);
	reply_ratelimit(r, secs);
	if (cfg.rps_ms) {
		r->retry_after_ms = rps_wait_ms;
		r->retry_after_ms_len = strlen(rps_wait_ms);
	}
	return 1;
}

/* The --tpm bucket, refilled continuously. */
static void
tpm_refill(void)
{
	tbucket += (double)(now_ns - tbucket_ns) * (double)cfg.tpm / 60e9;
	if (tbucket > tpm_cap())
		tbucket = tpm_cap();
	tbucket_ns = now_ns;
}

/* Like a duration header: "640ms", "2s", "1.234s". */
static void
put_reset(char *s, size_t len, long long ms)
{
	if (ms < 1000)
		snprintf(s, len, "%lldms", ms);
	else if (ms % 1000 == 0)
		snprintf(s, len, "%llds", ms / 1000);
	else
		snprintf(s, len, "%lld.%03llds", ms / 1000, ms % 1000);
}

/*
 * The --tpm wall: charge cost tokens (the prompt and the completion
 * budget, as OpenAI counts them), or fill r with OpenAI's 429 for tokens
 * and return 1.  Its wait is in the message only: no Retry-After.
 */
int
tpm_refuse(struct reply *r, long long cost)
{
	double w;
	long long ms;

	if (cfg.tpm == 0)
		return 0;
	tpm_refill();
	sc_msg.len = 0;
	if ((double)cost > tpm_cap()) {
		buf_addf(&sc_msg, "Request too large for %.*s in organization "
		    "org-mock on tokens per min (TPM): Limit %lld, Requested "
		    "%lld. The input or output tokens must be reduced in order "
		    "to run successfully.", (int)sc_model.len, sc_model.p,
		    cfg.tpm, cost);
	} else if (tbucket >= (double)cost) {
		tbucket -= (double)cost;
		st.tokens += (uint64_t)cost;
		return 0;
	} else {
		w = ((double)cost - tbucket) * 60000.0 / (double)cfg.tpm;
		ms = (long long)w + 1;
		buf_addf(&sc_msg, "Rate limit reached for %.*s in organization "
		    "org-mock on tokens per min (TPM): Limit %lld, Used %lld, "
		    "Requested %lld. Please try again in %lld.%03llds. Visit "
		    "https://platform.openai.com/account/rate-limits to learn "
		    "more.", (int)sc_model.len, sc_model.p, cfg.tpm,
		    (long long)((double)cfg.tpm - tbucket * 30), cost, ms / 1000,
		    ms % 1000);
	}
	r->kind = R_ERROR;
	r->status = 429;
	body_error(sc_msg.p, sc_msg.len, "tokens", NULL,
	    "rate_limit_exceeded");
	return 1;
}

/*
 * The x-ratelimit-* values as they stand when the request is answered:
 * what is left in the --rps bucket, and when it is full again.
 */
void
reply_ratelimit_hdrs(struct reply *r)
{
	long long reset;

	if (cfg.tpm > 0) {
		/* The bucket as it is: its size, its level, the time until
		 * it is full. */
		tpm_refill();
		r->rlt = 1;
		r->rlt_limit = (long long)tpm_cap();
		r->rlt_remaining = (long long)tbucket;
		put_reset(r->rlt_reset, sizeof(r->rlt_reset), (long long)(
		    (tpm_cap() - tbucket) * 60000.0 / (double)cfg.tpm + 0.5));
	}
	if (cfg.rps == 0)
		return;
	rps_refill();
	r->rl = 1;
	r->rl_remaining = (long long)bucket;
	reset = (long long)(((double)cfg.rps - bucket) * 1000.0 /
	    (double)cfg.rps + 0.5);
	put_reset(r->rl_reset, sizeof(r->rl_reset), reset);
}

/* Directives */

/* Is q[0..len) "name" followed by an argument?  name ends in ':'. */
static int
directive_arg(const char *q, size_t len, const char *name, const char **arg,
    size_t *alen)
{
	size_t n = strlen(name);

	if (len <= n || memcmp(q, name, n) != 0)
		return 0;
	*arg = q + n;
	*alen = len - n;
	return 1;
}

/*
 * [[as:MODEL=ANSWER]] or [[as:MODEL=ANSWER@P]]: what a request for MODEL
 * is answered, and the probability, 0 < P <= 1, that its logprobs give.
 * So one row can be answered one way by one model, another by another.
 */
static int
directive_as(const char *a, size_t al, struct directives *d)
{
	struct as_answer *as;
	const char *eq, *at;
	char num[32], *end;
	size_t n;

	if (d->nas == NAS || (eq = memchr(a, '=', al)) == NULL || eq == a)
		return -1;
	as = &d->as[d->nas];
	as->model = a;
	as->model_len = (size_t)(eq - a);
	as->answer = eq + 1;
	as->answer_len = al - (size_t)(eq + 1 - a);
	as->p = -1;
	at = memrchr(as->answer, '@', as->answer_len);
	if (at != NULL) {
		n = as->answer_len - (size_t)(at + 1 - as->answer);
		if (n == 0 || n >= sizeof(num))
			return -1;
		memcpy(num, at + 1, n);
		num[n] = '\0';
		as->p = strtod(num, &end);
		if (*end != '\0' || !(as->p > 0 && as->p <= 1))
			return -1;
		as->answer_len = (size_t)(at - as->answer);
	}
	d->nas++;
	return 0;
}

/* The [[as:]] answer for the request's model (sc_model), or NULL. */
const struct as_answer *
as_pick(const struct directives *d)
{
	int i;

	for (i = 0; i < d->nas; i++)
		if (d->as[i].model_len == sc_model.len &&
		    memcmp(d->as[i].model, sc_model.p, sc_model.len) == 0)
			return &d->as[i];
	return NULL;
}

static int
directive_one(const char *q, size_t len, struct directives *d)
{
	const char *a, *eq;
	size_t al;
	long long v;

#define IS(s)	(len == sizeof(s) - 1 && memcmp(q, s, len) == 0)
	if (IS("drop"))
		d->drop = 1;
	else if (IS("drop-once"))
		d->drop_once = 1;
	else if (IS("stall"))
		d->stall = 1;
	else if (IS("stall-once"))
		d->stall_once = 1;
	else if (IS("garbage"))
		d->garbage = 1;
	else if (IS("garbage-once"))
		d->garbage_once = 1;
	else if (IS("nochoices"))
		d->nochoices = 1;
	else if (IS("null"))
		d->null = 1;
	else if (IS("quota"))
		d->quota = 1;
	else if (IS("too-large"))
		d->too_large = 1;
	else if (IS("truncate"))
		d->truncate = 1;
	else if (IS("error-200"))
		d->error200 = 1;
	else if (IS("no-logprobs"))
		d->no_logprobs = 1;
	else if (IS("no-usage"))
		d->no_usage = 1;
	else if (IS("no-retry-after"))
		d->no_ra = 1;
#undef IS
	else if (directive_arg(q, len, "try-again:", &a, &al)) {
		d->try_again = a;
		d->try_again_len = al;
	} else if (directive_arg(q, len, "usage:", &a, &al)) {
		for (v = 0; (size_t)v < al; v++)
			if (a[v] < '0' || a[v] > '9')
				return -1;
		d->usage = a;
		d->usage_len = al;
	} else if (directive_arg(q, len, "cached:", &a, &al)) {
		for (v = 0; (size_t)v < al; v++)
			if (a[v] < '0' || a[v] > '9')
				return -1;
		d->cached = a;
		d->cached_len = al;
	} else if (directive_arg(q, len, "finish:", &a, &al)) {
		d->finish = a;
		d->finish_len = al;
	} else if (directive_arg(q, len, "answer:", &a, &al)) {
		d->answer = a;
		d->answer_len = al;
	} else if (directive_arg(q, len, "reask:", &a, &al)) {
		/* FIRST|THEN: split at the first bar; either may be empty. */
		if ((eq = memchr(a, '|', al)) == NULL)
			return -1;
		d->reask_first = a;
		d->reask_first_len = (size_t)(eq - a);
		d->reask_then = eq + 1;
		d->reask_then_len = al - (size_t)(eq + 1 - a);
	} else if (directive_arg(q, len, "as:", &a, &al)) {
		if (directive_as(a, al, d) == -1)
			return -1;
	} else if (directive_arg(q, len, "logprobs-of:", &a, &al)) {
		d->logprobs_of = a;
		d->logprobs_of_len = al;
	} else if (directive_arg(q, len, "refusal:", &a, &al)) {
		d->refusal = a;
		d->refusal_len = al;
	} else if (directive_arg(q, len, "message:", &a, &al)) {
		d->message = a;
		d->message_len = al;
	} else if (directive_arg(q, len, "gzip-file:", &a, &al)) {
		d->gzip_file = a;
		d->gzip_file_len = al;
	}
	else if (directive_arg(q, len, "sleep:", &a, &al)) {
		if (parse_digits(a, al, DELAY_MAX, &v) != 0)
			return -1;
		d->sleep_ms += v;
	} else if (directive_arg(q, len, "status:", &a, &al) ||
	    directive_arg(q, len, "status-once:", &a, &al)) {
		if (parse_digits(a, al, 599, &v) != 0 || v < 200)
			return -1;
		if (q[6] == ':')
			d->status = (int)v;
		else
			d->status_once = (int)v;
	} else if (directive_arg(q, len, "retry-after:", &a, &al)) {
		if (!valid_seconds(a, al))
			return -1;
		d->ra = a;
		d->ra_len = al;
	} else if (directive_arg(q, len, "retry-after-ms:", &a, &al)) {
		if (parse_digits(a, al, DELAY_MAX, &v) != 0)
			return -1;
		d->ra_ms = a;
		d->ra_ms_len = al;
	} else if (directive_arg(q, len, "bytes:", &a, &al)) {
		if (parse_digits(a, al, BYTES_MAX, &v) != 0)
			return -1;
		d->bytes = v;
	} else if (directive_arg(q, len, "header:", &a, &al)) {
		if ((eq = memchr(a, '=', al)) == NULL || d->nhdr == NHDR ||
		    !valid_token(a, (size_t)(eq - a)))
			return -1;
		d->hdr[d->nhdr].name = a;
		d->hdr[d->nhdr].nlen = (size_t)(eq - a);
		d->hdr[d->nhdr].val = eq + 1;
		d->hdr[d->nhdr].vlen = al - (size_t)(eq + 1 - a);
		if (memchr(eq + 1, '\r', d->hdr[d->nhdr].vlen) != NULL ||
		    memchr(eq + 1, '\n', d->hdr[d->nhdr].vlen) != NULL)
			return -1;	/* no response splitting */
		d->nhdr++;
	} else
		return -1;
	return 0;
}

/*
 * Read the [[...]] directives of one message.  The name must match
 * exactly; anything unknown or malformed is ignored, like other text.
 */
static void
directives_parse(const char *s, size_t n, struct directives *d)
{
	const char *p = s, *end = s + n, *q, *e;

	memset(d, 0, sizeof(*d));
	d->bytes = -1;
	if (n == 0)
		return;
	while ((q = memmem(p, (size_t)(end - p), "[[", 2)) != NULL) {
		q += 2;
		if ((e = memmem(q, (size_t)(end - q), "]]", 2)) == NULL)
			break;
		/* After a bad one, look again from its second '[': "[[[x]]". */
		p = directive_one(q, (size_t)(e - q), d) == 0 ? e + 2 : q - 1;
	}
}

/* sc_body = the bytes of the file named by p[0..n); 0 or -1. */
static int
read_body_file(const char *p, size_t n)
{
	char	 path[PATH_MAX], tmp[65536];
	size_t	 got;
	FILE	*fp;

	if (n >= sizeof(path))
		return -1;
	memcpy(path, p, n);
	path[n] = '\0';
	if ((fp = fopen(path, "rb")) == NULL)
		return -1;
	sc_body.len = 0;
	while ((got = fread(tmp, 1, sizeof(tmp), fp)) > 0)
		buf_add(&sc_body, tmp, got);
	fclose(fp);
	return 0;
}

/*
 * The faults, once the checks a real service makes have passed: read the
 * directives of the row's user message (sc_user) into *d and draw the
 * random shares.  Returns 1 with r filled when a fault takes the place of
 * the answer, 0 when the answer is due, which *d may still shape
 * ([[nochoices]], [[null]], [[bytes:N]], [[answer:]], [[reask:]],
 * [[refusal:]], [[no-logprobs]]).  Either way r takes d's
 * headers, Retry-After and [[truncate]], and *delay grows by [[sleep]].
 */
int
fault_decide(struct directives *d, struct reply *r, uint64_t *delay)
{
	int rdrop, rstall, r429, r500, rgarb, i;

	directives_parse(sc_user.p, sc_user.len, d);
	if ((d->drop_once || d->stall_once || d->garbage_once ||
	    d->status_once) && once_first(fnv1a(sc_user.p, sc_user.len))) {
		d->drop |= d->drop_once;
		d->stall |= d->stall_once;
		d->garbage |= d->garbage_once;
		if (d->status == 0)
			d->status = d->status_once;
	}
	/* Always draw all five, so one share does not shift the others. */
	rdrop = chance(cfg.pdrop);
	rstall = chance(cfg.pstall);
	r429 = chance(cfg.p429);
	r500 = chance(cfg.p500);
	rgarb = chance(cfg.pgarbage);
	*delay += (uint64_t)d->sleep_ms;
	for (i = 0; i < d->nhdr; i++)
		r->hdr[r->nhdr++] = d->hdr[i];
	if (d->ra_ms != NULL) {
		r->retry_after_ms = d->ra_ms;
		r->retry_after_ms_len = d->ra_ms_len;
	}
	if (d->ra != NULL) {
		memcpy(r->retry_after, d->ra, d->ra_len);
		r->retry_after[d->ra_len] = '\0';
	}
	r->truncate = d->truncate;

	if (d->drop || rdrop)
		r->kind = R_DROP;
	else if (d->stall || rstall)
		r->kind = R_STALL;
	else if (d->status != 0) {
		sc_msg.len = 0;
		if (d->message != NULL)
			buf_add(&sc_msg, d->message, d->message_len);
		else
			buf_addf(&sc_msg, "mock status %d", d->status);
		r->kind = R_ERROR;
		r->status = d->status;
		body_error(sc_msg.p, sc_msg.len, "mock", NULL, NULL);
		if (d->status == 429 && d->ra == NULL && !d->no_ra)
			strlcpy(r->retry_after, "1", sizeof(r->retry_after));
	} else if (d->error200) {
		/* Some gateways answer an error with a 200. */
		reply_error(r, 200, "The engine is currently overloaded, "
		    "please try again later", "server_error", NULL, NULL);
	} else if (d->quota) {
		reply_error(r, 429, "You exceeded your current quota, "
		    "please check your plan and billing details.",
		    "insufficient_quota", NULL, "insufficient_quota");
	} else if (d->too_large) {
		reply_error(r, 429, "Request too large for gpt-4o-mini in "
		    "organization org-mock on tokens per min (TPM): "
		    "Limit 30000, Requested 50000.", "tokens", NULL,
		    "rate_limit_exceeded");
	} else if (d->try_again != NULL) {
		sc_msg.len = 0;
		buf_adds(&sc_msg, "Rate limit reached for gpt-4o-mini on "
		    "tokens per min (TPM): Limit 30000. Please try again in ");
		buf_add(&sc_msg, d->try_again, d->try_again_len);
		buf_adds(&sc_msg, ". Visit https://platform.openai.com to "
		    "learn more.");
		r->kind = R_ERROR;
		r->status = 429;
		body_error(sc_msg.p, sc_msg.len, "tokens", NULL,
		    "rate_limit_exceeded");
	} else if (d->gzip_file != NULL) {
		/* A canned compressed body, for the client's size cap. */
		if (read_body_file(d->gzip_file, d->gzip_file_len) == 0) {
			r->kind = R_ANSWER;
			r->status = 200;
			r->gzip = 1;
		} else
			reply_error(r, 500, "cannot read the gzip file",
			    "mock", NULL, NULL);
	} else if (r429) {
		reply_ratelimit(r, cfg.retry_after);
	} else if (r500) {
		/* In turn, as an overloaded gateway and its upstream answer:
		 * the three statuses a retry gets past. */
		reply_error(r, fail500_status[fail500_turn++ % 3],
		    "The server had an error while processing your request.",
		    "server_error", NULL, NULL);
	} else if (d->garbage || rgarb) {
		r->kind = R_GARBAGE;
		r->status = 200;
		sc_body.len = 0;
		buf_adds(&sc_body, "this is not json");
	} else
		return 0;
	return 1;
}
