/*
 * mock: a chat completions server for the tests and benchmarks of enrich.
 *
 * One thread, one epoll loop, 127.0.0.1 only.  It answers
 * POST .../chat/completions the way the OpenAI API does, with an answer
 * that is a deterministic function of the last user message, so that a
 * test can prove every row got its own answer.  Fault modes, drawn at
 * random (--fail-429, --drop, ...) or written into a row as directives
 * ([[status:503]], [[sleep:200]], ...), make it answer 429, 5xx, garbage,
 * late or never.  See usage() for the whole list.
 *
 * It is not a general HTTP server: no TLS, no chunked request bodies, and
 * one request in progress per HTTP/1.1 connection (pipelined requests wait
 * their turn, which HTTP/1.1 requires anyway since answers go out in
 * order).  A connection is a pair of buffers: requests are parsed in place
 * in the input buffer, and each answer is written whole into the output
 * buffer, where a delayed answer waits behind out_ready until its timer
 * fires.
 *
 * A connection that opens with the HTTP/2 preface (h2c with prior
 * knowledge: no TLS, no Upgrade) is handed to an nghttp2 server session
 * instead.  Its streams are answered in any order, each with its own
 * timer, so many can wait at once.  Both protocols build the same struct
 * request and get the same struct reply from req_decide; only the
 * serializing differs.
 */

#include <sys/types.h>
#include <sys/epoll.h>
#include <sys/queue.h>
#include <sys/resource.h>
#include <sys/signalfd.h>
#include <sys/socket.h>

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <arpa/inet.h>

#include <ctype.h>
#include <err.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <limits.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include <nghttp2/nghttp2.h>

/*
 * libbsd leaves __unused undefined, as it clashes with a field name in
 * Linux headers, but RB_GENERATE_STATIC needs it: define it after all
 * the system headers.
 */
#ifndef __unused
#define __unused	__attribute__((__unused__))
#endif
#include <sys/tree.h>

/* The tokenizer's implementation lives here, private to this file. */
#define JSMN_STATIC
#include <jsmn.h>

#define MS		1000000ULL		/* nanoseconds */
#define HEAD_MAX	(64 * 1024)		/* request line and headers */
#define BODY_MAX	(256LL * 1024 * 1024)	/* request body, else 413 */
#define BYTES_MAX	(256LL * 1024 * 1024)	/* [[bytes:N]] */
#define DELAY_MAX	(24LL * 3600 * 1000)	/* any latency, in ms */
#define IN_INIT		(16 * 1024)
#define OUT_PAUSE	(4 * 1024 * 1024)	/* unsent: stop parsing */
#define BUF_KEEP	(1024 * 1024)		/* bigger idle buffers go */
#define LINGER_NS	(2000 * MS)
#define DRAIN_NS	(2000 * MS)
#define MAXEVENTS	512
#define ACCEPT_BATCH	256
#define NHDR		8			/* [[header:...]] per request */
#define NV_MAX		(12 + NHDR)		/* an HTTP/2 answer's fields */
#define H2_PREFACE	"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"
#define H2_PREFACE_LEN	24
#define H2_CHUNK	(64 * 1024)		/* one read on HTTP/2 */
#define PPM		1000000			/* shares are kept in ppm */

#define CREATED		"1700000000"

struct buf {
	char		*p;
	size_t		 len;
	size_t		 cap;
};

/* A request's head, as offsets from the start of the request. */
struct head {
	size_t		 len;		/* head bytes; 0 until it is complete */
	size_t		 body_len;
	size_t		 meth_off, meth_len;
	size_t		 target_off, target_len;
	size_t		 hdr_off;	/* first header line */
	size_t		 auth_off, auth_len;
	int		 has_auth;
	int		 keepalive;
	int		 http10;
	int		 expect;	/* Expect: 100-continue */
	int		 is_head;	/* HEAD: answer without a body */
};

/* What a connection (HTTP/1.1) or a stream (HTTP/2) owes a request. */
enum wait {
	W_NONE,		/* nothing: the next request may be parsed */
	W_SEND,		/* an answer waits for deadline */
	W_DROP,		/* close or reset without an answer at deadline */
	W_STALL		/* never answer; close when the client does */
};

/*
 * A deadline in the timer tree.  A connection has one (its delayed
 * answer, or the end of lingering); each HTTP/2 stream has its own, so
 * that the streams of one connection can wait at once.
 */
struct timer {
	uint64_t	 deadline;
	uint64_t	 id;		/* unique: orders equal deadlines */
	int		 on;
	struct conn	*c;
	struct stream	*s;		/* NULL for the connection's own */
	RB_ENTRY(timer)	 entry;
};

/*
 * An HTTP/2 request and what it is owed.  An HTTP/1.1 answer is written
 * whole into the connection's output at once; a stream's answer waits
 * here instead, as nghttp2 pulls the body when flow control allows, and
 * a delayed answer is submitted only when its timer fires.  head holds
 * the request's fields, then the answer's; data the request's body, then
 * the answer's.  Fields are stored as (name length, value length, name,
 * value), so that no byte of either needs escaping.
 */
struct stream {
	struct conn	*c;
	int32_t		 id;
	enum wait	 wait;
	int		 fail;		/* status owed for a bad request */
	int		 done;		/* END_STREAM seen */
	int		 is_head;
	struct buf	 head;
	size_t		 nfields;
	size_t		 meth_off, meth_len, path_off, path_len;
	size_t		 auth_off, auth_len;
	int		 has_meth, has_path, has_auth;
	struct buf	 data;
	size_t		 data_off;	/* of the answer, sent */
	size_t		 data_end;	/* of the answer, to send */
	int		 has_body;
	int		 truncate;	/* reset the stream at data_end */
	struct timer	 t;
	LIST_ENTRY(stream) entry;
};

enum proto { P_NEW, P_H1, P_H2 };

struct conn {
	int		 fd;
	enum proto	 proto;		/* P_NEW until the first bytes tell */
	int		 readable;	/* edge-triggered: until EAGAIN */
	int		 writable;
	int		 eof;		/* read returned 0 */
	int		 rdhup;		/* the peer shut its side */
	int		 closing;	/* close once out is sent */
	int		 lingering;	/* shut down, draining input */
	enum wait	 wait;

	struct buf	 in;
	size_t		 in_off;	/* start of the request being read */
	size_t		 scan;		/* the head's end is sought from here */
	struct head	 h;
	int		 cont_sent;

	struct buf	 out;
	size_t		 out_off;	/* sent */
	size_t		 out_ready;	/* may be sent; the rest is delayed */

	nghttp2_session	*h2;
	LIST_HEAD(, stream) streams;

	struct timer	 t;
	LIST_ENTRY(conn) entry;
};

enum mode { A_ECHO, A_HASH, A_JSON, A_PICK };

static struct config {
	int		 port;
	const char	*port_file;
	long long	 max_seconds;
	long long	 max_requests;
	long long	 latency_ms;
	long long	 jitter_ms;
	enum mode	 mode;
	uint64_t	 seed;
	uint32_t	 p429, p500, pdrop, pstall, pgarbage;
	const char	*retry_after;
	long long	 rps;
	int		 rl_headers;
	int		 rps_ms;	/* --rps 429s say retry-after-ms too */
	const char	*key;
	const char	*reject_model;
	const char	*path;		/* the only path served, if set */
	const char	*pick;		/* --answer pick:A,B,C */
	const char	*log_path;
	const char	*stats_path;
	uint32_t	 h2_streams;	/* SETTINGS_MAX_CONCURRENT_STREAMS */
} cfg = {
	.max_seconds = 900,
	.mode = A_ECHO,
	.seed = 1,
	.retry_after = "1",
	.h2_streams = 100,
};

/*
 * Counters for --stats.  Every request that was read lands in exactly one
 * of ok (2xx answers), status_429, status_5xx, status_4xx (other 4xx,
 * including heads too large or malformed), dropped, stalled or garbage;
 * a [[status:3xx]] lands in none.  connections counts all that were
 * accepted, h2_connections those of them that spoke HTTP/2, h2_streams
 * the requests that came over HTTP/2.
 */
static struct stats {
	uint64_t	 requests, ok, s429, s5xx, s4xx;
	uint64_t	 dropped, stalled, garbage;
	uint64_t	 connections, max_concurrent;
	uint64_t	 h2_connections, h2_streams;
} st;

/* What to answer to one request; built by req_decide. */
enum kind { R_ANSWER, R_ERROR, R_GARBAGE, R_NOCHOICES, R_NULL, R_DROP,
	R_STALL };

struct hdr {
	const char	*name, *val;
	size_t		 nlen, vlen;
};

/*
 * A request as both protocols hand it to req_decide.  The strings are
 * borrowed from the connection's input (HTTP/1.1) or the stream's
 * buffers (HTTP/2) and stay valid until req_decide returns.  The headers
 * are only walked for --log: raw lines from hdr to hdr_end (HTTP/1.1),
 * or, with hdr NULL, nfields decoded fields (HTTP/2).
 */
struct request {
	const char	*meth, *target, *auth, *body;
	size_t		 meth_len, target_len, auth_len, body_len;
	int		 has_auth;
	const char	*hdr, *hdr_end;
	const struct hdr *fields;
	size_t		 nfields;
};

/* Where a walk over a request's headers is. */
struct hcursor {
	const char	*p;
	size_t		 i;
};

struct reply {
	uint64_t	 seq;
	enum kind	 kind;
	int		 status;
	char		 retry_after[32];
	const char	*retry_after_ms;
	size_t		 retry_after_ms_len;
	int		 allow;
	int		 truncate;	/* send half the body, then close */
	int		 gzip;		/* Content-Encoding: gzip */
	struct hdr	 hdr[NHDR];
	int		 nhdr;
	int		 rl;		/* x-ratelimit-* with these values */
	long long	 rl_remaining;
	char		 rl_reset[32];
};

