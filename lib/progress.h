/*
 * Progress: the live status line of a run, for a terminal.  It keeps the
 * recent history it needs for a rate and an estimate of the time left; it
 * formats, and the caller (tty.c) prints.
 *
 * Not here: the summary at the end (stats.h).
 */
#ifndef ENRICH_PROGRESS_H
#define ENRICH_PROGRESS_H

#include <stddef.h>
#include <stdint.h>

#include "stats.h"

struct progress;

struct progress	*progress_new(void);
void		 progress_free(struct progress *);
/* The status line, without a newline, cut to width columns. */
void		 progress_line(struct progress *, const struct stats *,
		    long long, char *, size_t, int);

#endif
