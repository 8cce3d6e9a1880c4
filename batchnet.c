/*
 * --batch-api's requests.  See batchnet.h.
 */
#include <err.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <curl/curl.h>

#include "batchnet.h"
#include "lib/bapi.h"
#include "lib/clock.h"
#include "lib/json.h"
#include "lib/request.h"
#include "lib/verdict.h"
#include "tty.h"

#define TICK_MS		1000	/* the progress line, and the clock */

struct bnet {
	const struct config	*cfg;
	const struct provider	*provider;
	int			 sigfd;
	int			 signal;
	void			(*tick)(void *);
	void			*arg;
	CURLM			*multi;
	CURL			*easy;
	struct curl_slist	*hdrs;		/* the provider's, Expect: */
	struct curl_slist	*jhdrs;		/* and a JSON body's */
	struct buf		 url;
	struct buf		 resp;
	long long		 resp_max;
	char			 curlerr[CURL_ERROR_SIZE];
	struct json		*json;
};

struct bnet *
bnet_new(const struct config *cfg, const struct provider *prov, int sigfd,
    void (*tick)(void *), void *arg)
{
	const char *const	*h;
	struct bnet		*n;
	size_t			 k, nh;

	if ((n = calloc(1, sizeof(*n))) == NULL || (n->json = json_new()) ==
	    NULL)
		err(2, NULL);
	n->cfg = cfg;
	n->provider = prov;
	n->sigfd = sigfd;
	n->tick = tick;
	n->arg = arg;
	n->resp_max = BNET_API_MAX;
	if ((n->multi = curl_multi_init()) == NULL ||
	    (n->easy = curl_easy_init()) == NULL)
		errx(2, "cannot initialise libcurl");
	h = provider_headers(prov, &nh);
	for (k = 0; k < nh; k++)
		if ((n->hdrs = curl_slist_append(n->hdrs, h[k])) == NULL ||
		    (n->jhdrs = curl_slist_append(n->jhdrs, h[k])) == NULL)
			err(2, NULL);
	if ((n->hdrs = curl_slist_append(n->hdrs, "Expect:")) == NULL ||
	    (n->jhdrs = curl_slist_append(n->jhdrs, "Expect:")) == NULL ||
	    (n->jhdrs = curl_slist_append(n->jhdrs,
	    "Content-Type: application/json")) == NULL)
		err(2, NULL);
	return n;
}

void
bnet_free(struct bnet *n)
{
	if (n == NULL)
		return;
	curl_easy_cleanup(n->easy);
	curl_multi_cleanup(n->multi);
	curl_slist_free_all(n->hdrs);
	curl_slist_free_all(n->jhdrs);
	buf_free(&n->url);
	buf_free(&n->resp);
	json_free(n->json);
	free(n);
}

struct buf *
bnet_response(struct bnet *n)
{
	return &n->resp;
}

void
bnet_limit(struct bnet *n, long long max)
{
	n->resp_max = max;
}

int
bnet_signal(const struct bnet *n)
{
	return n->signal;
}

static size_t
write_cb(char *data, size_t size, size_t len, void *arg)
{
	struct bnet	*n = arg;

	(void)size;
	if ((long long)(n->resp.len + len) > n->resp_max ||
	    buf_add(&n->resp, data, len) == -1)
		return 0;
	return len;
}

/*
 * A signal came: SIGINT, SIGTERM or SIGHUP end the run; SIGUSR1 and
 * SIGUSR2 are notes for a real-time run's window, which this mode has not.
 */
static int
take_signal(struct bnet *n)
{
	char	 sig;

	while (read(n->sigfd, &sig, 1) == 1)
		if (sig != SIGUSR1 && sig != SIGUSR2 && !n->signal)
			n->signal = sig;
	return n->signal ? BNET_INTERRUPTED : 0;
}

/* The one wait of the mode: until a transfer moves, a signal comes, or
 * ms (at most a tick) pass. */
static int
wait_once(struct bnet *n, long long ms)
{
	struct curl_waitfd	 w = { n->sigfd, CURL_WAIT_POLLIN, 0 };

	if (ms > TICK_MS)
		ms = TICK_MS;
	if (ms < 0)
		ms = 0;
	if (curl_multi_poll(n->multi, &w, 1, (int)ms, NULL) != CURLM_OK)
		errx(1, "curl_multi_poll failed");
	if (w.revents & CURL_WAIT_POLLIN)
		return take_signal(n);
	return 0;
}

int
bnet_wait(struct bnet *n, long long ms)
{
	long long	 until = clock_ms() + ms, now;

	while ((now = clock_ms()) < until) {
		if (n->tick != NULL)
			n->tick(n->arg);
		if (wait_once(n, until - now) == BNET_INTERRUPTED)
			return BNET_INTERRUPTED;
	}
	return 0;
}

