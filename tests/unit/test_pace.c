/*
 * The pace in simulated time: every call takes the time, so a test is a
 * sequence of calls at chosen milliseconds.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "check.h"
#include "pace.h"

static struct pace *
pace(long long rpm, long long tpm, int autotune, int window, int max)
{
	struct pace_config	 c = { rpm, tpm, autotune, window, max,
				    120000 };
	struct pace		*p;

	if ((p = pace_new(&c, 0)) == NULL)
		abort();
	return p;
}

/* Start requests of this cost as fast as the pace allows from `from` to
 * `to`, each over at once; how many started. */
static int
run(struct pace *p, long long cost, long long from, long long to)
{
	long long	 now = from, w;
	int		 n = 0;

	while (now < to) {
		pace_tick(p, now);
		if ((w = pace_wait(p, now, cost)) > 0) {
			now += w;
			continue;
		}
		pace_start(p, now, cost);
		pace_end(p, cost);
		pace_success(p, now, cost, -1, 100);
		n++;
	}
	return n;
}

static void
set(struct xfer *x, enum xfer_header h, const char *v)
{
	strlcpy(x->header[h], v, sizeof(x->header[h]));
}

static void
test_rpm_tpm(void)
{
	struct pace	*p;
	int		 n;

	/* Nothing given: nothing waits, and the run is never paced. */
	p = pace(0, 0, 0, 8, 100);
	for (n = 0; n < 1000; n++)
		pace_start(p, 0, 1000000);
	CHECK(pace_wait(p, 0, 1000000) == 0);
	CHECK(pace_rate(p) == 0);
	CHECK(pace_window(p) == 8);
	pace_free(p);

	/* --rpm 60: one a second, the first at once. */
	p = pace(60, 0, 0, 8, 100);
	CHECK(pace_wait(p, 0, 10) == 0);
	pace_start(p, 0, 10);
	CHECK(pace_wait(p, 0, 10) == 1000);
	CHECK(pace_wait(p, 400, 10) == 600);
	CHECK(pace_wait(p, 1000, 10) == 0);
	n = run(p, 10, 1000, 11000);
	CHECK(n == 10);
	/* --rpm alone does not make the run "paced": that is for a 429 or
	 * -j auto. */
	CHECK(pace_rate(p) == 0);
	pace_free(p);

	/* --tpm 60000: a thousand tokens a second, 900 at most at once. */
	p = pace(0, 60000, 0, 8, 100);
	CHECK(pace_wait(p, 0, 500) == 0);
	pace_start(p, 0, 500);
	CHECK(pace_wait(p, 0, 400) == 0);
	CHECK(pace_wait(p, 0, 500) == 100);
	/* Requests are not counted, only tokens. */
	CHECK(pace_wait(p, 0, 0) == 0);
	/* A request larger than the bucket waits for it to be full, then
	 * leaves it in debt. */
	CHECK(pace_wait(p, 0, 5000) == 500);
	pace_start(p, 500, 5000);
	CHECK(pace_wait(p, 500, 100) == 4200);
	pace_free(p);

	/* Both: the longer wait wins. */
	p = pace(60, 60000, 0, 8, 100);
	pace_start(p, 0, 100);
	CHECK(pace_wait(p, 0, 100) == 1000);
	pace_start(p, 1000, 1800);
	CHECK(pace_wait(p, 1000, 1) == 1000);
	CHECK(pace_wait(p, 1000, 900) == 1800);
	CHECK(pace_wait(p, 2000, 900) == 800);
	pace_free(p);
}

/* A success says what a request really took: the estimate is corrected
 * both ways. */
static void
test_success(void)
{
	struct pace	*p = pace(0, 60000, 0, 8, 100);

	pace_start(p, 0, 800);
	CHECK(pace_wait(p, 0, 800) == 700);
	pace_end(p, 800);
	pace_success(p, 0, 800, 100, 50);
	CHECK(pace_wait(p, 0, 800) == 0);
	pace_start(p, 0, 800);
	pace_end(p, 800);
	pace_success(p, 0, 800, 1500, 50);
	CHECK(pace_wait(p, 0, 800) == 1500);
	/* Usage not reported: the estimate stands. */
	pace_success(p, 0, 800, -1, 50);
	CHECK(pace_wait(p, 0, 800) == 1500);
	/* A refund never fills the bucket past its size. */
	pace_success(p, 0, 100000, 0, 50);
	CHECK(pace_wait(p, 0, 900) == 0);
	pace_free(p);
}

