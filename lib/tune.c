#include <math.h>
#include <stdlib.h>

#include "tune.h"

#define START_RATE	10.0	/* requests a second at first */
#define SLOW_START	2.0	/* growth every half second before a 429 */
#define PROBE		0.01	/* growth a second once the rate is known */
#define RECOVER		0.05	/* growth a second after a first 429 */
#define BACKOFF		0.85	/* at least this cut at a 429 */
#define MIN_RATE	0.5
#define MAX_RATE	100000.0
#define CUT_GAP_MS	100	/* 429s closer than this are one event */
#define SLOTS		10	/* the last second, in tenths */

struct tune {
	double		 rate;		/* requests a second */
	int		 slow;		/* slow start: no 429 yet */
	int		 known;		/* two 429s have measured the rate */
	int		 max;
	double		 latency;	/* ms, smoothed */
	long long	 last;		/* last tick */
	long long	 last_cut;	/* the last 429 acted on, or -1 */
	unsigned long	 oks_since;	/* successes since then */
	/* Starts and successes over the last second, in 100 ms slots. */
	long long	 slot_at;
	int		 slot;
	unsigned int	 starts[SLOTS];
	unsigned int	 oks[SLOTS];
};

struct tune *
tune_new(int max, long long now)
{
	struct tune	*t;

	if ((t = calloc(1, sizeof(*t))) == NULL)
		return NULL;
	t->rate = START_RATE;
	t->slow = 1;
	t->max = max;
	t->latency = 1000;
	t->last = t->slot_at = now;
	t->last_cut = -1;
	return t;
}

void
tune_free(struct tune *t)
{
	free(t);
}

/* Move the slots up to now: each 100 ms that passed empties one. */
static void
advance(struct tune *t, long long now)
{
	int	 k;

	for (k = 0; now - t->slot_at >= 100 && k < SLOTS; k++) {
		t->slot = (t->slot + 1) % SLOTS;
		t->starts[t->slot] = t->oks[t->slot] = 0;
		t->slot_at += 100;
	}
	if (now - t->slot_at >= 100)
		t->slot_at = now;
}

static unsigned int
sum(const unsigned int *v)
{
	unsigned int	 n = 0;
	int		 k;

	for (k = 0; k < SLOTS; k++)
		n += v[k];
	return n;
}

void
tune_started(struct tune *t, long long now)
{
	advance(t, now);
	t->starts[t->slot]++;
}

void
tune_success(struct tune *t, long long now, long long ms)
{
	advance(t, now);
	t->oks[t->slot]++;
	t->oks_since++;
	t->latency = 0.9 * t->latency + 0.1 * ms;
}

void
tune_ratelimited(struct tune *t, long long now)
{
	double	 admitted, est;

	advance(t, now);
	/* The 429s of one overshoot arrive together: act on the first. */
	if (t->last_cut >= 0 && now - t->last_cut < CUT_GAP_MS)
		return;
	if (t->last_cut >= 0 && t->oks_since > 0) {
		/*
		 * A 429 says the server's budget is spent.  Between two such
		 * moments it let through just what it refilled, whatever was
		 * asked of it: that is its rate.
		 */
		est = t->oks_since * 1000.0 / (now - t->last_cut);
		t->rate = fmin(t->rate, est) * 0.97;
		t->known = 1;
	} else {
		t->rate *= BACKOFF;
		/*
		 * The first: what passed over the last second is a guess that
		 * runs high (the server's burst passed too), so come down well
		 * below it; the next 429 measures the rate.
		 */
		admitted = sum(t->oks);
		if (admitted > 0 && admitted * 0.7 < t->rate)
			t->rate = admitted * 0.7;
	}
	if (t->rate < MIN_RATE)
		t->rate = MIN_RATE;
	t->last_cut = now;
	t->oks_since = 0;
	t->slow = 0;
}

void
tune_announced(struct tune *t, double rate)
{
	/* The server knows its rate better than any probe. */
	t->slow = 0;
	t->known = 1;
	t->rate = rate < MIN_RATE ? MIN_RATE : rate > MAX_RATE ? MAX_RATE :
	    rate;
}

void
tune_tick(struct tune *t, long long now)
{
	double	 dt = (now - t->last) / 1000.0;

	advance(t, now);
	if (dt <= 0)
		return;
	t->last = now;
	/* Grow only while the rate is what holds the run back: not while
	 * input, output or the window are.  The last second's starts lag a
	 * rate that grows, the more so in slow start. */
	if (sum(t->starts) < (t->slow ? 0.25 : 0.7) * t->rate)
		return;
	if (t->slow)
		t->rate *= pow(SLOW_START, dt * 2);
	else
		t->rate += fmax(MIN_RATE, t->rate * (t->known ? PROBE :
		    RECOVER)) * dt;
	if (t->rate > MAX_RATE)
		t->rate = MAX_RATE;
}

double
tune_rpm(const struct tune *t)
{
	return t->rate * 60;
}

int
tune_window(const struct tune *t)
{
	double	 w = ceil(t->rate * t->latency / 1000 * 2) + 2;

	if (w < 4)
		w = 4;
	return w > t->max ? t->max : (int)w;
}

void
tune_scale(struct tune *t, double f)
{
	t->rate *= f;
	if (t->rate < MIN_RATE)
		t->rate = MIN_RATE;
}
