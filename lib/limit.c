#include <limits.h>
#include <math.h>
#include <stdlib.h>

#include "limit.h"

/*
 * The budget a bucket holds: a little under the one second a provider's
 * own bucket holds, so that after a burst the server keeps a cushion of a
 * tenth of a second's requests.  With equal buckets, the request after a
 * burst races the server's refill and arrival jitter decides: measured
 * against the mock, one 429 per burst, 2% of all requests.
 */
#define BURST_MS	900.0

struct bucket {
	double		 rate;		/* per ms; 0: no limit */
	double		 cap;
	double		 level;		/* may go below 0: debt */
};

struct limit {
	struct bucket	 req;
	struct bucket	 tok;
	/* The servers' own, while their budget is low: until then. */
	struct bucket	 srv[2];
	long long	 srv_until[2];
	long long	 last;		/* when the buckets were refilled */
	long long	 hold;
};

static void
bucket_init(struct bucket *b, long long per_minute)
{
	b->rate = per_minute / 60000.0;
	b->cap = b->rate * BURST_MS;
	if (per_minute > 0 && b->cap < 1)
		b->cap = 1;
	b->level = b->cap;
}

struct limit *
limit_new(long long rpm, long long tpm)
{
	struct limit	*l;

	if ((l = calloc(1, sizeof(*l))) == NULL)
		return NULL;
	bucket_init(&l->req, rpm);
	bucket_init(&l->tok, tpm);
	l->last = -1;
	return l;
}

void
limit_free(struct limit *l)
{
	free(l);
}

static void
bucket_fill(struct bucket *b, double dt)
{
	b->level += b->rate * dt;
	if (b->level > b->cap)
		b->level = b->cap;
}

static void
refill(struct limit *l, long long now)
{
	double	 dt;
	int	 k;

	if (l->last < 0)
		l->last = now;
	/* Nothing accrues while everyone holds: after a 429's wait the run
	 * resumes at its rate, not with a burst the server would refuse. */
	if (l->hold > l->last)
		l->last = l->hold < now ? l->hold : now;
	if (now <= l->last)
		return;
	dt = now - l->last;
	l->last = now;
	bucket_fill(&l->req, dt);
	bucket_fill(&l->tok, dt);
	for (k = 0; k < 2; k++)
		if (l->srv_until[k] > now)
			bucket_fill(&l->srv[k], dt);
}

/* How long until the bucket holds cost, or is full if cost is more. */
static long long
bucket_wait(const struct bucket *b, double cost)
{
	double	 need;

	if (b->rate == 0)
		return 0;
	need = cost < b->cap ? cost : b->cap;
	if (b->level >= need)
		return 0;
	/* Less a hair, so float error does not add a millisecond. */
	return (long long)ceil((need - b->level) / b->rate - 1e-6);
}

long long
limit_wait(struct limit *l, long long now, long long tokens)
{
	long long	 w, t;

	refill(l, now);
	w = l->hold > now ? l->hold - now : 0;
	if ((t = bucket_wait(&l->req, 1)) > w)
		w = t;
	if ((t = bucket_wait(&l->tok, tokens)) > w)
		w = t;
	if (l->srv_until[LIMIT_REQUESTS] > now &&
	    (t = bucket_wait(&l->srv[LIMIT_REQUESTS], 1)) > w)
		w = t;
	if (l->srv_until[LIMIT_TOKENS] > now &&
	    (t = bucket_wait(&l->srv[LIMIT_TOKENS], tokens)) > w)
		w = t;
	return w;
}

void
limit_take(struct limit *l, long long now, long long tokens)
{
	refill(l, now);
	if (l->req.rate > 0)
		l->req.level -= 1;
	if (l->tok.rate > 0)
		l->tok.level -= tokens;
	l->srv[LIMIT_REQUESTS].level -= 1;
	l->srv[LIMIT_TOKENS].level -= tokens;
}

void
limit_adjust(struct limit *l, long long now, long long tokens)
{
	refill(l, now);
	if (l->tok.rate > 0) {
		l->tok.level -= tokens;
		if (l->tok.level > l->tok.cap)
			l->tok.level = l->tok.cap;
	}
}

void
limit_hold(struct limit *l, long long until)
{
	if (until <= l->hold)
		return;
	l->hold = until;
	/* And what had accrued before it is spent too. */
	if (l->req.rate > 0 && l->req.level > 1)
		l->req.level = 1;
	if (l->tok.rate > 0 && l->tok.level > 0)
		l->tok.level = 0;
}

/* A bucket's rate a ms from now on, what it holds kept within its new
 * cap; a first rate starts full. */
static void
bucket_set_rate(struct bucket *b, double rate)
{
	if (b->rate == 0)
		b->level = INFINITY;
	b->rate = rate;
	b->cap = b->rate * BURST_MS;
	if (b->cap < 1)
		b->cap = 1;
	if (b->level > b->cap)
		b->level = b->cap;
}

void
limit_set_rpm(struct limit *l, long long now, double rpm)
{
	refill(l, now);
	bucket_set_rate(&l->req, rpm / 60000.0);
}

void
limit_set_tpm(struct limit *l, long long now, double tpm)
{
	refill(l, now);
	bucket_set_rate(&l->tok, tpm / 60000.0);
}

double
limit_server(struct limit *l, long long now, enum limit_kind k,
    long long limit, long long remaining, long long reset_ms,
    long long inflight)
{
	struct bucket	*b = &l->srv[k];
	double		 avail;

	/* Full, as of now: no reset to wait for, but a remainder to keep
	 * to all the same. */
	if (remaining < 0 || (reset_ms <= 0 && (k == LIMIT_REQUESTS ||
	    l->srv_until[k] == 0)))
		return 0;
	refill(l, now);
	avail = (double)remaining - inflight;
	/* Plenty left: a tenth of the limit, or more than is in flight.
	 * Tokens come hundreds at a time, a request's worth of them may be
	 * all there is: never plenty. */
	if (k == LIMIT_REQUESTS && (limit > 0 ? avail > limit / 10.0 :
	    avail > inflight + 1)) {
		l->srv_until[k] = 0;
		return 0;
	}
	/* The budget comes back at (limit - remaining) / reset; not knowing
	 * the limit, assume what remains is all that comes back.  Full, it
	 * comes back at the rate last announced. */
	if (reset_ms > 0)
		b->rate = (limit > remaining ? (double)(limit - remaining) :
		    (double)(remaining > 0 ? remaining : 1)) / reset_ms;
	if (k == LIMIT_TOKENS) {
		/*
		 * The server's own bucket, kept from one word to the next:
		 * what it last said remained, less what was started since,
		 * refilled at its rate up to its size, and never more.  (Let
		 * go at the reset, as requests are, the budget would be ours
		 * alone until the next answer: a burst the server had not
		 * said it could pay for.)  Its size is the limit; a request
		 * is started only when all of it can be paid.
		 */
		b->cap = limit > 0 ? (double)limit : fmax(b->cap,
		    (double)remaining);
		b->level = avail < b->cap ? avail : b->cap;
		l->srv_until[k] = LLONG_MAX;
		return b->rate * 1000;
	}
	b->cap = b->rate * BURST_MS;
	if (b->cap < 1)
		b->cap = 1;
	b->level = avail < b->cap ? avail : b->cap;
	l->srv_until[k] = now + reset_ms;
	return b->rate * 1000;
}
