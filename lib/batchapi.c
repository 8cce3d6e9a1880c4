/*
 * The Batch API as a transport.  See batchapi.h.
 *
 * The files of a run live in STATE.d: spool.K (the rows of file K, in
 * order, leaders and followers), upload.K (its Batch request lines) and
 * results.K (its output and error files, as downloaded).  File K is
 * being filled while rows come to it (batchpark.h); closed, its calls
 * upload it, make it a batch, poll it and get its results
 * (batchcalls.h); then its rows are made again with them and given to
 * the caller (batchanswer.h); then it ends and its files go.
 */
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "batchanswer.h"
#include "batchapi.h"
#include "batchcalls.h"
#include "batchinput.h"
#include "batchpark.h"

#define ROOM		64	/* rows parked a turn */
#define MARK_MS		1000	/* checkpoints at most this often */

struct batchapi {
	struct batchapi_config	 cfg;
	struct batchapi_parts	 p;
	struct batchpark	*park;
	struct batchcalls	*calls;
	struct batchanswer	*ans;
	struct batchinput	 in;
	char			 path[PATH_MAX];	/* scratch */
	/* The file whose results are being written, or -1. */
	int			 wk;
	int			 ended;		/* the input */
	/* Checkpoints. */
	int			 dirty, force, was_quiet;
	long long		 last_mark;
	int			 interrupted, cancelling;
	char			 fatal[256];
};

static void
say(struct batchapi *b, int level, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void
say(struct batchapi *b, int level, const char *fmt, ...)
{
	char	 text[512];
	va_list	 ap;

	if (b->p.say == NULL)
		return;
	va_start(ap, fmt);
	vsnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);
	b->p.say(b->p.arg, level, text);
}

/* dir/name.K */
static const char *
file_path(struct batchapi *b, const char *name, int k)
{
	snprintf(b->path, sizeof(b->path), "%s/%s.%d",
	    bstate_dir(b->p.state), name, k);
	return b->path;
}

/* The files parking closed go to their calls. */
static int
hand_over(struct batchapi *b, char *err, size_t errlen)
{
	struct batchpark_file	 f;

	while (batchpark_closed(b->park, &f)) {
		if (batchcalls_add(b->calls, f.k, f.rows, f.reserved, err,
		    errlen) == -1)
			return -1;
		b->force = b->dirty = 1;
	}
	return 0;
}

/* Park a row: an enum transport_sent, or -1 and err. */
static int
park(struct batchapi *b, const struct row *r, char *err, size_t errlen)
{
	int	 rv;

	if ((rv = batchpark_row(b->park, r, b->wk, err, errlen)) == -1 ||
	    hand_over(b, err, errlen) == -1)
		return -1;
	b->dirty = 1;
	return rv;
}

/* The checkpoint: what the input and the files have come to. */
static int
mark(struct batchapi *b, long long now, char *err, size_t errlen)
{
	struct bstate_mark	 m;

	if (batchpark_sync(b->park, err, errlen) == -1)
		return -1;
	memset(&m, 0, sizeof(m));
	batchinput_mark(&b->in, &m);
	batchpark_mark(b->park, &m);
	m.at = b->wk;
	m.line = b->wk != -1 ? batchanswer_line(b->ans) : 0;
	if (bstate_mark(b->p.state, &m, err, errlen) == -1)
		return -1;
	batchcalls_marked(b->calls, m.fill);
	b->dirty = b->force = 0;
	b->last_mark = now;
	return 0;
}

/* The first file whose results are got, made ready to be written. */
static int
start_writing(struct batchapi *b, char *err, size_t errlen)
{
	const struct bstate_mark	*m = bstate_last(b->p.state);
	const struct batchcalls_file	*f;
	char				 spool[PATH_MAX];

	if (b->wk != -1 || b->interrupted || b->cancelling ||
	    (f = batchcalls_got(b->calls)) == NULL)
		return 0;
	strlcpy(spool, file_path(b, "spool", f->k), sizeof(spool));
	if (batchanswer_open(b->ans, spool, file_path(b, "results", f->k),
	    m->at == f->k ? m->line : 0, err, errlen) == -1)
		return -1;
	b->wk = f->k;
	if (batchanswer_bad(b->ans) > 0)
		say(b, 0, "batch %s: %zu lines of its results are no row's",
		    f->batch, batchanswer_bad(b->ans));
	return 0;
}

