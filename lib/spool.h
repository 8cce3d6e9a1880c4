/*
 * Spool: the rows a Batch file holds, on disk instead of in memory.
 *
 * A row sent through the Batch API waits hours for its answer; keeping
 * it would make memory grow with the input.  So each row given to a
 * batch is appended to that batch's spool file as one record, with what
 * is needed to make it again when its answer comes: its input object,
 * its place in the input (seq, line number), the counts of its attempts,
 * the dollars it holds under --max-cost and the prompt tokens they were
 * reserved for (so that its answer's usage teaches the budget as a
 * real-time row's does), its request's key, its body when it is not the one
 * its input renders (a re-ask's conversation), and, for a row that asks
 * what an earlier row of the same batch asks, that row's seq: a follower
 * is never uploaded, and is answered from its leader's result.
 *
 * A record is one line: a header of numbers, then the body and the input
 * object, of the lengths the header gives.  Appends are plain write(2)s;
 * the caller decides when to fsync (the STATE checkpoint, bstate.h).  A
 * record cut short (a kill while writing) ends the reading as if the
 * file ended there; the caller truncates to what STATE committed.
 *
 * Not here: which spool a row goes to, or the Batch request lines
 * (batchapi.h); making the row again (input.h).
 */
#ifndef ENRICH_SPOOL_H
#define ENRICH_SPOOL_H

#include <sys/types.h>

#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#include "cache.h"
#include "rows.h"

struct spool_row {
	uint64_t	 seq;
	uint64_t	 lineno;
	int64_t		 lead;		/* the leader's seq; -1: leads */
	int		 attempts, retries, reasks, parse_retried, ratelimits;
	double		 reserved;	/* --max-cost: dollars held */
	long long	 est_prompt;	/* and the prompt tokens estimated */
	int		 keyed;		/* its request's key, if it has one:
					 * a resume's parked rows are followed
					 * as this run's are */
	unsigned char	 key[CACHE_KEY_LEN];
	const char	*body;		/* NULL: the one the input renders */
	size_t		 bodylen;
	const char	*text;		/* the input object */
	size_t		 textlen;
};

/* The record of a row (borrowing its buffers): body only when asked
 * (a row asked again), lead -1 or the leader's seq. */
void	 spool_of_row(struct spool_row *, const struct row *, int64_t, int);
/* Copy the record's counts back into a row made again. */
void	 spool_to_row(const struct spool_row *, struct row *);
/* Append a record to fd, through scratch: 0, or -1 with errno. */
int	 spool_put(int, const struct spool_row *, struct buf *);

/* Reading a spool from the start, record by record. */
struct spool_reader {
	int		 fd;
	off_t		 pos;		/* of the next record */
	struct buf	 b;		/* read ahead */
	size_t		 off;		/* of the next record in b */
	int		 eof;
};

/* Borrows fd, reading from offset 0. */
void	 spool_reader_init(struct spool_reader *, int);
void	 spool_reader_free(struct spool_reader *);
/* The next record, valid until the next call: 1; 0 at the end (or at a
 * record cut short); -1 with errno on a read error, or EINVAL when the
 * file is no spool. */
int	 spool_next(struct spool_reader *, struct spool_row *);

#endif
