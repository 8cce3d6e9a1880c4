#include <stdlib.h>

#include "check.h"
#include "limit.h"

/* Start requests of the given cost as fast as the limit allows, in
 * simulated time; return how many started in the first `ms`. */
static int
run(struct limit *l, long long cost, long long ms)
{
	long long	 now = 0, w;
	int		 n = 0;

	while (now < ms) {
		if ((w = limit_wait(l, now, cost)) > 0) {
			now += w;
			continue;
		}
		limit_take(l, now, cost);
		n++;
	}
	return n;
}

/* The same from `from` to `to`. */
static int
run_from(struct limit *l, long long cost, long long from, long long to)
{
	long long	 now = from, w;
	int		 n = 0;

	while (now < to) {
		if ((w = limit_wait(l, now, cost)) > 0) {
			now += w;
			continue;
		}
		limit_take(l, now, cost);
		n++;
	}
	return n;
}

int
main(void)
{
	struct limit	*l;
	int		 n;

	/* No limit: never waits. */
	l = limit_new(0, 0);
	CHECK(limit_wait(l, 0, 1000000) == 0);
	limit_take(l, 0, 1000000);
	CHECK(limit_wait(l, 0, 1000000) == 0);
	/* A hold makes even an unlimited run wait. */
	limit_hold(l, 500);
	CHECK(limit_wait(l, 100, 1) == 400);
	limit_hold(l, 200);		/* an earlier hold does not shorten it */
	CHECK(limit_wait(l, 100, 1) == 400);
	CHECK(limit_wait(l, 500, 1) == 0);
	limit_free(l);

	/* 6000 rpm = 100/s: a burst of 90 (0.9 s), then 100 a second. */
	l = limit_new(6000, 0);
	n = run(l, 0, 1);
	CHECK(n == 90);
	limit_free(l);
	l = limit_new(6000, 0);
	n = run(l, 0, 10000);
	CHECK(n >= 90 + 990 && n <= 90 + 1001);
	limit_free(l);

	/* 60 rpm: one a second, and the bucket holds at least one. */
	l = limit_new(60, 0);
	CHECK(limit_wait(l, 0, 0) == 0);
	limit_take(l, 0, 0);
	CHECK(limit_wait(l, 0, 0) == 1000);
	CHECK(limit_wait(l, 999, 0) == 1);
	CHECK(limit_wait(l, 1000, 0) == 0);
	limit_free(l);

	/* 60,000 tpm = 1000/s: 100-token requests go 10 a second. */
	l = limit_new(0, 60000);
	n = run(l, 100, 10000);
	CHECK(n >= 9 + 99 && n <= 9 + 101);
	limit_free(l);

	/* A request larger than the bucket still goes once it is full,
	 * and its debt delays the next one. */
	l = limit_new(0, 600);		/* 10 tokens/s, 9 held */
	CHECK(limit_wait(l, 0, 50) == 0);
	limit_take(l, 0, 50);
	CHECK(limit_wait(l, 0, 50) == 5000);	/* -41 up to 9 */
	limit_free(l);

	/* Corrections: a refund lets the next go sooner, a charge later. */
	l = limit_new(0, 60000);	/* 1000/s, 900 held */
	limit_take(l, 0, 900);
	CHECK(limit_wait(l, 0, 500) == 500);
	limit_adjust(l, 0, -400);	/* it used 500, not 900 */
	CHECK(limit_wait(l, 0, 500) == 100);
	limit_adjust(l, 0, 1000);	/* or 1000 more than thought */
	CHECK(limit_wait(l, 0, 500) == 1100);
	limit_adjust(l, 0, -100000);	/* a refund never overfills */
	CHECK(limit_wait(l, 0, 900) == 0);
	CHECK(limit_wait(l, 0, 901) == 0);	/* capped at the bucket */
	limit_free(l);
	limit_free(NULL);
	/*
	 * The server's tokens: 100 of 2,000 left, full in 1.9 s (1,000 a
	 * second).  Long after the reset, no more than the 2,000 its bucket
	 * holds start at once, and then only as fast as it refills: the
	 * announced budget never exceeds the last word refilled at the
	 * announced rate.  (Let go at the reset, it started without bound.)
	 */
	l = limit_new(0, 0);
	CHECK(limit_server(l, 0, LIMIT_TOKENS, 2000, 100, 1900, 0) > 999);
	CHECK(limit_wait(l, 0, 100) == 0);
	CHECK(limit_wait(l, 0, 500) == 400);
	CHECK(run_from(l, 900, 10000, 11000) == 3);
	CHECK(run_from(l, 900, 20000, 30000) == 2 + 11);
	/* In flight at the word: not there to be paid for. */
	CHECK(limit_server(l, 40000, LIMIT_TOKENS, 2000, 1500, 500, 1000) >
	    999);
	CHECK(limit_wait(l, 40000, 500) == 0);
	CHECK(limit_wait(l, 40000, 600) == 100);
	/* Full again, as of now (no reset): the last rate goes on. */
	CHECK(limit_server(l, 50000, LIMIT_TOKENS, 2000, 2000, 0, 0) > 999);
	CHECK(limit_wait(l, 50000, 2000) == 0);
	limit_take(l, 50000, 2000);
	CHECK(limit_wait(l, 50000, 100) == 100);
	limit_free(l);

	return check_done("test_limit");
}
