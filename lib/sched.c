#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "claim.h"
#include "finish.h"
#include "route.h"
#include "sched.h"
#include "text.h"

#define OUT_HIGH	(1024 * 1024)	/* stop reading above this backlog */
#define START_BATCH	64	/* requests started per turn */
#define HELD_MS		5000	/* a hold longer than this is said */
/* Rows waiting while nothing is written for this long are said, then
 * again after twice as long each time, up to WAIT_SAY_MAX. */
#define WAIT_SAY_MS	5000
#define WAIT_SAY_MAX	30000

struct sched {
	struct sched_config	 cfg;
	struct sched_parts	 p;
	struct rows		*rows;
	void			(*notify)(void *, const struct sched_notice *);
	void			*arg;
	struct row		*next;		/* held back by the pace */
	int			 more;		/* a batch stopped short */
	int			 reading;	/* the input may give more rows */
	int			 interrupted;
	long long		 grace_end;
	int			 stopped;
	int			 held;		/* a long hold was said */
	int			 window;	/* as the pool has it */
	struct claim		*claim;		/* cache, dedup, budget */
	struct finish		*finish;	/* what an attempt means */
	int			 broke;		/* --max-cost: spent */
	int			 budget_held;	/* next waits for money */
	uint64_t		 seq;		/* non-blank lines read */
	long long		 now;		/* this turn's time */
	long long		 quiet_since;	/* the last row written, or the
						 * start */
	long long		 say_at;	/* the next waiting notice */
	long long		 say_every;	/* and the one after it */
};

static int	 emit(void *, struct row *);

/* Rows held for --ordered: four windows, and at least 1024. */
static size_t
reorder(int window)
{
	return window < 256 ? 1024 : 4 * (size_t)window;
}

static int
set_window(struct sched *s, int w)
{
	pool_set_window(s->p.pool, w);
	s->window = pool_window(s->p.pool);
	return s->cfg.ordered ? output_grow(s->p.out, reorder(s->window)) : 0;
}

static void
notice(struct sched *s, enum sched_event what, const struct row *r,
    const struct verdict *v, long long ms, const char *text)
{
	struct sched_notice	 n = { what, r, v, ms, text };

	if (s->notify != NULL)
		s->notify(s->arg, &n);
}

/* What finish.c has to say, as the notice it always was. */
static void
said(void *arg, enum finish_event what, const struct row *r,
    const struct verdict *v, const char *text)
{
	static const enum sched_event	 as[] = {
		[FINISH_RETRY] = SCHED_RETRY, [FINISH_PACED] = SCHED_PACED,
		[FINISH_STOP] = SCHED_STOP, [FINISH_ANSWER] = SCHED_ANSWER,
		[FINISH_CACHE] = SCHED_CACHE, [FINISH_ESCALATE] = SCHED_ESCALATE
	};

	notice(arg, as[what], r, v, 0, text);
}

struct sched *
sched_new(const struct sched_config *cfg, const struct sched_parts *parts,
    void (*notify)(void *, const struct sched_notice *), void *arg)
{
	struct claim_parts	 cp = { NULL, parts->out, parts->record,
				    parts->stats, parts->cache, parts->budget,
				    emit, NULL };
	struct finish_parts	 fp = { NULL, parts->input, parts->record,
				    parts->verdicts, parts->pace, parts->stats,
				    parts->endpoints, parts->rates, NULL, emit,
				    said, NULL };
	struct sched		*s;

	if ((s = calloc(1, sizeof(*s))) == NULL)
		return NULL;
	cp.arg = fp.arg = s;
	cp.input = parts->input;
	cp.escalate_rates = parts->escalate_rates;
	fp.escalate = parts->escalate;
	s->cfg = *cfg;
	s->p = *parts;
	s->notify = notify;
	s->arg = arg;
	s->reading = 1;
	s->quiet_since = s->say_at = -1;
	cp.rows = fp.rows = s->rows = rows_new();
	if (s->rows == NULL ||
	    (fp.claim = s->claim = claim_new(&cp)) == NULL ||
	    (s->finish = finish_new(&fp)) == NULL ||
	    (s->p.pool != NULL && set_window(s, pace_window(s->p.pace)) == -1)) {
		sched_free(s);
		return NULL;
	}
	return s;
}

