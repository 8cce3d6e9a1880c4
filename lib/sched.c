#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "claim.h"
#include "deliver.h"
#include "finish.h"
#include "realtime.h"
#include "sched.h"
#include "text.h"
#include "waiting.h"

#define OUT_HIGH	(1024 * 1024)	/* stop reading above this backlog */
#define START_BATCH	64	/* requests started per turn */
#define DONE_BATCH	256	/* a parked file's rows taken per turn */
#define HELD_MS		5000	/* a hold longer than this is said */
/*
 * Answers kept for later duplicates with a transport that parks: the
 * rows that ask what a parked row asks follow it in its file (batchpark.h)
 * while it waits, which is where a Batch run's duplicates are met; the
 * answers kept past that are few, so that memory does not grow with the
 * input (a Batch file's answers come 50,000 at a time).
 */
#define KEEP_PARKED	(1024 * 1024)

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
	struct transport	 own;		/* real time's, made here */
	struct realtime		*rt;
	struct transport	*t;		/* NULL: a dry run */
	struct claim		*claim;		/* cache, dedup, budget */
	struct finish		*finish;	/* what an attempt means */
	struct deliver		*deliver;	/* writes and counts */
	int			 input_said;	/* its end told to t */
	int			 told_quiet;	/* as t last heard it */
	int			 broke;		/* --max-cost: spent */
	int			 budget_held;	/* next waits for money */
	uint64_t		 seq;		/* non-blank lines read */
	long long		 now;		/* this turn's time */
	struct waiting		 wait;		/* what waits, said */
};

static int	 emit(void *, struct row *);

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

/* What real time has to say, as the notice it always was. */
static void
told(void *arg, enum realtime_event what, const struct row *r, long long ms,
    const char *text)
{
	static const enum sched_event	 as[] = {
		[REALTIME_STALLED] = SCHED_STALLED,
		[REALTIME_ASIDE] = SCHED_ASIDE, [REALTIME_BACK] = SCHED_BACK,
		[REALTIME_GONE] = SCHED_GONE
	};

	notice(arg, as[what], r, NULL, ms, text);
}

static void
failed(void *arg, const struct row *r)
{
	notice(arg, SCHED_FAILED, r, NULL, 0, NULL);
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
	struct deliver_parts	 dp = { parts->out, parts->stats, NULL,
				    cfg->estimate, failed, NULL };
	struct realtime_parts	 rp = { parts->pool, parts->pace,
				    parts->endpoints, NULL, parts->stats,
				    parts->out, cfg->ordered, told, NULL };
	struct sched		*s;

	if ((s = calloc(1, sizeof(*s))) == NULL)
		return NULL;
	cp.arg = fp.arg = dp.arg = rp.arg = s;
	cp.input = parts->input;
	cp.escalate_rates = parts->escalate_rates;
	if (parts->transport != NULL && parts->transport->parks)
		cp.keep = KEEP_PARKED;
	fp.escalate = parts->escalate;
	s->cfg = *cfg;
	s->p = *parts;
	s->notify = notify;
	s->arg = arg;
	s->reading = !cfg->no_input;
	cp.rows = fp.rows = rp.rows = s->rows = parts->rows != NULL ?
	    parts->rows : rows_new();
	if (s->rows == NULL ||
	    (fp.claim = dp.claim = s->claim = claim_new(&cp)) == NULL ||
	    (s->finish = finish_new(&fp)) == NULL ||
	    (s->deliver = deliver_new(&dp)) == NULL)
		goto fail;
	if ((s->t = parts->transport) == NULL && s->p.pool != NULL) {
		if ((s->rt = realtime_new(&rp)) == NULL)
			goto fail;
		realtime_transport(s->rt, &s->own);
		s->t = &s->own;
	}
	return s;
fail:
	sched_free(s);
	return NULL;
}

void
sched_free(struct sched *s)
{
	if (s == NULL)
		return;
	if (s->p.rows == NULL)
		rows_free(s->rows);	/* s->next among them */
	realtime_free(s->rt);
	deliver_free(s->deliver);
	finish_free(s->finish);
	claim_free(s->claim);
	free(s);
}

/* The row's line is ready: out it goes, and it is counted (deliver.h). */
static int
emit(void *arg, struct row *r)
{
	struct sched	*s = arg;

	/* Something is written: a wait after this starts its own count. */
	waiting_written(&s->wait, s->now);
	return deliver_row(s->deliver, r);
}

static int
room(const struct sched *s, long long now)
{
	return s->t != NULL ? s->t->ops->room(s->t->impl, now) : 1;
}

