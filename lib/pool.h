/*
 * The pool: a window of HTTP POSTs in flight on one libcurl multi handle.
 *
 * Over HTTP/1.1 each request in flight needs a connection of its own; over
 * HTTP/2, 100 share one.  Where TLS may offer either, the pool sends one
 * request alone, learns the version from its response, and only then opens
 * the window, so a window of 1000 costs 10 handshakes, not 1000.
 *
 * The pool owns one easy handle per window slot, reused for every request
 * so connections, TLS sessions and DNS answers are kept.  It does its
 * socket bookkeeping with libcurl's socket and timer callbacks and an
 * epoll set, and shows the caller a single descriptor to poll and a
 * timeout, so the caller's one poll() loop also serves stdin and stdout.
 *
 * Requests go to the pool's URL with its headers, or to a target added
 * with pool_add_target (another endpoint, with its own key; targets.h).
 * The response headers the caller asked for fill xfer's slots (headers.h).
 *
 * The caller owns each struct xfer: it fills body and udata, submits,
 * and gets the xfer back from pool_done with the outcome filled in.  The
 * body is borrowed until then.  Most transfers are POSTs of a JSON body
 * (a row's request), and that path stays as it was; a few are of other
 * kinds (the Batch API's): a GET, a multipart upload whose file part is
 * read from disk as it goes (libcurl's mime), and a response that goes to
 * a sink chunk by chunk instead of into resp, so a result file of any
 * size streams through with no more memory than a chunk.
 *
 * Not here: what a body means, or retrying (the caller decides).
 */
#ifndef ENRICH_POOL_H
#define ENRICH_POOL_H

#include <sys/queue.h>

#include <stddef.h>

#include "buf.h"
#include "headers.h"

enum xfer_result {
	XFER_RESPONSE,		/* an HTTP response came; see status */
	XFER_NETWORK,		/* no response: connection, DNS, reset */
	XFER_TIMEOUT,		/* no full response in the time allowed */
	XFER_TOOBIG		/* the response passed the size cap */
};

struct pool;

enum xfer_method {
	XFER_POST,		/* body, bodylen: the hot path */
	XFER_GET,
	XFER_UPLOAD		/* multipart/form-data of parts */
};

/* A part of an upload: a value, or a file's bytes read from path as the
 * upload goes (with filename and type).  Borrowed until pool_done. */
struct xfer_part {
	const char		*name;
	const char		*value;		/* NUL-terminated, or NULL */
	const char		*path;		/* with value NULL */
	const char		*filename;
	const char		*type;
};

struct xfer {
	/* Set by the caller. */
	const char		*url;		/* NULL: the target's */
	int			 target;	/* 0: the pool's own; else
						 * pool_add_target's */
	const char		*body;
	size_t			 bodylen;
	void			*udata;
	/* Zeroed: a POST of body with the pool's timeout. */
	enum xfer_method	 method;
	const struct xfer_part	*parts;		/* XFER_UPLOAD */
	size_t			 nparts;
	long			 timeout_ms;	/* 0: the pool's */
	/* A 2xx response's body goes here, not into resp, chunk by chunk,
	 * without the size cap; -1 aborts the transfer (XFER_NETWORK).
	 * Any other status's body goes to resp as always. */
	int			(*sink)(void *, const char *, size_t);
	void			*sink_arg;
	/* Set by the pool when the transfer is done. */
	enum xfer_result	 result;
	long			 status;	/* HTTP status, 0 if none */
	struct buf		 resp;		/* the response body */
	char			 error[256];	/* what went wrong, if it did */
	char			 header[XH_MAX][XFER_HEADER_LEN];
	long long		 elapsed_ms;
	/* The pool's. */
	void			*handle;
	const struct pool	*pool;
	size_t			 limit;
	int			 toobig;
	int			 sinking;	/* 0 unknown, 1 sink, -1 resp */
	void			*mime;
	long long		 started;
	TAILQ_ENTRY(xfer)	 link;
};

enum pool_http {
	POOL_HTTP_AUTO,		/* HTTP/2 where TLS offers it, else 1.1 */
	POOL_HTTP_1_1,
	POOL_HTTP_2_PRIOR	/* h2c: HTTP/2 without asking first */
};

struct pool_config {
	const char		*url;
	const char *const	*headers;	/* "Name: value" lines */
	size_t			 nheaders;
	long			 timeout_ms;	/* per attempt */
	size_t			 max_response;	/* bytes */
	int			 window;
	enum pool_http		 http;
	const char		*cacert;	/* CA bundle, or NULL; borrowed */
	/* The response header to keep in each of xfer's header slots, by
	 * name (NULL: none); borrowed, for the pool's life. */
	const char *const	*keep_headers;
};

struct pool	*pool_new(const struct pool_config *, char *, size_t);
/* libcurl before 8.0.0 cannot reuse an h2c connection (curl#10634). */
int		 pool_h2c_broken(void);
void		 pool_free(struct pool *);
/* The descriptor to poll for input, and how long until pool_work is due
 * anyway (-1: no deadline). */
int		 pool_fd(const struct pool *);
long long	 pool_timeout(const struct pool *, long long);
/* Free slots in the window: one alone until the HTTP version is known. */
int		 pool_room(const struct pool *);
int		 pool_active(const struct pool *);
/* The window, between 1 and the -j it was made with. */
int		 pool_window(const struct pool *);
void		 pool_set_window(struct pool *, int);
/* Connections opened so far. */
long		 pool_connections(const struct pool *);
/* Another place to send to, with headers of its own (several -u):
 * its number for xfer.target, or -1 and err.  Both are copied. */
int		 pool_add_target(struct pool *, const char *,
		    const char *const *, size_t, char *, size_t);
int		 pool_submit(struct pool *, struct xfer *, char *, size_t);
/* Move transfers along; call after poll() whatever it returned. */
int		 pool_work(struct pool *, long long, char *, size_t);
/* The next finished transfer, or NULL. */
struct xfer	*pool_done(struct pool *);

#endif
