/*
 * Route: rows among two endpoints, "a" and "b", each set aside by its
 * first failure (fail_limit 1) for a second.  The transfers are made by
 * hand, as in test_endpoints.
 */
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "route.h"

static struct xfer *
xfer(struct xfer *x, enum xfer_result res, long status)
{
	memset(x, 0, sizeof(*x));
	x->result = res;
	x->status = status;
	x->elapsed_ms = 5;
	if (res != XFER_RESPONSE)
		strlcpy(x->error, "Connection refused", sizeof(x->error));
	return x;
}

/* The endpoints, and a row from rows of its own. */
struct harness {
	struct endpoints	*e;
	struct rows		*rows;
	struct row		*r;
};

static void
setup(struct harness *h)
{
	struct endpoints_config	 c = { 1, 1000, 8000 };

	if ((h->e = endpoints_new(&c)) == NULL ||
	    endpoints_add(h->e, "a") != 0 || endpoints_add(h->e, "b") != 1 ||
	    (h->rows = rows_new()) == NULL ||
	    (h->r = rows_get(h->rows)) == NULL)
		abort();
}

static void
teardown(struct harness *h)
{
	rows_put(h->rows, h->r);
	rows_free(h->rows);
	endpoints_free(h->e);
}

/* A test with endpoints and a row of its own. */
static void
run(void (*test)(struct endpoints *, struct row *))
{
	struct harness	 h;

	setup(&h);
	test(h.e, h.r);
	teardown(&h);
}

static void
test_pick(struct endpoints *e, struct row *r)
{
	struct xfer	 x;

	/* A row goes to an endpoint, and its request with it. */
	CHECK(route_pick(e, r, 0, 10) == 1);
	CHECK(r->endpoint == 0 && r->xfer.target == 0);
	CHECK(r->endpoint_name != NULL && strcmp(r->endpoint_name, "a") == 0);
	/* Failed on a: it goes to b. */
	r->tried = 1;
	CHECK(route_pick(e, r, 0, 10) == 1);
	CHECK(r->endpoint == 1 && strcmp(r->endpoint_name, "b") == 0);
	/* Failed on both: none may take it, look again soon. */
	r->tried = 3;
	r->due = -1;
	CHECK(route_pick(e, r, 50, 10) == 0);
	CHECK(r->due == 150);
	/* b set aside for a second, a failed it: it waits for b's probe. */
	endpoints_done(e, 1, 100, xfer(&x, XFER_NETWORK, 0));
	r->tried = 1;
	CHECK(route_pick(e, r, 200, 10) == 0);
	CHECK(r->due == 1100);
	CHECK(route_pick(e, r, 1100, 10) == 1 && r->endpoint == 1);
}

static void
test_move(struct endpoints *e, struct row *r)
{
	struct xfer	 x;

	/* No answer from a: on to b at once, the error ready in case it
	 * goes no further. */
	r->endpoint = 0;
	CHECK(route_move(e, r, xfer(&x, XFER_NETWORK, 0), 40) == 1);
	CHECK(r->tried == 1 && r->due == 40);
	CHECK(r->error == ROW_ERR_NETWORK);
	CHECK_BUF(r->msg, "Connection refused");
	/* A 429 from b as well: every one failed it, the verdict decides
	 * and a retry starts a new round. */
	r->endpoint = 1;
	r->due = -1;
	CHECK(route_move(e, r, xfer(&x, XFER_RESPONSE, 429), 50) == 0);
	CHECK(r->tried == 0 && r->due == -1);
	/* Each says where it failed. */
	CHECK(route_move(e, r, xfer(&x, XFER_RESPONSE, 429), 60) == 1);
	CHECK(r->tried == 2 && r->error == ROW_ERR_HTTP && r->status == 429);
	CHECK_BUF(r->msg, "rate limited at b");
	r->tried = 0;
	r->endpoint = 0;
	CHECK(route_move(e, r, xfer(&x, XFER_RESPONSE, 503), 70) == 1);
	CHECK_BUF(r->msg, "server error at a");
	r->tried = 0;
	CHECK(route_move(e, r, xfer(&x, XFER_TIMEOUT, 0), 70) == 1);
	CHECK(r->error == ROW_ERR_TIMEOUT);
	/* An answer, or one that is the row's business: it stays. */
	r->tried = 0;
	CHECK(route_move(e, r, xfer(&x, XFER_RESPONSE, 200), 80) == 0);
	CHECK(route_move(e, r, xfer(&x, XFER_RESPONSE, 400), 80) == 0);
	CHECK(r->tried == 0);
}

