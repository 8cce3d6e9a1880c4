#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "endpoints.h"
#include "text.h"
#include "verdict.h"

#define HOLD_BASE_MS	500	/* a 429 that names no wait */
#define EWMA		0.2	/* weight of the newest latency */

struct endpoint {
	char		*name;
	int		 inflight;
	int		 fails;		/* DOWN in a row */
	int		 refusals;	/* 429s in a row */
	int		 aside;		/* set aside (a probe may be due) */
	int		 denied;	/* its key refused: aside for good */
	int		 probing;	/* its probe is in flight */
	long long	 until;		/* aside until then */
	long long	 backoff;	/* the last time aside, ms */
	long long	 hold;		/* 429: nothing before then */
	double		 latency;	/* ms, smoothed; 0: not measured */
};

struct endpoints {
	struct endpoints_config	 cfg;
	struct endpoint		*v;
	struct stats_endpoint	*st;
	size_t			 n;
	int			 answered;	/* any, ever */
};

struct endpoints *
endpoints_new(const struct endpoints_config *cfg)
{
	struct endpoints	*e;

	if ((e = calloc(1, sizeof(*e))) == NULL)
		return NULL;
	e->cfg = *cfg;
	if (e->cfg.fail_limit < 1)
		e->cfg.fail_limit = 1;
	if (e->cfg.base_ms < 1)
		e->cfg.base_ms = 1;
	if (e->cfg.cap_ms < e->cfg.base_ms)
		e->cfg.cap_ms = e->cfg.base_ms;
	return e;
}

void
endpoints_free(struct endpoints *e)
{
	size_t	 k;

	if (e == NULL)
		return;
	for (k = 0; k < e->n; k++)
		free(e->v[k].name);
	free(e->v);
	free(e->st);
	free(e);
}

int
endpoints_add(struct endpoints *e, const char *name)
{
	struct endpoint		*v;
	struct stats_endpoint	*st;
	char			*s;

	if (e->n == ENDPOINTS_MAX)
		return -1;
	if ((v = reallocarray(e->v, e->n + 1, sizeof(*v))) == NULL)
		return -1;
	e->v = v;
	if ((st = reallocarray(e->st, e->n + 1, sizeof(*st))) == NULL)
		return -1;
	e->st = st;
	if ((s = strdup(name)) == NULL)
		return -1;
	memset(&e->v[e->n], 0, sizeof(e->v[e->n]));
	memset(&e->st[e->n], 0, sizeof(e->st[e->n]));
	e->v[e->n].name = s;
	return (int)e->n++;
}

size_t
endpoints_count(const struct endpoints *e)
{
	return e->n;
}

const char *
endpoints_name(const struct endpoints *e, int k)
{
	return e->v[k].name;
}

uint64_t
endpoints_all(const struct endpoints *e)
{
	return e->n == 64 ? UINT64_MAX : ((uint64_t)1 << e->n) - 1;
}

uint64_t
endpoints_live(const struct endpoints *e)
{
	uint64_t	 live = 0;
	size_t		 k;

	for (k = 0; k < e->n; k++)
		if (!e->v[k].denied)
			live |= (uint64_t)1 << k;
	return live;
}

/* Ready for a probe: aside, its time out, none in flight yet; never
 * one whose key was refused. */
static int
probe_due(const struct endpoint *p, long long now)
{
	return p->aside && !p->denied && !p->probing && now >= p->until;
}

/* May take rows by headroom: not aside and not held by a 429. */
static int
usable(const struct endpoint *p, long long now)
{
	return !p->aside && now >= p->hold;
}

/*
 * The share of the window goes by speed: twice as fast, twice the share.
 * An endpoint not yet measured counts as the mean of those that are.
 */
static double
speed(const struct endpoints *e, const struct endpoint *p, double mean)
{
	(void)e;
	return p->latency > 0 ? 1 / p->latency : mean;
}

int
endpoints_pick(struct endpoints *e, long long now, uint64_t tried, int window)
{
	const struct endpoint	*p;
	double			 mean = 0, sum = 0, share, score, best = 0;
	size_t			 k, measured = 0;
	int			 pick = -1;

	for (k = 0; k < e->n; k++) {
		p = &e->v[k];
		if (tried & ((uint64_t)1 << k))
			continue;
		/* A probe first: it is how an endpoint comes back. */
		if (probe_due(p, now)) {
			e->v[k].probing = 1;
			return (int)k;
		}
		if (usable(p, now) && p->latency > 0) {
			mean += 1 / p->latency;
			measured++;
		}
	}
	mean = measured > 0 ? mean / measured : 1;
	for (k = 0; k < e->n; k++)
		if (usable(&e->v[k], now))
			sum += speed(e, &e->v[k], mean);
	for (k = 0; k < e->n; k++) {
		p = &e->v[k];
		if ((tried & ((uint64_t)1 << k)) || !usable(p, now))
			continue;
		share = window * speed(e, p, mean) / sum;
		if (share < 1)
			share = 1;
		score = (share - p->inflight) / share;
		if (pick == -1 || score > best) {
			pick = (int)k;
			best = score;
		}
	}
	return pick;
}