/* A 429 naming its wait: nothing starts until then, and after it the
 * run goes on at its rate, not with a burst. */
static void
hold(long long rpm)
{
	struct pace	*p = pace(rpm, 0, 0, 8, 100);
	unsigned long	 ep = 0;
	long long	 t;
	int		 k;

	for (k = 0; k < 8; k++)
		ep = pace_start(p, 0, 1);
	CHECK(pace_refused(p, 100, ep, 2100) == 1);
	pace_tick(p, 100);
	CHECK(pace_wait(p, 100, 1) == 2000);
	for (t = 200; t < 2100; t += 300) {
		pace_tick(p, t);
		CHECK(pace_wait(p, t, 1) == 2100 - t);
	}
	pace_tick(p, 2099);
	CHECK(pace_wait(p, 2099, 1) == 1);
	pace_tick(p, 2100);
	CHECK(pace_wait(p, 2100, 1) == 0);
	pace_start(p, 2100, 1);
	CHECK(pace_wait(p, 2100, 1) > 0);
	/* Paced from the first 429 on, and said so only then. */
	CHECK(pace_rate(p) > 0);
	CHECK(pace_refused(p, 2200, ep, 0) == 0);
	/* A later 429 naming an earlier time does not shorten a hold. */
	CHECK(pace_refused(p, 2300, ep, 5000) == 0);
	CHECK(pace_refused(p, 2300, ep, 4000) == 0);
	pace_tick(p, 2300);
	CHECK(pace_wait(p, 2300, 1) == 2700);
	pace_free(p);
}

static void
test_refused(void)
{
	hold(6000);
	hold(0);
}

/* Under -j auto, what the run learns may not pass --rpm. */
static void
test_auto_ceiling(void)
{
	struct xfer	 x = { 0 };
	struct pace	*p = pace(600, 0, 1, 0, 1000);
	int		 n;

	CHECK(pace_rate(p) > 0);
	/* The start rate, 10/s, is below the ceiling. */
	CHECK(fabs(pace_rate(p) - 10) < 1e-9);
	/* Slow start doubles the rate while everything is accepted, but
	 * starts stay within --rpm 600. */
	n = run(p, 1, 0, 5000);
	CHECK(n >= 45 && n <= 5 * 10 + 10);
	CHECK(pace_rate(p) > 0 && pace_rate(p) <= 10);
	n = run(p, 1, 5000, 10000);
	CHECK(n >= 45 && n <= 51);
	/* A server announcing a far higher rate does not lift it either. */
	set(&x, XH_RL_LIMIT_REQUESTS, "10000");
	set(&x, XH_RL_REMAINING_REQUESTS, "9000");
	set(&x, XH_RL_RESET_REQUESTS, "1s");
	CHECK(pace_response(p, 10000, &x, 0) == 0);
	pace_tick(p, 10000);
	CHECK(pace_rate(p) > 0 && pace_rate(p) <= 10);
	CHECK(run(p, 1, 10000, 15000) <= 51);
	pace_free(p);

	/* Without --rpm the announced rate is the rate. */
	p = pace(0, 0, 1, 0, 1000);
	CHECK(pace_response(p, 0, &x, 0) == 0);
	CHECK(fabs(pace_rate(p) - 1000) < 1e-9);
	pace_free(p);
}

/* Anthropic writes the reset as an RFC 3339 time: 5 of 100 left, whole
 * again in about 10 s of wall-clock time from now. */
