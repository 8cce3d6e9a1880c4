/*
 * --batch-api: the driver.  See batchrun.h.
 */
#include <err.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <curl/curl.h>

#include "batchrun.h"
#include "lib/bapi.h"
#include "lib/bstate.h"
#include "lib/buf.h"
#include "lib/clock.h"
#include "lib/input.h"
#include "lib/json.h"
#include "lib/lines.h"
#include "lib/provider.h"
#include "lib/record.h"
#include "lib/request.h"
#include "lib/rows.h"
#include "tty.h"

#define INTERRUPTED	-2	/* a transfer cut short by a signal */
#define API_MAX		(16 * 1024 * 1024)	/* an API object's bytes */
#define CONTENT_MAX	(4LL * 1024 * 1024 * 1024)	/* a result file */

/* A row that needs a request, kept from the input until it is written. */
struct brow {
	char		*key;		/* its custom_id */
	size_t		 keylen;
	char		*text;		/* the input line */
	size_t		 len;
	uint64_t	 lineno;
	uint64_t	 seq;
	int		 written;	/* in this run or an earlier one */
};

/* What the run knows of each file's batch, by STATE's file index. */
struct blive {
	enum bapi_status status;
	long long	 completed, failed, total;
};

struct brun {
	const struct config	*cfg;
	struct parts		*p;
	struct output		*out;
	struct stats		*st;
	struct bstate		*state;
	int			 sigfd;
	int			 signal;
	CURLM			*multi;
	CURL			*easy;
	struct curl_slist	*hdrs;		/* the provider's, no 100-continue */
	struct curl_slist	*jhdrs;		/* and a JSON body's */
	struct buf		 resp;
	long long		 resp_max;
	char			 curlerr[CURL_ERROR_SIZE];
	struct json		*json;
	struct rows		*rowpool;
	struct brow		*rows;		/* in input order */
	struct brow		**index;	/* by custom_id */
	size_t			 nrows;
	struct blive		*live;
	size_t			 nlive;
	struct buf		 url;
	struct buf		 body;
	struct buf		 result;	/* scratch: a result's custom_id */
	long long		 next_poll;
	int			 submitted, done;	/* batches, this run */
};

static int
key_cmp(const void *a, const void *b)
{
	const struct brow	*x = a, *y = b;
	int			 c;

	c = memcmp(x->key, y->key, x->keylen < y->keylen ? x->keylen :
	    y->keylen);
	if (c != 0)
		return c;
	return x->keylen < y->keylen ? -1 : x->keylen > y->keylen;
}

static int
index_cmp(const void *a, const void *b)
{
	return key_cmp(*(struct brow *const *)a, *(struct brow *const *)b);
}

static struct brow *
find_row(struct brun *b, const char *key, size_t len)
{
	struct brow	 k = { (char *)key, len }, *kp = &k, **f;

	f = bsearch(&kp, b->index, b->nrows, sizeof(*b->index), index_cmp);
	return f != NULL ? *f : NULL;
}

static size_t
write_cb(char *data, size_t size, size_t n, void *arg)
{
	struct brun	*b = arg;

	if ((long long)(b->resp.len + n) > b->resp_max ||
	    buf_add(&b->resp, data, n) == -1)
		return 0;
	(void)size;
	return n;
}

/*
 * A signal came: SIGINT, SIGTERM or SIGHUP end the run; the rest are
 * notes for a real-time run's window, which this mode has not.
 */
static int
take_signal(struct brun *b)
{
	char	 sig;

	while (read(b->sigfd, &sig, 1) == 1)
		if (sig != SIGUSR1 && sig != SIGUSR2 && !b->signal)
			b->signal = sig;
	return b->signal ? INTERRUPTED : 0;
}

/*
 * The one wait of the mode: curl's sockets and the signal pipe, until a
 * transfer moves, a signal comes or ms pass.
 */
static int
wait_net(struct brun *b, long long ms)
{
	struct curl_waitfd	 w = { b->sigfd, CURL_WAIT_POLLIN, 0 };

	if (ms > 1000)
		ms = 1000;		/* the progress line, and the clock */
	if (curl_multi_poll(b->multi, &w, 1, (int)ms, NULL) != CURLM_OK)
		errx(1, "curl_multi_poll failed");
	if (w.revents & CURL_WAIT_POLLIN)
		return take_signal(b);
	return 0;
}

static void
draw(struct brun *b)
{
	char		 line[256];
	size_t		 k;
	long long	 done = 0, total = 0;
	int		 live = 0, ended = 0;

	for (k = 0; k < bstate_nfiles(b->state) && k < b->nlive; k++) {
		if (bstate_file(b->state, k)->ended) {
			ended++;
			continue;
		}
		if (bstate_file(b->state, k)->batch[0] != '\0')
			live++;
		if (b->live[k].total > 0) {
			total += b->live[k].total;
			done += b->live[k].completed + b->live[k].failed;
		}
	}
	snprintf(line, sizeof(line), "batches: %d submitted, %d in progress, "
	    "%d done; requests %lld/%lld; rows %llu written, %llu failed",
	    b->submitted, live, ended, done, total,
	    (unsigned long long)b->st->ok, (unsigned long long)b->st->failed);
	tty_draw_text(line, clock_ms());
}

