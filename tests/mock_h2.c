/*
 * mock_h2.c: HTTP/2 (h2c with prior knowledge).  nghttp2 does the
 * framing, HPACK, flow control and the checks of RFC 9113 (a malformed
 * request resets its stream, a broken connection gets GOAWAY); the
 * callbacks below only collect each request into its struct stream and
 * hand it to req_decide when END_STREAM comes.  Socket I/O stays in
 * mock_conn.c: this file moves bytes between nghttp2 and the
 * connection's buffers.
 */

#include <ctype.h>
#include <err.h>
#include <errno.h>
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include <nghttp2/nghttp2.h>

#include "mock.h"

#define NV_MAX		(12 + NHDR)		/* an HTTP/2 answer's fields */
#define H2_CHUNK	(64 * 1024)		/* one read on HTTP/2 */

static nghttp2_session_callbacks *h2_cbs;
static struct hdr *sc_fields;			/* HTTP/2 headers for --log */
static size_t	 sc_fields_cap;

/* Forget a stream: nghttp2 has closed it, or its connection is going. */
void
stream_free(struct stream *s)
{
	timer_del(&s->t);
	if (s->wait != W_NONE)
		inflight--;
	LIST_REMOVE(s, entry);
	buf_free(&s->head);
	buf_free(&s->data);
	free(s);
}

/* Append one field to b; returns the offset of its value. */
static size_t
field_add(struct buf *b, const char *name, size_t nlen, const char *val,
    size_t vlen)
{
	size_t len[2] = { nlen, vlen };

	buf_add(b, (const char *)len, sizeof(len));
	buf_add(b, name, nlen);
	buf_add(b, val, vlen);
	return b->len - vlen;
}

static void
field_adds(struct buf *b, const char *name, const char *val)
{
	field_add(b, name, strlen(name), val, strlen(val));
}

/* The field at *off in b, if there is one; moves *off on. */
static int
field_next(const struct buf *b, size_t *off, struct hdr *f)
{
	size_t len[2];

	if (*off >= b->len)
		return 0;
	memcpy(len, b->p + *off, sizeof(len));
	f->name = b->p + *off + sizeof(len);
	f->nlen = len[0];
	f->val = f->name + len[0];
	f->vlen = len[1];
	*off += sizeof(len) + len[0] + len[1];
	return 1;
}

/*
 * Fields that RFC 9113 8.2.2 forbids in HTTP/2: a client must treat a
 * response that has one as malformed, so a [[header:...]] naming one is
 * left out rather than turned into a protocol error.
 */
static int
h2_forbidden(const char *name, size_t n)
{
	static const char *const hop[] = { "connection", "keep-alive",
	    "proxy-connection", "transfer-encoding", "upgrade", "te" };
	size_t i;

	for (i = 0; i < sizeof(hop) / sizeof(hop[0]); i++)
		if (n == strlen(hop[i]) && strncasecmp(name, hop[i], n) == 0)
			return 1;
	return 0;
}

/* nghttp2 pulls the answer's body from here as flow control allows. */
static ssize_t
h2_body_read(nghttp2_session *h2, int32_t id, uint8_t *p, size_t len,
    uint32_t *flags, nghttp2_data_source *src, void *arg)
{
	struct stream *s = src->ptr;
	size_t n = s->data_end - s->data_off;

	(void)h2;
	(void)id;
	(void)arg;
	/* [[truncate]]: half the body, then RST_STREAM(INTERNAL_ERROR). */
	if (n == 0 && s->truncate)
		return NGHTTP2_ERR_TEMPORAL_CALLBACK_FAILURE;
	if (n > len)
		n = len;
	memcpy(p, s->data.p + s->data_off, n);
	s->data_off += n;
	if (s->data_off == s->data_end && !s->truncate)
		*flags |= NGHTTP2_DATA_FLAG_EOF;
	return (ssize_t)n;
}

