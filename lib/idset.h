/*
 * ID sets: the rows already done, read from the output of an earlier run.
 *
 * An ID is a JSON string or integer.  Its key is the string's decoded text
 * or the integer's digits, so the string "17" and the number 17 are the
 * same ID, as a user who mixes tools would expect.
 *
 * idset_load reads a file whose lines are either JSON objects (earlier
 * output: the ID field is read, and a line whose error field is set and
 * not null is not done, so failed rows run again) or bare IDs (17, "a b",
 * or unquoted text as `jq -r .id` prints it).  Lines it cannot use, such as
 * the half-written last line of a crashed run, are counted, not fatal.
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
	size_t	 unusable;	/* unparsable lines, or without an ID */
};

struct idset;

struct idset	*idset_new(void);
void		 idset_free(struct idset *);
/* 1 if added, 0 if already there, -1 if out of memory. */
int		 idset_add(struct idset *, const char *, size_t);
int		 idset_has(const struct idset *, const char *, size_t);
size_t		 idset_count(const struct idset *);
/* Set key to the ID at token t; -1 if t is neither string nor integer. */
int		 idset_key(const struct json *, int, struct buf *);
/* Add the done IDs of a file; -1 on a read error (errno set). */
int		 idset_load(struct idset *, FILE *, const char *,
		    const char *, struct idset_stats *);

#endif
