#include <limits.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "limit.h"
#include "pace.h"
#include "text.h"
#include "tune.h"

/*
 * pace_start's number carries both tunes' epochs: the requests' in the
 * low half, the tokens' in the high.
 */
#define EPOCH_REQ(e)	((e) & 0xffffffffUL)
#define EPOCH_TOK(e)	((e) >> 32 & 0xffffffffUL)

struct pace {
	struct pace_config	 cfg;
	struct limit		*limit;
	struct tune		*tune;
	struct tune		*ttune;		/* the same, of tokens */
	int			 tpaced;	/* by ttune: a 429 for tokens, or
						 * a rate announced */
	long long		 told_tpm;	/* a 429's "Limit N", or 0 */
	int			 rsrv;		/* requests announced */
	int			 tsrv;		/* tokens announced, and no 429 for
						 * them since: the server's bucket
						 * (limit.h) paces them alone */
	int			 probe;		/* -j auto: the first request goes
						 * alone: 1 until it starts, 2 until
						 * it is over */
	int			 paced;		/* by tune: -j auto, or a 429 */
	int			 window;	/* a fixed one, as scaled */
	long long		 inflight_cost;	/* tokens of requests in flight */
	long long		 synced;	/* --share: when its rates were set,
						 * or -1 */
	int			 fleet;		/* --share under -j auto: the tunes
						 * are the file's */
	struct share_learned	 learned;
	int			 reserved;	/* --share: a start taken from the
						 * file by pace_wait, and its cost */
	long long		 reserved_cost;
	long long		 now;		/* pace_tick's last */
	/* --share's file failed (and these buckets pace alone until it
	 * works again): the first error of each spell, to be said once. */
	int			 share_down;
	int			 share_unsaid;
	char			 share_err[256];
};

#define PROBE_MS	1000	/* a wait until the first answer (any answer
				 * ends it at once) */
#define EXACT_MS	1000	/* a 429's wait shorter than this is exact */

/*
 * What a call on --share's file returned.  A file that fails (another
 * program wrote over it, the disk is full) leaves this process's own
 * buckets to pace: not worth stopping the run, but worth saying, once a
 * spell, since the processes no longer share a budget.
 */
static void
share_result(struct pace *p, long long rv)
{
	if (rv >= 0) {
		p->share_down = 0;
		return;
	}
	if (p->share_down)
		return;
	p->share_down = 1;
	p->share_unsaid = 1;
	strlcpy(p->share_err, share_error(p->cfg.share), sizeof(p->share_err));
}

struct pace *
pace_new(const struct pace_config *cfg, long long now)
{
	struct pace	*p;

	if ((p = calloc(1, sizeof(*p))) == NULL)
		return NULL;
	p->cfg = *cfg;
	p->paced = cfg->autotune;
	p->probe = cfg->autotune;
	p->window = cfg->window;
	p->synced = -1;
	p->now = now;
	if ((p->limit = limit_new(cfg->rpm, cfg->tpm)) == NULL ||
	    (p->tune = tune_new(cfg->max_window, now)) == NULL ||
	    (p->ttune = tune_new(cfg->max_window, now)) == NULL) {
		pace_free(p);
		return NULL;
	}
	tune_strict(p->ttune);
	p->fleet = cfg->share != NULL && cfg->autotune &&
	    tune_state_size() <= SHARE_STATE;
	return p;
}

void
pace_free(struct pace *p)
{
	if (p == NULL)
		return;
	limit_free(p->limit);
	tune_free(p->tune);
	tune_free(p->ttune);
	free(p);
}

/* --rpm is a ceiling that nothing learned may pass. */
static double
ceiling(const struct pace *p, double rpm)
{
	return p->cfg.rpm > 0 && p->cfg.rpm < rpm ? p->cfg.rpm : rpm;
}

/* And --tpm, or the limit a 429 told, for tokens. */
static double
ceiling_tokens(const struct pace *p, double tpm)
{
	if (p->cfg.tpm > 0 && p->cfg.tpm < tpm)
		tpm = p->cfg.tpm;
	if (p->told_tpm > 0 && p->told_tpm < tpm)
		tpm = p->told_tpm;
	return tpm;
}

/*
 * --share under -j auto: the processes learn as one.  A change to either
 * tune is made to the file's copy: read in, changed here, and written
 * back with the buckets' rates, in one hold of the lock, so that no
 * process writes over what another learned.  (A tune each, every one
 * writing its rate to the file, swung: each wrote over the others'
 * within 50 ms.)  fleet_in returns whether it holds the lock.
 */
static int
fleet_in(struct pace *p, long long now)
{
	struct tune	*t[2] = { p->tune, p->ttune };
	int		 k;

	if (!p->fleet)
		return 0;
	if (share_begin(p->cfg.share, now, &p->learned) == -1) {
		share_result(p, -1);
		return 0;
	}
	/* None yet, or not a tune's: this process's own is written. */
	for (k = 0; k < 2; k++)
		if (p->learned.len[k] > 0 && tune_load(t[k],
		    p->learned.state[k], p->learned.len[k]) == 0)
			tune_resume(t[k], now);
	if (p->learned.paced[SHARE_TOKENS])
		p->tpaced = 1;
	return 1;
}