/*
 * Turn a reply into the stream's answer fields and body, so that it can
 * be submitted later: the reply points into scratch space (sc_body,
 * sc_user) that the next request overwrites.  HTTP/2 field names are
 * lowercase, so a [[header:...]] name is lowercased here.
 */
static void
h2_prepare(struct stream *s, const struct reply *r)
{
	struct buf *b = &s->head;
	char num[32];
	size_t at, k;
	int i, nobody;

	nobody = r->status == 204 || r->status == 304;
	b->len = 0;
	snprintf(num, sizeof(num), "%d", r->status);
	field_adds(b, ":status", num);
	if (!nobody) {
		field_adds(b, "content-type", "application/json");
		snprintf(num, sizeof(num), "%zu", sc_body.len);
		field_adds(b, "content-length", num);
	}
	snprintf(num, sizeof(num), "req_mock_%" PRIu64, r->seq);
	field_adds(b, "x-request-id", num);
	if (r->retry_after[0] != '\0')
		field_adds(b, "retry-after", r->retry_after);
	if (r->retry_after_ms != NULL)
		field_add(b, "retry-after-ms", 14, r->retry_after_ms,
		    r->retry_after_ms_len);
	if (r->allow)
		field_adds(b, "allow", "POST");
	if (r->gzip)
		field_adds(b, "content-encoding", "gzip");
	if (r->rl) {
		snprintf(num, sizeof(num), "%lld", cfg.rps);
		field_adds(b, "x-ratelimit-limit-requests", num);
		snprintf(num, sizeof(num), "%lld", r->rl_remaining);
		field_adds(b, "x-ratelimit-remaining-requests", num);
		field_adds(b, "x-ratelimit-reset-requests", r->rl_reset);
	}
	if (r->rlt) {
		snprintf(num, sizeof(num), "%lld", r->rlt_limit);
		field_adds(b, "x-ratelimit-limit-tokens", num);
		snprintf(num, sizeof(num), "%lld", r->rlt_remaining);
		field_adds(b, "x-ratelimit-remaining-tokens", num);
		field_adds(b, "x-ratelimit-reset-tokens", r->rlt_reset);
	}
	for (i = 0; i < r->nhdr; i++) {
		if (h2_forbidden(r->hdr[i].name, r->hdr[i].nlen))
			continue;
		at = field_add(b, r->hdr[i].name, r->hdr[i].nlen,
		    r->hdr[i].val, r->hdr[i].vlen) - r->hdr[i].nlen;
		for (k = at; k < at + r->hdr[i].nlen; k++)
			b->p[k] = (char)tolower((unsigned char)b->p[k]);
	}

	/* The request's body is no longer needed: its buffer takes this. */
	s->data.len = 0;
	s->has_body = !nobody && !s->is_head;
	if (s->has_body)
		buf_add(&s->data, sc_body.p, sc_body.len);
	s->data_off = 0;
	s->truncate = r->truncate && s->has_body;
	s->data_end = s->truncate ? s->data.len / 2 : s->data.len;
}

/* Hand the prepared answer to nghttp2; it goes out on the next flush. */
static void
h2_submit(struct stream *s)
{
	nghttp2_session *h2 = s->c->h2;
	nghttp2_data_provider dp;
	nghttp2_nv nv[NV_MAX];
	struct hdr f;
	size_t off = 0, n = 0;

	while (n < NV_MAX && field_next(&s->head, &off, &f)) {
		nv[n].name = (uint8_t *)(uintptr_t)f.name;
		nv[n].namelen = f.nlen;
		nv[n].value = (uint8_t *)(uintptr_t)f.val;
		nv[n].valuelen = f.vlen;
		nv[n].flags = NGHTTP2_NV_FLAG_NONE;
		n++;
	}
	dp.source.ptr = s;
	dp.read_callback = h2_body_read;
	if (nghttp2_submit_response(h2, s->id, nv, n,
	    s->has_body ? &dp : NULL) != 0)
		nghttp2_submit_rst_stream(h2, NGHTTP2_FLAG_NONE, s->id,
		    NGHTTP2_INTERNAL_ERROR);
}

