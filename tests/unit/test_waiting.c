/*
 * What the rows that wait are waiting on: nothing said before they have
 * waited WAITING_SAY_MS with nothing written, then at doubling intervals
 * up to WAITING_SAY_MAX; a row written starts the count again.  The
 * report counts 429-refused rows and other retries apart, with the most
 * each has had and the first due; a row held for money or by the pace
 * is named; with nothing to name, nothing is said.
 */
#include <string.h>

#include "check.h"
#include "waiting.h"

int
main(void)
{
	struct verdict_config	 vc = { 0 };
	struct pace_config	 pc = { 0 };
	struct verdicts		*v;
	struct pace		*pace;
	struct rows		*rows;
	struct row		*a, *b, *c;
	struct waiting		 wt;
	struct waiting_parts	 wp;
	struct sched_waiting	 w;
	long long		 quiet = -1;

	vc.retries = 3;
	vc.max_429 = 5;
	vc.stall_ms = 60000;
	pc.window = 4;
	pc.rpm = 60;
	v = verdict_new(&vc, 0);
	pace = pace_new(&pc, 0);
	rows = rows_new();
	memset(&wt, 0, sizeof(wt));
	memset(&wp, 0, sizeof(wp));
	wp.rows = rows;
	wp.verdicts = v;
	wp.pace = pace;
	wp.grace_end = -1;

	waiting_start(&wt, 1000);
	waiting_start(&wt, 2000);	/* once */
	CHECK(waiting_timeout(&wt, 1000) == -1);
	/* Nothing waits: nothing to name, even when due. */
	CHECK(waiting_due(&wt, 1000, &wp, &w, &quiet) == 0);
	CHECK(waiting_timeout(&wt, 1000) == WAITING_SAY_MS);

	a = rows_get(rows);
	a->error = ROW_ERR_HTTP;
	a->status = 429;
	a->refusals = 2;
	a->due = 9000;
	rows_wait(rows, a);
	b = rows_get(rows);
	b->error = ROW_ERR_HTTP;
	b->status = 503;
	b->retries = 1;
	b->due = 7000;
	rows_wait(rows, b);
	c = rows_get(rows);
	c->error = ROW_ERR_HTTP;
	c->status = 500;
	c->retries = 2;
	c->due = 8000;
	rows_wait(rows, c);

	CHECK(waiting_due(&wt, 5999, &wp, &w, &quiet) == 0);
	CHECK(waiting_due(&wt, 6000, &wp, &w, &quiet) == 1);
	CHECK(quiet == 5000);
	CHECK(w.rows == 3 && w.refused == 1 && w.refusals == 2 &&
	    w.retrying == 2 && w.retries == 2 && w.next == 7000);
	CHECK(w.max_429 == 5 && w.max_retries == 3 && w.held == -1 &&
	    !w.budget && w.grace_end == -1);
	CHECK(w.stall_end == verdict_stall_end(v));
	/* Then after 10 s, 20 s, 30 s, 30 s. */
	CHECK(waiting_timeout(&wt, 6000) == 10000);
	CHECK(waiting_due(&wt, 15999, &wp, &w, &quiet) == 0);
	CHECK(waiting_due(&wt, 16000, &wp, &w, &quiet) == 1);
	CHECK(waiting_timeout(&wt, 16000) == 20000);
	CHECK(waiting_due(&wt, 36000, &wp, &w, &quiet) == 1);
	CHECK(waiting_timeout(&wt, 36000) == WAITING_SAY_MAX);
	CHECK(waiting_due(&wt, 66000, &wp, &w, &quiet) == 1);
	CHECK(waiting_timeout(&wt, 66000) == WAITING_SAY_MAX);
	CHECK(quiet == 65000);

	/* A row written: from nothing again. */
	waiting_written(&wt, 70000);
	CHECK(waiting_timeout(&wt, 70000) == -1);
	CHECK(waiting_due(&wt, 70000, &wp, &w, &quiet) == 0);
	CHECK(waiting_due(&wt, 75000, &wp, &w, &quiet) == 1 && quiet == 5000);

	/* The next row held for money; interrupted, with a grace end. */
	wp.next = a;
	wp.budget_held = 1;
	wp.grace_end = 90000;
	waiting_written(&wt, 80000);
	CHECK(waiting_due(&wt, 80000, &wp, &w, &quiet) == 0);
	CHECK(waiting_due(&wt, 85000, &wp, &w, &quiet) == 1);
	CHECK(w.budget && w.held == -1 && w.grace_end == 90000);

	rows_free(rows);
	pace_free(pace);
	verdict_free(v);
	return check_done("test_waiting");
}
