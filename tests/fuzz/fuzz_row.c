/*
 * The input reader and the line writer: any input line is blank, skipped,
 * a request to send or a line to write, never a crash; a request body is
 * valid JSON; any written line is one valid JSON line, and so is the line
 * written when the request gets an answer.  Each line goes through four
 * settings: -o with --skip-ids, --json with --meta (an answer that sets
 * one of the row's fields, and spans lines), a dry run, and Batch lines in
 * and out.
 */
#include <stdint.h>

#include "fuzz.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

#define NRIGS	4
/* A line longer than this is cut, as lines.h cuts one over the limit. */
#define LIMIT	4096

static const char ok[] = "{\"choices\":[{\"message\":{\"content\":\"x\\ny\"}}],"
    "\"usage\":{\"prompt_tokens\":3,\"completion_tokens\":1}}";
static const char okjson[] = "{\"choices\":[{\"message\":{\"content\":"
    "\"{\\\"label\\\":\\\"x\\\",\\\"text\\\":{\\\"n\\\": [1,\\n 2]}}\"}}]}";

static struct fuzz_rig *
setup(int k)
{
	static struct idset	*skip;
	struct fuzz_opts	 o = { 0 };

	if (skip == NULL) {
		if ((skip = idset_new()) == NULL ||
		    idset_add(skip, "7", 1) == -1 ||
		    idset_add(skip, "done", 4) == -1)
			abort();
	}
	switch (k) {
	case 0:
		o.skip = skip;
		break;
	case 1:
		o.json = o.meta = 1;
		break;
	case 2:
		o.dry_run = 1;
		break;
	default:
		o.batch_in = o.batch_out = 1;
		break;
	}
	return fuzz_rig("{{text}} {{a.b.0}} {{.}}", &o);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct fuzz_rig	*rigs[NRIGS];
	static struct rows	*rs;
	const char		*nl;
	struct line		 ln;
	struct row		*r;
	char			 err[128];
	int			 k, rv;

	if (rs == NULL) {
		if ((rs = rows_new()) == NULL)
			abort();
		for (k = 0; k < NRIGS; k++)
			rigs[k] = setup(k);
	}
	/* A line holds no newline. */
	ln.text = (const char *)data;
	ln.len = (nl = memchr(data, '\n', size)) != NULL ?
	    (size_t)(nl - ln.text) : size;
	ln.number = 1 + size % 9;
	ln.toolong = ln.len > LIMIT;
	if (ln.toolong)
		ln.len = LINES_KEEP;
	for (k = 0; k < NRIGS; k++) {
		if ((r = rows_get(rs)) == NULL)
			abort();
		switch ((rv = input_load(rigs[k]->input, r, &ln))) {
		case INPUT_BLANK:
		case INPUT_SKIP:
			break;
		case INPUT_WRITE:
			fuzz_check_line(&r->line);
			break;
		case INPUT_SEND:
			if (json_validate(r->xfer.body, r->xfer.bodylen, err,
			    sizeof(err)) == -1 || (k == 3) !=
			    (r->xfer.url != NULL))
				abort();
			if (k == 1)
				fuzz_respond(r, 200, okjson,
				    sizeof(okjson) - 1);
			else
				fuzz_respond(r, 200, ok, sizeof(ok) - 1);
			if (fuzz_judge(rigs[k], r) != VERDICT_DONE)
				abort();
			fuzz_check_line(&r->line);
			break;
		default:
			abort();
		}
		rows_put(rs, r);
	}
	return 0;
}
