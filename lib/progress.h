/*
 * Progress: what a run has done, as a status line for a terminal, a
 * summary line for its end, and a JSON object for scripts.  It keeps the
 * recent history it needs for a rate and an estimate of the time left; it
 * formats, and the caller prints.
 */
#ifndef ENRICH_PROGRESS_H
#define ENRICH_PROGRESS_H

#include <stddef.h>
#include <stdint.h>

#include "buf.h"

struct stats {
	uint64_t	 ok;
	uint64_t	 failed;
	uint64_t	 skipped;
	uint64_t	 retries;
	uint64_t	 http429;
	uint64_t	 inflight;
	uint64_t	 prompt_tokens;
	uint64_t	 completion_tokens;
	uint64_t	 rows_read;	/* non-blank input lines taken */
	uint64_t	 bytes_read;	/* input bytes they took */
	uint64_t	 bytes_total;	/* the input's size, if known; else 0 */
	uint64_t	 connections;	/* opened over the run */
	double		 paced;		/* requests a second paced at, or 0 */
	long long	 start_ms;
};

struct progress;

struct progress	*progress_new(void);
void		 progress_free(struct progress *);
/* The status line, without a newline, cut to width columns. */
void		 progress_line(struct progress *, const struct stats *,
		    long long, char *, size_t, int);
/* "N rows in T s (R/s): ...", without a newline. */
void		 progress_summary(const struct stats *, long long, char *,
		    size_t);
/* The same figures as one JSON object, with a newline. */
int		 progress_json(const struct stats *, long long, struct buf *);

#endif
