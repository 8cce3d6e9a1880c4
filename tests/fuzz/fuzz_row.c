/*
 * The row parser and the output splicer: any input line must give either
 * a request or an output line that is valid JSON, and a response to it
 * must give a valid output line too.
 */
#include <stdint.h>

#include "fuzz.h"

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
	struct line		 ln;
	struct row		*r;
	int			 rv;

	if (rs == NULL)
		rs = fuzz_rows("{{text}} {{a.b.0}} {{.}}", 0, 0);
	ln.text = (const char *)data;
	ln.len = size;
	ln.number = 1;
	ln.toolong = 0;
	r = rows_get(rs);
	rv = row_load(rs, r, &ln);
	if (rv == ROW_WRITE)
		check_line(r);
	if (rv == ROW_SEND) {
		fuzz_respond(r, 200, ok, sizeof(ok) - 1);
		if (row_finish(rs, r, 0) != ROW_WRITE)
			abort();
		check_line(r);
	}
	rows_put(rs, r);
	return 0;
}