/*
 * One request, driven by the loop: GET (body and upload NULL), POST of a
 * JSON body, or POST of a multipart upload.  0 with *status and b->resp;
 * -1 and err on a transport failure; INTERRUPTED.
 */
static int
http(struct brun *b, const char *url, const char *body, const char *upload,
    size_t uplen, const char *name, long *status, char *err, size_t errlen)
{
	CURL		*e = b->easy;
	CURLMsg		*m;
	curl_mime	*mime = NULL;
	CURLcode	 rc = CURLE_OK;
	int		 running, left, done = 0, rv = 0;

	buf_reset(&b->resp);
	b->curlerr[0] = '\0';
	curl_easy_reset(e);
	if (curl_easy_setopt(e, CURLOPT_URL, url) != CURLE_OK ||
	    curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, write_cb) != CURLE_OK ||
	    curl_easy_setopt(e, CURLOPT_WRITEDATA, b) != CURLE_OK ||
	    curl_easy_setopt(e, CURLOPT_ERRORBUFFER, b->curlerr) != CURLE_OK ||
	    curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L) != CURLE_OK ||
	    curl_easy_setopt(e, CURLOPT_TIMEOUT_MS, (long)b->cfg->timeout *
	    1000L) != CURLE_OK ||
	    curl_easy_setopt(e, CURLOPT_CAINFO, b->cfg->cacert) != CURLE_OK ||
	    curl_easy_setopt(e, CURLOPT_HTTPHEADER, body != NULL ? b->jhdrs :
	    b->hdrs) != CURLE_OK)
		errx(2, "libcurl refused an option");
	if (body != NULL && (curl_easy_setopt(e, CURLOPT_POSTFIELDS,
	    body) != CURLE_OK))
		errx(2, "libcurl refused an option");
	if (upload != NULL && bapi_upload(e, &mime, upload, uplen,
	    name) == -1)
		errx(2, "libcurl refused the upload");
	if (curl_multi_add_handle(b->multi, e) != CURLM_OK)
		errx(2, "libcurl refused a transfer");
	while (!done) {
		if (curl_multi_perform(b->multi, &running) != CURLM_OK)
			errx(1, "curl_multi_perform failed");
		while ((m = curl_multi_info_read(b->multi, &left)) != NULL)
			if (m->msg == CURLMSG_DONE) {
				rc = m->data.result;
				done = 1;
			}
		if (done)
			break;
		draw(b);
		if ((rv = wait_net(b, 1000)) == INTERRUPTED)
			break;
	}
	curl_multi_remove_handle(b->multi, e);
	curl_mime_free(mime);
	if (rv == INTERRUPTED)
		return INTERRUPTED;
	if (rc != CURLE_OK) {
		snprintf(err, errlen, "%s", b->curlerr[0] != '\0' ? b->curlerr :
		    curl_easy_strerror(rc));
		return -1;
	}
	curl_easy_getinfo(e, CURLINFO_RESPONSE_CODE, status);
	return 0;
}

/* The server's words on a failure, for a message. */
static void
server_words(struct brun *b, long status, char *err, size_t errlen)
{
	struct buf	 msg = { 0 }, code = { 0 };

	if (request_error(b->json, b->resp.data, b->resp.len, &msg,
	    &code) == 0 && msg.len > 0)
		snprintf(err, errlen, "HTTP %ld: %.*s", status, (int)msg.len,
		    msg.data);
	else
		snprintf(err, errlen, "HTTP %ld", status);
	buf_free(&msg);
	buf_free(&code);
}

/*
 * A call to the API, tried again on what is worth it (network, 408, 409,
 * 429, 5xx) up to -r times; a 401 or 404 stops the run with status 3.
 * 0 with a 2xx in b->resp; INTERRUPTED; -1 and err otherwise.
 */
static int
call(struct brun *b, const char *what, const char *url, const char *body,
    const char *upload, size_t uplen, const char *name, char *err,
    size_t errlen)
{
	long long	 until;
	long		 status = 0;
	int		 tries, rv;

	for (tries = 0;; tries++) {
		rv = http(b, url, body, upload, uplen, name, &status, err,
		    errlen);
		if (rv == INTERRUPTED)
			return rv;
		if (rv == 0 && status >= 200 && status <= 299)
			return 0;
		if (rv == 0) {
			server_words(b, status, err, errlen);
			if (status == 401 || status == 403 || status == 404) {
				tty_clear();
				errx(3, "%s: %s%s", what, err, status == 401 ?
				    " (check OPENAI_API_KEY or "
				    "--api-key-file)" : "");
			}
			if (!verdict_retryable(status))
				return -1;
		}
		if (tries >= b->cfg->retries)
			return -1;
		if (b->cfg->verbose > 0)
			say("%s: %s; trying again", what, err);
		until = clock_ms() + verdict_backoff(tries + 1);
		while (clock_ms() < until)
			if (wait_net(b, until - clock_ms()) == INTERRUPTED)
				return INTERRUPTED;
	}
}

