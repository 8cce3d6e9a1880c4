#include <limits.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "anthropic.h"
#include "limit.h"
#include "pace.h"
#include "text.h"
#include "tune.h"

struct pace {
	struct pace_config	 cfg;
	struct limit		*limit;
	struct tune		*tune;
	int			 paced;		/* by tune: -j auto, or a 429 */
	int			 window;	/* a fixed one, as scaled */
	long long		 inflight_cost;	/* tokens of requests in flight */
};

struct pace *
pace_new(const struct pace_config *cfg, long long now)
{
	struct pace	*p;

	if ((p = calloc(1, sizeof(*p))) == NULL)
		return NULL;
	p->cfg = *cfg;
	p->paced = cfg->autotune;
	p->window = cfg->window;
	if ((p->limit = limit_new(cfg->rpm, cfg->tpm)) == NULL ||
	    (p->tune = tune_new(cfg->max_window, now)) == NULL) {
		pace_free(p);
		return NULL;
	}
	return p;
}

void
pace_free(struct pace *p)
{
	if (p == NULL)
		return;
	limit_free(p->limit);
	tune_free(p->tune);
	free(p);
}

/* --rpm is a ceiling that nothing learned may pass. */
static double
ceiling(const struct pace *p, double rpm)
{
	return p->cfg.rpm > 0 && p->cfg.rpm < rpm ? p->cfg.rpm : rpm;
}

long long
pace_wait(struct pace *p, long long now, long long cost)
{
	return limit_wait(p->limit, now, cost);
}

unsigned long
pace_start(struct pace *p, long long now, long long cost)
{
	limit_take(p->limit, now, cost);
	p->inflight_cost += cost;
	return tune_started(p->tune, now);
}

void
pace_end(struct pace *p, long long cost)
{
	p->inflight_cost -= cost;
}

/* A header's value as a count, or -1. */
static long long
count(const char *s)
{
	const char	*errstr;
	long long	 v;

	if (*s == '\0')
		return -1;
	v = strtonum(s, 0, LLONG_MAX, &errstr);
	return errstr == NULL ? v : -1;
}

/* A header's value as a duration, the whole of it, or the time until
 * an RFC 3339 time (Anthropic's resets); or -1. */
static long long
duration(const char *s)
{
	struct timespec	 ts;
	size_t		 n = strlen(s), used;
	long long	 ms;

	while (n > 0 && s[n - 1] == ' ')
		n--;
	ms = text_duration(s, n, &used);
	if (used == n)
		return ms;
	/* A wall-clock time: the one place pacing needs the wall clock. */
	clock_gettime(CLOCK_REALTIME, &ts);
	return anthropic_reset_ms(s, (long long)ts.tv_sec * 1000 +
	    ts.tv_nsec / 1000000);
}

long long
pace_response(struct pace *p, long long now, const struct xfer *x,
    int inflight)
{
	long long	 limit, left, reset, tleft, treset;

	limit = count(x->header[XH_RL_LIMIT_REQUESTS]);
	left = count(x->header[XH_RL_REMAINING_REQUESTS]);
	reset = duration(x->header[XH_RL_RESET_REQUESTS]);
	tleft = count(x->header[XH_RL_REMAINING_TOKENS]);
	treset = duration(x->header[XH_RL_RESET_TOKENS]);
	limit_server(p->limit, now, LIMIT_REQUESTS, limit, left, reset,
	    inflight);
	limit_server(p->limit, now, LIMIT_TOKENS,
	    count(x->header[XH_RL_LIMIT_TOKENS]), tleft, treset,
	    p->inflight_cost);
	/* What is spent comes back in the time to reset: that is the rate
	 * -j auto would otherwise have to find. */
	if (limit > left && left >= 0 && reset > 0)
		tune_announced(p->tune, (limit - left) * 1000.0 / reset);
	/* Nothing left and nothing back for longer than --max-wait: a
	 * server's word that waiting is not worth it (or a hostile one). */
	if (left >= 0 && left <= inflight && reset > p->cfg.max_wait_ms)
		return reset;
	if (tleft >= 0 && tleft <= p->inflight_cost &&
	    treset > p->cfg.max_wait_ms)
		return treset;
	return 0;
}

void
pace_success(struct pace *p, long long now, long long cost, long long tokens,
    long long latency)
{
	if (tokens >= 0)
		limit_adjust(p->limit, now, tokens - cost);
	tune_success(p->tune, latency);
}

int
pace_refused(struct pace *p, long long now, unsigned long epoch,
    long long hold)
{
	int	 first = !p->paced;

	tune_ratelimited(p->tune, now, epoch);
	p->paced = 1;
	/* The rate before the hold: a first rate starts with a full bucket,
	 * which the hold must spend, or its end is a burst. */
	limit_set_rpm(p->limit, now, ceiling(p, tune_rpm(p->tune)));
	if (hold > 0)
		limit_hold(p->limit, hold);
	return first;
}

void
pace_tick(struct pace *p, long long now)
{
	tune_tick(p->tune, now);
	if (p->paced)
		limit_set_rpm(p->limit, now, ceiling(p, tune_rpm(p->tune)));
}

int
pace_window(const struct pace *p)
{
	return p->cfg.autotune ? tune_window(p->tune) : p->window;
}

int
pace_scale(struct pace *p, double f)
{
	int	 w = p->window, n;

	if (p->cfg.autotune) {
		tune_scale(p->tune, f);
		return tune_window(p->tune);
	}
	/* As xargs -P: at least one more or one fewer.  Less a hair: 100 *
	 * 1.1 is 110.00000000000001 in floating point. */
	n = f > 1 ? (int)ceil(w * f - 1e-9) : (int)floor(w * f + 1e-9);
	if (n == w)
		n += f > 1 ? 1 : -1;
	p->window = n < 1 ? 1 : n > p->cfg.max_window ? p->cfg.max_window : n;
	return p->window;
}

double
pace_rate(const struct pace *p)
{
	double	 r;

	if (!p->paced)
		return 0;
	r = tune_measured(p->tune) > 0 ? tune_measured(p->tune) :
	    tune_rpm(p->tune) / 60;
	return ceiling(p, r * 60) / 60;
}
