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
	return check_done("test_verdict");
}
