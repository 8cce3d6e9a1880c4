/*
 * JSON writer: one object at a time, appended to a buffer, for every
 * object enrich writes itself (error objects, _meta, input-error and
 * dry-run lines, Batch output lines).  One idiom for all of them: the
 * calls never fail on their own; the first allocation failure sticks, the
 * rest become no-ops, and jsonw_end says whether the object is whole.
 *
 * Values given as JSON text (jsonw_raw) are written compact, so a value
 * that spans lines cannot split an output line.
 *
 * Not here: reading JSON, or splicing fields into a row (json.h).
 */
#ifndef ENRICH_JSONW_H
#define ENRICH_JSONW_H

#include <stddef.h>

#include "buf.h"

struct jsonw {
	struct buf	*b;
	int		 n;		/* members written at this level */
	int		 err;
};

/* Start an object at the end of b. */
void	 jsonw_begin(struct jsonw *, struct buf *);
/* A member whose value is: a string; JSON text (compacted; invalid JSON
 * is a caller's bug and written as a string); an unsigned number; a
 * number or null when negative; a boolean; null. */
void	 jsonw_str(struct jsonw *, const char *, const char *, size_t);
void	 jsonw_raw(struct jsonw *, const char *, const char *, size_t);
void	 jsonw_uint(struct jsonw *, const char *, unsigned long long);
void	 jsonw_count(struct jsonw *, const char *, long long);
void	 jsonw_bool(struct jsonw *, const char *, int);
void	 jsonw_null(struct jsonw *, const char *);
/* A member whose value is an object: begin it, then end it with
 * jsonw_close(parent's n) -- kept simple: one level of nesting. */
void	 jsonw_open(struct jsonw *, const char *, int *);
void	 jsonw_close(struct jsonw *, int);
/* Close the object and, with nl, end the line; -1 if anything failed. */
int	 jsonw_end(struct jsonw *, int);

#endif
