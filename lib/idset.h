/*
 * ID sets: the rows already done, read from the output of an earlier run.
 *
 * An ID is a JSON string or integer.  Its key is the string's decoded text
 * or the integer's digits, so the string "17" and the number 17 are the
 * same ID, as a user who mixes tools would expect.
 *
 * idset_load reads a file whose lines are either JSON objects (earlier
 * output: the ID field is read; a line with an error object, enrich's, is
 * not done, so failed rows run again, nor is one without the answer's
 * field, such as an input row) or bare IDs (17, "a b", or unquoted text as
 * `jq -r .id` prints it).  Lines it cannot use, such as the half-written
 * last line of a crashed run, are counted, not fatal; a line that is
 * neither JSON nor text (gzip, binary) makes the whole file refused.
 *
 * Each ID counts the times it was done, so an input that holds an ID
 * twice, once done and once failed, redoes the one that failed.
 */
#ifndef ENRICH_IDSET_H
#define ENRICH_IDSET_H

#include <stddef.h>
#include <stdio.h>

#include "buf.h"
#include "json.h"

struct idset_stats {
	size_t	 lines;		/* non-blank lines read */
	size_t	 ids;		/* IDs taken as done */
	size_t	 failed;	/* lines of rows that failed: not done */
	size_t	 unanswered;	/* objects without the answer's field */
	size_t	 unusable;	/* unparsable lines, or without an ID */
};

/* How to read a line of earlier output. */
struct idset_rules {
	const char	*idfield;	/* -i */
	const char	*errfield;	/* --error-field */
	const char	*field;		/* -o; NULL where the answer's fields
					 * are not known (--json, Batch) */
};

enum idset_take {
	IDSET_NEW,		/* not done before */
	IDSET_DONE,		/* done: one of its done times is taken */
	IDSET_AGAIN		/* done, but as often as it came already */
};

struct idset;

struct idset	*idset_new(void);
void		 idset_free(struct idset *);
/* 1 if added, 0 if already there (once more done), -1 if out of
 * memory. */
int		 idset_add(struct idset *, const char *, size_t);
int		 idset_has(const struct idset *, const char *, size_t);
/* An input row with this ID came: an enum idset_take. */
int		 idset_take(struct idset *, const char *, size_t);
size_t		 idset_count(const struct idset *);
/* Set key to the ID at token t; -1 if t is neither string nor integer. */
int		 idset_key(const struct json *, int, struct buf *);
/* Add the done IDs of a file; -1 and err on a read error or a file
 * that is no ID file. */
int		 idset_load(struct idset *, FILE *, const struct idset_rules *,
		    struct idset_stats *, char *, size_t);

#endif