static void
test_verdict(struct endpoints *e, struct row *r)
{
	struct verdict	 v = { 0 };
	struct xfer	 x;

	CHECK(route_pick(e, r, 0, 10) == 1);
	rows_set_error(r, ROW_ERR_NETWORK, 0);
	/* A retry stays a retry while an endpoint may answer. */
	v.kind = VERDICT_RETRY;
	CHECK(route_verdict(e, r, &v) == 0);
	CHECK(v.kind == VERDICT_RETRY && r->msg.len == 0);
	/* A stop names the endpoint whose answer it was. */
	v.kind = VERDICT_STOP;
	CHECK(route_verdict(e, r, &v) == 0);
	CHECK_BUF(r->msg, " (at a)");
	/* Both set aside, none ever answered: no row can succeed. */
	endpoints_done(e, 0, 10, xfer(&x, XFER_NETWORK, 0));
	endpoints_done(e, 1, 10, xfer(&x, XFER_NETWORK, 0));
	rows_set_error(r, ROW_ERR_NETWORK, 0);
	v.kind = VERDICT_FAIL;
	CHECK(route_verdict(e, r, &v) == 0);
	CHECK(v.kind == VERDICT_STOP);
	CHECK_BUF(r->msg, " (every endpoint failed so) (at a)");
	/* Not a network failure: the verdict stands. */
	rows_set_error(r, ROW_ERR_HTTP, 401);
	v.kind = VERDICT_FAIL;
	CHECK(route_verdict(e, r, &v) == 0);
	CHECK(v.kind == VERDICT_FAIL && r->msg.len == 0);
}

/*
 * A 401 at one endpoint: its key is refused there, for good.  The row
 * goes to another at once, and so does every row it had in flight; only
 * when none is left does the verdict decide (and stop the run).
 */
static void
test_denied(struct endpoints *e, struct row *r)
{
	struct xfer	 x;

	CHECK(endpoints_classify(xfer(&x, XFER_RESPONSE, 401)) ==
	    ENDPOINTS_DENIED);
	CHECK(endpoints_live(e) == 3);
	CHECK(route_pick(e, r, 0, 10) == 1 && r->endpoint == 0);
	CHECK(endpoints_done(e, 0, 10, xfer(&x, XFER_RESPONSE, 401)) ==
	    ENDPOINTS_GONE);
	CHECK(endpoints_live(e) == 2);
	CHECK(route_move(e, r, &x, 10) == 1);
	CHECK(r->tried == 1 && r->due == 10 && r->status == 401);
	CHECK_BUF(r->msg, "the API key refused at a");
	/* Said once: another of its rows comes back refused, and goes too. */
	CHECK(endpoints_done(e, 0, 11, &x) == ENDPOINTS_SAME);
	/* Only b takes rows now, whatever the headroom, and a is never
	 * probed, however long it waits. */
	r->tried = 0;
	CHECK(route_pick(e, r, 20, 10) == 1 && r->endpoint == 1);
	CHECK(route_pick(e, r, 1000000, 10) == 1 && r->endpoint == 1);
	CHECK(endpoints_pick(e, 1000000, 0, 10) == 1);
	/* An answer from a (a request of before) does not take it back. */
	CHECK(endpoints_done(e, 0, 30, xfer(&x, XFER_RESPONSE, 200)) ==
	    ENDPOINTS_SAME);
	CHECK(endpoints_pick(e, 1000000, 0, 10) == 1);
	/* A row b failed (a 5xx): every one left failed it, the verdict
	 * decides; b set aside, the row waits for b's probe, not for a. */
	r->tried = 0;
	r->endpoint = 1;
	CHECK(endpoints_done(e, 1, 40, xfer(&x, XFER_RESPONSE, 503)) ==
	    ENDPOINTS_ASIDE);
	CHECK(route_move(e, r, &x, 40) == 0 && r->tried == 0);
	r->due = -1;
	CHECK(route_pick(e, r, 50, 10) == 0 && r->due == 1040);
	CHECK(endpoints_next_ready(e, 50, 0) == 1040);
	/* A row that b failed and a refused: a new round at once, at b. */
	r->tried = 2;
	r->endpoint = 0;
	CHECK(route_move(e, r, xfer(&x, XFER_RESPONSE, 401), 60) == 1);
	CHECK(r->tried == 0 && r->due == 60);
	/* b refuses the key too: none left, the verdict decides. */
	r->endpoint = 1;
	CHECK(endpoints_done(e, 1, 2000, xfer(&x, XFER_RESPONSE, 401)) ==
	    ENDPOINTS_GONE);
	CHECK(endpoints_live(e) == 0);
	CHECK(route_move(e, r, &x, 2000) == 0);
}

int
main(void)
{
	run(test_pick);
	run(test_move);
	run(test_verdict);
	run(test_denied);
	return check_done("test_route");
}
