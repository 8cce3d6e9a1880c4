/*
 * Why epoll under poll(): with the socket callback every wakeup only runs
 * the transfers whose sockets are ready, but a pollfd per socket still
 * makes each poll() O(window).  Measured on these machines at a window of
 * 1000 with real latency, poll() over every socket cost about twice the CPU
 * of epoll (5 vs 2.6 CPU-s per 20,000 requests), so the sockets live in an
 * epoll set and the caller polls its one descriptor beside stdin and stdout.
 */
#include <sys/epoll.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <curl/curl.h>

#include "clock.h"
#include "pool.h"
#include "targets.h"

#define EVENTS	256
#define STREAMS	100	/* libcurl's streams per HTTP/2 connection */

/*
 * A window slot: an easy handle and the transfer it carries.  Whatever a
 * request does not change is set once, when the slot is made: the
 * callbacks' data, PRIVATE and the error buffer name the slot, which
 * names the transfer, so a request sets only its body (and its URL, when
 * it has one of its own).  libcurl's setopt is not free: seven a request
 * cost more than all the pool's own work.
 */
struct slot {
	CURL			*e;
	struct xfer		*x;		/* in flight, or NULL */
	char			 error[CURL_ERROR_SIZE];
};

struct pool {
	CURLM			*multi;
	struct pool_config	 cfg;		/* for handles made later */
	struct slot		**all;		/* every slot, for pool_free */
	int			 nall;
	struct slot		**idle;		/* slots not in use */
	int			 nidle;
	int			 max;		/* handles at most */
	int			 window;	/* requests in flight at most */
	int			 learning;	/* one request until the version */
	int			 url_changed;	/* some handle has another URL */
	int			 version;	/* 0, 11 or 20 */
	long			 connects;
	CURLSH			*share;
	int			 epfd;
	long long		 deadline;	/* libcurl's timer; -1 off */
	struct targets		 targets;	/* [0]: the pool's own */
	size_t			 max_response;
	struct headers		 keep;		/* the response headers kept */
	TAILQ_HEAD(, xfer)	 done;
	struct epoll_event	 ev[EVENTS];
};

static int
sock_cb(CURL *e, curl_socket_t s, int what, void *userp, void *socketp)
{
	struct pool		*p = userp;
	struct epoll_event	 ev = { 0 };
	int			 op;

	(void)e;
	if (what == CURL_POLL_REMOVE) {
		/* libcurl may have closed it already; either way it is gone. */
		epoll_ctl(p->epfd, EPOLL_CTL_DEL, s, NULL);
		curl_multi_assign(p->multi, s, NULL);
		return 0;
	}
	ev.events = (what & CURL_POLL_IN ? EPOLLIN : 0) |
	    (what & CURL_POLL_OUT ? EPOLLOUT : 0);
	ev.data.fd = s;
	op = socketp != NULL ? EPOLL_CTL_MOD : EPOLL_CTL_ADD;
	if (epoll_ctl(p->epfd, op, s, &ev) == -1) {
		/* A descriptor number reused behind libcurl's back. */
		op = op == EPOLL_CTL_ADD ? EPOLL_CTL_MOD : EPOLL_CTL_ADD;
		if (epoll_ctl(p->epfd, op, s, &ev) == -1)
			return -1;
	}
	if (socketp == NULL)
		curl_multi_assign(p->multi, s, p);	/* "registered" */
	return 0;
}

/* One-shot: the loop clears the deadline before it acts on it. */
static int
timer_cb(CURLM *m, long timeout_ms, void *userp)
{
	struct pool	*p = userp;

	(void)m;
	p->deadline = timeout_ms < 0 ? -1 : clock_ms() + timeout_ms;
	return 0;
}

