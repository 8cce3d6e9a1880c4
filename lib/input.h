/*
 * Input: what an input line asks for.
 *
 * input_load reads a line into a row: its object, its ID, and the request
 * body to send for it (rendered from the templates, or a Batch request
 * line's own).  A line that needs no request is dealt with here: blank,
 * outside --sample (sample.h: by its ID, else its line number, whether it
 * is a row or not), done in an earlier run (--skip-ids), or written at
 * once (a line that is no object, a template that does not fit the row,
 * a file -a names that cannot be sent, a dry run).  A row's files are
 * read here, into its body, and let go (attach.h).  Each row's ID is told to seen.h, skipped or not, for
 * duplicates.
 *
 * Not here: sending (sched.h) or what the response means (verdict.h).
 */
#ifndef ENRICH_INPUT_H
#define ENRICH_INPUT_H

#include <stdint.h>

#include "attach.h"
#include "idset.h"
#include "lines.h"
#include "record.h"
#include "request.h"
#include "rows.h"
#include "seen.h"

struct input_config {
	const char		*idfield;	/* -i */
	const char		*errfield;	/* --error-field */
	const struct request	*request;
	const struct request	*escalate;	/* --escalate's model's,
						 * or NULL */
	struct idset		*skip;		/* --skip-ids, or NULL */
	struct seen		*seen;		/* the IDs so far, for
						 * duplicates; or NULL */
	long			 sample;	/* --sample, in parts per
						 * million; 0: every row */
	int			 dry_run;
	int			 estimate;	/* --estimate: say what
						 * it cannot count */
	int			 batch_in;	/* --batch-input lines */
	int			 batch_out;	/* --batch-output lines */
	const char		*base;		/* --url, for batch paths */
	const char		*url;		/* where bodies go: part of
						 * each row's key */
	int			 disk_keys;	/* keys that outlive the run
						 * (--cache, --batch-api's
						 * spools): SHA-256
						 * (cache.h), not the run's
						 * SipHash */
	struct attach		*attach;	/* -a: the requests' too, or
						 * NULL */
	enum attach_dialect	 dialect;	/* for counting its tokens */
};

enum input_next {
	INPUT_BLANK,		/* nothing to do, nothing to write */
	INPUT_OUTSIDE,		/* outside --sample: no output */
	INPUT_SKIP,		/* done in an earlier run: no output */
	INPUT_SEND,		/* r->xfer is ready for the pool */
	INPUT_WRITE		/* r->line is ready for the output */
};

/* What the input holds that a resume should know of; duplicate IDs are
 * seen.h's. */
struct input_counts {
	uint64_t	 big_ids;	/* integer IDs beyond 2^53 */
	uint64_t	 own_errors;	/* rows with a field named as
					 * --error-field */
};

struct input;

/* Everything given is borrowed and must outlive the input. */
struct input	*input_new(const struct input_config *, struct record *);
void		 input_free(struct input *);
/* An enum input_next, or -1 if out of memory. */
int		 input_load(struct input *, struct row *, const struct line *);
/* The same, for a row made again from its input (a Batch row whose
 * answer came): never skipped, never a dry run.  INPUT_SEND, another
 * enum input_next if the line no longer makes a row, or -1. */
int		 input_reload(struct input *, struct row *, const struct line *);
/*
 * Ask again, after an invalid answer (r->kept) and why it is invalid: the
 * row is ready for the pool.  0, 1 if its body has no conversation to go
 * on with, or -1 if out of memory.
 */
int		 input_reask(struct input *, struct row *, const char *);
/*
 * The row's request for --escalate's model: its body made afresh from
 * the row (not the conversation of any re-ask), and the key of what it
 * asks in key (CACHE_KEY_LEN bytes; r->key is the caller's to change).
 * The row is ready for the pool.  0, or -1 if out of memory.
 */
int		 input_escalate(struct input *, struct row *, unsigned char *);
/* A warning to give, the first time a kind of trouble is met (the row is
 * the one just loaded); then NULL.  Valid until the next input_load. */
const char	*input_note(struct input *);
const struct input_counts *input_counts(const struct input *);

#endif