static void
test_response_rfc3339(void)
{
	struct xfer	 x = { 0 };
	struct timespec	 ts;
	struct tm	 tm;
	struct pace	*p;
	time_t		 t;
	char		 when[40];
	long long	 w;
	int		 n;

	clock_gettime(CLOCK_REALTIME, &ts);
	t = ts.tv_sec + 10;
	gmtime_r(&t, &tm);
	strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%SZ", &tm);
	p = pace(0, 0, 0, 100, 100);
	set(&x, XH_RL_LIMIT_REQUESTS, "100");
	set(&x, XH_RL_REMAINING_REQUESTS, "5");
	set(&x, XH_RL_RESET_REQUESTS, when);
	CHECK(pace_response(p, 0, &x, 0) == 0);
	for (n = 0; n < 50 && pace_wait(p, 0, 1) == 0; n++)
		pace_start(p, 0, 1);
	CHECK(n == 5);
	/* 95 back over 9 to 10 s: one every 95 to 106 ms. */
	w = pace_wait(p, 0, 1);
	CHECK(w >= 94 && w <= 106);
	pace_free(p);
}

/* x-ratelimit-* on a response: paced while the server's budget is
 * low, at the rate it comes back. */
static void
test_response(void)
{
	struct xfer	 x = { 0 };
	struct pace	*p;
	int		 n;

	/* Plenty left: no pacing. */
	p = pace(0, 0, 0, 100, 100);
	set(&x, XH_RL_LIMIT_REQUESTS, "100");
	set(&x, XH_RL_REMAINING_REQUESTS, "90");
	set(&x, XH_RL_RESET_REQUESTS, "1s");
	CHECK(pace_response(p, 0, &x, 0) == 0);
	for (n = 0; n < 50 && pace_wait(p, 0, 1) == 0; n++)
		pace_start(p, 0, 1);
	CHECK(n == 50);
	pace_free(p);

	/* 5 of 100 left, whole again in 10 s: what remains goes, then one
	 * every 1/9.5 s. */
	p = pace(0, 0, 0, 100, 100);
	set(&x, XH_RL_REMAINING_REQUESTS, "5");
	set(&x, XH_RL_RESET_REQUESTS, "10s");
	CHECK(pace_response(p, 0, &x, 0) == 0);
	for (n = 0; n < 50 && pace_wait(p, 0, 1) == 0; n++)
		pace_start(p, 0, 1);
	CHECK(n == 5);
	CHECK(pace_wait(p, 0, 1) == 106);
	/* Once the reset has passed, the server's word no longer holds. */
	CHECK(pace_wait(p, 10001, 1) == 0);
	pace_free(p);

	/* Requests in flight will spend some of what remains. */
	p = pace(0, 0, 0, 100, 100);
	CHECK(pace_response(p, 0, &x, 3) == 0);
	for (n = 0; n < 50 && pace_wait(p, 0, 1) == 0; n++)
		pace_start(p, 0, 1);
	CHECK(n == 2);
	pace_free(p);

	/* The reset as servers write it: "6m0s", "1.5s", "120ms". */
	p = pace(0, 0, 0, 100, 100);
	set(&x, XH_RL_RESET_REQUESTS, "1m40s");
	CHECK(pace_response(p, 0, &x, 0) == 0);
	/* 95 back over 100 s: one every 1053 ms, and the bucket holds
	 * less than one second of it, so one at once. */
	for (n = 0; n < 50 && pace_wait(p, 0, 1) == 0; n++)
		pace_start(p, 0, 1);
	CHECK(n == 1);
	CHECK(pace_wait(p, 0, 1) == 1053);
	set(&x, XH_RL_RESET_REQUESTS, "500ms");
	CHECK(pace_response(p, 0, &x, 0) == 0);
	CHECK(pace_wait(p, 0, 1) <= 6);
	/* Unreadable: ignored. */
	set(&x, XH_RL_RESET_REQUESTS, "soon");
	CHECK(pace_response(p, 0, &x, 0) == 0);
	set(&x, XH_RL_RESET_REQUESTS, "10s");
	set(&x, XH_RL_REMAINING_REQUESTS, "-1");
	CHECK(pace_response(p, 0, &x, 0) == 0);
	set(&x, XH_RL_REMAINING_REQUESTS, "");
	CHECK(pace_response(p, 0, &x, 0) == 0);
	pace_free(p);

	/* Tokens: 500 of 10000 left, whole in 6 s; a request of 600 waits
	 * for the budget to come back. */
	memset(&x, 0, sizeof(x));
	p = pace(0, 0, 0, 100, 100);
	set(&x, XH_RL_LIMIT_TOKENS, "10000");
	set(&x, XH_RL_REMAINING_TOKENS, "500");
	set(&x, XH_RL_RESET_TOKENS, "6s");
	CHECK(pace_response(p, 0, &x, 0) == 0);
	CHECK(pace_wait(p, 0, 400) == 0);
	CHECK(pace_wait(p, 0, 600) == 64);
	pace_free(p);

	/* Tokens in flight count against it: 400 in flight leave 100. */
	p = pace(0, 0, 0, 100, 100);
	pace_start(p, 0, 400);
	CHECK(pace_response(p, 0, &x, 1) == 0);
	CHECK(pace_wait(p, 0, 100) == 0);
	CHECK(pace_wait(p, 0, 200) > 0);
	pace_free(p);
}

