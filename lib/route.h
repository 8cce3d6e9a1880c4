/*
 * Route: which of several endpoints (-u given more than once) a row goes
 * to, and where it goes when one fails it.
 *
 * A row goes to the endpoint with the most headroom among those that have
 * not failed it (endpoints.h picks).  A row whose endpoint is down,
 * refuses it with a 429, or refuses the key with a 401 (set aside for
 * good), goes at once to another that has not failed it: not a retry,
 * not charged to -r; a 401 stops the run only when no endpoint is left.  Only when every endpoint has failed it
 * is the verdict asked, and a retry starts a new round; a network failure
 * when every endpoint is set aside and none ever answered stops the run,
 * and a stop names the endpoint whose answer stopped it.
 *
 * It changes the row and the endpoints it is given, nothing else: the
 * caller puts a row that must wait among its waiting rows (rows.h), counts
 * each attempt against its endpoint (endpoints_done) and tells the user
 * what that did.  Not here: an endpoint's health and headroom
 * (endpoints.h), what an attempt means for its row (verdict.h), when a
 * row starts (sched.h).
 */
#ifndef ENRICH_ROUTE_H
#define ENRICH_ROUTE_H

#include "endpoints.h"
#include "rows.h"
#include "verdict.h"

/*
 * A request of the row, at time now with this window for the run: 1 if
 * it starts at an endpoint (the row's endpoint, endpoint_name and target
 * set); 0 if none may take it now, r->due set to when to look again.
 */
int	 route_pick(struct endpoints *, struct row *, long long, int);
/*
 * The row's attempt ended with this transfer at now, counted against its
 * endpoint: 1 if the row goes at once to another endpoint (r->due is now,
 * and its error says what it would fail with if it went no further); 0
 * if the verdict decides; -1 if out of memory.
 */
int	 route_move(struct endpoints *, struct row *, const struct xfer *,
	    long long);
/* What several endpoints change in the row's verdict: 0, or -1 if out of
 * memory. */
int	 route_verdict(const struct endpoints *, struct row *,
	    struct verdict *);

#endif
