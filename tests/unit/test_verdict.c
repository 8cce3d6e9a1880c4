#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "verdict.h"

static long long
msg_wait(const char *m)
{
	return verdict_message_wait(m, strlen(m));
}

static enum verdict_429
classify(const char *code, const char *msg)
{
	return verdict_classify_429(code, strlen(code), msg, strlen(msg));
}

/* A row whose attempt ended so: a response with this status and body
 * (result XFER_RESPONSE), or no response (another result). */
static struct row *
attempt(struct rows *rs, struct row *r, enum xfer_result res, long status,
    const char *body)
{
	if (r == NULL && (r = rows_get(rs)) == NULL)
		abort();
	memset(r->xfer.header, 0, sizeof(r->xfer.header));
	buf_reset(&r->xfer.resp);
	r->xfer.result = res;
	r->xfer.status = status;
	r->xfer.elapsed_ms = 0;
	strlcpy(r->xfer.error, res == XFER_TIMEOUT ? "Operation timed out" :
	    "Connection refused", sizeof(r->xfer.error));
	if (body != NULL && buf_adds(&r->xfer.resp, body) == -1)
		abort();
	r->attempts++;
	return r;
}

static void
header(struct row *r, enum xfer_header h, const char *v)
{
	strlcpy(r->xfer.header[h], v, sizeof(r->xfer.header[h]));
}

/* The row's message as a C string. */
static const char *
msg(const struct row *r)
{
	static char	 s[512];

	snprintf(s, sizeof(s), "%.*s", (int)r->msg.len,
	    r->msg.data != NULL ? r->msg.data : "");
	return s;
}

#define RATE_BODY	"{\"error\":{\"message\":\"Rate limit reached for " \
			"requests\",\"type\":\"requests\",\"code\":" \
			"\"rate_limit_exceeded\"}}"