/* A budget spent and back only after more than --max-wait: the run
 * should stop, not stall. */
static void
test_stall(void)
{
	struct xfer	 x = { 0 };
	struct pace	*p;

	p = pace(0, 0, 0, 100, 100);
	set(&x, XH_RL_LIMIT_REQUESTS, "1");
	set(&x, XH_RL_REMAINING_REQUESTS, "0");
	set(&x, XH_RL_RESET_REQUESTS, "1000h");
	CHECK(pace_response(p, 0, &x, 0) == 3600000000LL);
	/* Within --max-wait (120 s here): paced, not stopped. */
	set(&x, XH_RL_RESET_REQUESTS, "100s");
	CHECK(pace_response(p, 0, &x, 0) == 0);
	/* Some left, more than in flight: not spent. */
	set(&x, XH_RL_LIMIT_REQUESTS, "10");
	set(&x, XH_RL_REMAINING_REQUESTS, "3");
	set(&x, XH_RL_RESET_REQUESTS, "1000h");
	CHECK(pace_response(p, 0, &x, 2) == 0);
	CHECK(pace_response(p, 0, &x, 3) == 3600000000LL);
	pace_free(p);

	/* Tokens: none left beyond what is in flight, for a day. */
	memset(&x, 0, sizeof(x));
	p = pace(0, 0, 0, 100, 100);
	pace_start(p, 0, 500);
	set(&x, XH_RL_REMAINING_TOKENS, "400");
	set(&x, XH_RL_RESET_TOKENS, "24h");
	CHECK(pace_response(p, 0, &x, 1) == 86400000LL);
	pace_free(p);
}

/* SIGUSR1 and SIGUSR2. */
static void
test_scale(void)
{
	struct pace	*p;
	double		 r;
	int		 w;

	/* A fixed window: 10% up or down, at least one step, within 1 and
	 * the most it may be. */
	p = pace(0, 0, 0, 10, 200);
	CHECK(pace_scale(p, 1.1) == 11 && pace_window(p) == 11);
	CHECK(pace_scale(p, 1.1) == 13);
	CHECK(pace_scale(p, 1 / 1.1) == 11);
	CHECK(pace_scale(p, 1 / 1.1) == 10);
	pace_free(p);
	p = pace(0, 0, 0, 100, 200);
	CHECK(pace_scale(p, 1.1) == 110);
	CHECK(pace_scale(p, 1 / 1.1) == 100);
	CHECK(pace_scale(p, 1 / 1.1) == 90);
	pace_free(p);
	p = pace(0, 0, 0, 50, 200);
	CHECK(pace_scale(p, 1.1) == 55);
	pace_free(p);
	p = pace(0, 0, 0, 2, 200);
	CHECK(pace_scale(p, 1.1) == 3);
	CHECK(pace_scale(p, 1 / 1.1) == 2);
	CHECK(pace_scale(p, 1 / 1.1) == 1);
	CHECK(pace_scale(p, 1 / 1.1) == 1);
	CHECK(pace_window(p) == 1);
	CHECK(pace_scale(p, 1.1) == 2);
	pace_free(p);
	p = pace(0, 0, 0, 190, 200);
	CHECK(pace_scale(p, 1.1) == 200);
	CHECK(pace_scale(p, 1.1) == 200);
	CHECK(pace_window(p) == 200);
	/* A fixed window is not paced by it. */
	CHECK(pace_rate(p) == 0);
	pace_free(p);

	/* -j auto: the rate moves, and the window with it. */
	p = pace(0, 0, 1, 0, 1000);
	w = pace_window(p);
	r = pace_rate(p);
	CHECK(pace_scale(p, 1.1) == pace_window(p));
	CHECK(pace_window(p) > w);
	CHECK(fabs(pace_rate(p) - r * 1.1) < 1e-9);
	for (w = 0; w < 100; w++)
		pace_scale(p, 1 / 1.1);
	CHECK(pace_window(p) >= 1 && pace_rate(p) > 0);
	CHECK(pace_window(p) == 4);
	for (w = 0; w < 200; w++)
		pace_scale(p, 1.1);
	CHECK(pace_window(p) == 1000);
	pace_free(p);
	pace_free(NULL);
}

