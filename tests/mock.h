/*
 * mock: a chat completions server for the tests and benchmarks of enrich.
 *
 * One thread, one epoll loop, 127.0.0.1 only.  It answers
 * POST .../chat/completions the way the OpenAI API does, with an answer
 * that is a deterministic function of the row's user message, so that a
 * test can prove every row got its own answer.  The row's message is the
 * first user message: a re-ask (the conversation sent again with the
 * model's answer as an assistant message and a user message saying what
 * was wrong) is answered from the same row, and counted as a re-ask.
 * With "logprobs": true, the answer comes with made-up but deterministic
 * token logprobs, as OpenAI sends them.  Fault modes, drawn at
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
 *
 * The files divide the work by job; this header holds what they share:
 *
 *	mock.c		main, options, the listener, the epoll loop, timers,
 *			--stats
 *	mock_conn.c	a connection's life: reading, writing, telling
 *			HTTP/1.1 from HTTP/2, closing with a linger
 *	mock_http1.c	HTTP/1.1 heads in, answers out
 *	mock_h2.c	HTTP/2 through nghttp2, one struct stream a request
 *	mock_chat.c	the API: what a request is owed (req_decide), the
 *			answers, error bodies, token usage, --log
 *	mock_messages.c	Anthropic's Messages API at .../messages: its
 *			header checks, error shape, content blocks, cache
 *			usage and anthropic-ratelimit-* headers
 *	mock_faults.c	failure on purpose: directives in the prompt, the
 *			random shares (--fail-429, --drop, ...), the --rps wall
 *			and the --tpm one, and their x-ratelimit headers
 *	mock_json.c	request bodies (chat, embeddings), read with jsmn
 *	mock_logprobs.c	made-up token logprobs for an answer
 *	mock_buf.c	growing buffers, JSON escaping, small parsers
 *
 * One process, one thread: the state they share is plain globals, each
 * defined in the file that owns it and declared here.  What only one file
 * needs stays static there.
 */

#ifndef MOCK_H
#define MOCK_H

#include <sys/queue.h>
#include <sys/tree.h>

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <nghttp2/nghttp2.h>

#define MS		1000000ULL		/* nanoseconds */
#define HEAD_MAX	(64 * 1024)		/* request line and headers */
#define BODY_MAX	(256LL * 1024 * 1024)	/* request body, else 413 */
#define DELAY_MAX	(24LL * 3600 * 1000)	/* any latency, in ms */
#define OUT_PAUSE	(4 * 1024 * 1024)	/* unsent: stop parsing */
#define BUF_KEEP	(1024 * 1024)		/* bigger idle buffers go */
#define NHDR		8			/* [[header:...]] per request */
#define PPM		1000000			/* shares are kept in ppm */

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

struct config {
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
	long long	 tpm;		/* --tpm: a wall of tokens a minute */
	long long	 frame;		/* --frame-tokens: a message's framing */
	const char	*key;
	const char	*reject_model;
	const char	*path;		/* the only path served, if set */
	const char	*pick;		/* --answer pick:A,B,C */
	const char	*log_path;
	const char	*stats_path;
	uint32_t	 h2_streams;	/* SETTINGS_MAX_CONCURRENT_STREAMS */
	int		 slots;		/* answers worked on at once, or 0 */
};

/*
 * Counters for --stats.  Every request that was read lands in exactly one
 * of ok (2xx answers), status_429, status_5xx, status_4xx (other 4xx,
 * including heads too large or malformed), dropped, stalled or garbage;
 * a [[status:3xx]] lands in none.  connections counts all that were
 * accepted, h2_connections those of them that spoke HTTP/2, h2_streams
 * the requests that came over HTTP/2.
 */
struct stats {
	uint64_t	 requests, ok, s429, s5xx, s4xx;
	uint64_t	 dropped, stalled, garbage;
	uint64_t	 connections, max_concurrent;
	uint64_t	 h2_connections, h2_streams;
	uint64_t	 reasks;	/* chat requests holding an assistant
					 * message, whatever they got */
	uint64_t	 tokens;	/* charged to the --tpm wall, accepted */
};

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
	int		 rlt;		/* and x-ratelimit-*-tokens */
	long long	 rlt_limit, rlt_remaining;
	char		 rlt_reset[32];
};

/* What a chat request asks beyond its messages; filled by chat_parse. */
struct chatreq {
	size_t		 prompt;	/* bytes of all message contents */
	size_t		 messages;	/* how many */
	int		 reask;		/* holds an assistant message */
	int		 logprobs;	/* "logprobs": true */
	long long	 top_logprobs;	/* 0..20, 0 when absent */
};

/* [[as:MODEL=ANSWER@P]]: the answer a model gives, with probability p
 * (its logprobs say so), or -1 for made-up logprobs. */
struct as_answer {
	const char	*model, *answer;
	size_t		 model_len, answer_len;
	double		 p;
};
#define NAS		4			/* [[as:...]] per request */

