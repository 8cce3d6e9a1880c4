/*
 * The Batch API as a transport.  See batchapi.h.
 *
 * The files of a run live in STATE.d: spool.K (the rows of file K, in
 * order, leaders and followers), upload.K (its Batch request lines) and
 * results.K (its output and error files, as downloaded).  File K is
 * "filling" while rows come to it; closed, it is uploaded, made a batch,
 * polled, its results got and written; then it ends and its files go.
 */
#include <sys/queue.h>
#include <sys/stat.h>
#include <sys/tree.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <sha2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "answer.h"
#include "bapi.h"
#include "batchapi.h"
#include "json.h"
#include "provider.h"
#include "results.h"
#include "spool.h"
#include "text.h"
#include "verdict.h"

#define ROOM		64	/* rows parked a turn */
#define MARK_MS		1000	/* checkpoints at most this often */
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

/* A file closed: to upload, make, poll, get and write. */
struct bfile {
	int		 k;
	char		 id[BAPI_ID_MAX];
	char		 batch[BAPI_ID_MAX];
	char		 out[BAPI_ID_MAX];	/* its output file, or "" */
	char		 errf[BAPI_ID_MAX];	/* its error file, or "" */
	size_t		 rows;
	double		 reserved;
	int		 marked;	/* STATE knows it closed */
	int		 known;		/* resumed: a batch may exist */
	int		 final;		/* over: results to get */
	int		 outgot;	/* the output file is in results.K */
	int		 got;
	int		 cancelled;	/* --batch-cancel asked */
	enum bapi_status status;
	int		 unknown;	/* polls saying a status not known */
	long long	 next;		/* its next call, at the earliest */
	int		 tries;		/* failures of its call so far */
};

/* A parked leader's key: a row asking the same follows it. */
struct key {
	RB_ENTRY(key)	 entry;
	unsigned char	 key[CACHE_KEY_LEN];
	int		 k;		/* its file; -1: the slot is free */
	uint64_t	 seq;
};

static int
key_cmp(const struct key *a, const struct key *b)
{
	return memcmp(a->key, b->key, CACHE_KEY_LEN);
}

RB_HEAD(keytree, key);
/* libbsd leaves __unused undefined, which RB_GENERATE_STATIC needs. */
RB_GENERATE_INTERNAL(keytree, key, entry, key_cmp,
    static __attribute__((unused)))

TAILQ_HEAD(rowq, row);