/* Directives found in the last user message. */
struct directives {
	int		 drop, stall, garbage, nochoices, null, status;
	int		 quota, too_large, truncate;
	const char	*try_again, *gzip_file;
	size_t		 try_again_len, gzip_file_len;
	int		 drop_once, stall_once, garbage_once, status_once;
	long long	 sleep_ms;
	long long	 bytes;		/* -1: not given */
	const char	*ra, *ra_ms;
	size_t		 ra_len, ra_ms_len;
	struct hdr	 hdr[NHDR];
	int		 nhdr;
};

static int	 timer_cmp(struct timer *, struct timer *);
RB_HEAD(timers, timer);
RB_GENERATE_STATIC(timers, timer, entry, timer_cmp)
static struct timers timers = RB_INITIALIZER(&timers);
static LIST_HEAD(, conn) conns = LIST_HEAD_INITIALIZER(conns);
static nghttp2_session_callbacks *h2_cbs;

static int	 ep = -1, lfd = -1, sfd = -1, spare_fd = -1;
static int	 listen_tag, signal_tag;	/* epoll cookies */
static FILE	*logfp;
static uint64_t	 now_ns, end_ns, drain_end;
static uint64_t	 timer_ids, inflight, answered, fail500_turn;
static int	 draining, quitting;
static uint64_t	 rng_state;
static double	 bucket;			/* --rps tokens */
static uint64_t	 bucket_ns;
static uint64_t	*once_tab;			/* open addressing, 0 = free */
static size_t	 once_cap, once_len;

/*
 * Scratch space shared by all requests: the loop is single-threaded and a
 * request is handled from start to end in one go, so these are reused
 * instead of allocated per request.
 */
static jsmntok_t *toks;
static unsigned int ntoks;
static struct buf sc_user, sc_model, sc_alt, sc_msg, sc_body, sc_log;
static struct hdr *sc_fields;			/* HTTP/2 headers for --log */
static size_t	 sc_fields_cap;

static void
usage(FILE *fp)
{
	fprintf(fp,
"usage: mock [-h] [-p port] [--port-file file] [--max-seconds n]\n"
"            [--max-requests n] [--latency ms] [--jitter ms]\n"
"            [--answer echo|hash|json|pick:A,B] [--seed n] [--fail-429 pct]\n"
"            [--fail-500 pct] [--drop pct] [--stall pct] [--garbage pct]\n"
"            [--retry-after s] [--rps n [--retry-after-ms]]\n"
"            [--ratelimit-headers] [--require-key key]\n"
"            [--reject-model name] [--log file]\n"
"            [--stats file] [--path path] [--h2-streams n]\n"
"\n"
"Serves POST .../chat/completions (or exactly --path) on 127.0.0.1 and\n"
"prints the port.  Speaks HTTP/1.1, and HTTP/2 to a client that opens\n"
"with the HTTP/2 preface (h2c with prior knowledge); --h2-streams sets\n"
"its SETTINGS_MAX_CONCURRENT_STREAMS (default 100).\n"
"--rps is a wall of n requests a second with a second of burst; beyond it\n"
"the mock answers 429 at once, without --latency, as a gateway does.\n"
"Directives in the last user message: [[sleep:MS]] [[status:CODE]]\n"
"[[status-once:CODE]] [[retry-after:S]] [[retry-after-ms:MS]] [[drop]]\n"
"[[drop-once]] [[stall]] [[stall-once]] [[garbage]] [[garbage-once]]\n"
"[[nochoices]] [[null]] [[bytes:N]] [[header:NAME=VALUE]] [[quota]]\n"
"[[too-large]] [[try-again:644ms]] [[truncate]] [[gzip-file:PATH]]\n");
}

/* Buffers.  Running out of memory ends the mock: a test sees the exit. */

static void
buf_reserve(struct buf *b, size_t n)
{
	size_t cap;
	char *p;

	if (b->cap - b->len >= n)
		return;
	if (n > SIZE_MAX / 4 - b->len)
		errx(1, "buffer too large");
	cap = b->cap * 2;
	if (cap < b->len + n)
		cap = b->len + n;
	if (cap < 256)
		cap = 256;
	if ((p = realloc(b->p, cap)) == NULL)
		err(1, NULL);
	b->p = p;
	b->cap = cap;
}

static void
buf_free(struct buf *b)
{
	free(b->p);
	b->p = NULL;
	b->len = b->cap = 0;
}

static void
buf_add(struct buf *b, const char *s, size_t n)
{
	if (n == 0)
		return;
	buf_reserve(b, n);
	memcpy(b->p + b->len, s, n);
	b->len += n;
}

static void
buf_adds(struct buf *b, const char *s)
{
	buf_add(b, s, strlen(s));
}

static void
buf_addc(struct buf *b, char c)
{
	buf_reserve(b, 1);
	b->p[b->len++] = c;
}

static void __attribute__((format(printf, 2, 3)))
buf_addf(struct buf *b, const char *fmt, ...)
{
	va_list ap;
	int n;

	buf_reserve(b, 128);
	va_start(ap, fmt);
	n = vsnprintf(b->p + b->len, b->cap - b->len, fmt, ap);
	va_end(ap);
	if (n < 0)
		errx(1, "vsnprintf");
	if ((size_t)n >= b->cap - b->len) {
		buf_reserve(b, (size_t)n + 1);
		va_start(ap, fmt);
		vsnprintf(b->p + b->len, b->cap - b->len, fmt, ap);
		va_end(ap);
	}
	b->len += (size_t)n;
}

/*
 * Append s as the inside of a JSON string.  Control characters are
 * escaped; bytes from 0x80 up pass as they are, so UTF-8 stays UTF-8.
 */
static void
buf_add_jstr(struct buf *b, const char *s, size_t n)
{
	static const char hex[] = "0123456789abcdef";
	unsigned char ch;
	size_t i, run;
	char e[6];

	for (i = 0; i < n; i = run + 1) {
		for (run = i; run < n; run++) {
			ch = (unsigned char)s[run];
			if (ch < 0x20 || ch == '"' || ch == '\\')
				break;
		}
		buf_add(b, s + i, run - i);
		if (run == n)
			break;
		ch = (unsigned char)s[run];
		e[0] = '\\';
		switch (ch) {
		case '"':
		case '\\':
			e[1] = (char)ch;
			break;
		case '\n':
			e[1] = 'n';
			break;
		case '\r':
			e[1] = 'r';
			break;
		case '\t':
			e[1] = 't';
			break;
		case '\b':
			e[1] = 'b';
			break;
		case '\f':
			e[1] = 'f';
			break;
		default:
			e[1] = 'u';
			e[2] = '0';
			e[3] = '0';
			e[4] = hex[ch >> 4];
			e[5] = hex[ch & 0xf];
			buf_add(b, e, 6);
			continue;
		}
		buf_add(b, e, 2);
	}
}

/* JSON */

static int
hex4(const char *s, uint32_t *v)
{
	int i, d;

	*v = 0;
	for (i = 0; i < 4; i++) {
		if (s[i] >= '0' && s[i] <= '9')
			d = s[i] - '0';
		else if (s[i] >= 'a' && s[i] <= 'f')
			d = s[i] - 'a' + 10;
		else if (s[i] >= 'A' && s[i] <= 'F')
			d = s[i] - 'A' + 10;
		else
			return -1;
		*v = *v << 4 | (uint32_t)d;
	}
	return 0;
}

static size_t
utf8_put(char *o, uint32_t cp)
{
	char t[4];
	size_t n;

	if (o == NULL)
		o = t;
	if (cp < 0x80) {
		o[0] = (char)cp;
		n = 1;
	} else if (cp < 0x800) {
		o[0] = (char)(0xc0 | cp >> 6);
		o[1] = (char)(0x80 | (cp & 0x3f));
		n = 2;
	} else if (cp < 0x10000) {
		o[0] = (char)(0xe0 | cp >> 12);
		o[1] = (char)(0x80 | (cp >> 6 & 0x3f));
		o[2] = (char)(0x80 | (cp & 0x3f));
		n = 3;
	} else {
		o[0] = (char)(0xf0 | cp >> 18);
		o[1] = (char)(0x80 | (cp >> 12 & 0x3f));
		o[2] = (char)(0x80 | (cp >> 6 & 0x3f));
		o[3] = (char)(0x80 | (cp & 0x3f));
		n = 4;
	}
	return n;
}

/*
 * Decode the inside of a JSON string into out (which may be NULL to only
 * count) and return the decoded length, which is never more than n.  A
 * lone surrogate becomes U+FFFD rather than invalid UTF-8.
 */
static size_t
json_unescape(const char *s, size_t n, char *out)
{
	const char *bs;
	size_t i, o, run;
	uint32_t cp, lo;
	char ch;

	for (i = o = 0; i < n;) {
		bs = memchr(s + i, '\\', n - i);
		run = (bs == NULL ? n : (size_t)(bs - s)) - i;
		if (out != NULL)
			memcpy(out + o, s + i, run);
		o += run;
		i += run;
		if (i + 1 >= n)
			break;
		switch (s[i + 1]) {
		case 'n':
			ch = '\n';
			break;
		case 'r':
			ch = '\r';
			break;
		case 't':
			ch = '\t';
			break;
		case 'b':
			ch = '\b';
			break;
		case 'f':
			ch = '\f';
			break;
		case 'u':
			if (i + 6 > n || hex4(s + i + 2, &cp) == -1) {
				i = n;
				continue;
			}
			i += 6;
			if (cp >= 0xd800 && cp <= 0xdbff) {
				if (i + 6 <= n && s[i] == '\\' &&
				    s[i + 1] == 'u' &&
				    hex4(s + i + 2, &lo) == 0 &&
				    lo >= 0xdc00 && lo <= 0xdfff) {
					cp = 0x10000 + ((cp - 0xd800) << 10) +
					    (lo - 0xdc00);
					i += 6;
				} else
					cp = 0xfffd;
			} else if (cp >= 0xdc00 && cp <= 0xdfff)
				cp = 0xfffd;
			o += utf8_put(out == NULL ? NULL : out + o, cp);
			continue;
		default:		/* " \ / */
			ch = s[i + 1];
			break;
		}
		if (out != NULL)
			out[o] = ch;
		o++;
		i += 2;
	}
	return o;
}

