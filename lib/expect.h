/*
 * Expect: the answers measured against answers known to be right
 * (--expect FIELD, the row's field that holds the right one).
 *
 * When a row's line is made, the answer is compared with the row's
 * field: with --labels both are read by the labels' own matching rules
 * (labels.h) and agree when they are the same label; without, both are
 * trimmed of blanks and agree when they are the same text (a JSON string
 * by its decoded text, any other value by its compact JSON text).  The
 * row keeps the outcome (r->agree) for _meta; the figures are counted
 * when the row is written, so an answer asked again or replaced is
 * counted once, as written.
 *
 * The figures: rows that hold the field (a null there is none), those
 * that agree, the accuracy; a failed row counts as not agreeing but is
 * left out of the labels' figures and the confusion counts, which are of
 * the answers given; rows without the field are counted apart and
 * measure nothing.  Memory is bounded: at most EXPECT_CLASSES distinct
 * answers and EXPECT_PAIRS distinct (right answer, answer given) pairs
 * are listed; rows beyond are counted in the accuracy and as unlisted.
 *
 * Not here: what an answer is (record.h reads it), or printing.
 */
#ifndef ENRICH_EXPECT_H
#define ENRICH_EXPECT_H

#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#include "labels.h"
#include "rows.h"

#define EXPECT_CLASSES	1000
#define EXPECT_PAIRS	10000

/* A distinct answer's figures (a label's, with --labels). */
struct expect_class {
	const char	*name;
	size_t		 namelen;
	uint64_t	 expected;	/* rows whose right answer it is */
	uint64_t	 answered;	/* rows given it */
	uint64_t	 agree;		/* both */
};

struct expect_figures {
	uint64_t	 rows;		/* rows holding the field */
	uint64_t	 agree;
	uint64_t	 failed;	/* of rows: no answer written */
	uint64_t	 unlabelled;	/* rows without the field */
	uint64_t	 unlisted;	/* of rows: beyond the bounds above */
};

struct expect;

/* The field's name and the labels (or NULL) are borrowed. */
struct expect	*expect_new(const char *, const struct labels *);
void		 expect_free(struct expect *);
/*
 * The row's answer, as its line is made: with --labels the label's
 * index; else label -1 and the answer, n bytes of text (decoded), or of
 * JSON text when json is set.  Sets r->agree, r->gold and r->given.
 * 0, or -1 if out of memory.
 */
int		 expect_answer(struct expect *, struct row *, int,
		    const char *, size_t, int);
/* The row failed: it does not agree, if it holds the field. */
int		 expect_failed(struct expect *, struct row *);
/* Count the row, as it is written.  0, or -1 if out of memory. */
int		 expect_count(struct expect *, const struct row *);
const struct expect_figures *expect_figures(const struct expect *);
/* The k-th distinct answer, in the order first met (the labels first),
 * or NULL after the last. */
const struct expect_class *expect_class(const struct expect *, size_t);
/*
 * {"field":F,"rows":N,"agree":K,"accuracy":K/N,"failed":N,
 * "unlabelled":N,"labels":[{"label":L,"expected":N,"answered":N,
 * "agree":N,"precision":P,"recall":R}...],"confusion":[{"expected":L,
 * "answered":L,"rows":N}...],"unlisted":N}, appended to b; a ratio
 * without rows to divide by is null.  0, or -1 if out of memory.
 */
int		 expect_json(const struct expect *, struct buf *);

#endif
