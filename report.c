/*
 * The end of a run, for the user: --estimate's table on stdout, and on
 * stderr the duplicate IDs, why --max-cost stopped the run, the summary
 * line with its endpoints, labels and --expect lines (with --stats, -v or
 * a progress line); then --stats-json, whose file setup.c opened at the
 * start.  Program code: a --stats-json it cannot write ends the run with
 * status 5.
 *
 * Not here: what the numbers are (lib/stats.h), or the resume line of an
 * interrupted run (tty.c, resume.c).
 */
#include <err.h>
#include <stdio.h>
#include <unistd.h>

#include "lib/buf.h"
#include "lib/clock.h"
#include "report.h"
#include "tty.h"

void
report_end(const struct report *rp, struct stats *st)
{
	const struct config	*c = rp->cfg;
	struct stats_prices	 pr = { request_budget(rp->request),
				    rp->rates->in, rp->rates->out, c->rpm,
				    c->tpm };
	const struct labels_count *lc;
	struct buf		 b = { 0 };
	long long		 now = clock_ms();
	char			 line[512];
	size_t			 k;

	tty_clear();
	/* The Batch API's price is half the real-time one: the rates are
	 * halved already (setup.c). */
	if (c->escalate != NULL) {
		pr.escalate = c->escalate;
		if (rp->escalate_rates != NULL) {
			pr.escalate_in = rp->escalate_rates->in;
			pr.escalate_out = rp->escalate_rates->out;
		}
	}
	if (c->estimate) {
		if (stats_estimate(st, &pr, &b) == -1)
			err(1, NULL);
		fwrite(b.data, 1, b.len, stdout);
		if (c->batch_api != NULL)
			printf("%-18s %s\n", "price", "the Batch API's: half "
			    "of real time");
		buf_reset(&b);
	}
	if (rp->pool != NULL) {
		st->connections = pool_connections(rp->pool);
		st->paced = pace_rate(rp->pace);
		st->paced_tokens = pace_token_rate(rp->pace);
	}
	if (rp->endpoints != NULL)
		st->endpoints = endpoints_stats(rp->endpoints,
		    &st->nendpoints);
	if (c->verbose >= 0 && rp->seen != NULL)
		tty_duplicates(rp->seen);
	/* Always: why the run stopped, and where to go on from. */
	if (rp->budget != NULL && rp->broke)
		warnx("--max-cost: spent $%.4f of $%.4f; %llu rows done, %llu "
		    "read and not sent, the rest not read: resume with "
		    "--skip-ids", rp->budget->spent, rp->budget->limit,
		    (unsigned long long)(st->ok + st->failed),
		    (unsigned long long)st->unsent);
	/* --batch-cancel has no rows to sum up. */
	if ((tty_progress() || c->stats || c->verbose > 0) &&
	    c->batch_cancel == NULL) {
		stats_summary(st, now, line, sizeof(line));
		warnx("%s", line);
		for (k = 0; k < st->nendpoints; k++) {
			stats_endpoint_line(st, k, line, sizeof(line));
			warnx("  %s", line);
		}
		for (k = 0; rp->labels != NULL &&
		    (lc = labels_get(rp->labels, k)) != NULL; k++)
			if (lc->scored > 0)
				warnx("label %s: %llu rows, mean confidence "
				    "%.4f", lc->name, lc->rows,
				    lc->confidence / lc->scored);
			else
				warnx("label %s: %llu rows", lc->name,
				    lc->rows);
		for (k = 0; stats_expect_line(st, k, line,
		    sizeof(line)) == 0; k++)
			warnx("%s", line);
	}
	if (c->stats_json != NULL) {
		if (stats_json(st, now, &b) == -1)
			err(1, NULL);
		if (write(rp->statsfd, b.data, b.len) != (ssize_t)b.len ||
		    close(rp->statsfd) == -1)
			err(5, "--stats-json %s", c->stats_json);
	}
	buf_free(&b);
}
