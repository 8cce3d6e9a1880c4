#include <ctype.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <curl/curl.h>

#include "answer.h"
#include "text.h"
#include "verdict.h"

struct verdicts {
	struct verdict_config	 cfg;
	int			 succeeded;	/* any attempt, ever */
	int			 alike;		/* failures alike, in a row */
	enum row_error		 last_error;	/* the last one's kind, */
	long			 last_status;	/* status */
	struct buf		 last;		/* and message */
	long long		 last_success;
	long long		 deadline;	/* -1: none */
	struct json		*json;		/* scratch: an error body */
	struct buf		 code;		/* scratch: its error code */
};

struct verdicts *
verdict_new(const struct verdict_config *cfg, long long now)
{
	struct verdicts	*v;

	if ((v = calloc(1, sizeof(*v))) == NULL)
		return NULL;
	v->cfg = *cfg;
	v->last_success = now;
	v->deadline = -1;
	if ((v->json = json_new()) == NULL) {
		free(v);
		return NULL;
	}
	return v;
}

void
verdict_free(struct verdicts *v)
{
	if (v == NULL)
		return;
	json_free(v->json);
	buf_free(&v->code);
	buf_free(&v->last);
	free(v);
}

void
verdict_deadline(struct verdicts *v, long long when)
{
	v->deadline = when;
}

void
verdict_success(struct verdicts *v, long long now)
{
	v->last_success = now;
	v->succeeded = 1;
}

long long
verdict_stall_end(const struct verdicts *v)
{
	return v->last_success + v->cfg.stall_ms;
}

const struct verdict_config *
verdict_limits(const struct verdicts *v)
{
	return &v->cfg;
}

/*
 * Does this rate-limit 429 count against --max-429?  Only when the server
 * serves other rows: one succeeded since the row's first 429 was asked
 * for.  A wall that refuses every row is not the row's fault, and
 * --stall-timeout ends that; but a row still refused after others got
 * through is, even when the others are all done and it is the last one.
 */
static int
refused_alone(const struct verdicts *v, struct row *r, long long now)
{
	if (r->ratelimits == 0)
		r->refused_since = now - r->xfer.elapsed_ms;
	return v->cfg.max_429 > 0 && v->succeeded &&
	    v->last_success >= r->refused_since;
}

/*
 * Refusals of a row closer together than this count once: a wall paced
 * to its rate still refuses a request now and then, and a row retried a
 * few ms after its refusal meets the same empty bucket again, so under
 * load one row in a few thousand was refused ten times in under a second
 * (-j 100 at a wall of 100 a second, waits named in ms) while the rest
 * got through.  A row the server refuses for itself is refused for as
 * long as it is asked: ten counted take at least 4.5 s.
 */
#define REFUSED_GAP_MS	500

static int
refused_counts(struct row *r, long long now)
{
	if (r->refusals > 0 && now - r->refused_last < REFUSED_GAP_MS)
		return 0;
	r->refused_last = now;
	return 1;
}

/*
 * Before the first success, the same failure again and again (a host
 * that does not resolve, a refused connection, an untrusted certificate,
 * a wrong URL) is the run's, not the rows': every row would retry it.
 * 1 when this one makes first_window failures alike.
 */
static int
all_alike(struct verdicts *v, const struct row *r)
{
	if (v->succeeded || v->cfg.first_window <= 0)
		return 0;
	if (v->alike > 0 && r->error == v->last_error &&
	    r->status == v->last_status && r->msg.len == v->last.len &&
	    (r->msg.len == 0 || memcmp(r->msg.data, v->last.data,
	    r->msg.len) == 0))
		v->alike++;
	else {
		buf_reset(&v->last);
		if (buf_add(&v->last, r->msg.data, r->msg.len) == -1)
			return 0;
		v->last_error = r->error;
		v->last_status = r->status;
		v->alike = 1;
	}
	return v->alike >= v->cfg.first_window;
}

int
verdict_retryable(long s)
{
	switch (s) {
	case 408:	/* request timeout */
	case 409:	/* conflict: OpenAI's lock contention */
	case 429:
	case 500:
	case 502:
	case 503:
	case 504:
	case 529:	/* Anthropic: overloaded */
		return 1;
	default:
		/* Cloudflare's origin errors in front of many providers. */
		return s >= 520 && s <= 524;
	}
}

