/*
 * Labels: the answers a classification allows (--labels, --labels-file).
 *
 * A label set is two or more distinct labels, compared without regard to
 * case.  labels_match takes a model's answer as it came and finds its
 * label: the answer must be exactly one label once surrounding white
 * space, quotes and a final period are dropped.  The label is then
 * written in the spelling the user gave.  The set also keeps, per label,
 * how many rows got it and the sum of their confidences, for --stats.
 *
 * Not here: asking again after a wrong answer (verdict.h, input.h) or the
 * words the model is told (labels_prompt gives them; request.h sends).
 */
#ifndef ENRICH_LABELS_H
#define ENRICH_LABELS_H

#include <stddef.h>

#include "buf.h"

struct labels;

struct labels_count {
	const char	*name;
	unsigned long long	 rows;
	unsigned long long	 scored;	/* rows with a confidence */
	double		 confidence;	/* their sum */
};

/*
 * Labels separated by sep (',' for --labels, '\n' for a file, where blank
 * lines and a final newline are ignored).  NULL with err when a label is
 * empty, too long, holds a control byte, is given twice, or when fewer
 * than two are given.
 */
struct labels	*labels_new(const char *, size_t, int, char *, size_t);
void		 labels_free(struct labels *);
size_t		 labels_count(const struct labels *);
/* What the model is told, one sentence naming the labels. */
int		 labels_prompt(const struct labels *, struct buf *);
/*
 * The label the answer (decoded text) is, or -1 and why (one line, for
 * the model to read when asked again).  *off and *len are where the label
 * stands in the answer.
 */
int		 labels_match(const struct labels *, const char *, size_t,
		    size_t *, size_t *, char *, size_t);
/*
 * Whether two texts say the same with what labels_match forgives (case,
 * white space, quotes, a final period) dropped from either: how
 * --confidence knows the logprobs' tokens spell the answer.
 */
int		 labels_spelled(const char *, size_t, const char *, size_t);
const char	*labels_name(const struct labels *, int);
/* Count a row labelled k, with a confidence, or one below 0 if none. */
void		 labels_add(struct labels *, int, double);
const struct labels_count *labels_get(const struct labels *, size_t);

#endif
