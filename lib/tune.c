#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "tune.h"

#define START_RATE	10.0	/* requests a second at first */
#define SLOW_START	2.0	/* growth every quarter second before a 429 */
#define PROBE		0.01	/* growth a second once the rate is known */
#define QUIET_MS	2000	/* and it doubles every this long without a
				 * 429 acted on, */
#define QUIET_MAX	50.0	/* up to this many times */
#define RECOVER		0.05	/* growth a second after a first 429 */
#define BACKOFF		0.85	/* at least this cut at a 429 */
#define MIN_RATE	0.5
#define MAX_RATE	100000.0
#define CUT_GAP_MS	100	/* 429s closer than this are one event */
#define SLOTS		10	/* the last second, in tenths */
#define RESUME_MS	2000	/* a state untouched this long is resumed */

struct tune {
	double		 rate;		/* requests a second */
	int		 slow;		/* slow start: no 429 yet */
	int		 known;		/* two 429s have measured the rate */
	int		 strict;	/* every 429 is the rate's doing */
	int		 max;
	double		 latency;	/* ms, smoothed */
	long long	 born;
	long long	 last;		/* last tick */
	long long	 last_cut;	/* the last 429 acted on, or -1 */
	unsigned long	 epoch;		/* how many were */
	/* Since then: requests started, and refused, and their weights. */
	unsigned long	 starts_since;
	unsigned long	 refused_since;
	double		 wstarts_since;
	double		 wrefused_since;
	double		 share_last;	/* refused before the last cut */
	double		 rate_before;	/* and the rate it cut */
	double		 first;		/* the rate sent before the first 429 */
	unsigned long	 clean;		/* starts since the last refused */
	double		 sent_last;	/* and the rate sent before it, a
					 * second */
	double		 noise;		/* refusals that no cut lowers */
	double		 thresh;	/* the rate last measured, less 3% */
	double		 measured;	/* or announced, whole; 0: none yet */
	double		 quiet;		/* ms it has bound since the last 429
					 * acted on */
	int		 verdict;	/* what the last 429 acted on was */
	/* Starts and refusals over the last second, in 100 ms slots, by
	 * weight: 1 a request, or its tokens (tune_started_w). */
	long long	 slot_at;
	int		 slot;
	double		 starts[SLOTS];
	double		 refused[SLOTS];
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
	t->born = t->last = t->slot_at = now;
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
		t->starts[t->slot] = t->refused[t->slot] = 0;
		t->slot_at += 100;
	}
	if (now - t->slot_at >= 100)
		t->slot_at = now;
}

static double
sum(const double *v)
{
	double		 n = 0;
	int		 k;

	for (k = 0; k < SLOTS; k++)
		n += v[k];
	return n;
}

unsigned long
tune_started(struct tune *t, long long now)
{
	return tune_started_w(t, now, 1);
}

unsigned long
tune_started_w(struct tune *t, long long now, double w)
{
	advance(t, now);
	t->starts[t->slot] += w;
	t->starts_since++;
	/* Noise refuses its share at any rate: a long run of starts that
	 * none refused is less likely from it than from a wall the rate
	 * is now below (the others of a fleet, yielding). */
	if (t->noise > 0 && ++t->clean > fmax(60, 5 / t->noise))
		t->noise = 0;
	t->wstarts_since += w;
	return t->epoch;
}

void
tune_strict(struct tune *t)
{
	t->strict = 1;
}

void
tune_success(struct tune *t, long long ms)
{
	t->latency = 0.9 * t->latency + 0.1 * ms;
}

static int	 ratelimited(struct tune *, long long, unsigned long, double,
		    int);

/* Count from now: what was started and refused, and the quiet. */
static void
afresh(struct tune *t)
{
	t->starts_since = t->refused_since = 0;
	t->wstarts_since = t->wrefused_since = 0;
	t->quiet = 0;
}

/* Start counting afresh from a 429 acted on. */
static void
mark(struct tune *t, long long now)
{
	afresh(t);
	t->last_cut = now;
	t->epoch++;
}

/*
 * The server's rate is read from what it accepted, counted when requests
 * start less the ones it refused: a gateway refuses at once, long before
 * the accepted ones come back from a model that takes seconds.
 */
int
tune_ratelimited(struct tune *t, long long now, unsigned long epoch,
    int spent)
{
	return ratelimited(t, now, epoch, 1, spent);
}

