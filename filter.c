/*
 * enrich: JSON Lines in, one chat completion per row, enriched JSON Lines
 * out.
 *
 * This file is the command line and the loop.  The loop is netcat's: one
 * poll() over named slots (stdin, stdout, the pool's sockets, the signal
 * pipe), reading only while the window has room and the output is not
 * backed up, so memory is bounded by the window and the longest line.
 * Everything a row means lives in lib/.
 */
#include <sys/ioctl.h>
#include <sys/stat.h>

#include <err.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <math.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include <curl/curl.h>

#include "lib/buf.h"
#include "lib/clock.h"
#include "lib/idset.h"
#include "lib/limit.h"
#include "lib/lines.h"
#include "lib/output.h"
#include "lib/pool.h"
#include "lib/progress.h"
#include "lib/request.h"
#include "lib/row.h"
#include "lib/template.h"
#include "lib/tune.h"

#include "cli.h"

#define LINE_MAX_BYTES	((size_t)256 * 1024 * 1024)
#define OUT_HIGH	(1024 * 1024)	/* stop reading above this backlog */
#define START_BATCH	64	/* requests started per turn of the loop */
#define REDRAW_MS	100	/* the progress line, at most 10 times a second */

/* Slots of the poll set, by name, as in netcat. */
enum { POLL_STDIN, POLL_STDOUT, POLL_NET, POLL_SIGNAL, POLL_N };

struct run {
	const struct config	*cfg;
	struct lines		*in;
	struct output		*out;
	struct pool		*pool;
	struct rows		*rows;
	struct limit		*limit;
	struct row		*next;		/* held back by the limiter */
	int			 more;		/* a batch stopped short */
	int			 reading;	/* stdin may give more rows */
	int			 signal;	/* the first SIGINT/SIGTERM */
	long long		 grace_end;	/* after a signal */
	int			 fatal;
	uint64_t		 seq;		/* non-blank lines read */
	uint64_t		 est_rows;	/* --estimate: rows to send */
	uint64_t		 est_tokens;	/* and their prompt tokens */
	struct stats		 st;
	struct progress		*progress;	/* NULL: none shown */
	struct tune		*tune;		/* the rate the server allows */
	int			 paced;		/* by it: -j auto, or a 429 */
	long long		 inflight_cost;	/* tokens of requests in flight */
	long long		 next_draw;
	int			 width;		/* of the terminal */
};

static int		 sigpipe_fds[2] = { -1, -1 };
static volatile sig_atomic_t signals_seen;
static volatile sig_atomic_t progress_shown;	/* a line to clear */
static int		 stdout_flags = -1;	/* to restore at exit */

static void
read_file(const char *path, struct buf *b, const char *what)
{
	char	 tmp[65536];
	ssize_t	 n;
	int	 fd;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1)
		err(2, "%s %s", what, path);
	while ((n = read(fd, tmp, sizeof(tmp))) != 0) {
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1)
			err(2, "%s %s", what, path);
		if (buf_add(b, tmp, n) == -1)
			err(2, NULL);
	}
	close(fd);
}

static struct tmpl *
compile(const char *arg, const char *file, const char *argopt,
    const char *fileopt)
{
	struct tmpl	*t;
	struct buf	 src = { 0 };
	char		 e[256];

	if (file != NULL)
		read_file(file, &src, fileopt);
	else if (buf_adds(&src, arg) == -1)
		err(2, NULL);
	t = tmpl_compile(src.data ? src.data : "", src.len,
	    file != NULL ? 0 : TMPL_ESCAPES, e, sizeof(e));
	if (t == NULL && file != NULL)
		errx(2, "%s %s: %s", fileopt, file, e);
	if (t == NULL)
		errx(2, "%s: %s", argopt, e);
	buf_free(&src);
	return t;
}

/*
 * The key comes from a file or the environment, never argv, and goes
 * nowhere but its header: Authorization: Bearer, or Azure's api-key.
 * Returns that header line, or NULL when no key is needed.
 */
