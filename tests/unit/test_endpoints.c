#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "endpoints.h"

/* A finished transfer: a status (0: no answer), a latency, headers. */
static struct xfer *
xfer(struct xfer *x, enum xfer_result res, long status, long long ms)
{
	memset(x, 0, sizeof(*x));
	x->result = res;
	x->status = status;
	x->elapsed_ms = ms;
	return x;
}

static struct endpoints *
three(void)
{
	struct endpoints_config	 c = { 3, 1000, 8000 };
	struct endpoints	*e = endpoints_new(&c);

	CHECK(e != NULL);
	CHECK(endpoints_add(e, "a") == 0);
	CHECK(endpoints_add(e, "b") == 1);
	CHECK(endpoints_add(e, "c") == 2);
	return e;
}

/* Start n requests at now, counting where each went. */
static void
start(struct endpoints *e, long long now, int n, int window, int *count)
{
	int	 k, i;

	for (i = 0; i < n; i++) {
		k = endpoints_pick(e, now, 0, window);
		CHECK(k >= 0);
		if (k < 0)
			return;
		endpoints_start(e, k);
		count[k]++;
	}
}

static void
test_headroom(void)
{
	struct endpoints	*e = three();
	struct xfer		 x;
	int			 n[3] = { 0 }, k;

	/* Unmeasured: the window split evenly. */
	start(e, 0, 30, 30, n);
	CHECK(n[0] == 10 && n[1] == 10 && n[2] == 10);
	CHECK(endpoints_all(e) == 7);
	/* One answers in 50 ms, the others in 200: it gets the larger
	 * share, and a row goes to it while it has room. */
	for (k = 0; k < 10; k++) {
		endpoints_done(e, 0, 100, xfer(&x, XFER_RESPONSE, 200, 50));
		endpoints_done(e, 1, 100, xfer(&x, XFER_RESPONSE, 200, 200));
		endpoints_done(e, 2, 100, xfer(&x, XFER_RESPONSE, 200, 200));
	}
	memset(n, 0, sizeof(n));
	start(e, 100, 30, 30, n);
	CHECK(n[0] == 20 && n[1] == 5 && n[2] == 5);
	/* A row goes nowhere it has failed. */
	CHECK(endpoints_pick(e, 100, 1, 30) != 0);
	CHECK(endpoints_pick(e, 100, 7, 30) == -1);
	endpoints_free(e);
}

