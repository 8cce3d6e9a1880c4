/*
 * The line writer, given any answer: the input's first line is the row
 * (when it is a row; else a fixed one), the rest the answer.  Merged with
 * --json (and --meta), taken as a value with --extract, or written as a
 * Batch output line, an answer gives one valid JSON line or is refused,
 * and the row keeps its own ID.  An error record whose message is the
 * answer's bytes, and an input-error line holding them, are one valid
 * JSON line too.
 */
#include <stdint.h>

#include "fuzz.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

#define NRIGS	4

static struct fuzz_rig *
setup(int k)
{
	struct fuzz_opts	 o = { 0 };

	switch (k) {
	case 0:
		o.json = o.meta = 1;
		break;
	case 1:
		o.extract = "a";
		break;
	case 2:
		o.json = 1;
		o.extract = "a";
		break;
	default:
		o.batch_out = 1;
		break;
	}
	/* No field: any object is a row to send. */
	return fuzz_rig("classify", &o);
}

/* The written line holds the row's ID, whatever the answer said. */
static void
check_id(const struct row *r)
{
	static struct json	*j;
	char			 err[128];
	size_t			 off, len;
	int			 t;

	if (j == NULL && (j = json_new()) == NULL)
		abort();
	if (json_parse(j, r->line.data, r->line.len - 1, err,
	    sizeof(err)) == -1 || (t = json_get(j, 0, "id", 2)) == -1)
		abort();
	json_span(j, t, &off, &len);
	if (len != r->id.len || memcmp(r->line.data + off, r->id.data,
	    len) != 0)
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct fuzz_rig	*rigs[NRIGS];
	static struct rows	*rs;
	static struct buf	 body;
	static const char	 fixed[] = "{\"id\":\"r\",\"text\":\"q\"}";
	const char		*s = (const char *)data, *ans, *nl;
	struct line		 ln = { fixed, sizeof(fixed) - 1, 1, 0 };
	struct line		 own, bad;
	struct row		*r;
	char			 why[256];
	size_t			 alen;
	int			 k, rv, valid;

	if (rs == NULL) {
		if ((rs = rows_new()) == NULL)
			abort();
		for (k = 0; k < NRIGS; k++)
			rigs[k] = setup(k);
	}
	ans = s;
	alen = size;
	if ((nl = memchr(s, '\n', size)) != NULL) {
		own = (struct line){ s, nl - s, 2, 0 };
		ans = nl + 1;
		alen = size - (own.len + 1);
	}
	valid = json_validate(ans, alen, why, sizeof(why)) == 0;
	for (k = 0; k < NRIGS; k++) {
		if ((r = rows_get(rs)) == NULL)
			abort();
		if (nl == NULL || input_load(rigs[k]->input, r, &own) !=
		    INPUT_SEND) {
			rows_put(rs, r);
			if ((r = rows_get(rs)) == NULL ||
			    input_load(rigs[k]->input, r, &ln) != INPUT_SEND)
				abort();
		}
		buf_reset(&body);
		if (k == 0) {
			if (buf_adds(&body, "{\"choices\":[{\"message\":"
			    "{\"content\":") == -1 ||
			    json_quote(&body, ans, alen) == -1 ||
			    buf_adds(&body, "}}]}") == -1)
				abort();
		} else if (k < 3) {
			if (!valid) {
				rows_put(rs, r);
				continue;
			}
			if (buf_adds(&body, "{\"a\":") == -1 ||
			    buf_add(&body, ans, alen) == -1 ||
			    buf_addc(&body, '}') == -1)
				abort();
		} else if (buf_add(&body, ans, alen) == -1)
			abort();
		fuzz_respond(r, 200, body.data, body.len);
		rv = record_response(rigs[k]->record, r, why, sizeof(why));
		switch (rv) {
		case RECORD_WRITTEN:
			fuzz_check_line(&r->line);
			if (k < 3)
				check_id(r);
			break;
		case RECORD_UNREADABLE:
			/* A string always reads; a value, unless null;
			 * a Batch body, if it is JSON. */
			if (k == 0 || (k == 3 && valid))
				abort();
			break;
		case RECORD_INVALID:
			/* Only --json asks for something. */
			if (k == 1 || k == 3)
				abort();
			break;
		default:
			abort();
		}
		/* The answer as an error message, and as a bad line. */
		rows_set_error(r, ROW_ERR_HTTP, 400 + size % 200);
		if (buf_add(&r->msg, ans, alen) == -1 ||
		    record_error(rigs[k]->record, r) == -1)
			abort();
		fuzz_check_line(&r->line);
		bad = (struct line){ ans, alen, 3, 0 };
		if (record_input_error(rigs[k]->record, r, &bad) == -1)
			abort();
		fuzz_check_line(&r->line);
		rows_put(rs, r);
	}
	return 0;
}
