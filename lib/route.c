#include "route.h"

#define NO_ENDPOINT_MS	100	/* look again for an endpoint after this */

int
route_pick(struct endpoints *e, struct row *r, long long now, int window)
{
	long long	 at;
	int		 k;

	if ((k = endpoints_pick(e, now, r->tried, window)) == -1) {
		at = endpoints_next_ready(e, now, r->tried);
		r->due = at > now ? at : now + NO_ENDPOINT_MS;
		return 0;
	}
	endpoints_start(e, k);
	r->endpoint = r->xfer.target = k;
	r->endpoint_name = endpoints_name(e, k);
	return 1;
}

int
route_move(struct endpoints *e, struct row *r, const struct xfer *x,
    long long now)
{
	enum endpoints_outcome	 o = endpoints_classify(x);
	uint64_t		 live = endpoints_live(e);

	if (o != ENDPOINTS_DOWN && o != ENDPOINTS_REFUSED &&
	    o != ENDPOINTS_DENIED)
		return 0;
	/* None left whose key is taken: the verdict stops the run. */
	if (live == 0)
		return 0;
	r->tried |= (uint64_t)1 << r->endpoint;
	if ((r->tried & live) == live) {
		/* Every one left failed it: the verdict decides, and a retry
		 * starts a new round.  A key refused is no failure of the
		 * row: it starts the new round at once. */
		r->tried = 0;
		if (o != ENDPOINTS_DENIED)
			return 0;
	}
	/* What it would fail with if it went no further (an interrupt). */
	rows_set_error(r, x->result == XFER_TIMEOUT ? ROW_ERR_TIMEOUT :
	    x->result == XFER_NETWORK ? ROW_ERR_NETWORK : ROW_ERR_HTTP,
	    x->status);
	if (x->result != XFER_RESPONSE ? buf_adds(&r->msg, x->error) == -1 :
	    buf_adds(&r->msg, o == ENDPOINTS_REFUSED ? "rate limited at " :
	    o == ENDPOINTS_DENIED ? "the API key refused at " :
	    "server error at ") == -1 || buf_adds(&r->msg,
	    endpoints_name(e, r->endpoint)) == -1)
		return -1;
	r->due = now;
	return 1;
}

int
route_verdict(const struct endpoints *e, struct row *r, struct verdict *v)
{
	if ((v->kind == VERDICT_RETRY || v->kind == VERDICT_FAIL) &&
	    r->error == ROW_ERR_NETWORK && endpoints_hopeless(e)) {
		/* What one dead server does to the first window. */
		if (buf_adds(&r->msg, " (every endpoint failed so)") == -1)
			return -1;
		v->kind = VERDICT_STOP;
	}
	/* Which endpoint's answer stops the run (a wrong key). */
	if (v->kind == VERDICT_STOP && (buf_adds(&r->msg, " (at ") == -1 ||
	    buf_adds(&r->msg, r->endpoint_name) == -1 ||
	    buf_addc(&r->msg, ')') == -1))
		return -1;
	return 0;
}
