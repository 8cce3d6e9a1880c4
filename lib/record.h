/*
 * Record: the line written for a row.
 *
 * A success is the input object byte for byte with the answer set under
 * -o (or, with --json, the answer object's members merged in), as judge.h
 * read and judged it; a failure is the input object with an error object
 * under --error-field; a line that is no object is a new object holding
 * its line number, the error and the raw line.  With --confidence the
 * answer's probability is one more field; with --meta each row also gets
 * _meta (attempts, tokens, dollars, which model answered, and what the
 * first one's answers took when the row was escalated); with
 * --batch-output the line is a Batch output line instead (batchfile.h); a
 * dry run writes the request that would be sent.  Every line is one line:
 * values that come from elsewhere are written compact.
 *
 * Each function writes r->line (replacing what was there) and returns 0,
 * or -1 if out of memory.  The record keeps scratch buffers only; the
 * request and the names in its config are borrowed and must outlive it.
 *
 * Not here: reading and judging the answer (judge.h, which the record
 * owns and calls), whether a row failed (verdict.h), or where lines go
 * (output.h).
 */
#ifndef ENRICH_RECORD_H
#define ENRICH_RECORD_H

#include <stddef.h>

#include "expect.h"
#include "labels.h"
#include "lines.h"
#include "price.h"
#include "request.h"
#include "rows.h"
#include "schema.h"

struct record_config {
	const struct request	*request;	/* reads the answers */
	const char	*idfield;	/* -i */
	const char	*field;		/* -o */
	const char	*errfield;	/* --error-field */
	int		 json;		/* --json: merge the answer */
	int		 meta;		/* --meta */
	int		 batch_out;	/* --batch-output lines */
	const struct price_rates *rates;	/* the model's, or NULL */
	struct schema	*schema;	/* --schema: answers must fit it */
	struct labels	*labels;	/* --labels: answers must be one; it
					 * counts them */
	int		 confidence;	/* --confidence: write it */
	/* --batch-api's dry run: the request lines, for this path. */
	const char	*batch_dry;
	struct expect	*expect;	/* --expect: compare answers, or
					 * NULL */
	/* --escalate: the second model, its prices (or NULL), and --below
	 * (0: none): an answer less sure than that is asked again of it. */
	const char	*model;		/* -m, named in _meta beside it */
	const char	*escalate;
	const struct price_rates *escalate_rates;
	double		 below;
};

struct record;

/* The names are borrowed and must outlive the record. */
struct record	*record_new(const struct record_config *);
void		 record_free(struct record *);
enum record_result {
	RECORD_WRITTEN,
	RECORD_UNREADABLE,	/* no answer could be read from it */
	RECORD_INVALID,		/* the answer is not what was asked for:
				 * err says why, in words for the model;
				 * r->kept holds it */
	RECORD_TRUNCATED,	/* cut at the token limit: r->kept holds
				 * what came */
	RECORD_REFUSED,		/* refused or filtered: err says so */
	RECORD_ESCALATE		/* written, but less sure than --below:
				 * to be asked of --escalate's model */
};

/*
 * A 2xx response to the row's request: read its answer and usage, and
 * write the row with it.  An enum record_result, with why in err when the
 * line was not written; or -1 if out of memory.  RECORD_ESCALATE only
 * with --below, for a row not yet escalated.
 */
int		 record_response(struct record *, struct row *, char *,
		    size_t);
/* A warning to give once (the provider sent no logprobs), or NULL. */
const char	*record_note(struct record *);
/* The error set on the row (rows_set_error); sets r->failed. */
int		 record_error(struct record *, struct row *);
/* A line that is no row, with the error set on r; sets r->failed and
 * makes the line number the row's ID. */
int		 record_input_error(struct record *, struct row *,
		    const struct line *);
/* A dry run: {"<id>":ID,"request":BODY}. */
int		 record_dry_run(struct record *, struct row *);

#endif