/*
 * A server's wall of tokens, 1,000 a second with two seconds of burst,
 * in simulated time; requests of 60 to 850 tokens, each answered at once.
 * Its 429s are about tokens and name the wait for the request refused,
 * as OpenAI's do.  With the headers the server announces its bucket too.
 * Over ten simulated minutes: tokens accepted, a second, and the share of
 * requests refused, in per mille.
 */
static void
token_wall(int autotune, long long tpm, int headers, double *rate,
    double *refused)
{
	struct xfer	 x;
	struct pace	*p;
	double		 level = 2000, cap = 2000, took = 0;
	long long	 now = 0, w, cost, last = 0, fit;
	unsigned long	 e;
	int		 n = 0, no = 0;
	char		 num[32];

	p = pace(0, tpm, autotune, 32, 1000);
	srandom(7);
	cost = 60 + random() % 791;
	while (now < 600000) {
		level = fmin(cap, level + (now - last) / 1000.0 * 1000);
		last = now;
		pace_tick(p, now);
		if ((w = pace_wait(p, now, cost)) > 0) {
			now += w;
			continue;
		}
		e = pace_start(p, now, cost);
		pace_end(p, cost);
		n++;
		if (level >= cost) {
			level -= cost;
			took += cost;
			if (headers) {
				memset(&x, 0, sizeof(x));
				x.status = 200;
				set(&x, XH_RL_LIMIT_TOKENS, "2000");
				snprintf(num, sizeof(num), "%lld",
				    (long long)level);
				set(&x, XH_RL_REMAINING_TOKENS, num);
				snprintf(num, sizeof(num), "%lldms",
				    (long long)((cap - level) + 0.5));
				set(&x, XH_RL_RESET_TOKENS, num);
				pace_response(p, now, &x, 0);
			}
			pace_success(p, now, cost, cost, 100);
			cost = 60 + random() % 791;
		} else {
			no++;
			fit = (long long)(cost - level) + 1;
			pace_refused_tokens(p, now, e, cost, now + fit, 0);
		}
		now += 1;
	}
	*rate = took / 600;
	*refused = 1000.0 * no / n;
	pace_free(p);
}

static void
test_tokens(void)
{
	double	 rate, refused;

	/* -j auto, told nothing: it finds the wall by its 429s. */
	token_wall(1, 0, 0, &rate, &refused);
	CHECK(rate >= 900 && rate <= 1004);
	CHECK(refused <= 20);
	/* Announced by headers: fewer refused still. */
	token_wall(1, 0, 1, &rate, &refused);
	if (getenv("NOISE_SAY") != NULL)
		fprintf(stderr, "tokens announced: %.0f a second, %.1f per "
		    "mille refused\n", rate, refused);
	CHECK(rate >= 900 && rate <= 1004);
	CHECK(refused <= 10);
	/* A fixed window after its first 429 for tokens. */
	token_wall(0, 0, 0, &rate, &refused);
	CHECK(rate >= 900 && rate <= 1004);
	CHECK(refused <= 20);
	/* Told by --tpm: the same, with next to nothing refused. */
	token_wall(0, 60000, 0, &rate, &refused);
	CHECK(rate >= 950 && rate <= 1004);
	CHECK(refused <= 10);
}