/* Every row of file wk is written or moved, and the caller is quiet. */
static int
end_writing(struct batchapi *b, long long now, char *err, size_t errlen)
{
	const struct batchcalls_file	*f = batchcalls_got(b->calls);
	size_t				 leaders, answered;
	int				 k = b->wk;

	if (mark(b, now, err, errlen) == -1 ||
	    bstate_ended(b->p.state, k, err, errlen) == -1)
		return -1;
	batchanswer_counts(b->ans, &leaders, &answered);
	if (f != NULL && f->k == k) {
		/* A resumed run did not hear its status: not said then. */
		say(b, (f->status == BAPI_COMPLETED ||
		    f->status == BAPI_UNKNOWN) && answered == leaders ? 1 : 0,
		    "batch %s%s%s: %zu of %zu rows answered", f->batch,
		    f->status != BAPI_UNKNOWN ? " " : "",
		    f->status != BAPI_UNKNOWN ? bapi_status_name(f->status) :
		    "", answered, leaders);
	}
	batchcalls_end(b->calls, k);
	batchanswer_close(b->ans);
	unlink(file_path(b, "spool", k));
	unlink(file_path(b, "upload", k));
	unlink(file_path(b, "results", k));
	batchpark_forget(b->park, k);
	b->wk = -1;
	b->force = 1;
	return 0;
}

/* A row no batch answered: once more in a later batch, or given up.
 * 1 if it is ready to write, 0 if parked again, -1. */
static int
unanswered(struct batchapi *b, struct row *r, char *err, size_t errlen)
{
	char	 why[128];
	int	 tries = r->retries + 1;

	if (r->retries < b->cfg.retries) {
		r->retries++;
		return park(b, r, err, errlen) == -1 ? -1 : 0;
	}
	r->attempts = tries;
	rows_set_error(r, ROW_ERR_HTTP, 0);
	snprintf(why, sizeof(why), "no answer from %d batch%s (expired, "
	    "failed or cancelled)", tries, tries == 1 ? "" : "es");
	if (buf_adds(&r->msg, why) == -1 ||
	    record_error(b->p.record, r) == -1) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	return 1;
}

/* The next row of the file being written, made again with its result:
 * the row and how, or NULL. */
static struct row *
next_row(struct batchapi *b, int *how, char *err, size_t errlen)
{
	struct row	*r;
	uint64_t	 line;
	int		 answered, rv;

	while (b->wk != -1) {
		line = batchanswer_line(b->ans);
		r = batchanswer_next(b->ans, &answered, err, errlen);
		if (batchanswer_line(b->ans) != line)
			b->dirty = 1;
		if (r == NULL)
			return NULL;
		if (answered) {
			*how = TRANSPORT_JUDGE;
			return r;
		}
		if ((rv = unanswered(b, r, err, errlen)) == 1) {
			*how = TRANSPORT_WRITE;
			return r;
		}
		rows_put(b->p.rows, r);
		if (rv == -1)
			return NULL;
	}
	return NULL;
}

/* The face. */

static int
t_room(void *arg, long long now)
{
	struct batchapi	*b = arg;

	(void)now;
	return b->interrupted || batchcalls_stopped(b->calls) ||
	    b->cancelling ? 0 : ROOM;
}

static long long
t_wait(void *arg, const struct row *r, long long now)
{
	(void)arg;
	(void)r;
	(void)now;
	return 0;
}

static int
t_send(void *arg, struct row *r, long long now, char *err, size_t errlen)
{
	(void)now;
	return park(arg, r, err, errlen);
}