/* What verdict_transfer and its kin decide for crafted attempts. */
static void
test_decisions(void)
{
	struct verdict_config	 c = { 2, 60000, 600000 };
	struct verdicts		*v;
	struct rows		*rs = rows_new();
	struct verdict		 out;
	struct row		*r;
	int			 k, ok;

	v = verdict_new(&c, 0);
	CHECK(v != NULL && rs != NULL);

	/* No response: retried, charged to -r, with a growing backoff; then
	 * the row fails with what went wrong. */
	r = attempt(rs, NULL, XFER_NETWORK, 0, NULL);
	CHECK(verdict_transfer(v, r, 0, &out) == 0);
	CHECK(out.kind == VERDICT_RETRY && out.wait == VERDICT_CHARGED &&
	    out.delay >= 0 && out.delay <= 500 && r->retries == 1);
	CHECK(r->error == ROW_ERR_NETWORK && r->status == 0);
	CHECK(strcmp(msg(r), "Connection refused") == 0);
	attempt(rs, r, XFER_TIMEOUT, 0, NULL);
	CHECK(verdict_transfer(v, r, 0, &out) == 0);
	CHECK(out.kind == VERDICT_RETRY && out.delay <= 1000 &&
	    r->retries == 2);
	CHECK(r->error == ROW_ERR_TIMEOUT);
	attempt(rs, r, XFER_TIMEOUT, 0, NULL);
	CHECK(verdict_transfer(v, r, 0, &out) == 0);
	CHECK(out.kind == VERDICT_FAIL && r->retries == 2);
	CHECK(r->error == ROW_ERR_TIMEOUT &&
	    strcmp(msg(r), "Operation timed out") == 0);
	rows_put(rs, r);

	/* A response over the cap: no second try makes it smaller. */
	r = attempt(rs, NULL, XFER_TOOBIG, 200, NULL);
	CHECK(verdict_transfer(v, r, 0, &out) == 0);
	CHECK(out.kind == VERDICT_FAIL && r->error == ROW_ERR_PARSE &&
	    r->retries == 0);
	CHECK(strstr(msg(r), "--max-response-bytes") != NULL);
	rows_put(rs, r);

	/* Any 2xx is done, as far as HTTP goes. */
	r = attempt(rs, NULL, XFER_RESPONSE, 200, "{}");
	CHECK(verdict_transfer(v, r, 0, &out) == 0 && out.kind == VERDICT_DONE);
	attempt(rs, r, XFER_RESPONSE, 201, "{}");
	CHECK(verdict_transfer(v, r, 0, &out) == 0 && out.kind == VERDICT_DONE);
	rows_put(rs, r);

	/* 401 and 404: every row would hear the same, so the run stops, and
	 * the message says what to check. */
	r = attempt(rs, NULL, XFER_RESPONSE, 401, "{\"error\":{\"message\":"
	    "\"Incorrect API key provided\",\"code\":\"invalid_api_key\"}}");
	CHECK(verdict_transfer(v, r, 0, &out) == 0 && out.kind == VERDICT_STOP);
	CHECK(r->error == ROW_ERR_HTTP && r->status == 401);
	CHECK(strcmp(msg(r), "Incorrect API key provided (check "
	    "OPENAI_API_KEY or --api-key-file)") == 0);
	rows_put(rs, r);
	r = attempt(rs, NULL, XFER_RESPONSE, 404, "<html>Not Found</html>\n");
	CHECK(verdict_transfer(v, r, 0, &out) == 0 && out.kind == VERDICT_STOP);
	CHECK(strcmp(msg(r), "<html>Not Found</html> (check --url and "
	    "--model)") == 0);
	rows_put(rs, r);

	/* 429s: no quota stops the run; a request too large fails the row;
	 * a rate limit waits, as long as the server says, or backs off. */
	r = attempt(rs, NULL, XFER_RESPONSE, 429, "{\"error\":{\"message\":"
	    "\"You exceeded your current quota\",\"code\":"
	    "\"insufficient_quota\"}}");
	header(r, XH_RETRY_AFTER, "1");
	CHECK(verdict_transfer(v, r, 0, &out) == 0 && out.kind == VERDICT_STOP);
	CHECK(strcmp(msg(r), "You exceeded your current quota (the account "
	    "has no quota left)") == 0);
	rows_put(rs, r);
	r = attempt(rs, NULL, XFER_RESPONSE, 429, "{\"error\":{\"message\":"
	    "\"Request too large for gpt-4 on tokens per min\",\"code\":"
	    "\"rate_limit_exceeded\"}}");
	header(r, XH_RETRY_AFTER, "1");
	CHECK(verdict_transfer(v, r, 0, &out) == 0 && out.kind == VERDICT_FAIL);
	CHECK(r->status == 429 && r->retries == 0 && r->ratelimits == 0);
	rows_put(rs, r);
	r = attempt(rs, NULL, XFER_RESPONSE, 429, RATE_BODY);
	header(r, XH_RETRY_AFTER, "3");
	CHECK(verdict_transfer(v, r, 0, &out) == 0);
	CHECK(out.kind == VERDICT_RETRY && out.wait == VERDICT_HOLD &&
	    out.delay == 3000);
	CHECK(r->ratelimits == 1 && r->retries == 0);
	/* retry-after-ms first. */
	attempt(rs, r, XFER_RESPONSE, 429, RATE_BODY);
	header(r, XH_RETRY_AFTER, "3");
	header(r, XH_RETRY_AFTER_MS, "250");
	CHECK(verdict_transfer(v, r, 0, &out) == 0);
	CHECK(out.kind == VERDICT_RETRY && out.wait == VERDICT_HOLD &&
	    out.delay == 250);
	/* The wait in the message, when no header names one. */
	attempt(rs, r, XFER_RESPONSE, 429, "{\"error\":{\"message\":\"Rate "
	    "limit reached. Please try again in 644ms.\"}}");
	CHECK(verdict_transfer(v, r, 0, &out) == 0);
	CHECK(out.kind == VERDICT_RETRY && out.wait == VERDICT_HOLD &&
	    out.delay == 644);
	rows_put(rs, r);
	/* No wait named: a backoff of this row's own, never charged to -r,
	 * so a rate limit alone does not fail a row. */
	r = attempt(rs, NULL, XFER_RESPONSE, 429, RATE_BODY);
	for (ok = 1, k = 1; k <= 12; k++) {
		CHECK(verdict_transfer(v, r, 0, &out) == 0);
		ok &= out.kind == VERDICT_RETRY && out.wait == VERDICT_RATE &&
		    out.delay >= 0 && out.delay <= VERDICT_429_CAP_MS &&
		    (k > 1 || out.delay <= VERDICT_BASE_MS);
		attempt(rs, r, XFER_RESPONSE, 429, RATE_BODY);
	}
	CHECK(ok);
	CHECK(r->ratelimits == 12 && r->retries == 0);
	rows_put(rs, r);

	/* A wait longer than --max-wait: the row fails, and says why. */
	r = attempt(rs, NULL, XFER_RESPONSE, 429, RATE_BODY);
	header(r, XH_RETRY_AFTER, "120");
	CHECK(verdict_transfer(v, r, 0, &out) == 0 && out.kind == VERDICT_FAIL);
	CHECK(strcmp(msg(r), "Rate limit reached for requests (the server "
	    "asked to wait 120.0 s, more than --max-wait)") == 0);
	attempt(rs, r, XFER_RESPONSE, 503, "busy");
	header(r, XH_RETRY_AFTER, "61");
	CHECK(verdict_transfer(v, r, 0, &out) == 0 && out.kind == VERDICT_FAIL);
	CHECK(strcmp(msg(r), "busy (the server asked to wait 61.0 s, more "
	    "than --max-wait)") == 0);
	/* A 503 with a wait it names: charged to -r, after that wait. */
	attempt(rs, r, XFER_RESPONSE, 503, "busy");
	header(r, XH_RETRY_AFTER, "5");
	CHECK(verdict_transfer(v, r, 0, &out) == 0);
	CHECK(out.kind == VERDICT_RETRY && out.wait == VERDICT_CHARGED &&
	    out.delay == 5000 && r->retries == 1);
	rows_put(rs, r);

	/* x-should-retry overrules the status, both ways. */
	r = attempt(rs, NULL, XFER_RESPONSE, 400, "{}");
	CHECK(verdict_transfer(v, r, 0, &out) == 0 && out.kind == VERDICT_FAIL);
	attempt(rs, r, XFER_RESPONSE, 400, "{}");
	header(r, XH_SHOULD_RETRY, "true");
	CHECK(verdict_transfer(v, r, 0, &out) == 0);
	CHECK(out.kind == VERDICT_RETRY && out.wait == VERDICT_CHARGED);
	attempt(rs, r, XFER_RESPONSE, 500, "{}");
	CHECK(verdict_transfer(v, r, 0, &out) == 0 &&
	    out.kind == VERDICT_RETRY);
	attempt(rs, r, XFER_RESPONSE, 500, "{}");
	header(r, XH_SHOULD_RETRY, "false");
	r->retries = 0;
	CHECK(verdict_transfer(v, r, 0, &out) == 0 && out.kind == VERDICT_FAIL);
	CHECK(r->retries == 0);
	/* A 429 told not to retry fails too. */
	attempt(rs, r, XFER_RESPONSE, 429, RATE_BODY);
	header(r, XH_SHOULD_RETRY, "false");
	CHECK(verdict_transfer(v, r, 0, &out) == 0 && out.kind == VERDICT_FAIL);
	rows_put(rs, r);

	/* A 2xx that cannot be read is retried once, charged; an answer
	 * that is not what was asked for fails at once. */
	r = attempt(rs, NULL, XFER_RESPONSE, 200, "{\"choices\":[]}");
	CHECK(verdict_unreadable(v, r, 0, "no content", &out) == 0);
	CHECK(out.kind == VERDICT_RETRY && out.wait == VERDICT_CHARGED &&
	    r->retries == 1);
	CHECK(r->error == ROW_ERR_PARSE && r->status == 200 &&
	    strcmp(msg(r), "no content") == 0);
	attempt(rs, r, XFER_RESPONSE, 200, "{\"choices\":[]}");
	CHECK(verdict_unreadable(v, r, 0, "no content", &out) == 0);
	CHECK(out.kind == VERDICT_FAIL && r->retries == 1);
	rows_put(rs, r);
	/* No --reask: an invalid answer fails the row. */
	r = attempt(rs, NULL, XFER_RESPONSE, 200, "{}");
	CHECK(verdict_invalid(v, r, 0, "not an object", &out) == 0);
	CHECK(out.kind == VERDICT_FAIL && r->error == ROW_ERR_INVALID &&
	    strcmp(msg(r), "not an object") == 0);
	rows_put(rs, r);
	verdict_free(v);

	/* --reask 2: asked again at once, twice, not charged to -r; then
	 * the row fails as invalid_answer. */
	c.reask = 2;
	v = verdict_new(&c, 0);
	r = attempt(rs, NULL, XFER_RESPONSE, 200, "{}");
	for (k = 0; k < 2; k++) {
		CHECK(verdict_invalid(v, r, 5, "no \"a\"", &out) == 0);
		CHECK(out.kind == VERDICT_RETRY && out.wait == VERDICT_REASK &&
		    out.delay == 0 && r->reasks == k + 1 && r->retries == 0);
		attempt(rs, r, XFER_RESPONSE, 200, "{}");
	}
	CHECK(verdict_invalid(v, r, 5, "no \"a\"", &out) == 0);
	CHECK(out.kind == VERDICT_FAIL && r->reasks == 2 &&
	    strcmp(rows_error_name(r->error), "invalid_answer") == 0 &&
	    strcmp(msg(r), "no \"a\"") == 0);
	rows_put(rs, r);
	/* Past the grace period's end, no more asking. */
	verdict_deadline(v, 4);
	r = attempt(rs, NULL, XFER_RESPONSE, 200, "{}");
	CHECK(verdict_invalid(v, r, 5, "no", &out) == 0 &&
	    out.kind == VERDICT_FAIL);
	rows_put(rs, r);
	verdict_free(v);
	c.reask = 0;

	/* -r 0: the first unreadable answer fails the row. */
	c.retries = 0;
	v = verdict_new(&c, 0);
	r = attempt(rs, NULL, XFER_RESPONSE, 200, "{}");
	CHECK(verdict_unreadable(v, r, 0, "no content", &out) == 0);
	CHECK(out.kind == VERDICT_FAIL);
	rows_put(rs, r);
	verdict_free(v);

	/* --stall-timeout: 429s wait while some row still succeeds. */
	c.retries = 2;
	c.stall_ms = 10000;
	v = verdict_new(&c, 0);
	r = attempt(rs, NULL, XFER_RESPONSE, 429, RATE_BODY);
	CHECK(verdict_transfer(v, r, 10000, &out) == 0 &&
	    out.kind == VERDICT_RETRY);
	attempt(rs, r, XFER_RESPONSE, 429, RATE_BODY);
	CHECK(verdict_transfer(v, r, 10001, &out) == 0 &&
	    out.kind == VERDICT_FAIL);
	CHECK(strcmp(msg(r), "Rate limit reached for requests (no row "
	    "succeeded for 10 s: --stall-timeout)") == 0);
	verdict_success(v, 15000);
	attempt(rs, r, XFER_RESPONSE, 429, RATE_BODY);
	CHECK(verdict_transfer(v, r, 20000, &out) == 0 &&
	    out.kind == VERDICT_RETRY);
	/* Other failures do not stall out. */
	attempt(rs, r, XFER_RESPONSE, 500, "{}");
	CHECK(verdict_transfer(v, r, 90000, &out) == 0 &&
	    out.kind == VERDICT_RETRY);
	rows_put(rs, r);

	/* After an interrupt's deadline no retry is scheduled. */
	verdict_deadline(v, 26000);
	r = attempt(rs, NULL, XFER_RESPONSE, 503, "busy");
	header(r, XH_RETRY_AFTER, "5");
	CHECK(verdict_transfer(v, r, 20000, &out) == 0 &&
	    out.kind == VERDICT_RETRY && out.delay == 5000);
	attempt(rs, r, XFER_RESPONSE, 503, "busy");
	header(r, XH_RETRY_AFTER, "5");
	CHECK(verdict_transfer(v, r, 21001, &out) == 0 &&
	    out.kind == VERDICT_FAIL);
	CHECK(strcmp(msg(r), "busy (not retried: interrupted)") == 0);
	/* A hold past it too. */
	attempt(rs, r, XFER_RESPONSE, 429, RATE_BODY);
	header(r, XH_RETRY_AFTER, "10");
	CHECK(verdict_transfer(v, r, 20000, &out) == 0 &&
	    out.kind == VERDICT_FAIL);
	CHECK(strcmp(msg(r), "Rate limit reached for requests (not retried: "
	    "interrupted)") == 0);
	/* And one without a response. */
	attempt(rs, r, XFER_NETWORK, 0, NULL);
	r->retries = 0;
	CHECK(verdict_transfer(v, r, 25999, &out) == 0);
	CHECK(out.kind == VERDICT_FAIL || out.delay <= 1);
	rows_put(rs, r);
	/* verdict_give_up, for rows waiting when the grace period ends. */
	r = attempt(rs, NULL, XFER_RESPONSE, 500, "{}");
	CHECK(verdict_transfer(v, r, 0, &out) == 0);
	CHECK(verdict_give_up(r) == 0);
	CHECK(strcmp(msg(r), "{} (not retried: interrupted)") == 0);
	rows_put(rs, r);
	verdict_free(v);
	verdict_free(NULL);
	rows_free(rs);
}

