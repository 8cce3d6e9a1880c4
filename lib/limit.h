/*
 * Rate limits: requests and tokens per minute, as token buckets.  Used
 * by pace.c alone, which decides what to feed them.
 *
 * Each bucket refills continuously and holds about one second of budget:
 * providers enforce their per-minute limits over 1 s or 10 s windows, so
 * a bucket holding a minute's worth would burst into 429s at start-up.  A
 * request larger than the bucket may still start once the bucket is full,
 * leaving it in debt, so nothing waits forever.  Token costs are estimates
 * charged up front and corrected with limit_adjust when usage is known.
 *
 * limit_hold makes everything wait until a time a server named in a 429:
 * with 100 requests in flight, the first 429 must stop the other 99 from
 * being replaced at once.
 *
 * limit_server takes what a server announces on every response
 * (x-ratelimit-remaining-requests and the like): when its budget runs low,
 * new requests are paced at the rate the budget refills until its reset,
 * instead of collecting 429s.  Tokens are paced so whenever announced,
 * low or not: one long row can take what is left.  Their bucket is the
 * server's, kept from one announcement to the next (its size the limit,
 * its rate the announced refill): what starts never exceeds the last word
 * from the server, less what was started since, refilled at the announced
 * rate, and a request starts only when all of its cost can be paid.
 */
#ifndef ENRICH_LIMIT_H
#define ENRICH_LIMIT_H

struct limit;

/* Per minute; 0 leaves that bucket out. */
struct limit	*limit_new(long long, long long);
void		 limit_free(struct limit *);
/* Milliseconds until a request of this token cost may start; 0: now. */
long long	 limit_wait(struct limit *, long long, long long);
/* Charge one request and its tokens. */
void		 limit_take(struct limit *, long long, long long);
/* Charge (or refund, if negative) tokens once they are known. */
void		 limit_adjust(struct limit *, long long, long long);
/* Start nothing before this time. */
void		 limit_hold(struct limit *, long long);
/* Change the requests, or tokens, per minute (for -j auto). */
void		 limit_set_rpm(struct limit *, long long, double);
void		 limit_set_tpm(struct limit *, long long, double);

enum limit_kind {
	LIMIT_REQUESTS,
	LIMIT_TOKENS
};

/*
 * A server's announcement for one kind: its limit (-1 if not said), what
 * remains, the ms until it is whole again, and how much of it the requests
 * still in flight will take.  Returns the rate, per second, it is paced at
 * now, or 0 when it is not low.
 */
double		 limit_server(struct limit *, long long, enum limit_kind,
		    long long, long long, long long, long long);

#endif
