/*
 * mock_batches.c: the Files and Batches APIs, as the OpenAI Batch API
 * answers them, for enrich --batch-api.
 *
 *	POST /files			multipart: purpose=batch, file=...
 *	GET  /files/ID/content		a file's bytes
 *	POST /batches			{"input_file_id":...}: a new batch
 *	GET  /batches[?limit=N]		{"data":[every batch, newest first]}
 *	GET  /batches/ID		the batch, its status moved on by time
 *	POST /batches/ID/cancel		cancelled: no output
 *
 * (any prefix before them: /v1, Azure's /openai).  A batch is
 * validating, in_progress, finalizing, then completed, each for a third
 * of $MOCK_BATCH_MS (default 300 ms) after it was made.  When it is done,
 * each request line is answered exactly as POST /chat/completions would
 * answer its body (req_decide, faults and directives included, counted
 * nowhere and logged nowhere): 2xx answers go to the output file, the
 * rest to the error file.  Directives in a row's prompt:
 *
 *	[[batch-expire]]	the first batch holding it expires: its first
 *				half of lines answered, the rest in the error
 *				file as batch_expired
 *	[[batch-fail]]		the first batch holding it fails validation
 *	[[batch-status:NAME]]	the first batch holding it says status NAME
 *				(one no client knows) until it is cancelled
 *
 * $MOCK_CREATE_MS delays the answers to POST /batches (the batch is made
 * at once), and $MOCK_CONTENT_MS the first GET /files/ID/content, so that
 * a test can kill its client in between.  Files and batches
 * live in memory for the mock's life.
 */
#include <err.h>
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mock.h"

#define JSMN_STATIC
#include <jsmn.h>

struct mfile {
	char		 id[32];
	struct buf	 data;
};

struct mbatch {
	char		 id[32];
	char		 input[32];
	uint64_t	 created;	/* now_ns */
	int		 expire, fail, cancelled;
	char		 odd[32];	/* a status of its own, or "" */
	int		 done;		/* answered: out and errf are set */
	char		 out[32], errf[32];
	long long	 total, ok, failed;
};

static struct mfile	*files;
static size_t		 nfiles;
static struct mbatch	*batches;
static size_t		 nbatches;
static int		 expire_used, fail_used, odd_used, content_delayed;
static struct buf	 sc_out, sc_err;

static struct mfile *
file_find(const char *id, size_t len)
{
	size_t	 k;

	for (k = 0; k < nfiles; k++)
		if (strlen(files[k].id) == len && memcmp(files[k].id, id,
		    len) == 0)
			return &files[k];
	return NULL;
}

static struct mbatch *
batch_find(const char *id, size_t len)
{
	size_t	 k;

	for (k = 0; k < nbatches; k++)
		if (strlen(batches[k].id) == len && memcmp(batches[k].id, id,
		    len) == 0)
			return &batches[k];
	return NULL;
}

static struct mfile *
file_new(const char *data, size_t len)
{
	struct mfile	*f;

	if ((f = reallocarray(files, nfiles + 1, sizeof(*f))) == NULL)
		err(1, NULL);
	files = f;
	f = &files[nfiles++];
	memset(f, 0, sizeof(*f));
	snprintf(f->id, sizeof(f->id), "file-%zu", nfiles);
	buf_add(&f->data, data, len);
	return f;
}

static void
answer(struct reply *r, int status)
{
	r->kind = status < 300 ? R_ANSWER : R_ERROR;
	r->status = status;
}

static void
fail(struct reply *r, int status, const char *msg)
{
	reply_error(r, status, msg, "invalid_request_error", NULL, NULL);
}

/* Tokens of a JSON text, or NULL; *n set.  The caller frees. */
static jsmntok_t *
tokens(const char *p, size_t len, int *n)
{
	jsmn_parser	 jp;
	jsmntok_t	*t;

	jsmn_init(&jp);
	if ((*n = jsmn_parse(&jp, p, len, NULL, 0)) <= 0)
		return NULL;
	if ((t = calloc(*n + 1, sizeof(*t))) == NULL)
		err(1, NULL);
	jsmn_init(&jp);
	if (jsmn_parse(&jp, p, len, t, *n) != *n) {
		free(t);
		return NULL;
	}
	return t;
}

