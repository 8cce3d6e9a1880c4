/*
 * The life of each closed Batch file at the provider.  See batchcalls.h.
 *
 * Long, and one job: one state machine, a file's next call.  Its parts
 * are the steps of that machine, not jobs of their own: batchcalls_start
 * picks the call a file is due (upload, list, create, poll, download,
 * cancel) from what its earlier calls left; submit builds it, answered
 * reads its 2xx, job_done decides on a failure (retry after a backoff, a
 * poll later, or stop), all over the one transfer in flight and each
 * file's one deadline.  Cut as upload and create apart from poll,
 * download and cancel, the halves would share that transfer, its retries
 * and the switch that chooses between them, and call each other; cut as
 * the HTTP calls apart from STATE, the "records" are the one line each
 * step writes (bstate_uploaded, bstate_made, bstate_got) where its answer
 * is read.  What the files hold (batchpark, batchfile), the objects the
 * API returns (bapi) and the URLs (the provider's dialect) are elsewhere.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "answer.h"
#include "batchcalls.h"
#include "batchfile.h"
#include "fdio.h"
#include "json.h"
#include "provider.h"
#include "verdict.h"

#define LIST_PATH	"/batches?limit=100"

enum job {
	JOB_NONE,
	JOB_UPLOAD,
	JOB_LIST,		/* a file STATE uploaded: made a batch? */
	JOB_CREATE,
	JOB_POLL,
	JOB_OUT,		/* the output file, into results.K */
	JOB_ERR,		/* the error file, after it */
	JOB_CANCEL
};

static const char *const job_names[] = {
	[JOB_NONE] = "nothing", [JOB_UPLOAD] = "upload",
	[JOB_LIST] = "list batches", [JOB_CREATE] = "create batch",
	[JOB_POLL] = "poll", [JOB_OUT] = "download", [JOB_ERR] = "download",
	[JOB_CANCEL] = "cancel"
};

struct batchcalls {
	struct batchcalls_config cfg;
	struct batchcalls_parts	 p;
	struct json		*json;
	struct batchcalls_file	*files;
	size_t			 nfiles;
	char			 path[PATH_MAX];	/* scratch */
	/* The transfer in flight. */
	enum job		 job;
	int			 jk;
	struct xfer		 x;
	struct buf		 url, jbody;	/* the job's, borrowed by x */
	struct xfer_part	 parts[2];
	char			 upath[PATH_MAX];
	int			 rfd;		/* results.K, downloading */
	int			 rfail;		/* its write failed: errno */
	int			 interrupted, stopped, cancelling;
	int			 ncancelled, nfailed;
};