/*
 * Noise, not a wall: a server with room for everything that fails a share
 * of requests at random, whatever the rate (an overloaded gateway, a
 * proxy's own burst limit): pct429 in a hundred get a 429 naming a wait
 * of hold ms, pct5xx a 500 retried after a backoff (not the pace's
 * business).  1,000 rows, 20 ms a request, window requests in flight at
 * most (-j N), or -j auto.  Behind it, when wall > 0, a wall of that many
 * requests a second with a second of burst, refused with a 429 naming a
 * wait of a second.  The simulated ms until every row is done;
 * refused: the wall's 429s per mille of requests.
 */
#define NOISE_ROWS	1000

static long long
noise(int autotune, int window, long long hold, int pct429, int pct5xx,
    double wall, double *refused)
{
	struct pace	*p = pace(0, 0, autotune, window, 1000);
	long long	 due[NOISE_ROWS], back[NOISE_ROWS], now;
	unsigned long	 ep[NOISE_ROWS];
	int		 state[NOISE_ROWS], tries[NOISE_ROWS];
	int		 done = 0, inflight = 0, next = 0, k, d, req = 0, ref = 0;
	double		 bucket = wall;

	/* state: 0 waits until due, 1 in flight (ok), 2 in flight (429),
	 * 3 in flight (5xx), 4 in flight (the wall's 429), 5 done. */
	srandom(21);
	for (k = 0; k < NOISE_ROWS; k++) {
		state[k] = 0;
		due[k] = -1;	/* not read yet */
		tries[k] = 0;
		back[k] = 0;
	}
	for (now = 0; done < NOISE_ROWS && now < 600000; now++) {
		if (wall > 0 && (bucket += wall / 1000) > wall)
			bucket = wall;
		for (k = 0; k < next; k++) {
			if (state[k] < 1 || state[k] > 4 || due[k] > now)
				continue;
			inflight--;
			pace_end(p, 1);
			if (state[k] == 1) {
				pace_success(p, now, 1, -1, 20);
				state[k] = 5;
				done++;
				continue;
			}
			if (state[k] == 2 || state[k] == 4) {
				/* The wall's names whole seconds, as tests/mock
				 * --rps does. */
				back[k] = now + (state[k] == 2 ? hold : 1000);
				pace_refused(p, now, ep[k], back[k]);
				due[k] = back[k];
			} else {
				tries[k]++;
				due[k] = now + random() % (500LL <<
				    (tries[k] > 6 ? 6 : tries[k] - 1));
			}
			state[k] = 0;
		}
		pace_tick(p, now);
		for (k = 0; k < NOISE_ROWS && inflight < pace_window(p); k++) {
			if (state[k] != 0 || (due[k] > now) ||
			    (due[k] < 0 && k != next))
				continue;
			if (pace_wait(p, now, 1) > 0)
				break;
			if (k == next)
				next++;
			ep[k] = pace_start(p, now, 1);
			req++;
			inflight++;
			due[k] = now + 20;
			d = random() % 100;
			if (wall > 0 && bucket < 1) {
				state[k] = 4;
				ref++;
			} else {
				state[k] = d < pct429 ? 2 : d < pct429 +
				    pct5xx ? 3 : 1;
				if (wall > 0 && state[k] == 1)
					bucket -= 1;
			}
		}
	}
	pace_free(p);
	if (refused != NULL)
		*refused = 1000.0 * ref / req;
	return now;
}

static void
say(const char *what, long long ms, double refused)
{
	if (getenv("NOISE_SAY") != NULL)
		fprintf(stderr, "%s: %lld ms, %.1f per mille refused\n", what,
		    ms, refused);
}

static void
test_noise(void)
{
	long long	 ms;
	double		 refused;

	/*
	 * 20% faults, a quarter of them 429s naming a wait of 1 s: every row
	 * in seconds (1,000 rows took over four minutes when every 429
	 * naming a wait was the wall's, each holding the run a second and
	 * cutting the rate, down to a request or two a second).
	 */
	ms = noise(0, 50, 1000, 5, 15, 0, &refused);
	say("-j 50, 20% faults", ms, refused);
	CHECK(ms < 15000);
	/* Twice the share of 429s. */
	ms = noise(0, 50, 1000, 10, 10, 0, &refused);
	say("-j 50, 10% 429s", ms, refused);
	CHECK(ms < 15000);
	/* A wall of 50 a second is still a wall, its 429s naming whole
	 * seconds too: 1,000 rows at its pace, about 20 s, and its
	 * refusals the opening burst's. */
	ms = noise(0, 50, 1000, 0, 0, 50, &refused);
	say("-j 50, a wall", ms, refused);
	CHECK(ms < 25000);
	CHECK(refused < 100);
	/* And behind the noise. */
	ms = noise(0, 50, 1000, 5, 15, 50, &refused);
	say("-j 50, a wall behind the noise", ms, refused);
	CHECK(ms < 30000);
	CHECK(refused < 100);
}