static void
fleet_out(struct pace *p, int in)
{
	struct tune	*t[2] = { p->tune, p->ttune };
	double		 rate[2];
	int		 k;

	if (!in)
		return;
	for (k = 0; k < 2; k++) {
		tune_save(t[k], p->learned.state[k]);
		p->learned.len[k] = tune_state_size();
	}
	p->learned.paced[SHARE_TOKENS] = p->tpaced;
	rate[SHARE_REQUESTS] = ceiling(p, tune_rpm(p->tune));
	rate[SHARE_TOKENS] = p->tpaced ? ceiling_tokens(p,
	    tune_rpm(p->ttune)) : p->cfg.tpm;
	share_result(p, share_end(p->cfg.share, &p->learned, rate));
}

long long
pace_wait(struct pace *p, long long now, long long cost)
{
	long long	 w, sw;

	/* What the first answer says (its headers, its 429) comes before a
	 * first burst: one latency at the start of a run. */
	if (p->probe == 2)
		return PROBE_MS;
	if ((w = limit_wait(p->limit, now, cost)) > 0 ||
	    p->cfg.share == NULL || p->reserved)
		return w;
	/* Checked and taken at once: two processes that both looked first
	 * would both see the room for one.  Kept until pace_start, however
	 * long.  A file that fails now (it was fine at the start) leaves
	 * the process's own buckets to pace. */
	if ((sw = share_try(p->cfg.share, now, cost)) == 0) {
		p->reserved = 1;
		p->reserved_cost = cost;
	}
	share_result(p, sw);
	return sw > 0 ? sw : 0;
}

unsigned long
pace_start(struct pace *p, long long now, long long cost)
{
	unsigned long	 tok, req;
	int		 in;

	limit_take(p->limit, now, cost);
	p->inflight_cost += cost;
	if (p->probe == 1)
		p->probe = 2;
	if (p->cfg.share != NULL && !p->reserved)
		share_result(p, share_take(p->cfg.share, now, cost));
	else if (p->reserved && cost != p->reserved_cost)
		share_result(p, share_adjust(p->cfg.share, now, cost -
		    p->reserved_cost));
	p->reserved = 0;
	in = fleet_in(p, now);
	tok = tune_started_w(p->ttune, now, cost > 0 ? cost : 1);
	req = tune_started(p->tune, now);
	fleet_out(p, in);
	return EPOCH_REQ(req) | EPOCH_REQ(tok) << 16 << 16;
}

void
pace_end(struct pace *p, long long cost)
{
	p->inflight_cost -= cost;
	p->probe = 0;
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
	return text_time_ms(s, (long long)ts.tv_sec * 1000 +
	    ts.tv_nsec / 1000000);
}

long long
pace_response(struct pace *p, long long now, const struct xfer *x,
    int inflight)
{
	long long	 limit, left, reset, tlimit, tleft, treset;
	int		 in, req, tok;

	limit = count(x->header[XH_RL_LIMIT_REQUESTS]);
	left = count(x->header[XH_RL_REMAINING_REQUESTS]);
	reset = duration(x->header[XH_RL_RESET_REQUESTS]);
	tleft = count(x->header[XH_RL_REMAINING_TOKENS]);
	treset = duration(x->header[XH_RL_RESET_TOKENS]);
	limit_server(p->limit, now, LIMIT_REQUESTS, limit, left, reset,
	    inflight);
	tlimit = count(x->header[XH_RL_LIMIT_TOKENS]);
	limit_server(p->limit, now, LIMIT_TOKENS, tlimit, tleft, treset,
	    p->inflight_cost);
	/* What is spent comes back in the time to reset: that is the rate
	 * -j auto would otherwise have to find. */
	req = limit > left && left >= 0 && reset > 0;
	if (left >= 0)
		p->rsrv = 1;
	tok = tlimit > tleft && tleft >= 0 && treset > 0;
	in = req || tok ? fleet_in(p, now) : 0;
	if (req)
		tune_announced(p->tune, (limit - left) * 1000.0 / reset);
	/* The same of tokens: the rate is known, so pace by it. */
	if (tok) {
		tune_announced(p->ttune, (tlimit - tleft) * 1000.0 / treset);
		if (!p->tpaced)
			p->tsrv = 1;
		p->tpaced = 1;
	}
	fleet_out(p, in);
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
	int	 in;

	if (tokens >= 0) {
		limit_adjust(p->limit, now, tokens - cost);
		if (p->cfg.share != NULL)
			share_result(p, share_adjust(p->cfg.share, now,
			    tokens - cost));
	}
	in = fleet_in(p, now);
	tune_success(p->tune, latency);
	fleet_out(p, in);
}

