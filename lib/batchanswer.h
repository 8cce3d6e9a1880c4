/*
 * Batchanswer: a batch's rows made again, in order, each with its result
 * line, for the caller to judge and write as it would a real-time row's.
 *
 * It reads the file's spool (spool.h) record by record and its results
 * (results.h, indexed by custom_id, which is the row's seq + 1); each
 * row is made again from its input object (input.h), its counts and
 * body copied back, and its leader's result line (a follower's is the
 * row it follows) put in its xfer as if its transfer had just ended: a
 * response's status and body, or a network error with the error line's
 * code and message.  A row whose line is missing, or says its batch
 * never ran it (expired, cancelled), comes back unanswered: the caller
 * sends it again or gives it up.
 *
 * The spool's records are counted, so a checkpoint can name the last
 * one done and a resumed run skip what was written.  It owns its rows
 * until it returns them; rows and input are borrowed.  Not here: the
 * result line's format (batchfile.h), or what to do with an unanswered
 * row (batchapi.h).
 */
#ifndef ENRICH_BATCHANSWER_H
#define ENRICH_BATCHANSWER_H

#include <stddef.h>
#include <stdint.h>

#include "input.h"
#include "rows.h"

struct provider_batch;

struct batchanswer;

/* Results lines longer than max_response (plus room for the wrapper)
 * are passed over; they are read in the dialect's format (borrowed).
 * NULL if out of memory. */
struct batchanswer *batchanswer_new(struct rows *, struct input *, size_t,
		    const struct provider_batch *);
void		 batchanswer_free(struct batchanswer *);
/*
 * Begin on a spool and its results (paths), passing over the spool's
 * first skip records (written by an earlier run): 0, or -1 and err.
 */
int		 batchanswer_open(struct batchanswer *, const char *,
		    const char *, uint64_t, char *, size_t);
/*
 * The next row made again, the caller's to put back: *answered 1 (its
 * xfer holds its result) or 0 (none: its batch never ran it).  NULL at
 * the spool's end, or with err set (err[0] != '\0').
 */
struct row	*batchanswer_next(struct batchanswer *, int *, char *,
		    size_t);
/* Every record is read. */
int		 batchanswer_eof(const struct batchanswer *);
/* Records read so far, those skipped included. */
uint64_t	 batchanswer_line(const struct batchanswer *);
/* Result lines that are no row's; leaders read, and of them answered. */
size_t		 batchanswer_bad(const struct batchanswer *);
void		 batchanswer_counts(const struct batchanswer *, size_t *,
		    size_t *);
/* Done with the files (batchanswer_open again for the next). */
void		 batchanswer_close(struct batchanswer *);

#endif