/*
 * The stream's answer is due: submit it, or reset the stream for a
 * drop.  A reset, unlike HTTP/1.1's close, leaves the other streams of
 * the connection alone.
 */
void
stream_release(struct stream *s)
{
	enum wait w = s->wait;

	s->wait = W_NONE;
	inflight--;
	count_answer();
	if (w == W_DROP)
		nghttp2_submit_rst_stream(s->c->h2, NGHTTP2_FLAG_NONE, s->id,
		    NGHTTP2_INTERNAL_ERROR);
	else
		h2_submit(s);
}

/* What conn_fail is to HTTP/1.1, for one stream. */
static void
h2_fail(struct stream *s)
{
	const char *msg = fail_msg(s->fail);
	struct reply r;

	memset(&r, 0, sizeof(r));
	r.seq = ++st.requests;
	st.s4xx++;
	r.kind = R_ERROR;
	r.status = s->fail;
	body_error(msg, strlen(msg), "invalid_request_error", NULL, NULL);
	h2_prepare(s, &r);
	h2_submit(s);
}

/* A stream's request is complete (or failed): decide and answer it. */
static void
h2_request(struct stream *s)
{
	struct request rq;
	struct reply r;
	struct hdr f, *t;
	size_t off, cap;
	uint64_t delay;

	/* As on HTTP/1.1, no new request is taken while draining. */
	if (draining)
		return;
	st.h2_streams++;
	if (s->fail != 0) {
		h2_fail(s);
		return;
	}
	memset(&rq, 0, sizeof(rq));
	rq.meth = s->has_meth ? s->head.p + s->meth_off : "";
	rq.meth_len = s->meth_len;
	rq.target = s->has_path ? s->head.p + s->path_off : "";
	rq.target_len = s->path_len;
	rq.has_auth = s->has_auth;
	rq.auth = s->has_auth ? s->head.p + s->auth_off : "";
	rq.auth_len = s->auth_len;
	rq.body = s->data.p != NULL ? s->data.p : "";
	rq.body_len = s->data.len;
	if (logfp != NULL) {
		if (s->nfields > sc_fields_cap) {
			cap = s->nfields * 2;
			if ((t = reallocarray(sc_fields, cap, sizeof(*t))) ==
			    NULL)
				err(1, NULL);
			sc_fields = t;
			sc_fields_cap = cap;
		}
		rq.fields = sc_fields;
		off = 0;
		while (field_next(&s->head, &off, &f))
			if (f.nlen > 0 && f.name[0] != ':')
				sc_fields[rq.nfields++] = f;
	}

	delay = req_decide(&rq, &r);
	switch (r.kind) {
	case R_STALL:
		s->wait = W_STALL;
		return;
	case R_DROP:
		s->wait = W_DROP;
		break;
	default:
		h2_prepare(s, &r);
		s->wait = W_SEND;
		break;
	}
	if (delay == 0)
		stream_release(s);
	else
		timer_set(&s->t, now_ns + delay * MS);
}

static int
h2_on_begin_headers(nghttp2_session *h2, const nghttp2_frame *frame,
    void *arg)
{
	struct conn *c = arg;
	struct stream *s;

	if (frame->hd.type != NGHTTP2_HEADERS ||
	    frame->headers.cat != NGHTTP2_HCAT_REQUEST)
		return 0;
	if ((s = calloc(1, sizeof(*s))) == NULL)
		err(1, NULL);
	s->c = c;
	s->id = frame->hd.stream_id;
	timer_init(&s->t, c, s);
	LIST_INSERT_HEAD(&c->streams, s, entry);
	if (nghttp2_session_set_stream_user_data(h2, s->id, s) != 0) {
		stream_free(s);
		return NGHTTP2_ERR_TEMPORAL_CALLBACK_FAILURE;
	}
	return 0;
}