/* Directives found in the row's (first) user message. */
struct directives {
	int		 drop, stall, garbage, nochoices, null, status;
	int		 quota, too_large, truncate;
	const char	*try_again, *gzip_file, *message;
	size_t		 try_again_len, gzip_file_len, message_len;
	int		 error200;	/* a 200 whose body is an error */
	const char	*usage;		/* completion_tokens to report */
	size_t		 usage_len;
	const char	*cached;	/* prompt_tokens_details.cached_tokens */
	size_t		 cached_len;
	const char	*finish;	/* finish_reason to report */
	size_t		 finish_len;
	const char	*answer;	/* [[answer:TEXT]], or NULL */
	size_t		 answer_len;
	const char	*reask_first, *reask_then;	/* [[reask:A|B]] */
	size_t		 reask_first_len, reask_then_len;
	const char	*refusal;	/* [[refusal:TEXT]], or NULL */
	size_t		 refusal_len;
	int		 no_logprobs;	/* [[no-logprobs]] */
	const char	*logprobs_of;	/* [[logprobs-of:TEXT]], or NULL */
	size_t		 logprobs_of_len;
	int		 no_usage;	/* [[no-usage]]: an answer without one */
	int		 no_ra;		/* [[no-retry-after]]: a [[status:429]]
					 * that names no wait */
	struct as_answer as[NAS];	/* [[as:MODEL=ANSWER@P]] */
	int		 nas;
	int		 drop_once, stall_once, garbage_once, status_once;
	long long	 sleep_ms;
	long long	 bytes;		/* -1: not given */
	const char	*ra, *ra_ms;
	size_t		 ra_len, ra_ms_len;
	struct hdr	 hdr[NHDR];
	int		 nhdr;
};

/* mock.c: options, counters, the clock and the loop's state. */
extern struct config	 cfg;
extern struct stats	 st;
extern FILE		*logfp;		/* --log, if given */
extern uint64_t		 now_ns;	/* CLOCK_MONOTONIC, once a turn */
extern uint64_t		 inflight;	/* requests read, not yet answered */
extern int		 draining;	/* no new requests */

void	 timer_init(struct timer *, struct conn *, struct stream *);
void	 timer_del(struct timer *);
void	 timer_set(struct timer *, uint64_t);
void	 count_answer(void);

/* mock_conn.c */
void	 conn_close(struct conn *);
void	 conn_run(struct conn *);
void	 conn_event(struct conn *, uint32_t);

/* mock_http1.c */
int	 hdr_next(const char **, const char *, struct hdr *);
int	 conn_parse(struct conn *);

/* mock_h2.c */
void	 h2_callbacks(void);
void	 h2_cleanup(void);
int	 h2_start(struct conn *);
int	 h2_read(struct conn *);
int	 h2_flush(struct conn *);
int	 h2_waiting(const struct conn *);
void	 stream_release(struct stream *);
void	 stream_free(struct stream *);

/*
 * mock_chat.c.  Scratch space shared by all requests: the loop is
 * single-threaded and a request is handled from start to end in one go,
 * so these are reused instead of allocated per request.
 */
extern struct buf sc_user, sc_model, sc_alt, sc_msg, sc_body, sc_log;

uint64_t req_decide(const struct request *, struct reply *);
void	 body_error(const char *, size_t, const char *, const char *,
	    const char *);
void	 reply_error(struct reply *, int, const char *, const char *,
	    const char *, const char *);
const char *fail_msg(int);
void	 chat_cleanup(void);
void	 pick_answer(struct buf *);

/* mock_messages.c: POST .../messages, Anthropic's Messages API. */
int	 messages_target(const char *, size_t);
uint64_t messages_decide(const struct request *, struct reply *, uint64_t,
	    int *);
void	 messages_free(void);

/* mock_batches.c: the Files and Batches APIs (--batch-api). */
int	 batches_decide(const struct request *, struct reply *, uint64_t *);
void	 batches_cleanup(void);

/* mock_faults.c */
void	 fault_init(void);
void	 fault_cleanup(void);
uint64_t rng_next(void);
int	 rps_refuse(struct reply *);
int	 tpm_refuse(struct reply *, long long);
void	 reply_ratelimit_hdrs(struct reply *);
int	 fault_decide(struct directives *, struct reply *, uint64_t *);
const struct as_answer *as_pick(const struct directives *);

/* mock_json.c: a request body into sc_model and sc_user. */
const char *chat_parse(const char *, size_t, struct chatreq *,
	    const char **, const char **);
const char *embed_parse(const char *, size_t, size_t *);
const char *messages_parse(const char *, size_t, size_t *, struct buf *,
	    int *, struct buf *, int *);
int	 json_is_object(const char *, size_t);
long long chat_budget(const char *);
void	 json_cleanup(void);
void	 messages_cleanup(void);

/* mock_logprobs.c: an answer's logprobs object, top_logprobs cut to 5;
 * with p in (0, 1], logprobs whose sum is ln p. */
void	 logprobs_add(struct buf *, const char *, size_t, long long, double);

/* mock_buf.c.  Running out of memory ends the mock: a test sees the exit. */
void	 buf_reserve(struct buf *, size_t);
void	 buf_free(struct buf *);
void	 buf_add(struct buf *, const char *, size_t);
void	 buf_adds(struct buf *, const char *);
void	 buf_addc(struct buf *, char);
void	 buf_addf(struct buf *, const char *, ...)
	    __attribute__((format(printf, 2, 3)));
void	 buf_add_jstr(struct buf *, const char *, size_t);
uint64_t fnv1a(const char *, size_t);
int	 parse_digits(const char *, size_t, long long, long long *);
int	 valid_seconds(const char *, size_t);
int	 valid_token(const char *, size_t);

#endif /* MOCK_H */