void
sched_free(struct sched *s)
{
	if (s == NULL)
		return;
	rows_free(s->rows);	/* s->next among them */
	finish_free(s->finish);
	claim_free(s->claim);
	free(s);
}

/* The row's line is ready: out it goes, and it is counted. */
static int
emit(void *arg, struct row *r)
{
	struct sched	*s = arg;
	struct stats	*st = s->p.stats;
	int		 rv;

	/* An estimate counts what a dry run would send. */
	if (s->cfg.estimate && !r->failed) {
		if ((rv = claim_estimate(s->claim, r)) == -1)
			return -1;
		if (rv == CLAIM_SHARED)
			st->est_shared++;
		else if (rv == CLAIM_CACHED)
			st->est_cache_hits++;
		else {
			st->est_rows++;
			stats_add(&st->est_tokens,
			    text_tokens(r->prompt_bytes));
			if (r->cached_bytes > 0 && st->est_cache_rows++ > 0)
				stats_add(&st->est_cached,
				    text_tokens(r->cached_bytes));
		}
		return output_skip(s->p.out, r->seq);
	}
	if (output_line(s->p.out, r->seq, r->failed, r->line.data,
	    r->line.len) == -1 || (st->expect != NULL &&
	    expect_count(st->expect, r) == -1))
		return -1;
	/* Something is written: a wait after this starts its own count. */
	s->quiet_since = s->now;
	s->say_at = -1;
	/* Tokens paid for by this run: not a cached or a shared answer's. */
	if (r->cached)
		st->cache_hits++;
	else if (r->shared)
		st->shared++;
	else {
		stats_add(&st->prompt_tokens, r->prompt_tokens);
		stats_add(&st->completion_tokens, r->completion_tokens);
		stats_add(&st->cached_tokens, r->cached_tokens);
	}
	/* And the first model's, when this run paid for them. */
	if (r->escalated) {
		st->escalated++;
		if (r->first.paid) {
			stats_add(&st->prompt_tokens, r->first.prompt_tokens);
			stats_add(&st->completion_tokens,
			    r->first.completion_tokens);
			stats_add(&st->cached_tokens, r->first.cached_tokens);
		}
	}
	if (!r->failed) {
		st->ok++;
		return 0;
	}
	st->failed++;
	notice(s, SCHED_FAILED, r, NULL, 0, NULL);
	return 0;
}

static int
room(const struct sched *s)
{
	return s->p.pool != NULL ? pool_room(s->p.pool) : 1;
}

static int
active(const struct sched *s)
{
	return s->p.pool != NULL ? pool_active(s->p.pool) : 0;
}

/*
 * Rows waiting for a retry hold no place in the window, so new rows keep
 * flowing past them; but when many fail at once, reading stops at this
 * many, which keeps memory bounded by the window.
 */
static int
may_read(const struct sched *s)
{
	return s->reading && !s->interrupted && !s->broke &&
	    output_pending(s->p.out) < OUT_HIGH &&
	    rows_waiting(s->rows) + claim_waiting(s->claim) <
	    2 * (size_t)s->window + 64 &&
	    output_room(s->p.out, s->seq);
}

/*
 * The next row of the input that needs a request, in *rp, or NULL when
 * there is none now or the run must not take more.  Rows that need none
 * (skipped, bad, dry run) are dealt with on the way.
 */