/*
 * Tokenize a whole body into toks, growing the array when jsmn runs out:
 * jsmn keeps its place, so the same parser simply goes on.  One spare
 * token stays past the end as a sentinel.  Returns the token count or a
 * JSMN_ERROR.
 */
static int
json_tokenize(const char *js, size_t len)
{
	jsmn_parser p;
	jsmntok_t *t;
	unsigned int n;
	int r;

	jsmn_init(&p);
	for (;;) {
		if (toks == NULL) {
			if ((toks = reallocarray(NULL, 257, sizeof(*toks))) ==
			    NULL)
				err(1, NULL);
			ntoks = 256;
		}
		r = jsmn_parse(&p, js, len, toks, ntoks);
		if (r != JSMN_ERROR_NOMEM)
			break;
		if (ntoks > INT_MAX / 4)
			return JSMN_ERROR_NOMEM;
		n = ntoks * 2;
		if ((t = reallocarray(toks, n + 1, sizeof(*toks))) == NULL)
			err(1, NULL);
		toks = t;
		ntoks = n;
	}
	if (r >= 0)
		memset(&toks[r], 0, sizeof(toks[r]));
	return r;
}

static int
tok_is(const char *js, int t, const char *s)
{
	size_t n = strlen(s);

	return toks[t].type == JSMN_STRING &&
	    (size_t)(toks[t].end - toks[t].start) == n &&
	    memcmp(js + toks[t].start, s, n) == 0;
}

/*
 * The value of key in object obj, or -1.  With parent links a key is a
 * string whose parent is the object, and its value the next token.
 */
static int
obj_get(const char *js, int obj, const char *key, int n)
{
	int i;

	for (i = obj + 1; i < n && toks[i].start < toks[obj].end; i++)
		if (toks[i].parent == obj && tok_is(js, i, key) &&
		    i + 1 < n && toks[i + 1].parent == i)
			return i + 1;
	return -1;
}

/*
 * The text of a message's content: a string, or the concatenated "text"
 * of an array of parts.  Appends to out when it is not NULL; returns the
 * decoded length either way.
 */
static size_t
content_decode(const char *js, int t, int n, struct buf *out)
{
	size_t len, total;
	int i, txt;

	if (toks[t].type == JSMN_STRING) {
		len = (size_t)(toks[t].end - toks[t].start);
		if (out == NULL)
			return json_unescape(js + toks[t].start, len, NULL);
		buf_reserve(out, len);
		len = json_unescape(js + toks[t].start, len,
		    out->p + out->len);
		out->len += len;
		return len;
	}
	if (toks[t].type != JSMN_ARRAY)
		return 0;
	total = 0;
	for (i = t + 1; i < n && toks[i].start < toks[t].end; i++) {
		if (toks[i].parent != t || toks[i].type != JSMN_OBJECT)
			continue;
		txt = obj_get(js, i, "text", n);
		if (txt != -1 && toks[txt].type == JSMN_STRING)
			total += content_decode(js, txt, n, out);
	}
	return total;
}

/*
 * Read a chat completions body: the model goes to sc_model, the last user
 * message's text to sc_user, and *prompt counts the bytes of all message
 * contents.  Returns NULL, or the message of a 400 with *param and *code
 * set (to NULL when they do not apply).
 */
static const char *
chat_parse(const char *js, size_t len, size_t *prompt, const char **param,
    const char **code)
{
	int n, i, m, model, role, content, last;

	sc_model.len = sc_user.len = 0;
	*prompt = 0;
	*param = *code = NULL;
	n = json_tokenize(js, len);
	if (n < 1 || toks[0].type != JSMN_OBJECT)
		return "We could not parse the JSON body of your request. "
		    "(HINT: This likely means you aren't using your HTTP "
		    "library correctly. The OpenAI API expects a JSON "
		    "payload, but what was sent was not valid JSON.)";
	if ((model = obj_get(js, 0, "model", n)) != -1)
		content_decode(js, model, n, &sc_model);
	*param = "messages";
	if ((m = obj_get(js, 0, "messages", n)) == -1) {
		*code = "missing_required_parameter";
		return "Missing required parameter: 'messages'.";
	}
	if (toks[m].type != JSMN_ARRAY)
		return "Invalid type for 'messages': expected an array of "
		    "objects.";
	last = -1;
	for (i = m + 1; i < n && toks[i].start < toks[m].end; i++) {
		if (toks[i].parent != m)
			continue;
		if (toks[i].type != JSMN_OBJECT)
			return "Invalid type for 'messages': expected an "
			    "array of objects.";
		content = obj_get(js, i, "content", n);
		role = obj_get(js, i, "role", n);
		if (content != -1)
			*prompt += content_decode(js, content, n, NULL);
		if (role != -1 && tok_is(js, role, "user"))
			last = content;
	}
	if (last != -1)
		content_decode(js, last, n, &sc_user);
	*param = NULL;
	return NULL;
}

/*
 * Read an embeddings body: the model to sc_model, the input (a string, or
 * the first of an array of them) to sc_user, so directives work as for
 * chat.  Returns NULL, or the message of a 400.
 */
static const char *
embed_parse(const char *js, size_t len, size_t *prompt)
{
	int n, in;

	sc_model.len = sc_user.len = 0;
	*prompt = 0;
	n = json_tokenize(js, len);
	if (n < 1 || toks[0].type != JSMN_OBJECT)
		return "We could not parse the JSON body of your request.";
	if ((in = obj_get(js, 0, "model", n)) != -1)
		content_decode(js, in, n, &sc_model);
	if ((in = obj_get(js, 0, "input", n)) == -1)
		return "Missing required parameter: 'input'.";
	if (toks[in].type == JSMN_ARRAY && toks[in].size > 0)
		in++;
	if (toks[in].type != JSMN_STRING)
		return "Invalid type for 'input': expected a string.";
	*prompt = content_decode(js, in, n, &sc_user);
	return NULL;
}

/* Small helpers */

static uint64_t
mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