static void
url_for(struct brun *b, const char *fmt, const char *id)
{
	char	 path[BAPI_ID_MAX + 64];

	snprintf(path, sizeof(path), fmt, id);
	buf_reset(&b->url);
	if (bapi_url(&b->url, provider_base(b->p->provider), b->cfg->azure,
	    b->cfg->api_version, path) == -1)
		err(1, NULL);
}

static void
state_fail(const char *what, const char *e)
{
	tty_clear();
	errx(1, "--batch-api: %s: %s", what, e);
}

/* Grow b->live to cover every file STATE knows. */
static void
grow_live(struct brun *b)
{
	struct blive	*v;
	size_t		 n = bstate_nfiles(b->state);

	if (n <= b->nlive)
		return;
	if ((v = reallocarray(b->live, n, sizeof(*v))) == NULL)
		err(1, NULL);
	memset(v + b->nlive, 0, (n - b->nlive) * sizeof(*v));
	b->live = v;
	b->nlive = n;
}

/* The row back from its input line, through the input module again. */
static struct row *
load_row(struct brun *b, const struct brow *br)
{
	struct line	 ln = { br->text, br->len, br->lineno, 0 };
	struct row	*r;

	if ((r = rows_get(b->rowpool)) == NULL)
		err(1, NULL);
	buf_reset(&r->xfer.resp);
	if (input_load(b->p->input, r, &ln) != INPUT_SEND)
		errx(1, "internal error: row %llu changed its mind",
		    (unsigned long long)br->lineno);
	r->seq = br->seq;
	return r;
}

/* The row's line is made: out it goes, and it is counted. */
static void
emit(struct brun *b, struct row *r)
{
	if (output_line(b->out, r->seq, r->failed, r->line.data,
	    r->line.len) == -1)
		err(1, NULL);
	stats_add(&b->st->prompt_tokens, r->prompt_tokens);
	stats_add(&b->st->completion_tokens, r->completion_tokens);
	if (r->failed) {
		b->st->failed++;
		if (b->cfg->verbose > 0)
			say("row %.*s failed: %s%.*s", (int)r->id.len,
			    r->id.data, r->status > 0 ? "" : "",
			    (int)r->msg.len, r->msg.data != NULL ?
			    r->msg.data : "");
	} else
		b->st->ok++;
}

/*
 * One result line for a row: the same path a real-time response takes,
 * so --json, --meta, --errors and the error types are what they are
 * there.  A non-2xx, or an error with no response, is an error record.
 */
static void
deliver(struct brun *b, struct brow *br, const struct bapi_result *res)
{
	struct row	*r = load_row(b, br);
	enum row_error	 type = ROW_ERR_PARSE;
	char		 why[400];
	int		 rv;

	r->attempts = 1;
	r->xfer.result = XFER_RESPONSE;
	r->xfer.status = res->status;
	r->xfer.elapsed_ms = -1;
	if (res->body != NULL && buf_add(&r->xfer.resp, res->body,
	    res->bodylen) == -1)
		err(1, NULL);
	if (res->status >= 200 && res->status <= 299) {
		if ((rv = record_response(b->p->record, r, why,
		    sizeof(why))) == -1)
			err(1, NULL);
		if (rv != RECORD_WRITTEN) {
			if (rv == RECORD_TRUNCATED)
				type = ROW_ERR_TRUNCATED;
			else if (rv == RECORD_REFUSED)
				type = ROW_ERR_REFUSED;
			rows_set_error(r, type, res->status);
			if (buf_adds(&r->msg, why) == -1 ||
			    record_error(b->p->record, r) == -1)
				err(1, NULL);
		}
	} else if (res->status > 0) {
		rows_set_error(r, ROW_ERR_HTTP, res->status);
		if (request_error(b->json, r->xfer.resp.data, r->xfer.resp.len,
		    &r->msg, &b->body) == -1 ||
		    record_error(b->p->record, r) == -1)
			err(1, NULL);
	} else {
		rows_set_error(r, ROW_ERR_HTTP, 0);
		snprintf(why, sizeof(why), "%s%s%s", res->code, *res->code &&
		    *res->msg ? ": " : "", res->msg);
		if (buf_adds(&r->msg, why) == -1 ||
		    record_error(b->p->record, r) == -1)
			err(1, NULL);
	}
	emit(b, r);
	rows_put(b->rowpool, r);
	br->written = 1;
}

/* Write what is queued, waiting for the reader: then STATE may say so. */
static void
drain(struct brun *b)
{
	struct pollfd	 pfd = { STDOUT_FILENO, POLLOUT, 0 };

	for (;;) {
		if (output_flush(b->out) == -1) {
			tty_clear();
			if (errno == EPIPE)
				exit(128 + SIGPIPE);
			err(5, "write");
		}
		if (output_pending(b->out) == 0)
			return;
		if (poll(&pfd, 1, -1) == -1 && errno != EINTR)
			err(1, "poll");
	}
}