static char *
auth_header(const struct config *c, const char *host)
{
	struct buf	 key = { 0 };
	const char	*e, *var, *name;
	char		*h;
	size_t		 n;

	var = c->azure ? "AZURE_OPENAI_API_KEY" : "OPENAI_API_KEY";
	name = c->azure ? "api-key:" : "authorization:";
	if (c->keyfile != NULL) {
		read_file(c->keyfile, &key, "--api-key-file");
		n = strcspn(key.data ? key.data : "", "\r\n");
		key.len = key.len < n ? key.len : n;
	} else if ((e = c->env_key) != NULL && buf_adds(&key, e) == -1)
		err(2, NULL);
	while (key.len > 0 && (key.data[key.len - 1] == ' ' ||
	    key.data[key.len - 1] == '\t'))
		key.len--;
	for (n = 0; n < c->headers.n; n++)
		if (strncasecmp(c->headers.v[n], name, strlen(name)) == 0 ||
		    strncasecmp(c->headers.v[n], "authorization:", 14) == 0) {
			/* The caller's own credentials, such as an Entra
			 * token for Azure: fine, but not both. */
			if (key.len > 0)
				errx(2, "-H %.*s and an API key: give one",
				    (int)strcspn(c->headers.v[n], ":"),
				    c->headers.v[n]);
			buf_free(&key);
			return NULL;
		}
	if (key.len == 0) {
		buf_free(&key);
		if (c->keyfile != NULL)
			errx(2, "--api-key-file %s: no key on its first line",
			    c->keyfile);
		if (c->azure || strcmp(host, "api.openai.com") == 0)
			errx(2, "no API key: export %s=... or use "
			    "--api-key-file FILE", var);
		return NULL;
	}
	for (n = 0; n < key.len; n++)
		if ((unsigned char)key.data[n] < 0x20 || key.data[n] == 0x7f)
			errx(2, "the API key contains control characters");
	if (asprintf(&h, c->azure ? "api-key: %.*s" :
	    "Authorization: Bearer %.*s", (int)key.len, key.data) == -1)
		err(2, NULL);
	explicit_bzero(key.data, key.len);
	buf_free(&key);
	return h;
}

/*
 * BASE/chat/completions (or --endpoint), or for Azure OpenAI
 * BASE/openai/deployments/MODEL/chat/completions?api-version=V;
 * checked by libcurl's own URL parser.
 */
static char *
endpoint(const struct config *c, char **host)
{
	CURLU		*u;
	const char	*base = c->url, *v;
	char		*url, *model;
	size_t		 n = strlen(base);
	int		 rv;

	while (n > 0 && base[n - 1] == '/')
		n--;
	if (c->azure) {
		v = c->api_version;
		if ((model = curl_easy_escape(NULL, c->model, 0)) == NULL)
			err(2, NULL);
		rv = asprintf(&url, "%.*s/openai/deployments/%s%s"
		    "?api-version=%s", (int)n, base, model, c->endpoint, v);
		curl_free(model);
	} else
		rv = asprintf(&url, "%.*s%s", (int)n, base, c->endpoint);
	if (rv == -1)
		err(2, NULL);
	if ((u = curl_url()) == NULL)
		err(2, NULL);
	if (curl_url_set(u, CURLUPART_URL, url, 0) != CURLUE_OK ||
	    curl_url_get(u, CURLUPART_HOST, host, 0) != CURLUE_OK)
		errx(2, "-u %s: not a URL", base);
	if (strncmp(url, "http://", 7) != 0 && strncmp(url, "https://", 8) != 0)
		errx(2, "-u %s: http:// or https:// expected", base);
	curl_url_cleanup(u);
	return url;
}

static struct idset *
load_skip(const struct config *c)
{
	struct idset_stats	 st;
	struct idset		*s;
	FILE			*fp;
	size_t			 k;

	if (c->skipfiles.n == 0)
		return NULL;
	if ((s = idset_new()) == NULL)
		err(2, NULL);
	for (k = 0; k < c->skipfiles.n; k++) {
		if ((fp = fopen(c->skipfiles.v[k], "re")) == NULL)
			err(2, "--skip-ids %s", c->skipfiles.v[k]);
		if (idset_load(s, fp, c->idfield, c->errfield, &st) == -1)
			err(2, "--skip-ids %s", c->skipfiles.v[k]);
		fclose(fp);
		if (st.unusable > 0 && c->verbose >= 0)
			warnx("%s: ignored %zu line%s without a usable ID",
			    c->skipfiles.v[k], st.unusable,
			    st.unusable == 1 ? "" : "s");
		if (c->verbose > 0)
			warnx("%s: %zu done, %zu failed (to redo)",
			    c->skipfiles.v[k], st.ids, st.failed);
	}
	return s;
}

static void
restore_stdout(void)
{
	if (stdout_flags != -1)
		fcntl(STDOUT_FILENO, F_SETFL, stdout_flags);
}

/* First signal: finish what is in flight.  Second: leave now. */
static void
on_signal(int sig)
{
	int	 saved = errno;
	char	 c = sig;

	if (signals_seen++ > 0) {
		if (progress_shown)
			(void)write(STDERR_FILENO, "\r\033[K", 4);
		restore_stdout();
		_exit(128 + sig);
	}
	(void)write(sigpipe_fds[1], &c, 1);
	errno = saved;
}