/* The top-level member of that name: its token index, or -1. */
static int
member(const char *p, const jsmntok_t *t, int n, const char *key)
{
	int	 i;

	for (i = 1; i + 1 < n; i++)
		if (t[i].parent == 0 && t[i].type == JSMN_STRING &&
		    (size_t)(t[i].end - t[i].start) == strlen(key) &&
		    memcmp(p + t[i].start, key, strlen(key)) == 0)
			return i + 1;
	return -1;
}

/* Where the batch is now, by the time since it was made. */
static const char *
batch_status(const struct mbatch *m)
{
	uint64_t	 ms = (now_ns - m->created) / MS;
	uint64_t	 span = 300;
	const char	*s, *e;

	if ((e = getenv("MOCK_BATCH_MS")) != NULL)
		span = strtoull(e, NULL, 10);
	if (m->cancelled)
		s = "cancelled";
	else if (m->odd[0] != '\0')
		s = m->odd;
	else if (ms < span / 3)
		s = "validating";
	else if (m->fail && ms >= span / 3)
		s = "failed";
	else if (ms < 2 * span / 3)
		s = "in_progress";
	else if (ms < span)
		s = "finalizing";
	else
		s = m->expire ? "expired" : "completed";
	return s;
}

static void
batch_json(struct buf *b, const struct mbatch *m)
{
	const char	*s = batch_status(m);

	buf_addf(b, "{\"id\":\"%s\",\"object\":\"batch\",\"endpoint\":"
	    "\"/v1/chat/completions\",\"input_file_id\":\"%s\","
	    "\"completion_window\":\"24h\",\"status\":\"%s\",", m->id,
	    m->input, s);
	if (m->done && m->out[0] != '\0')
		buf_addf(b, "\"output_file_id\":\"%s\",", m->out);
	else
		buf_adds(b, "\"output_file_id\":null,");
	if (m->done && m->errf[0] != '\0')
		buf_addf(b, "\"error_file_id\":\"%s\",", m->errf);
	else
		buf_adds(b, "\"error_file_id\":null,");
	if (strcmp(s, "failed") == 0)
		buf_adds(b, "\"errors\":{\"object\":\"list\",\"data\":[{"
		    "\"code\":\"invalid_request\",\"message\":\"mock: "
		    "[[batch-fail]]\",\"line\":1}]},");
	else
		buf_adds(b, "\"errors\":null,");
	buf_addf(b, "\"request_counts\":{\"total\":%lld,\"completed\":%lld,"
	    "\"failed\":%lld}}", m->total, m->done ? m->ok : 0,
	    m->done ? m->failed : 0);
}

/* One line of the result files, for request line p of a batch. */
static void
run_line(const struct request *outer, const char *p, size_t len, int expire)
{
	struct request	 rq;
	struct reply	 rr;
	struct stats	 saved = st;
	FILE		*log = logfp;
	jsmntok_t	*t;
	struct buf	*dst;
	int		 n, id, body, status;

	if ((t = tokens(p, len, &n)) == NULL || t[0].type != JSMN_OBJECT ||
	    (id = member(p, t, n, "custom_id")) == -1 ||
	    (body = member(p, t, n, "body")) == -1) {
		free(t);
		return;
	}
	if (expire) {
		buf_addf(&sc_err, "{\"id\":\"batch_req_x\",\"custom_id\":"
		    "\"%.*s\",\"response\":null,\"error\":{\"code\":"
		    "\"batch_expired\",\"message\":\"This request could not "
		    "be executed before the completion window expired.\"}}\n",
		    t[id].end - t[id].start, p + t[id].start);
		free(t);
		return;
	}
	memset(&rq, 0, sizeof(rq));
	rq.meth = "POST";
	rq.meth_len = 4;
	rq.target = "/v1/chat/completions";
	rq.target_len = strlen(rq.target);
	rq.auth = outer->auth;
	rq.auth_len = outer->auth_len;
	rq.has_auth = outer->has_auth;
	rq.body = p + t[body].start;
	rq.body_len = t[body].end - t[body].start;
	rq.hdr = rq.hdr_end = "";
	logfp = NULL;
	(void)req_decide(&rq, &rr);
	inflight--;
	logfp = log;
	st = saved;
	status = rr.kind == R_ANSWER || rr.kind == R_ERROR ||
	    rr.kind == R_NOCHOICES || rr.kind == R_NULL ? rr.status : 500;
	if (status == 500 && rr.kind != R_ERROR)
		body_error("mock: no answer", 15, "server_error", NULL, NULL);
	dst = status >= 200 && status < 300 ? &sc_out : &sc_err;
	buf_addf(dst, "{\"id\":\"batch_req_%" PRIu64 "\",\"custom_id\":"
	    "\"%.*s\",\"response\":{\"status_code\":%d,\"request_id\":"
	    "\"req_mock\",\"body\":", rr.seq, t[id].end - t[id].start,
	    p + t[id].start, status);
	buf_add(dst, sc_body.p, sc_body.len);
	buf_adds(dst, "},\"error\":null}\n");
	free(t);
}

