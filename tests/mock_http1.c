/*
 * mock_http1.c: HTTP/1.1.  A request is parsed in place at the start of
 * the connection's input once its head and body are all there, and its
 * answer is written whole into the connection's output, delayed or not.
 * One request at a time per connection: pipelined ones wait their turn.
 * A head that cannot be read (too large, malformed, chunked) gets its
 * error and a close, since its end cannot be found.
 */

#include <inttypes.h>
#include <stdint.h>
#include <string.h>
#include <strings.h>

#include "mock.h"

/* HTTP heads */

/*
 * Read the header line at *pp; end is the end of the head.  Returns 1
 * and moves *pp on, 0 at the blank line that ends the head, -1 if the
 * line is malformed.
 */
int
hdr_next(const char **pp, const char *end, struct hdr *l)
{
	const char *p = *pp, *eol, *le, *colon, *v, *q;

	if (p >= end || (eol = memchr(p, '\n', (size_t)(end - p))) == NULL)
		return 0;
	le = eol;
	if (le > p && le[-1] == '\r')
		le--;
	if (le == p)
		return 0;
	if (*p == ' ' || *p == '\t')		/* obsolete line folding */
		return -1;
	if ((colon = memchr(p, ':', (size_t)(le - p))) == NULL || colon == p)
		return -1;
	for (q = p; q < colon; q++)
		if ((unsigned char)*q <= ' ' || *q == 0x7f)
			return -1;
	for (v = colon + 1; v < le && (*v == ' ' || *v == '\t'); v++)
		;
	while (le > v && (le[-1] == ' ' || le[-1] == '\t'))
		le--;
	l->name = p;
	l->nlen = (size_t)(colon - p);
	l->val = v;
	l->vlen = (size_t)(le - v);
	*pp = eol + 1;
	return 1;
}

static int
hname_is(const struct hdr *l, const char *name)
{
	size_t n = strlen(name);

	return l->nlen == n && strncasecmp(l->name, name, n) == 0;
}

/* Does a comma-separated header value hold token tok? */
static int
hval_has(const char *v, size_t n, const char *tok)
{
	size_t tl = strlen(tok), i, j;

	for (i = 0; i < n; i = j + 1) {
		while (i < n && (v[i] == ' ' || v[i] == '\t'))
			i++;
		for (j = i; j < n && v[j] != ','; j++)
			;
		if (j - i >= tl && strncasecmp(v + i, tok, tl) == 0) {
			size_t k = i + tl;

			while (k < j && (v[k] == ' ' || v[k] == '\t'))
				k++;
			if (k == j)
				return 1;
		}
	}
	return 0;
}

/*
 * Parse a complete head of n bytes at p.  Returns 0, or the status of
 * the error to answer before closing.
 */
static int
head_parse(const char *p, size_t n, struct head *h)
{
	const char *end = p + n, *eol, *le, *sp1, *sp2, *q;
	struct hdr l;
	long long v;
	int r, have_len = 0, te = 0;

	memset(h, 0, sizeof(*h));
	h->len = n;
	eol = memchr(p, '\n', n);
	le = eol;
	if (le > p && le[-1] == '\r')
		le--;
	if ((sp1 = memchr(p, ' ', (size_t)(le - p))) == NULL || sp1 == p)
		return 400;
	if ((sp2 = memchr(sp1 + 1, ' ', (size_t)(le - sp1 - 1))) == NULL ||
	    sp2 == sp1 + 1)
		return 400;
	if (le - sp2 - 1 != 8 || memcmp(sp2 + 1, "HTTP/1.", 7) != 0 ||
	    (sp2[8] != '0' && sp2[8] != '1'))
		return 400;
	h->meth_off = 0;
	h->meth_len = (size_t)(sp1 - p);
	h->target_off = (size_t)(sp1 + 1 - p);
	h->target_len = (size_t)(sp2 - sp1 - 1);
	h->http10 = sp2[8] == '0';
	h->keepalive = !h->http10;
	h->is_head = h->meth_len == 4 && memcmp(p, "HEAD", 4) == 0;
	h->hdr_off = (size_t)(eol + 1 - p);

	q = eol + 1;
	while ((r = hdr_next(&q, end, &l)) == 1) {
		if (hname_is(&l, "content-length")) {
			switch (parse_digits(l.val, l.vlen, BODY_MAX, &v)) {
			case -1:
				return 400;
			case -2:
				return 413;
			}
			if (have_len && (size_t)v != h->body_len)
				return 400;
			have_len = 1;
			h->body_len = (size_t)v;
		} else if (hname_is(&l, "transfer-encoding"))
			te = 1;
		else if (hname_is(&l, "connection")) {
			if (hval_has(l.val, l.vlen, "close"))
				h->keepalive = 0;
			else if (hval_has(l.val, l.vlen, "keep-alive"))
				h->keepalive = 1;
		} else if (hname_is(&l, "expect"))
			h->expect = l.vlen == 12 &&
			    strncasecmp(l.val, "100-continue", 12) == 0;
		else if (hname_is(&l, "authorization")) {
			h->has_auth = 1;
			h->auth_off = (size_t)(l.val - p);
			h->auth_len = l.vlen;
		}
	}
	if (r == -1)
		return 400;
	if (te)		/* chunked bodies are not worth a parser here */
		return 411;
	return 0;
}

