/*
 * Output: where finished lines go, and when.
 *
 * Lines for stdout are buffered and written without blocking, so a slow
 * reader stalls nothing but the reading of new input (the caller stops
 * reading while output_pending is high).  Failed rows go to the errors
 * descriptor when there is one; that is a file, written at once.
 * A line is always written whole, in one piece of the buffer.
 *
 * In order (a reorder capacity above 0), each line comes with the sequence
 * number of its input row, counted from 0, and is held until every earlier
 * row has given its line or been skipped.  The caller asks output_room
 * before it reads a row, so at most that many rows are ever held.
 *
 * Not here: what a line says (record.h).
 */
#ifndef ENRICH_OUTPUT_H
#define ENRICH_OUTPUT_H

#include <stddef.h>
#include <stdint.h>

struct output;

/* errfd -1: failed rows go to outfd as well.  Neither is closed.  A
 * reorder capacity of 0 writes lines as they come. */
struct output	*output_new(int, int, size_t);
void		 output_free(struct output *);
/* Queue the line, newline included, of row seq. */
int		 output_line(struct output *, uint64_t, int, const char *,
		    size_t);
/* Row seq gives no line (skipped by --skip-ids). */
int		 output_skip(struct output *, uint64_t);
/* In order: hold up to this many rows from now on (never fewer than
 * before), as the window grows; -1 if out of memory. */
int		 output_grow(struct output *, size_t);
/* May row seq be read now without holding more than the capacity? */
int		 output_room(const struct output *, uint64_t);
/* At the end: give up waiting for missing rows and queue what is held. */
int		 output_drain(struct output *);
/* Write what can be written now; -1 and errno on a write error. */
int		 output_flush(struct output *);
/* outfd blocks: write at most PIPE_BUF bytes a flush, after POLLOUT. */
void		 output_blocking(struct output *);
/* outfd is a pipe shared with another writer: write whole lines in
 * pieces of at most PIPE_BUF, which a pipe never splits. */
void		 output_atomic(struct output *);
/* If a write stopped inside a line, write the rest of that line (the
 * caller made outfd blocking): an interrupted run leaves whole lines. */
int		 output_finish_line(struct output *);
/* Bytes queued for outfd and not yet written. */
size_t		 output_pending(const struct output *);

#endif