/* The batch is over: answer its lines into its two files. */
static void
batch_answer(const struct request *outer, struct mbatch *m)
{
	struct mfile	*in = file_find(m->input, strlen(m->input)), *f;
	const char	*p, *nl, *end;
	long long	 k = 0;

	sc_out.len = sc_err.len = 0;
	m->done = 1;
	if (in == NULL)
		return;
	p = in->data.p;
	end = p + in->data.len;
	for (; p < end; p = nl + 1) {
		if ((nl = memchr(p, '\n', end - p)) == NULL)
			nl = end;
		if (nl > p) {
			run_line(outer, p, nl - p, m->expire &&
			    k >= m->total / 2);
			k++;
		}
	}
	m->ok = 0;
	for (p = sc_out.p; p != NULL && p < sc_out.p + sc_out.len; p++)
		m->ok += *p == '\n';
	m->failed = m->total - m->ok;
	if (sc_out.len > 0) {
		f = file_new(sc_out.p, sc_out.len);
		strlcpy(m->out, f->id, sizeof(m->out));
	}
	if (sc_err.len > 0) {
		f = file_new(sc_err.p, sc_err.len);
		strlcpy(m->errf, f->id, sizeof(m->errf));
	}
}

/* POST /files: the part named file of a multipart body. */
static void
upload(const char *body, size_t len, struct reply *r)
{
	const char	*end = body + len, *delim, *p, *h, *data, *next;
	size_t		 dlen;
	const char	*file = NULL;
	size_t		 flen = 0;
	int		 batch = 0;
	struct mfile	*f;

	if ((p = memmem(body, len, "\r\n", 2)) == NULL || len < 4 ||
	    memcmp(body, "--", 2) != 0) {
		fail(r, 400, "mock: not a multipart body");
		return;
	}
	delim = body;
	dlen = p - body;
	for (p = body; (p = memmem(p, end - p, delim, dlen)) != NULL;
	    p = next) {
		h = p + dlen + 2;
		if (h > end || (data = memmem(h, end - h, "\r\n\r\n", 4)) ==
		    NULL)
			break;
		data += 4;
		if ((next = memmem(data, end - data, delim, dlen)) == NULL)
			break;
		/* The data ends with the CRLF before the delimiter. */
		if (memmem(h, data - h, "name=\"file\"", 11) != NULL) {
			file = data;
			flen = next - 2 - data;
		} else if (memmem(h, data - h, "name=\"purpose\"", 14) !=
		    NULL)
			batch = next - 2 - data == 5 &&
			    memcmp(data, "batch", 5) == 0;
	}
	if (file == NULL || !batch) {
		fail(r, 400, "mock: an upload needs purpose=batch and a file");
		return;
	}
	/* OpenAI's limit on a batch input file. */
	if (flen > 200 * 1000 * 1000) {
		fail(r, 400, "File is too large: a batch input file may hold "
		    "200 MB at most");
		return;
	}
	f = file_new(file, flen);
	answer(r, 200);
	sc_body.len = 0;
	buf_addf(&sc_body, "{\"id\":\"%s\",\"object\":\"file\",\"bytes\":%zu,"
	    "\"filename\":\"batch.jsonl\",\"purpose\":\"batch\"}", f->id,
	    flen);
}

