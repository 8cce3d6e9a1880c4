/*
 * What the row harnesses share: a rows context over one user template,
 * with the default field names, made once per process.
 */
#ifndef FUZZ_H
#define FUZZ_H

#include <stdlib.h>
#include <string.h>

#include "row.h"

static struct rows *
fuzz_rows(const char *template, int retries, int json)
{
	struct row_config	 cfg = { 0 };
	struct request		*req;
	struct tmpl		*t;
	char			 err[256];

	t = tmpl_compile(template, strlen(template), TMPL_ESCAPES, err,
	    sizeof(err));
	if (t == NULL || (req = request_new("m", NULL, t, NULL, 0, err,
	    sizeof(err))) == NULL)
		abort();
	cfg.idfield = "id";
	cfg.field = "answer";
	cfg.errfield = "error";
	cfg.request = req;
	cfg.retries = retries;
	cfg.json = json;
	cfg.meta = json;
	cfg.max_wait_ms = 1000;
	cfg.stall_ms = 1000;
	return rows_new(&cfg, 0);	/* t and req live as long as it */
}

/* Give the row's transfer a response, as the pool would. */
static void
fuzz_respond(struct row *r, long status, const void *body, size_t len)
{
	buf_reset(&r->xfer.resp);
	buf_add(&r->xfer.resp, body, len);
	r->xfer.result = XFER_RESPONSE;
	r->xfer.status = status;
	memset(r->xfer.header, 0, sizeof(r->xfer.header));
}

#endif
