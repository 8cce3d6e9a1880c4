/*
 * A fake pool and a fake Batch API for the unit tests of the Batch
 * transport's parts (test_batchapi, test_batchcalls): the pool is
 * defined here, so the linker never takes lib/pool.o; the API answers
 * each transfer in flight when serve() is called: uploads (reading the
 * file the upload names), batches made, listed and polled (the test says
 * what each batch's status is), result files streamed to the sink a few
 * bytes at a time, each line answered "ans-<custom_id>".
 *
 * Static, for one test file each, as check.h is.
 */
#ifndef BATCHKIT_H
#define BATCHKIT_H

#include <sys/queue.h>

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check.h"
#include "pool.h"

/* The fake pool: what is in flight, what is done. */
struct pool {
	TAILQ_HEAD(xfers, xfer)	 flight;
	struct xfers		 done;
	int			 submits;
};

int
pool_submit(struct pool *p, struct xfer *x, char *err, size_t errlen)
{
	(void)err;
	(void)errlen;
	buf_reset(&x->resp);
	x->status = 0;
	x->error[0] = '\0';
	TAILQ_INSERT_TAIL(&p->flight, x, link);
	p->submits++;
	return 0;
}

long long
pool_timeout(const struct pool *p, long long t)
{
	(void)t;
	return TAILQ_EMPTY(&p->flight) ? -1 : 1000;
}

struct xfer *
pool_done(struct pool *p)
{
	struct xfer	*x;

	if ((x = TAILQ_FIRST(&p->done)) != NULL)
		TAILQ_REMOVE(&p->done, x, link);
	return x;
}

/* The fake API: files and batches. */
#define MAXF	64

struct api {
	struct buf	 file[MAXF];	/* file-N: its bytes */
	int		 nfiles;
	int		 input[MAXF];	/* batch_N: its input file */
	const char	*status[MAXF];	/* what a poll of it says */
	int		 out[MAXF], errf[MAXF];	/* its result files, or 0 */
	int		 nbatches;
	int		 uploads, creates, polls, lists, downloads, cancels;
	int		 upload_status;	/* 0: 200 */
	int		 expire_half;	/* a batch answers half, expires */
	int		 bad_status;	/* a status of 500 for these seqs */
	int		 drop_content;	/* downloads fail, this many */
};

/* Answer every line of file f as a batch would: "ans-<custom_id>",
 * or with expire_half the second half as batch_expired. */
static void
answer_file(struct api *a, int b)
{
	struct buf	*in = &a->file[a->input[b]], out = { 0 }, err = { 0 };
	const char	*p, *nl, *end = in->data + in->len;
	char		 id[32];
	int		 n = 0, total = 0;

	for (p = in->data; p < end; p = nl + 1) {
		nl = memchr(p, '\n', end - p);
		total++;
	}
	for (p = in->data; p < end; p = nl + 1, n++) {
		nl = memchr(p, '\n', end - p);
		if (sscanf(p, "{\"custom_id\":\"%31[0-9]\"", id) != 1)
			abort();
		if (a->expire_half && n >= total / 2) {
			buf_adds(&err, "{\"custom_id\":\"");
			buf_adds(&err, id);
			buf_adds(&err, "\",\"response\":null,\"error\":{\"code\":"
			    "\"batch_expired\",\"message\":\"late\"}}\n");
			continue;
		}
		if (a->bad_status && atoi(id) == a->bad_status) {
			buf_adds(&err, "{\"custom_id\":\"");
			buf_adds(&err, id);
			buf_adds(&err, "\",\"response\":{\"status_code\":400,"
			    "\"body\":{\"error\":{\"message\":\"bad\"}}},"
			    "\"error\":null}\n");
			continue;
		}
		buf_adds(&out, "{\"id\":\"r\",\"custom_id\":\"");
		buf_adds(&out, id);
		buf_adds(&out, "\",\"response\":{\"status_code\":200,\"body\":"
		    "{\"choices\":[{\"message\":{\"content\":\"ans-");
		buf_adds(&out, id);
		buf_adds(&out, "\"},\"finish_reason\":\"stop\"}],\"usage\":{"
		    "\"prompt_tokens\":3,\"completion_tokens\":2}}},"
		    "\"error\":null}\n");
	}
	if (out.len > 0) {
		a->file[++a->nfiles] = out;
		a->out[b] = a->nfiles;
	} else
		buf_free(&out);
	if (err.len > 0) {
		a->file[++a->nfiles] = err;
		a->errf[b] = a->nfiles;
	} else
		buf_free(&err);
}