/* SIGUSR1, SIGUSR2: only a note for the loop. */
static void
on_tune_signal(int sig)
{
	int	 saved = errno;
	char	 c = sig;

	(void)write(sigpipe_fds[1], &c, 1);
	errno = saved;
}

static void
setup_signals(void)
{
	struct sigaction	 sa;
	int			 k;

	if (pipe2(sigpipe_fds, O_CLOEXEC | O_NONBLOCK) == -1)
		err(2, "pipe");
	memset(&sa, 0, sizeof(sa));
	sigemptyset(&sa.sa_mask);
	sa.sa_handler = on_signal;
	for (k = 0; k < 2; k++)
		if (sigaction(k == 0 ? SIGINT : SIGTERM, &sa, NULL) == -1)
			err(2, "sigaction");
	sa.sa_handler = on_tune_signal;
	for (k = 0; k < 2; k++)
		if (sigaction(k == 0 ? SIGUSR1 : SIGUSR2, &sa, NULL) == -1)
			err(2, "sigaction");
	/* A closed stdout is an EPIPE to handle, not a death. */
	signal(SIGPIPE, SIG_IGN);
}

/* Writes to a pipe or terminal must not block the loop. */
static void
setup_stdout(void)
{
	struct stat	 st;
	int		 fl;

	if (fstat(STDOUT_FILENO, &st) == -1)
		err(2, "stdout");
	if (S_ISREG(st.st_mode))
		return;
	if ((fl = fcntl(STDOUT_FILENO, F_GETFL)) == -1)
		err(2, "stdout");
	stdout_flags = fl;
	atexit(restore_stdout);
	if (fcntl(STDOUT_FILENO, F_SETFL, fl | O_NONBLOCK) == -1)
		err(2, "stdout");
}

/* Wipe the progress line, so that a message starts on a clean line. */
static void
clear_progress(struct run *run)
{
	if (run->progress != NULL && progress_shown) {
		fputs("\r\033[K", stderr);
		progress_shown = 0;
	}
}

static void
draw_progress(struct run *run, long long now)
{
	char	 line[512];

	if (run->progress == NULL || now < run->next_draw)
		return;
	run->next_draw = now + REDRAW_MS;
	run->st.inflight = run->pool != NULL ? pool_active(run->pool) : 0;
	progress_line(run->progress, &run->st, now, line, sizeof(line),
	    run->width - 1);
	fprintf(stderr, "\r%s\033[K", line);
	progress_shown = 1;
}

/* What went wrong with a row, as "HTTP 400: message" or "timeout: ...". */
static const char *
cause(const struct row *r, char *buf, size_t len)
{
	if (r->error == ROW_ERR_HTTP)
		snprintf(buf, len, "HTTP %ld: %.*s", r->status, (int)r->msg.len,
		    r->msg.data);
	else
		snprintf(buf, len, "%s: %.*s", row_error_name(r->error),
		    (int)r->msg.len, r->msg.data);
	return buf;
}

static void
emit(struct run *run, struct row *r)
{
	char	 buf[1024];

	/* An estimate counts what a dry run would print. */
	if (run->cfg->estimate && !r->failed) {
		run->est_rows++;
		run->est_tokens += r->prompt_bytes / 4;
		if (output_skip(run->out, r->seq) == -1)
			err(1, NULL);
		return;
	}
	if (output_line(run->out, r->seq, r->failed, r->line.data,
	    r->line.len) == -1)
		err(1, NULL);
	if (r->prompt_tokens > 0)
		run->st.prompt_tokens += r->prompt_tokens;
	if (r->completion_tokens > 0)
		run->st.completion_tokens += r->completion_tokens;
	if (!r->failed) {
		run->st.ok++;
		return;
	}
	run->st.failed++;
	if (run->cfg->verbose >= 0) {
		clear_progress(run);
		warnx("row %.*s: %s", (int)r->id.len, r->id.data,
		    cause(r, buf, sizeof(buf)));
	}
}

/*
 * Rows waiting for a retry hold no place in the window, so new rows keep
 * flowing past them; but when many fail at once, reading stops at this
 * many, which keeps memory bounded by the window.
 */
static size_t
max_waiting(const struct run *run)
{
	return 2 * (size_t)(run->pool != NULL ? pool_window(run->pool) :
	    run->cfg->jobs) + 64;
}