/* Keys of the rows written, for STATE. */
struct keys {
	const char	**v;
	size_t		 *len;
	size_t		  n;
};

static void
keys_add(struct keys *k, const struct brow *br)
{
	const char	**v;
	size_t		 *l;

	if ((v = reallocarray(k->v, k->n + 1, sizeof(*v))) == NULL)
		err(1, NULL);
	k->v = v;
	if ((l = reallocarray(k->len, k->n + 1, sizeof(*l))) == NULL)
		err(1, NULL);
	k->len = l;
	k->v[k->n] = br->key;
	k->len[k->n++] = br->keylen;
}

static void
keys_free(struct keys *k)
{
	free(k->v);
	free(k->len);
	memset(k, 0, sizeof(*k));
}

/* Download a result file and write its rows: 0, INTERRUPTED, -1. */
static int
download(struct brun *b, const char *file, struct keys *written, char *msg,
    size_t msglen)
{
	struct bapi_result	 res = { 0 };
	struct brow		*br;
	char			*text, *nl, why[256];
	size_t			 off, len;
	int			 rv;

	url_for(b, "/files/%s/content", file);
	b->resp_max = CONTENT_MAX;
	rv = call(b, "download", b->url.data, NULL, NULL, 0, NULL, msg,
	    msglen);
	b->resp_max = API_MAX;
	if (rv != 0)
		return rv;
	/* The response is ours until the next call: take it whole. */
	text = b->resp.data;
	len = b->resp.len;
	b->resp.data = NULL;
	b->resp.len = b->resp.cap = 0;
	res.custom_id = &b->result;
	for (off = 0; off < len; off = nl - text + 1) {
		if ((nl = memchr(text + off, '\n', len - off)) == NULL)
			nl = text + len;
		if (nl > text + off) {
			rv = bapi_parse_result(b->json, text + off,
			    nl - text - off, &res, why, sizeof(why));
			if (rv == -1)
				err(1, NULL);
			if (rv == 1) {
				if (b->cfg->verbose >= 0)
					say("--batch-api: file %s: %s", file,
					    why);
			} else if ((br = find_row(b, b->result.data != NULL ?
			    b->result.data : "", b->result.len)) == NULL) {
				if (b->cfg->verbose >= 0)
					say("--batch-api: file %s: custom_id "
					    "%.*s is no row of the input", file,
					    (int)b->result.len, b->result.data);
			} else if (res.status == 0 &&
			    (strcmp(res.code, "batch_expired") == 0 ||
			    strcmp(res.code, "batch_cancelled") == 0)) {
				/* Not answered, not failed: sent again. */
			} else if (!br->written) {
				deliver(b, br, &res);
				keys_add(written, br);
			}
		}
		if (nl == text + len)
			break;
	}
	free(text);
	return 0;
}

/* A batch is over: its rows out, then STATE told. */
static int
finish_batch(struct brun *b, size_t k, const struct bapi_batch *bb)
{
	const struct bstate_file	*f = bstate_file(b->state, k);
	struct keys			 written = { 0 };
	char				 e[256];
	int				 rv = 0;

	if (bb->output_file_id[0] != '\0')
		rv = download(b, bb->output_file_id, &written, e, sizeof(e));
	if (rv == 0 && bb->error_file_id[0] != '\0')
		rv = download(b, bb->error_file_id, &written, e, sizeof(e));
	if (rv == 0 || rv == INTERRUPTED)
		drain(b);
	if (rv == INTERRUPTED) {
		/* What is written is told; the batch is not over for us. */
		if (written.n > 0 && bstate_add_written(b->state, NULL,
		    written.v, written.len, written.n, e, sizeof(e)) == -1)
			state_fail(b->cfg->batch_api, e);
		keys_free(&written);
		return INTERRUPTED;
	}
	if (rv == -1) {
		if (b->cfg->verbose >= 0)
			say("--batch-api: batch %s: results not read: %s; "
			    "trying again", f->batch, e);
		if (written.n > 0 && bstate_add_written(b->state, NULL,
		    written.v, written.len, written.n, e, sizeof(e)) == -1)
			state_fail(b->cfg->batch_api, e);
		keys_free(&written);
		return 0;
	}
	if (bstate_add_written(b->state, f->batch, written.v, written.len,
	    written.n, e, sizeof(e)) == -1)
		state_fail(b->cfg->batch_api, e);
	if (b->cfg->verbose > 0 || (bb->status != BAPI_COMPLETED &&
	    b->cfg->verbose >= 0))
		say("batch %s %s: %zu of %zu rows answered%s%s", f->batch,
		    bapi_status_name(bb->status), written.n, f->rows,
		    bb->why[0] != '\0' ? ": " : "", bb->why);
	b->done++;
	keys_free(&written);
	return 0;
}

