/*
 * Judge: what a 2xx response says about its row.
 *
 * It reads the answer and its usage through the request's provider
 * (answer.h), prices them (the row's tokens and dollars, estimated where
 * the usage does not say), and judges the answer against what was asked:
 * one of --labels, fitting --schema, a JSON object to merge with --json
 * (its members decoded and made compact, none of them a field the row
 * keeps for itself), its --confidence from the logprobs, its agreement
 * with the row's --expect, and whether it is less sure than --below.  A
 * label is counted here, once judged final.
 *
 * What it gives back is the fields to set in the row, for record.h to
 * write: it writes no line.  Not here either: what a failed row's line
 * says (record.h), or what becomes of a row that failed (verdict.h).
 */
#ifndef ENRICH_JUDGE_H
#define ENRICH_JUDGE_H

#include <stddef.h>

#include "expect.h"
#include "json.h"
#include "labels.h"
#include "price.h"
#include "request.h"
#include "rows.h"
#include "schema.h"

struct judge_config {
	const struct request	*request;	/* reads the answers */
	const char	*field;		/* -o */
	const char	*idfield;	/* -i: no answer may set it */
	const char	*errfield;	/* --error-field: nor this */
	int		 json;		/* --json: merge the answer */
	int		 meta;		/* --meta: nor may it set _meta */
	const struct price_rates *rates;	/* the model's, or NULL */
	const struct price_rates *escalate_rates;	/* --escalate's */
	struct schema	*schema;	/* --schema: answers must fit it */
	struct labels	*labels;	/* --labels: answers must be one; it
					 * counts them */
	int		 confidence;	/* --confidence: read it */
	struct expect	*expect;	/* --expect, or NULL */
	double		 below;		/* --below, or 0 */
};

enum judge_result {
	JUDGE_ANSWER,		/* fields to write */
	JUDGE_UNREADABLE,	/* no answer could be read from it */
	JUDGE_INVALID,		/* not what was asked for: err says why, in
				 * words for the model; r->kept holds it */
	JUDGE_TRUNCATED,	/* cut at the token limit: r->kept holds
				 * what came */
	JUDGE_REFUSED		/* refused or filtered: err says so */
};

/*
 * The fields an answer sets in its row, with room for one more after
 * them (the confidence, which the writer adds).  Borrowed from the judge
 * until its next call.
 */
struct judged {
	struct json_field	*fields;
	size_t			 n;
	int			 unsure;	/* under --below, not yet
						 * escalated: to ask again */
};

struct judge;

/* The config's pointers are borrowed and must outlive the judge. */
struct judge	*judge_new(const struct judge_config *);
void		 judge_free(struct judge *);
/*
 * A 2xx response to r's request (r->xfer): sets r's tokens, dollars,
 * confidence and agreement, and on JUDGE_ANSWER fills out.  A
 * judge_result, with why in err unless JUDGE_ANSWER; or -1 if out of
 * memory.
 */
int		 judge_response(struct judge *, struct row *,
		    struct judged *, char *, size_t);
/*
 * --batch-output: any JSON body is the answer, written as it came; its
 * usage is read where a chat completion gives it.  JUDGE_ANSWER or
 * JUDGE_UNREADABLE (err says why).
 */
int		 judge_raw(struct judge *, struct row *, char *, size_t);
/* A warning to give once (the provider sent no logprobs), or NULL. */
const char	*judge_note(struct judge *);

#endif
