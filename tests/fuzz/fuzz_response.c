/*
 * The response parser: any body with any status must end as a valid
 * output line, a retry, or a stop, never a crash.  And any answer text,
 * merged with --json (and --meta), must give a valid line.
 */
#include <stdint.h>

#include "fuzz.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct rows	*rs, *js;
	static struct buf	 body;
	static const long	 statuses[] = { 200, 400, 429, 500, 503 };
	static const char	 row[] = "{\"id\":\"r\",\"text\":\"q\"}";
	struct line		 ln = { row, sizeof(row) - 1, 1, 0 };
	struct row		*r;
	char			 err[256];
	int			 rv;

	if (rs == NULL) {
		rs = fuzz_rows("{{text}}", 1, 0);
		js = fuzz_rows("{{text}}", 1, 1);
	}
	r = rows_get(rs);
	if (row_load(rs, r, &ln) != ROW_SEND)
		abort();
	fuzz_respond(r, statuses[size % 5], data, size);
	rv = row_finish(rs, r, 0);
	if (rv == ROW_WRITE && json_validate(r->line.data, r->line.len - 1,
	    err, sizeof(err)) == -1)
		abort();
	/* A retry waits in the rows' queue: take it back. */
	if (rv == ROW_RETRY && rows_pop(rs) != r)
		abort();
	rows_put(rs, r);

	r = rows_get(js);
	if (row_load(js, r, &ln) != ROW_SEND)
		abort();
	buf_reset(&body);
	buf_adds(&body, "{\"choices\":[{\"message\":{\"content\":");
	json_quote(&body, (const char *)data, size);
	buf_adds(&body, "}}]}");
	fuzz_respond(r, 200, body.data, body.len);
	if ((rv = row_finish(js, r, 0)) != ROW_WRITE ||
	    json_validate(r->line.data, r->line.len - 1, err,
	    sizeof(err)) == -1)
		abort();
	rows_put(js, r);
	return 0;
}