/* Make the batch of file k, unless the API already has one. */
static int
create_batch(struct brun *b, size_t k, int known)
{
	const struct bstate_file	*f = bstate_file(b->state, k);
	struct bapi_batch		 bb;
	char				 id[BAPI_ID_MAX], e[256];
	int				 rv;

	/* Killed between POST /batches and STATE: the API knows. */
	if (known) {
		url_for(b, "/batches%s", "?limit=100");
		if ((rv = call(b, "list batches", b->url.data, NULL, NULL, 0,
		    NULL, e, sizeof(e))) != 0)
			return rv;
		if ((rv = bapi_find_batch(b->json, b->resp.data, b->resp.len,
		    f->id, &bb, e, sizeof(e))) == -1) {
			tty_clear();
			errx(1, "--batch-api: list of batches: %s", e);
		}
		if (rv == 1)
			goto have;
	}
	buf_reset(&b->body);
	if (bapi_create_body(&b->body, f->id, bapi_endpoint(b->cfg->azure)) ==
	    -1 || buf_addc(&b->body, '\0') == -1)
		err(1, NULL);
	url_for(b, "/batches%s", "");
	if ((rv = call(b, "create batch", b->url.data, b->body.data, NULL, 0,
	    NULL, e, sizeof(e))) != 0)
		return rv == -1 ? (tty_clear(), errx(1, "--batch-api: "
		    "create batch: %s", e), -1) : rv;
	if (bapi_parse_batch(b->json, b->resp.data, b->resp.len, &bb, e,
	    sizeof(e)) == -1) {
		tty_clear();
		errx(1, "--batch-api: create batch: %s", e);
	}
have:
	strlcpy(id, bb.id, sizeof(id));
	if (bstate_add_batch(b->state, id, f->id, e, sizeof(e)) == -1)
		state_fail(b->cfg->batch_api, e);
	b->submitted++;
	if (b->cfg->verbose > 0)
		say("batch %s: %zu rows, file %s%s", id, f->rows, f->id,
		    known ? " (found at the provider)" : "");
	return 0;
}

/* Upload these rows as one file, then make its batch. */
static int
submit(struct brun *b, struct brow **v, size_t n, const struct buf *lines)
{
	struct keys	 keys = { 0 };
	char		 id[BAPI_ID_MAX], e[256], name[64];
	size_t		 k;
	int		 rv;

	snprintf(name, sizeof(name), "enrich-%lld.jsonl", clock_ms());
	url_for(b, "/files%s", "");
	if ((rv = call(b, "upload", b->url.data, NULL, lines->data,
	    lines->len, name, e, sizeof(e))) != 0) {
		if (rv == -1) {
			tty_clear();
			errx(1, "--batch-api: upload: %s", e);
		}
		return rv;
	}
	if (bapi_parse_file(b->json, b->resp.data, b->resp.len, id, e,
	    sizeof(e)) == -1) {
		tty_clear();
		errx(1, "--batch-api: upload: %s", e);
	}
	for (k = 0; k < n; k++)
		keys_add(&keys, v[k]);
	if (bstate_add_file(b->state, id, keys.v, keys.len, keys.n, e,
	    sizeof(e)) == -1)
		state_fail(b->cfg->batch_api, e);
	keys_free(&keys);
	grow_live(b);
	return create_batch(b, bstate_nfiles(b->state) - 1, 0);
}

/* Where a row stands: 0 written, 1 in a batch not over, 2 to send, 3 to
 * give up on (sent in more batches than -r allows). */
static int
standing(struct brun *b, const struct brow *br)
{
	const struct bstate_row	*s;

	if (br->written)
		return 0;
	if ((s = bstate_row(b->state, br->key, br->keylen)) == NULL)
		return 2;
	if (s->written)
		return 0;
	if (s->file >= 0 && !bstate_file(b->state, s->file)->ended)
		return 1;
	return s->tries > b->cfg->retries ? 3 : 2;
}

/* Rows sent in too many batches that never answered them: errors. */
static void
give_up(struct brun *b, struct brow *br, struct keys *keys)
{
	struct row	*r = load_row(b, br);
	char		 why[128];

	r->attempts = bstate_row(b->state, br->key, br->keylen)->tries;
	rows_set_error(r, ROW_ERR_HTTP, 0);
	snprintf(why, sizeof(why), "no answer from %d batch%s (expired, "
	    "failed or cancelled)", r->attempts, r->attempts == 1 ? "" :
	    "es");
	if (buf_adds(&r->msg, why) == -1 || record_error(b->p->record,
	    r) == -1)
		err(1, NULL);
	emit(b, r);
	rows_put(b->rowpool, r);
	br->written = 1;
	keys_add(keys, br);
}

/*
 * Send every row that needs it, in files of at most --batch-size rows
 * and BAPI_FILE_MAX bytes.  The number of rows still to be answered
 * (sent or not), or INTERRUPTED.
 */