/* splitmix64: tiny, and the same --seed gives the same choices. */
static uint64_t
rng_next(void)
{
	uint64_t z;

	z = (rng_state += 0x9e3779b97f4a7c15ULL);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static int
chance(uint32_t ppm)
{
	return rng_next() % PPM < ppm;
}

static uint64_t
fnv1a(const char *s, size_t n)
{
	uint64_t h = 0xcbf29ce484222325ULL;
	size_t i;

	for (i = 0; i < n; i++) {
		h ^= (unsigned char)s[i];
		h *= 0x100000001b3ULL;
	}
	return h;
}

/*
 * Parse n bytes of decimal digits, nothing else.  Returns 0, -1 if it is
 * not a number, -2 if it is above max.
 */
static int
parse_digits(const char *s, size_t n, long long max, long long *v)
{
	char tmp[32];
	const char *errstr;
	size_t i;

	if (n == 0)
		return -1;
	for (i = 0; i < n; i++)
		if (s[i] < '0' || s[i] > '9')
			return -1;
	while (n > 1 && *s == '0') {
		s++;
		n--;
	}
	if (n >= sizeof(tmp))
		return -2;
	memcpy(tmp, s, n);
	tmp[n] = '\0';
	*v = strtonum(tmp, 0, max, &errstr);
	return errstr == NULL ? 0 : -2;
}

/* A Retry-After value: seconds, perhaps with a fraction, as "0.2". */
static int
valid_seconds(const char *s, size_t n)
{
	size_t i, dots = 0;

	if (n == 0 || n > 15 || s[0] == '.' || s[n - 1] == '.')
		return 0;
	for (i = 0; i < n; i++) {
		if (s[i] == '.')
			dots++;
		else if (s[i] < '0' || s[i] > '9')
			return 0;
	}
	return dots <= 1;
}

/* An HTTP token (RFC 9110 tchar), as a header name must be. */
static int
valid_token(const char *s, size_t n)
{
	size_t i;

	if (n == 0)
		return 0;
	for (i = 0; i < n; i++)
		if (!isalnum((unsigned char)s[i]) &&
		    strchr("!#$%&'*+-.^_`|~", s[i]) == NULL)
			return 0;
	return 1;
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

/*
 * "Was this content seen before?"  Only requests with a -once directive
 * land here, so the set stays small; it keeps 64-bit hashes, not texts.
 */
static int
once_first(uint64_t h)
{
	uint64_t *t, *old;
	size_t i, j, cap;

	if (h == 0)
		h = 1;
	if ((once_len + 1) * 2 > once_cap) {
		cap = once_cap ? once_cap * 2 : 64;
		if ((t = calloc(cap, sizeof(*t))) == NULL)
			err(1, NULL);
		old = once_tab;
		for (i = 0; i < once_cap; i++) {
			if (old[i] == 0)
				continue;
			for (j = old[i] & (cap - 1); t[j] != 0;
			    j = (j + 1) & (cap - 1))
				;
			t[j] = old[i];
		}
		free(old);
		once_tab = t;
		once_cap = cap;
	}
	for (i = h & (once_cap - 1); once_tab[i] != 0;
	    i = (i + 1) & (once_cap - 1))
		if (once_tab[i] == h)
			return 0;
	once_tab[i] = h;
	once_len++;
	return 1;
}

/* The --rps token bucket, refilled continuously, one second deep. */
static void
rps_refill(void)
{
	bucket += (double)(now_ns - bucket_ns) * (double)cfg.rps / 1e9;
	if (bucket > (double)cfg.rps)
		bucket = (double)cfg.rps;
	bucket_ns = now_ns;
}

/* Take a token, or say in how many seconds the next one comes. */
/* The exact wait, for retry-after-ms, as OpenAI sends it. */
static char rps_wait_ms[24];

static int
rps_take(long long *wait_s)
{
	double w;

	rps_refill();
	if (bucket >= 1.0) {
		bucket -= 1.0;
		return 1;
	}
	w = (1.0 - bucket) / (double)cfg.rps;
	snprintf(rps_wait_ms, sizeof(rps_wait_ms), "%lld",
	    (long long)(w * 1000.0) + 1);
	*wait_s = (long long)w;
	if ((double)*wait_s < w)	/* round up, without libm */
		(*wait_s)++;
	if (*wait_s < 1)
		*wait_s = 1;
	return 0;
}

/*
 * Timers: one per connection and one per HTTP/2 stream at most, in a
 * tree ordered by deadline.
 */

static void
timer_init(struct timer *t, struct conn *c, struct stream *s)
{
	t->id = ++timer_ids;
	t->c = c;
	t->s = s;
}

static int
timer_cmp(struct timer *a, struct timer *b)
{
	if (a->deadline != b->deadline)
		return a->deadline < b->deadline ? -1 : 1;
	if (a->id != b->id)
		return a->id < b->id ? -1 : 1;
	return 0;
}

static void
timer_del(struct timer *t)
{
	if (t->on) {
		RB_REMOVE(timers, &timers, t);
		t->on = 0;
	}
}

static void
timer_set(struct timer *t, uint64_t deadline)
{
	timer_del(t);
	t->deadline = deadline;
	RB_INSERT(timers, &timers, t);
	t->on = 1;
}

/* Stop taking new requests; quit once what is owed has been sent. */
static void
drain_start(void)
{
	if (draining)
		return;
	draining = 1;
	drain_end = now_ns + DRAIN_NS;
	if (lfd != -1) {
		epoll_ctl(ep, EPOLL_CTL_DEL, lfd, NULL);
		close(lfd);
		lfd = -1;
	}
}

static void
count_answer(void)
{
	answered++;
	if (cfg.max_requests > 0 && answered >= (uint64_t)cfg.max_requests)
		drain_start();
}

/* HTTP heads */

/*
 * Read the header line at *pp; end is the end of the head.  Returns 1
 * and moves *pp on, 0 at the blank line that ends the head, -1 if the
 * line is malformed.
 */
static int
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

/* Answers */

static void
body_error(const char *msg, size_t mlen, const char *type,
    const char *param, const char *code)
{
	struct buf *b = &sc_body;

	b->len = 0;
	buf_adds(b, "{\"error\":{\"message\":\"");
	buf_add_jstr(b, msg, mlen);
	buf_addf(b, "\",\"type\":\"%s\",\"param\":", type);
	if (param != NULL)
		buf_addf(b, "\"%s\"", param);
	else
		buf_adds(b, "null");
	if (code != NULL)
		buf_addf(b, ",\"code\":\"%s\"}}", code);
	else
		buf_adds(b, ",\"code\":null}}");
}

static void
reply_error(struct reply *r, int status, const char *msg, const char *type,
    const char *param, const char *code)
{
	r->kind = R_ERROR;
	r->status = status;
	body_error(msg, strlen(msg), type, param, code);
}

static void
reply_ratelimit(struct reply *r, const char *secs)
{
	sc_msg.len = 0;
	buf_addf(&sc_msg, "Rate limit reached for requests. Please try again "
	    "in %ss.", secs);
	r->kind = R_ERROR;
	r->status = 429;
	strlcpy(r->retry_after, secs, sizeof(r->retry_after));
	body_error(sc_msg.p, sc_msg.len, "requests", NULL,
	    "rate_limit_exceeded");
}

/*
 * The answer body.  ans is the content, or NULL with nx >= 0 for nx
 * bytes of 'x'.
 */
static void
body_chat(uint64_t seq, enum kind kind, size_t prompt, const char *ans,
    size_t alen, long long nx)
{
	struct buf *b = &sc_body;
	size_t pt, ct;

	b->len = 0;
	buf_addf(b, "{\"id\":\"chatcmpl-mock-%" PRIu64 "\",\"object\":"
	    "\"chat.completion\",\"created\":" CREATED ",\"model\":\"", seq);
	buf_add_jstr(b, sc_model.p, sc_model.len);
	buf_addc(b, '"');
	if (nx >= 0)
		alen = (size_t)nx;
	if (kind == R_ANSWER) {
		buf_adds(b, ",\"choices\":[{\"index\":0,\"message\":"
		    "{\"role\":\"assistant\",\"content\":\"");
		if (nx >= 0) {
			buf_reserve(b, alen);
			memset(b->p + b->len, 'x', alen);
			b->len += alen;
		} else
			buf_add_jstr(b, ans, alen);
		buf_adds(b, "\"},\"finish_reason\":\"stop\"}]");
	} else if (kind == R_NULL) {
		buf_adds(b, ",\"choices\":[{\"index\":0,\"message\":"
		    "{\"role\":\"assistant\",\"content\":null,\"refusal\":"
		    "\"I'm sorry, I can't help with that.\"},"
		    "\"finish_reason\":\"stop\"}]");
		alen = 0;
	}
	pt = (prompt + 3) / 4;
	ct = (alen + 3) / 4;
	buf_addf(b, ",\"usage\":{\"prompt_tokens\":%zu,\"completion_tokens\":"
	    "%zu,\"total_tokens\":%zu}}", pt, ct, pt + ct);
}

/* Render the normal answer for the content in sc_user. */
/*
 * --answer pick:A,B,C: the word of the list that comes first in the
 * prompt, else "unknown".  A stand-in for a classifier in demos that is
 * still a function of the prompt.
 */
static void
pick_answer(struct buf *out)
{
	const char *w = cfg.pick, *comma, *at, *best = NULL;
	size_t wl, bestlen = 0;
	const char *first = NULL;

	while (*w != '\0') {
		comma = strchr(w, ',');
		wl = comma ? (size_t)(comma - w) : strlen(w);
		at = wl > 0 ? memmem(sc_user.p, sc_user.len, w, wl) : NULL;
		if (at != NULL && (first == NULL || at < first)) {
			first = at;
			best = w;
			bestlen = wl;
		}
		w += wl + (comma != NULL);
	}
	out->len = 0;
	if (best != NULL)
		buf_add(out, best, bestlen);
	else
		buf_adds(out, "unknown");
}

/*
 * An embedding of the input in sc_user: eight numbers from its hash, so
 * each row gets its own and a test can recompute it.
 */
static void
reply_embedding(struct reply *r, size_t prompt)
{
	struct buf *b = &sc_body;
	uint64_t h = fnv1a(sc_user.p, sc_user.len);
	int k;

	r->kind = R_ANSWER;
	r->status = 200;
	b->len = 0;
	buf_adds(b, "{\"object\":\"list\",\"data\":[{\"object\":"
	    "\"embedding\",\"index\":0,\"embedding\":[");
	for (k = 0; k < 8; k++)
		buf_addf(b, "%s%.4f", k ? "," : "",
		    (double)((h >> (8 * k)) & 0xff) / 255.0);
	buf_adds(b, "]}],\"model\":\"");
	buf_add_jstr(b, sc_model.p, sc_model.len);
	buf_addf(b, "\",\"usage\":{\"prompt_tokens\":%zu,\"total_tokens\":"
	    "%zu}}", (prompt + 3) / 4, (prompt + 3) / 4);
}

static void
reply_answer(struct reply *r, enum kind kind, size_t prompt, long long nx)
{
	char hex[17];

	r->kind = kind;
	r->status = 200;
	if (kind != R_ANSWER || nx >= 0) {
		body_chat(r->seq, kind, prompt, NULL, 0, nx);
		return;
	}
	switch (cfg.mode) {
	case A_ECHO:
		body_chat(r->seq, kind, prompt, sc_user.p, sc_user.len, -1);
		break;
	case A_HASH:
		snprintf(hex, sizeof(hex), "%016" PRIx64,
		    fnv1a(sc_user.p, sc_user.len));
		body_chat(r->seq, kind, prompt, hex, 16, -1);
		break;
	case A_PICK:
		pick_answer(&sc_alt);
		body_chat(r->seq, kind, prompt, sc_alt.p, sc_alt.len, -1);
		break;
	case A_JSON:
		sc_alt.len = 0;
		buf_adds(&sc_alt, "{\"echo\":\"");
		buf_add_jstr(&sc_alt, sc_user.p, sc_user.len);
		buf_addf(&sc_alt, "\",\"len\":%zu}", sc_user.len);
		body_chat(r->seq, kind, prompt, sc_alt.p, sc_alt.len, -1);
		break;
	}
}

/* Is q[0..len) "name" followed by an argument?  name ends in ':'. */
static int
directive_arg(const char *q, size_t len, const char *name, const char **arg,
    size_t *alen)
{
	size_t n = strlen(name);

	if (len <= n || memcmp(q, name, n) != 0)
		return 0;
	*arg = q + n;
	*alen = len - n;
	return 1;
}

static int
directive_one(const char *q, size_t len, struct directives *d)
{
	const char *a, *eq;
	size_t al;
	long long v;

#define IS(s)	(len == sizeof(s) - 1 && memcmp(q, s, len) == 0)
	if (IS("drop"))
		d->drop = 1;
	else if (IS("drop-once"))
		d->drop_once = 1;
	else if (IS("stall"))
		d->stall = 1;
	else if (IS("stall-once"))
		d->stall_once = 1;
	else if (IS("garbage"))
		d->garbage = 1;
	else if (IS("garbage-once"))
		d->garbage_once = 1;
	else if (IS("nochoices"))
		d->nochoices = 1;
	else if (IS("null"))
		d->null = 1;
	else if (IS("quota"))
		d->quota = 1;
	else if (IS("too-large"))
		d->too_large = 1;
	else if (IS("truncate"))
		d->truncate = 1;
#undef IS
	else if (directive_arg(q, len, "try-again:", &a, &al)) {
		d->try_again = a;
		d->try_again_len = al;
	} else if (directive_arg(q, len, "gzip-file:", &a, &al)) {
		d->gzip_file = a;
		d->gzip_file_len = al;
	}
	else if (directive_arg(q, len, "sleep:", &a, &al)) {
		if (parse_digits(a, al, DELAY_MAX, &v) != 0)
			return -1;
		d->sleep_ms += v;
	} else if (directive_arg(q, len, "status:", &a, &al) ||
	    directive_arg(q, len, "status-once:", &a, &al)) {
		if (parse_digits(a, al, 599, &v) != 0 || v < 200)
			return -1;
		if (q[6] == ':')
			d->status = (int)v;
		else
			d->status_once = (int)v;
	} else if (directive_arg(q, len, "retry-after:", &a, &al)) {
		if (!valid_seconds(a, al))
			return -1;
		d->ra = a;
		d->ra_len = al;
	} else if (directive_arg(q, len, "retry-after-ms:", &a, &al)) {
		if (parse_digits(a, al, DELAY_MAX, &v) != 0)
			return -1;
		d->ra_ms = a;
		d->ra_ms_len = al;
	} else if (directive_arg(q, len, "bytes:", &a, &al)) {
		if (parse_digits(a, al, BYTES_MAX, &v) != 0)
			return -1;
		d->bytes = v;
	} else if (directive_arg(q, len, "header:", &a, &al)) {
		if ((eq = memchr(a, '=', al)) == NULL || d->nhdr == NHDR ||
		    !valid_token(a, (size_t)(eq - a)))
			return -1;
		d->hdr[d->nhdr].name = a;
		d->hdr[d->nhdr].nlen = (size_t)(eq - a);
		d->hdr[d->nhdr].val = eq + 1;
		d->hdr[d->nhdr].vlen = al - (size_t)(eq + 1 - a);
		if (memchr(eq + 1, '\r', d->hdr[d->nhdr].vlen) != NULL ||
		    memchr(eq + 1, '\n', d->hdr[d->nhdr].vlen) != NULL)
			return -1;	/* no response splitting */
		d->nhdr++;
	} else
		return -1;
	return 0;
}

/*
 * Read the [[...]] directives of one message.  The name must match
 * exactly; anything unknown or malformed is ignored, like other text.
 */
static void
directives_parse(const char *s, size_t n, struct directives *d)
{
	const char *p = s, *end = s + n, *q, *e;

	memset(d, 0, sizeof(*d));
	d->bytes = -1;
	if (n == 0)
		return;
	while ((q = memmem(p, (size_t)(end - p), "[[", 2)) != NULL) {
		q += 2;
		if ((e = memmem(q, (size_t)(end - q), "]]", 2)) == NULL)
			break;
		/* After a bad one, look again from its second '[': "[[[x]]". */
		p = directive_one(q, (size_t)(e - q), d) == 0 ? e + 2 : q - 1;
	}
}

/* Requests */

static int
auth_ok(const struct request *rq)
{
	size_t kl = strlen(cfg.key);

	return rq->has_auth && rq->auth_len == 7 + kl &&
	    strncasecmp(rq->auth, "Bearer ", 7) == 0 &&
	    memcmp(rq->auth + 7, cfg.key, kl) == 0;
}

/* The next of a request's headers, whichever protocol it came by. */
static int
req_hdr_next(const struct request *rq, struct hcursor *cur, struct hdr *l)
{
	if (rq->hdr != NULL)
		return hdr_next(&cur->p, rq->hdr_end, l) == 1;
	if (cur->i >= rq->nfields)
		return 0;
	*l = rq->fields[cur->i++];
	return 1;
}

/* One JSON line per request for --log; slow and thorough. */
static void
log_request(uint64_t seq, const struct request *rq)
{
	struct buf *b = &sc_log;
	struct hcursor p = { rq->hdr, 0 }, q;
	struct hdr l, m;
	size_t at, i;
	int first = 1, dup;

	b->len = 0;
	buf_addf(b, "{\"n\":%" PRIu64 ",\"method\":\"", seq);
	buf_add_jstr(b, rq->meth, rq->meth_len);
	buf_adds(b, "\",\"path\":\"");
	buf_add_jstr(b, rq->target, rq->target_len);
	buf_adds(b, "\",\"headers\":{");
	while (req_hdr_next(rq, &p, &l)) {
		/* A header sent again later is left to its last copy. */
		q = p;
		dup = 0;
		while (!dup && req_hdr_next(rq, &q, &m))
			dup = m.nlen == l.nlen &&
			    strncasecmp(m.name, l.name, l.nlen) == 0;
		if (dup)
			continue;
		if (!first)
			buf_addc(b, ',');
		first = 0;
		buf_addc(b, '"');
		at = b->len;
		buf_add_jstr(b, l.name, l.nlen);
		/* Lowercasing after escaping is safe: escapes are lowercase. */
		for (i = at; i < b->len; i++)
			b->p[i] = (char)tolower((unsigned char)b->p[i]);
		buf_adds(b, "\":\"");
		buf_add_jstr(b, l.val, l.vlen);
		buf_addc(b, '"');
	}
	buf_adds(b, "},\"body\":\"");
	buf_add_jstr(b, rq->body, rq->body_len);
	buf_adds(b, "\"}\n");
	if (fwrite(b->p, 1, b->len, logfp) != b->len || fflush(logfp) == EOF)
		warn("%s", cfg.log_path);
}

/* sc_body = the bytes of the file named by p[0..n); 0 or -1. */
static int
read_body_file(const char *p, size_t n)
{
	char	 path[PATH_MAX], tmp[65536];
	size_t	 got;
	FILE	*fp;

	if (n >= sizeof(path))
		return -1;
	memcpy(path, p, n);
	path[n] = '\0';
	if ((fp = fopen(path, "rb")) == NULL)
		return -1;
	sc_body.len = 0;
	while ((got = fread(tmp, 1, sizeof(tmp), fp)) > 0)
		buf_add(&sc_body, tmp, got);
	fclose(fp);
	return 0;
}

/*
 * The x-ratelimit-* values as they stand when the request is answered:
 * what is left in the --rps bucket, and when it is full again.
 */
static void
reply_ratelimit_hdrs(struct reply *r)
{
	long long reset;

	rps_refill();
	r->rl = 1;
	r->rl_remaining = (long long)bucket;
	reset = (long long)(((double)cfg.rps - bucket) * 1000.0 /
	    (double)cfg.rps + 0.5);
	if (reset < 1000)
		snprintf(r->rl_reset, sizeof(r->rl_reset), "%lldms", reset);
	else if (reset % 1000 == 0)
		snprintf(r->rl_reset, sizeof(r->rl_reset), "%llds",
		    reset / 1000);
	else
		snprintf(r->rl_reset, sizeof(r->rl_reset), "%lld.%03llds",
		    reset / 1000, reset % 1000);
}

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

static void
reply_count(const struct reply *r)
{
	switch (r->kind) {
	case R_DROP:
		st.dropped++;
		return;
	case R_STALL:
		st.stalled++;
		return;
	case R_GARBAGE:
		st.garbage++;
		return;
	default:
		break;
	}
	if (r->status == 429)
		st.s429++;
	else if (r->status >= 500)
		st.s5xx++;
	else if (r->status >= 400)
		st.s4xx++;
	else if (r->status >= 200 && r->status < 300)
		st.ok++;
}

/*
 * Decide the answer to a complete request, for either protocol: fill *r
 * and sc_body, count it, and return the delay in ms before it is due.
 * The request is taken into inflight; the caller releases it when the
 * answer goes out.  The checks go in the order a real service makes
 * them: key, URL, method, body, model, rate limit; then the faults, then
 * the answer.  r's headers may point into sc_user: serialize them before
 * the next request.
 */
static uint64_t
req_decide(const struct request *rq, struct reply *r)
{
	const char *target = rq->target, *qm, *emsg;
	const char *param = NULL, *code = NULL;
	struct directives d;
	size_t plen, prompt;
	uint64_t delay;
	long long wait_s;
	int rdrop, rstall, r429, r500, rgarb, i, embed;
	char secs[32];

	memset(r, 0, sizeof(*r));
	r->seq = ++st.requests;
	if (++inflight > st.max_concurrent)
		st.max_concurrent = inflight;
	if (logfp != NULL)
		log_request(r->seq, rq);
	delay = (uint64_t)cfg.latency_ms;
	if (cfg.jitter_ms > 0)
		delay += rng_next() % (uint64_t)(cfg.jitter_ms + 1);

	if (cfg.key != NULL && !auth_ok(rq)) {
		reply_error(r, 401, "Incorrect API key provided.",
		    "invalid_request_error", NULL, "invalid_api_key");
		goto out;
	}
	qm = memchr(target, '?', rq->target_len);
	plen = qm != NULL ? (size_t)(qm - target) : rq->target_len;
	embed = cfg.path == NULL && plen >= 11 &&
	    memcmp(target + plen - 11, "/embeddings", 11) == 0;
	if (cfg.path != NULL ? plen != strlen(cfg.path) ||
	    memcmp(target, cfg.path, plen) != 0 : !embed &&
	    (plen < 17 || memcmp(target + plen - 17, "/chat/completions", 17))) {
		sc_msg.len = 0;
		buf_adds(&sc_msg, "Invalid URL (");
		buf_add(&sc_msg, rq->meth, rq->meth_len);
		buf_addc(&sc_msg, ' ');
		buf_add(&sc_msg, target, plen);
		buf_addc(&sc_msg, ')');
		r->kind = R_ERROR;
		r->status = 404;
		body_error(sc_msg.p, sc_msg.len, "invalid_request_error",
		    NULL, NULL);
		goto out;
	}
	if (rq->meth_len != 4 || memcmp(rq->meth, "POST", 4) != 0) {
		reply_error(r, 405, "Method not allowed; use POST.",
		    "invalid_request_error", NULL, NULL);
		r->allow = 1;
		goto out;
	}
	if ((emsg = embed ? embed_parse(rq->body, rq->body_len, &prompt) :
	    chat_parse(rq->body, rq->body_len, &prompt, &param, &code)) !=
	    NULL) {
		reply_error(r, 400, emsg, "invalid_request_error", param,
		    code);
		goto out;
	}
	if (cfg.reject_model != NULL &&
	    sc_model.len == strlen(cfg.reject_model) &&
	    memcmp(sc_model.p, cfg.reject_model, sc_model.len) == 0) {
		sc_msg.len = 0;
		buf_adds(&sc_msg, "The model `");
		buf_add(&sc_msg, sc_model.p, sc_model.len);
		buf_adds(&sc_msg, "` does not exist or you do not have access "
		    "to it.");
		r->kind = R_ERROR;
		r->status = 404;
		body_error(sc_msg.p, sc_msg.len, "invalid_request_error",
		    NULL, "model_not_found");
		goto out;
	}
	if (cfg.rps > 0 && !rps_take(&wait_s)) {
		snprintf(secs, sizeof(secs), "%lld", wait_s);
		reply_ratelimit(r, secs);
		if (cfg.rps_ms) {
			r->retry_after_ms = rps_wait_ms;
			r->retry_after_ms_len = strlen(rps_wait_ms);
		}
		/* At once: a provider's gateway refuses before any model
		 * runs, so its 429s do not take a request's latency. */
		delay = 0;
		goto out;
	}

	directives_parse(sc_user.p, sc_user.len, &d);
	if ((d.drop_once || d.stall_once || d.garbage_once || d.status_once) &&
	    once_first(fnv1a(sc_user.p, sc_user.len))) {
		d.drop |= d.drop_once;
		d.stall |= d.stall_once;
		d.garbage |= d.garbage_once;
		if (d.status == 0)
			d.status = d.status_once;
	}
	/* Always draw all five, so one share does not shift the others. */
	rdrop = chance(cfg.pdrop);
	rstall = chance(cfg.pstall);
	r429 = chance(cfg.p429);
	r500 = chance(cfg.p500);
	rgarb = chance(cfg.pgarbage);
	delay += (uint64_t)d.sleep_ms;
	for (i = 0; i < d.nhdr; i++)
		r->hdr[r->nhdr++] = d.hdr[i];
	if (d.ra_ms != NULL) {
		r->retry_after_ms = d.ra_ms;
		r->retry_after_ms_len = d.ra_ms_len;
	}
	if (d.ra != NULL) {
		memcpy(r->retry_after, d.ra, d.ra_len);
		r->retry_after[d.ra_len] = '\0';
	}

	if (d.drop || rdrop)
		r->kind = R_DROP;
	else if (d.stall || rstall)
		r->kind = R_STALL;
	else if (d.status != 0) {
		sc_msg.len = 0;
		buf_addf(&sc_msg, "mock status %d", d.status);
		r->kind = R_ERROR;
		r->status = d.status;
		body_error(sc_msg.p, sc_msg.len, "mock", NULL, NULL);
		if (d.status == 429 && d.ra == NULL)
			strlcpy(r->retry_after, "1", sizeof(r->retry_after));
	} else if (d.quota) {
		reply_error(r, 429, "You exceeded your current quota, please "
		    "check your plan and billing details.", "insufficient_quota",
		    NULL, "insufficient_quota");
	} else if (d.too_large) {
		reply_error(r, 429, "Request too large for gpt-4o-mini in "
		    "organization org-mock on tokens per min (TPM): Limit 30000, "
		    "Requested 50000.", "tokens", NULL, "rate_limit_exceeded");
	} else if (d.try_again != NULL) {
		sc_msg.len = 0;
		buf_adds(&sc_msg, "Rate limit reached for gpt-4o-mini on tokens "
		    "per min (TPM): Limit 30000. Please try again in ");
		buf_add(&sc_msg, d.try_again, d.try_again_len);
		buf_adds(&sc_msg, ". Visit https://platform.openai.com to learn "
		    "more.");
		r->kind = R_ERROR;
		r->status = 429;
		body_error(sc_msg.p, sc_msg.len, "tokens", NULL,
		    "rate_limit_exceeded");
	} else if (d.gzip_file != NULL) {
		/* A canned compressed body, for the client's size cap. */
		if (read_body_file(d.gzip_file, d.gzip_file_len) == 0) {
			r->kind = R_ANSWER;
			r->status = 200;
			r->gzip = 1;
		} else
			reply_error(r, 500, "cannot read the gzip file",
			    "mock", NULL, NULL);
	} else if (r429) {
		reply_ratelimit(r, cfg.retry_after);
	} else if (r500) {
		reply_error(r, fail500_turn++ % 2 ? 503 : 500,
		    "The server had an error while processing your request.",
		    "server_error", NULL, NULL);
	} else if (d.garbage || rgarb) {
		r->kind = R_GARBAGE;
		r->status = 200;
		sc_body.len = 0;
		buf_adds(&sc_body, "this is not json");
	} else if (d.nochoices)
		reply_answer(r, R_NOCHOICES, prompt, -1);
	else if (d.null)
		reply_answer(r, R_NULL, prompt, -1);
	else
		if (embed)
			reply_embedding(r, prompt);
		else
			reply_answer(r, R_ANSWER, prompt, d.bytes);
	r->truncate = d.truncate;
out:
	if (cfg.rl_headers)
		reply_ratelimit_hdrs(r);
	reply_count(r);
	return delay;
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


/* Connections */

/* Forget a stream: nghttp2 has closed it, or its connection is going. */
static void
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

static void
conn_close(struct conn *c)
{
	struct stream *s;

	timer_del(&c->t);
	if (c->wait != W_NONE)
		inflight--;
	/* nghttp2_session_del calls no on_stream_close: free them here. */
	while ((s = LIST_FIRST(&c->streams)) != NULL)
		stream_free(s);
	nghttp2_session_del(c->h2);
	LIST_REMOVE(c, entry);
	close(c->fd);
	buf_free(&c->in);
	buf_free(&c->out);
	free(c);
}

/* The message for a request that could not be taken whole. */
static const char *
fail_msg(int status)
{
	switch (status) {
	case 411:
		return "Chunked request bodies are not supported; send "
		    "Content-Length.";
	case 413:
		return "Request body too large.";
	case 431:
		return "Request header fields too large.";
	default:
		return "Malformed HTTP request.";
	}
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
static int
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

/*
 * Read what there is.  With edge-triggered epoll a short read means the
 * socket is empty (nginx assumes so too), which saves a read() that
 * would fail with EAGAIN on every request.  The buffer grows only for
 * the request being read, so a client that pipelines without end is held
 * back by TCP, not by memory.
 */
static int
conn_read(struct conn *c)
{
	size_t room, have, want;
	ssize_t n;
	int progress = 0;

	for (;;) {
		if (c->in_off > 0 && c->in.len == c->in.cap) {
			memmove(c->in.p, c->in.p + c->in_off,
			    c->in.len - c->in_off);
			c->in.len -= c->in_off;
			c->in_off = 0;
		}
		if ((room = c->in.cap - c->in.len) == 0) {
			have = c->in.len - c->in_off;
			want = c->h.len != 0 ? c->h.len + c->h.body_len :
			    HEAD_MAX + 1;
			if (c->wait != W_NONE || have >= want)
				return progress;
			buf_reserve(&c->in, c->in.cap == 0 ? IN_INIT :
			    want - have);
			room = c->in.cap - c->in.len;
		}
		n = read(c->fd, c->in.p + c->in.len, room);
		if (n > 0) {
			c->in.len += (size_t)n;
			progress = 1;
			/* After a FIN, only read() returning 0 says so. */
			if ((size_t)n < room && !c->rdhup) {
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
}

/* After shutdown(SHUT_WR): throw input away until the client's FIN. */
static int
conn_discard(struct conn *c)
{
	static char sink[65536];
	ssize_t n;

	for (;;) {
		n = read(c->fd, sink, sizeof(sink));
		if (n > 0)
			continue;
		if (n == 0) {
			c->eof = 1;
			return 0;
		}
		if (errno == EAGAIN || errno == EWOULDBLOCK) {
			c->readable = 0;
			return 0;
		}
		if (errno != EINTR)
			return -1;
	}
}

static int
conn_write(struct conn *c)
{
	size_t len;
	ssize_t n;
	int progress = 0;

	while (c->writable && c->out_off < c->out_ready) {
		len = c->out_ready - c->out_off;
		n = send(c->fd, c->out.p + c->out_off, len, MSG_NOSIGNAL);
		if (n > 0) {
			c->out_off += (size_t)n;
			progress = 1;
			if ((size_t)n < len)
				c->writable = 0;
		} else if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			c->writable = 0;
		else if (n < 0 && errno != EINTR)
			return -1;
	}
	if (c->out_off == c->out.len) {
		c->out_off = c->out_ready = c->out.len = 0;
		if (c->out.cap > BUF_KEEP)
			buf_free(&c->out);
	}
	return progress;
}

/*
 * Close in two steps, so that a client still sending (a head too large,
 * pipelined requests) gets the answer rather than a reset that would
 * destroy it: shut our side, then read until its FIN or a timeout.
 */
static void
conn_linger(struct conn *c)
{
	if (c->eof || shutdown(c->fd, SHUT_WR) == -1) {
		conn_close(c);
		return;
	}
	c->lingering = 1;
	c->in_off = c->in.len = 0;
	timer_set(&c->t, now_ns + LINGER_NS);
	if (conn_discard(c) == -1 || c->eof)
		conn_close(c);
}

/*
 * HTTP/2.  nghttp2 does the framing, HPACK, flow control and the checks
 * of RFC 9113 (a malformed request resets its stream, a broken connection
 * gets GOAWAY); the callbacks below only collect each request into its
 * struct stream and hand it to req_decide when END_STREAM comes.
 */

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
static void
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

static void
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

/*
 * Move what nghttp2 has to send into c->out, up to OUT_PAUSE: past that
 * the client is not reading, and the rest may as well wait in nghttp2.
 */
static int
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
static int
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
static int
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

/*
 * Tell the protocol by the first bytes: the HTTP/2 preface, or anything
 * else, which is HTTP/1.1.  Returns 1 once it is known, 0 while the bytes
 * so far are a prefix of the preface, -1 if HTTP/2 failed at once.
 */
static int
conn_detect(struct conn *c)
{
	size_t n = c->in.len < H2_PREFACE_LEN ? c->in.len : H2_PREFACE_LEN;

	if (n == 0 && !c->eof)
		return 0;
	if (n == 0 || memcmp(c->in.p, H2_PREFACE, n) != 0 ||
	    (n < H2_PREFACE_LEN && c->eof)) {
		c->proto = P_H1;
		return 1;
	}
	if (n < H2_PREFACE_LEN)
		return 0;
	return h2_start(c) == -1 ? -1 : 1;
}

/* Is a stream of c waiting for its timer? */
static int
h2_waiting(const struct conn *c)
{
	const struct stream *s;

	LIST_FOREACH(s, &c->streams, entry)
		if (s->t.on)
			return 1;
	return 0;
}

/* Move c as far as it can go now, then see whether it is finished. */
static void
conn_run(struct conn *c)
{
	int progress, r;

	if (c->lingering) {
		if (c->readable && (conn_discard(c) == -1 || c->eof))
			conn_close(c);
		return;
	}
	do {
		progress = 0;
		if (c->proto == P_H2) {
			if (c->readable && !c->eof && !c->closing) {
				if ((r = h2_read(c)) == -1) {
					conn_close(c);
					return;
				}
				progress |= r;
			}
			if ((r = h2_flush(c)) == -1) {
				conn_close(c);
				return;
			}
			progress |= r;
		} else {
			if (c->readable && !c->eof && !c->closing) {
				if ((r = conn_read(c)) == -1) {
					conn_close(c);
					return;
				}
				progress |= r;
			}
			if (c->proto == P_NEW) {
				if ((r = conn_detect(c)) == -1) {
					conn_close(c);
					return;
				}
				progress |= r;
			}
			while (c->proto == P_H1 && conn_parse(c))
				progress = 1;
		}
		if (c->writable && c->out_off < c->out_ready) {
			if ((r = conn_write(c)) == -1) {
				conn_close(c);
				return;
			}
			progress |= r;
		}
	} while (progress);

	if (c->proto == P_H2) {
		if (c->out_off < c->out.len)
			return;
		/* Both off: GOAWAY was sent or received and all is done. */
		if (c->closing || (!nghttp2_session_want_read(c->h2) &&
		    !nghttp2_session_want_write(c->h2)))
			conn_linger(c);
		else if (c->eof && !h2_waiting(c))
			conn_close(c);
		return;
	}
	if (c->wait == W_STALL) {
		if (c->eof || c->rdhup)
			conn_close(c);
		return;
	}
	if (c->wait != W_NONE || c->out_off < c->out.len)
		return;
	if (c->closing)
		conn_linger(c);
	else if (c->eof)
		conn_close(c);
}

static void
conn_event(struct conn *c, uint32_t ev)
{
	/* A reset, or both ways shut: nothing can reach the client now. */
	if (ev & (EPOLLERR | EPOLLHUP)) {
		conn_close(c);
		return;
	}
	if (ev & EPOLLIN)
		c->readable = 1;
	if (ev & EPOLLOUT)
		c->writable = 1;
	if (ev & EPOLLRDHUP)
		c->rdhup = 1;
	conn_run(c);
}

static void
timer_fire(struct timer *t)
{
	struct conn *c = t->c;

	timer_del(t);
	if (t->s != NULL) {
		stream_release(t->s);
		conn_run(c);
		return;
	}
	if (c->lingering) {
		conn_close(c);
		return;
	}
	switch (c->wait) {
	case W_SEND:
		c->wait = W_NONE;
		c->out_ready = c->out.len;
		inflight--;
		count_answer();
		conn_run(c);
		break;
	case W_DROP:
		c->wait = W_NONE;
		inflight--;
		count_answer();
		conn_close(c);
		break;
	default:
		break;
	}
}

static void
srv_accept(void)
{
	struct epoll_event ev;
	struct conn *c;
	int fd, i, one = 1;

	for (i = 0; i < ACCEPT_BATCH && lfd != -1; i++) {
		fd = accept4(lfd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
		if (fd == -1) {
			if (errno == EINTR || errno == ECONNABORTED)
				continue;
			if (errno == EAGAIN || errno == EWOULDBLOCK)
				return;
			if ((errno == EMFILE || errno == ENFILE) &&
			    spare_fd != -1) {
				/*
				 * Out of descriptors: use the spare one to
				 * take the client and close it, or the
				 * listener would stay ready and spin.
				 */
				warnx("out of file descriptors");
				close(spare_fd);
				if ((fd = accept(lfd, NULL, NULL)) != -1)
					close(fd);
				spare_fd = open("/dev/null",
				    O_RDONLY | O_CLOEXEC);
				continue;
			}
			warn("accept");
			return;
		}
		setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
		if ((c = calloc(1, sizeof(*c))) == NULL)
			err(1, NULL);
		c->fd = fd;
		LIST_INIT(&c->streams);
		timer_init(&c->t, c, NULL);
		ev.events = EPOLLIN | EPOLLOUT | EPOLLRDHUP | EPOLLET;
		ev.data.ptr = c;
		if (epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev) == -1) {
			warn("epoll_ctl");
			close(fd);
			free(c);
			continue;
		}
		LIST_INSERT_HEAD(&conns, c, entry);
		st.connections++;
	}
}

/* True when every connection has sent all that was ready to go. */
static int
drain_done(void)
{
	struct conn *c;

	LIST_FOREACH(c, &conns, entry)
		if (c->out_off < c->out_ready)
			return 0;
	return 1;
}

static int
loop_timeout(void)
{
	struct timer *t;
	uint64_t next = end_ns, ms;

	if ((t = RB_MIN(timers, &timers)) != NULL && t->deadline < next)
		next = t->deadline;
	if (draining && drain_end < next)
		next = drain_end;
	if (next <= now_ns)
		return 0;
	ms = (next - now_ns + MS - 1) / MS;
	return ms > INT_MAX ? INT_MAX : (int)ms;
}

/* Write path via path.tmp and rename(2), so a reader sees all or none. */
static void
write_file(const char *path, const char *text)
{
	char tmp[PATH_MAX];
	FILE *fp;

	if ((size_t)snprintf(tmp, sizeof(tmp), "%s.tmp", path) >= sizeof(tmp))
		errx(1, "%s: path too long", path);
	if ((fp = fopen(tmp, "w")) == NULL) {
		warn("%s", tmp);
		return;
	}
	fputs(text, fp);
	if (fclose(fp) == EOF || rename(tmp, path) == -1)
		warn("%s", path);
}

static void
stats_write(void)
{
	char text[1024];

	snprintf(text, sizeof(text), "{\"requests\":%" PRIu64 ",\"ok\":%"
	    PRIu64 ",\"status_429\":%" PRIu64 ",\"status_5xx\":%" PRIu64
	    ",\"status_4xx\":%" PRIu64 ",\"dropped\":%" PRIu64 ",\"stalled\":%"
	    PRIu64 ",\"garbage\":%" PRIu64 ",\"connections\":%" PRIu64
	    ",\"max_concurrent\":%" PRIu64 ",\"h2_connections\":%" PRIu64
	    ",\"h2_streams\":%" PRIu64 "}\n", st.requests, st.ok, st.s429,
	    st.s5xx, st.s4xx, st.dropped, st.stalled, st.garbage,
	    st.connections, st.max_concurrent, st.h2_connections,
	    st.h2_streams);
	write_file(cfg.stats_path, text);
}

static long long
opt_num(const char *s, long long min, long long max, const char *name)
{
	const char *errstr;
	long long v;

	v = strtonum(s, min, max, &errstr);
	if (errstr != NULL)
		errx(1, "--%s: %s is %s", name, s, errstr);
	return v;
}

/* A percentage, 0 to 100, fractions allowed (0.5 is one in 200). */
static uint32_t
opt_pct(const char *s, const char *name)
{
	char *end;
	double v;

	errno = 0;
	v = strtod(s, &end);
	if (end == s || *end != '\0' || errno != 0 || !(v >= 0 && v <= 100))
		errx(1, "--%s: %s is not a percentage from 0 to 100", name, s);
	return (uint32_t)(v * (PPM / 100) + 0.5);
}

enum {
	O_PORT_FILE = 256, O_MAX_SECONDS, O_MAX_REQUESTS, O_LATENCY, O_JITTER,
	O_ANSWER, O_SEED, O_FAIL429, O_FAIL500, O_DROP, O_STALL, O_GARBAGE,
	O_RETRY_AFTER, O_RPS, O_RL_HEADERS, O_REQUIRE_KEY, O_REJECT_MODEL,
	O_LOG, O_STATS, O_SERVE_PATH, O_H2_STREAMS, O_RPS_MS
};

static const struct option longopts[] = {
	{ "port",		required_argument, NULL, 'p' },
	{ "port-file",		required_argument, NULL, O_PORT_FILE },
	{ "max-seconds",	required_argument, NULL, O_MAX_SECONDS },
	{ "max-requests",	required_argument, NULL, O_MAX_REQUESTS },
	{ "latency",		required_argument, NULL, O_LATENCY },
	{ "jitter",		required_argument, NULL, O_JITTER },
	{ "answer",		required_argument, NULL, O_ANSWER },
	{ "seed",		required_argument, NULL, O_SEED },
	{ "fail-429",		required_argument, NULL, O_FAIL429 },
	{ "fail-500",		required_argument, NULL, O_FAIL500 },
	{ "drop",		required_argument, NULL, O_DROP },
	{ "stall",		required_argument, NULL, O_STALL },
	{ "garbage",		required_argument, NULL, O_GARBAGE },
	{ "retry-after",	required_argument, NULL, O_RETRY_AFTER },
	{ "rps",		required_argument, NULL, O_RPS },
	{ "ratelimit-headers",	no_argument,	   NULL, O_RL_HEADERS },
	{ "require-key",	required_argument, NULL, O_REQUIRE_KEY },
	{ "reject-model",	required_argument, NULL, O_REJECT_MODEL },
	{ "log",		required_argument, NULL, O_LOG },
	{ "stats",		required_argument, NULL, O_STATS },
	{ "path",		required_argument, NULL, O_SERVE_PATH },
	{ "retry-after-ms",	no_argument,	   NULL, O_RPS_MS },
	{ "h2-streams",		required_argument, NULL, O_H2_STREAMS },
	{ "help",		no_argument,	   NULL, 'h' },
	{ NULL,			0,		   NULL, 0 }
};

static void
parse_options(int argc, char *argv[])
{
	int ch;

	while ((ch = getopt_long(argc, argv, "hp:", longopts, NULL)) != -1) {
		switch (ch) {
		case 'p':
			cfg.port = (int)opt_num(optarg, 0, 65535, "port");
			break;
		case O_PORT_FILE:
			cfg.port_file = optarg;
			break;
		case O_MAX_SECONDS:
			cfg.max_seconds = opt_num(optarg, 1, 365LL * 86400,
			    "max-seconds");
			break;
		case O_MAX_REQUESTS:
			cfg.max_requests = opt_num(optarg, 0, LLONG_MAX,
			    "max-requests");
			break;
		case O_LATENCY:
			cfg.latency_ms = opt_num(optarg, 0, DELAY_MAX,
			    "latency");
			break;
		case O_JITTER:
			cfg.jitter_ms = opt_num(optarg, 0, DELAY_MAX, "jitter");
			break;
		case O_ANSWER:
			if (strcmp(optarg, "echo") == 0)
				cfg.mode = A_ECHO;
			else if (strcmp(optarg, "hash") == 0)
				cfg.mode = A_HASH;
			else if (strcmp(optarg, "json") == 0)
				cfg.mode = A_JSON;
			else if (strncmp(optarg, "pick:", 5) == 0) {
				cfg.mode = A_PICK;
				cfg.pick = optarg + 5;
			}
			else
				errx(1, "--answer: %s is not echo, hash, json "
				    "or pick:A,B,...", optarg);
			break;
		case O_SEED:
			cfg.seed = (uint64_t)opt_num(optarg, 0, LLONG_MAX,
			    "seed");
			break;
		case O_FAIL429:
			cfg.p429 = opt_pct(optarg, "fail-429");
			break;
		case O_FAIL500:
			cfg.p500 = opt_pct(optarg, "fail-500");
			break;
		case O_DROP:
			cfg.pdrop = opt_pct(optarg, "drop");
			break;
		case O_STALL:
			cfg.pstall = opt_pct(optarg, "stall");
			break;
		case O_GARBAGE:
			cfg.pgarbage = opt_pct(optarg, "garbage");
			break;
		case O_RETRY_AFTER:
			if (!valid_seconds(optarg, strlen(optarg)))
				errx(1, "--retry-after: %s is not a number of "
				    "seconds", optarg);
			cfg.retry_after = optarg;
			break;
		case O_RPS:
			cfg.rps = opt_num(optarg, 1, 100000000, "rps");
			break;
		case O_RPS_MS:
			cfg.rps_ms = 1;
			break;
		case O_RL_HEADERS:
			cfg.rl_headers = 1;
			break;
		case O_REQUIRE_KEY:
			cfg.key = optarg;
			break;
		case O_REJECT_MODEL:
			cfg.reject_model = optarg;
			break;
		case O_SERVE_PATH:
			cfg.path = optarg;
			break;
		case O_LOG:
			cfg.log_path = optarg;
			break;
		case O_STATS:
			cfg.stats_path = optarg;
			break;
		case O_H2_STREAMS:
			cfg.h2_streams = (uint32_t)opt_num(optarg, 1, 1000000,
			    "h2-streams");
			break;
		case 'h':
			usage(stdout);
			exit(0);
		default:
			usage(stderr);
			exit(1);
		}
	}
	if (optind != argc) {
		usage(stderr);
		exit(1);
	}
	if (cfg.rl_headers && cfg.rps == 0)
		errx(1, "--ratelimit-headers needs --rps");
}

static void
srv_listen(void)
{
	struct sockaddr_in sin;
	struct epoll_event ev;
	socklen_t len = sizeof(sin);
	char text[32];
	int one = 1;

	lfd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (lfd == -1)
		err(1, "socket");
	setsockopt(lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_port = htons((uint16_t)cfg.port);
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (bind(lfd, (struct sockaddr *)&sin, sizeof(sin)) == -1)
		err(1, "bind 127.0.0.1:%d", cfg.port);
	/* The kernel caps this at net.core.somaxconn. */
	if (listen(lfd, 65535) == -1)
		err(1, "listen");
	if (getsockname(lfd, (struct sockaddr *)&sin, &len) == -1)
		err(1, "getsockname");
	cfg.port = ntohs(sin.sin_port);

	/* Level-triggered: srv_accept takes a batch and comes back. */
	ev.events = EPOLLIN;
	ev.data.ptr = &listen_tag;
	if (epoll_ctl(ep, EPOLL_CTL_ADD, lfd, &ev) == -1)
		err(1, "epoll_ctl");

	snprintf(text, sizeof(text), "%d\n", cfg.port);
	if (cfg.port_file != NULL)
		write_file(cfg.port_file, text);
	fputs(text, stdout);
	fflush(stdout);
}

static void
srv_setup(void)
{
	struct epoll_event ev;
	struct rlimit rl;
	sigset_t mask;

	/* 10,000 clients need more descriptors than the usual 1024. */
	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max;
		if (setrlimit(RLIMIT_NOFILE, &rl) == -1)
			warn("setrlimit");
	}
	signal(SIGPIPE, SIG_IGN);

	if ((ep = epoll_create1(EPOLL_CLOEXEC)) == -1)
		err(1, "epoll_create1");

	/* Signals come through the loop like any event: no races. */
	sigemptyset(&mask);
	sigaddset(&mask, SIGINT);
	sigaddset(&mask, SIGTERM);
	if (sigprocmask(SIG_BLOCK, &mask, NULL) == -1)
		err(1, "sigprocmask");
	if ((sfd = signalfd(-1, &mask, SFD_NONBLOCK | SFD_CLOEXEC)) == -1)
		err(1, "signalfd");
	ev.events = EPOLLIN;
	ev.data.ptr = &signal_tag;
	if (epoll_ctl(ep, EPOLL_CTL_ADD, sfd, &ev) == -1)
		err(1, "epoll_ctl");

	spare_fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
	h2_callbacks();
	if (cfg.log_path != NULL && (logfp = fopen(cfg.log_path, "a")) == NULL)
		err(1, "%s", cfg.log_path);
}

static void
srv_cleanup(void)
{
	struct conn *c;

	while ((c = LIST_FIRST(&conns)) != NULL) {
		c->wait = W_NONE;
		conn_close(c);
	}
	if (lfd != -1)
		close(lfd);
	close(sfd);
	close(ep);
	if (spare_fd != -1)
		close(spare_fd);
	if (logfp != NULL)
		fclose(logfp);
	nghttp2_session_callbacks_del(h2_cbs);
	free(toks);
	free(once_tab);
	free(sc_fields);
	buf_free(&sc_user);
	buf_free(&sc_model);
	buf_free(&sc_alt);
	buf_free(&sc_msg);
	buf_free(&sc_body);
	buf_free(&sc_log);
}

int
main(int argc, char *argv[])
{
	struct epoll_event evs[MAXEVENTS];
	struct signalfd_siginfo si;
	struct timer *t;
	int i, n;

	parse_options(argc, argv);
	rng_state = cfg.seed;
	srv_setup();
	srv_listen();

	now_ns = bucket_ns = mono_ns();
	end_ns = now_ns + (uint64_t)cfg.max_seconds * 1000 * MS;
	bucket = (double)cfg.rps;

	while (!quitting) {
		n = epoll_wait(ep, evs, MAXEVENTS, loop_timeout());
		if (n == -1 && errno != EINTR)
			err(1, "epoll_wait");
		now_ns = mono_ns();
		for (i = 0; i < n; i++) {
			if (evs[i].data.ptr == &listen_tag)
				srv_accept();
			else if (evs[i].data.ptr == &signal_tag) {
				while (read(sfd, &si, sizeof(si)) > 0)
					;
				quitting = 1;
			} else
				conn_event(evs[i].data.ptr, evs[i].events);
		}
		while ((t = RB_MIN(timers, &timers)) != NULL &&
		    t->deadline <= now_ns)
			timer_fire(t);
		if (now_ns >= end_ns)
			quitting = 1;
		if (draining && (drain_done() || now_ns >= drain_end))
			quitting = 1;
	}

	srv_cleanup();
	if (cfg.stats_path != NULL)
		stats_write();
	return 0;
}
