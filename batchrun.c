/*
 * --batch-api: the driver.  See batchrun.h.
 */
#include <err.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "batchfetch.h"
#include "batchnet.h"
#include "batchrows.h"
#include "batchrun.h"
#include "lib/bapi.h"
#include "lib/bstate1.h"
#include "lib/buf.h"
#include "lib/clock.h"
#include "lib/json.h"
#include "tty.h"

#define INTERRUPTED	BNET_INTERRUPTED

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
	struct bstate1		*state;
	int			 sigfd;
	int			 signal;	/* cut the input short */
	struct bnet		*net;
	struct json		*json;
	struct brows		*rows;
	struct blive		*live;
	size_t			 nlive;
	struct buf		 path;		/* scratch: an API path */
	struct buf		 body;
	long long		 next_poll;
	int			 submitted, done;	/* batches, this run */
};

static void
draw(void *arg)
{
	struct brun	*b = arg;
	char		 line[256];
	size_t		 k;
	long long	 done = 0, total = 0;
	int		 live = 0, ended = 0;

	for (k = 0; k < bstate1_nfiles(b->state) && k < b->nlive; k++) {
		if (bstate1_file(b->state, k)->ended) {
			ended++;
			continue;
		}
		if (bstate1_file(b->state, k)->batch[0] != '\0')
			live++;
		if (b->live[k].total > 0 && b->live[k].completed >= 0 &&
		    b->live[k].failed >= 0) {
			total += b->live[k].total;
			done += b->live[k].completed + b->live[k].failed;
		}
	}
	snprintf(line, sizeof(line), "batches %d sent, %d running, %d done; "
	    "requests %lld/%lld; rows %llu ok, %llu failed",
	    b->submitted, live, ended, done, total,
	    (unsigned long long)b->st->ok, (unsigned long long)b->st->failed);
	tty_draw_text(line, clock_ms());
}

/* An API path with an ID in it: before, the ID, after. */
static const char *
path(struct brun *b, const char *before, const char *id, const char *after)
{
	buf_reset(&b->path);
	if (buf_adds(&b->path, before) == -1 || buf_adds(&b->path, id) == -1 ||
	    buf_adds(&b->path, after) == -1 || buf_addc(&b->path, '\0') == -1)
		err(1, NULL);
	return b->path.data;
}

/*
 * The API said what cannot be gone past, or STATE could not be written
 * or read: the run cannot go on safely.
 */
static int __attribute__((noreturn))
fatal(const char *what, const char *e)
{
	tty_clear();
	errx(1, "--batch-api: %s: %s", what, e);
}

/* SIGINT, SIGTERM or SIGHUP, while reading or from the net; or 0. */
static int
signal_of(const struct brun *b)
{
	return b->signal ? b->signal : b->net != NULL ?
	    bnet_signal(b->net) : 0;
}

/* Grow b->live to cover every file STATE knows. */
static void
grow_live(struct brun *b)
{
	struct blive	*v;
	size_t		 n = bstate1_nfiles(b->state);

	if (n <= b->nlive)
		return;
	if ((v = reallocarray(b->live, n, sizeof(*v))) == NULL)
		err(1, NULL);
	memset(v + b->nlive, 0, (n - b->nlive) * sizeof(*v));
	b->live = v;
	b->nlive = n;
}

/* Make the batch of file k, unless the API already has one. */
static int
create_batch(struct brun *b, size_t k, int known)
{
	const struct bstate1_file	*f = bstate1_file(b->state, k);
	struct bapi_batch		 bb;
	struct buf			*resp;
	char				 id[BAPI_ID_MAX], e[256];
	int				 rv;

	/* Killed between POST /batches and STATE: the API knows. */
	if (known) {
		if ((rv = bnet_call(b->net, "list batches",
		    "/batches?limit=100", NULL, NULL, 0, NULL, e,
		    sizeof(e))) != 0)
			return rv == -1 ? fatal("list batches", e) : rv;
		resp = bnet_response(b->net);
		if ((rv = bapi_find_batch(b->json, resp->data, resp->len,
		    f->id, &bb, e, sizeof(e))) == -1)
			fatal("list batches", e);
		if (rv == 1)
			goto have;
	}
	buf_reset(&b->body);
	if (bapi_create_body(&b->body, f->id, bapi_endpoint(b->cfg->azure)) ==
	    -1 || buf_addc(&b->body, '\0') == -1)
		err(1, NULL);
	if ((rv = bnet_call(b->net, "create batch", "/batches", b->body.data,
	    NULL, 0, NULL, e, sizeof(e))) != 0)
		return rv == -1 ? fatal("create batch", e) : rv;
	resp = bnet_response(b->net);
	if (bapi_parse_batch(b->json, resp->data, resp->len, &bb, e,
	    sizeof(e)) == -1)
		fatal("create batch", e);
have:
	strlcpy(id, bb.id, sizeof(id));
	if (bstate1_add_batch(b->state, id, f->id, e, sizeof(e)) == -1)
		fatal(b->cfg->batch_api, e);
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
	struct bkeys	 keys = { 0 };
	struct buf	*resp;
	char		 id[BAPI_ID_MAX], e[256], name[64];
	size_t		 k;
	int		 rv;

	snprintf(name, sizeof(name), "enrich-%lld.jsonl", clock_ms());
	if ((rv = bnet_call(b->net, "upload", "/files", NULL, lines->data,
	    lines->len, name, e, sizeof(e))) != 0)
		return rv == -1 ? fatal("upload", e) : rv;
	resp = bnet_response(b->net);
	if (bapi_parse_file(b->json, resp->data, resp->len, id, e,
	    sizeof(e)) == -1)
		fatal("upload", e);
	for (k = 0; k < n; k++)
		bkeys_add(&keys, v[k]);
	if (bstate1_add_file(b->state, id, keys.v, keys.len, keys.n, e,
	    sizeof(e)) == -1)
		fatal(b->cfg->batch_api, e);
	bkeys_free(&keys);
	grow_live(b);
	return create_batch(b, bstate1_nfiles(b->state) - 1, 0);
}