struct batchapi {
	struct batchapi_config	 cfg;
	struct batchapi_parts	 p;
	struct json		*json;
	struct bfile		*files;
	size_t			 nfiles;
	char			 path[PATH_MAX];	/* scratch */
	/* The file being filled. */
	int			 fill;
	int			 sfd, ufd;
	off_t			 slen, ulen;
	size_t			 frows;
	double			 freserved;
	/* The transfer in flight. */
	enum job		 job;
	int			 jk;
	struct xfer		 x;
	struct buf		 url, jbody;	/* the job's, borrowed by x */
	struct buf		 body;		/* scratch: a request line */
	struct xfer_part	 parts[2];
	char			 upath[PATH_MAX];
	int			 rfd;		/* results.K, downloading */
	int			 rfail;		/* its write failed: errno */
	/* The file whose results are being written. */
	int			 wk;
	int			 wsfd, wrfd;
	struct spool_reader	 rd;
	struct results		*rs;
	uint64_t		 wline, wskip;
	int			 weof;
	size_t			 wleaders, wanswered;
	struct buf		 rline;
	struct buf		 cid;
	struct bapi_result	 res;
	struct rowq		 ready;		/* lines made: to write */
	/* Parked leaders by key, the oldest forgotten first. */
	struct keytree		 keys;
	struct key		*kv;
	size_t			 khead;
	/* The input. */
	SHA2_CTX		 h, acc;
	uint64_t		 nread, nseq, acc_read, acc_seq;
	uint64_t		 skip_read;
	char			 skip_hash[BSTATE_HASH_HEX + 1];
	int			 ended;
	/* Checkpoints. */
	int			 dirty, force, was_quiet;
	long long		 last_mark;
	int			 interrupted, stopped, cancelling;
	int			 ncancelled, nfailed;
	char			 fatal[256];
	struct buf		 scratch;
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

static struct bfile *
file_of(struct batchapi *b, int k)
{
	size_t	 i;

	for (i = 0; i < b->nfiles; i++)
		if (b->files[i].k == k)
			return &b->files[i];
	return NULL;
}

static struct bfile *
file_add(struct batchapi *b, int k)
{
	struct bfile	*v;

	if ((v = reallocarray(b->files, b->nfiles + 1, sizeof(*v))) == NULL)
		return NULL;
	b->files = v;
	v = &b->files[b->nfiles++];
	memset(v, 0, sizeof(*v));
	v->k = k;
	return v;
}

/* Keys: a fixed ring of slots, so memory stays the same for any input;
 * a duplicate whose leader was forgotten is asked again, no worse. */
static int
keys_put(struct batchapi *b, const struct row *r, int k)
{
	struct key	*n, probe;

	if (!r->keyed)
		return 0;
	if (b->kv == NULL) {
		if ((b->kv = calloc(BATCHAPI_KEYS, sizeof(*b->kv))) == NULL)
			return -1;
		for (n = b->kv; n < b->kv + BATCHAPI_KEYS; n++)
			n->k = -1;
	}
	memcpy(probe.key, r->key, CACHE_KEY_LEN);
	if ((n = RB_FIND(keytree, &b->keys, &probe)) == NULL) {
		n = &b->kv[b->khead];
		b->khead = (b->khead + 1) % BATCHAPI_KEYS;
		if (n->k != -1)
			RB_REMOVE(keytree, &b->keys, n);
		memcpy(n->key, r->key, CACHE_KEY_LEN);
		RB_INSERT(keytree, &b->keys, n);
	}
	n->k = k;
	n->seq = r->seq;
	return 0;
}

static struct key *
keys_find(struct batchapi *b, const struct row *r)
{
	struct key	 probe;

	if (!r->keyed || b->kv == NULL)
		return NULL;
	memcpy(probe.key, r->key, CACHE_KEY_LEN);
	return RB_FIND(keytree, &b->keys, &probe);
}

/* File k is written: a row asking what its rows asked leads again. */
static void
keys_forget(struct batchapi *b, int k)
{
	size_t	 i;

	for (i = 0; b->kv != NULL && i < BATCHAPI_KEYS; i++)
		if (b->kv[i].k == k) {
			RB_REMOVE(keytree, &b->keys, &b->kv[i]);
			b->kv[i].k = -1;
		}
}

static int
open_at(const char *path, int flags, off_t len, char *err, size_t errlen)
{
	int	 fd;

	if ((fd = open(path, flags | O_CLOEXEC, 0666)) == -1 ||
	    (len >= 0 && ftruncate(fd, len) == -1)) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		if (fd != -1)
			close(fd);
		return -1;
	}
	return fd;
}

/* The file being filled, open at what STATE committed of it. */
static int
open_fill(struct batchapi *b, char *err, size_t errlen)
{
	if (b->sfd != -1)
		return 0;
	if ((b->sfd = open_at(file_path(b, "spool", b->fill), O_WRONLY |
	    O_CREAT | O_APPEND, b->slen, err, errlen)) == -1 ||
	    (b->ufd = open_at(file_path(b, "upload", b->fill), O_WRONLY |
	    O_CREAT | O_APPEND, b->ulen, err, errlen)) == -1)
		return -1;
	return 0;
}

static int
sync_fill(struct batchapi *b, char *err, size_t errlen)
{
	if (b->sfd == -1)
		return 0;
	if (fsync(b->sfd) == -1 || fsync(b->ufd) == -1) {
		snprintf(err, errlen, "fsync: %s", strerror(errno));
		return -1;
	}
	return 0;
}