/*
 * --max-429: a row's rate-limit 429s count once another row has
 * succeeded since its first one, even when none succeeds after that (the
 * others are done); a wall that refuses every row is left to
 * --stall-timeout.
 */
static void
test_max_429(void)
{
	struct verdict_config	 c = { .retries = 1, .max_wait_ms = 60000,
				    .stall_ms = 600000, .max_429 = 3 };
	struct verdicts		*v;
	struct rows		*rs = rows_new();
	struct verdict		 out;
	struct row		*r;
	long long		 t;
	int			 k;

	v = verdict_new(&c, 1000);
	CHECK(v != NULL && rs != NULL);
	/* No success yet: a wall, not the row's; none counted. */
	r = attempt(rs, NULL, XFER_RESPONSE, 429, RATE_BODY);
	for (k = 0, t = 2000; k < 6; k++, t += 1000) {
		attempt(rs, r, XFER_RESPONSE, 429, RATE_BODY);
		CHECK(verdict_transfer(v, r, t, &out) == 0 &&
		    out.kind == VERDICT_RETRY);
	}
	CHECK(r->refusals == 0 && r->ratelimits == 6);
	/* Another row gets through: from then on each 429 counts, and the
	 * third fails it, -r 1 notwithstanding; no further success needed. */
	verdict_success(v, t - 500);
	for (k = 1; k <= 3; k++, t += 1000) {
		attempt(rs, r, XFER_RESPONSE, 429, RATE_BODY);
		CHECK(verdict_transfer(v, r, t, &out) == 0);
		CHECK(r->refusals == k);
		CHECK(out.kind == (k < 3 ? VERDICT_RETRY : VERDICT_FAIL));
	}
	CHECK(strcmp(msg(r), "Rate limit reached for requests (refused 3 "
	    "times while other rows succeeded: --max-429)") == 0);
	CHECK(r->error == ROW_ERR_HTTP && r->status == 429);
	rows_put(rs, r);

	/* A success while its first refused request was in flight counts
	 * that one; one before it does not. */
	r = attempt(rs, NULL, XFER_RESPONSE, 429, RATE_BODY);
	r->xfer.elapsed_ms = 100;
	verdict_success(v, t - 50);
	CHECK(verdict_transfer(v, r, t, &out) == 0 && r->refusals == 1);
	rows_put(rs, r);
	r = attempt(rs, NULL, XFER_RESPONSE, 429, RATE_BODY);
	r->xfer.elapsed_ms = 100;
	CHECK(verdict_transfer(v, r, t + 200, &out) == 0 &&
	    r->refusals == 0);
	/* A named wait (a hold) counts the same; other errors do not. */
	verdict_success(v, t + 300);
	attempt(rs, r, XFER_RESPONSE, 500, "{}");
	CHECK(verdict_transfer(v, r, t + 400, &out) == 0 &&
	    out.kind == VERDICT_RETRY && r->refusals == 0 && r->retries == 1);
	attempt(rs, r, XFER_RESPONSE, 429, RATE_BODY);
	header(r, XH_RETRY_AFTER, "1");
	CHECK(verdict_transfer(v, r, t + 500, &out) == 0 &&
	    out.kind == VERDICT_RETRY && out.wait == VERDICT_HOLD &&
	    r->refusals == 1);
	rows_put(rs, r);
	CHECK(verdict_stall_end(v) == t + 300 + 600000);
	CHECK(verdict_limits(v)->max_429 == 3);

	/* Refusals in a burst (a wall's echo on an unlucky row, retried a
	 * few ms after each) count once; half a second apart, each. */
	t += 10000;
	r = attempt(rs, NULL, XFER_RESPONSE, 429, RATE_BODY);
	r->xfer.elapsed_ms = 0;
	verdict_success(v, t);
	for (k = 0; k < 10; k++, t += 10) {
		attempt(rs, r, XFER_RESPONSE, 429, RATE_BODY);
		header(r, XH_RETRY_AFTER_MS, "5");
		CHECK(verdict_transfer(v, r, t, &out) == 0 &&
		    out.kind == VERDICT_RETRY && r->refusals == 1);
	}
	t += 500;
	attempt(rs, r, XFER_RESPONSE, 429, RATE_BODY);
	CHECK(verdict_transfer(v, r, t, &out) == 0 &&
	    out.kind == VERDICT_RETRY && r->refusals == 2);
	attempt(rs, r, XFER_RESPONSE, 429, RATE_BODY);
	CHECK(verdict_transfer(v, r, t + 499, &out) == 0 &&
	    out.kind == VERDICT_RETRY && r->refusals == 2);
	attempt(rs, r, XFER_RESPONSE, 429, RATE_BODY);
	CHECK(verdict_transfer(v, r, t + 500, &out) == 0 &&
	    out.kind == VERDICT_FAIL && r->refusals == 3);
	rows_put(rs, r);
	verdict_free(v);

	/* 0: no limit, as a library user who sets none gets. */
	c.max_429 = 0;
	v = verdict_new(&c, 0);
	r = attempt(rs, NULL, XFER_RESPONSE, 429, RATE_BODY);
	for (k = 0, t = 1; k < 50; k++, t += 10) {
		verdict_success(v, t);
		attempt(rs, r, XFER_RESPONSE, 429, RATE_BODY);
		CHECK(verdict_transfer(v, r, t + 1, &out) == 0 &&
		    out.kind == VERDICT_RETRY);
	}
	CHECK(r->refusals == 0);
	rows_put(rs, r);
	verdict_free(v);
	rows_free(rs);
}