/* May another row be read now? */
static int
may_read(const struct run *run)
{
	return run->reading && !run->signal &&
	    output_pending(run->out) < OUT_HIGH &&
	    rows_waiting(run->rows) < max_waiting(run) &&
	    output_room(run->out, run->seq);
}

/*
 * The next row of the input that needs a request.  Rows that need none
 * (skipped, bad, dry run) are dealt with on the way.  NULL when there is
 * none now, or the run must not take more.
 */
static struct row *
read_row(struct run *run)
{
	struct line	 ln;
	struct row	*r;
	int		 rv;

	while (may_read(run) && lines_next(run->in, &ln)) {
		if ((r = rows_get(run->rows)) == NULL ||
		    (rv = row_load(run->rows, r, &ln)) == -1)
			err(1, NULL);
		if (rv != ROW_BLANK) {
			r->seq = run->seq++;
			run->st.rows_read++;
			run->st.bytes_read = lines_consumed(run->in);
		}
		switch (rv) {
		case ROW_SEND:
			return r;
		case ROW_SKIP:
			run->st.skipped++;
			if (output_skip(run->out, r->seq) == -1)
				err(1, NULL);
			break;
		case ROW_WRITE:
			emit(run, r);
			break;
		}
		rows_put(run->rows, r);
	}
	if (lines_done(run->in))
		run->reading = 0;
	return NULL;
}

/* Fill the window: retries that are due first, then new rows. */
static void
start_rows(struct run *run, long long now)
{
	struct row	*r;
	char		 e[256];
	int		 batch = 0;

	if (run->pool == NULL) {
		if (read_row(run) != NULL)
			errx(1, "internal error: a row to send in a dry run");
		return;
	}
	/*
	 * In batches: a window of 1000 opened at once spends 0.2 s in
	 * connect() before the first request goes out; a batch at a time
	 * starts the first requests (and their latency) at once.
	 */
	for (run->more = 0; pool_room(run->pool) > 0; batch++) {
		if (batch == START_BATCH) {
			run->more = 1;
			break;
		}
		if ((r = run->next) == NULL &&
		    (r = rows_due(run->rows, now)) == NULL &&
		    (r = read_row(run)) == NULL)
			break;
		run->next = NULL;
		if (limit_wait(run->limit, now, r->cost) > 0) {
			run->next = r;
			break;
		}
		limit_take(run->limit, now, r->cost);
		if (pool_submit(run->pool, &r->xfer, e, sizeof(e)) == -1)
			errx(1, "%s", e);
		run->inflight_cost += r->cost;
		if (run->tune != NULL)
			r->epoch = tune_started(run->tune, now);
	}
}

/* A header's value as a count, or -1. */
static long long
header_count(const struct xfer *x, enum xfer_header h)
{
	const char	*errstr;
	long long	 v;

	if (x->header[h][0] == '\0')
		return -1;
	v = strtonum(x->header[h], 0, LLONG_MAX, &errstr);
	return errstr == NULL ? v : -1;
}

/*
 * What the server announces of its limits, on every response: paced
 * before its budget runs out rather than after, with 429s.
 */
static void
heed_server(struct run *run, const struct xfer *x, long long now)
{
	long long	 limit, left, reset;

	limit = header_count(x, XH_RL_LIMIT_REQUESTS);
	left = header_count(x, XH_RL_REMAINING_REQUESTS);
	reset = limit_duration(x->header[XH_RL_RESET_REQUESTS]);
	limit_server(run->limit, now, LIMIT_REQUESTS, limit, left, reset,
	    pool_active(run->pool));
	limit_server(run->limit, now, LIMIT_TOKENS,
	    header_count(x, XH_RL_LIMIT_TOKENS),
	    header_count(x, XH_RL_REMAINING_TOKENS),
	    limit_duration(x->header[XH_RL_RESET_TOKENS]),
	    run->inflight_cost);
	/* What is spent comes back in the time to reset: that is the rate
	 * -j auto would otherwise have to find. */
	if (run->tune != NULL && limit > left && left >= 0 && reset > 0)
		tune_announced(run->tune, (limit - left) * 1000.0 / reset);
}

static void
note_retry(struct run *run, const struct row *r)
{
	char	 buf[1024];

	if (!r->ratelimited)
		run->st.retries++;
	if (run->cfg->verbose > 0) {
		clear_progress(run);
		warnx("row %.*s: %s; %s %.1f s", (int)r->id.len, r->id.data,
		    cause(r, buf, sizeof(buf)), r->hold > 0 ?
		    "rate limited, all wait" : r->ratelimited ?
		    "rate limited, retry in" : "retry in", r->delay / 1000.0);
	}
}