static void
test_aside(void)
{
	struct endpoints	*e = three();
	const struct stats_endpoint *st;
	struct xfer		 x;
	size_t			 n;
	int			 c[3] = { 0 }, k;

	start(e, 0, 6, 6, c);
	/* Two refusals, then an answer: not set aside. */
	CHECK(endpoints_done(e, 1, 10, xfer(&x, XFER_NETWORK, 0, 1)) ==
	    ENDPOINTS_SAME);
	CHECK(endpoints_done(e, 1, 10, xfer(&x, XFER_RESPONSE, 503, 1)) ==
	    ENDPOINTS_SAME);
	CHECK(endpoints_done(e, 1, 10, xfer(&x, XFER_RESPONSE, 400, 1)) ==
	    ENDPOINTS_SAME);
	/* Three in a row: aside for 1 s; nothing goes to it meanwhile. */
	start(e, 20, 3, 6, c);
	CHECK(endpoints_done(e, 1, 20, xfer(&x, XFER_TIMEOUT, 0, 1)) ==
	    ENDPOINTS_SAME);
	CHECK(endpoints_done(e, 1, 20, xfer(&x, XFER_RESPONSE, 502, 1)) ==
	    ENDPOINTS_SAME);
	CHECK(endpoints_done(e, 1, 30, xfer(&x, XFER_NETWORK, 0, 1)) ==
	    ENDPOINTS_ASIDE);
	CHECK(endpoints_aside_ms(e, 1) == 1000);
	CHECK(!endpoints_hopeless(e));
	for (k = 0; k < 20; k++)
		CHECK(endpoints_pick(e, 500, 0, 6) != 1);
	/* A row that failed on the others waits until it is due. */
	CHECK(endpoints_pick(e, 500, 5, 6) == -1);
	CHECK(endpoints_next_ready(e, 500, 5) == 1030);
	/* Another failure from before it was set aside changes nothing. */
	CHECK(endpoints_done(e, 1, 600, xfer(&x, XFER_NETWORK, 0, 1)) ==
	    ENDPOINTS_SAME);
	/* Due: one probe, first, and only one. */
	CHECK(endpoints_pick(e, 1030, 0, 6) == 1);
	endpoints_start(e, 1);
	CHECK(endpoints_pick(e, 1030, 5, 6) == -1);
	CHECK(endpoints_next_ready(e, 1030, 5) == -1);
	/* It fails: aside for twice as long, then 4 s, then the cap. */
	CHECK(endpoints_done(e, 1, 1040, xfer(&x, XFER_NETWORK, 0, 1)) ==
	    ENDPOINTS_ASIDE);
	CHECK(endpoints_aside_ms(e, 1) == 2000);
	CHECK(endpoints_pick(e, 3039, 5, 6) == -1);
	CHECK(endpoints_pick(e, 3040, 5, 6) == 1);
	endpoints_start(e, 1);
	CHECK(endpoints_done(e, 1, 3050, xfer(&x, XFER_NETWORK, 0, 1)) ==
	    ENDPOINTS_ASIDE);
	CHECK(endpoints_aside_ms(e, 1) == 4000);
	CHECK(endpoints_pick(e, 7050, 5, 6) == 1);
	endpoints_start(e, 1);
	CHECK(endpoints_done(e, 1, 7060, xfer(&x, XFER_NETWORK, 0, 1)) ==
	    ENDPOINTS_ASIDE);
	CHECK(endpoints_aside_ms(e, 1) == 8000);
	CHECK(endpoints_pick(e, 15060, 5, 6) == 1);
	endpoints_start(e, 1);
	CHECK(endpoints_done(e, 1, 15070, xfer(&x, XFER_NETWORK, 0, 1)) ==
	    ENDPOINTS_ASIDE);
	CHECK(endpoints_aside_ms(e, 1) == 8000);
	/* A probe answered: taken back, and the backoff starts over. */
	CHECK(endpoints_pick(e, 23070, 5, 6) == 1);
	endpoints_start(e, 1);
	CHECK(endpoints_done(e, 1, 23100, xfer(&x, XFER_RESPONSE, 200, 30)) ==
	    ENDPOINTS_BACK);
	CHECK(endpoints_pick(e, 23100, 5, 6) == 1);
	st = endpoints_stats(e, &n);
	CHECK(n == 3);
	CHECK(strcmp(st[1].name, "b") == 0);
	CHECK(st[1].rows == 1 && st[1].latency_ms == 30);
	CHECK(st[1].errors == 11);
	CHECK(st[1].set_aside == 5);
	CHECK(st[0].rows == 0 && st[0].errors == 0);
	endpoints_free(e);
}