static struct row *
t_done(void *arg, long long now, int *how)
{
	struct batchapi	*b = arg;

	(void)now;
	if (b->interrupted || b->fatal[0] != '\0')
		return NULL;
	return next_row(b, how, b->fatal, sizeof(b->fatal));
}

static long long
t_timeout(void *arg, long long now)
{
	struct batchapi	*b = arg;
	long long	 t, due;

	if ((b->wk != -1 && !batchanswer_eof(b->ans) && !b->interrupted) ||
	    b->fatal[0] != '\0')
		return 0;
	t = batchcalls_timeout(b->calls, now);
	/* A checkpoint due, when the caller is quiet to make it. */
	if (b->was_quiet && (b->force || b->dirty)) {
		due = b->force ? 0 : b->last_mark + MARK_MS > now ?
		    b->last_mark + MARK_MS - now : 0;
		if (t < 0 || due < t)
			t = due;
	}
	return t;
}

static int
t_work(void *arg, long long now, char *err, size_t errlen)
{
	struct batchapi	*b = arg;
	struct xfer	*x;
	int		 rv;

	if (b->fatal[0] != '\0') {
		snprintf(err, errlen, "%s", b->fatal);
		return -1;
	}
	while ((x = pool_done(b->p.pool)) != NULL) {
		if ((rv = batchcalls_done(b->calls, x, now, err, errlen)) ==
		    -1)
			return -1;
		if (rv == 0) {
			snprintf(err, errlen, "internal error: a transfer "
			    "not the Batch API's");
			return -1;
		}
	}
	if (b->fatal[0] == '\0' && batchcalls_start(b->calls, now, err,
	    errlen) == -1)
		return -1;
	return start_writing(b, err, errlen);
}

/* Rows parked hold money until their file is written. */
static int
t_busy(const void *arg)
{
	const struct batchapi	*b = arg;

	return batchapi_rows(b) > 0;
}

static int
t_over(const void *arg, long long now)
{
	const struct batchapi	*b = arg;

	(void)now;
	if (batchcalls_flying(b->calls))
		return 0;
	if (batchcalls_stopped(b->calls) || b->fatal[0] != '\0')
		return 1;
	/* Interrupted: once STATE has what was done. */
	if (b->interrupted)
		return !b->force && !b->dirty;
	if (b->cancelling)
		return batchcalls_cancel_over(b->calls);
	return b->ended && batchcalls_files(b->calls) == 0 &&
	    batchpark_rows(b->park) == 0 && b->wk == -1 && !b->dirty &&
	    !b->force;
}

static void
t_interrupt(void *arg, long long now)
{
	struct batchapi	*b = arg;

	(void)now;
	b->interrupted = 1;
	b->force = 1;
	batchcalls_interrupt(b->calls);
}

static int
t_line(void *arg, const char *text, size_t len, int blank, char *err,
    size_t errlen)
{
	struct batchapi	*b = arg;

	return batchinput_line(&b->in, text, len, blank, err, errlen);
}

static void
t_accounted(void *arg)
{
	struct batchapi	*b = arg;

	if (batchinput_accounted(&b->in))
		b->dirty = 1;
}

static int
t_input_end(void *arg, char *err, size_t errlen)
{
	struct batchapi	*b = arg;

	if (batchinput_end(&b->in, err, errlen) == -1)
		return -1;
	if (!b->ended)
		b->force = 1;
	b->ended = 1;
	return 0;
}

static int
t_quiet(void *arg, long long now, int quiet, char *err, size_t errlen)
{
	struct batchapi	*b = arg;

	b->was_quiet = quiet;
	if (!quiet || b->cancelling)
		return 0;
	/* A file written through, or the input's last rows. */
	if (b->wk != -1 && batchanswer_eof(b->ans) &&
	    end_writing(b, now, err, errlen) == -1)
		return -1;
	if (b->ended && b->wk == -1 && !b->interrupted &&
	    (batchpark_close(b->park, err, errlen) == -1 ||
	    hand_over(b, err, errlen) == -1))
		return -1;
	if (b->force || (b->dirty && now - b->last_mark >= MARK_MS))
		return mark(b, now, err, errlen);
	return 0;
}