static void
finish_rows(struct run *run, long long now)
{
	struct xfer	*x;
	struct row	*r;
	char		 buf[1024];
	int		 rv;

	while (!run->fatal && (x = pool_done(run->pool)) != NULL) {
		r = x->udata;
		run->inflight_cost -= r->cost;
		if (x->result == XFER_RESPONSE) {
			if (x->status == 429)
				run->st.http429++;
			heed_server(run, x, now);
		}
		if ((rv = row_finish(run->rows, r, now)) == -1)
			err(1, NULL);
		switch (rv) {
		case ROW_RETRY:
			if (r->hold > 0)
				limit_hold(run->limit, r->hold);
			if (r->ratelimited && run->tune != NULL) {
				tune_ratelimited(run->tune, now, r->epoch);
				if (!run->paced && run->cfg->verbose > 0) {
					clear_progress(run);
					warnx("rate limited: pacing new requests "
					    "from now on");
				}
				run->paced = 1;
			}
			note_retry(run, r);
			continue;	/* the row waits in the rows' queue */
		case ROW_FATAL:
			/* About the run, not the row: no row ID. */
			clear_progress(run);
			warnx("%s", cause(r, buf, sizeof(buf)));
			warnx("stopped; the rows not written can be resumed "
			    "with --skip-ids");
			run->fatal = 1;
			break;
		default:
			if (!r->failed && r->prompt_tokens >= 0 &&
			    r->completion_tokens >= 0)
				limit_adjust(run->limit, now, r->prompt_tokens +
				    r->completion_tokens - r->cost);
			if (!r->failed && run->tune != NULL)
				tune_success(run->tune, x->elapsed_ms);
			emit(run, r);
			break;
		}
		rows_put(run->rows, r);
	}
}

static void
flush_output(struct run *run)
{
	if (output_flush(run->out) == 0)
		return;
	/* A reader that went away (| head) ends the run, quietly. */
	clear_progress(run);
	if (errno == EPIPE)
		exit(128 + SIGPIPE);
	err(1, "write");
}

/* SIGUSR1 and SIGUSR2: a window 10% wider or narrower, as xargs -P. */
static void
retune(struct run *run, double f)
{
	int	 w, n;

	if (run->pool == NULL)
		return;
	if (run->cfg->autotune) {
		tune_scale(run->tune, f);
		w = tune_window(run->tune);
	} else {
		w = pool_window(run->pool);
		n = f > 1 ? (int)ceil(w * f) : (int)floor(w * f);
		if (n == w)
			n += f > 1 ? 1 : -1;
		pool_set_window(run->pool, n);
		w = pool_window(run->pool);
	}
	if (run->cfg->verbose > 0) {
		clear_progress(run);
		warnx("window %d%s", w, run->cfg->autotune ? " (-j auto)" : "");
	}
}

/* The first signal: read no more, and give the rest a deadline. */
static void
on_first_signal(struct run *run, int sig, long long now)
{
	struct row	*r;

	run->signal = sig;
	run->grace_end = now + run->cfg->grace * 1000;
	rows_deadline(run->rows, run->grace_end);
	/* A row read but never sent is as if never read. */
	if ((r = run->next) != NULL && r->attempts == 0) {
		run->next = NULL;
		rows_put(run->rows, r);
	}
}

/* The grace period is over: waiting rows fail, rows in flight are lost. */
static void
end_grace(struct run *run)
{
	struct row	*r;

	while ((r = run->next) != NULL || (r = rows_pop(run->rows)) != NULL) {
		run->next = NULL;
		if (row_give_up(run->rows, r) == -1)
			err(1, NULL);
		emit(run, r);
		rows_put(run->rows, r);
	}
}

static long long
min_timeout(long long a, long long b)
{
	if (a < 0)
		return b;
	if (b < 0)
		return a;
	return a < b ? a : b;
}

/* How long poll() may sleep: until the nearest thing that is due. */
static long long
next_timeout(struct run *run, long long now)
{
	long long	 t = -1, due;

	/* Rows to start now: a batch cut short, or lines already read. */
	if (run->more || (run->next == NULL && may_read(run) &&
	    !lines_need(run->in) && !lines_done(run->in) &&
	    (run->pool == NULL || pool_room(run->pool) > 0)))
		return 0;
	if (run->pool != NULL)
		t = pool_timeout(run->pool, now);
	if ((due = rows_next_due(run->rows)) >= 0 && run->pool != NULL &&
	    pool_room(run->pool) > 0)
		t = min_timeout(t, due > now ? due - now : 0);
	if (run->next != NULL)
		t = min_timeout(t, limit_wait(run->limit, now, run->next->cost));
	if (run->signal)
		t = min_timeout(t, run->grace_end > now ?
		    run->grace_end - now : 0);
	if (run->progress != NULL)
		t = min_timeout(t, run->next_draw > now ?
		    run->next_draw - now : 0);
	return t > INT_MAX ? INT_MAX : t;
}