/*
 * Keep :method and :path, :authority as "host" (what an HTTP/1.1 client
 * sends, and what --log readers look for), and the regular fields.
 */
static int
h2_on_header(nghttp2_session *h2, const nghttp2_frame *frame,
    const uint8_t *name, size_t nlen, const uint8_t *value, size_t vlen,
    uint8_t flags, void *arg)
{
	const char *n = (const char *)name, *v = (const char *)value;
	struct stream *s;
	size_t off;
	long long cl;

	(void)flags;
	(void)arg;
	if (frame->hd.type != NGHTTP2_HEADERS ||
	    frame->headers.cat != NGHTTP2_HCAT_REQUEST ||
	    (s = nghttp2_session_get_stream_user_data(h2,
	    frame->hd.stream_id)) == NULL || s->fail != 0)
		return 0;
	if (s->head.len + nlen + vlen > HEAD_MAX) {
		s->fail = 431;
		return 0;
	}
#define IS(lit)	(nlen == sizeof(lit) - 1 && memcmp(n, lit, nlen) == 0)
	if (IS(":method")) {
		s->meth_off = field_add(&s->head, n, nlen, v, vlen);
		s->meth_len = vlen;
		s->has_meth = 1;
		s->is_head = vlen == 4 && memcmp(v, "HEAD", 4) == 0;
	} else if (IS(":path")) {
		s->path_off = field_add(&s->head, n, nlen, v, vlen);
		s->path_len = vlen;
		s->has_path = 1;
	} else if (IS(":authority")) {
		field_add(&s->head, "host", 4, v, vlen);
		s->nfields++;
	} else if (nlen > 0 && n[0] == ':')
		;		/* :scheme, :protocol */
	else {
		off = field_add(&s->head, n, nlen, v, vlen);
		s->nfields++;
		if (IS("authorization")) {
			s->auth_off = off;
			s->auth_len = vlen;
			s->has_auth = 1;
		} else if (IS("content-length") &&
		    parse_digits(v, vlen, BODY_MAX, &cl) == -2)
			s->fail = 413;
	}
#undef IS
	return 0;
}

static int
h2_on_data(nghttp2_session *h2, uint8_t flags, int32_t id,
    const uint8_t *data, size_t len, void *arg)
{
	struct stream *s;

	(void)flags;
	(void)arg;
	if ((s = nghttp2_session_get_stream_user_data(h2, id)) == NULL ||
	    s->fail != 0)
		return 0;
	if (len > (size_t)BODY_MAX - s->data.len) {
		s->fail = 413;
		buf_free(&s->data);
		return 0;
	}
	buf_add(&s->data, (const char *)data, len);
	return 0;
}

/*
 * END_STREAM on HEADERS or DATA completes a request.  A request that has
 * already failed (too large) is answered at once, without waiting for a
 * body that would be thrown away.
 */
static int
h2_on_frame(nghttp2_session *h2, const nghttp2_frame *frame, void *arg)
{
	struct stream *s;

	(void)arg;
	if (frame->hd.type != NGHTTP2_HEADERS &&
	    frame->hd.type != NGHTTP2_DATA)
		return 0;
	if ((s = nghttp2_session_get_stream_user_data(h2,
	    frame->hd.stream_id)) == NULL || s->done)
		return 0;
	if ((frame->hd.flags & NGHTTP2_FLAG_END_STREAM) || s->fail != 0) {
		s->done = 1;
		h2_request(s);
	}
	return 0;
}

static int
h2_on_close(nghttp2_session *h2, int32_t id, uint32_t code, void *arg)
{
	struct stream *s;

	(void)code;
	(void)arg;
	if ((s = nghttp2_session_get_stream_user_data(h2, id)) != NULL)
		stream_free(s);
	return 0;
}

