/*
 * Lines: JSON Lines input from a file descriptor that may be non-blocking.
 *
 * The buffer holds what has been read and not yet handed out; it grows to
 * the longest line (plus one read), never with the input.  A line longer
 * than the limit given to lines_new is not kept: its first bytes are, for
 * the error record, and the rest is read and dropped.  A UTF-8 byte order
 * mark at the very start is dropped.  The last line needs no newline.
 *
 * Not here: what a line means.
 */
#ifndef ENRICH_LINES_H
#define ENRICH_LINES_H

#include <sys/types.h>

#include <stddef.h>
#include <stdint.h>

#define LINES_KEEP	1024	/* bytes kept of a line over the limit */

struct line {
	const char	*text;		/* valid until the next lines_ call */
	size_t		 len;		/* without the newline */
	uint64_t	 number;	/* 1-based */
	int		 toolong;	/* cut at LINES_KEEP bytes */
};

struct lines;

struct lines	*lines_new(int, size_t);
void		 lines_free(struct lines *);
/* Read once: bytes read, 0 at end of file, -1 on error (EAGAIN too). */
ssize_t		 lines_fill(struct lines *);
/* 1 and the next line, or 0 if none is complete yet. */
int		 lines_next(struct lines *, struct line *);
/* Nothing more will come. */
int		 lines_done(const struct lines *);
/* No whole line is buffered, so reading is the only way on. */
int		 lines_need(const struct lines *);
/* Bytes of the lines handed out so far. */
uint64_t	 lines_consumed(const struct lines *);

#endif