/*
 * Money that comes back to wait for.  A request in flight gives its
 * reservation back in seconds; a parked row only when its batch is
 * answered, hours later.  So the rows parked are waited for, each wait
 * a batch's, only while less than half the cap is spent; past that the
 * money is spent for this run (what is parked is still written), and
 * --skip-ids goes on.  That ends a run within half the cap of it, in a
 * few batches, not a tail of ever smaller ones.
 */
static int
busy(const struct sched *s)
{
	const struct budget	*b = s->p.budget;

	if (s->t == NULL || !s->t->ops->busy(s->t->impl))
		return 0;
	if (s->t->parks && b != NULL && b->spent >= b->limit / 2)
		return 0;
	return 1;
}

/* The transport keeps a STATE: it hears of every line. */
static int
keeps_state(const struct sched *s)
{
	return s->t != NULL && s->t->ops->line != NULL;
}

static void
accounted(struct sched *s)
{
	if (keeps_state(s))
		s->t->ops->accounted(s->t->impl);
}

/*
 * Rows waiting for a retry hold no place in the window, so new rows keep
 * flowing past them; but when many fail at once, reading stops at this
 * many, which keeps memory bounded by the window.
 */
static int
may_read(const struct sched *s)
{
	int	 window = s->p.pool != NULL ? pool_window(s->p.pool) : 1;

	return s->reading && !s->interrupted && !s->broke &&
	    output_pending(s->p.out) < OUT_HIGH &&
	    rows_waiting(s->rows) + claim_waiting(s->claim) <
	    2 * (size_t)window + 64 &&
	    output_room(s->p.out, s->seq);
}

/*
 * The next row of the input that needs a request, in *rp, or NULL when
 * there is none now or the run must not take more.  Rows that need none
 * (skipped, bad, dry run) are dealt with on the way.
 */
static int
read_row(struct sched *s, struct row **rp, char *err, size_t errlen)
{
	struct line	 ln;
	struct row	*r;
	const char	*text, *p;
	size_t		 len;
	int		 rv;

	*rp = NULL;
	while (may_read(s) && lines_next(s->p.in, &ln)) {
		if (keeps_state(s)) {
			/* Blank as input_load would say. */
			p = ln.text;
			len = ln.len;
			text_trim(&p, &len);
			if ((rv = s->t->ops->line(s->t->impl, ln.text, ln.len,
			    len == 0 && !ln.toolong, err, errlen)) == -1)
				return -2;
			if (rv == 1) {
				/* Accounted for by an earlier run. */
				if (len > 0 || ln.toolong)
					s->seq++;
				continue;
			}
		}
		if ((r = rows_get(s->rows)) == NULL)
			return -1;
		r->seq = s->seq;
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
			s->seq++;
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
		accounted(s);
	}
	if (lines_done(s->p.in) && s->reading) {
		s->reading = 0;
		if (keeps_state(s) && !s->input_said) {
			s->input_said = 1;
			if (s->t->ops->input_end(s->t->impl, err, errlen) ==
			    -1)
				return -2;
		}
	}
	return 0;
}

/* The money is spent: nothing more is read or sent, and the rows not
 * sent are not written. */
/*
 * A row a batch answered, that waits to go again (a 500, say), cannot be
 * dropped to be read again: STATE's input is past it.  It is written
 * with the error of its last attempt (one paid for is claim_drop's to
 * write): 1; 0 if it is not such a row; -1 if out of memory.
 */
static int
write_batch_row(struct sched *s, struct row *r)
{
	int	 rv;

	if (!keeps_state(s) || r->attempts == 0 || r->spent_usd > 0)
		return 0;
	rv = record_error(s->p.record, r) == -1 || emit(s, r) == -1 ||
	    claim_release(s->claim, r, 0) == -1;
	claim_end(s->claim, r);
	rows_put(s->rows, r);
	return rv ? -1 : 1;
}

/* The money is spent: nothing more is read or sent, and the rows not
 * sent are not written. */
static int
go_broke(struct sched *s, struct row *r, char *err, size_t errlen)
{
	TAILQ_HEAD(, row)	 drop = TAILQ_HEAD_INITIALIZER(drop);
	struct row		*w;
	int			 rv;

	s->broke = 1;
	s->reading = 0;
	TAILQ_INSERT_TAIL(&drop, r, link);
	while ((w = rows_pop(s->rows)) != NULL)
		TAILQ_INSERT_TAIL(&drop, w, link);
	rv = 0;
	while (rv != -1 && (w = TAILQ_FIRST(&drop)) != NULL) {
		TAILQ_REMOVE(&drop, w, link);
		if ((rv = write_batch_row(s, w)) == 0)
			rv = claim_drop(s->claim, w);
	}
	if (rv == -1) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	/* No more rows this run: what is parked goes, and is written. */
	if (keeps_state(s) && !s->input_said) {
		s->input_said = 1;
		return s->t->ops->input_end(s->t->impl, err, errlen);
	}
	return 0;
}

