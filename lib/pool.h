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
 * with pool_add_target (another endpoint, with its own key).
 *
 * The caller owns each struct xfer: it fills body and udata, submits,
 * and gets the xfer back from pool_done with the outcome filled in.  The
 * body is borrowed until then.
 *
 * Not here: what a body means, or retrying (the caller decides).
 */
#ifndef ENRICH_POOL_H
#define ENRICH_POOL_H

#include <sys/queue.h>

#include <stddef.h>

#include "buf.h"

enum xfer_result {
	XFER_RESPONSE,		/* an HTTP response came; see status */
	XFER_NETWORK,		/* no response: connection, DNS, reset */
	XFER_TIMEOUT,		/* no full response in the time allowed */
	XFER_TOOBIG		/* the response passed the size cap */
};

/* Slots for the response headers the caller's retry and pacing decisions
 * read; which header fills each is the provider's to say (provider.h). */
enum xfer_header {
	XH_RETRY_AFTER,
	XH_RETRY_AFTER_MS,
	XH_SHOULD_RETRY,
	XH_REQUEST_ID,
	XH_LOCATION,			/* where a 3xx points */
	XH_RL_LIMIT_REQUESTS,		/* x-ratelimit-*: see pace.h */
	XH_RL_LIMIT_TOKENS,
	XH_RL_REMAINING_REQUESTS,
	XH_RL_REMAINING_TOKENS,
	XH_RL_RESET_REQUESTS,
	XH_RL_RESET_TOKENS,
	XH_MAX
};

#define XFER_HEADER_LEN	128	/* a Location fits, most of the time */

struct pool;

struct xfer {
	/* Set by the caller. */
	const char		*url;		/* NULL: the target's */
	int			 target;	/* 0: the pool's own; else
						 * pool_add_target's */
	const char		*body;
	size_t			 bodylen;
	void			*udata;
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