/* A sink's transfer: its first chunk says where the body goes. */
static size_t
sink_write(struct xfer *x, char *data, size_t n)
{
	long	 status = 0;

	if (x->sinking == 0) {
		curl_easy_getinfo(x->handle, CURLINFO_RESPONSE_CODE, &status);
		x->sinking = status >= 200 && status <= 299 ? 1 : -1;
	}
	if (x->sinking < 0)
		return n;
	return x->sink(x->sink_arg, data, n) == -1 ? 0 : n;
}

static size_t
write_cb(char *data, size_t size, size_t n, void *userp)
{
	struct xfer	*x = ((struct slot *)userp)->x;

	n *= size;
	/* One test on the hot path. */
	if (x->sink != NULL && sink_write(x, data, n) == 0)
		return 0;
	if (x->sinking > 0)
		return n;
	if (n > x->limit - x->resp.len) {
		x->toobig = 1;
		return 0;	/* aborts the transfer */
	}
	if (buf_add(&x->resp, data, n) == -1)
		return 0;
	return n;
}

/* The few response headers the caller wants, into x's slots. */
static size_t
header_cb(char *line, size_t size, size_t n, void *userp)
{
	struct xfer	*x = ((struct slot *)userp)->x;

	headers_take(&x->pool->keep, line, size * n, x->header);
	return size * n;
}

/*
 * Size the connections to the version.  HTTP/1.1: one per request in
 * flight, all kept when the window dips (libcurl's default keeps 4 x the
 * handles present when one is returned, and closes the rest).  HTTP/2:
 * window/100 connections, with PIPEWAIT so a request waits for a stream on
 * one of them; libcurl 7.88 would otherwise open a connection per request
 * beyond the first 100.
 */
static void
size_connections(struct pool *p)
{
	long	 conns;
	int	 h2 = p->version == 20 && p->targets.n < 2;

	/* Targets on several hosts may speak different versions, and the
	 * version learned is the first response's: a cap made for HTTP/2
	 * would hold an HTTP/1.1 host to one request at a time.  So none;
	 * an HTTP/2 host may then open more connections than it needs. */
	conns = h2 ? (p->window + STREAMS - 1) / STREAMS : p->window;
	curl_multi_setopt(p->multi, CURLMOPT_MAX_HOST_CONNECTIONS,
	    h2 ? conns : 0L);
	curl_multi_setopt(p->multi, CURLMOPT_MAXCONNECTS, conns);
}

static void
set_version(struct pool *p, int version)
{
	int	 i;

	p->version = version;
	p->learning = 0;
	size_connections(p);
	/* Handles in flight keep what they had; it does them no harm. */
	for (i = 0; p->idle != NULL && i < p->nidle; i++)
		curl_easy_setopt(p->idle[i]->e, CURLOPT_PIPEWAIT,
		    (long)(version == 20));
}

