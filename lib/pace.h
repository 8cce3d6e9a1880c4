/*
 * Pace: the one owner of the rate at which requests start.
 *
 * Everything that says how fast to go meets here: --rpm and --tpm (as
 * token buckets, limit.h), what the server announces on every response
 * (x-ratelimit-* headers), the wait a 429 names (everyone holds), the
 * rate -j auto finds by itself and a fixed window learns from its first
 * rate-limit 429 (tune.h), and SIGUSR1/SIGUSR2.  Requests and tokens are
 * learned apart, each by its own tune: a 429 says which limit it is
 * about, and what a request costs is its prompt estimated from the body
 * plus its completion budget, corrected by the usage answers report.
 * --rpm stays a ceiling that nothing learned may pass.  The window
 * (requests in flight at most) is decided here as well, since under
 * -j auto it follows the rate.
 *
 * With --share (share.h) every process on the machine takes from the
 * file's --rpm and --tpm buckets besides its own, and holds for the
 * waits the others' 429s named; under -j auto the tunes are the file's,
 * so that the processes learn the wall as one.
 *
 * It computes; the caller starts requests when pace_wait says 0 and
 * applies pace_window to the pool.
 *
 * Not here: what a 429 means for its row (verdict.h).
 */
#ifndef ENRICH_PACE_H
#define ENRICH_PACE_H

#include "pool.h"
#include "share.h"

struct pace_config {
	long long	 rpm;		/* --rpm, or 0 */
	long long	 tpm;		/* --tpm, or 0 */
	int		 autotune;	/* -j auto */
	int		 window;	/* -j N */
	int		 max_window;	/* what the window may grow to */
	long long	 max_wait_ms;	/* --max-wait: the longest a server may
					 * hold every request */
	struct share	*share;		/* --share, borrowed; or NULL */
};

struct pace;

struct pace	*pace_new(const struct pace_config *, long long);
void		 pace_free(struct pace *);
/* Milliseconds until a request of this token cost may start; 0: now. */
long long	 pace_wait(struct pace *, long long, long long);
/* A request of this cost starts; the number returned goes with it. */
unsigned long	 pace_start(struct pace *, long long, long long);
/* It is over, whatever came of it: no longer in flight. */
void		 pace_end(struct pace *, long long);
/* A response came, any status: what its headers announce of the
 * server's budget, with this many requests still in flight.  Returns 0;
 * or, when the budget is spent and the server announces it back only
 * after more than --max-wait, that wait in ms: no request could start
 * before then, and the caller should stop rather than stall. */
long long	 pace_response(struct pace *, long long, const struct xfer *,
		    int);
/* A success: its estimated cost, the tokens it really took (-1 if not
 * reported) and its latency. */
void		 pace_success(struct pace *, long long, long long, long long,
		    long long);
/* A rate-limit 429 for the request started as epoch; hold is a time
 * before which nothing starts, or 0.  Returns 1 the first time it makes
 * the run paced. */
int		 pace_refused(struct pace *, long long, unsigned long,
		    long long);
/* The same for a 429 about tokens (tokens per minute, OpenAI's "TPM",
 * or a provider's token headers at 0), for a request of this cost; told
 * is the limit a minute the server named, or 0.  It paces tokens, not
 * requests: long rows wait for room while short ones flow.  Returns 1
 * the first time it makes the run paced by tokens. */
int		 pace_refused_tokens(struct pace *, long long, unsigned long,
		    long long, long long, long long);
/* Move along with time: call once a turn of the loop. */
void		 pace_tick(struct pace *, long long);
/* Requests in flight at most, now. */
int		 pace_window(const struct pace *);
/* SIGUSR1/SIGUSR2: the window (under -j auto, the rate) times f; the
 * new window. */
int		 pace_scale(struct pace *, double);
/* The rate the run was paced at, a second: what the server was measured
 * to accept, within --rpm; 0 if it was never paced. */
double		 pace_rate(const struct pace *);
/* The same of tokens, a second: 0 if tokens were never paced. */
double		 pace_token_rate(const struct pace *);

/*
 * The error of --share's file, the first of a spell of them, once, for
 * the caller to say; else NULL.  While the file fails, this process's
 * own buckets pace alone.  Valid until the next call on p.
 */
const char	*pace_share_error(struct pace *);

#endif
