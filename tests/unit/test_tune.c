#include <stdlib.h>

#include "check.h"
#include "limit.h"
#include "tune.h"

/*
 * A simulated server that admits R requests a second with a second's
 * burst, as tests/mock --rps does, against the tuning: the rate settles
 * just under R with few 429s.
 */
static void
simulate(double R, int *ok, int *refused, double *rate)
{
	struct tune	*t = tune_new(10000, 0);
	struct limit	*l = limit_new(0, 0);
	double		 bucket = R;
	long long	 now;

	*ok = *refused = 0;
	for (now = 0; now < 30000; now++) {
		bucket += R / 1000;
		if (bucket > R)
			bucket = R;
		tune_tick(t, now);
		limit_set_rpm(l, now, tune_rpm(t));
		while (limit_wait(l, now, 1) == 0) {
			limit_take(l, now, 1);
			tune_started(t, now);
			if (bucket >= 1) {
				bucket -= 1;
				tune_success(t, now, 20);
				(*ok)++;
			} else {
				tune_ratelimited(t, now);
				(*refused)++;
			}
		}
	}
	*rate = tune_rpm(t) / 60;
	tune_free(t);
	limit_free(l);
}

int
main(void)
{
	struct tune	*t;
	double		 rate;
	int		 ok, refused;

	/* Slow start: the rate doubles every half second while it binds. */
	t = tune_new(10000, 0);
	CHECK(tune_rpm(t) == 600);
	for (ok = 0; ok < 20; ok++)
		tune_started(t, 0);
	tune_tick(t, 500);
	CHECK(tune_rpm(t) > 1190 && tune_rpm(t) < 1210);
	/* Not while something else holds the run back. */
	tune_tick(t, 2000);
	CHECK(tune_rpm(t) > 1190 && tune_rpm(t) < 1210);
	/* A first 429 cuts the rate: by BACKOFF, or below what passed in the
	 * last second when that is less. */
	tune_ratelimited(t, 2100);
	CHECK(tune_rpm(t) > 0.85 * 1200 - 1 && tune_rpm(t) < 0.85 * 1200 + 1);
	/* The next 429 measures the rate: 50 passed in the second between. */
	tune_scale(t, 10);		/* 170 a second, too many */
	for (ok = 0; ok < 50; ok++)
		tune_success(t, 2150 + ok * 19, 20);
	tune_ratelimited(t, 3100);
	CHECK(tune_rpm(t) > 0.97 * 50 * 60 - 1 && tune_rpm(t) < 0.97 * 50 * 60 + 1);
	/* 429s closer together than 100 ms are one event. */
	tune_ratelimited(t, 3150);
	CHECK(tune_rpm(t) > 0.97 * 50 * 60 - 1);
	/* The window follows the rate and the latency, within bounds. */
	CHECK(tune_window(t) >= 4 && tune_window(t) <= 10000);
	tune_scale(t, 1.1);
	CHECK(tune_rpm(t) > 3150);
	tune_free(t);

	/* Against the simulated wall. */
	simulate(50, &ok, &refused, &rate);
	CHECK(ok >= 0.9 * 50 * 31);		/* 30 s and the burst */
	CHECK(refused * 50 < ok);		/* under 2% */
	CHECK(rate > 45 && rate < 56);
	simulate(400, &ok, &refused, &rate);
	CHECK(ok >= 0.9 * 400 * 31);
	CHECK(refused * 50 < ok);

	/* Announced limits: paced at the refill rate, not held. */
	{
		struct limit	*l = limit_new(0, 0);

		/* 50 a second, 2 left, a second to fill: 1 every 20 ms. */
		CHECK(limit_server(l, 0, LIMIT_REQUESTS, 50, 2, 960, 0) > 49);
		CHECK(limit_wait(l, 0, 1) == 0);
		limit_take(l, 0, 1);
		limit_take(l, 0, 1);
		CHECK(limit_wait(l, 0, 1) > 0 && limit_wait(l, 0, 1) <= 20);
		/* Plenty left: no pacing. */
		CHECK(limit_server(l, 5, LIMIT_REQUESTS, 50, 40, 200, 0) == 0);
		CHECK(limit_wait(l, 5, 1) == 0);
		/* Tokens the same way; the in-flight share counts. */
		CHECK(limit_server(l, 5, LIMIT_TOKENS, 10000, 900, 1000, 800) >
		    0);
		CHECK(limit_wait(l, 5, 500) > 0);
		CHECK(limit_server(l, 5, LIMIT_TOKENS, -1, -1, 1000, 0) == 0);
		limit_free(l);
	}
	CHECK(limit_duration("1s") == 1000);
	CHECK(limit_duration("6m0s") == 360000);
	CHECK(limit_duration("12ms") == 12);
	CHECK(limit_duration("1.5s") == 1500);
	CHECK(limit_duration("1h2m3s") == 3723000);
	CHECK(limit_duration("2") == 2000);
	CHECK(limit_duration("") == -1);
	CHECK(limit_duration("soon") == -1);
	CHECK(limit_duration("5x") == -1);
	return check_done("test_tune");
}
