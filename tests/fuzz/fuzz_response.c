/*
 * The response parser: any body with any status must end as a valid
 * output line, a retry, or a stop, never a crash.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "row.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct rows	*rs;
	static struct request	*req;
	static struct tmpl	*t;
	static const long	 statuses[] = { 200, 400, 429, 500, 503 };
	struct row_config	 cfg = { 0 };
	static const char	 row[] = "{\"id\":\"r\",\"text\":\"q\"}";
	struct line		 ln = { row, sizeof(row) - 1, 1, 0 };
	struct row		*r;
	char			 err[256];
	int			 rv;

	if (rs == NULL) {
		t = tmpl_compile("{{text}}", 8, 0, err, sizeof(err));
		req = request_new("m", NULL, t, NULL, 0, err, sizeof(err));
		cfg.idfield = "id";
		cfg.field = "answer";
		cfg.errfield = "error";
		cfg.request = req;
		cfg.retries = 1;
		cfg.max_wait_ms = 1000;
		cfg.stall_ms = 1000;
		rs = rows_new(&cfg, 0);
	}
	r = rows_get(rs);
	if (row_load(rs, r, &ln) != ROW_SEND)
		abort();
	buf_reset(&r->xfer.resp);
	buf_add(&r->xfer.resp, data, size);
	r->xfer.result = XFER_RESPONSE;
	r->xfer.status = statuses[size % 5];
	memset(r->xfer.header, 0, sizeof(r->xfer.header));
	rv = row_finish(rs, r, 0);
	if (rv == ROW_WRITE && json_validate(r->line.data, r->line.len - 1,
	    err, sizeof(err)) == -1)
		abort();
	/* A retry waits in the rows' queue: take it back. */
	if (rv == ROW_RETRY && rows_pop(rs) != r)
		abort();
	rows_put(rs, r);
	return 0;
}