static int
read_row(struct sched *s, struct row **rp)
{
	struct line	 ln;
	struct row	*r;
	const char	*text;
	int		 rv;

	*rp = NULL;
	while (may_read(s) && lines_next(s->p.in, &ln)) {
		if ((r = rows_get(s->rows)) == NULL)
			return -1;
		if ((rv = input_load(s->p.input, r, &ln)) == -1) {
			rows_put(s->rows, r);
			return -1;
		}
		if ((text = input_note(s->p.input)) != NULL)
			notice(s, SCHED_INPUT, r, NULL, 0, text);
		/* Outside the sample, a row has no place in the output. */
		if (rv == INPUT_OUTSIDE)
			s->p.stats->outside++;
		else if (rv != INPUT_BLANK)
			r->seq = s->seq++;
		if (rv != INPUT_BLANK) {
			s->p.stats->rows_read++;
			s->p.stats->bytes_read = lines_consumed(s->p.in);
		}
		switch (rv) {
		case INPUT_SEND:
			*rp = r;
			return 0;
		case INPUT_SKIP:
			s->p.stats->skipped++;
			rv = output_skip(s->p.out, r->seq);
			break;
		case INPUT_WRITE:
			rv = emit(s, r);
			break;
		default:
			rv = 0;
			break;
		}
		rows_put(s->rows, r);
		if (rv == -1)
			return -1;
	}
	if (lines_done(s->p.in))
		s->reading = 0;
	return 0;
}

/*
 * Several endpoints: count the attempt against its endpoint, and say so
 * when that sets it aside or takes it back.  1 if the row goes at once to
 * another endpoint (route.h), and waits for it here; -1 if out of memory.
 */
static int
endpoint_done(struct sched *s, struct row *r, const struct xfer *x,
    long long now)
{
	struct endpoints	*e = s->p.endpoints;
	int			 rv;

	switch (endpoints_done(e, r->endpoint, now, x)) {
	case ENDPOINTS_ASIDE:
		notice(s, SCHED_ASIDE, r, NULL, endpoints_aside_ms(e,
		    r->endpoint), endpoints_name(e, r->endpoint));
		break;
	case ENDPOINTS_BACK:
		notice(s, SCHED_BACK, r, NULL, 0, endpoints_name(e,
		    r->endpoint));
		break;
	case ENDPOINTS_GONE:
		/* The last: the stop that follows says why. */
		if (endpoints_live(e) != 0)
			notice(s, SCHED_GONE, r, NULL, 0, endpoints_name(e,
			    r->endpoint));
		break;
	case ENDPOINTS_SAME:
		break;
	}
	if ((rv = route_move(e, r, x, now)) == 1)
		rows_wait(s->rows, r);
	return rv;
}

/* The money is spent: nothing more is read or sent, and the rows not
 * sent are not written. */
static int
go_broke(struct sched *s, struct row *r)
{
	s->broke = 1;
	s->reading = 0;
	return claim_drop_all(s->claim, r);
}

/* Fill the window: retries that are due first, then new rows. */
static int
start_rows(struct sched *s, long long now, char *err, size_t errlen)
{
	struct row	*r;
	long long	 wait;
	int		 batch = 0, rv;

	if (s->p.pool == NULL) {
		if (read_row(s, &r) == -1)
			goto nomem;
		if (r != NULL) {
			snprintf(err, errlen, "internal error: a row to send "
			    "in a dry run");
			return -1;
		}
		return 0;
	}
	/*
	 * In batches: a window of 1000 opened at once spends 0.2 s in
	 * connect() before the first request goes out; a batch at a time
	 * starts the first requests (and their latency) at once.
	 */
	for (s->more = 0; pool_room(s->p.pool) > 0; batch++) {
		if (batch == START_BATCH) {
			s->more = 1;
			break;
		}
		if (s->broke)
			break;
		if ((r = s->next) == NULL &&
		    (r = rows_due(s->rows, now)) == NULL) {
			if (read_row(s, &r) == -1)
				goto nomem;
			if (r == NULL)
				break;
			if ((rv = claim_row(s->claim, r)) == -1)
				goto nomem;
			if (rv == 1)
				continue;
		}
		s->next = NULL;
		if ((wait = pace_wait(s->p.pace, now, r->cost)) > 0) {
			s->next = r;
			/* A long silence must not look like a hang. */
			if (wait > HELD_MS && !s->held) {
				notice(s, SCHED_HELD, r, NULL, wait, NULL);
				s->held = 1;
			}
			break;
		}
		s->held = 0;
		s->budget_held = 0;
		if ((rv = claim_reserve(s->claim, r,
		    pool_active(s->p.pool))) != 1) {
			if (rv == 0) {
				s->next = r;
				s->budget_held = 1;
			} else if (go_broke(s, r) == -1)
				goto nomem;
			break;
		}
		if (s->p.endpoints != NULL &&
		    !route_pick(s->p.endpoints, r, now, s->window)) {
			rows_wait(s->rows, r);
			continue;
		}
		r->epoch = pace_start(s->p.pace, now, r->cost);
		if (pool_submit(s->p.pool, &r->xfer, err, errlen) == -1)
			return -1;
	}
	return 0;
nomem:
	snprintf(err, errlen, "out of memory");
	return -1;
}

