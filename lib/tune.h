/*
 * Tune: -j auto, finding a provider's rate limit without being told it.
 *
 * A window alone cannot do it: against a fast server one request in
 * flight already exceeds a low limit.  So tune paces the request rate,
 * as TCP paces its window: it starts modestly and doubles every quarter
 * second (slow start) while the server accepts everything; at a
 * rate-limit 429 it comes down below what the server accepted over the
 * last second, at the next one it measures the server's rate (what it
 * accepted between two 429s is what it refilled), and from there it
 * probes upward by 1% a second, twice that for every two seconds without
 * a 429 (a fleet's room left by a process that finished is found in
 * seconds).  Accepted means started and not
 * refused: a gateway refuses at once, while the accepted requests may
 * take seconds to come back from the model.  A cut that does not lower
 * the share refused was not the rate's doing: it is taken back, that
 * share is learned as noise, and the search starts again.  Everything
 * refused (an outage) says nothing of the rate: it only backs off, and
 * climbs back to the rate last measured as fast as at the start.  The
 * window follows the rate: enough requests in flight to keep it, twice
 * over, at the latency seen.
 *
 * It only computes; its one caller, pace.c, feeds it what happened and
 * applies the rate (limit.h) and the window.  Not here: announced
 * limits, which limit_server paces without guessing.
 */
#ifndef ENRICH_TUNE_H
#define ENRICH_TUNE_H

struct tune;

/* The window may not pass max. */
struct tune	*tune_new(int, long long);
void		 tune_free(struct tune *);
/* A request started (the number returned goes with it); a success came
 * back after this many ms; a 429 for a rate limit came back, for the
 * request that was given that number, and named an exact wait (spent:
 * a few ms, the time to the wall's next room, or any named wait under
 * -j auto, so the 429 is never taken for noise) or not.  What the 429
 * was taken for comes back: a tune_verdict. */
enum tune_verdict {
	TUNE_WALL,		/* the rate's doing: it was cut */
	TUNE_UNSURE,		/* too little seen since the last cut */
	TUNE_NOISE		/* refused as often at any rate: not cut */
};

unsigned long	 tune_started(struct tune *, long long);
void		 tune_success(struct tune *, long long);
int		 tune_ratelimited(struct tune *, long long, unsigned long, int);
/* The same with a weight other than 1: a tune of tokens, not requests,
 * is given each request's tokens, and its rate is in tokens a second
 * (the counts that say "too few to judge by" stay in requests). */
unsigned long	 tune_started_w(struct tune *, long long, double);
int		 tune_ratelimited_w(struct tune *, long long, unsigned long,
		    double);
/* Every 429 is about the rate: none is noise to be learned (a 429 that
 * says it is about tokens is one of them). */
void		 tune_strict(struct tune *);
/* The server announced the rate its budget refills at, per second. */
void		 tune_announced(struct tune *, double);
/* Move the rate along with time; then read it, per minute, and the
 * window. */
void		 tune_tick(struct tune *, long long);
double		 tune_rpm(const struct tune *);
/* What the server was last seen to accept, or announced, a second; 0 if
 * neither yet. */
double		 tune_measured(const struct tune *);
int		 tune_window(const struct tune *);
/* SIGUSR1 and SIGUSR2: ten per cent up or down. */
void		 tune_scale(struct tune *, double);
/*
 * Its state as bytes, for processes that learn as one (--share keeps
 * them in a file): the same enrich's tunes only, the file's layout
 * version says so.  tune_load refuses bytes no tune could have written
 * (a torn or tampered file) and keeps its own window's max.
 */
size_t		 tune_state_size(void);
/* A state loaded that nobody has moved along for a while (the processes
 * sharing it all stopped): count afresh from now, keeping the rate. */
void		 tune_resume(struct tune *, long long);
void		 tune_save(const struct tune *, void *);
int		 tune_load(struct tune *, const void *, size_t);

#endif