int
pace_refused(struct pace *p, long long now, unsigned long epoch,
    long long hold)
{
	int	 first = !p->paced, in, v;

	if (p->cfg.share != NULL)
		share_result(p, share_refused(p->cfg.share, now,
		    SHARE_REQUESTS, 0));
	in = fleet_in(p, now);
	/* A wait of whole seconds is judged as noise or the wall by a fixed
	 * window: an overloaded gateway names a second for a refusal that
	 * a second's wait does not make less likely.  Not one of a few ms,
	 * the time to the wall's next room; nor under -j auto: in a fleet,
	 * one process cut hardly lowers what the others' overshoot refuses,
	 * and it would take them for noise; nor where the server announces
	 * its budget of requests: its 429s are its wall's. */
	v = tune_ratelimited(p->tune, now, EPOCH_REQ(epoch), hold > now &&
	    (p->cfg.autotune || p->rsrv || hold - now < EXACT_MS));
	p->paced = 1;
	fleet_out(p, in);
	/*
	 * Everyone holds for the wait a wall names, but not for noise's: a
	 * gateway that refuses a share at any rate, naming a second each
	 * time, would hold the run a second for every refusal.  Only the
	 * row refused waits.
	 */
	if (v == TUNE_NOISE)
		hold = 0;
	if (p->cfg.share != NULL && hold > 0)
		share_result(p, share_hold(p->cfg.share, now, hold));
	/* The rate before the hold: a first rate starts with a full bucket,
	 * which the hold must spend, or its end is a burst. */
	limit_set_rpm(p->limit, now, ceiling(p, tune_rpm(p->tune)));
	if (hold > 0)
		limit_hold(p->limit, hold);
	return first;
}

/*
 * A 429 about tokens: the requests' rate is not what binds, so it is left
 * alone, and the tokens' tune cuts instead.  It is given the refused
 * request's cost, which the server did not charge.
 */
int
pace_refused_tokens(struct pace *p, long long now, unsigned long epoch,
    long long cost, long long hold, long long told)
{
	int	 first = !p->tpaced, in;

	if (told > 0)
		p->told_tpm = told;
	if (p->cfg.share != NULL) {
		share_result(p, share_refused(p->cfg.share, now,
		    SHARE_TOKENS, cost));
		if (hold > 0)
			share_result(p, share_hold(p->cfg.share, now, hold));
	}
	in = fleet_in(p, now);
	first = first && !p->tpaced;
	p->tsrv = 0;
	tune_ratelimited_w(p->ttune, now, EPOCH_TOK(epoch), cost > 0 ? cost :
	    1);
	p->tpaced = 1;
	fleet_out(p, in);
	limit_set_tpm(p->limit, now, ceiling_tokens(p,
	    tune_rpm(p->ttune)));
	if (hold > 0)
		limit_hold(p->limit, hold);
	return first;
}

/*
 * --share with a fixed window: the file's buckets get --rpm and --tpm (or
 * none), once.  (Under -j auto, fleet_out sets them to what the fleet
 * learned, within those.)
 */
static void
sync_share(struct pace *p, long long now)
{
	if (p->synced >= 0 || p->fleet)
		return;
	p->synced = now;
	share_result(p, share_set_rate(p->cfg.share, now, SHARE_REQUESTS,
	    p->cfg.rpm));
	share_result(p, share_set_rate(p->cfg.share, now, SHARE_TOKENS,
	    p->cfg.tpm));
}

void
pace_tick(struct pace *p, long long now)
{
	int	 in;

	p->now = now;
	if (p->cfg.share != NULL)
		sync_share(p, now);
	in = fleet_in(p, now);
	tune_tick(p->tune, now);
	tune_tick(p->ttune, now);
	fleet_out(p, in);
	if (p->paced)
		limit_set_rpm(p->limit, now, ceiling(p, tune_rpm(p->tune)));
	/* Announced, the server's bucket is known whole: a bucket of ours
	 * at its rate would hold less than the server's burst. */
	if (p->tpaced && !p->tsrv)
		limit_set_tpm(p->limit, now, ceiling_tokens(p,
		    tune_rpm(p->ttune)));
}

int
pace_window(const struct pace *p)
{
	return p->cfg.autotune ? tune_window(p->tune) : p->window;
}

int
pace_scale(struct pace *p, double f)
{
	int	 w = p->window, n, in;

	if (p->cfg.autotune) {
		/* No clock here: the last turn's time will do. */
		in = fleet_in(p, p->now);
		tune_scale(p->tune, f);
		fleet_out(p, in);
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
pace_token_rate(const struct pace *p)
{
	double	 r;

	if (!p->tpaced)
		return 0;
	r = tune_measured(p->ttune) > 0 ? tune_measured(p->ttune) :
	    tune_rpm(p->ttune) / 60;
	return ceiling_tokens(p, r * 60) / 60;
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

const char *
pace_share_error(struct pace *p)
{
	if (!p->share_unsaid)
		return NULL;
	p->share_unsaid = 0;
	return p->share_err;
}