static void
set(CURLcode rc)
{
	if (rc != CURLE_OK)
		errx(2, "libcurl refused an option: %s",
		    curl_easy_strerror(rc));
}

/*
 * One request, driven by the wait: 0 with *status and n->resp; -1 and
 * err on a transport failure; BNET_INTERRUPTED.
 */
static int
http(struct bnet *n, const char *body, const char *upload, size_t uplen,
    const char *name, long *status, char *err, size_t errlen)
{
	CURL		*e = n->easy;
	CURLMsg		*m;
	curl_mime	*mime = NULL;
	CURLcode	 rc = CURLE_OK;
	int		 running, left, done = 0, rv = 0;

	buf_reset(&n->resp);
	n->curlerr[0] = '\0';
	curl_easy_reset(e);
	set(curl_easy_setopt(e, CURLOPT_URL, n->url.data));
	set(curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, write_cb));
	set(curl_easy_setopt(e, CURLOPT_WRITEDATA, n));
	set(curl_easy_setopt(e, CURLOPT_ERRORBUFFER, n->curlerr));
	set(curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L));
	set(curl_easy_setopt(e, CURLOPT_TIMEOUT_MS, (long)n->cfg->timeout *
	    1000L));
	set(curl_easy_setopt(e, CURLOPT_CAINFO, n->cfg->cacert));
	set(curl_easy_setopt(e, CURLOPT_HTTPHEADER, body != NULL ? n->jhdrs :
	    n->hdrs));
	if (body != NULL)
		set(curl_easy_setopt(e, CURLOPT_POSTFIELDS, body));
	if (upload != NULL && bapi_upload(e, &mime, upload, uplen,
	    name) == -1)
		errx(2, "libcurl refused the upload");
	if (curl_multi_add_handle(n->multi, e) != CURLM_OK)
		errx(2, "libcurl refused a transfer");
	while (!done) {
		if (curl_multi_perform(n->multi, &running) != CURLM_OK)
			errx(1, "curl_multi_perform failed");
		while ((m = curl_multi_info_read(n->multi, &left)) != NULL)
			if (m->msg == CURLMSG_DONE) {
				rc = m->data.result;
				done = 1;
			}
		if (done)
			break;
		if (n->tick != NULL)
			n->tick(n->arg);
		if ((rv = wait_once(n, TICK_MS)) == BNET_INTERRUPTED)
			break;
	}
	curl_multi_remove_handle(n->multi, e);
	curl_mime_free(mime);
	if (rv == BNET_INTERRUPTED)
		return rv;
	if (rc != CURLE_OK) {
		snprintf(err, errlen, "%s", n->curlerr[0] != '\0' ?
		    n->curlerr : curl_easy_strerror(rc));
		return -1;
	}
	curl_easy_getinfo(e, CURLINFO_RESPONSE_CODE, status);
	return 0;
}

/* The server's words on a failure, for a message. */
static void
server_words(struct bnet *n, long status, char *err, size_t errlen)
{
	struct buf	 msg = { 0 }, code = { 0 };

	if (request_error(n->json, n->resp.data, n->resp.len, &msg,
	    &code) == 0 && msg.len > 0)
		snprintf(err, errlen, "HTTP %ld: %.*s", status, (int)msg.len,
		    msg.data);
	else
		snprintf(err, errlen, "HTTP %ld", status);
	buf_free(&msg);
	buf_free(&code);
}

int
bnet_call(struct bnet *n, const char *what, const char *path,
    const char *body, const char *upload, size_t uplen, const char *name,
    char *err, size_t errlen)
{
	long	 status = 0;
	int	 tries, rv;

	buf_reset(&n->url);
	if (bapi_url(&n->url, provider_base(n->provider), n->cfg->azure,
	    n->cfg->api_version, path) == -1) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	for (tries = 0;; tries++) {
		rv = http(n, body, upload, uplen, name, &status, err, errlen);
		if (rv == BNET_INTERRUPTED)
			return rv;
		if (rv == 0 && status >= 200 && status <= 299)
			return 0;
		if (rv == 0) {
			server_words(n, status, err, errlen);
			/* Every other call would meet the same. */
			if (status == 401 || status == 403 || status == 404) {
				tty_clear();
				errx(3, "%s: %s%s", what, err, status == 401 ?
				    " (check OPENAI_API_KEY or "
				    "--api-key-file)" : "");
			}
			if (!verdict_retryable(status))
				return -1;
		}
		if (tries >= n->cfg->retries)
			return -1;
		if (n->cfg->verbose > 0)
			say("%s: %s; trying again", what, err);
		if (bnet_wait(n, verdict_backoff(tries + 1)) ==
		    BNET_INTERRUPTED)
			return BNET_INTERRUPTED;
	}
}
