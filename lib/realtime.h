/*
 * Realtime: a request each, as its own transfer on the pool, as fast as
 * the pace allows: the transport (transport.h) of a run without
 * --batch-api.
 *
 * A row goes when the pace (pace.h) says it may, to the endpoint with the
 * most headroom when there are several (route.h), and is in flight until
 * its transfer ends; then the pace hears of it, the endpoint counts it
 * and may set itself aside, a row an endpoint refused goes at once to
 * another (route_move: it waits among the rows, and comes back as
 * TRANSPORT_AGAIN), and a server that holds every request past
 * --max-wait stops the run.  Each turn the pace's window is applied to
 * the pool, and the reorder buffer of --ordered grown with it.
 *
 * It owns nothing but itself; realtime_parts is borrowed.  What the user
 * may want to hear of comes to tell.  Not here: what the attempt means
 * (finish.h), which row goes next (sched.h).
 */
#ifndef ENRICH_REALTIME_H
#define ENRICH_REALTIME_H

#include "endpoints.h"
#include "output.h"
#include "pace.h"
#include "pool.h"
#include "rows.h"
#include "stats.h"
#include "transport.h"

enum realtime_event {
	REALTIME_STALLED,	/* the server holds every request ms */
	REALTIME_ASIDE,		/* endpoint text is set aside for ms */
	REALTIME_BACK,		/* endpoint text is taken back */
	REALTIME_GONE		/* endpoint text refused the key (401): set
				 * aside for the run */
};

struct realtime_parts {
	struct pool	*pool;
	struct pace	*pace;
	struct endpoints *endpoints;	/* several -u; NULL: one */
	struct rows	*rows;		/* a moved row waits here */
	struct stats	*stats;
	struct output	*out;
	int		 ordered;	/* --ordered: grow its buffer */
	void		(*tell)(void *, enum realtime_event, const struct row *,
			    long long, const char *);
	void		*arg;
};

struct realtime;

/* NULL if out of memory. */
struct realtime	*realtime_new(const struct realtime_parts *);
void		 realtime_free(struct realtime *);
void		 realtime_transport(struct realtime *, struct transport *);

#endif