static long long
send_rows(struct brun *b)
{
	struct buf	 lines = { 0 };
	struct brow	**v = NULL;
	struct keys	 lost = { 0 };
	struct row	*r;
	const char	*endpoint = bapi_endpoint(b->cfg->azure);
	char		 e[256];
	long long	 open = 0;
	size_t		 k, n = 0, before;
	int		 rv = 0;

	if ((v = reallocarray(NULL, b->cfg->batch_size, sizeof(*v))) == NULL)
		err(1, NULL);
	for (k = 0; k <= b->nrows && rv == 0; k++) {
		if (k < b->nrows) {
			switch (standing(b, &b->rows[k])) {
			case 0:
				continue;
			case 1:
				open++;
				continue;
			case 3:
				give_up(b, &b->rows[k], &lost);
				continue;
			}
			open++;
			r = load_row(b, &b->rows[k]);
			before = lines.len;
			if (bapi_request_line(&lines, b->rows[k].key,
			    b->rows[k].keylen, endpoint, r->body.data,
			    r->body.len) == -1)
				err(1, NULL);
			rows_put(b->rowpool, r);
			/* Too big for this file: it starts the next. */
			if ((long long)lines.len > BAPI_FILE_MAX && n > 0) {
				lines.len = before;
				k--;
				open--;
			} else {
				v[n++] = &b->rows[k];
				if (n < (size_t)b->cfg->batch_size)
					continue;
			}
		}
		if (n > 0)
			rv = submit(b, v, n, &lines);
		n = 0;
		buf_reset(&lines);
	}
	if (lost.n > 0) {
		drain(b);
		if (bstate_add_written(b->state, NULL, lost.v, lost.len,
		    lost.n, e, sizeof(e)) == -1)
			state_fail(b->cfg->batch_api, e);
	}
	keys_free(&lost);
	buf_free(&lines);
	free(v);
	return rv == INTERRUPTED ? INTERRUPTED : open;
}

/* Ask after every batch not over; write those that are. */
static int
poll_batches(struct brun *b)
{
	const struct bstate_file	*f;
	struct bapi_batch		 bb;
	char				 e[256];
	size_t				 k;
	int				 rv;

	grow_live(b);
	for (k = 0; k < bstate_nfiles(b->state); k++) {
		f = bstate_file(b->state, k);
		if (f->ended || f->batch[0] == '\0')
			continue;
		url_for(b, "/batches/%s", f->batch);
		if ((rv = call(b, "poll", b->url.data, NULL, NULL, 0, NULL, e,
		    sizeof(e))) == INTERRUPTED)
			return rv;
		if (rv == -1 || bapi_parse_batch(b->json, b->resp.data,
		    b->resp.len, &bb, e, sizeof(e)) == -1) {
			if (b->cfg->verbose >= 0)
				say("batch %s: %s", f->batch, e);
			continue;
		}
		if (bb.status != b->live[k].status && b->cfg->verbose > 0)
			say("batch %s: %s (%lld of %lld requests done)",
			    f->batch, bapi_status_name(bb.status),
			    bb.completed + bb.failed, bb.total);
		b->live[k].status = bb.status;
		b->live[k].total = bb.total;
		b->live[k].completed = bb.completed;
		b->live[k].failed = bb.failed;
		if (bapi_status_final(bb.status) &&
		    (rv = finish_batch(b, k, &bb)) == INTERRUPTED)
			return rv;
	}
	return 0;
}

/* The custom_id of a loaded row: its ID as a string, or its number. */
static void
set_key(struct brow *br, const struct row *r)
{
	struct buf	 k = { 0 };

	if (!r->idmissing && r->id.data[0] == '"') {
		if (json_decode_string(&k, r->id.data + 1, r->id.len - 2) == -1)
			err(1, NULL);
	} else if (buf_add(&k, r->id.data, r->id.len) == -1)
		err(1, NULL);
	if (buf_addc(&k, '\0') == -1)
		err(1, NULL);
	br->key = k.data;
	br->keylen = k.len - 1;
}

static int
key_line_cmp(const void *a, const void *c)
{
	const struct brow	*x = *(struct brow *const *)a;
	const struct brow	*y = *(struct brow *const *)c;
	int			 r = key_cmp(x, y);

	return r != 0 ? r : x->lineno < y->lineno ? -1 : x->lineno > y->lineno;
}

/*
 * The index by custom_id.  An ID that comes again gets its line number
 * after it, as custom_ids must be unique in a file.
 */
static void
unique_keys(struct brun *b)
{
	struct brow	*br;
	char		*k;
	size_t		 i;

	if ((b->index = reallocarray(NULL, b->nrows + 1,
	    sizeof(*b->index))) == NULL)
		err(1, NULL);
	for (i = 0; i < b->nrows; i++)
		b->index[i] = &b->rows[i];
	qsort(b->index, b->nrows, sizeof(*b->index), key_line_cmp);
	for (i = 1; i < b->nrows; i++) {
		br = b->index[i];
		if (key_cmp(br, b->index[i - 1]) != 0)
			continue;
		if (asprintf(&k, "%.*s#%llu", (int)br->keylen, br->key,
		    (unsigned long long)br->lineno) == -1)
			err(1, NULL);
		free(br->key);
		br->key = k;
		br->keylen = strlen(k);
	}
	qsort(b->index, b->nrows, sizeof(*b->index), index_cmp);
}

