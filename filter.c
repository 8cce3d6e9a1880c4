/*
 * enrich: JSON Lines in, one chat completion per row, enriched JSON Lines
 * out.
 *
 * This file is main and the loop.  The loop is netcat's: one poll() over
 * named slots (stdin, stdout, the pool's sockets, the signal pipe),
 * reading only while the scheduler wants rows and the output is not
 * backed up, so memory is bounded by the window and the longest line.
 * It wires the modules together; what a row means, when it goes and how
 * fast all live in lib/ (sched.h drives them); the command line is
 * cli.c's (rules.c's, the options as a whole), what a run is made of
 * setup.c's, the process's descriptors and limits proc.c's, what the user
 * sees on stderr tty.c's, and the report at the end report.c's.
 */
#include <err.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <curl/curl.h>

#include "cli.h"
#include "lib/buf.h"
#include "lib/clock.h"
#include "lib/endpoints.h"
#include "lib/input.h"
#include "lib/lines.h"
#include "lib/output.h"
#include "lib/pace.h"
#include "lib/pool.h"
#include "lib/provider.h"
#include "lib/record.h"
#include "lib/request.h"
#include "lib/sched.h"
#include "lib/stats.h"
#include "lib/template.h"
#include "lib/verdict.h"
#include "proc.h"
#include "report.h"
#include "rules.h"
#include "setup.h"
#include "tty.h"

/* Slots of the poll set, by name, as in netcat. */
enum { POLL_STDIN, POLL_STDOUT, POLL_NET, POLL_SIGNAL, POLL_N };

struct run {
	const struct config	*cfg;
	const struct price_rates *escalate_rates;	/* or NULL */
	struct lines		*in;
	struct output		*out;
	struct pool		*pool;		/* NULL: a dry run */
	struct pace		*pace;
	struct share		*share;		/* --share, or NULL */
	struct endpoints	*endpoints;	/* several -u, or NULL */
	struct sched		*sched;
	struct stats		 st;
	const struct budget	*budget;	/* --max-cost, or NULL */
	int			 signal;	/* the first SIGINT/SIGTERM */
	int			 statsfd;	/* --stats-json, or -1 */
	const struct seen	*seen;		/* the input's IDs */
	const struct price_rates *rates;	/* 0 if unknown */
	const struct labels	*labels;	/* --labels, or NULL */
	struct transport	 transport;	/* --batch-api's */
	const struct batchapi	*batch;		/* and its transport */
	int			 argc;		/* for the resume line */
	char			**argv;
	struct tty_stop		 stop;		/* how an interrupt ended it */
};

static int		 sigpipe_fds[2] = { -1, -1 };
static volatile sig_atomic_t signals_seen;

/*
 * First SIGINT, SIGTERM or SIGHUP: finish what is in flight.  Second:
 * leave now, but after the line being written, which the loop finishes
 * (a half line would glue the next run's first row to it in a `tee -a`
 * checkpoint).  SIGUSR1, SIGUSR2: only a note for the loop.
 */
static void
on_signal(int sig)
{
	int	 saved = errno;
	char	 c = sig;

	/* A third, when even the line cannot be finished: now. */
	if (sig != SIGUSR1 && sig != SIGUSR2 && ++signals_seen > 2)
		_exit(128 + sig);
	(void)write(sigpipe_fds[1], &c, 1);
	errno = saved;
}

static void
setup_signals(void)
{
	static const int	 sigs[] = { SIGINT, SIGTERM, SIGHUP, SIGUSR1,
				    SIGUSR2 };
	struct sigaction	 sa;
	size_t			 k;

	if (pipe2(sigpipe_fds, O_CLOEXEC | O_NONBLOCK) == -1)
		err(2, "pipe");
	memset(&sa, 0, sizeof(sa));
	sigemptyset(&sa.sa_mask);
	sa.sa_handler = on_signal;
	for (k = 0; k < sizeof(sigs) / sizeof(sigs[0]); k++)
		if (sigaction(sigs[k], &sa, NULL) == -1)
			err(2, "sigaction");
	/* A closed stdout is an EPIPE to handle, not a death. */
	signal(SIGPIPE, SIG_IGN);
}

static void
notify(void *arg, const struct sched_notice *n)
{
	const struct run	*run = arg;

	tty_notice(n, run->cfg->verbose);
}