/* Which limit a rate-limit 429 is about, and the limit it names. */
static void
test_429_tokens(void)
{
	static const char tpm[] = "Rate limit reached for gpt-4o-mini in "
	    "organization org-x on tokens per min (TPM): Limit 60000, Used "
	    "59622, Requested 913. Please try again in 535ms.";
	static const char rpm[] = "Rate limit reached for gpt-4o-mini in "
	    "organization org-x on requests per min (RPM): Limit 500, Used "
	    "500, Requested 1. Please try again in 120ms.";
	long long	 told;

	CHECK(verdict_429_tokens(tpm, strlen(tpm), NULL, &told) == 1);
	CHECK(told == 60000);
	CHECK(verdict_429_tokens(rpm, strlen(rpm), NULL, &told) == 0);
	CHECK(told == 0);
	/* Cut short: nothing read past the message's end. */
	CHECK(verdict_429_tokens(tpm, 80, NULL, &told) == 1);
	CHECK(told == 0);
	CHECK(verdict_429_tokens(tpm, 90, NULL, &told) == 1);
	CHECK(told == 60);
	/* No words, but the provider's token remainder is 0. */
	CHECK(verdict_429_tokens("slow down", 9, "0", &told) == 1);
	CHECK(verdict_429_tokens("slow down", 9, "12", &told) == 0);
	CHECK(verdict_429_tokens("slow down", 9, "", &told) == 0);
	CHECK(verdict_429_tokens("", 0, NULL, &told) == 0);
}

