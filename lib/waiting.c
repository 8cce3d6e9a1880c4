/*
 * What the rows that wait are waiting on.  See waiting.h.
 */
#include <string.h>

#include "waiting.h"

void
waiting_start(struct waiting *wt, long long now)
{
	if (wt->started)
		return;
	wt->started = 1;
	wt->quiet_since = now;
	wt->say_at = -1;
}

void
waiting_written(struct waiting *wt, long long now)
{
	wt->quiet_since = now;
	wt->say_at = -1;
}

int
waiting_due(struct waiting *wt, long long now,
    const struct waiting_parts *p, struct sched_waiting *w,
    long long *quiet)
{
	const struct verdict_config	*vc = verdict_limits(p->verdicts);
	const struct row		*r;
	long long			 wait;

	if (!wt->started)
		waiting_start(wt, now);
	if (wt->say_at < 0) {
		wt->say_at = now + WAITING_SAY_MS;
		wt->say_every = WAITING_SAY_MS;
	}
	if (now < wt->say_at)
		return 0;
	wt->say_every = wt->say_every * 2 > WAITING_SAY_MAX ?
	    WAITING_SAY_MAX : wt->say_every * 2;
	wt->say_at = now + wt->say_every;
	memset(w, 0, sizeof(*w));
	w->max_429 = vc->max_429;
	w->max_retries = vc->retries;
	w->stall_end = verdict_stall_end(p->verdicts);
	w->next = w->held = w->grace_end = -1;
	for (r = NULL; (r = rows_next_waiting(p->rows, r)) != NULL;) {
		w->rows++;
		if (w->next < 0 || r->due < w->next)
			w->next = r->due;
		if (r->error == ROW_ERR_HTTP && r->status == 429) {
			w->refused++;
			if (r->refusals > w->refusals)
				w->refusals = r->refusals;
		} else {
			w->retrying++;
			if (r->retries > w->retries)
				w->retries = r->retries;
		}
	}
	if (p->next != NULL && p->budget_held)
		w->budget = 1;
	else if (p->next != NULL && (wait = pace_wait(p->pace, now,
	    p->next->cost)) > 0)
		w->held = now + wait;
	w->grace_end = p->grace_end;
	if (w->rows == 0 && w->held < 0 && !w->budget)
		return 0;
	*quiet = now - wt->quiet_since;
	return 1;
}

long long
waiting_timeout(const struct waiting *wt, long long now)
{
	if (wt->say_at < 0)
		return -1;
	return wt->say_at > now ? wt->say_at - now : 0;
}