/*
 * Find the blank line that ends a head in p[0..n), going on from *scan.
 * Returns the head's length, or 0 if it is not complete yet.
 */
static size_t
head_end(const char *p, size_t n, size_t *scan)
{
	const char *nl;
	size_t i = *scan, j;

	while (i < n && (nl = memchr(p + i, '\n', n - i)) != NULL) {
		j = (size_t)(nl - p);
		if (j + 1 < n && p[j + 1] == '\n')
			return j + 2;
		if (j + 2 < n && p[j + 1] == '\r' && p[j + 2] == '\n')
			return j + 3;
		if (j + 1 == n || (j + 2 == n && p[j + 1] == '\r')) {
			*scan = j;	/* undecided: look again later */
			return 0;
		}
		i = j + 1;
	}
	*scan = n;
	return 0;
}

static const char *
http_reason(int code)
{
	static const struct {
		int		 code;
		const char	*text;
	} reasons[] = {
		{ 200, "OK" }, { 201, "Created" }, { 202, "Accepted" },
		{ 204, "No Content" }, { 301, "Moved Permanently" },
		{ 302, "Found" }, { 304, "Not Modified" },
		{ 400, "Bad Request" }, { 401, "Unauthorized" },
		{ 403, "Forbidden" }, { 404, "Not Found" },
		{ 405, "Method Not Allowed" }, { 408, "Request Timeout" },
		{ 409, "Conflict" }, { 411, "Length Required" },
		{ 413, "Content Too Large" }, { 422, "Unprocessable Content" },
		{ 429, "Too Many Requests" },
		{ 431, "Request Header Fields Too Large" },
		{ 500, "Internal Server Error" }, { 502, "Bad Gateway" },
		{ 503, "Service Unavailable" }, { 504, "Gateway Timeout" },
	};
	size_t i;

	for (i = 0; i < sizeof(reasons) / sizeof(reasons[0]); i++)
		if (reasons[i].code == code)
			return reasons[i].text;
	return "Status";
}

/* Answers and requests */

/*
 * HTTP/1.1: write the reply's head and sc_body into c->out.  With no
 * delay it may go out at once; otherwise it waits behind out_ready for
 * its timer.
 */
static void
reply_queue(struct conn *c, const struct reply *r, uint64_t delay_ms)
{
	struct buf *o = &c->out;
	int nobody, i;

	switch (r->kind) {
	case R_STALL:
		c->wait = W_STALL;
		return;
	case R_DROP:
		/* Through the timer even at 0 ms, so the caller's c stays. */
		c->wait = W_DROP;
		timer_set(&c->t, now_ns + delay_ms * MS);
		return;
	default:
		break;
	}
	if (!c->h.keepalive)
		c->closing = 1;
	/* These statuses have no body, and a client would not read one. */
	nobody = r->status == 204 || r->status == 304;
	buf_addf(o, "HTTP/1.1 %d %s\r\n", r->status, http_reason(r->status));
	if (!nobody)
		buf_addf(o, "Content-Type: application/json\r\n"
		    "Content-Length: %zu\r\n", sc_body.len);
	buf_addf(o, "x-request-id: req_mock_%" PRIu64 "\r\n", r->seq);
	if (c->closing)
		buf_adds(o, "Connection: close\r\n");
	else if (c->h.http10)
		buf_adds(o, "Connection: keep-alive\r\n");
	if (r->retry_after[0] != '\0')
		buf_addf(o, "Retry-After: %s\r\n", r->retry_after);
	if (r->retry_after_ms != NULL) {
		buf_adds(o, "retry-after-ms: ");
		buf_add(o, r->retry_after_ms, r->retry_after_ms_len);
		buf_adds(o, "\r\n");
	}
	if (r->allow)
		buf_adds(o, "Allow: POST\r\n");
	if (r->gzip)
		buf_adds(o, "Content-Encoding: gzip\r\n");
	if (r->truncate)
		c->closing = 1;
	if (r->rl)
		buf_addf(o, "x-ratelimit-limit-requests: %lld\r\n"
		    "x-ratelimit-remaining-requests: %lld\r\n"
		    "x-ratelimit-reset-requests: %s\r\n", cfg.rps,
		    r->rl_remaining, r->rl_reset);
	if (r->rlt)
		buf_addf(o, "x-ratelimit-limit-tokens: %lld\r\n"
		    "x-ratelimit-remaining-tokens: %lld\r\n"
		    "x-ratelimit-reset-tokens: %s\r\n", r->rlt_limit,
		    r->rlt_remaining, r->rlt_reset);
	for (i = 0; i < r->nhdr; i++) {
		buf_add(o, r->hdr[i].name, r->hdr[i].nlen);
		buf_adds(o, ": ");
		buf_add(o, r->hdr[i].val, r->hdr[i].vlen);
		buf_adds(o, "\r\n");
	}
	buf_adds(o, "\r\n");
	if (!nobody && !c->h.is_head)
		buf_add(o, sc_body.p, r->truncate ? sc_body.len / 2 :
		    sc_body.len);
	if (delay_ms == 0) {
		c->out_ready = o->len;
		inflight--;
		count_answer();
	} else {
		c->wait = W_SEND;
		timer_set(&c->t, now_ns + delay_ms * MS);
	}
}