/* A new slot, made when the window first needs it. */
static struct slot *
slot_new(struct pool *p)
{
	const struct pool_config	*c = &p->cfg;
	struct slot			*sl;
	CURL				*e;

	if ((sl = calloc(1, sizeof(*sl))) == NULL)
		return NULL;
	if ((sl->e = e = curl_easy_init()) == NULL) {
		free(sl);
		return NULL;
	}
	if (curl_easy_setopt(e, CURLOPT_URL, p->targets.v[0].url) != CURLE_OK ||
	    curl_easy_setopt(e, CURLOPT_WRITEDATA, sl) != CURLE_OK ||
	    curl_easy_setopt(e, CURLOPT_HEADERDATA, sl) != CURLE_OK ||
	    curl_easy_setopt(e, CURLOPT_PRIVATE, sl) != CURLE_OK ||
	    curl_easy_setopt(e, CURLOPT_ERRORBUFFER, sl->error) != CURLE_OK ||
	    curl_easy_setopt(e, CURLOPT_HTTPHEADER, p->targets.v[0].headers) !=
	    CURLE_OK ||
	    curl_easy_setopt(e, CURLOPT_POST, 1L) != CURLE_OK ||
	    curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, write_cb) != CURLE_OK ||
	    curl_easy_setopt(e, CURLOPT_HEADERFUNCTION, header_cb) !=
	    CURLE_OK ||
	    curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L) != CURLE_OK ||
	    curl_easy_setopt(e, CURLOPT_TIMEOUT_MS, c->timeout_ms) !=
	    CURLE_OK ||
	    curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT_MS,
	    c->timeout_ms < 30000 ? c->timeout_ms : 30000L) != CURLE_OK ||
	    curl_easy_setopt(e, CURLOPT_TCP_KEEPALIVE, 1L) != CURLE_OK ||
	    curl_easy_setopt(e, CURLOPT_HTTP_VERSION,
	    c->http == POOL_HTTP_1_1 ? (long)CURL_HTTP_VERSION_1_1 :
	    c->http == POOL_HTTP_2_PRIOR ?
	    (long)CURL_HTTP_VERSION_2_PRIOR_KNOWLEDGE :
	    (long)CURL_HTTP_VERSION_2TLS) != CURLE_OK ||
	    curl_easy_setopt(e, CURLOPT_PIPEWAIT, (long)(p->version == 20)) !=
	    CURLE_OK ||
	    curl_easy_setopt(e, CURLOPT_SHARE, p->share) != CURLE_OK ||
	    curl_easy_setopt(e, CURLOPT_CAINFO, c->cacert) != CURLE_OK ||
	    curl_easy_setopt(e, CURLOPT_FORBID_REUSE,
	    (long)(c->http == POOL_HTTP_2_PRIOR && pool_h2c_broken())) !=
	    CURLE_OK) {
		curl_easy_cleanup(e);
		free(sl);
		return NULL;
	}
	return sl;
}

int
pool_h2c_broken(void)
{
	return curl_version_info(CURLVERSION_NOW)->version_num < 0x080000;
}

int
pool_add_target(struct pool *p, const char *url, const char *const *headers,
    size_t n, char *err, size_t errlen)
{
	int	 k;

	if ((k = targets_add(&p->targets, url, headers, n)) == -1) {
		snprintf(err, errlen, "cannot set up libcurl: out of memory");
		return -1;
	}
	if (p->version != 0)
		size_connections(p);
	return k;
}

struct pool *
pool_new(const struct pool_config *c, char *err, size_t errlen)
{
	struct pool		*p;

	if ((p = calloc(1, sizeof(*p))) == NULL)
		goto nomem;
	TAILQ_INIT(&p->done);
	p->epfd = -1;
	p->deadline = -1;
	p->cfg = *c;
	p->max = p->window = c->window;
	p->max_response = c->max_response;
	headers_init(&p->keep, c->keep_headers);
	/* Target 0 is the pool's own; cfg's URL and headers are not kept. */
	if (targets_add(&p->targets, c->url, c->headers, c->nheaders) == -1)
		goto nomem;
	p->cfg.url = NULL;
	p->cfg.headers = NULL;
	if ((p->epfd = epoll_create1(EPOLL_CLOEXEC)) == -1) {
		snprintf(err, errlen, "epoll_create1: %s", strerror(errno));
		goto fail;
	}
	if ((p->multi = curl_multi_init()) == NULL ||
	    (p->share = curl_share_init()) == NULL)
		goto nomem;
	/* TLS sessions are kept per easy handle unless shared: with them
	 * shared, each new connection resumes the first one's session. */
	curl_share_setopt(p->share, CURLSHOPT_SHARE, CURL_LOCK_DATA_SSL_SESSION);
	switch (c->http) {
	case POOL_HTTP_2_PRIOR:
		/* With the bug, a connection per request, as for 1.1:
		 * no stream may join a connection another one opened. */
		if (pool_h2c_broken())
			curl_multi_setopt(p->multi, CURLMOPT_PIPELINING,
			    (long)CURLPIPE_NOTHING);
		set_version(p, pool_h2c_broken() ? 11 : 20);
		break;
	case POOL_HTTP_1_1:
		set_version(p, 11);
		break;
	case POOL_HTTP_AUTO:
		/* Plain http:// is HTTP/1.1; TLS may say otherwise. */
		if (strncasecmp(c->url, "https:", 6) == 0)
			p->learning = 1;
		else
			set_version(p, 11);
		break;
	}
	curl_multi_setopt(p->multi, CURLMOPT_SOCKETFUNCTION, sock_cb);
	curl_multi_setopt(p->multi, CURLMOPT_SOCKETDATA, p);
	curl_multi_setopt(p->multi, CURLMOPT_TIMERFUNCTION, timer_cb);
	curl_multi_setopt(p->multi, CURLMOPT_TIMERDATA, p);
	/* Handles are made as the window fills: a -j far above what a run
	 * uses costs nothing. */
	if ((p->idle = reallocarray(NULL, p->max, sizeof(*p->idle))) == NULL ||
	    (p->all = calloc(p->max, sizeof(*p->all))) == NULL)
		goto nomem;
	return p;
nomem:
	snprintf(err, errlen, "cannot set up libcurl: out of memory");
fail:
	pool_free(p);
	return NULL;
}

