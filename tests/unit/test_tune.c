#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "limit.h"
#include "tune.h"

/*
 * A simulated server against the tuning, a millisecond at a time: it
 * admits R requests a second with a second's burst, as tests/mock --rps
 * does (R = 0: no wall), refuses another share p at random whatever the
 * rate, answers a refusal at once, as a gateway does, and an accepted
 * request after lat ms.  With out, it refuses everything from 10 to 15 s.
 * Counts the successes and refusals over secs.
 */
#define RING	65536

static void
simulate(double R, long long lat, double p, long long secs, int out,
    int *ok, int *refused, double *rate)
{
	static long long due[RING];
	struct tune	*t = tune_new(10000, 0);
	struct limit	*l = limit_new(0, 0);
	double		 bucket = R;
	long long	 now;
	unsigned long	 head = 0, tail = 0, draw = 1, ep;
	int		 pass;

	*ok = *refused = 0;
	for (now = 0; now < secs * 1000; now++) {
		bucket += R / 1000;
		if (bucket > R)
			bucket = R;
		for (; head < tail && due[head % RING] <= now; head++) {
			tune_success(t, lat);
			(*ok)++;
		}
		tune_tick(t, now);
		limit_set_rpm(l, now, tune_rpm(t));
		while ((long)(tail - head) < tune_window(t) &&
		    tail - head < RING && limit_wait(l, now, 1) == 0) {
			limit_take(l, now, 1);
			ep = tune_started(t, now);
			pass = R == 0 || bucket >= 1;
			draw = draw * 6364136223846793005UL + 1442695040888963407UL;
			if (pass && (draw >> 33) % 1000 < p * 1000)
				pass = 0;
			if (out && now >= 10000 && now < 15000)
				pass = 0;
			if (pass) {
				if (R > 0)
					bucket -= 1;
				due[tail++ % RING] = now + lat;
			} else {
				(*refused)++;
				/* The wall's names a wait; noise and the
				 * outage's do not. */
				tune_ratelimited(t, now, ep, R > 0 &&
				    bucket < 1);
				limit_hold(l, now + 5);
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
	unsigned long	 ep;
	int		 ok, refused, k;

	/* Slow start: the rate doubles every quarter second while it binds. */
	t = tune_new(10000, 0);
	CHECK(tune_rpm(t) == 600);
	for (k = 0; k < 20; k++)
		tune_started(t, 0);
	tune_tick(t, 250);
	CHECK(tune_rpm(t) > 1190 && tune_rpm(t) < 1210);
	/* Not while something else holds the run back. */
	tune_tick(t, 2000);
	CHECK(tune_rpm(t) > 1190 && tune_rpm(t) < 1210);
	/* A first 429 cuts the rate: by BACKOFF, or below what the server
	 * accepted over the last second when that is less. */
	tune_ratelimited(t, 2100, 0, 0);
	CHECK(tune_rpm(t) > 0.85 * 1200 - 1 && tune_rpm(t) < 0.85 * 1200 + 1);
	/* The next 429 measures the rate: of 80 started in the second since,
	 * 30 were refused, so the server accepted 50. */
	tune_scale(t, 10);		/* 170 a second, too many */
	for (k = 0; k < 80; k++)
		ep = tune_started(t, 2110 + k * 12);
	for (k = 0; k < 29; k++)
		tune_ratelimited(t, 2150 + k, ep, 0);	/* one event */
	CHECK(tune_rpm(t) > 170 * 60 - 1);
	tune_ratelimited(t, 3100, ep, 0);
	CHECK(tune_rpm(t) > 0.97 * 50 * 60 - 1 && tune_rpm(t) < 0.97 * 50 * 60 + 1);
	/* 429s closer together than 100 ms are one event. */
	tune_ratelimited(t, 3150, ep, 0);
	CHECK(tune_rpm(t) > 0.97 * 50 * 60 - 1);
	/* The window follows the rate and the latency, within bounds. */
	CHECK(tune_window(t) >= 4 && tune_window(t) <= 10000);
	tune_scale(t, 1.1);
	CHECK(tune_rpm(t) > 3150);
	tune_free(t);

	/* A first 429 before anything came back: no collapse. */
	t = tune_new(10000, 0);
	tune_ratelimited(t, 40, tune_started(t, 10), 0);
	CHECK(tune_rpm(t) >= 0.85 * 600 - 1);
	tune_free(t);

	/* Against the simulated wall: over 90% of it, under 2% refused. */
	simulate(50, 20, 0, 30, 0, &ok, &refused, &rate);
	CHECK(ok >= 0.9 * 50 * 31);		/* 30 s and the burst */
	CHECK(refused * 50 < ok);
	CHECK(rate > 45 && rate < 56);
	simulate(400, 20, 0, 30, 0, &ok, &refused, &rate);
	CHECK(ok >= 0.9 * 400 * 31);
	CHECK(refused * 50 < ok);
	/* A model that takes 2.5 s, answers that come back long after the
	 * refusals: the rate is read from what was accepted, not answered. */
	simulate(100, 2500, 0, 60, 0, &ok, &refused, &rate);
	CHECK(ok >= 0.9 * 100 * (61 - 2.5));
	CHECK(refused * 50 < ok);
	CHECK(rate > 90 && rate < 110);
	/* A server that refuses one in ten at any rate: a cut that does not
	 * lower the share refused is taken back, and the rate keeps growing
	 * instead of falling to nothing. */
	simulate(0, 100, 0.1, 30, 0, &ok, &refused, &rate);
	CHECK(ok > 50 * 30);
	CHECK(rate > 100);
	/* Five seconds of refusing everything say nothing of the rate: the
	 * run comes back to the wall within seconds, and keeps to it. */
	simulate(100, 100, 0, 40, 1, &ok, &refused, &rate);
	CHECK(ok >= 0.85 * 100 * (41 - 5));
	CHECK(rate > 90 && rate < 115);

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

	/* Its state as bytes: another tune loaded from them goes on as it
	 * would have, with its own window's max. */
	{
		struct tune	*a = tune_new(10000, 0), *b = tune_new(8, 0);
		unsigned char	 buf[4096], bad[4096];
		unsigned long	 e;
		size_t		 n = tune_state_size();
		int		 j;

		CHECK(n <= sizeof(buf));
		for (j = 0; j < 50; j++)
			e = tune_started(a, 100 + j);
		tune_ratelimited(a, 200, e, 0);
		tune_save(a, buf);
		CHECK(tune_load(b, buf, n) == 0);
		CHECK(tune_rpm(b) == tune_rpm(a));
		CHECK(tune_window(b) <= 8);
		/* The epoch goes with it: a 429 for a start made in one is
		 * counted by the other. */
		e = tune_started(b, 300);
		tune_started(a, 300);
		tune_ratelimited(b, 2000, e, 0);
		tune_ratelimited(a, 2000, e, 0);
		CHECK(tune_rpm(b) == tune_rpm(a));
		/* Not a tune's: a wrong length, or bytes no tune writes (the
		 * slot, an index, out of range; a rate not a number); b is
		 * left as it was. */
		CHECK(tune_load(b, buf, n - 1) == -1);
		memset(bad, 0xff, n);
		CHECK(tune_load(b, bad, n) == -1);
		memset(bad, 0, n);
		CHECK(tune_load(b, bad, n) == -1);
		CHECK(tune_rpm(b) == tune_rpm(a));
		/* A state nobody moved for five minutes: counted afresh, so
		 * that the next cut measures from now, not over the pause. */
		tune_free(b);
		b = tune_new(10000, 0);
		tune_save(a, buf);
		CHECK(tune_load(b, buf, n) == 0);
		tune_resume(b, 300000);
		for (j = 0; j < 50; j++) {
			e = tune_started(b, 300000 + j * 20);
			tune_started(a, 300000 + j * 20);
		}
		/* Without: the 50 over five minutes, next to nothing. */
		tune_ratelimited(b, 301000, e, 1);
		tune_ratelimited(a, 301000, e, 1);
		CHECK(tune_rpm(b) > 0.9 * 50 * 60);
		CHECK(tune_rpm(a) < 0.1 * 50 * 60);
		tune_free(a);
		tune_free(b);
	}
	return check_done("test_tune");
}