int
tune_ratelimited_w(struct tune *t, long long now, unsigned long epoch,
    double w)
{
	return ratelimited(t, now, epoch, w, 0);
}

static int
ratelimited(struct tune *t, long long now, unsigned long epoch, double w,
    int spent)
{
	double	 accepted, share, span, sent, q;

	advance(t, now);
	t->refused[t->slot] += w;
	t->clean = 0;
	/* Counted against the starts it belongs to. */
	if (epoch == t->epoch) {
		t->refused_since++;
		t->wrefused_since += w;
	}
	/* The 429s of one overshoot arrive together: act on the first. */
	if (t->last_cut >= 0 && now - t->last_cut < CUT_GAP_MS)
		return t->verdict;
	if (t->last_cut < 0) {
		/*
		 * The first: what was accepted over the last second is a guess
		 * that runs high (the server's burst passed too), so come down
		 * well below it; the next 429 measures the rate.
		 */
		span = now - t->born < 1000 ? fmax(now - t->born, 100) : 1000;
		accepted = (sum(t->starts) - sum(t->refused)) * 1000 / span;
		/* The rate was at least what was sent, when the caller did not
		 * pace by it before. */
		t->rate = fmax(t->rate, sum(t->starts) * 1000 / span) * BACKOFF;
		if (accepted > 0 && accepted * 0.7 < t->rate)
			t->rate = accepted * 0.7;
		/* What the next 429 judges noise by: the share refused at
		 * the rate sent. */
		t->share_last = sum(t->starts) >= 20 ? sum(t->refused) /
		    sum(t->starts) : 1;
		t->sent_last = sum(t->starts) * 1000 / span;
		t->rate_before = t->first = t->sent_last;
		goto cut;
	}
	share = t->starts_since > 0 ? fmin(1, (double)t->refused_since /
	    t->starts_since) : 1;
	sent = t->starts_since * 1000.0 / fmax(now - t->last_cut, 1);
	/*
	 * A 429 that names a wait says the budget is spent until then: the
	 * wall's, never noise.  Without that, noise looks the same as other
	 * processes at the same wall, whose refusals one process's cut
	 * hardly lowers: four processes whose 429s named waits of a few ms
	 * took each other for noise, and refused 20% of their requests.
	 */
	if (t->known && !t->strict && !spent) {
		/* Too little seen since the last cut to judge it by. */
		if (t->starts_since < 20 && now - t->last_cut < 2000)
			return t->noise > 0 ? TUNE_NOISE : TUNE_UNSURE;
		/* As many refused as at any rate: not the rate's doing. */
		if (share <= t->noise * 1.5 + 2 * sqrt(t->noise * (1 -
		    t->noise) / t->starts_since)) {
			q = t->quiet;
			mark(t, now);
			t->quiet = q;	/* nor does it stop the probe quickening */
			return t->verdict = TUNE_NOISE;
		}
		/* The last cut did not lower the share refused: it was not
		 * the rate, so take it back, learn the noise, and look for
		 * the wall again.  Not when most are refused: that is a wall
		 * far off, or an outage, and no noise. */
		if (share > 0.02 && share < 0.5 && t->share_last > 0 &&
		    share >= 0.6 * t->share_last &&
		    t->rate < 0.9 * t->rate_before) {
			t->noise = share;
			t->rate = fmax(t->rate, fmax(t->rate_before, t->first));
			t->slow = 1;
			t->share_last = 0;	/* no cut to judge */
			mark(t, now);
			return t->verdict = TUNE_NOISE;
		}
	}
	/*
	 * A 429 says the server's budget is spent.  Between two such moments
	 * it accepted just what it refilled, whatever was asked of it: that
	 * is its rate.
	 */
	t->rate_before = t->rate;
	t->share_last = share;
	t->sent_last = sent;
	accepted = (t->wstarts_since - t->wrefused_since) * 1000 /
	    (now - t->last_cut);
	/* Too few to measure by, or all refused (an outage says nothing of
	 * the rate): only back off. */
	if (t->starts_since < 5 || accepted <= 0) {
		t->rate *= BACKOFF;
		goto cut;
	}
	t->measured = accepted;
	/* Strict (tokens): each request is hundreds of them, so a wall
	 * crossed costs a refusal at once; more room below it makes the
	 * probe take longer to reach it again. */
	t->rate = t->thresh = fmin(t->rate, accepted) * (t->strict ? 0.92 :
	    0.97);
	t->known = 1;
cut:
	if (t->rate < MIN_RATE)
		t->rate = MIN_RATE;
	mark(t, now);
	t->slow = 0;
	return t->verdict = TUNE_WALL;
}