/* The file being filled is closed: the next one begins. */
static int
close_fill(struct batchapi *b, char *err, size_t errlen)
{
	struct bfile	*f;

	if (b->frows == 0)
		return 0;
	if (sync_fill(b, err, errlen) == -1)
		return -1;
	if ((f = file_add(b, b->fill)) == NULL) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	f->rows = b->frows;
	f->reserved = b->freserved;
	close(b->sfd);
	close(b->ufd);
	b->sfd = b->ufd = -1;
	b->fill++;
	b->slen = b->ulen = 0;
	b->frows = 0;
	b->freserved = 0;
	b->force = b->dirty = 1;
	return 0;
}

/* The checkpoint: what the input and the files have come to. */
static int
mark(struct batchapi *b, long long now, char *err, size_t errlen)
{
	struct bstate_mark	 m;
	SHA2_CTX		 ctx;
	unsigned char		 d[SHA256_DIGEST_LENGTH];
	size_t			 i;

	if (sync_fill(b, err, errlen) == -1)
		return -1;
	memset(&m, 0, sizeof(m));
	/* Lines a resume skips and has not checked yet stay as they were. */
	if (b->acc_read < b->skip_read) {
		m.read = b->skip_read;
		m.seq = bstate_last(b->p.state)->seq;
		strlcpy(m.hash, b->skip_hash, sizeof(m.hash));
	} else {
		m.read = b->acc_read;
		m.seq = b->acc_seq;
		ctx = b->acc;
		SHA256Final(d, &ctx);
		bstate_hex(d, sizeof(d), m.hash);
	}
	m.fill = b->fill;
	m.spool = b->slen;
	m.upload = b->ulen;
	m.rows = b->frows;
	m.at = b->wk;
	m.line = b->wk != -1 ? b->wline : 0;
	if (bstate_mark(b->p.state, &m, err, errlen) == -1)
		return -1;
	for (i = 0; i < b->nfiles; i++)
		if (b->files[i].k < b->fill)
			b->files[i].marked = 1;
	b->dirty = b->force = 0;
	b->last_mark = now;
	return 0;
}

/* Append a record to the spool of file k, not the one being filled: a
 * follower of a row already uploaded, synced at once (they are few). */
static int
spool_other(struct batchapi *b, int k, const struct spool_row *sr,
    char *err, size_t errlen)
{
	int	 fd, rv;

	if ((fd = open_at(file_path(b, "spool", k), O_WRONLY | O_APPEND, -1,
	    err, errlen)) == -1)
		return -1;
	rv = spool_put(fd, sr, &b->scratch) == -1 || fsync(fd) == -1;
	if (rv)
		snprintf(err, errlen, "%s: %s", b->path, strerror(errno));
	close(fd);
	return rv ? -1 : 0;
}

static int
write_all(int fd, const char *p, size_t len)
{
	ssize_t	 n;

	for (; len > 0; p += n, len -= n)
		if ((n = write(fd, p, len)) == -1) {
			if (errno != EINTR)
				return -1;
			n = 0;
		}
	return 0;
}

/*
 * Park the row: a follower of the parked row that asks the same, or a
 * leader in the file being filled (its request line in the upload).
 */
