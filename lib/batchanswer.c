/*
 * A batch's rows made again with their results.  See batchanswer.h.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "batchanswer.h"
#include "batchfile.h"
#include "json.h"
#include "provider.h"
#include "results.h"
#include "spool.h"

struct batchanswer {
	const struct provider_batch *batch;
	struct rows		*rows;
	struct input		*input;
	size_t			 max;
	struct json		*json;
	struct results		*rs;
	int			 sfd, rfd;
	struct spool_reader	 rd;
	char			 spath[160];	/* for messages */
	uint64_t		 line, skip;
	int			 eof;
	size_t			 leaders, answered;
	struct buf		 rline;
	struct buf		 cid;
	struct batchfile_result	 res;
};

struct batchanswer *
batchanswer_new(struct rows *rows, struct input *input, size_t max,
    const struct provider_batch *batch)
{
	struct batchanswer	*a;

	if ((a = calloc(1, sizeof(*a))) == NULL)
		return NULL;
	a->batch = batch;
	a->rows = rows;
	a->input = input;
	a->max = max;
	a->sfd = a->rfd = -1;
	a->eof = 1;
	spool_reader_init(&a->rd, -1);
	if ((a->json = json_new()) == NULL || (a->rs = results_new()) ==
	    NULL) {
		batchanswer_free(a);
		return NULL;
	}
	return a;
}

void
batchanswer_close(struct batchanswer *a)
{
	spool_reader_free(&a->rd);
	spool_reader_init(&a->rd, -1);
	if (a->sfd != -1)
		close(a->sfd);
	if (a->rfd != -1)
		close(a->rfd);
	a->sfd = a->rfd = -1;
	a->eof = 1;
}

void
batchanswer_free(struct batchanswer *a)
{
	if (a == NULL)
		return;
	batchanswer_close(a);
	results_free(a->rs);
	json_free(a->json);
	buf_free(&a->rline);
	buf_free(&a->cid);
	free(a);
}

static int
open_ro(const char *path, char *err, size_t errlen)
{
	int	 fd;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1)
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
	return fd;
}

int
batchanswer_open(struct batchanswer *a, const char *spool,
    const char *results, uint64_t skip, char *err, size_t errlen)
{
	batchanswer_close(a);
	if ((a->sfd = open_ro(spool, err, errlen)) == -1 ||
	    (a->rfd = open_ro(results, err, errlen)) == -1)
		return -1;
	/* Room for the line around a response of the largest size. */
	if (results_index(a->rs, a->rfd, a->max + 65536, err, errlen) == -1)
		return -1;
	spool_reader_init(&a->rd, a->sfd);
	snprintf(a->spath, sizeof(a->spath), "%s", spool);
	a->line = 0;
	a->skip = skip;
	a->eof = 0;
	a->leaders = a->answered = 0;
	return 0;
}

/* The result line for seq into the row's xfer: 1 answered, 0 not. */
static int
take_result(struct batchanswer *a, struct row *r, uint64_t seq)
{
	struct xfer	*x = &r->xfer;
	char		 why[256];
	int		 rv;

	if ((rv = results_read(a->rs, seq + 1, &a->rline)) != 1)
		return rv;
	a->res.custom_id = &a->cid;
	if ((rv = a->batch->result(a->json, a->rline.data,
	    a->rline.len, &a->res, why, sizeof(why))) != 0)
		return rv == -1 ? -1 : 0;
	if (batchfile_unanswered(&a->res))
		return 0;
	buf_reset(&x->resp);
	x->elapsed_ms = -1;		/* not ours to know */
	x->error[0] = '\0';
	memset(x->header, 0, sizeof(x->header));
	if (a->res.status == 0) {
		/* No response: what the error line says. */
		x->result = XFER_NETWORK;
		x->status = 0;
		snprintf(x->error, sizeof(x->error), "%.60s%s%.180s",
		    a->res.code, a->res.code[0] != '\0' &&
		    a->res.msg[0] != '\0' ? ": " : "", a->res.msg);
		return 1;
	}
	x->result = XFER_RESPONSE;
	x->status = a->res.status;
	if (a->res.body != NULL && buf_add(&x->resp, a->res.body,
	    a->res.bodylen) == -1)
		return -1;
	return 1;
}

struct row *
batchanswer_next(struct batchanswer *a, int *answered, char *err,
    size_t errlen)
{
	struct spool_row	 sr;
	struct line		 ln;
	struct row		*r;
	int			 rv;

	err[0] = '\0';
	while (!a->eof) {
		if ((rv = spool_next(&a->rd, &sr)) == -1) {
			snprintf(err, errlen, "%.150s: %s", a->spath,
			    errno == EINVAL ? "not a spool" : strerror(errno));
			return NULL;
		}
		if (rv == 0) {
			a->eof = 1;
			return NULL;
		}
		if (++a->line <= a->skip)
			continue;
		if ((r = rows_get(a->rows)) == NULL)
			goto nomem;
		memset(&ln, 0, sizeof(ln));
		ln.text = sr.text;
		ln.len = sr.textlen;
		ln.number = sr.lineno;
		if ((rv = input_reload(a->input, r, &ln)) == -1) {
			rows_put(a->rows, r);
			goto nomem;
		}
		if (rv != INPUT_SEND) {
			/* The settings are STATE's: this cannot be. */
			rows_put(a->rows, r);
			continue;
		}
		spool_to_row(&sr, r);
		if (sr.body != NULL) {
			buf_reset(&r->body);
			if (buf_add(&r->body, sr.body, sr.bodylen) == -1) {
				rows_put(a->rows, r);
				goto nomem;
			}
			r->xfer.body = r->body.data;
			r->xfer.bodylen = r->body.len;
		}
		if (sr.lead < 0)
			a->leaders++;
		if ((rv = take_result(a, r, sr.lead >= 0 ? (uint64_t)sr.lead :
		    sr.seq)) == -1) {
			rows_put(a->rows, r);
			goto nomem;
		}
		*answered = rv;
		if (rv == 1) {
			/* An attempt ended, as a transfer's does. */
			r->attempts++;
			r->attempt_usd = -1;
			r->attempt_prompt = -1;
			if (sr.lead < 0)
				a->answered++;
			else
				r->shared = 1;
		}
		return r;
	}
	return NULL;
nomem:
	snprintf(err, errlen, "out of memory");
	return NULL;
}

int
batchanswer_eof(const struct batchanswer *a)
{
	return a->eof;
}

uint64_t
batchanswer_line(const struct batchanswer *a)
{
	return a->line;
}

size_t
batchanswer_bad(const struct batchanswer *a)
{
	return results_bad(a->rs);
}

void
batchanswer_counts(const struct batchanswer *a, size_t *leaders,
    size_t *answered)
{
	*leaders = a->leaders;
	*answered = a->answered;
}
