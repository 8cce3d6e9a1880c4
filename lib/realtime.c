#include <stdio.h>
#include <stdlib.h>

#include "realtime.h"
#include "route.h"

struct realtime {
	struct realtime_parts	 p;
	int			 window;	/* as the pool has it */
	int			 stalled;
	int			 nomem;
};

/* Rows held for --ordered: four windows, and at least 1024. */
static size_t
reorder(int window)
{
	return window < 256 ? 1024 : 4 * (size_t)window;
}

static int
set_window(struct realtime *rt, int w)
{
	pool_set_window(rt->p.pool, w);
	rt->window = pool_window(rt->p.pool);
	return rt->p.ordered ? output_grow(rt->p.out, reorder(rt->window)) :
	    0;
}

static void
tell(struct realtime *rt, enum realtime_event what, const struct row *r,
    long long ms, const char *text)
{
	if (rt->p.tell != NULL)
		rt->p.tell(rt->p.arg, what, r, ms, text);
}

struct realtime *
realtime_new(const struct realtime_parts *parts)
{
	struct realtime	*rt;

	if ((rt = calloc(1, sizeof(*rt))) == NULL)
		return NULL;
	rt->p = *parts;
	if (set_window(rt, pace_window(rt->p.pace)) == -1) {
		free(rt);
		return NULL;
	}
	return rt;
}

void
realtime_free(struct realtime *rt)
{
	free(rt);
}

static int
t_room(void *arg, long long now)
{
	struct realtime	*rt = arg;

	(void)now;
	return pool_room(rt->p.pool);
}

static long long
t_wait(void *arg, const struct row *r, long long now)
{
	struct realtime	*rt = arg;

	return pace_wait(rt->p.pace, now, r->cost);
}

static int
t_send(void *arg, struct row *r, long long now, char *err, size_t errlen)
{
	struct realtime	*rt = arg;

	if (rt->p.endpoints != NULL &&
	    !route_pick(rt->p.endpoints, r, now, rt->window))
		return TRANSPORT_MOVED;
	r->epoch = pace_start(rt->p.pace, now, r->cost);
	if (pool_submit(rt->p.pool, &r->xfer, err, errlen) == -1)
		return -1;
	return TRANSPORT_FLYING;
}

/*
 * Several endpoints: count the attempt against its endpoint, and say so
 * when that sets it aside or takes it back.  1 if the row goes at once to
 * another endpoint (route.h), and waits for it among the rows; -1 if out
 * of memory.
 */
static int
endpoint_done(struct realtime *rt, struct row *r, const struct xfer *x,
    long long now)
{
	struct endpoints	*e = rt->p.endpoints;
	int			 rv;

	switch (endpoints_done(e, r->endpoint, now, x)) {
	case ENDPOINTS_ASIDE:
		tell(rt, REALTIME_ASIDE, r, endpoints_aside_ms(e, r->endpoint),
		    endpoints_name(e, r->endpoint));
		break;
	case ENDPOINTS_BACK:
		tell(rt, REALTIME_BACK, r, 0, endpoints_name(e, r->endpoint));
		break;
	case ENDPOINTS_GONE:
		/* The last: the stop that follows says why. */
		if (endpoints_live(e) != 0)
			tell(rt, REALTIME_GONE, r, 0, endpoints_name(e,
			    r->endpoint));
		break;
	case ENDPOINTS_SAME:
		break;
	}
	if ((rv = route_move(e, r, x, now)) == 1)
		rows_wait(rt->p.rows, r);
	return rv;
}

static struct row *
t_done(void *arg, long long now, int *how)
{
	struct realtime	*rt = arg;
	struct xfer	*x;
	struct row	*r;
	long long	 stall;
	int		 moved;

	if (rt->stalled || (x = pool_done(rt->p.pool)) == NULL)
		return NULL;
	r = x->udata;
	r->attempts++;
	pace_end(rt->p.pace, r->cost);
	r->attempt_usd = -1;	/* this attempt's, when judged */
	r->attempt_prompt = -1;
	if (x->result == XFER_RESPONSE && x->status == 429)
		rt->p.stats->http429++;
	*how = TRANSPORT_JUDGE;
	/* Each endpoint reads its own announcements. */
	if (rt->p.endpoints != NULL) {
		if ((moved = endpoint_done(rt, r, x, now)) == -1) {
			rt->nomem = 1;	/* said at work */
			return NULL;
		}
		if (moved)
			*how = TRANSPORT_AGAIN;
	} else if (x->result == XFER_RESPONSE) {
		if ((stall = pace_response(rt->p.pace, now, x,
		    pool_active(rt->p.pool))) > 0) {
			tell(rt, REALTIME_STALLED, r, stall, NULL);
			rt->stalled = 1;
		}
	}
	return r;
}

static long long
t_timeout(void *arg, long long now)
{
	struct realtime	*rt = arg;

	return pool_timeout(rt->p.pool, now);
}

static int
t_work(void *arg, long long now, char *err, size_t errlen)
{
	struct realtime	*rt = arg;

	if (rt->nomem) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	pace_tick(rt->p.pace, now);
	if (pace_window(rt->p.pace) != rt->window &&
	    set_window(rt, pace_window(rt->p.pace)) == -1) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	return 0;
}

static int
t_busy(const void *arg)
{
	const struct realtime	*rt = arg;

	return pool_active(rt->p.pool);
}

static int
t_over(const void *arg, long long now)
{
	const struct realtime	*rt = arg;

	(void)now;
	return pool_active(rt->p.pool) == 0;
}

static void
t_interrupt(void *arg, long long now)
{
	(void)arg;
	(void)now;
}

static int
t_stopped(const void *arg)
{
	const struct realtime	*rt = arg;

	return rt->stalled;
}

static const struct transport_ops	 ops = {
	t_room, t_wait, t_send, t_done, t_timeout, t_work, t_busy, t_over,
	t_interrupt, NULL, NULL, NULL, NULL, t_stopped
};

void
realtime_transport(struct realtime *rt, struct transport *t)
{
	t->ops = &ops;
	t->impl = rt;
	t->parks = 0;
}
