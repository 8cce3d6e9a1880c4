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

#define EVENTS	256
#define STREAMS	100	/* libcurl's streams per HTTP/2 connection */

/* Where a request goes: the pool's own URL and headers, or another's. */
struct target {
	char			*url;
	struct curl_slist	*headers;
};

struct pool {
	CURLM			*multi;
	struct pool_config	 cfg;		/* for handles made later */
	CURL			**all;		/* every handle, for pool_free */
	int			 nall;
	CURL			**idle;		/* handles not in use */
	int			 nidle;
	int			 max;		/* handles at most */
	int			 window;	/* requests in flight at most */
	int			 learning;	/* one request until the version */
	char			*url;
	int			 url_changed;	/* some handle has another URL */
	int			 version;	/* 0, 11 or 20 */
	long			 connects;
	CURLSH			*share;
	int			 epfd;
	long long		 deadline;	/* libcurl's timer; -1 off */
	struct curl_slist	*headers;
	struct target		*targets;	/* [0]: url and headers */
	int			 ntargets;
	size_t			 max_response;
	/* The response headers kept, and a bitmap of their first letters
	 * that lets most header lines be passed over at one test. */
	const char		*keep[XH_MAX];
	size_t			 keeplen[XH_MAX];
	unsigned char		 first[32];
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

static size_t
write_cb(char *data, size_t size, size_t n, void *userp)
{
	struct xfer	*x = userp;

	n *= size;
	if (n > x->limit - x->resp.len) {
		x->toobig = 1;
		return 0;	/* aborts the transfer */
	}
	if (buf_add(&x->resp, data, n) == -1)
		return 0;
	return n;
}

/*
 * Keep the few response headers the caller wants.  Called once per line;
 * cheaper than three curl_easy_header() walks of the whole list after
 * the transfer, which cost 9% of the CPU per row at zero latency.
 */
static size_t
header_cb(char *line, size_t size, size_t n, void *userp)
{
	struct xfer		*x = userp;
	const struct pool	*p = x->pool;
	const char		*v, *end;
	size_t			 len = size * n, nl = 0;
	unsigned char		 c = line[0] | 0x20;
	int			 k;

	if (len < 2 || !(p->first[c >> 3] & (1 << (c & 7))))
		return len;
	for (k = 0; k < XH_MAX; k++) {
		nl = p->keeplen[k];
		if (nl > 0 && len > nl && line[nl] == ':' &&
		    strncasecmp(line, p->keep[k], nl) == 0)
			break;
	}
	if (k == XH_MAX)
		return len;
	v = line + nl + 1;
	end = line + len;
	while (v < end && (*v == ' ' || *v == '\t'))
		v++;
	while (end > v && (end[-1] == '\r' || end[-1] == '\n' ||
	    end[-1] == ' ' || end[-1] == '\t'))
		end--;
	nl = end - v < XFER_HEADER_LEN - 1 ? (size_t)(end - v) :
	    XFER_HEADER_LEN - 1;
	memcpy(x->header[k], v, nl);
	x->header[k][nl] = '\0';
	return len;
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
	int	 h2 = p->version == 20 && p->ntargets < 2;

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
		curl_easy_setopt(p->idle[i], CURLOPT_PIPEWAIT,
		    (long)(version == 20));
}

/* A new handle, made when the window first needs it. */
static CURL *
easy_new(struct pool *p)
{
	const struct pool_config	*c = &p->cfg;
	CURL				*e;

	if ((e = curl_easy_init()) == NULL)
		return NULL;
	if (curl_easy_setopt(e, CURLOPT_URL, c->url) != CURLE_OK ||
	    curl_easy_setopt(e, CURLOPT_HTTPHEADER, p->headers) != CURLE_OK ||
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
		return NULL;
	}
	return e;
}

int
pool_h2c_broken(void)
{
	return curl_version_info(CURLVERSION_NOW)->version_num < 0x080000;
}

/* Content-Type, no 100-continue round trip for large bodies, and these. */
static struct curl_slist *
header_list(const char *const *headers, size_t n)
{
	struct curl_slist	*l, *h;
	size_t			 k;

	if ((l = curl_slist_append(NULL, "Content-Type: application/json")) ==
	    NULL)
		return NULL;
	if ((h = curl_slist_append(l, "Expect:")) == NULL)
		goto fail;
	for (k = 0; k < n; k++)
		if ((h = curl_slist_append(l, headers[k])) == NULL)
			goto fail;
	return l;
fail:
	curl_slist_free_all(l);
	return NULL;
}

int
pool_add_target(struct pool *p, const char *url, const char *const *headers,
    size_t n, char *err, size_t errlen)
{
	struct target	*t;

	if ((t = reallocarray(p->targets, p->ntargets + 1,
	    sizeof(*t))) == NULL)
		goto nomem;
	p->targets = t;
	t = &p->targets[p->ntargets];
	if ((t->url = strdup(url)) == NULL)
		goto nomem;
	if ((t->headers = header_list(headers, n)) == NULL) {
		free(t->url);
		goto nomem;
	}
	p->ntargets++;
	if (p->version != 0)
		size_connections(p);
	return p->ntargets - 1;
nomem:
	snprintf(err, errlen, "cannot set up libcurl: out of memory");
	return -1;
}

struct pool *
pool_new(const struct pool_config *c, char *err, size_t errlen)
{
	struct pool		*p;
	size_t			 k;

	if ((p = calloc(1, sizeof(*p))) == NULL)
		goto nomem;
	TAILQ_INIT(&p->done);
	p->epfd = -1;
	p->deadline = -1;
	p->cfg = *c;
	p->max = p->window = c->window;
	p->max_response = c->max_response;
	for (k = 0; k < XH_MAX; k++) {
		if ((p->keep[k] = c->keep_headers != NULL ?
		    c->keep_headers[k] : NULL) == NULL)
			continue;
		p->keeplen[k] = strlen(p->keep[k]);
		p->first[(p->keep[k][0] | 0x20) >> 3] |=
		    1 << ((p->keep[k][0] | 0x20) & 7);
	}
	if ((p->url = strdup(c->url)) == NULL)
		goto nomem;
	p->cfg.url = p->url;
	p->cfg.headers = NULL;		/* the slist below has them */
	if ((p->epfd = epoll_create1(EPOLL_CLOEXEC)) == -1) {
		snprintf(err, errlen, "epoll_create1: %s", strerror(errno));
		goto fail;
	}
	if ((p->headers = header_list(c->headers, c->nheaders)) == NULL ||
	    (p->targets = calloc(1, sizeof(*p->targets))) == NULL)
		goto nomem;
	/* Target 0 is the pool's own: borrowed, freed as p->url, p->headers. */
	p->targets[0].url = p->url;
	p->targets[0].headers = p->headers;
	p->ntargets = 1;
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
	if ((p->idle = reallocarray(NULL, p->max, sizeof(CURL *))) == NULL ||
	    (p->all = calloc(p->max, sizeof(CURL *))) == NULL)
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
			curl_multi_remove_handle(p->multi, p->all[i]);
		curl_easy_cleanup(p->all[i]);
	}
	free(p->all);
	free(p->idle);
	for (i = 1; i < p->ntargets; i++) {
		free(p->targets[i].url);
		curl_slist_free_all(p->targets[i].headers);
	}
	free(p->targets);
	free(p->url);
	if (p->multi != NULL)
		curl_multi_cleanup(p->multi);
	if (p->share != NULL)
		curl_share_cleanup(p->share);
	curl_slist_free_all(p->headers);
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

int
pool_submit(struct pool *p, struct xfer *x, char *err, size_t errlen)
{
	struct target	*t;
	CURL		*e;
	CURLMcode	 mc;

	if (x->target < 0 || x->target >= p->ntargets) {
		snprintf(err, errlen, "no target %d", x->target);
		return -1;
	}
	t = &p->targets[x->target];
	if (pool_room(p) == 0) {
		snprintf(err, errlen, "no room in the window");
		return -1;
	}
	if (p->nidle == 0) {
		if ((e = easy_new(p)) == NULL) {
			snprintf(err, errlen, "cannot set up libcurl: out of "
			    "memory");
			return -1;
		}
		p->all[p->nall++] = e;
		p->idle[p->nidle++] = e;
	}
	e = p->idle[p->nidle - 1];
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
	if (x->url != NULL || p->url_changed || p->ntargets > 1)
		curl_easy_setopt(e, CURLOPT_URL, x->url != NULL ? x->url :
		    t->url);
	if (p->ntargets > 1)
		curl_easy_setopt(e, CURLOPT_HTTPHEADER, t->headers);
	p->url_changed |= x->url != NULL;
	curl_easy_setopt(e, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)x->bodylen);
	curl_easy_setopt(e, CURLOPT_POSTFIELDS, x->body);
	curl_easy_setopt(e, CURLOPT_WRITEDATA, x);
	curl_easy_setopt(e, CURLOPT_HEADERDATA, x);
	memset(x->header, 0, sizeof(x->header));
	curl_easy_setopt(e, CURLOPT_ERRORBUFFER, x->error);
	curl_easy_setopt(e, CURLOPT_PRIVATE, x);
	if ((mc = curl_multi_add_handle(p->multi, e)) != CURLM_OK) {
		snprintf(err, errlen, "curl_multi_add_handle: %s",
		    curl_multi_strerror(mc));
		x->handle = NULL;
		return -1;
	}
	p->nidle--;
	return 0;
}

static void
finish(struct pool *p, CURL *e, CURLcode rc, long long now)
{
	struct xfer	*x;
	char		*priv;
	long		 n, version;

	curl_easy_getinfo(e, CURLINFO_PRIVATE, &priv);
	x = (struct xfer *)priv;
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
	else
		x->result = XFER_NETWORK;
	/* The error buffer can stay empty (HTTP/2 stream errors do that). */
	if (rc != CURLE_OK && x->error[0] == '\0')
		strlcpy(x->error, curl_easy_strerror(rc), sizeof(x->error));
	curl_multi_remove_handle(p->multi, e);
	curl_easy_setopt(e, CURLOPT_ERRORBUFFER, NULL);
	x->handle = NULL;
	p->idle[p->nidle++] = e;
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