static int
finish_rows(struct sched *s, long long now)
{
	struct xfer	*x;
	struct row	*r;
	long long	 stall;
	int		 moved, rv;

	while (!s->stopped && (x = pool_done(s->p.pool)) != NULL) {
		r = x->udata;
		r->attempts++;
		pace_end(s->p.pace, r->cost);
		r->attempt_usd = -1;	/* this attempt's, when judged */
		r->attempt_prompt = -1;
		if (x->result == XFER_RESPONSE && x->status == 429)
			s->p.stats->http429++;
		/* Each endpoint reads its own announcements. */
		if (s->p.endpoints != NULL) {
			if ((moved = endpoint_done(s, r, x, now)) == -1)
				return -1;
			if (moved) {
				/* Not an answer: nothing paid, nothing kept. */
				claim_settle(s->claim, r, 0);
				continue;
			}
		} else if (x->result == XFER_RESPONSE) {
			if ((stall = pace_response(s->p.pace, now, x,
			    pool_active(s->p.pool))) > 0) {
				notice(s, SCHED_STALLED, r, NULL, stall, NULL);
				s->stopped = 1;
			}
		}
		if ((rv = finish_row(s->finish, r, now)) == -1)
			return -1;
		if (rv == 1)
			s->stopped = 1;
	}
	return 0;
}

/* The grace period is over: waiting rows fail, rows in flight are lost. */
static int
end_grace(struct sched *s)
{
	struct row	*r;
	int		 rv;

	while ((r = s->next) != NULL || (r = rows_pop(s->rows)) != NULL) {
		s->next = NULL;
		rv = verdict_give_up(r) == -1 ||
		    record_error(s->p.record, r) == -1 || emit(s, r) == -1 ||
		    claim_release(s->claim, r, 0) == -1;
		rows_put(s->rows, r);
		if (rv)
			return -1;
	}
	return 0;
}

/* Rows wait for a retry, or the next one for the pace or the money. */
static int
waiting(const struct sched *s)
{
	return s->p.pool != NULL && (rows_waiting(s->rows) > 0 ||
	    s->next != NULL);
}

/*
 * What the rows wait on, said when they have waited a while with nothing
 * written, and again at growing intervals: a run that waits must not look
 * like one that hangs.
 */
static void
tell_waiting(struct sched *s, long long now)
{
	const struct verdict_config	*vc = verdict_limits(s->p.verdicts);
	struct sched_waiting		 w = { 0 };
	struct sched_notice		 n = { SCHED_WAITING, NULL, NULL, 0,
					    NULL, &w };
	const struct row		*r;
	long long			 wait;

	if (!waiting(s))
		return;
	if (s->say_at < 0) {
		s->say_at = now + WAIT_SAY_MS;
		s->say_every = WAIT_SAY_MS;
	}
	if (now < s->say_at)
		return;
	s->say_every = s->say_every * 2 > WAIT_SAY_MAX ? WAIT_SAY_MAX :
	    s->say_every * 2;
	s->say_at = now + s->say_every;
	w.max_429 = vc->max_429;
	w.max_retries = vc->retries;
	w.stall_end = verdict_stall_end(s->p.verdicts);
	w.next = w.held = w.grace_end = -1;
	for (r = NULL; (r = rows_next_waiting(s->rows, r)) != NULL;) {
		w.rows++;
		if (w.next < 0 || r->due < w.next)
			w.next = r->due;
		if (r->error == ROW_ERR_HTTP && r->status == 429) {
			w.refused++;
			if (r->refusals > w.refusals)
				w.refusals = r->refusals;
		} else {
			w.retrying++;
			if (r->retries > w.retries)
				w.retries = r->retries;
		}
	}
	if (s->next != NULL && s->budget_held)
		w.budget = 1;
	else if (s->next != NULL && (wait = pace_wait(s->p.pace, now,
	    s->next->cost)) > 0)
		w.held = now + wait;
	if (s->interrupted)
		w.grace_end = s->grace_end;
	if (w.rows == 0 && w.held < 0 && !w.budget)
		return;
	n.ms = now - s->quiet_since;
	if (s->notify != NULL)
		s->notify(s->arg, &n);
}