/* Where a row stands: 0 written, 1 in a batch not over, 2 to send, 3 to
 * give up on (sent in more batches than -r allows). */
static int
standing(struct brun *b, const struct brow *br)
{
	const struct bstate1_row	*s;

	if (br->written)
		return 0;
	if ((s = bstate1_row(b->state, br->key, br->keylen)) == NULL)
		return 2;
	if (s->written)
		return 0;
	if (s->file >= 0 && !bstate1_file(b->state, s->file)->ended)
		return 1;
	return s->tries > b->cfg->retries ? 3 : 2;
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
	struct bkeys	 lost = { 0 };
	struct brow	*br;
	struct row	*r;
	const char	*endpoint = bapi_endpoint(b->cfg->azure);
	char		 e[256];
	long long	 open = 0;
	size_t		 k, n = 0, before, nrows = brows_count(b->rows);
	int		 rv = 0;

	if ((v = reallocarray(NULL, b->cfg->batch_size, sizeof(*v))) == NULL)
		err(1, NULL);
	for (k = 0; k <= nrows && rv == 0; k++) {
		if (k < nrows) {
			br = brows_at(b->rows, k);
			switch (standing(b, br)) {
			case 0:
				continue;
			case 1:
				open++;
				continue;
			case 3:
				brows_give_up(b->rows, br, bstate1_row(b->state,
				    br->key, br->keylen)->tries);
				bkeys_add(&lost, br);
				continue;
			}
			open++;
			r = brows_load(b->rows, br);
			before = lines.len;
			if (bapi_request_line(&lines, br->key, br->keylen,
			    endpoint, r->body.data, r->body.len) == -1)
				err(1, NULL);
			brows_put(b->rows, r);
			/* Too big for this file: it starts the next. */
			if ((long long)lines.len > BAPI_FILE_MAX && n > 0) {
				lines.len = before;
				k--;
				open--;
			} else {
				v[n++] = br;
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
		brows_drain(b->rows);
		if (bstate1_add_written(b->state, NULL, lost.v, lost.len,
		    lost.n, e, sizeof(e)) == -1)
			fatal(b->cfg->batch_api, e);
	}
	bkeys_free(&lost);
	buf_free(&lines);
	free(v);
	return rv == INTERRUPTED ? INTERRUPTED : open;
}

/* Ask after every batch not over; write those that are. */
static int
poll_batches(struct brun *b)
{
	const struct bstate1_file	*f;
	struct bapi_batch		 bb;
	struct buf			*resp;
	char				 e[256];
	size_t				 k;
	int				 rv;

	grow_live(b);
	for (k = 0; k < bstate1_nfiles(b->state); k++) {
		f = bstate1_file(b->state, k);
		if (f->ended || f->batch[0] == '\0')
			continue;
		if ((rv = bnet_call(b->net, "poll", path(b, "/batches/",
		    f->batch, ""), NULL, NULL, 0, NULL, e, sizeof(e))) ==
		    INTERRUPTED)
			return rv;
		resp = bnet_response(b->net);
		if (rv == -1 || bapi_parse_batch(b->json, resp->data,
		    resp->len, &bb, e, sizeof(e)) == -1) {
			if (b->cfg->verbose >= 0)
				say("batch %s: %s", f->batch, e);
			continue;
		}
		if (bb.status != b->live[k].status && b->cfg->verbose > 0 &&
		    bb.total >= 0 && bb.completed >= 0 && bb.failed >= 0)
			say("batch %s: %s (%lld of %lld requests done)",
			    f->batch, bapi_status_name(bb.status),
			    bb.completed + bb.failed, bb.total);
		else if (bb.status != b->live[k].status && b->cfg->verbose > 0)
			say("batch %s: %s", f->batch,
			    bapi_status_name(bb.status));
		b->live[k].status = bb.status;
		b->live[k].total = bb.total;
		b->live[k].completed = bb.completed;
		b->live[k].failed = bb.failed;
		if (!bapi_status_final(bb.status))
			continue;
		if ((rv = bfetch_batch(&(struct bfetch){ b->cfg, b->net,
		    b->json, b->rows, b->state }, k, &bb)) == INTERRUPTED)
			return rv;
		b->done += rv;
	}
	return 0;
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
	if ((b->json = json_new()) == NULL)
		err(2, NULL);
	b->rows = brows_new(&(struct brows_config){ cfg, p->input, p->record,
	    out, st, sigfd });
	if (cfg->dry_run)
		return;
	if ((b->state = bstate1_open(cfg->batch_api != NULL ? cfg->batch_api :
	    cfg->batch_cancel, e, sizeof(e))) == NULL) {
		tty_clear();
		errx(2, "%s %s: %s", cfg->batch_api != NULL ? "--batch-api" :
		    "--batch-cancel", cfg->batch_api != NULL ? cfg->batch_api :
		    cfg->batch_cancel, e);
	}
	b->net = bnet_new(cfg, p->provider, sigfd, draw, b);
}

static void
brun_free(struct brun *b)
{
	brows_free(b->rows);
	free(b->live);
	bnet_free(b->net);
	buf_free(&b->path);
	buf_free(&b->body);
	json_free(b->json);
	bstate1_free(b->state);
}

/* Batches of STATE not over yet. */
static int
unfinished(const struct brun *b)
{
	size_t	 k;
	int	 n = 0;

	for (k = 0; k < bstate1_nfiles(b->state); k++)
		n += !bstate1_file(b->state, k)->ended;
	return n;
}

static int
interrupted(struct brun *b)
{
	int	 n = unfinished(b);

	brows_drain(b->rows);
	tty_clear();
	if (n > 0)
		warnx("interrupted: %d batch%s keep%s running at the provider "
		    "(paid for); run the same command again to resume, or "
		    "'enrich --batch-cancel %s' to cancel", n, n == 1 ? "" :
		    "es", n == 1 ? "s" : "", b->cfg->batch_api);
	else
		warnx("interrupted: no batch was running; run the same "
		    "command again to resume");
	return 128 + signal_of(b);
}

int
batchrun(const struct config *cfg, struct parts *p, struct output *out,
    struct stats *st, int sigfd)
{
	struct brun	 b;
	char		 e[256];
	long long	 open, now;
	size_t		 k;
	int		 status;

	brun_init(&b, cfg, p, out, st, sigfd);
	if (b.state != NULL && bstate1_complete(b.state)) {
		if (cfg->verbose >= 0)
			warnx("%s: every row was written by an earlier run",
			    cfg->batch_api);
		brun_free(&b);
		return 0;
	}
	/* The rows that need no request are written by the first run. */
	b.signal = brows_read(b.rows, b.state == NULL ||
	    !bstate1_read(b.state));
	if (cfg->dry_run) {
		brun_free(&b);
		return b.signal ? 128 + b.signal : 0;
	}
	if (b.signal)
		goto stop;
	if (!bstate1_read(b.state) && bstate1_add_read(b.state, e,
	    sizeof(e)) == -1)
		fatal(cfg->batch_api, e);
	grow_live(&b);
	/* Uploaded, then killed before its batch was made, or told. */
	for (k = 0; k < bstate1_nfiles(b.state); k++)
		if (bstate1_file(b.state, k)->batch[0] == '\0' &&
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
		if (bnet_wait(b.net, b.next_poll - now) == INTERRUPTED)
			goto stop;
	}
	brows_drain(b.rows);
	if (bstate1_add_complete(b.state, e, sizeof(e)) == -1)
		fatal(cfg->batch_api, e);
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
	const struct bstate1_file	*f;
	struct brun			 b;
	struct stats			 st = { 0 };
	char				 e[256];
	size_t				 k;
	int				 n = 0, failed = 0, rv;

	brun_init(&b, cfg, p, NULL, &st, sigfd);
	for (k = 0; k < bstate1_nfiles(b.state); k++) {
		f = bstate1_file(b.state, k);
		if (f->ended || f->batch[0] == '\0')
			continue;
		rv = bnet_call(b.net, "cancel", path(&b, "/batches/",
		    f->batch, "/cancel"), "{}", NULL, 0, NULL, e, sizeof(e));
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
	rv = signal_of(&b) ? 128 + signal_of(&b) : failed > 0;
	brun_free(&b);
	return rv;
}