/*
 * The whole input: rows that need a request are kept (their lines, not
 * their bodies, which are made again when sent); the others are written
 * now, the first time only.  A dry run writes the request lines.
 */
static int
read_input(struct brun *b, struct lines *in)
{
	struct pollfd	 pfd[2] = { { STDIN_FILENO, POLLIN, 0 },
			    { b->sigfd, POLLIN, 0 } };
	struct brow	*v, *br;
	struct line	 ln;
	struct row	*r;
	size_t		 cap = 0;
	ssize_t		 n;
	int		 rv, first = b->state == NULL || !bstate_read(b->state);
	char		 e[256];

	for (;;) {
		while (lines_next(in, &ln)) {
			if ((r = rows_get(b->rowpool)) == NULL ||
			    (rv = input_load(b->p->input, r, &ln)) == -1)
				err(1, NULL);
			if (rv != INPUT_BLANK) {
				r->seq = b->st->rows_read++;
				b->st->bytes_read = lines_consumed(in);
			}
			if (rv == INPUT_SKIP)
				b->st->skipped++;
			else if (rv == INPUT_WRITE && first)
				emit(b, r);
			else if (rv == INPUT_SEND) {
				if (b->nrows == cap) {
					cap = cap ? 2 * cap : 1024;
					if ((v = reallocarray(b->rows, cap,
					    sizeof(*v))) == NULL)
						err(1, NULL);
					b->rows = v;
				}
				br = &b->rows[b->nrows++];
				memset(br, 0, sizeof(*br));
				set_key(br, r);
				br->lineno = ln.number;
				br->seq = r->seq;
				if ((br->text = malloc(ln.len + 1)) == NULL)
					err(1, NULL);
				memcpy(br->text, ln.text, ln.len);
				br->len = ln.len;
				if (b->cfg->dry_run) {
					buf_reset(&r->line);
					if (bapi_request_line(&r->line,
					    br->key, br->keylen,
					    bapi_endpoint(b->cfg->azure),
					    r->body.data, r->body.len) == -1 ||
					    output_line(b->out, r->seq, 0,
					    r->line.data, r->line.len) == -1)
						err(1, NULL);
				}
			}
			rows_put(b->rowpool, r);
			if (output_pending(b->out) > 0)
				drain(b);
		}
		if (lines_done(in))
			break;
		n = lines_fill(in);
		if (n == -1 && errno != EAGAIN && errno != EINTR)
			err(1, "stdin");
		if (n == -1 && poll(pfd, 2, -1) == -1 && errno != EINTR)
			err(1, "poll");
		if (pfd[1].revents & POLLIN && take_signal(b) == INTERRUPTED)
			return INTERRUPTED;
	}
	unique_keys(b);
	drain(b);
	if (first && b->state != NULL && bstate_add_read(b->state, e,
	    sizeof(e)) == -1)
		state_fail(b->cfg->batch_api, e);
	return 0;
}

static void
net_setup(struct brun *b)
{
	const char *const	*h;
	size_t			 n, k;

	if ((b->multi = curl_multi_init()) == NULL ||
	    (b->easy = curl_easy_init()) == NULL)
		errx(2, "cannot initialise libcurl");
	h = provider_headers(b->p->provider, &n);
	for (k = 0; k < n; k++)
		if ((b->hdrs = curl_slist_append(b->hdrs, h[k])) == NULL ||
		    (b->jhdrs = curl_slist_append(b->jhdrs, h[k])) == NULL)
			err(2, NULL);
	if ((b->hdrs = curl_slist_append(b->hdrs, "Expect:")) == NULL ||
	    (b->jhdrs = curl_slist_append(b->jhdrs, "Expect:")) == NULL ||
	    (b->jhdrs = curl_slist_append(b->jhdrs,
	    "Content-Type: application/json")) == NULL)
		err(2, NULL);
	b->resp_max = API_MAX;
}

static void
brun_init(struct brun *b, const struct config *cfg, struct parts *p,
    struct output *out, struct stats *st, int sigfd)
{
	char	 e[256];

	memset(b, 0, sizeof(*b));
	b->cfg = cfg;
	b->p = p;
	b->out = out;
	b->st = st;
	b->sigfd = sigfd;
	if ((b->json = json_new()) == NULL ||
	    (b->rowpool = rows_new()) == NULL)
		err(2, NULL);
	if (cfg->dry_run)
		return;
	if ((b->state = bstate_open(cfg->batch_api != NULL ? cfg->batch_api :
	    cfg->batch_cancel, e, sizeof(e))) == NULL) {
		tty_clear();
		errx(2, "%s %s: %s", cfg->batch_api != NULL ? "--batch-api" :
		    "--batch-cancel", cfg->batch_api != NULL ? cfg->batch_api :
		    cfg->batch_cancel, e);
	}
	net_setup(b);
}