void
pool_free(struct pool *p)
{
	int	 i;

	if (p == NULL)
		return;
	for (i = 0; p->all != NULL && i < p->nall; i++) {
		/* Removing one that is not in the multi handle is harmless. */
		if (p->multi != NULL)
			curl_multi_remove_handle(p->multi, p->all[i]->e);
		curl_easy_cleanup(p->all[i]->e);
		free(p->all[i]);
	}
	free(p->all);
	free(p->idle);
	targets_free(&p->targets);
	if (p->multi != NULL)
		curl_multi_cleanup(p->multi);
	if (p->share != NULL)
		curl_share_cleanup(p->share);
	if (p->epfd != -1)
		close(p->epfd);
	free(p);
}

int
pool_fd(const struct pool *p)
{
	return p->epfd;
}

long long
pool_timeout(const struct pool *p, long long now)
{
	if (p->deadline < 0)
		return -1;
	return p->deadline > now ? p->deadline - now : 0;
}

int
pool_room(const struct pool *p)
{
	int	 active = p->nall - p->nidle;

	if (p->learning)
		return active == 0 ? 1 : 0;
	return active < p->window ? p->window - active : 0;
}

int
pool_window(const struct pool *p)
{
	return p->window;
}

/* A smaller window takes effect as requests finish; none is cut short. */
void
pool_set_window(struct pool *p, int w)
{
	p->window = w < 1 ? 1 : w > p->max ? p->max : w;
	if (p->version != 0)
		size_connections(p);
}

long
pool_connections(const struct pool *p)
{
	return p->connects;
}

int
pool_active(const struct pool *p)
{
	return p->nall - p->nidle;
}

/* A GET, or an upload: its mime made here, freed when it ends. */
static int
other_kind(CURL *e, struct xfer *x, char *err, size_t errlen)
{
	curl_mime	*m;
	curl_mimepart	*part;
	size_t		 k;

	if (x->method == XFER_GET) {
		curl_easy_setopt(e, CURLOPT_HTTPGET, 1L);
		return 0;
	}
	if ((m = curl_mime_init(e)) == NULL)
		goto fail;
	x->mime = m;
	for (k = 0; k < x->nparts; k++) {
		if ((part = curl_mime_addpart(m)) == NULL ||
		    curl_mime_name(part, x->parts[k].name) != CURLE_OK)
			goto fail;
		if (x->parts[k].value != NULL) {
			if (curl_mime_data(part, x->parts[k].value,
			    CURL_ZERO_TERMINATED) != CURLE_OK)
				goto fail;
			continue;
		}
		/* Read from disk as the upload goes: never whole in memory. */
		if (curl_mime_filedata(part, x->parts[k].path) != CURLE_OK ||
		    curl_mime_filename(part, x->parts[k].filename) != CURLE_OK ||
		    curl_mime_type(part, x->parts[k].type) != CURLE_OK) {
			snprintf(err, errlen, "cannot upload %s",
			    x->parts[k].path);
			curl_mime_free(m);
			x->mime = NULL;
			return -1;
		}
	}
	if (curl_easy_setopt(e, CURLOPT_MIMEPOST, m) != CURLE_OK)
		goto fail;
	return 0;
fail:
	curl_mime_free(x->mime);
	x->mime = NULL;
	snprintf(err, errlen, "cannot set up libcurl: out of memory");
	return -1;
}