long long
endpoints_next_ready(const struct endpoints *e, long long now, uint64_t tried)
{
	const struct endpoint	*p;
	long long		 t = -1, at;
	size_t			 k;

	for (k = 0; k < e->n; k++) {
		p = &e->v[k];
		if ((tried & ((uint64_t)1 << k)) || p->probing || p->denied)
			continue;
		at = p->aside ? p->until : p->hold;
		if (at < now)
			at = now;
		if (t == -1 || at < t)
			t = at;
	}
	return t;
}

void
endpoints_start(struct endpoints *e, int k)
{
	e->v[k].inflight++;
}

enum endpoints_outcome
endpoints_classify(const struct xfer *x)
{
	switch (x->result) {
	case XFER_NETWORK:
	case XFER_TIMEOUT:
		return ENDPOINTS_DOWN;
	case XFER_TOOBIG:
		return ENDPOINTS_OTHER;
	case XFER_RESPONSE:
		break;
	}
	if (x->status >= 200 && x->status <= 299)
		return ENDPOINTS_ANSWERED;
	if (x->status == 429)
		return ENDPOINTS_REFUSED;
	if (x->status == 401)
		return ENDPOINTS_DENIED;
	if (x->status >= 500 && verdict_retryable(x->status))
		return ENDPOINTS_DOWN;
	return ENDPOINTS_OTHER;
}

static long long
cap(const struct endpoints *e, long long ms)
{
	return ms > e->cfg.cap_ms ? e->cfg.cap_ms : ms;
}

/* x-ratelimit-remaining-requests: 0 with a reset: hold until then. */
static long long
announced(const struct xfer *x)
{
	const char	*left = x->header[XH_RL_REMAINING_REQUESTS];
	const char	*reset = x->header[XH_RL_RESET_REQUESTS];
	size_t		 n = strlen(reset), used;
	long long	 ms;

	if (strcmp(left, "0") != 0 || n == 0)
		return -1;
	ms = text_duration(reset, n, &used);
	return used == n ? ms : -1;
}

enum endpoints_event
endpoints_done(struct endpoints *e, int k, long long now,
    const struct xfer *x)
{
	struct endpoint		*p = &e->v[k];
	struct stats_endpoint	*st = &e->st[k];
	enum endpoints_outcome	 o = endpoints_classify(x);
	long long		 wait;
	int			 i, probe = p->probing, was_aside = p->aside;

	if (p->inflight > 0)
		p->inflight--;
	p->probing = 0;
	if (o == ENDPOINTS_ANSWERED) {
		st->rows++;
		stats_add(&st->latency_ms, x->elapsed_ms);
		p->latency = p->latency > 0 ? (1 - EWMA) * p->latency +
		    EWMA * x->elapsed_ms : x->elapsed_ms;
		if (p->latency < 1)
			p->latency = 1;
		e->answered = 1;
		p->refusals = 0;
	} else
		st->errors++;
	/*
	 * A key refused does not come right by waiting: aside for good,
	 * said once.  The requests it had in flight come back refused too,
	 * and anything it answers after that changes nothing.
	 */
	if (p->denied)
		return ENDPOINTS_SAME;
	if (o == ENDPOINTS_DENIED) {
		p->denied = p->aside = 1;
		st->set_aside++;
		return ENDPOINTS_GONE;
	}
	if ((wait = announced(x)) > 0)
		p->hold = now + cap(e, wait);
	if (o == ENDPOINTS_REFUSED) {
		wait = verdict_retry_after(x->header[XH_RETRY_AFTER_MS],
		    x->header[XH_RETRY_AFTER], time(NULL));
		if (wait < 0) {
			wait = HOLD_BASE_MS;
			for (i = 0; i < p->refusals && wait < e->cfg.cap_ms;
			    i++)
				wait *= 2;
		}
		p->refusals++;
		if (now + cap(e, wait) > p->hold)
			p->hold = now + cap(e, wait);
	}
	if (o != ENDPOINTS_DOWN) {
		/* Any answer says it is up. */
		p->fails = 0;
		if (!was_aside)
			return ENDPOINTS_SAME;
		p->aside = 0;
		p->backoff = 0;
		return ENDPOINTS_BACK;
	}
	p->fails++;
	/* Requests sent before it was set aside come back failed: only its
	 * probe sets it aside again, for longer. */
	if (was_aside && !probe)
		return ENDPOINTS_SAME;
	if (!was_aside && p->fails < e->cfg.fail_limit)
		return ENDPOINTS_SAME;
	p->backoff = p->backoff > 0 ? cap(e, 2 * p->backoff) : e->cfg.base_ms;
	p->until = now + p->backoff;
	p->aside = 1;
	st->set_aside++;
	return ENDPOINTS_ASIDE;
}

long long
endpoints_aside_ms(const struct endpoints *e, int k)
{
	return e->v[k].backoff;
}

int
endpoints_hopeless(const struct endpoints *e)
{
	size_t	 k;

	if (e->answered)
		return 0;
	for (k = 0; k < e->n; k++)
		if (!e->v[k].aside)
			return 0;
	return 1;
}

const struct stats_endpoint *
endpoints_stats(const struct endpoints *e, size_t *n)
{
	size_t	 k;

	for (k = 0; k < e->n; k++)
		e->st[k].name = e->v[k].name;
	*n = e->n;
	return e->st;
}