static void
brun_free(struct brun *b)
{
	size_t	 k;

	for (k = 0; k < b->nrows; k++) {
		free(b->rows[k].key);
		free(b->rows[k].text);
	}
	free(b->rows);
	free(b->index);
	free(b->live);
	if (b->easy != NULL)
		curl_easy_cleanup(b->easy);
	if (b->multi != NULL)
		curl_multi_cleanup(b->multi);
	curl_slist_free_all(b->hdrs);
	curl_slist_free_all(b->jhdrs);
	buf_free(&b->resp);
	buf_free(&b->url);
	buf_free(&b->body);
	buf_free(&b->result);
	json_free(b->json);
	rows_free(b->rowpool);
	bstate_free(b->state);
}

/* Batches of STATE not over yet. */
static int
unfinished(const struct brun *b)
{
	size_t	 k;
	int	 n = 0;

	for (k = 0; k < bstate_nfiles(b->state); k++)
		n += !bstate_file(b->state, k)->ended;
	return n;
}

static int
interrupted(struct brun *b)
{
	int	 n = unfinished(b);

	drain(b);
	tty_clear();
	if (n > 0)
		warnx("interrupted: %d batch%s keep%s running at the provider "
		    "(paid for); run the same command again to resume, or "
		    "'enrich --batch-cancel %s' to cancel", n, n == 1 ? "" :
		    "es", n == 1 ? "s" : "", b->cfg->batch_api);
	else
		warnx("interrupted: no batch was running; run the same "
		    "command again to resume");
	return 128 + b->signal;
}

int
batchrun(const struct config *cfg, struct parts *p, struct output *out,
    struct stats *st, int sigfd)
{
	struct brun	 b;
	struct lines	*in;
	char		 e[256];
	long long	 open, now;
	size_t		 k;
	int		 status;

	brun_init(&b, cfg, p, out, st, sigfd);
	if (b.state != NULL && bstate_complete(b.state)) {
		if (cfg->verbose >= 0)
			warnx("%s: every row was written by an earlier run",
			    cfg->batch_api);
		brun_free(&b);
		return 0;
	}
	if ((in = lines_new(STDIN_FILENO, cfg->max_line)) == NULL)
		err(2, NULL);
	if (read_input(&b, in) == INTERRUPTED || cfg->dry_run) {
		lines_free(in);
		status = b.signal ? 128 + b.signal : 0;
		brun_free(&b);
		return status;
	}
	lines_free(in);
	grow_live(&b);
	/* Uploaded, then killed before its batch was made, or told. */
	for (k = 0; k < bstate_nfiles(b.state); k++)
		if (bstate_file(b.state, k)->batch[0] == '\0' &&
		    create_batch(&b, k, 1) == INTERRUPTED)
			goto stop;
	for (;;) {
		if ((open = send_rows(&b)) == INTERRUPTED)
			goto stop;
		if (open == 0 && unfinished(&b) == 0)
			break;
		now = clock_ms();
		if (now >= b.next_poll) {
			if (poll_batches(&b) == INTERRUPTED)
				goto stop;
			b.next_poll = clock_ms() + cfg->batch_poll * 1000;
			continue;
		}
		draw(&b);
		if (wait_net(&b, b.next_poll - now) == INTERRUPTED)
			goto stop;
	}
	drain(&b);
	if (bstate_add_complete(b.state, e, sizeof(e)) == -1)
		state_fail(cfg->batch_api, e);
	status = st->failed > 0;
	brun_free(&b);
	return status;
stop:
	status = interrupted(&b);
	brun_free(&b);
	return status;
}

int
batchrun_cancel(const struct config *cfg, struct parts *p, int sigfd)
{
	const struct bstate_file	*f;
	struct brun			 b;
	struct stats			 st = { 0 };
	char				 e[256];
	size_t				 k;
	int				 n = 0, failed = 0, rv;

	brun_init(&b, cfg, p, NULL, &st, sigfd);
	for (k = 0; k < bstate_nfiles(b.state); k++) {
		f = bstate_file(b.state, k);
		if (f->ended || f->batch[0] == '\0')
			continue;
		url_for(&b, "/batches/%s/cancel", f->batch);
		rv = call(&b, "cancel", b.url.data, "{}", NULL, 0, NULL, e,
		    sizeof(e));
		if (rv == INTERRUPTED)
			break;
		if (rv == -1) {
			warnx("batch %s: not cancelled: %s", f->batch, e);
			failed++;
			continue;
		}
		n++;
		if (cfg->verbose > 0)
			warnx("batch %s: cancelling", f->batch);
	}
	if (cfg->verbose >= 0)
		warnx("%s: %d batch%s cancelled%s", cfg->batch_cancel, n,
		    n == 1 ? "" : "es", n > 0 ? "; the same command with "
		    "--batch-api writes what they answered and sends the "
		    "rest again" : "");
	rv = b.signal ? 128 + b.signal : failed > 0;
	brun_free(&b);
	return rv;
}