int
sched_turn(struct sched *s, long long now, char *err, size_t errlen)
{
	s->now = now;
	if (s->quiet_since < 0)
		s->quiet_since = now;
	/* Finished rows first: they free the places new ones take. */
	if (s->p.pool != NULL) {
		if (finish_rows(s, now) == -1)
			goto nomem;
		/* No row can succeed: take in and send nothing more. */
		if (s->stopped)
			return 0;
		pace_tick(s->p.pace, now);
		if (pace_window(s->p.pace) != s->window &&
		    set_window(s, pace_window(s->p.pace)) == -1)
			goto nomem;
	}
	if (start_rows(s, now, err, errlen) == -1)
		return -1;
	if (s->interrupted && now >= s->grace_end && end_grace(s) == -1)
		goto nomem;
	tell_waiting(s, now);
	return 0;
nomem:
	snprintf(err, errlen, "out of memory");
	return -1;
}

int
sched_want_input(const struct sched *s)
{
	return s->next == NULL && may_read(s) && lines_need(s->p.in) &&
	    room(s) > 0;
}

static long long
min_timeout(long long a, long long b)
{
	if (a < 0)
		return b;
	if (b < 0)
		return a;
	return a < b ? a : b;
}

long long
sched_timeout(struct sched *s, long long now)
{
	long long	 t = -1, due;

	/* Rows to start now: a batch cut short, or lines already read. */
	if (s->more || (s->next == NULL && may_read(s) &&
	    !lines_need(s->p.in) && !lines_done(s->p.in) && room(s) > 0))
		return 0;
	if (s->p.pool != NULL)
		t = pool_timeout(s->p.pool, now);
	/* A row the pace holds goes first: the rows due behind it wait
	 * for it, and waking for them would only spin. */
	if (s->next != NULL) {
		/* With no room, or held for money, a transfer's end wakes
		 * the caller. */
		if (room(s) > 0 && !s->budget_held)
			t = min_timeout(t, pace_wait(s->p.pace, now,
			    s->next->cost));
	} else if ((due = rows_next_due(s->rows)) >= 0 && s->p.pool != NULL &&
	    pool_room(s->p.pool) > 0)
		t = min_timeout(t, due > now ? due - now : 0);
	if (s->interrupted)
		t = min_timeout(t, s->grace_end > now ? s->grace_end - now : 0);
	if (s->say_at >= 0 && waiting(s))
		t = min_timeout(t, s->say_at > now ? s->say_at - now : 0);
	return t;
}

int
sched_over(const struct sched *s, long long now)
{
	if (s->interrupted && now >= s->grace_end)
		return 1;
	return (!s->reading || s->interrupted) && active(s) == 0 &&
	    s->next == NULL && rows_waiting(s->rows) == 0 &&
	    output_pending(s->p.out) == 0;
}

int
sched_stopped(const struct sched *s)
{
	return s->stopped;
}

int
sched_broke(const struct sched *s)
{
	return s->broke;
}

void
sched_interrupt(struct sched *s, long long now)
{
	struct row	*r;

	if (s->interrupted)
		return;
	s->interrupted = 1;
	s->grace_end = now + s->cfg.grace_ms;
	verdict_deadline(s->p.verdicts, s->grace_end);
	/* A row read but never sent is as if never read. */
	if ((r = s->next) != NULL && r->attempts == 0) {
		s->next = NULL;
		(void)claim_drop(s->claim, r);
	}
}

int
sched_scale(struct sched *s, double f)
{
	if (s->p.pool == NULL)
		return 0;
	return pace_scale(s->p.pace, f);
}