static int
park(struct batchapi *b, struct row *r, char *err, size_t errlen)
{
	struct spool_row	 sr;
	struct key		*lead;
	char			 id[32];
	size_t			 before;
	int			 n;

	if ((lead = keys_find(b, r)) != NULL && lead->k != b->wk &&
	    lead->seq != r->seq) {
		/* It holds nothing: the caller gives its money back. */
		spool_of_row(&sr, r, (int64_t)lead->seq, r->reasks > 0);
		sr.reserved = 0;
		if (lead->k != b->fill)
			return spool_other(b, lead->k, &sr, err, errlen) ==
			    -1 ? -1 : TRANSPORT_FOLLOWS;
		if (open_fill(b, err, errlen) == -1)
			return -1;
		if (spool_put(b->sfd, &sr, &b->scratch) == -1)
			goto fail;
		b->slen += b->scratch.len;
		b->dirty = 1;
		return TRANSPORT_FOLLOWS;
	}
	/* Ours, not the row's ID (which may come twice): its place among
	 * the input's rows, from 1. */
	n = snprintf(id, sizeof(id), "%llu", (unsigned long long)r->seq + 1);
	buf_reset(&b->body);
	buf_reset(&b->scratch);
	if (json_compact(&b->scratch, r->body.data != NULL ? r->body.data :
	    "", r->body.len, 0) == -1 ||
	    b->cfg.batch->line(&b->body, id, n, b->cfg.batch->endpoint,
	    b->scratch.data, b->scratch.len) == -1) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	buf_reset(&b->scratch);
	/* Too big for this file: it starts the next. */
	if (b->frows > 0 && b->ulen + (off_t)b->body.len > b->cfg.file_max &&
	    close_fill(b, err, errlen) == -1)
		return -1;
	if (open_fill(b, err, errlen) == -1)
		return -1;
	spool_of_row(&sr, r, -1, r->reasks > 0);
	if (spool_put(b->sfd, &sr, &b->scratch) == -1)
		goto fail;
	b->slen += b->scratch.len;
	before = b->body.len;
	if (write_all(b->ufd, b->body.data, b->body.len) == -1)
		goto fail;
	b->ulen += before;
	b->frows++;
	b->freserved += r->reserved;
	b->dirty = 1;
	if (keys_put(b, r, b->fill) == -1) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	if (b->frows >= (size_t)b->cfg.batch_size &&
	    close_fill(b, err, errlen) == -1)
		return -1;
	return TRANSPORT_PARKED;
fail:
	snprintf(err, errlen, "%.150s: %s", file_path(b, "spool", b->fill),
	    strerror(errno));
	return -1;
}

/* The transfer of the job, its URL path under the API's base. */
static int
job_url(struct batchapi *b, const char *before, const char *id,
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
	struct batchapi	*b = arg;

	if (write_all(b->rfd, data, len) == -1) {
		b->rfail = errno;
		return -1;
	}
	return 0;
}

