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
refill(struct limit *l, long long now)
{
	double	 dt;

	if (l->last < 0)
		l->last = now;
	if (now <= l->last)
		return;
	dt = now - l->last;
	l->last = now;
	l->req.level += l->req.rate * dt;
	if (l->req.level > l->req.cap)
		l->req.level = l->req.cap;
	l->tok.level += l->tok.rate * dt;
	if (l->tok.level > l->tok.cap)
		l->tok.level = l->tok.cap;
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
	if (until > l->hold)
		l->hold = until;
}