/* HTTP/1.1: answer the complete request at the start of c's input. */
static void
req_handle(struct conn *c)
{
	const struct head *h = &c->h;
	const char *req = c->in.p + c->in_off;
	struct request rq;
	struct reply r;
	uint64_t delay;

	rq.meth = req + h->meth_off;
	rq.meth_len = h->meth_len;
	rq.target = req + h->target_off;
	rq.target_len = h->target_len;
	rq.auth = req + h->auth_off;
	rq.auth_len = h->auth_len;
	rq.has_auth = h->has_auth;
	rq.body = req + h->len;
	rq.body_len = h->body_len;
	rq.hdr = req + h->hdr_off;
	rq.hdr_end = req + h->len;
	rq.fields = NULL;
	rq.nfields = 0;
	delay = req_decide(&rq, &r);
	reply_queue(c, &r, delay);
}

/* Answer an unreadable request, then close: its end cannot be found. */
static void
conn_fail(struct conn *c, int status)
{
	const char *msg = fail_msg(status);

	st.requests++;
	st.s4xx++;
	body_error(msg, strlen(msg), "invalid_request_error", NULL, NULL);
	buf_addf(&c->out, "HTTP/1.1 %d %s\r\nContent-Type: application/json\r\n"
	    "Content-Length: %zu\r\nConnection: close\r\n\r\n", status,
	    http_reason(status), sc_body.len);
	buf_add(&c->out, sc_body.p, sc_body.len);
	c->out_ready = c->out.len;
	c->closing = 1;
}

/*
 * Take the next request off c's input if it is all there.  Returns 1 if
 * something happened.
 */
int
conn_parse(struct conn *c)
{
	const char *p;
	size_t n, hl;
	int status;

	if (c->wait != W_NONE || c->closing || draining ||
	    c->out.len - c->out_off > OUT_PAUSE)
		return 0;
	if (c->h.len == 0) {
		/* Stray line ends between requests are allowed (RFC 9112). */
		while (c->scan == 0 && c->in_off < c->in.len &&
		    (c->in.p[c->in_off] == '\r' || c->in.p[c->in_off] == '\n'))
			c->in_off++;
		p = c->in.p + c->in_off;
		n = c->in.len - c->in_off;
		if ((hl = head_end(p, n, &c->scan)) == 0) {
			if (n <= HEAD_MAX)
				return 0;
			conn_fail(c, 431);
			return 1;
		}
		if (hl > HEAD_MAX) {
			conn_fail(c, 431);
			return 1;
		}
		if ((status = head_parse(p, hl, &c->h)) != 0) {
			conn_fail(c, status);
			return 1;
		}
		c->cont_sent = 0;
	}
	if (c->in.len - c->in_off < c->h.len + c->h.body_len) {
		if (!c->h.expect || c->cont_sent)
			return 0;
		buf_adds(&c->out, "HTTP/1.1 100 Continue\r\n\r\n");
		c->out_ready = c->out.len;
		c->cont_sent = 1;
		return 1;
	}
	req_handle(c);
	c->in_off += c->h.len + c->h.body_len;
	c->h.len = 0;
	c->scan = 0;
	if (c->in_off == c->in.len) {
		c->in_off = c->in.len = 0;
		if (c->in.cap > BUF_KEEP)
			buf_free(&c->in);
	}
	return 1;
}