/*
 * A fleet, as GNU parallel --pipe runs one: 6,000 rows in jobs of 430,
 * four at a time, each a process of its own (-j auto, a pace each, or
 * one --share file between them) against one wall of 100 requests a
 * second with a second of burst, 100 ms a request (and 0 to 4 more, as
 * the seed draws), refusals at once with a Retry-After of one second, as
 * tests/mock --rps does, or with ms, the wait until the next request is
 * let in, as OpenAI names it.  The share of the wall reached, and of
 * requests refused, in per cent.
 */
#define FLEET_RING	1024

struct member {
	struct pace	*p;
	struct share	*sh;
	int		 queue, inflight, alive;
	long long	 due[FLEET_RING];
	unsigned long	 head, tail;
};

static void
fleet(const char *share, unsigned long seed, int ms, double *wall,
    double *refused)
{
	struct pace_config	 c = { 0, 0, 1, 0, 1000, 120000, NULL };
	struct member		 m[4];
	char			 err[1024];
	double			 bucket = 100;
	unsigned long		 draw = seed, ep;
	long long		 now, t0 = 1000;
	int			 given = 0, ok = 0, req = 0, ref = 0, k;

	memset(m, 0, sizeof(m));
	for (now = t0; ok < 6000 && now < t0 + 600000; now++) {
		if ((bucket += 0.1) > 100)
			bucket = 100;
		for (k = 0; k < 4; k++) {
			struct member	*q = &m[k];

			if (!q->alive && given < 6000) {
				memset(q, 0, sizeof(*q));
				if (share != NULL && (q->sh = c.share =
				    share_open(share, now, err,
				    sizeof(err))) == NULL)
					abort();
				if ((q->p = pace_new(&c, now)) == NULL)
					abort();
				q->queue = 6000 - given < 430 ? 6000 - given :
				    430;
				given += q->queue;
				q->alive = 1;
			}
			if (!q->alive)
				continue;
			for (; q->head < q->tail &&
			    q->due[q->head % FLEET_RING] <= now; q->head++) {
				q->inflight--;
				ok++;
				pace_end(q->p, 10);
				pace_success(q->p, now, 10, -1, 100);
			}
			pace_tick(q->p, now);
			while (q->inflight < pace_window(q->p) &&
			    q->inflight < FLEET_RING && q->queue > 0 &&
			    pace_wait(q->p, now, 10) == 0) {
				ep = pace_start(q->p, now, 10);
				req++;
				if (bucket >= 1) {
					bucket -= 1;
					q->queue--;
					q->inflight++;
					draw = draw * 6364136223846793005UL +
					    1442695040888963407UL;
					q->due[q->tail++ % FLEET_RING] = now +
					    100 + (long long)(draw >> 60) % 5;
				} else {
					ref++;
					pace_end(q->p, 10);
					pace_refused(q->p, now, ep, now + (ms ?
					    (long long)((1 - bucket) * 10) + 1 :
					    1000));
				}
			}
			if (q->queue == 0 && q->inflight == 0) {
				pace_free(q->p);
				share_close(q->sh);
				q->alive = 0;
			}
		}
	}
	for (k = 0; k < 4; k++)
		if (m[k].alive) {
			pace_free(m[k].p);
			share_close(m[k].sh);
		}
	*wall = 100.0 * ok / (100 * (now - t0) / 1000.0 + 100);
	*refused = 100.0 * ref / req;
}