void
h2_callbacks(void)
{
	nghttp2_session_callbacks *cb;

	if (nghttp2_session_callbacks_new(&cb) != 0)
		errx(1, "nghttp2_session_callbacks_new");
	nghttp2_session_callbacks_set_on_begin_headers_callback(cb,
	    h2_on_begin_headers);
	nghttp2_session_callbacks_set_on_header_callback(cb, h2_on_header);
	nghttp2_session_callbacks_set_on_data_chunk_recv_callback(cb,
	    h2_on_data);
	nghttp2_session_callbacks_set_on_frame_recv_callback(cb, h2_on_frame);
	nghttp2_session_callbacks_set_on_stream_close_callback(cb,
	    h2_on_close);
	h2_cbs = cb;
}

void
h2_cleanup(void)
{
	nghttp2_session_callbacks_del(h2_cbs);
	h2_cbs = NULL;
	free(sc_fields);
	sc_fields = NULL;
	sc_fields_cap = 0;
}

/*
 * Move what nghttp2 has to send into c->out, up to OUT_PAUSE: past that
 * the client is not reading, and the rest may as well wait in nghttp2.
 */
int
h2_flush(struct conn *c)
{
	const uint8_t *p;
	ssize_t n;
	int progress = 0;

	while (c->out.len - c->out_off <= OUT_PAUSE) {
		if ((n = nghttp2_session_mem_send(c->h2, &p)) < 0)
			return -1;
		if (n == 0)
			break;
		buf_add(&c->out, (const char *)p, (size_t)n);
		progress = 1;
	}
	c->out_ready = c->out.len;
	return progress;
}

/*
 * Read and feed nghttp2 until the socket is empty, flushing as we go so
 * that OUT_PAUSE holds back a client that sends and does not read.
 * Returns -1 if the connection is beyond saving.
 */
int
h2_read(struct conn *c)
{
	static uint8_t chunk[H2_CHUNK];
	ssize_t n;
	int progress = 0;

	while (c->out.len - c->out_off <= OUT_PAUSE &&
	    nghttp2_session_want_read(c->h2)) {
		n = read(c->fd, chunk, sizeof(chunk));
		if (n > 0) {
			progress = 1;
			if (nghttp2_session_mem_recv(c->h2, chunk,
			    (size_t)n) < 0 || h2_flush(c) == -1)
				return -1;
			if ((size_t)n < sizeof(chunk) && !c->rdhup) {
				c->readable = 0;
				return 1;
			}
		} else if (n == 0) {
			c->eof = 1;
			c->readable = 0;
			return 1;
		} else if (errno == EAGAIN || errno == EWOULDBLOCK) {
			c->readable = 0;
			return progress;
		} else if (errno != EINTR)
			return -1;
	}
	return progress;
}

/*
 * The connection opened with the HTTP/2 preface: start a server session,
 * with our SETTINGS first, and give it what has been read so far,
 * preface included (nghttp2 checks it itself).
 */
int
h2_start(struct conn *c)
{
	nghttp2_settings_entry iv;

	if (nghttp2_session_server_new(&c->h2, h2_cbs, c) != 0)
		errx(1, "nghttp2_session_server_new");
	c->proto = P_H2;
	st.h2_connections++;
	iv.settings_id = NGHTTP2_SETTINGS_MAX_CONCURRENT_STREAMS;
	iv.value = cfg.h2_streams;
	if (nghttp2_submit_settings(c->h2, NGHTTP2_FLAG_NONE, &iv, 1) != 0 ||
	    nghttp2_session_mem_recv(c->h2, (const uint8_t *)c->in.p,
	    c->in.len) < 0)
		return -1;
	buf_free(&c->in);
	c->in_off = 0;
	return 0;
}

/* Is a stream of c waiting for its timer? */
int
h2_waiting(const struct conn *c)
{
	const struct stream *s;

	LIST_FOREACH(s, &c->streams, entry)
		if (s->t.on)
			return 1;
	return 0;
}