/* What the Batch transport has to say: level 1 with -v only. */
static void
batch_say(void *arg, int level, const char *text)
{
	const struct config	*c = arg;

	if (c->verbose >= level)
		say("%s", text);
}

static void
flush_output(struct run *run)
{
	if (output_flush(run->out) == 0)
		return;
	/* A reader that went away (| head) ends the run, quietly. */
	tty_clear();
	if (errno == EPIPE)
		exit(128 + SIGPIPE);
	err(5, "write");
}

/* A run whose interrupt --skip-ids resumes: not a dry run's, nor the
 * Batch API's (its state file resumes it). */
static int
resumable(const struct config *c)
{
	return !c->dry_run && c->batch_api == NULL && c->batch_cancel == NULL;
}

/* The second signal: the line being written is finished, then out. */
static void __attribute__((noreturn))
leave(struct run *run, int sig)
{
	int	 fl;

	tty_clear();
	if ((fl = fcntl(STDOUT_FILENO, F_GETFL)) != -1)
		fcntl(STDOUT_FILENO, F_SETFL, fl & ~O_NONBLOCK);
	if (output_finish_line(run->out) == -1 && errno != EPIPE)
		warn("write");
	if (resumable(run->cfg)) {
		run->stop.sig = run->signal != 0 ? run->signal : sig;
		run->stop.twice = 1;
		tty_interrupted(&run->stop, &run->st, run->argc, run->argv);
	}
	_exit(128 + sig);
}

static long long
min_timeout(long long a, long long b)
{
	return a < 0 ? b : b < 0 || a < b ? a : b;
}

static int
loop(struct run *run)
{
	struct pollfd	 pfd[POLL_N];
	const char	*note;
	long long	 now, t;
	char		 e[256], sig;
	ssize_t		 n;
	int		 w;

	for (;;) {
		now = clock_ms();
		if (sched_turn(run->sched, now, e, sizeof(e)) == -1)
			errx(1, "%s", e);
		flush_output(run);
		/* A file changed under the run: said once. */
		if (run->share != NULL && (note = share_note(run->share)) !=
		    NULL)
			say("%s", note);
		/* It failed: said, not dropped, since the processes no longer
		 * share one budget; the run goes on with its own. */
		if (run->share != NULL && run->pace != NULL &&
		    (note = pace_share_error(run->pace)) != NULL)
			say("%s; pacing by this process's own limits until it "
			    "works again", note);
		if (sched_stopped(run->sched))
			return 3;
		/* The money is spent: what is in flight ends, then 4. */
		if (sched_broke(run->sched) && sched_over(run->sched, now))
			return 4;
		if (sched_over(run->sched, now))
			break;
		/* Through the Batch API: the rows at the provider. */
		run->st.inflight = run->batch != NULL ?
		    batchapi_rows(run->batch) : run->pool != NULL ?
		    (size_t)pool_active(run->pool) : 0;
		tty_draw(&run->st, now);

		pfd[POLL_STDIN].fd = sched_want_input(run->sched) ?
		    STDIN_FILENO : -1;
		pfd[POLL_STDIN].events = POLLIN;
		pfd[POLL_STDOUT].fd = output_pending(run->out) > 0 ?
		    STDOUT_FILENO : -1;
		pfd[POLL_STDOUT].events = POLLOUT;
		pfd[POLL_NET].fd = run->pool != NULL ? pool_fd(run->pool) : -1;
		pfd[POLL_NET].events = POLLIN;
		pfd[POLL_SIGNAL].fd = sigpipe_fds[0];
		pfd[POLL_SIGNAL].events = POLLIN;
		t = min_timeout(sched_timeout(run->sched, now),
		    tty_next_draw(now));
		if (poll(pfd, POLL_N, t > INT_MAX ? INT_MAX : (int)t) == -1) {
			if (errno != EINTR)
				err(1, "poll");
			continue;
		}
		if (pfd[POLL_SIGNAL].revents & POLLIN &&
		    read(sigpipe_fds[0], &sig, 1) == 1) {
			if (signals_seen > 1)
				leave(run, sig);
			if (sig == SIGUSR1 || sig == SIGUSR2) {
				/* A window 10% wider or narrower, as xargs
				 * -P; under -j auto, the rate. */
				w = sched_scale(run->sched, sig == SIGUSR1 ?
				    1.1 : 1 / 1.1);
				if (run->pool != NULL && run->cfg->verbose > 0)
					say("window %d%s", w, run->cfg->autotune ?
					    " (-j auto)" : "");
			} else if (!run->signal) {
				run->signal = sig;
				if (sched_interrupt(run->sched, clock_ms(), e,
				    sizeof(e)) == -1)
					errx(1, "%s", e);
			}
		}
		if (pfd[POLL_STDIN].revents) {
			n = lines_fill(run->in);
			if (n == -1 && errno != EAGAIN && errno != EINTR)
				err(1, "stdin");
		}
		if (run->pool != NULL &&
		    pool_work(run->pool, clock_ms(), e, sizeof(e)) == -1)
			errx(1, "%s", e);
	}
	if (run->signal) {
		run->stop.sig = run->signal;
		run->stop.lost = run->pool != NULL ? pool_active(run->pool) : 0;
		run->stop.all_read = lines_done(run->in);
		return 128 + run->signal;
	}
	return run->st.failed > 0;
}