/* A handle after a transfer of another kind: as the hot path has it. */
static void
restore(struct pool *p, CURL *e, struct xfer *x)
{
	if (x->method != XFER_POST) {
		curl_easy_setopt(e, CURLOPT_MIMEPOST, NULL);
		curl_mime_free(x->mime);
		x->mime = NULL;
	}
	if (x->timeout_ms != 0)
		curl_easy_setopt(e, CURLOPT_TIMEOUT_MS, p->cfg.timeout_ms);
}

int
pool_submit(struct pool *p, struct xfer *x, char *err, size_t errlen)
{
	const struct target	*t;
	struct slot		*sl;
	CURL			*e;
	CURLMcode		 mc;

	if ((t = targets_get(&p->targets, x->target)) == NULL) {
		snprintf(err, errlen, "no target %d", x->target);
		return -1;
	}
	if (pool_room(p) == 0) {
		snprintf(err, errlen, "no room in the window");
		return -1;
	}
	if (p->nidle == 0) {
		if ((sl = slot_new(p)) == NULL) {
			snprintf(err, errlen, "cannot set up libcurl: out of "
			    "memory");
			return -1;
		}
		p->all[p->nall++] = sl;
		p->idle[p->nidle++] = sl;
	}
	sl = p->idle[p->nidle - 1];
	e = sl->e;
	buf_reset(&x->resp);
	x->error[0] = '\0';
	x->status = 0;
	x->limit = p->max_response;
	x->toobig = 0;
	x->handle = e;
	x->pool = p;
	x->started = clock_ms();
	/* A handle keeps the last URL and headers set: put the pool's back
	 * after a request of its own; with targets, set them every time. */
	if (x->url != NULL || p->url_changed || p->targets.n > 1)
		curl_easy_setopt(e, CURLOPT_URL, x->url != NULL ? x->url :
		    t->url);
	if (p->targets.n > 1)
		curl_easy_setopt(e, CURLOPT_HTTPHEADER, t->headers);
	p->url_changed |= x->url != NULL;
	x->sinking = 0;
	x->mime = NULL;
	if (x->method == XFER_POST) {
		curl_easy_setopt(e, CURLOPT_POSTFIELDSIZE_LARGE,
		    (curl_off_t)x->bodylen);
		curl_easy_setopt(e, CURLOPT_POSTFIELDS, x->body);
	} else if (other_kind(e, x, err, errlen) == -1)
		return -1;
	if (x->timeout_ms != 0)
		curl_easy_setopt(e, CURLOPT_TIMEOUT_MS, x->timeout_ms);
	memset(x->header, 0, sizeof(x->header));
	sl->x = x;
	sl->error[0] = '\0';
	if ((mc = curl_multi_add_handle(p->multi, e)) != CURLM_OK) {
		snprintf(err, errlen, "curl_multi_add_handle: %s",
		    curl_multi_strerror(mc));
		restore(p, e, x);
		sl->x = NULL;
		x->handle = NULL;
		return -1;
	}
	p->nidle--;
	return 0;
}

