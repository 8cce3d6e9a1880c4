/*
 * Input: what an input line asks for.
 *
 * input_load reads a line into a row: its object, its ID, and the request
 * body to send for it (rendered from the templates, or a Batch request
 * line's own).  A line that needs no request is dealt with here: blank,
 * done in an earlier run (--skip-ids), or written at once (a line that is
 * no object, a template that does not fit the row, a dry run).
 *
 * Not here: sending (sched.h) or what the response means (verdict.h).
 */
#ifndef ENRICH_INPUT_H
#define ENRICH_INPUT_H

#include "idset.h"
#include "lines.h"
#include "record.h"
#include "request.h"
#include "rows.h"

struct input_config {
	const char		*idfield;	/* -i */
	const struct request	*request;
	const struct idset	*skip;		/* --skip-ids, or NULL */
	int			 dry_run;
	int			 batch_in;	/* --batch-input lines */
	int			 batch_out;	/* --batch-output lines */
	const char		*base;		/* --url, for batch paths */
};

enum input_next {
	INPUT_BLANK,		/* nothing to do, nothing to write */
	INPUT_SKIP,		/* done in an earlier run: no output */
	INPUT_SEND,		/* r->xfer is ready for the pool */
	INPUT_WRITE		/* r->line is ready for the output */
};

struct input;

/* Everything given is borrowed and must outlive the input. */
struct input	*input_new(const struct input_config *, struct record *);
void		 input_free(struct input *);
/* An enum input_next, or -1 if out of memory. */
int		 input_load(struct input *, struct row *, const struct line *);

#endif