/* The end of a run through the Batch API, or of --batch-cancel: its
 * exit status. */
static int
batch_end(struct run *run, struct parts *p, int status)
{
	const struct config	*c = run->cfg;
	int			 n, failed;

	tty_clear();
	if (c->batch_cancel != NULL) {
		n = batchapi_cancelled(p->batch, &failed);
		if (c->verbose >= 0)
			warnx("%s: %d batch%s cancelled%s", c->batch_cancel, n,
			    n == 1 ? "" : "es", n > 0 ? "; the same command "
			    "with --batch-api writes what they answered and "
			    "sends the rest again" : "");
		return status != 0 ? status : failed > 0;
	}
	if (status == 0 && bstate_resumed(p->state) &&
	    run->st.rows_read == 0 && c->verbose >= 0)
		warnx("%s: every row of the input was written by an earlier "
		    "run", c->batch_api);
	if (status < 128)
		return status;
	if ((n = batchapi_pending(p->batch)) > 0)
		warnx("interrupted: %d batch%s keep%s running at the provider "
		    "(paid for); run the same command again to resume, or "
		    "'enrich --batch-cancel %s' to cancel", n, n == 1 ? "" :
		    "es", n == 1 ? "s" : "", c->batch_api);
	else
		warnx("interrupted: no batch was running; run the same "
		    "command again to resume");
	return status;
}

/*
 * The end of the run: rows held for their turn go out rather than be
 * lost, and what is queued is written, waiting for the reader if need be.
 */
static void
finish_output(struct run *run)
{
	int	 fl;

	if (output_drain(run->out) == -1)
		err(1, NULL);
	/* Our own description (setup_stdout): blocking is ours to set. */
	if ((fl = fcntl(STDOUT_FILENO, F_GETFL)) != -1)
		fcntl(STDOUT_FILENO, F_SETFL, fl & ~O_NONBLOCK);
	while (output_pending(run->out) > 0)
		flush_output(run);
	flush_output(run);		/* the --errors file */
}

/* The end: the report (report.c), then where an interrupt goes on from. */
static void
end(struct run *run, const struct request *req)
{
	struct report	 r = { 0 };

	r.cfg = run->cfg;
	r.request = req;
	r.rates = run->rates;
	r.escalate_rates = run->escalate_rates;
	r.pool = run->pool;
	r.pace = run->pace;
	r.endpoints = run->endpoints;
	r.seen = run->seen;
	r.labels = run->labels;
	r.budget = run->budget;
	r.broke = sched_broke(run->sched);
	r.statsfd = run->statsfd;
	report_end(&r, &run->st);
	/* Always, and last: where an interrupted run goes on from. */
	if (run->stop.sig != 0 && resumable(run->cfg))
		tty_interrupted(&run->stop, &run->st, run->argc, run->argv);
}