/* A non-negative decimal, fraction allowed, alone in s: ms, or -1. */
static long long
parse_seconds(const char *s, double scale)
{
	char	*end;
	double	 v;

	while (*s == ' ' || *s == '\t')
		s++;
	if (!isdigit((unsigned char)*s))
		return -1;
	v = strtod(s, &end);
	while (*end == ' ' || *end == '\t')
		end++;
	if (*end != '\0' || !(v >= 0) || v > 1e9)
		return -1;
	return (long long)(v * scale + 0.5);
}

long long
verdict_retry_after(const char *after_ms, const char *after, time_t now)
{
	long long	 ms;
	time_t		 t;

	if (after_ms != NULL && (ms = parse_seconds(after_ms, 1)) >= 0)
		return ms;
	if (after == NULL || *after == '\0')
		return -1;
	if ((ms = parse_seconds(after, 1000)) >= 0)
		return ms;
	/* An HTTP date; one in the past means now. */
	if ((t = curl_getdate(after, NULL)) == -1)
		return -1;
	return t > now ? (long long)(t - now) * 1000 : 0;
}

static const char *
find_nocase(const char *s, size_t len, const char *word)
{
	size_t	 n = strlen(word), i;

	for (i = 0; i + n <= len; i++)
		if (strncasecmp(s + i, word, n) == 0)
			return s + i + n;
	return NULL;
}

/*
 * OpenAI: "Please try again in 644ms." or "in 26.604s" or "in 1m30s";
 * Azure: "Please retry after 6 seconds."
 */
long long
verdict_message_wait(const char *msg, size_t len)
{
	static const char *const lead[] = { "try again in ", "retry after " };
	const char	*p = NULL;
	size_t		 k;

	for (k = 0; k < 2 && p == NULL; k++)
		p = find_nocase(msg, len, lead[k]);
	if (p == NULL)
		return -1;
	return text_duration(p, msg + len - p, NULL);
}

static long long
backoff(int n, long long most)
{
	long long	 cap = VERDICT_BASE_MS;

	while (--n > 0 && cap < most)
		cap *= 2;
	if (cap > most)
		cap = most;
	return arc4random_uniform((uint32_t)cap + 1);
}

long long
verdict_backoff(int n)
{
	return backoff(n, VERDICT_CAP_MS);
}

long long
verdict_backoff_429(int n)
{
	return backoff(n, VERDICT_429_CAP_MS);
}

enum verdict_429
verdict_classify_429(const char *code, size_t codelen, const char *msg,
    size_t msglen)
{
	if (find_nocase(code, codelen, "insufficient_quota") != NULL ||
	    find_nocase(msg, msglen, "exceeded your current quota") != NULL)
		return VERDICT_429_QUOTA;
	/* "Request too large for gpt-4 ... on tokens per min": it also says
	 * rate_limit_exceeded, but no wait makes it fit. */
	if (find_nocase(code, codelen, "context_length_exceeded") != NULL ||
	    find_nocase(msg, msglen, "request too large") != NULL)
		return VERDICT_429_TOO_LARGE;
	return VERDICT_429_RATE;
}

int
verdict_429_tokens(const char *msg, size_t len, const char *left,
    long long *told)
{
	const char	*p, *errstr;
	char		 num[24];
	size_t		 n;
	int		 tokens;

	*told = 0;
	tokens = find_nocase(msg, len, "tokens per min") != NULL ||
	    find_nocase(msg, len, "(TPM)") != NULL ||
	    find_nocase(msg, len, "on tokens") != NULL ||
	    (left != NULL && strcmp(left, "0") == 0);
	/* "... (TPM): Limit 60000, Used 59622, Requested 913." */
	if (tokens && (p = find_nocase(msg, len, "(TPM): Limit ")) != NULL) {
		for (n = 0; n < sizeof(num) - 1 && p + n < msg + len &&
		    p[n] >= '0' && p[n] <= '9'; n++)
			num[n] = p[n];
		num[n] = '\0';
		*told = strtonum(num, 1, LLONG_MAX, &errstr);
		if (errstr != NULL)
			*told = 0;
	}
	return tokens;
}

/* Append to the message: " (" why ")". */
static int
explain(struct row *r, const char *why)
{
	if (buf_adds(&r->msg, " (") == -1 || buf_adds(&r->msg, why) == -1 ||
	    buf_addc(&r->msg, ')') == -1)
		return -1;
	return 0;
}