static int
submit(struct batchapi *b, enum job job, struct bfile *f, long long now,
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
		if ((b->rfd = open_at(file_path(b, "results", f->k),
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
	(void)now;
	return pool_submit(b->p.pool, x, err, errlen);
}

/* The results of file f are on disk whole. */
static int
got(struct batchapi *b, struct bfile *f, char *err, size_t errlen)
{
	if (b->rfd != -1) {
		if (fsync(b->rfd) == -1) {
			snprintf(err, errlen, "fsync: %s", strerror(errno));
			return -1;
		}
		close(b->rfd);
		b->rfd = -1;
	} else if ((b->rfd = open_at(file_path(b, "results", f->k), O_WRONLY |
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
polled(struct batchapi *b, struct bfile *f, const struct bapi_batch *bb,
    long long now)
{
	if (bb->status == BAPI_UNKNOWN) {
		if (f->unknown++ == 0)
			say(b, 0, "batch %s: status \"%s\" is not one enrich "
			    "knows; asking again", f->batch, bb->status_text);
		if (f->unknown >= BATCHAPI_UNKNOWN_POLLS) {
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
answered(struct batchapi *b, enum job job, struct bfile *f, long long now,
    char *err, size_t errlen)
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
server_words(struct batchapi *b, char *err, size_t errlen)
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
job_done(struct batchapi *b, long long now, char *err, size_t errlen)
{
	struct xfer	*x = &b->x;
	struct bfile	*f = file_of(b, b->jk);
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

/* The next call to make, if one is due: 1 and started, or 0. */
static int
next_job(struct batchapi *b, long long now, char *err, size_t errlen)
{
	struct bfile	*f;
	enum job	 job;
	size_t		 i;

	if (b->job != JOB_NONE || b->stopped || b->fatal[0] != '\0')
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
		if (submit(b, job, f, now, err, errlen) == -1)
			return -1;
		return 1;
	}
	return 0;
}

/* The first file whose results are got, made ready to be written. */
static int
start_writing(struct batchapi *b, char *err, size_t errlen)
{
	const struct bstate_mark	*m = bstate_last(b->p.state);
	struct bfile			*f = NULL;
	size_t				 i;

	if (b->wk != -1 || b->interrupted || b->cancelling)
		return 0;
	for (i = 0; i < b->nfiles && f == NULL; i++)
		if (b->files[i].got)
			f = &b->files[i];
	if (f == NULL)
		return 0;
	if ((b->wsfd = open_at(file_path(b, "spool", f->k), O_RDONLY, -1,
	    err, errlen)) == -1 ||
	    (b->wrfd = open_at(file_path(b, "results", f->k), O_RDONLY, -1,
	    err, errlen)) == -1)
		return -1;
	if (results_index(b->rs, b->wrfd, b->cfg.max_response + 65536, err,
	    errlen) == -1)
		return -1;
	spool_reader_init(&b->rd, b->wsfd);
	b->wk = f->k;
	b->wline = 0;
	b->wskip = m->at == f->k ? m->line : 0;
	b->weof = 0;
	b->wleaders = b->wanswered = 0;
	if (results_bad(b->rs) > 0)
		say(b, 0, "batch %s: %zu lines of its results are no row's",
		    f->batch, results_bad(b->rs));
	return 0;
}

/* Every row of file wk is written or moved, and the caller is quiet. */
static int
end_writing(struct batchapi *b, long long now, char *err, size_t errlen)
{
	struct bfile	*f = file_of(b, b->wk);
	int		 k = b->wk;

	if (mark(b, now, err, errlen) == -1 ||
	    bstate_ended(b->p.state, k, err, errlen) == -1)
		return -1;
	if (f != NULL) {
		/* A resumed run did not hear its status: not said then. */
		say(b, (f->status == BAPI_COMPLETED ||
		    f->status == BAPI_UNKNOWN) && b->wanswered ==
		    b->wleaders ? 1 : 0, "batch %s%s%s: %zu of %zu rows "
		    "answered", f->batch, f->status != BAPI_UNKNOWN ? " " : "",
		    f->status != BAPI_UNKNOWN ? bapi_status_name(f->status) :
		    "", b->wanswered, b->wleaders);
		memmove(f, f + 1, (b->files + b->nfiles - f - 1) * sizeof(*f));
		b->nfiles--;
	}
	spool_reader_free(&b->rd);
	close(b->wsfd);
	close(b->wrfd);
	b->wsfd = b->wrfd = -1;
	unlink(file_path(b, "spool", k));
	unlink(file_path(b, "upload", k));
	unlink(file_path(b, "results", k));
	keys_forget(b, k);
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

/* The result line for the row into its xfer: 1 answered, 0 not. */
static int
take_result(struct batchapi *b, struct row *r, uint64_t seq)
{
	struct xfer	*x = &r->xfer;
	char		 why[256];
	int		 rv;

	if ((rv = results_read(b->rs, seq + 1, &b->rline)) != 1)
		return rv;
	b->res.custom_id = &b->cid;
	if ((rv = b->cfg.batch->result(b->json, b->rline.data,
	    b->rline.len, &b->res, why, sizeof(why))) != 0)
		return rv == -1 ? -1 : 0;
	if (bapi_unanswered(&b->res))
		return 0;
	buf_reset(&x->resp);
	x->elapsed_ms = -1;		/* not ours to know */
	x->error[0] = '\0';
	memset(x->header, 0, sizeof(x->header));
	if (b->res.status == 0) {
		/* No response: what the error line says. */
		x->result = XFER_NETWORK;
		x->status = 0;
		snprintf(x->error, sizeof(x->error), "%.60s%s%.180s", b->res.code,
		    b->res.code[0] != '\0' && b->res.msg[0] != '\0' ? ": " :
		    "", b->res.msg);
		return 1;
	}
	x->result = XFER_RESPONSE;
	x->status = b->res.status;
	if (b->res.body != NULL && buf_add(&x->resp, b->res.body,
	    b->res.bodylen) == -1)
		return -1;
	return 1;
}

/* The next row of the file being written, made again with its result:
 * the row and how, or NULL. */
static struct row *
next_row(struct batchapi *b, int *how, char *err, size_t errlen)
{
	struct spool_row	 sr;
	struct line		 ln;
	struct row		*r;
	int			 rv;

	while (b->wk != -1 && !b->weof) {
		if ((rv = spool_next(&b->rd, &sr)) == -1) {
			snprintf(err, errlen, "%.150s: %s", file_path(b, "spool",
			    b->wk), errno == EINVAL ? "not a spool" :
			    strerror(errno));
			return NULL;
		}
		if (rv == 0) {
			b->weof = 1;
			return NULL;
		}
		if (++b->wline <= b->wskip)
			continue;
		b->dirty = 1;
		if ((r = rows_get(b->p.rows)) == NULL)
			goto nomem;
		memset(&ln, 0, sizeof(ln));
		ln.text = sr.text;
		ln.len = sr.textlen;
		ln.number = sr.lineno;
		if ((rv = input_reload(b->p.input, r, &ln)) == -1)
			goto nomem;
		if (rv != INPUT_SEND) {
			/* The settings are STATE's: this cannot be. */
			rows_put(b->p.rows, r);
			continue;
		}
		spool_to_row(&sr, r);
		if (sr.body != NULL) {
			buf_reset(&r->body);
			if (buf_add(&r->body, sr.body, sr.bodylen) == -1)
				goto nomem;
			r->xfer.body = r->body.data;
			r->xfer.bodylen = r->body.len;
		}
		if (sr.lead < 0)
			b->wleaders++;
		if ((rv = take_result(b, r, sr.lead >= 0 ? (uint64_t)sr.lead :
		    sr.seq)) == -1)
			goto nomem;
		if (rv == 1) {
			/* An attempt ended, as a transfer's does. */
			r->attempts++;
			r->attempt_usd = -1;
			r->attempt_prompt = -1;
			if (sr.lead < 0)
				b->wanswered++;
			else
				r->shared = 1;
			*how = TRANSPORT_JUDGE;
			return r;
		}
		if ((rv = unanswered(b, r, err, errlen)) == -1) {
			rows_put(b->p.rows, r);
			return NULL;
		}
		if (rv == 1) {
			*how = TRANSPORT_WRITE;
			return r;
		}
		rows_put(b->p.rows, r);
	}
	return NULL;
nomem:
	snprintf(err, errlen, "out of memory");
	return NULL;
}

/* The face. */

static int
t_room(void *arg, long long now)
{
	struct batchapi	*b = arg;

	(void)now;
	return b->interrupted || b->stopped || b->cancelling ? 0 : ROOM;
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
	struct row	*r;

	(void)now;
	if ((r = TAILQ_FIRST(&b->ready)) != NULL) {
		TAILQ_REMOVE(&b->ready, r, link);
		*how = TRANSPORT_WRITE;
		return r;
	}
	if (b->interrupted || b->fatal[0] != '\0')
		return NULL;
	return next_row(b, how, b->fatal, sizeof(b->fatal));
}

static long long
t_timeout(void *arg, long long now)
{
	struct batchapi	*b = arg;
	long long	 t = -1, due;
	size_t		 i;

	if (!TAILQ_EMPTY(&b->ready) || (b->wk != -1 && !b->weof &&
	    !b->interrupted) || b->fatal[0] != '\0')
		return 0;
	/* The transfer in flight: libcurl's timer. */
	if (b->job != JOB_NONE)
		t = pool_timeout(b->p.pool, now);
	else if (!b->interrupted && !b->stopped)
		for (i = 0; i < b->nfiles; i++) {
			if (!b->files[i].marked && !b->cancelling)
				continue;
			if (b->files[i].got)
				continue;
			due = b->files[i].next > now ? b->files[i].next - now :
			    0;
			if (t < 0 || due < t)
				t = due;
		}
	/* A checkpoint due, when the caller is quiet to make it. */
	if (b->was_quiet && (b->force || (b->dirty && b->ended))) {
		due = b->force ? 0 : b->last_mark + MARK_MS > now ?
		    b->last_mark + MARK_MS - now : 0;
		if (t < 0 || due < t)
			t = due;
	} else if (b->was_quiet && b->dirty) {
		due = b->last_mark + MARK_MS > now ? b->last_mark + MARK_MS -
		    now : 0;
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

	if (b->fatal[0] != '\0') {
		snprintf(err, errlen, "%s", b->fatal);
		return -1;
	}
	while ((x = pool_done(b->p.pool)) != NULL) {
		if (x != &b->x) {
			snprintf(err, errlen, "internal error: a transfer "
			    "not the Batch API's");
			return -1;
		}
		if (job_done(b, now, err, errlen) == -1)
			return -1;
	}
	if (next_job(b, now, err, errlen) == -1)
		return -1;
	return start_writing(b, err, errlen);
}

static int
t_busy(const void *arg)
{
	(void)arg;
	return 0;
}

static int
t_over(const void *arg, long long now)
{
	const struct batchapi	*b = arg;

	(void)now;
	if (b->job != JOB_NONE || !TAILQ_EMPTY(&b->ready))
		return 0;
	if (b->stopped || b->fatal[0] != '\0')
		return 1;
	/* Interrupted: once STATE has what was done. */
	if (b->interrupted)
		return !b->force && !b->dirty;
	if (b->cancelling) {
		size_t	 i;

		for (i = 0; i < b->nfiles; i++)
			if (b->files[i].batch[0] != '\0' &&
			    !b->files[i].cancelled)
				return 0;
		return 1;
	}
	return b->ended && b->nfiles == 0 && b->frows == 0 && b->wk == -1 &&
	    !b->dirty && !b->force;
}

static void
t_interrupt(void *arg, long long now)
{
	struct batchapi	*b = arg;

	(void)now;
	b->interrupted = 1;
	b->force = 1;
}

static int
t_line(void *arg, const char *text, size_t len, int blank, char *err,
    size_t errlen)
{
	struct batchapi	*b = arg;
	SHA2_CTX	 ctx;
	unsigned char	 d[SHA256_DIGEST_LENGTH];
	char		 hex[BSTATE_HASH_HEX + 1];

	SHA256Update(&b->h, (const unsigned char *)text, len);
	SHA256Update(&b->h, (const unsigned char *)"\n", 1);
	b->nread++;
	if (!blank)
		b->nseq++;
	if (b->nread > b->skip_read)
		return 0;
	if (b->nread == b->skip_read) {
		ctx = b->h;
		SHA256Final(d, &ctx);
		bstate_hex(d, sizeof(d), hex);
		if (strcmp(hex, b->skip_hash) != 0) {
			snprintf(err, errlen, "the input's first %llu lines "
			    "are not those it was made with: run with that "
			    "input (more lines after them are sent), or "
			    "start again with a new STATE",
			    (unsigned long long)b->skip_read);
			return -1;
		}
		b->acc = b->h;
		b->acc_read = b->nread;
		b->acc_seq = b->nseq;
	}
	return 1;
}

static void
t_accounted(void *arg)
{
	struct batchapi	*b = arg;

	if (b->nread < b->skip_read || b->acc_read == b->nread)
		return;
	b->acc = b->h;
	b->acc_read = b->nread;
	b->acc_seq = b->nseq;
	b->dirty = 1;
}

static int
t_input_end(void *arg, char *err, size_t errlen)
{
	struct batchapi	*b = arg;

	if (b->nread < b->skip_read) {
		snprintf(err, errlen, "the input has %llu lines, fewer than "
		    "the %llu it was made with: run with that input, or "
		    "start again with a new STATE",
		    (unsigned long long)b->nread,
		    (unsigned long long)b->skip_read);
		return -1;
	}
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
	if (b->wk != -1 && b->weof && end_writing(b, now, err, errlen) == -1)
		return -1;
	if (b->ended && b->wk == -1 && !b->interrupted &&
	    close_fill(b, err, errlen) == -1)
		return -1;
	if (b->force || (b->dirty && now - b->last_mark >= MARK_MS))
		return mark(b, now, err, errlen);
	return 0;
}

static int
t_stopped(const void *arg)
{
	const struct batchapi	*b = arg;

	return b->stopped;
}

static const struct transport_ops	 ops = {
	t_room, t_wait, t_send, t_done, t_timeout, t_work, t_busy, t_over,
	t_interrupt, t_line, t_accounted, t_input_end, t_quiet, t_stopped
};

void
batchapi_transport(struct batchapi *b, struct transport *t)
{
	t->ops = &ops;
	t->impl = b;
}

struct batchapi *
batchapi_new(const struct batchapi_config *cfg,
    const struct batchapi_parts *parts, long long now, char *err,
    size_t errlen)
{
	const struct bstate_mark	*m = bstate_last(parts->state);
	const struct bstate_file	*sf;
	struct batchapi			*b;
	struct bfile			*f;
	size_t				 i;

	if ((b = calloc(1, sizeof(*b))) == NULL)
		goto nomem;
	b->cfg = *cfg;
	b->p = *parts;
	b->sfd = b->ufd = b->rfd = b->wsfd = b->wrfd = -1;
	b->wk = -1;
	TAILQ_INIT(&b->ready);
	RB_INIT(&b->keys);
	SHA256Init(&b->h);
	b->acc = b->h;
	b->last_mark = now;
	if ((b->json = json_new()) == NULL || (b->rs = results_new()) == NULL)
		goto nomem;
	/* Where the last run left off. */
	b->skip_read = m->read;
	strlcpy(b->skip_hash, m->hash, sizeof(b->skip_hash));
	b->fill = m->fill;
	b->slen = m->spool;
	b->ulen = m->upload;
	b->frows = m->rows;
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
	if (b->frows > 0 && open_fill(b, err, errlen) == -1)
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
	struct row	*r;

	if (b == NULL)
		return;
	while ((r = TAILQ_FIRST(&b->ready)) != NULL) {
		TAILQ_REMOVE(&b->ready, r, link);
		rows_put(b->p.rows, r);
	}
	if (b->sfd != -1)
		close(b->sfd);
	if (b->ufd != -1)
		close(b->ufd);
	if (b->rfd != -1)
		close(b->rfd);
	if (b->wsfd != -1)
		close(b->wsfd);
	if (b->wrfd != -1)
		close(b->wrfd);
	spool_reader_free(&b->rd);
	results_free(b->rs);
	json_free(b->json);
	buf_free(&b->x.resp);
	buf_free(&b->url);
	buf_free(&b->body);
	buf_free(&b->jbody);
	buf_free(&b->rline);
	buf_free(&b->cid);
	buf_free(&b->scratch);
	free(b->kv);
	free(b->files);
	free(b);
}

int
batchapi_pending(const struct batchapi *b)
{
	size_t	 i;
	int	 n = 0;

	for (i = 0; i < b->nfiles; i++)
		n += b->files[i].batch[0] != '\0';
	return n;
}

size_t
batchapi_rows(const struct batchapi *b)
{
	size_t	 i, n = b->frows;

	for (i = 0; i < b->nfiles; i++)
		n += b->files[i].rows;
	return n;
}

double
batchapi_reserved(const struct batchapi *b)
{
	size_t	 i;
	double	 d = b->freserved;

	for (i = 0; i < b->nfiles; i++)
		d += b->files[i].reserved;
	return d;
}

int
batchapi_cancel(struct batchapi *b, long long now)
{
	size_t	 i;

	b->cancelling = 1;
	for (i = 0; i < b->nfiles; i++)
		b->files[i].next = now;
	return 0;
}

int
batchapi_cancelled(const struct batchapi *b, int *failed)
{
	*failed = b->nfailed;
	return b->ncancelled;
}