static void
finish(struct pool *p, CURL *e, CURLcode rc, long long now)
{
	struct slot	*sl;
	struct xfer	*x;
	char		*priv;
	long		 n, version;

	curl_easy_getinfo(e, CURLINFO_PRIVATE, &priv);
	sl = (struct slot *)priv;
	x = sl->x;
	/* What libcurl said went wrong, if it said anything. */
	strlcpy(x->error, sl->error, sizeof(x->error));
	curl_easy_getinfo(e, CURLINFO_RESPONSE_CODE, &x->status);
	if (curl_easy_getinfo(e, CURLINFO_NUM_CONNECTS, &n) == CURLE_OK)
		p->connects += n;
	/* The first response tells the version the server speaks. */
	if (p->learning && x->status > 0 && curl_easy_getinfo(e,
	    CURLINFO_HTTP_VERSION, &version) == CURLE_OK)
		set_version(p, version == CURL_HTTP_VERSION_2_0 ? 20 : 11);
	x->elapsed_ms = now - x->started;
	if (rc == CURLE_OK)
		x->result = XFER_RESPONSE;
	else if (rc == CURLE_OPERATION_TIMEDOUT)
		x->result = XFER_TIMEOUT;
	else if (rc == CURLE_WRITE_ERROR && x->toobig)
		x->result = XFER_TOOBIG;
	else if (rc == CURLE_WRITE_ERROR && x->sinking > 0) {
		/* The sink said why, to its owner. */
		x->result = XFER_NETWORK;
		strlcpy(x->error, "the response could not be kept",
		    sizeof(x->error));
	}
	else
		x->result = XFER_NETWORK;
	/* The error buffer can stay empty (HTTP/2 stream errors do that). */
	if (rc != CURLE_OK && x->error[0] == '\0')
		strlcpy(x->error, curl_easy_strerror(rc), sizeof(x->error));
	curl_multi_remove_handle(p->multi, e);
	if (x->method != XFER_POST || x->timeout_ms != 0)
		restore(p, e, x);
	x->handle = NULL;
	sl->x = NULL;
	p->idle[p->nidle++] = sl;
	TAILQ_INSERT_TAIL(&p->done, x, link);
}

int
pool_work(struct pool *p, long long now, char *err, size_t errlen)
{
	struct CURLMsg	*msg;
	CURLMcode	 mc;
	CURLcode	 rc;
	CURL		*e;
	int		 i, n, running, flags;

	do {
		n = epoll_wait(p->epfd, p->ev, EVENTS, 0);
		if (n == -1 && errno != EINTR) {
			snprintf(err, errlen, "epoll_wait: %s",
			    strerror(errno));
			return -1;
		}
		for (i = 0; i < n; i++) {
			flags = 0;
			if (p->ev[i].events & (EPOLLIN | EPOLLHUP))
				flags |= CURL_CSELECT_IN;
			if (p->ev[i].events & EPOLLOUT)
				flags |= CURL_CSELECT_OUT;
			if (p->ev[i].events & EPOLLERR)
				flags |= CURL_CSELECT_ERR;
			mc = curl_multi_socket_action(p->multi,
			    p->ev[i].data.fd, flags, &running);
			if (mc != CURLM_OK)
				goto fail;
		}
	} while (n == EVENTS);
	if (p->deadline >= 0 && now >= p->deadline) {
		p->deadline = -1;
		mc = curl_multi_socket_action(p->multi, CURL_SOCKET_TIMEOUT, 0,
		    &running);
		if (mc != CURLM_OK)
			goto fail;
	}
	/* Copy what the message says: it dies with remove_handle. */
	while ((msg = curl_multi_info_read(p->multi, &n)) != NULL) {
		if (msg->msg != CURLMSG_DONE)
			continue;
		e = msg->easy_handle;
		rc = msg->data.result;
		finish(p, e, rc, now);
	}
	return 0;
fail:
	snprintf(err, errlen, "libcurl: %s", curl_multi_strerror(mc));
	return -1;
}

struct xfer *
pool_done(struct pool *p)
{
	struct xfer	*x;

	if ((x = TAILQ_FIRST(&p->done)) != NULL)
		TAILQ_REMOVE(&p->done, x, link);
	return x;
}