static void
test_hold(void)
{
	struct endpoints	*e = three();
	struct xfer		 x;
	int			 c[3] = { 0 }, k;

	start(e, 0, 3, 3, c);
	/* A 429 with Retry-After: that endpoint alone waits. */
	xfer(&x, XFER_RESPONSE, 429, 1);
	strlcpy(x.header[XH_RETRY_AFTER], "2", XFER_HEADER_LEN);
	CHECK(endpoints_done(e, 0, 100, &x) == ENDPOINTS_SAME);
	for (k = 0; k < 10; k++)
		CHECK(endpoints_pick(e, 2099, 0, 30) != 0);
	CHECK(endpoints_next_ready(e, 500, 6) == 2100);
	CHECK(endpoints_pick(e, 2100, 6, 30) == 0);
	/* Without a wait named: a backoff that doubles, 0.5 s, then 1 s. */
	CHECK(endpoints_done(e, 2, 3000, xfer(&x, XFER_RESPONSE, 429, 1)) ==
	    ENDPOINTS_SAME);
	CHECK(endpoints_next_ready(e, 3000, 3) == 3500);
	endpoints_start(e, 2);
	CHECK(endpoints_done(e, 2, 4000, xfer(&x, XFER_RESPONSE, 429, 1)) ==
	    ENDPOINTS_SAME);
	CHECK(endpoints_next_ready(e, 4000, 3) == 5000);
	/* Refusals never set it aside: it is busy, not down. */
	CHECK(endpoints_done(e, 2, 5000, xfer(&x, XFER_RESPONSE, 429, 1)) ==
	    ENDPOINTS_SAME);
	/* An announced remainder of 0 holds it until the reset. */
	xfer(&x, XFER_RESPONSE, 200, 40);
	strlcpy(x.header[XH_RL_REMAINING_REQUESTS], "0", XFER_HEADER_LEN);
	strlcpy(x.header[XH_RL_RESET_REQUESTS], "1.5s", XFER_HEADER_LEN);
	endpoints_start(e, 1);
	CHECK(endpoints_done(e, 1, 6000, &x) == ENDPOINTS_SAME);
	CHECK(endpoints_next_ready(e, 6000, 5) == 7500);
	CHECK(endpoints_classify(&x) == ENDPOINTS_ANSWERED);
	CHECK(endpoints_classify(xfer(&x, XFER_RESPONSE, 404, 1)) ==
	    ENDPOINTS_OTHER);
	CHECK(endpoints_classify(xfer(&x, XFER_RESPONSE, 501, 1)) ==
	    ENDPOINTS_OTHER);
	CHECK(endpoints_classify(xfer(&x, XFER_RESPONSE, 524, 1)) ==
	    ENDPOINTS_DOWN);
	CHECK(endpoints_classify(xfer(&x, XFER_TOOBIG, 200, 1)) ==
	    ENDPOINTS_OTHER);
	endpoints_free(e);
}

/* Every endpoint down before any answered: no row can succeed. */
static void
test_hopeless(void)
{
	struct endpoints	*e = three();
	struct xfer		 x;
	int			 c[3] = { 0 }, k, i;

	start(e, 0, 9, 9, c);
	for (k = 0; k < 3; k++) {
		CHECK(!endpoints_hopeless(e));
		for (i = 0; i < 3; i++)
			endpoints_done(e, k, 10, xfer(&x, XFER_NETWORK, 0, 1));
	}
	CHECK(endpoints_hopeless(e));
	endpoints_free(e);
	/* Once one answered, never. */
	e = three();
	start(e, 0, 10, 10, c);
	endpoints_done(e, 0, 10, xfer(&x, XFER_RESPONSE, 200, 1));
	for (k = 0; k < 3; k++)
		for (i = 0; i < 3; i++)
			endpoints_done(e, k, 20, xfer(&x, XFER_NETWORK, 0, 1));
	CHECK(!endpoints_hopeless(e));
	endpoints_free(e);
	endpoints_free(NULL);
}

static void
test_limit(void)
{
	struct endpoints_config	 c = { 3, 1000, 8000 };
	struct endpoints	*e = endpoints_new(&c);
	int			 k;

	for (k = 0; k < ENDPOINTS_MAX; k++)
		CHECK(endpoints_add(e, "x") == k);
	CHECK(endpoints_add(e, "x") == -1);
	CHECK(endpoints_all(e) == UINT64_MAX);
	CHECK(endpoints_count(e) == ENDPOINTS_MAX);
	endpoints_free(e);
}

int
main(void)
{
	test_headroom();
	test_aside();
	test_hold();
	test_hopeless();
	test_limit();
	return check_done("test_endpoints");
}
