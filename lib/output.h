/*
 * Output: where finished lines go, and when.
 *
 * Lines for stdout are buffered and written without blocking, so a slow
 * reader stalls nothing but the reading of new input (the caller stops
 * reading while output_pending is high).  Failed rows go to the errors
 * descriptor when there is one; that is a file, written at once.
 * A line is always written whole, in one piece of the buffer.
 *
 * Not here: what a line says (row.h).
 */
#ifndef ENRICH_OUTPUT_H
#define ENRICH_OUTPUT_H

#include <stddef.h>

struct output;

/* errfd -1: failed rows go to outfd as well.  Neither is closed. */
struct output	*output_new(int, int);
void		 output_free(struct output *);
/* Queue one line, newline included. */
int		 output_line(struct output *, int, const char *, size_t);
/* Write what can be written now; -1 and errno on a write error. */
int		 output_flush(struct output *);
/* Bytes queued for outfd and not yet written. */
size_t		 output_pending(const struct output *);

#endif
