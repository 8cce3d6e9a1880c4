/*
 * The row parser and the output splicer: any input line must give either
 * a request or an output line that is valid JSON, and a response to it
 * must give a valid output line too.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "row.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static const char ok[] = "{\"choices\":[{\"message\":{\"content\":\"x\\ny\"}}],"
    "\"usage\":{\"prompt_tokens\":3,\"completion_tokens\":1}}";

static void
check_line(const struct row *r)
{
	char	 err[128];

	if (r->line.len == 0 || r->line.data[r->line.len - 1] != '\n' ||
	    json_validate(r->line.data, r->line.len - 1, err,
	    sizeof(err)) == -1)
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct rows	*rs;
	static struct request	*req;
	static struct tmpl	*t;
	struct row_config	 cfg = { 0 };
	struct line		 ln;
	struct row		*r;
	char			 err[256];
	int			 rv;

	if (rs == NULL) {
		t = tmpl_compile("{{text}} {{a.b.0}} {{.}}", 24, TMPL_ESCAPES,
		    err, sizeof(err));
		req = request_new("m", NULL, t, NULL, 0, err, sizeof(err));
		cfg.idfield = "id";
		cfg.field = "answer";
		cfg.errfield = "error";
		cfg.request = req;
		cfg.retries = 0;
		cfg.max_wait_ms = 1000;
		cfg.stall_ms = 1000;
		rs = rows_new(&cfg, 0);
	}
	ln.text = (const char *)data;
	ln.len = size;
	ln.number = 1;
	ln.toolong = 0;
	r = rows_get(rs);
	rv = row_load(rs, r, &ln);
	if (rv == ROW_WRITE)
		check_line(r);
	if (rv == ROW_SEND) {
		buf_reset(&r->xfer.resp);
		buf_add(&r->xfer.resp, ok, sizeof(ok) - 1);
		r->xfer.result = XFER_RESPONSE;
		r->xfer.status = 200;
		memset(r->xfer.header, 0, sizeof(r->xfer.header));
		if (row_finish(rs, r, 0) != ROW_WRITE)
			abort();
		check_line(r);
	}
	rows_put(rs, r);
	return 0;
}