static void
batch_json(struct api *a, int b, struct buf *r)
{
	char	 tmp[512];

	snprintf(tmp, sizeof(tmp), "{\"id\":\"batch_%d\",\"input_file_id\":"
	    "\"file-%d\",\"status\":\"%s\"", b, a->input[b], a->status[b]);
	buf_adds(r, tmp);
	if (a->out[b]) {
		snprintf(tmp, sizeof(tmp), ",\"output_file_id\":\"file-%d\"",
		    a->out[b]);
		buf_adds(r, tmp);
	}
	if (a->errf[b]) {
		snprintf(tmp, sizeof(tmp), ",\"error_file_id\":\"file-%d\"",
		    a->errf[b]);
		buf_adds(r, tmp);
	}
	buf_adds(r, "}");
}

static void
reply(struct pool *p, struct xfer *x, long status, const char *body)
{
	TAILQ_REMOVE(&p->flight, x, link);
	x->result = XFER_RESPONSE;
	x->status = status;
	if (body != NULL)
		buf_adds(&x->resp, body);
	TAILQ_INSERT_TAIL(&p->done, x, link);
}

/* Answer what is in flight. */
static void
serve(struct pool *p, struct api *a)
{
	struct xfer	*x;
	struct buf	 r = { 0 };
	const char	*u, *q;
	char		 tmp[128], rd[4096];
	size_t		 k;
	ssize_t		 n;
	int		 fd, f, b;

	while ((x = TAILQ_FIRST(&p->flight)) != NULL) {
		u = strstr(x->url, "/v1/") + 3;
		buf_reset(&r);
		if (x->method == XFER_UPLOAD && strcmp(u, "/files") == 0) {
			a->uploads++;
			if (a->upload_status) {
				reply(p, x, a->upload_status, "{\"error\":{"
				    "\"message\":\"no key\"}}");
				continue;
			}
			CHECK(x->nparts == 2 && strcmp(x->parts[0].value,
			    "batch") == 0 && x->parts[1].path != NULL);
			f = ++a->nfiles;
			if ((fd = open(x->parts[1].path, O_RDONLY)) == -1) {
				fprintf(stderr, "no %s\n", x->parts[1].path);
				abort();
			}
			while ((n = read(fd, rd, sizeof(rd))) > 0)
				buf_add(&a->file[f], rd, n);
			close(fd);
			/* A C string too, for strstr. */
			buf_addc(&a->file[f], '\0');
			a->file[f].len--;
			snprintf(tmp, sizeof(tmp), "{\"id\":\"file-%d\"}", f);
			reply(p, x, 200, tmp);
		} else if (x->method == XFER_POST &&
		    strcmp(u, "/batches") == 0) {
			a->creates++;
			q = strstr(x->body, "file-");
			b = ++a->nbatches;
			a->input[b] = atoi(q + 5);
			a->status[b] = "validating";
			batch_json(a, b, &r);
			buf_addc(&r, '\0');
			reply(p, x, 200, r.data);
		} else if (x->method == XFER_POST &&
		    strncmp(u, "/batches/batch_", 15) == 0 &&
		    strstr(u, "/cancel") != NULL) {
			a->cancels++;
			b = atoi(u + 15);
			a->status[b] = "cancelling";
			batch_json(a, b, &r);
			buf_addc(&r, '\0');
			reply(p, x, 200, r.data);
		} else if (x->method == XFER_GET &&
		    strncmp(u, "/batches?", 9) == 0) {
			a->lists++;
			buf_adds(&r, "{\"data\":[");
			for (b = a->nbatches; b > 0; b--) {
				batch_json(a, b, &r);
				if (b > 1)
					buf_addc(&r, ',');
			}
			buf_adds(&r, "]}");
			buf_addc(&r, '\0');
			reply(p, x, 200, r.data);
		} else if (x->method == XFER_GET &&
		    strncmp(u, "/batches/batch_", 15) == 0) {
			a->polls++;
			b = atoi(u + 15);
			if ((strcmp(a->status[b], "completed") == 0 ||
			    strcmp(a->status[b], "expired") == 0) &&
			    !a->out[b] && !a->errf[b])
				answer_file(a, b);
			batch_json(a, b, &r);
			buf_addc(&r, '\0');
			reply(p, x, 200, r.data);
		} else if (x->method == XFER_GET &&
		    strncmp(u, "/files/file-", 12) == 0) {
			a->downloads++;
			f = atoi(u + 12);
			if (a->drop_content > 0) {
				a->drop_content--;
				TAILQ_REMOVE(&p->flight, x, link);
				x->result = XFER_NETWORK;
				strlcpy(x->error, "reset", sizeof(x->error));
				TAILQ_INSERT_TAIL(&p->done, x, link);
				continue;
			}
			/* Streamed: a few bytes at a time. */
			for (k = 0; k < a->file[f].len; k += 7)
				if (x->sink(x->sink_arg, a->file[f].data + k,
				    a->file[f].len - k < 7 ? a->file[f].len - k :
				    7) == -1)
					abort();
			reply(p, x, 200, NULL);
		} else
			reply(p, x, 404, "{\"error\":{\"message\":\"no\"}}");
	}
	buf_free(&r);
}

#endif