int
main(int argc, char *argv[])
{
	struct config		 cfg = { 0 };
	struct run		 run = { 0 };
	struct parts		 p;
	struct sched_config	 sc = { 0 };
	struct sched_parts	 sp = { 0 };
	char			 e[256];
	int			 status, outflags;

	proc_std();
	proc_private();
	cli_parse(argc, argv, &cfg);
	rules_check(&cfg);
	/* A dry run sends nothing: spare it the TLS library's set-up. */
	if (!cfg.dry_run && curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
		errx(2, "cannot initialise libcurl");
	run.st.start_ms = clock_ms();
	setup_run(&cfg, proc_nofile(), run.st.start_ms, &p, batch_say, &cfg);
	setup_signals();
	outflags = proc_stdout();
	run.cfg = &cfg;
	run.argc = argc;
	run.argv = argv;
	run.statsfd = p.statsfd;
	run.pool = p.pool;
	run.pace = p.pace;
	run.share = p.share;
	run.endpoints = p.endpoints;
	run.seen = p.seen;
	run.rates = &p.rates;
	run.escalate_rates = p.escalate_priced ? &p.escalate_rates : NULL;
	run.st.priced = p.priced;
	run.st.unpriced = p.unpriced[0] != '\0' ? p.unpriced : NULL;
	if (cfg.max_cost > 0 && !cfg.dry_run)
		run.budget = &p.budget;
	run.labels = p.labels;
	run.st.expect = p.expect;
	if (cfg.escalate != NULL) {
		run.st.models[0] = cfg.model;
		run.st.models[1] = cfg.escalate;
	}
	if ((run.in = lines_new(STDIN_FILENO, cfg.max_line)) == NULL ||
	    (run.out = output_new(STDOUT_FILENO, p.errfd, cfg.ordered ? 1024 :
	    0)) == NULL)
		err(2, NULL);
	if (outflags & PROC_BLOCKING)
		output_blocking(run.out);
	if (outflags & PROC_SHARED)
		output_atomic(run.out);
	sc.estimate = cfg.estimate;
	sc.ordered = cfg.ordered;
	sc.grace_ms = cfg.grace * 1000;
	sc.no_input = cfg.batch_cancel != NULL;
	sp.in = run.in;
	sp.out = run.out;
	sp.input = p.input;
	sp.record = p.record;
	sp.verdicts = p.verdicts;
	sp.pool = run.pool;
	sp.pace = run.pace;
	sp.stats = &run.st;
	sp.endpoints = p.endpoints;
	sp.cache = p.cache;
	sp.rates = p.priced ? &p.rates : NULL;
	sp.budget = cfg.max_cost > 0 && !cfg.dry_run ? &p.budget : NULL;
	if (p.batch != NULL) {
		batchapi_transport(p.batch, &run.transport);
		run.batch = p.batch;
		sp.transport = &run.transport;
		sp.rows = p.rows;
	}
	sp.escalate = cfg.escalate;
	sp.escalate_rates = sp.budget != NULL && cfg.escalate != NULL ?
	    &p.escalate_rates : NULL;
	if ((run.sched = sched_new(&sc, &sp, notify, &run)) == NULL)
		err(2, NULL);
	provider_redact(provider_url(p.provider), e, sizeof(e));
	if (cfg.verbose > 0 && (cfg.batch_api != NULL || cfg.batch_cancel))
		warnx("%s, model %s, %s", e, cfg.model, cfg.batch_cancel ?
		    "cancelling batches" : cfg.dry_run ? "Batch API, dry run" :
		    "through the Batch API");
	else if (cfg.verbose > 0)
		warnx("%s%s, model %s, %s%d in flight%s", e,
		    cfg.urls.n > 1 ? " and more endpoints" : "", cfg.model,
		    cfg.autotune ? "-j auto, " : "", run.pool != NULL ?
		    pool_window(run.pool) : cfg.jobs, cfg.dry_run ?
		    ", dry run" : "");
	tty_setup(cfg.progress, cfg.verbose, &run.st);

	if (cfg.batch_cancel != NULL)
		batchapi_cancel(p.batch, clock_ms());
	status = loop(&run);
	if (p.batch != NULL)
		status = batch_end(&run, &p, status);

	finish_output(&run);
	end(&run, p.request);
	sched_free(run.sched);
	output_free(run.out);
	lines_free(run.in);
	tty_free();
	if (p.errfd != -1 && close(p.errfd) == -1)
		err(5, "--errors %s", cfg.errors);
	p.errfd = -1;
	setup_free(&p);
	free(cfg.headers.v);
	free(cfg.urls.v);
	free(cfg.url_keys.v);
	free(cfg.url_env);
	free(cfg.params.v);
	free(cfg.attach.v);
	free(cfg.skipfiles.v);
	if (!cfg.dry_run)
		curl_global_cleanup();
	return status;
}