static int
decide(struct verdict *out, enum verdict_kind kind)
{
	out->kind = kind;
	out->wait = VERDICT_CHARGED;
	out->delay = 0;
	out->tokens = 0;
	out->told = 0;
	return 0;
}

/* Wait and then try again, unless the wait is too long for the run. */
static int
retry(struct verdicts *v, struct row *r, long long now, long long delay,
    enum verdict_wait wait, struct verdict *out)
{
	if (v->deadline >= 0 && now + delay > v->deadline)
		return verdict_give_up(r) == -1 ? -1 :
		    decide(out, VERDICT_FAIL);
	out->kind = VERDICT_RETRY;
	out->wait = wait;
	out->delay = delay;
	out->tokens = 0;
	out->told = 0;
	return 0;
}

/* A retry charged to -r: after wait ms, or a backoff if wait is -1; or
 * the row fails when -r is spent. */
static int
retry_charged(struct verdicts *v, struct row *r, long long now,
    long long wait, struct verdict *out)
{
	if (r->retries >= v->cfg.retries)
		return decide(out, VERDICT_FAIL);
	r->retries++;
	return retry(v, r, now, wait >= 0 ? wait : verdict_backoff(r->retries),
	    VERDICT_CHARGED, out);
}

/* Is a response with this status worth another try, by its headers? */
static int
should_retry(const struct xfer *x)
{
	const char	*h = x->header[XH_SHOULD_RETRY];

	if (strcmp(h, "true") == 0)
		return 1;
	if (strcmp(h, "false") == 0)
		return 0;
	return verdict_retryable(x->status);
}

/* A response that is not a success: fail, retry, or stop the run. */
static int
http(struct verdicts *v, struct row *r, long long now, struct verdict *out)
{
	struct xfer	*x = &r->xfer;
	long long	 wait;
	char		 why[256];
	int		 rv;

	rows_set_error(r, ROW_ERR_HTTP, x->status);
	if (answer_error(v->json, x->resp.data, x->resp.len, &r->msg,
	    &v->code) == -1)
		return -1;
	/* Every other row would get the same answer. */
	if (x->status == 401) {
		snprintf(why, sizeof(why), "check %s or --api-key-file",
		    v->cfg.key_name != NULL ? v->cfg.key_name :
		    "OPENAI_API_KEY");
		return explain(r, why) == -1 ? -1 : decide(out, VERDICT_STOP);
	}
	if (x->status >= 300 && x->status <= 399) {
		/* Not followed: the key would go with it. */
		snprintf(why, sizeof(why), "redirected to %s; give that URL "
		    "with -u", *x->header[XH_LOCATION] != '\0' ?
		    x->header[XH_LOCATION] : "nowhere said");
		if (explain(r, why) == -1)
			return -1;
		return decide(out, !v->cfg.per_row_target || all_alike(v, r) ?
		    VERDICT_STOP : VERDICT_FAIL);
	}
	if (x->status == 404) {
		if (explain(r, v->cfg.per_row_target ? "check the url and "
		    "model of the row" : "check --url and --model") == -1)
			return -1;
		return decide(out, !v->cfg.per_row_target || all_alike(v, r) ?
		    VERDICT_STOP : VERDICT_FAIL);
	}
	wait = verdict_retry_after(x->header[XH_RETRY_AFTER_MS],
	    x->header[XH_RETRY_AFTER], time(NULL));
	if (x->status == 429) {
		switch (verdict_classify_429(v->code.data, v->code.len,
		    r->msg.data, r->msg.len)) {
		case VERDICT_429_QUOTA:
			return explain(r, "the account has no quota left") ==
			    -1 ? -1 : decide(out, VERDICT_STOP);
		case VERDICT_429_TOO_LARGE:
			return decide(out, VERDICT_FAIL);
		case VERDICT_429_RATE:
			break;
		}
		if (wait < 0)
			wait = verdict_message_wait(r->msg.data, r->msg.len);
	}
	/* The provider's "overloaded" (Anthropic's overloaded_error),
	 * whatever the status: it passes. */
	if (!should_retry(x) && (v->cfg.overloaded == NULL ||
	    !v->cfg.overloaded(x->status, v->code.data, v->code.len)))
		return decide(out, VERDICT_FAIL);
	if (wait > v->cfg.max_wait_ms) {
		snprintf(why, sizeof(why), "the server asked to wait %.1f s, "
		    "more than --max-wait", wait / 1000.0);
		return explain(r, why) == -1 ? -1 : decide(out, VERDICT_FAIL);
	}
	if (x->status == 429) {
		/* Backpressure, not a failure of the row, while the run as
		 * a whole still gets somewhere. */
		if (now - v->last_success > v->cfg.stall_ms) {
			snprintf(why, sizeof(why), "no row succeeded for "
			    "%lld s: --stall-timeout", v->cfg.stall_ms / 1000);
			return explain(r, why) == -1 ? -1 :
			    decide(out, VERDICT_FAIL);
		}
		if (refused_alone(v, r, now) && refused_counts(r, now) &&
		    ++r->refusals >= v->cfg.max_429) {
			snprintf(why, sizeof(why), "refused %d times while "
			    "other rows succeeded: --max-429", r->refusals);
			return explain(r, why) == -1 ? -1 :
			    decide(out, VERDICT_FAIL);
		}
		r->ratelimits++;
		if (wait >= 0)
			rv = retry(v, r, now, wait, VERDICT_HOLD, out);
		else
			rv = retry(v, r, now, verdict_backoff_429(r->ratelimits),
			    VERDICT_RATE, out);
		if (out->kind == VERDICT_RETRY)
			out->tokens = verdict_429_tokens(r->msg.data,
			    r->msg.len, x->header[XH_RL_REMAINING_TOKENS],
			    &out->told);
		return rv;
	}
	return retry_charged(v, r, now, wait, out);
}