static void
create(const char *body, size_t len, struct reply *r)
{
	struct mbatch	*m;
	struct mfile	*f;
	jsmntok_t	*t;
	const char	*p;
	int		 n, id;

	if ((t = tokens(body, len, &n)) == NULL ||
	    (id = member(body, t, n, "input_file_id")) == -1 ||
	    (f = file_find(body + t[id].start, t[id].end -
	    t[id].start)) == NULL) {
		free(t);
		fail(r, 400, "mock: no such input_file_id");
		return;
	}
	free(t);
	if ((m = reallocarray(batches, nbatches + 1, sizeof(*m))) == NULL)
		err(1, NULL);
	batches = m;
	m = &batches[nbatches++];
	memset(m, 0, sizeof(*m));
	snprintf(m->id, sizeof(m->id), "batch_%zu", nbatches);
	strlcpy(m->input, f->id, sizeof(m->input));
	m->created = now_ns;
	for (p = f->data.p; p < f->data.p + f->data.len; p++)
		m->total += *p == '\n';
	if (!expire_used && memmem(f->data.p, f->data.len,
	    "[[batch-expire]]", 16) != NULL)
		expire_used = m->expire = 1;
	if (!fail_used && memmem(f->data.p, f->data.len,
	    "[[batch-fail]]", 14) != NULL)
		fail_used = m->fail = 1;
	if (!odd_used && (p = memmem(f->data.p, f->data.len,
	    "[[batch-status:", 15)) != NULL) {
		odd_used = 1;
		sscanf(p + 15, "%31[a-z_]", m->odd);
	}
	answer(r, 200);
	sc_body.len = 0;
	batch_json(&sc_body, m);
}

static uint64_t
env_ms(const char *name)
{
	const char	*e = getenv(name);

	return e != NULL ? strtoull(e, NULL, 10) : 0;
}

/* 1 if the request was for these APIs, with *r, sc_body and *delay set. */
int
batches_decide(const struct request *rq, struct reply *r, uint64_t *delay)
{
	const char	*t = rq->target, *q, *s;
	size_t		 len, k;
	struct mbatch	*m;
	struct mfile	*f;
	int		 get, post, first;

	q = memchr(t, '?', rq->target_len);
	len = q != NULL ? (size_t)(q - t) : rq->target_len;
	get = rq->meth_len == 3 && memcmp(rq->meth, "GET", 3) == 0;
	post = rq->meth_len == 4 && memcmp(rq->meth, "POST", 4) == 0;
	if ((s = memmem(t, len, "/files", 6)) != NULL) {
		s += 6;
		if (s == t + len && post)
			upload(rq->body, rq->body_len, r);
		else if (*s == '/' && get && len > 8 &&
		    memcmp(t + len - 8, "/content", 8) == 0) {
			if ((f = file_find(s + 1, t + len - 8 - s - 1)) ==
			    NULL) {
				fail(r, 404, "mock: no such file");
				return 1;
			}
			answer(r, 200);
			sc_body.len = 0;
			buf_add(&sc_body, f->data.p, f->data.len);
			if (!content_delayed++)
				*delay = env_ms("MOCK_CONTENT_MS");
		} else
			fail(r, 404, "mock: no such files path");
		return 1;
	}
	if ((s = memmem(t, len, "/batches", 8)) == NULL)
		return 0;
	s += 8;
	if (s == t + len && post) {
		create(rq->body, rq->body_len, r);
		*delay = env_ms("MOCK_CREATE_MS");
		return 1;
	}
	if (s == t + len && get) {
		answer(r, 200);
		sc_body.len = 0;
		buf_adds(&sc_body, "{\"object\":\"list\",\"data\":[");
		for (first = 1, k = nbatches; k-- > 0; first = 0) {
			if (!first)
				buf_addc(&sc_body, ',');
			batch_json(&sc_body, &batches[k]);
		}
		buf_adds(&sc_body, "]}");
		return 1;
	}
	if (*s != '/') {
		fail(r, 404, "mock: no such batches path");
		return 1;
	}
	s++;
	q = memchr(s, '/', t + len - s);
	if ((m = batch_find(s, (q != NULL ? q : t + len) - s)) == NULL) {
		fail(r, 404, "mock: no such batch");
		return 1;
	}
	if (q != NULL && post && t + len - q == 7 &&
	    memcmp(q, "/cancel", 7) == 0) {
		if (!m->done)
			m->cancelled = 1;
	} else if (q != NULL || !get) {
		fail(r, 404, "mock: no such batches path");
		return 1;
	}
	/* Over now: answer its lines (once), and say so. */
	s = batch_status(m);
	if (!m->done && (strcmp(s, "completed") == 0 ||
	    strcmp(s, "expired") == 0))
		batch_answer(rq, m);
	sc_body.len = 0;
	batch_json(&sc_body, m);
	answer(r, 200);
	return 1;
}

void
batches_cleanup(void)
{
	size_t	 k;

	for (k = 0; k < nfiles; k++)
		buf_free(&files[k].data);
	free(files);
	free(batches);
	buf_free(&sc_out);
	buf_free(&sc_err);
}
