/*
 * --batch-api: a batch's results.  See batchfetch.h.
 */
#include <err.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "batchfetch.h"
#include "lib/bresult.h"
#include "lib/buf.h"
#include "tty.h"

#define CONTENT_MAX	(4LL * 1024 * 1024 * 1024)	/* a result file */

/* STATE could not be written: the run cannot go on safely. */
static void __attribute__((noreturn))
state_fail(const char *what, const char *e)
{
	tty_clear();
	errx(1, "--batch-api: %s: %s", what, e);
}

/* Download a result file and write its rows: 0, BNET_INTERRUPTED, -1. */
static int
download(const struct bfetch *b, const char *file, struct bkeys *written,
    char *msg, size_t msglen)
{
	const struct bstate1_row	*sr;
	struct bapi_result	 res = { 0 };
	struct buf		*resp, path = { 0 }, id = { 0 };
	struct brow		*br;
	char			*text, *nl, why[256];
	size_t			 off, len;
	int			 rv;

	if (buf_adds(&path, "/files/") == -1 || buf_adds(&path, file) == -1 ||
	    buf_adds(&path, "/content") == -1 || buf_addc(&path, '\0') == -1)
		err(1, NULL);
	bnet_limit(b->net, CONTENT_MAX);
	rv = bnet_call(b->net, "download", path.data, NULL, NULL, 0, NULL,
	    msg, msglen);
	bnet_limit(b->net, BNET_API_MAX);
	buf_free(&path);
	if (rv != 0)
		return rv;
	/* Taken whole: the calls below must not reuse it. */
	resp = bnet_response(b->net);
	text = resp->data;
	len = resp->len;
	memset(resp, 0, sizeof(*resp));
	res.custom_id = &id;
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
			} else if ((br = brows_find(b->rows,
			    id.data != NULL ? id.data : "", id.len)) == NULL) {
				if (b->cfg->verbose >= 0)
					say("--batch-api: file %s: custom_id "
					    "%.*s is no row of the input", file,
					    (int)id.len, id.data);
			} else if (bresult_unanswered(&res)) {
				/* Not answered, not failed: sent again. */
			} else if (!br->written && ((sr = bstate1_row(b->state,
			    br->key, br->keylen)) == NULL || !sr->written)) {
				/* Once: a run cut short in this batch may
				 * have written some of its rows already. */
				brows_deliver(b->rows, br, &res);
				bkeys_add(written, br);
			}
		}
		if (nl == text + len)
			break;
	}
	buf_free(&id);
	free(text);
	return 0;
}

int
bfetch_batch(const struct bfetch *b, size_t k, const struct bapi_batch *bb)
{
	const struct bstate1_file	*f = bstate1_file(b->state, k);
	struct bkeys			 written = { 0 };
	char				 e[256];
	int				 rv = 0;

	if (bb->output_file_id[0] != '\0')
		rv = download(b, bb->output_file_id, &written, e, sizeof(e));
	if (rv == 0 && bb->error_file_id[0] != '\0')
		rv = download(b, bb->error_file_id, &written, e, sizeof(e));
	if (rv == 0 || rv == BNET_INTERRUPTED)
		brows_drain(b->rows);
	if (rv == BNET_INTERRUPTED) {
		/* What is written is told; the batch is not over for us. */
		if (written.n > 0 && bstate1_add_written(b->state, NULL,
		    written.v, written.len, written.n, e, sizeof(e)) == -1)
			state_fail(b->cfg->batch_api, e);
		bkeys_free(&written);
		return BNET_INTERRUPTED;
	}
	if (rv == -1) {
		if (b->cfg->verbose >= 0)
			say("--batch-api: batch %s: results not read: %s; "
			    "trying again", f->batch, e);
		if (written.n > 0 && bstate1_add_written(b->state, NULL,
		    written.v, written.len, written.n, e, sizeof(e)) == -1)
			state_fail(b->cfg->batch_api, e);
		bkeys_free(&written);
		return 0;
	}
	if (bstate1_add_written(b->state, f->batch, written.v, written.len,
	    written.n, e, sizeof(e)) == -1)
		state_fail(b->cfg->batch_api, e);
	if (b->cfg->verbose > 0 || (bb->status != BAPI_COMPLETED &&
	    b->cfg->verbose >= 0))
		say("batch %s %s: %zu of %zu rows answered%s%s", f->batch,
		    bapi_status_name(bb->status), written.n, f->rows,
		    bb->why[0] != '\0' ? ": " : "", bb->why);
	bkeys_free(&written);
	return 1;
}