int
verdict_transfer(struct verdicts *v, struct row *r, long long now,
    struct verdict *out)
{
	struct xfer	*x = &r->xfer;

	switch (x->result) {
	case XFER_NETWORK:
	case XFER_TIMEOUT:
		rows_set_error(r, x->result == XFER_TIMEOUT ? ROW_ERR_TIMEOUT :
		    ROW_ERR_NETWORK, 0);
		if (buf_adds(&r->msg, x->error) == -1)
			return -1;
		/* A slow model may time out at first; a refusal will not
		 * change its mind. */
		if (x->result == XFER_NETWORK && all_alike(v, r))
			return explain(r, "every request so far failed so") ==
			    -1 ? -1 : decide(out, VERDICT_STOP);
		return retry_charged(v, r, now, -1, out);
	case XFER_TOOBIG:
		rows_set_error(r, ROW_ERR_PARSE, x->status);
		if (buf_adds(&r->msg, "response larger than "
		    "--max-response-bytes") == -1)
			return -1;
		return decide(out, VERDICT_FAIL);
	case XFER_RESPONSE:
		break;
	}
	if (x->status >= 200 && x->status <= 299)
		return decide(out, VERDICT_DONE);
	return http(v, r, now, out);
}

int
verdict_unreadable(struct verdicts *v, struct row *r, long long now,
    const char *why, struct verdict *out)
{
	rows_set_error(r, ROW_ERR_PARSE, r->xfer.status);
	if (buf_adds(&r->msg, why) == -1)
		return -1;
	/* Once only: a model will not change its mind about null content. */
	if (r->parse_retried)
		return decide(out, VERDICT_FAIL);
	r->parse_retried = 1;
	return retry_charged(v, r, now, -1, out);
}

int
verdict_invalid(struct verdicts *v, struct row *r, long long now,
    const char *why, struct verdict *out)
{
	rows_set_error(r, ROW_ERR_INVALID, r->xfer.status);
	if (buf_adds(&r->msg, why) == -1)
		return -1;
	/* An escalated row was asked once more, of the other model: its
	 * answer is the last. */
	if (r->reasks >= v->cfg.reask || r->escalated)
		return decide(out, VERDICT_FAIL);
	r->reasks++;
	return retry(v, r, now, 0, VERDICT_REASK, out);
}

int
verdict_final(struct verdicts *v, struct row *r, enum row_error type,
    const char *why, struct verdict *out)
{
	(void)v;
	rows_set_error(r, type, r->xfer.status);
	if (buf_adds(&r->msg, why) == -1)
		return -1;
	return decide(out, VERDICT_FAIL);
}

int
verdict_give_up(struct row *r)
{
	return explain(r, "not retried: interrupted");
}