static void
test_fleet(void)
{
	char		 dir[] = "/tmp/test_pace.XXXXXX", path[64];
	double		 wall, refused, sum[2] = { 0, 0 }, worst[2] = { 0, 0 };
	unsigned long	 seed;
	int		 ms;

	/*
	 * Each learning alone, six draws of latencies each.  A process cut
	 * while the others were busy, or left with the room of one that
	 * finished, finds it in seconds: 90.6% to 97% of the wall, under
	 * 1% refused, with Retry-After holds of a second (with the probe at
	 * 1% a second whatever the quiet, 87% to 96%).  Where 429s name
	 * waits of milliseconds the processes hardly hold, and each sees
	 * the others' overshoot: about 2% refused (15% to 20% when a cut
	 * that lowered nothing was taken for noise).
	 */
	for (ms = 0; ms < 2; ms++)
		for (seed = 1; seed <= 6; seed++) {
			fleet(NULL, seed, ms, &wall, &refused);
			if (getenv("FLEET_SAY") != NULL)
				fprintf(stderr, "%s %lu: %.1f%% of the wall, "
				    "%.2f%% refused\n", ms ? "ms" : "1 s",
				    seed, wall, refused);
			sum[ms] += wall / 6;
			if (refused > worst[ms])
				worst[ms] = refused;
		}
	CHECK(sum[0] >= 93);
	CHECK(worst[0] <= 2);
	CHECK(sum[1] >= 93);
	CHECK(worst[1] <= 5);

	/* Through one --share file they learn as one process would. */
	if (mkdtemp(dir) == NULL)
		abort();
	snprintf(path, sizeof(path), "%s/share", dir);
	for (ms = 0; ms < 2; ms++) {
		fleet(path, 1, ms, &wall, &refused);
		if (getenv("FLEET_SAY") != NULL)
			fprintf(stderr, "%s, shared: %.1f%% of the wall, %.2f%% "
			    "refused\n", ms ? "ms" : "1 s", wall, refused);
		CHECK(wall >= 95);
		CHECK(refused <= 0.5);
		unlink(path);
	}
	rmdir(dir);
}

/*
 * --share's file failing mid-run: the first error of a spell is given
 * once, for the caller to say; the process paces on alone; a file that
 * works again ends the spell, and a new failure is given again.
 */
static void
test_share_error(void)
{
	struct pace_config	 c = { 60000, 0, 0, 8, 100, 120000, NULL };
	struct pace		*p;
	char			 dir[] = "/tmp/test_pace.XXXXXX", path[64],
				 err[256];
	const char		*e;
	FILE			*fp;

	if (mkdtemp(dir) == NULL)
		abort();
	snprintf(path, sizeof(path), "%s/share", dir);
	if ((c.share = share_open(path, 0, err, sizeof(err))) == NULL ||
	    (p = pace_new(&c, 0)) == NULL)
		abort();
	CHECK(pace_wait(p, 0, 1) == 0);
	pace_start(p, 0, 1);
	CHECK(pace_share_error(p) == NULL);

	/* Another program writes over it: every call fails. */
	if ((fp = fopen(path, "w")) == NULL)
		abort();
	fputs("not a share file\n", fp);
	fclose(fp);
	CHECK(pace_wait(p, 1000, 1) == 0);	/* its own buckets pace */
	pace_start(p, 1000, 1);
	pace_success(p, 1100, 1, 5, 100);
	CHECK((e = pace_share_error(p)) != NULL &&
	    strstr(e, "not a share file") != NULL);
	CHECK(pace_share_error(p) == NULL);
	pace_start(p, 1200, 1);
	CHECK(pace_share_error(p) == NULL);	/* the same spell */

	/* Emptied, it starts afresh and works; broken again, said again. */
	if (truncate(path, 0) == -1)
		abort();
	pace_start(p, 1300, 1);
	CHECK(pace_share_error(p) == NULL);
	if ((fp = fopen(path, "w")) == NULL)
		abort();
	fputs("junk\n", fp);
	fclose(fp);
	pace_start(p, 1400, 1);
	CHECK(pace_share_error(p) != NULL);

	pace_free(p);
	share_close(c.share);
	unlink(path);
	rmdir(dir);
}

int
main(void)
{
	test_noise();
	test_share_error();
	test_fleet();
	test_rpm_tpm();
	test_tokens();
	test_success();
	test_refused();
	test_auto_ceiling();
	test_response();
	test_response_rfc3339();
	test_stall();
	test_scale();
	return check_done("test_pace");
}