void
tune_announced(struct tune *t, double rate)
{
	/* The server knows its rate better than any probe. */
	t->slow = 0;
	t->known = 1;
	t->rate = rate < MIN_RATE ? MIN_RATE : rate > MAX_RATE ? MAX_RATE :
	    rate;
	t->measured = t->rate;
}

/*
 * How much faster the probe goes for the time the rate has bound since
 * the last 429 acted on.  Alone, a process meets the wall again within
 * seconds and the probe stays slow; in a fleet, a process cut while the
 * others were busy, or left with room when they finish, would otherwise
 * take a minute at 1% a second to fill what they leave.  Time when
 * something else held the run back does not count, nor does a pause in
 * the ticks (a --share file's state nobody used for a while).  (Requests
 * only: each request of a token wall is hundreds of tokens, and crossing
 * it costs at once.)
 */
static double
quiet(const struct tune *t)
{
	if (t->strict || t->last_cut < 0)
		return 1;
	return fmin(QUIET_MAX, pow(2, t->quiet / QUIET_MS));
}

void
tune_tick(struct tune *t, long long now)
{
	double	 dt = (now - t->last) / 1000.0;
	int	 below;

	advance(t, now);
	if (dt <= 0)
		return;
	t->last = now;
	if (dt > 1)
		t->quiet = 0;
	/* Grow only while the rate is what holds the run back: not while
	 * input, output or the window are.  The last second's starts lag a
	 * rate that grows, the more so in slow start. */
	below = t->rate < t->thresh;
	if (sum(t->starts) < (t->slow || below ? 0.25 : 0.7) * t->rate)
		return;
	if (t->slow)
		t->rate *= pow(SLOW_START, dt * 4);
	else if (below)		/* after an outage: back as fast */
		t->rate = fmin(t->thresh, t->rate * pow(SLOW_START, dt * 4));
	else {
		t->quiet += dt * 1000;
		t->rate += fmax(MIN_RATE, t->rate * (t->known ? (t->strict ?
		    PROBE / 2 : PROBE) : RECOVER)) * dt * quiet(t);
	}
	if (t->rate > MAX_RATE)
		t->rate = MAX_RATE;
}

double
tune_rpm(const struct tune *t)
{
	return t->rate * 60;
}

double
tune_measured(const struct tune *t)
{
	return t->measured;
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
	if (t->rate > MAX_RATE)
		t->rate = MAX_RATE;
}

void
tune_resume(struct tune *t, long long now)
{
	if (now - t->last < RESUME_MS)
		return;
	/* What was counted since the last cut spans the pause: measured
	 * over it, the rate would come out near nothing. */
	afresh(t);
	if (t->last_cut >= 0)
		t->last_cut = now;
	t->last = now;
	advance(t, now);
}

size_t
tune_state_size(void)
{
	return sizeof(struct tune);
}

void
tune_save(const struct tune *t, void *buf)
{
	memcpy(buf, t, sizeof(*t));
}

static int
finite_all(const double *v, int n)
{
	int	 k;

	for (k = 0; k < n; k++)
		if (!isfinite(v[k]) || fabs(v[k]) > 1e15)
			return 0;
	return 1;
}

int
tune_load(struct tune *t, const void *buf, size_t len)
{
	struct tune	 n;
	double		 d[10];

	if (len != sizeof(n))
		return -1;
	memcpy(&n, buf, sizeof(n));
	d[0] = n.rate, d[1] = n.latency, d[2] = n.wstarts_since;
	d[3] = n.wrefused_since, d[4] = n.share_last, d[5] = n.rate_before;
	d[6] = n.noise, d[7] = n.thresh, d[8] = n.measured, d[9] = n.quiet;
	/* The slot indexes the arrays: out of range, it would write past
	 * them. */
	if (n.slot < 0 || n.slot >= SLOTS || !finite_all(d, 10) ||
	    !finite_all(n.starts, SLOTS) || !finite_all(n.refused, SLOTS) ||
	    n.rate < MIN_RATE || n.rate > MAX_RATE || n.latency < 0 ||
	    n.quiet < 0)
		return -1;
	n.max = t->max;
	*t = n;
	return 0;
}
