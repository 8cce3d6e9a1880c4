/*
 * What the Batch API and the STATE file hand enrich: a file object, a
 * batch object, a list of them, a line of a result file, STATE's text.
 * Any bytes are read or refused, never a crash; what is accepted holds
 * only IDs fit for a URL path; a result line accepted becomes one line of
 * valid JSON for its row, through the real-time record path (a 2xx read
 * as a response is, anything else an error record).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "bapi.h"
#include "batchfile.h"
#include "bstate.h"
#include "fuzz.h"
#include "rows.h"

#define ROW	"{\"id\":1,\"text\":\"x\"}"

/* The result written for a row, with and without --json and --meta. */
static void
write_row(const struct batchfile_result *res, int opts)
{
	static struct fuzz_rig	*rig[4];
	static struct rows	*rows;
	static struct json	*j;
	struct fuzz_opts	 o = { 0 };
	struct line		 ln = { ROW, strlen(ROW), 1, 0 };
	struct row		*r;
	char			 why[256];
	int			 rv = RECORD_UNREADABLE;

	if (rig[opts] == NULL) {
		o.json = opts & 1;
		o.meta = opts & 2;
		rig[opts] = fuzz_rig("{{text}}", &o);
	}
	if ((rows == NULL && (rows = rows_new()) == NULL) ||
	    (j == NULL && (j = json_new()) == NULL) ||
	    (r = rows_get(rows)) == NULL ||
	    input_load(rig[opts]->input, r, &ln) != INPUT_SEND)
		abort();
	r->xfer.result = XFER_RESPONSE;
	r->xfer.status = res->status;
	buf_reset(&r->xfer.resp);
	if (res->body != NULL && buf_add(&r->xfer.resp, res->body,
	    res->bodylen) == -1)
		abort();
	if (res->status >= 200 && res->status <= 299 &&
	    (rv = record_response(rig[opts]->record, r, why, sizeof(why))) ==
	    -1)
		abort();
	if (rv != RECORD_WRITTEN) {
		rows_set_error(r, ROW_ERR_HTTP, res->status);
		if (buf_adds(&r->msg, res->msg) == -1 ||
		    record_error(rig[opts]->record, r) == -1)
			abort();
	}
	fuzz_check_line(&r->line);
	rows_put(rows, r);
}

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct json	*j;
	struct bapi_batch	 b;
	struct batchfile_result	 r;
	struct buf		 id = { 0 };
	const char		*p = (const char *)data;
	char			 fid[BAPI_ID_MAX], e[256];

	if (j == NULL && (j = json_new()) == NULL)
		abort();
	if (bapi_parse_file(j, p, size, fid, e, sizeof(e)) == 0 &&
	    !bapi_id_ok(fid))
		abort();
	if (bapi_parse_batch(j, p, size, &b, e, sizeof(e)) == 0 &&
	    (!bapi_id_ok(b.id) || (b.output_file_id[0] != '\0' &&
	    !bapi_id_ok(b.output_file_id)) || (b.error_file_id[0] != '\0' &&
	    !bapi_id_ok(b.error_file_id))))
		abort();
	if (bapi_find_batch(j, p, size, "file-1", &b, e, sizeof(e)) == 1 &&
	    strcmp(b.input_file_id, "file-1") != 0)
		abort();
	r.custom_id = &id;
	if (batchfile_parse_result(j, p, size, &r, e, sizeof(e)) == 0) {
		if (r.status != 0 && (r.status < 100 || r.status > 999))
			abort();
		write_row(&r, size % 4);
	}
	buf_free(&id);
	(void)bstate_check(p, size, e, sizeof(e));
	(void)batchfile_unanswered(&r);
	return 0;
}