/* A row the transport took: where it went. */
static int
sent(struct sched *s, struct row *r, int how, long long now, char *err,
    size_t errlen)
{
	struct row	*f;
	int		 rv = 0;

	switch (how) {
	case TRANSPORT_FLYING:
		return 0;
	case TRANSPORT_MOVED:
		rows_wait(s->rows, r);
		return 0;
	case TRANSPORT_FOLLOWS:
		claim_settle(s->claim, r, 0);
		break;
	}
	/* Parked: rows that ask the same follow it there. */
	while ((f = claim_follower(s->claim, r)) != NULL)
		if ((rv = s->t->ops->send(s->t->impl, f, now, err,
		    errlen)) == -1)
			break;
		else {
			if (rv == TRANSPORT_FOLLOWS)
				claim_settle(s->claim, f, 0);
			rows_put(s->rows, f);
		}
	claim_end(s->claim, r);
	rows_put(s->rows, r);
	return rv == -1 ? -1 : 0;
}

/* Fill the window: retries that are due first, then new rows. */
static int
start_rows(struct sched *s, long long now, char *err, size_t errlen)
{
	struct row	*r;
	long long	 wait;
	int		 batch = 0, rv, fresh;

	if (s->t == NULL) {
		if ((rv = read_row(s, &r, err, errlen)) == -2)
			return -1;
		if (rv == -1)
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
	for (s->more = 0; room(s, now) > 0; batch++) {
		if (batch == START_BATCH) {
			s->more = 1;
			break;
		}
		if (s->broke)
			break;
		fresh = 0;
		if ((r = s->next) == NULL &&
		    (r = rows_due(s->rows, now)) == NULL) {
			if ((rv = read_row(s, &r, err, errlen)) == -2)
				return -1;
			if (rv == -1)
				goto nomem;
			if (r == NULL)
				break;
			if ((rv = claim_row(s->claim, r)) == -1)
				goto nomem;
			if (rv == 1) {
				accounted(s);
				continue;
			}
			fresh = 1;
		}
		s->next = NULL;
		if ((wait = s->t->ops->wait(s->t->impl, r, now)) > 0) {
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
		if ((rv = claim_reserve(s->claim, r, busy(s))) != 1) {
			if (rv == 0) {
				s->next = r;
				s->budget_held = 1;
				if (s->t->ops->flush != NULL)
					s->t->ops->flush(s->t->impl, now);
			} else if (go_broke(s, r, err, errlen) == -1)
				return -1;
			break;
		}
		if ((rv = s->t->ops->send(s->t->impl, r, now, err, errlen)) ==
		    -1 || sent(s, r, rv, now, err, errlen) == -1)
			return -1;
		if (fresh)
			accounted(s);
	}
	return 0;
nomem:
	snprintf(err, errlen, "out of memory");
	return -1;
}

static int
finish_rows(struct sched *s, long long now)
{
	struct row	*r;
	int		 how, rv, n = 0;

	while (!s->stopped && (!s->t->parks || (n++ < DONE_BATCH &&
	    output_pending(s->p.out) < OUT_HIGH)) &&
	    (r = s->t->ops->done(s->t->impl, now, &how)) != NULL) {
		switch (how) {
		case TRANSPORT_AGAIN:
			/* Not an answer: nothing paid, nothing kept. */
			claim_settle(s->claim, r, 0);
			continue;
		case TRANSPORT_WRITE:
			claim_settle(s->claim, r, 0);
			rv = emit(s, r);
			rows_put(s->rows, r);
			if (rv == -1)
				return -1;
			continue;
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

/*
 * Nothing waits and everything is written: a STATE may say so.  A row
 * read and never sent (held by the pace or for money) does not count:
 * the input is accounted for only up to the line before it, so a
 * checkpoint leaves it to be read again.
 */
static int
quiet(const struct sched *s)
{
	return (s->next == NULL || s->next->attempts == 0) &&
	    rows_waiting(s->rows) == 0 && claim_waiting(s->claim) == 0 &&
	    output_pending(s->p.out) == 0;
}

/* Rows wait for a retry, or the next one for the pace or the money. */
static int
waiting(const struct sched *s)
{
	return s->p.pool != NULL && (rows_waiting(s->rows) > 0 ||
	    s->next != NULL);
}

/* Said when they have waited a while with nothing written (waiting.h). */
static void
tell_waiting(struct sched *s, long long now)
{
	struct sched_waiting	 w;
	struct sched_notice	 n = { SCHED_WAITING, NULL, NULL, 0, NULL,
				    &w };
	struct waiting_parts	 wp = { s->rows, s->p.verdicts, s->p.pace,
				    s->next, s->budget_held, -1 };

	if (!waiting(s))
		return;
	if (s->interrupted)
		wp.grace_end = s->grace_end;
	if (waiting_due(&s->wait, now, &wp, &w, &n.ms) && s->notify != NULL)
		s->notify(s->arg, &n);
}

int
sched_turn(struct sched *s, long long now, char *err, size_t errlen)
{
	s->now = now;
	waiting_start(&s->wait, now);
	if (s->t != NULL) {
		if (s->t->ops->quiet != NULL && s->t->ops->quiet(s->t->impl,
		    now, (s->told_quiet = quiet(s)), err, errlen) == -1)
			return -1;
		/* Finished rows first: they free the places new ones take. */
		if (finish_rows(s, now) == -1)
			goto nomem;
		/* No row can succeed: take in and send nothing more. */
		if (sched_stopped(s))
			return 0;
		if (s->t->ops->work(s->t->impl, now, err, errlen) == -1)
			return -1;
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
	    room(s, 0) > 0;
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

	/* Rows to start now: a batch cut short, or lines already read;
	 * or the input's end to tell. */
	if (s->more || (s->next == NULL && may_read(s) &&
	    !lines_need(s->p.in) && !lines_done(s->p.in) && room(s, now) > 0))
		return 0;
	if (keeps_state(s) && s->reading && lines_done(s->p.in))
		return 0;
	/* Quiet now, or no longer: a turn tells the transport. */
	if (keeps_state(s) && quiet(s) != s->told_quiet)
		return 0;
	if (s->t != NULL) {
		t = s->t->ops->timeout(s->t->impl, now);
		/* Its rows wait for the output. */
		if (t == 0 && s->t->parks &&
		    output_pending(s->p.out) >= OUT_HIGH)
			t = -1;
	}
	/* A row the pace holds goes first: the rows due behind it wait
	 * for it, and waking for them would only spin. */
	if (s->next != NULL) {
		/* With no room, or held for money, a transfer's end wakes
		 * the caller. */
		if (room(s, now) > 0 && !s->budget_held)
			t = min_timeout(t, s->t->ops->wait(s->t->impl,
			    s->next, now));
	} else if ((due = rows_next_due(s->rows)) >= 0 && s->t != NULL &&
	    room(s, now) > 0)
		t = min_timeout(t, due > now ? due - now : 0);
	if (s->interrupted)
		t = min_timeout(t, s->grace_end > now ? s->grace_end - now : 0);
	if (waiting(s))
		t = min_timeout(t, waiting_timeout(&s->wait, now));
	return t;
}

int
sched_over(const struct sched *s, long long now)
{
	if (s->interrupted && now >= s->grace_end)
		return 1;
	return (!s->reading || s->interrupted) && (s->t == NULL ||
	    s->t->ops->over(s->t->impl, now)) &&
	    s->next == NULL && rows_waiting(s->rows) == 0 &&
	    output_pending(s->p.out) == 0;
}

int
sched_stopped(const struct sched *s)
{
	return s->stopped || (s->t != NULL &&
	    s->t->ops->stopped(s->t->impl));
}

int
sched_broke(const struct sched *s)
{
	return s->broke;
}

int
sched_interrupt(struct sched *s, long long now, char *err, size_t errlen)
{
	struct row	*r;

	if (s->interrupted)
		return 0;
	s->interrupted = 1;
	s->grace_end = now + s->cfg.grace_ms;
	if (s->t != NULL)
		s->t->ops->interrupt(s->t->impl, now);
	verdict_deadline(s->p.verdicts, s->grace_end);
	/* A row read but never sent is as if never read. */
	if ((r = s->next) != NULL && r->attempts == 0) {
		s->next = NULL;
		if (claim_drop(s->claim, r) == -1) {
			snprintf(err, errlen, "out of memory");
			return -1;
		}
	}
	return 0;
}

int
sched_scale(struct sched *s, double f)
{
	if (s->p.pool == NULL)
		return 0;
	return pace_scale(s->p.pace, f);
}