int
main(void)
{
	long long	 w;
	int		 k, n, ok;
	time_t		 now = 1700000000;	/* Tue, 14 Nov 2023 22:13:20 GMT */

	CHECK(verdict_retryable(429) && verdict_retryable(408) &&
	    verdict_retryable(409));
	CHECK(verdict_retryable(500) && verdict_retryable(502) &&
	    verdict_retryable(503) && verdict_retryable(504));
	CHECK(verdict_retryable(520) && verdict_retryable(524));
	/* Anthropic's overloaded. */
	CHECK(verdict_retryable(529));
	CHECK(!verdict_retryable(400) && !verdict_retryable(401) &&
	    !verdict_retryable(404) && !verdict_retryable(501) &&
	    !verdict_retryable(505) && !verdict_retryable(525) &&
	    !verdict_retryable(200));

	/* retry-after-ms first, then Retry-After in seconds or as a date. */
	CHECK(verdict_retry_after("250", "30", now) == 250);
	CHECK(verdict_retry_after("1.5", NULL, now) == 2);
	CHECK(verdict_retry_after(NULL, "30", now) == 30000);
	CHECK(verdict_retry_after("", "0.2", now) == 200);
	CHECK(verdict_retry_after("junk", "2", now) == 2000);
	CHECK(verdict_retry_after(NULL, "Tue, 14 Nov 2023 22:13:50 GMT", now) ==
	    30000);
	CHECK(verdict_retry_after(NULL, "Tue, 14 Nov 2023 22:00:00 GMT", now) == 0);
	CHECK(verdict_retry_after(NULL, NULL, now) == -1);
	CHECK(verdict_retry_after(NULL, "", now) == -1);
	CHECK(verdict_retry_after(NULL, "-5", now) == -1);
	CHECK(verdict_retry_after(NULL, "soon", now) == -1);
	CHECK(verdict_retry_after(NULL, "1e99", now) == -1);

	/* Waits named in error messages. */
	CHECK(msg_wait("Rate limit reached. Please try again in 644ms. "
	    "Visit ...") == 644);
	CHECK(msg_wait("Please try again in 26.604s.") == 26604);
	CHECK(msg_wait("Please try again in 1m30s.") == 90000);
	CHECK(msg_wait("Please try again in 2h.") == 7200000);
	CHECK(msg_wait("exceeded token rate limit. Please retry after 6 "
	    "seconds.") == 6000);
	CHECK(msg_wait("Please try again later.") == -1);
	CHECK(msg_wait("") == -1);
	CHECK(msg_wait("try again in ") == -1);
	CHECK(msg_wait("try again in 99999999999999999999999999s") ==
	    1000000000000LL);

	/* Backoff: full jitter under a cap that doubles from 0.5 s to 30 s. */
	for (ok = 1, k = 0; k < 1000; k++) {
		ok &= verdict_backoff(1) <= 500;
		ok &= verdict_backoff(3) <= 2000;
		ok &= verdict_backoff(10) <= 30000;
		ok &= verdict_backoff(100) <= 30000;
		ok &= verdict_backoff_429(1) <= 500;
		ok &= verdict_backoff_429(10) <= 2000;
	}
	CHECK(ok);
	/* Jittered: not all the same, and reaching past half the cap. */
	for (n = 0, k = 0; k < 1000; k++)
		n += verdict_backoff(10) > 15000;
	CHECK(n > 300 && n < 700);
	w = verdict_backoff(1);
	for (n = 0, k = 0; k < 100; k++)
		n += verdict_backoff(1) != w;
	CHECK(n > 50);

	/* 429s: quota stops the run, too large fails the row, else wait. */
	CHECK(classify("insufficient_quota", "You exceeded your current "
	    "quota, please check your plan") == VERDICT_429_QUOTA);
	CHECK(classify("", "You exceeded your current quota") ==
	    VERDICT_429_QUOTA);
	CHECK(classify("rate_limit_exceeded", "Request too large for gpt-4 in "
	    "organization org-x on tokens per min") == VERDICT_429_TOO_LARGE);
	CHECK(classify("context_length_exceeded", "x") == VERDICT_429_TOO_LARGE);
	CHECK(classify("rate_limit_exceeded", "Rate limit reached for "
	    "requests") == VERDICT_429_RATE);
	CHECK(classify("429", "Requests to the ChatCompletions_Create "
	    "Operation have exceeded token rate limit") == VERDICT_429_RATE);
	CHECK(classify("", "") == VERDICT_429_RATE);
	test_decisions();
	test_429_tokens();
	test_max_429();
	return check_done("test_verdict");
}