static int
loop(struct run *run)
{
	struct pollfd	 pfd[POLL_N];
	long long	 now;
	char		 e[256], sig;
	ssize_t		 n;
	int		 active;

	for (;;) {
		/* Finished rows first: they free the places new ones take. */
		now = clock_ms();
		if (run->pool != NULL)
			finish_rows(run, now);
		if (run->tune != NULL) {
			tune_tick(run->tune, now);
			/* --rpm stays a ceiling the tuning cannot pass. */
			if (run->paced)
				limit_set_rpm(run->limit, now, run->cfg->rpm >
				    0 && run->cfg->rpm < tune_rpm(run->tune) ?
				    run->cfg->rpm : tune_rpm(run->tune));
			if (run->cfg->autotune)
				pool_set_window(run->pool,
				    tune_window(run->tune));
		}
		start_rows(run, now);
		if (run->signal && now >= run->grace_end)
			end_grace(run);
		flush_output(run);
		if (run->fatal)
			return 3;
		if (run->signal && now >= run->grace_end)
			break;
		active = run->pool != NULL ? pool_active(run->pool) : 0;
		if ((!run->reading || run->signal) && active == 0 &&
		    run->next == NULL && rows_waiting(run->rows) == 0 &&
		    output_pending(run->out) == 0)
			break;
		draw_progress(run, now);

		pfd[POLL_STDIN].fd = run->next == NULL && may_read(run) &&
		    lines_need(run->in) &&
		    (run->pool == NULL || pool_room(run->pool) > 0) ?
		    STDIN_FILENO : -1;
		pfd[POLL_STDIN].events = POLLIN;
		pfd[POLL_STDOUT].fd = output_pending(run->out) > 0 ?
		    STDOUT_FILENO : -1;
		pfd[POLL_STDOUT].events = POLLOUT;
		pfd[POLL_NET].fd = run->pool != NULL ? pool_fd(run->pool) : -1;
		pfd[POLL_NET].events = POLLIN;
		pfd[POLL_SIGNAL].fd = sigpipe_fds[0];
		pfd[POLL_SIGNAL].events = POLLIN;
		if (poll(pfd, POLL_N, next_timeout(run, now)) == -1) {
			if (errno != EINTR)
				err(1, "poll");
			continue;
		}
		if (pfd[POLL_SIGNAL].revents & POLLIN &&
		    read(sigpipe_fds[0], &sig, 1) == 1) {
			if (sig == SIGUSR1 || sig == SIGUSR2)
				retune(run, sig == SIGUSR1 ? 1.1 : 1 / 1.1);
			else if (!run->signal)
				on_first_signal(run, sig, clock_ms());
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
	if (run->signal)
		return 128 + run->signal;
	return run->st.failed > 0;
}

/*
 * The end of the run: rows held for their turn go out rather than be
 * lost, and what is queued is written, waiting for the reader if need be.
 */
static void
finish_output(struct run *run)
{
	if (output_drain(run->out) == -1)
		err(1, NULL);
	if (stdout_flags != -1)
		fcntl(STDOUT_FILENO, F_SETFL, stdout_flags & ~O_NONBLOCK);
	while (output_pending(run->out) > 0)
		flush_output(run);
	flush_output(run);		/* the --errors file */
}

/*
 * Progress by default only where someone watches: stderr is a terminal
 * and this process is in its foreground (not `enrich ... &`).
 */
static void
setup_progress(struct run *run)
{
	const struct config	*c = run->cfg;
	struct winsize		 ws;
	struct stat		 st;
	off_t			 at;

	if (c->progress == 0 || (c->progress < 0 && (c->verbose < 0 ||
	    !isatty(STDERR_FILENO) ||
	    tcgetpgrp(STDERR_FILENO) != getpgrp())))
		return;
	if ((run->progress = progress_new()) == NULL)
		err(2, NULL);
	run->width = 80;
	if (ioctl(STDERR_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 20)
		run->width = ws.ws_col;
	/* From a file, the total can be estimated from bytes read. */
	if (fstat(STDIN_FILENO, &st) == 0 && S_ISREG(st.st_mode) &&
	    (at = lseek(STDIN_FILENO, 0, SEEK_CUR)) != -1 && st.st_size > at)
		run->st.bytes_total = st.st_size - at;
}

/* --estimate: what the run would send, cost, and take, on stdout. */
static void
print_estimate(const struct run *run, long long budget)
{
	const struct config	*c = run->cfg;
	double			 out = (double)budget * run->est_rows, t = 0;

	printf("rows               %llu", (unsigned long long)run->est_rows);
	if (run->st.failed > 0)
		printf(" (and %llu that would fail: see above)",
		    (unsigned long long)run->st.failed);
	printf("\nprompt tokens      %llu (estimated, 4 bytes a token)\n",
	    (unsigned long long)run->est_tokens);
	if (budget > 0)
		printf("completion budget  %lld a row, %.0f in all\n", budget,
		    out);
	else
		printf("completion budget  unknown: no -P max_tokens or "
		    "max_completion_tokens\n");
	if (c->price_in > 0 || c->price_out > 0) {
		printf("cost               $%.4f in", run->est_tokens *
		    c->price_in / 1e6);
		if (budget > 0)
			printf(" + at most $%.4f out = $%.4f\n", out *
			    c->price_out / 1e6, (run->est_tokens * c->price_in +
			    out * c->price_out) / 1e6);
		else
			printf(", out unknown\n");
	}
	if (c->rpm > 0)
		t = run->est_rows * 60.0 / c->rpm;
	if (c->tpm > 0 && (run->est_tokens + out) * 60.0 / c->tpm > t)
		t = (run->est_tokens + out) * 60.0 / c->tpm;
	if (t > 0)
		printf("time               at least %.0f s (%.1f min) at the "
		    "limits given\n", t, t / 60);
	else
		printf("time               give --rpm or --tpm to estimate it\n");
}

/* The end: the summary line where progress was shown or asked for. */
static void
report(struct run *run)
{
	const struct config	*c = run->cfg;
	struct buf		 b = { 0 };
	long long		 now = clock_ms();
	char			 line[512];
	int			 fd;

	clear_progress(run);
	if (run->pool != NULL)
		run->st.connections = pool_connections(run->pool);
	if (run->paced) {
		run->st.paced = tune_measured(run->tune) > 0 ?
		    tune_measured(run->tune) : tune_rpm(run->tune) / 60;
		if (c->rpm > 0 && c->rpm / 60.0 < run->st.paced)
			run->st.paced = c->rpm / 60.0;
	}
	if (run->progress != NULL || c->stats || c->verbose > 0) {
		progress_summary(&run->st, now, line, sizeof(line));
		warnx("%s", line);
	}
	if (c->stats_json == NULL)
		return;
	if (progress_json(&run->st, now, &b) == -1)
		err(1, NULL);
	if ((fd = open(c->stats_json, O_WRONLY | O_CREAT | O_TRUNC |
	    O_CLOEXEC, 0666)) == -1 || write(fd, b.data, b.len) !=
	    (ssize_t)b.len || close(fd) == -1)
		err(1, "--stats-json %s", c->stats_json);
	buf_free(&b);
}

int
main(int argc, char *argv[])
{
	struct config		 cfg = { 0 };
	struct pool_config	 pc = { 0 };
	struct row_config	 rc = { 0 };
	struct run		 run = { 0 };
	struct tmpl		*user, *system = NULL;
	struct request		*req;
	struct idset		*skip;
	char			 e[256], *url, *host, *auth, *base;
	int			 errfd = -1, status;

	cli_parse(argc, argv, &cfg);
	/* A dry run sends nothing: spare it the TLS library's set-up. */
	if (!cfg.dry_run && curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
		errx(2, "cannot initialise libcurl");
	if (cfg.body != NULL || cfg.batch_in) {
		/* Batch lines carry their bodies: the body template is unused. */
		if ((user = tmpl_compile(cfg.body ? cfg.body : "{}",
		    strlen(cfg.body ? cfg.body : "{}"), TMPL_BODY, e,
		    sizeof(e))) == NULL)
			errx(2, "--body: %s", e);
		req = request_new_body(user, e, sizeof(e));
	} else {
		user = compile(cfg.prompt, cfg.prompt_file, "-p",
		    "--prompt-file");
		if (cfg.system != NULL || cfg.system_file != NULL)
			system = compile(cfg.system, cfg.system_file, "-s",
			    "--system-file");
		req = request_new(cfg.model, system, user, cfg.params.v,
		    cfg.params.n, e, sizeof(e));
	}
	if (req == NULL || (cfg.extract != NULL &&
	    request_extract(req, cfg.extract, e, sizeof(e)) == -1))
		errx(2, "%s", e);
	url = endpoint(&cfg, &host);
	base = strndup(cfg.url, strcspn(cfg.url, "?"));
	if (base == NULL)
		err(2, NULL);
	while (*base != '\0' && base[strlen(base) - 1] == '/')
		base[strlen(base) - 1] = '\0';
	auth = cfg.dry_run ? NULL : auth_header(&cfg, host);
	skip = load_skip(&cfg);
	if (cfg.errors != NULL && (errfd = open(cfg.errors,
	    O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0666)) == -1)
		err(2, "--errors %s", cfg.errors);

	setup_signals();
	setup_stdout();
	run.cfg = &cfg;
	run.reading = 1;
	/* In order, at most 4 windows of rows (and at least 1024) wait
	 * behind a slow one before reading stops. */
	if ((run.in = lines_new(STDIN_FILENO, LINE_MAX_BYTES)) == NULL ||
	    (run.out = output_new(STDOUT_FILENO, errfd, !cfg.ordered ? 0 :
	    cfg.jobs < 256 ? 1024 : 4 * (size_t)cfg.jobs)) == NULL)
		err(2, NULL);
	rc.idfield = cfg.idfield;
	rc.field = cfg.field;
	rc.errfield = cfg.errfield;
	rc.request = req;
	rc.skip = skip;
	rc.dry_run = cfg.dry_run;
	rc.json = cfg.json;
	rc.meta = cfg.meta;
	rc.batch_in = cfg.batch_in;
	rc.batch_out = cfg.batch_out;
	rc.base = base;
	rc.retries = cfg.retries;
	rc.max_wait_ms = cfg.max_wait * 1000;
	rc.stall_ms = cfg.stall * 1000;
	run.st.start_ms = clock_ms();
	if ((run.rows = rows_new(&rc, run.st.start_ms)) == NULL ||
	    (run.limit = limit_new(cfg.rpm, cfg.tpm)) == NULL)
		err(2, NULL);
	if (!cfg.dry_run) {
		pc.url = url;
		if (auth != NULL)
			cli_list_add(&cfg.headers, auth);
		pc.headers = (const char *const *)cfg.headers.v;
		pc.nheaders = cfg.headers.n;
		pc.timeout_ms = cfg.timeout * 1000;
		pc.max_response = cfg.max_response;
		/* Room for SIGUSR1 and -j auto to widen the window later. */
		pc.window = MAX_JOBS;
		pc.http = cfg.http;
		pc.cacert = cfg.cacert;
		if (cfg.http == POOL_HTTP_2_PRIOR && pool_h2c_broken() &&
		    cfg.verbose >= 0)
			warnx("this libcurl (%s) cannot reuse HTTP/2 "
			    "connections without TLS (curl#10634, fixed in "
			    "8.0.0): each request gets a connection of its own",
			    curl_version_info(CURLVERSION_NOW)->version);
		if ((run.pool = pool_new(&pc, e, sizeof(e))) == NULL)
			errx(2, "%s", e);
		/* Every run learns the server's rate; -j auto paces by it from
		 * the start, a fixed window from the first rate-limit 429. */
		if ((run.tune = tune_new(MAX_JOBS, clock_ms())) == NULL)
			err(2, NULL);
		run.paced = cfg.autotune;
		pool_set_window(run.pool, cfg.autotune ?
		    tune_window(run.tune) : cfg.jobs);
		if (auth != NULL) {
			explicit_bzero(auth, strlen(auth));
			free(auth);
		}
	}
	if (cfg.verbose > 0)
		warnx("%s, model %s, %s%d in flight%s", url, cfg.model,
		    cfg.autotune ? "-j auto, " : "", run.pool != NULL ?
		    pool_window(run.pool) : cfg.jobs, cfg.dry_run ?
		    ", dry run" : "");
	setup_progress(&run);

	status = loop(&run);

	finish_output(&run);
	if (cfg.estimate)
		print_estimate(&run, request_budget(req));
	report(&run);
	pool_free(run.pool);
	if (run.next != NULL)
		rows_put(run.rows, run.next);
	rows_free(run.rows);
	limit_free(run.limit);
	output_free(run.out);
	lines_free(run.in);
	progress_free(run.progress);
	tune_free(run.tune);
	idset_free(skip);
	request_free(req);
	tmpl_free(user);
	tmpl_free(system);
	free(url);
	free(base);
	curl_free(host);
	free(cfg.headers.v);
	free(cfg.params.v);
	free(cfg.skipfiles.v);
	if (errfd != -1 && close(errfd) == -1)
		err(1, "--errors %s", cfg.errors);
	if (!cfg.dry_run)
		curl_global_cleanup();
	return status;
}