static int
t_stopped(const void *arg)
{
	const struct batchapi	*b = arg;

	return batchcalls_stopped(b->calls);
}

/* The file being filled goes now: the money its rows hold comes back
 * only when it is answered. */
static void
t_flush(void *arg, long long now)
{
	struct batchapi	*b = arg;

	(void)now;
	/* A failure is the run's end, said by the next work. */
	if (b->fatal[0] == '\0' && b->wk == -1 && batchpark_close(b->park,
	    b->fatal, sizeof(b->fatal)) == 0)
		(void)hand_over(b, b->fatal, sizeof(b->fatal));
}

static const struct transport_ops	 ops = {
	t_room, t_wait, t_send, t_done, t_timeout, t_work, t_busy, t_over,
	t_interrupt, t_line, t_accounted, t_input_end, t_quiet, t_stopped,
	t_flush
};

void
batchapi_transport(struct batchapi *b, struct transport *t)
{
	t->ops = &ops;
	t->impl = b;
	t->parks = 1;
}

struct batchapi *
batchapi_new(const struct batchapi_config *cfg,
    const struct batchapi_parts *parts, long long now, char *err,
    size_t errlen)
{
	const struct bstate_mark	*m = bstate_last(parts->state);
	struct batchpark_config		 pc = { 0 };
	struct batchcalls_config	 cc = { 0 };
	struct batchcalls_parts		 cp = { 0 };
	struct batchapi			*b;
	size_t				 i;

	if ((b = calloc(1, sizeof(*b))) == NULL)
		goto nomem;
	b->cfg = *cfg;
	b->p = *parts;
	b->wk = -1;
	b->last_mark = now;
	/* Where the last run left off. */
	batchinput_init(&b->in, m);
	pc.batch_size = cfg->batch_size;
	pc.file_max = cfg->file_max;
	pc.batch = cfg->batch;
	cc.poll_ms = cfg->poll_ms;
	cc.retries = cfg->retries;
	cc.file_timeout_ms = cfg->file_timeout_ms;
	cc.base = cfg->base;
	cc.batch = cfg->batch;
	cc.api_version = cfg->api_version;
	cc.upload_target = cfg->upload_target;
	cc.key_hint = cfg->key_hint;
	cp.pool = parts->pool;
	cp.state = parts->state;
	cp.say = parts->say;
	cp.arg = parts->arg;
	if ((b->ans = batchanswer_new(parts->rows, parts->input,
	    cfg->max_response, cfg->batch)) == NULL)
		goto nomem;
	if ((b->park = batchpark_new(&pc, bstate_dir(parts->state), m, err,
	    errlen)) == NULL ||
	    (b->calls = batchcalls_new(&cc, &cp, err, errlen)) == NULL)
		goto fail;
	for (i = 0; i < bstate_nfiles(parts->state); i++)
		if (batchpark_recall(b->park, bstate_file(parts->state, i)->k,
		    err, errlen) == -1)
			goto fail;
	return b;
nomem:
	snprintf(err, errlen, "out of memory");
fail:
	batchapi_free(b);
	return NULL;
}

void
batchapi_free(struct batchapi *b)
{
	if (b == NULL)
		return;
	batchanswer_free(b->ans);
	batchcalls_free(b->calls);
	batchpark_free(b->park);
	free(b);
}

int
batchapi_pending(const struct batchapi *b)
{
	return batchcalls_pending(b->calls);
}

size_t
batchapi_rows(const struct batchapi *b)
{
	return batchpark_rows(b->park) + batchcalls_rows(b->calls);
}

double
batchapi_reserved(const struct batchapi *b)
{
	return batchpark_reserved(b->park) + batchcalls_reserved(b->calls);
}

int
batchapi_cancel(struct batchapi *b, long long now)
{
	b->cancelling = 1;
	batchcalls_cancel(b->calls, now);
	return 0;
}

int
batchapi_cancelled(const struct batchapi *b, int *failed)
{
	return batchcalls_cancelled(b->calls, failed);
}