static void
say(struct batchcalls *b, int level, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void
say(struct batchcalls *b, int level, const char *fmt, ...)
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
file_path(struct batchcalls *b, const char *name, int k)
{
	snprintf(b->path, sizeof(b->path), "%s/%s.%d",
	    bstate_dir(b->p.state), name, k);
	return b->path;
}

static struct batchcalls_file *
file_of(struct batchcalls *b, int k)
{
	size_t	 i;

	for (i = 0; i < b->nfiles; i++)
		if (b->files[i].k == k)
			return &b->files[i];
	return NULL;
}

static struct batchcalls_file *
file_add(struct batchcalls *b, int k)
{
	struct batchcalls_file	*v;

	if ((v = reallocarray(b->files, b->nfiles + 1, sizeof(*v))) == NULL)
		return NULL;
	b->files = v;
	v = &b->files[b->nfiles++];
	memset(v, 0, sizeof(*v));
	v->k = k;
	return v;
}

/* The transfer of the job, its URL path under the API's base. */
static int
job_url(struct batchcalls *b, const char *before, const char *id,
    const char *after)
{
	struct buf	 path = { 0 };
	int		 rv;

	buf_reset(&b->url);
	rv = buf_adds(&path, before) == -1 || buf_adds(&path, id) == -1 ||
	    buf_adds(&path, after) == -1 || buf_addc(&path, '\0') == -1 ||
	    b->cfg.batch->url(&b->url, b->cfg.base, b->cfg.api_version,
	    path.data) == -1;
	buf_free(&path);
	return rv ? -1 : 0;
}

static int
sink(void *arg, const char *data, size_t len)
{
	struct batchcalls	*b = arg;

	if (fdio_write(b->rfd, data, len) == -1) {
		b->rfail = errno;
		return -1;
	}
	return 0;
}

static int
submit(struct batchcalls *b, enum job job, struct batchcalls_file *f,
    char *err, size_t errlen)
{
	struct xfer	*x = &b->x;
	char		 name[64];
	int		 rv = 0;

	buf_free(&x->resp);
	memset(x, 0, sizeof(*x));
	x->udata = b;
	b->job = job;
	b->jk = f->k;
	switch (job) {
	case JOB_UPLOAD:
		snprintf(name, sizeof(name), "enrich-%d.jsonl", f->k);
		strlcpy(b->upath, file_path(b, "upload", f->k),
		    sizeof(b->upath));
		b->parts[0] = (struct xfer_part){ "purpose",
		    b->cfg.batch->purpose, NULL, NULL, NULL };
		b->parts[1] = (struct xfer_part){ "file", NULL, b->upath,
		    NULL, "application/jsonl" };
		/* The name is copied by libcurl at submit. */
		b->parts[1].filename = name;
		x->method = XFER_UPLOAD;
		x->parts = b->parts;
		x->nparts = 2;
		x->target = b->cfg.upload_target;
		x->timeout_ms = b->cfg.file_timeout_ms;
		rv = job_url(b, "/files", "", "");
		break;
	case JOB_LIST:
		x->method = XFER_GET;
		rv = job_url(b, LIST_PATH, "", "");
		break;
	case JOB_CREATE:
		buf_reset(&b->jbody);
		rv = b->cfg.batch->create_body(&b->jbody, f->id,
		    b->cfg.batch->endpoint) == -1 || job_url(b,
		    "/batches", "", "") == -1;
		x->body = b->jbody.data;
		x->bodylen = b->jbody.len;
		break;
	case JOB_POLL:
		x->method = XFER_GET;
		rv = job_url(b, "/batches/", f->batch, "");
		break;
	case JOB_OUT:
	case JOB_ERR:
		x->method = XFER_GET;
		x->sink = sink;
		x->sink_arg = b;
		x->timeout_ms = b->cfg.file_timeout_ms;
		b->rfail = 0;
		/* A download cut short starts again from nothing. */
		if ((b->rfd = fdio_open(file_path(b, "results", f->k),
		    O_WRONLY | O_CREAT | O_APPEND, job == JOB_OUT ||
		    !f->outgot ? 0 : -1, err, errlen)) == -1)
			return -1;
		rv = job_url(b, "/files/", job == JOB_OUT ? f->out : f->errf,
		    "/content");
		break;
	case JOB_CANCEL:
		x->body = "{}";
		x->bodylen = 2;
		rv = job_url(b, "/batches/", f->batch, "/cancel");
		break;
	case JOB_NONE:
		break;
	}
	if (rv) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	x->url = b->url.data;
	return pool_submit(b->p.pool, x, err, errlen);
}

/* The results of file f are on disk whole. */
static int
got(struct batchcalls *b, struct batchcalls_file *f, char *err, size_t errlen)
{
	if (b->rfd != -1) {
		if (fsync(b->rfd) == -1) {
			snprintf(err, errlen, "fsync: %s", strerror(errno));
			return -1;
		}
		close(b->rfd);
		b->rfd = -1;
	} else if ((b->rfd = fdio_open(file_path(b, "results", f->k), O_WRONLY |
	    O_CREAT, 0, err, errlen)) == -1)
		return -1;
	else {
		close(b->rfd);
		b->rfd = -1;
	}
	if (bstate_got(b->p.state, f->k, err, errlen) == -1)
		return -1;
	f->got = 1;
	return 0;
}

/* What a batch object said of file f's batch. */
static void
polled(struct batchcalls *b, struct batchcalls_file *f,
    const struct bapi_batch *bb, long long now)
{
	if (bb->status == BAPI_UNKNOWN) {
		if (f->unknown++ == 0)
			say(b, 0, "batch %s: status \"%s\" is not one enrich "
			    "knows; asking again", f->batch, bb->status_text);
		if (f->unknown >= BATCHCALLS_UNKNOWN_POLLS) {
			say(b, 0, "batch %s: status \"%s\" %d times: given up "
			    "as failed; its rows go again (cancel it with "
			    "--batch-cancel if it still runs)", f->batch,
			    bb->status_text, f->unknown);
			f->final = 1;
			f->status = BAPI_FAILED;
			f->out[0] = f->errf[0] = '\0';
		} else
			f->next = now + b->cfg.poll_ms;
		return;
	}
	f->unknown = 0;
	if (bb->status != f->status) {
		if (bb->total >= 0 && bb->completed >= 0 && bb->failed >= 0)
			say(b, 1, "batch %s: %s (%lld of %lld requests done)",
			    f->batch, bapi_status_name(bb->status),
			    bb->completed + bb->failed, bb->total);
		else
			say(b, 1, "batch %s: %s", f->batch,
			    bapi_status_name(bb->status));
	}
	f->status = bb->status;
	if (!bapi_status_final(bb->status)) {
		f->next = now + b->cfg.poll_ms;
		return;
	}
	f->final = 1;
	strlcpy(f->out, bb->output_file_id, sizeof(f->out));
	strlcpy(f->errf, bb->error_file_id, sizeof(f->errf));
	if (bb->why[0] != '\0')
		say(b, bb->status == BAPI_COMPLETED, "batch %s %s: %s",
		    f->batch, bapi_status_name(bb->status), bb->why);
}

/* A 2xx answer to the job: what it means for file f.  0 or -1. */
static int
answered(struct batchcalls *b, enum job job, struct batchcalls_file *f,
    long long now, char *err, size_t errlen)
{
	struct xfer		*x = &b->x;
	struct bapi_batch	 bb;
	char			 id[BAPI_ID_MAX], why[256];
	const char		*data = x->resp.data != NULL ? x->resp.data : "";
	int			 rv;

	switch (job) {
	case JOB_UPLOAD:
		if (bapi_parse_file(b->json, data, x->resp.len, id, why,
		    sizeof(why)) == -1)
			goto unreadable;
		return bstate_uploaded(b->p.state, f->k, id, f->rows,
		    f->reserved, err, errlen) == -1 ? -1 :
		    (strlcpy(f->id, id, sizeof(f->id)), 0);
	case JOB_LIST:
		if ((rv = bapi_find_batch(b->json, data, x->resp.len, f->id,
		    &bb, why, sizeof(why))) == -1)
			goto unreadable;
		f->known = 0;
		if (rv == 0)
			return 0;	/* made next */
		say(b, 1, "batch %s: found at the provider", bb.id);
		goto made;
	case JOB_CREATE:
		if (bapi_parse_batch(b->json, data, x->resp.len, &bb, why,
		    sizeof(why)) == -1)
			goto unreadable;
made:
		if (bstate_made(b->p.state, f->k, bb.id, err, errlen) == -1)
			return -1;
		strlcpy(f->batch, bb.id, sizeof(f->batch));
		say(b, 1, "batch %s: %zu rows, file %s", f->batch, f->rows,
		    f->id);
		f->status = bb.status;
		f->next = now + b->cfg.poll_ms;
		return 0;
	case JOB_POLL:
		if (bapi_parse_batch(b->json, data, x->resp.len, &bb, why,
		    sizeof(why)) == -1) {
			say(b, 0, "batch %s: %s", f->batch, why);
			f->next = now + b->cfg.poll_ms;
			return 0;
		}
		polled(b, f, &bb, now);
		if (f->final && f->out[0] == '\0' && f->errf[0] == '\0')
			return got(b, f, err, errlen);
		return 0;
	case JOB_OUT:
	case JOB_ERR:
		if (job == JOB_OUT && f->errf[0] != '\0') {
			/* The error file next, after it. */
			f->outgot = 1;
			close(b->rfd);
			b->rfd = -1;
			return 0;
		}
		return got(b, f, err, errlen);
	case JOB_CANCEL:
		f->cancelled = 1;
		b->ncancelled++;
		say(b, 1, "batch %s: cancelling", f->batch);
		return 0;
	case JOB_NONE:
		break;
	}
	return 0;
unreadable:
	snprintf(err, errlen, "%s: %s", job_names[job], why);
	return -1;
}

/* The server's words on a failed call. */
static void
server_words(struct batchcalls *b, char *err, size_t errlen)
{
	struct xfer	*x = &b->x;
	struct buf	 msg = { 0 }, code = { 0 };

	if (x->result != XFER_RESPONSE)
		snprintf(err, errlen, "%s", x->error);
	else if (answer_error(b->json, x->resp.data, x->resp.len, &msg,
	    &code) == 0 && msg.len > 0)
		snprintf(err, errlen, "HTTP %ld: %.*s", x->status,
		    (int)msg.len, msg.data);
	else
		snprintf(err, errlen, "HTTP %ld", x->status);
	buf_free(&msg);
	buf_free(&code);
}

/* The job's transfer ended. */
static int
job_done(struct batchcalls *b, long long now, char *err, size_t errlen)
{
	struct xfer	*x = &b->x;
	struct batchcalls_file	*f = file_of(b, b->jk);
	enum job	 job = b->job;
	char		 why[300];
	int		 ok, worth;

	b->job = JOB_NONE;
	if ((job == JOB_OUT || job == JOB_ERR) && b->rfail != 0) {
		snprintf(err, errlen, "%s: %s", file_path(b, "results", b->jk),
		    strerror(b->rfail));
		return -1;
	}
	if (f == NULL)
		return 0;
	ok = x->result == XFER_RESPONSE && x->status >= 200 &&
	    x->status <= 299;
	if (ok) {
		f->tries = 0;
		return answered(b, job, f, now, err, errlen);
	}
	if ((job == JOB_OUT || job == JOB_ERR) && b->rfd != -1) {
		/* Both files again, from nothing. */
		close(b->rfd);
		b->rfd = -1;
		f->outgot = 0;
	}
	server_words(b, why, sizeof(why));
	/* Every other call would meet the same. */
	if (x->result == XFER_RESPONSE && (x->status == 401 ||
	    x->status == 403 || (x->status == 404 && job != JOB_POLL &&
	    job != JOB_CANCEL))) {
		say(b, 0, "%s: %s%s%s%s", job_names[job], why,
		    x->status == 401 ? " (check " : "",
		    x->status == 401 ? b->cfg.key_hint : "",
		    x->status == 401 ? " or --api-key-file)" : "");
		b->stopped = 1;
		return 0;
	}
	worth = x->result != XFER_RESPONSE || verdict_retryable(x->status);
	if (job == JOB_CANCEL) {
		say(b, 0, "batch %s: not cancelled: %s", f->batch, why);
		f->cancelled = 1;
		b->nfailed++;
		return 0;
	}
	if (worth && f->tries < b->cfg.retries) {
		f->tries++;
		say(b, 1, "%s: %s; trying again", job_names[job], why);
		f->next = now + verdict_backoff(f->tries);
		return 0;
	}
	f->tries = 0;
	switch (job) {
	case JOB_POLL:
		say(b, 0, "batch %s: %s", f->batch, why);
		f->next = now + b->cfg.poll_ms;
		return 0;
	case JOB_OUT:
	case JOB_ERR:
		say(b, 0, "batch %s: results not read: %s; trying again",
		    f->batch, why);
		f->next = now + b->cfg.poll_ms;
		return 0;
	default:
		snprintf(err, errlen, "%s: %s", job_names[job], why);
		return -1;
	}
}

int
batchcalls_start(struct batchcalls *b, long long now, char *err,
    size_t errlen)
{
	struct batchcalls_file	*f;
	enum job	 job;
	size_t		 i;

	if (b->job != JOB_NONE || b->stopped)
		return 0;
	for (i = 0; i < b->nfiles; i++) {
		f = &b->files[i];
		if (f->next > now)
			continue;
		if (b->cancelling) {
			if (f->batch[0] == '\0' || f->cancelled)
				continue;
			job = JOB_CANCEL;
		} else if (b->interrupted)
			return 0;
		else if (!f->marked)
			continue;
		else if (f->id[0] == '\0')
			job = JOB_UPLOAD;
		else if (f->batch[0] == '\0')
			job = f->known ? JOB_LIST : JOB_CREATE;
		else if (!f->final)
			job = JOB_POLL;
		else if (!f->got)
			job = f->out[0] != '\0' && !f->outgot ? JOB_OUT :
			    JOB_ERR;
		else
			continue;
		return submit(b, job, f, err, errlen);
	}
	return 0;
}


int
batchcalls_done(struct batchcalls *b, struct xfer *x, long long now,
    char *err, size_t errlen)
{
	if (x != &b->x)
		return 0;
	return job_done(b, now, err, errlen) == -1 ? -1 : 1;
}

long long
batchcalls_timeout(struct batchcalls *b, long long now)
{
	long long	 t = -1, due;
	size_t		 i;

	/* The transfer in flight: libcurl's timer. */
	if (b->job != JOB_NONE)
		return pool_timeout(b->p.pool, now);
	if (b->interrupted || b->stopped)
		return -1;
	for (i = 0; i < b->nfiles; i++) {
		if (!b->files[i].marked && !b->cancelling)
			continue;
		if (b->files[i].got)
			continue;
		due = b->files[i].next > now ? b->files[i].next - now : 0;
		if (t < 0 || due < t)
			t = due;
	}
	return t;
}

int
batchcalls_flying(const struct batchcalls *b)
{
	return b->job != JOB_NONE;
}

const struct batchcalls_file *
batchcalls_got(const struct batchcalls *b)
{
	size_t	 i;

	for (i = 0; i < b->nfiles; i++)
		if (b->files[i].got)
			return &b->files[i];
	return NULL;
}

void
batchcalls_end(struct batchcalls *b, int k)
{
	struct batchcalls_file	*f = file_of(b, k);

	if (f == NULL)
		return;
	memmove(f, f + 1, (b->files + b->nfiles - f - 1) * sizeof(*f));
	b->nfiles--;
}

int
batchcalls_add(struct batchcalls *b, int k, size_t rows, double reserved,
    char *err, size_t errlen)
{
	struct batchcalls_file	*f;

	if ((f = file_add(b, k)) == NULL) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	f->rows = rows;
	f->reserved = reserved;
	return 0;
}

void
batchcalls_marked(struct batchcalls *b, int fill)
{
	size_t	 i;

	for (i = 0; i < b->nfiles; i++)
		if (b->files[i].k < fill)
			b->files[i].marked = 1;
}

void
batchcalls_interrupt(struct batchcalls *b)
{
	b->interrupted = 1;
}

int
batchcalls_stopped(const struct batchcalls *b)
{
	return b->stopped;
}

size_t
batchcalls_files(const struct batchcalls *b)
{
	return b->nfiles;
}

int
batchcalls_pending(const struct batchcalls *b)
{
	size_t	 i;
	int	 n = 0;

	for (i = 0; i < b->nfiles; i++)
		n += b->files[i].batch[0] != '\0';
	return n;
}

size_t
batchcalls_rows(const struct batchcalls *b)
{
	size_t	 i, n = 0;

	for (i = 0; i < b->nfiles; i++)
		n += b->files[i].rows;
	return n;
}

double
batchcalls_reserved(const struct batchcalls *b)
{
	size_t	 i;
	double	 d = 0;

	for (i = 0; i < b->nfiles; i++)
		d += b->files[i].reserved;
	return d;
}

void
batchcalls_cancel(struct batchcalls *b, long long now)
{
	size_t	 i;

	b->cancelling = 1;
	for (i = 0; i < b->nfiles; i++)
		b->files[i].next = now;
}

int
batchcalls_cancel_over(const struct batchcalls *b)
{
	size_t	 i;

	if (b->job != JOB_NONE)
		return 0;
	for (i = 0; i < b->nfiles; i++)
		if (b->files[i].batch[0] != '\0' && !b->files[i].cancelled)
			return 0;
	return 1;
}

int
batchcalls_cancelled(const struct batchcalls *b, int *failed)
{
	*failed = b->nfailed;
	return b->ncancelled;
}

struct batchcalls *
batchcalls_new(const struct batchcalls_config *cfg,
    const struct batchcalls_parts *parts, char *err, size_t errlen)
{
	const struct bstate_file	*sf;
	struct batchcalls		*b;
	struct batchcalls_file		*f;
	size_t				 i;

	if ((b = calloc(1, sizeof(*b))) == NULL)
		goto nomem;
	b->cfg = *cfg;
	b->p = *parts;
	b->rfd = -1;
	if ((b->json = json_new()) == NULL)
		goto nomem;
	for (i = 0; i < bstate_nfiles(parts->state); i++) {
		sf = bstate_file(parts->state, i);
		if ((f = file_add(b, sf->k)) == NULL)
			goto nomem;
		strlcpy(f->id, sf->id, sizeof(f->id));
		strlcpy(f->batch, sf->batch, sizeof(f->batch));
		f->rows = sf->rows;
		f->reserved = sf->reserved;
		f->got = sf->got;
		f->marked = 1;
		/* Uploaded, then killed before its batch was told. */
		f->known = f->id[0] != '\0' && f->batch[0] == '\0';
	}
	return b;
nomem:
	snprintf(err, errlen, "out of memory");
	batchcalls_free(b);
	return NULL;
}

void
batchcalls_free(struct batchcalls *b)
{
	if (b == NULL)
		return;
	if (b->rfd != -1)
		close(b->rfd);
	json_free(b->json);
	buf_free(&b->x.resp);
	buf_free(&b->url);
	buf_free(&b->jbody);
	free(b->files);
	free(b);
}
