/*
 * Retry policy: which failures deserve another attempt, and how long to
 * wait before it.  Pure functions of what a response said; the caller
 * keeps the counts and the clock.
 *
 * The waits follow the servers' own words first (retry-after-ms, then
 * Retry-After as seconds or an HTTP date, then "try again in 644ms" in an
 * OpenAI or Azure error message), and otherwise exponential backoff with
 * full jitter: a uniform wait up to 0.5 s doubling per attempt, capped at
 * 30 s, so that many rows failing together do not come back together.
 */
#ifndef ENRICH_RETRY_H
#define ENRICH_RETRY_H

#include <stddef.h>
#include <time.h>

#define RETRY_BASE_MS	500
#define RETRY_CAP_MS	30000

/* What a 429 means. */
enum retry_429 {
	RETRY_429_RATE,		/* slow down: backpressure, try again */
	RETRY_429_QUOTA,	/* no credit left: nothing can succeed */
	RETRY_429_TOO_LARGE	/* this request can never fit: fail it */
};

/* Is an HTTP status worth retrying (408, 409, 429, 5xx of a gateway)? */
int		 retry_status(long);
/* The wait a response asks for, in ms, from its headers (NULL if absent)
 * or its error message; -1 if it asks for none. */
long long	 retry_after(const char *, const char *, time_t);
long long	 retry_message_wait(const char *, size_t);
/* The wait before retry number n (1 for the first retry), in ms. */
long long	 retry_backoff(int);
/* Classify a 429 by its error code and message. */
enum retry_429	 retry_classify_429(const char *, size_t, const char *,
		    size_t);

#endif
