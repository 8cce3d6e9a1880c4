#include <stdio.h>
#include <string.h>

#include "bresult.h"
#include "request.h"

int
bresult_unanswered(const struct bapi_result *res)
{
	return res->status == 0 && (strcmp(res->code, "batch_expired") == 0 ||
	    strcmp(res->code, "batch_cancelled") == 0);
}

/* The row fails with this error, and why. */
static int
fail(struct record *rec, struct row *r, enum row_error type, long status,
    const char *why)
{
	rows_set_error(r, type, status);
	if (why != NULL && buf_adds(&r->msg, why) == -1)
		return -1;
	return record_error(rec, r);
}

int
bresult_write(struct record *rec, struct json *j, struct row *r,
    const struct bapi_result *res)
{
	struct buf	 code = { 0 };
	char		 why[400];
	int		 rv;

	r->attempts = 1;
	r->xfer.result = XFER_RESPONSE;
	r->xfer.status = res->status;
	r->xfer.elapsed_ms = -1;	/* not ours to know */
	buf_reset(&r->xfer.resp);
	if (res->body != NULL && buf_add(&r->xfer.resp, res->body,
	    res->bodylen) == -1)
		return -1;
	if (res->status >= 200 && res->status <= 299) {
		if ((rv = record_response(rec, r, why, sizeof(why))) == -1)
			return -1;
		switch (rv) {
		case RECORD_WRITTEN:
			return 0;
		case RECORD_TRUNCATED:
			return fail(rec, r, ROW_ERR_TRUNCATED, res->status,
			    why);
		case RECORD_REFUSED:
			return fail(rec, r, ROW_ERR_REFUSED, res->status, why);
		case RECORD_INVALID:
			/* Not asked again: that would take another batch. */
			return fail(rec, r, ROW_ERR_INVALID, res->status, why);
		default:
			return fail(rec, r, ROW_ERR_PARSE, res->status, why);
		}
	}
	if (res->status > 0) {
		rows_set_error(r, ROW_ERR_HTTP, res->status);
		rv = request_error(j, r->xfer.resp.data, r->xfer.resp.len,
		    &r->msg, &code) == -1 || record_error(rec, r) == -1 ?
		    -1 : 0;
		buf_free(&code);
		return rv;
	}
	snprintf(why, sizeof(why), "%s%s%s", res->code, *res->code != '\0' &&
	    *res->msg != '\0' ? ": " : "", res->msg);
	return fail(rec, r, ROW_ERR_HTTP, 0, why);
}

int
bresult_give_up(struct record *rec, struct row *r, int tries)
{
	char	 why[128];

	r->attempts = tries;
	snprintf(why, sizeof(why), "no answer from %d batch%s (expired, "
	    "failed or cancelled)", tries, tries == 1 ? "" : "es");
	return fail(rec, r, ROW_ERR_HTTP, 0, why);
}
