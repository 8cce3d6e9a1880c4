/*
 * Batchpark: rows parked in the Batch file being filled, on disk.
 *
 * A row given to it is appended to file K's spool (spool.h), with what
 * makes it again when its answer comes, and its request, as a Batch
 * request line (batchfile.h), to file K's upload, unless it asks what a
 * row already parked asks (the same request, by its --cache key): then
 * it follows that row, recorded in that row's file's spool, and is never
 * uploaded.  File K closes at --batch-size rows or when its upload would
 * pass the provider's byte limit; the caller takes the files closed
 * (batchpark_closed) to hand them to the calls that upload them.
 *
 * The leaders' keys are a fixed ring, so memory stays the same for any
 * input: a duplicate whose leader was forgotten is asked again, no
 * worse.  A resumed run reads the keys back from the spools of the files
 * STATE names (batchpark_recall; the file being filled, by itself, and
 * the dollars its rows hold with them), so a row that asks what a row
 * parked before the kill asks follows it too.
 *
 * Appends are plain writes; batchpark_sync makes them durable, at the
 * caller's checkpoint (bstate.h), whose record says how much of the file
 * being filled counts: a resumed run cuts it back to that.
 *
 * Not here: when to checkpoint, what the files become (batchcalls.h),
 * or reading the spools when the answers come (batchanswer.h).
 */
#ifndef ENRICH_BATCHPARK_H
#define ENRICH_BATCHPARK_H

#include <stddef.h>

#include "bstate.h"
#include "rows.h"

struct provider_batch;

#define BATCHPARK_KEYS	32768		/* parked leaders' keys kept */

struct batchpark_config {
	int		 batch_size;	/* rows a file, at most */
	long long	 file_max;	/* bytes of an upload, at most */
	const struct provider_batch *batch;	/* the request lines' format */
};

/* A file closed: its number, its rows to upload, the dollars they hold. */
struct batchpark_file {
	int		 k;
	size_t		 rows;
	double		 reserved;
};

struct batchpark;

/* Files live in dir (borrowed, STATE.d); the file being filled is the
 * one the checkpoint m names, cut back to what m counts.  NULL and err. */
struct batchpark *batchpark_new(const struct batchpark_config *,
		    const char *, const struct bstate_mark *, char *, size_t);
void		 batchpark_free(struct batchpark *);
/*
 * Park the row (its buffers are only read): TRANSPORT_PARKED (a leader,
 * holding r->reserved) or TRANSPORT_FOLLOWS (it follows a parked row and
 * holds nothing); -1 and err.  Rows of file writing (-1: none), whose
 * answers are being given out, are followed by none.
 */
int		 batchpark_row(struct batchpark *, const struct row *, int,
		    char *, size_t);
/* Close the file being filled if it holds a row: 0, or -1 and err. */
int		 batchpark_close(struct batchpark *, char *, size_t);
/* The next file closed and not yet taken: 1 and *f, or 0. */
int		 batchpark_closed(struct batchpark *, struct batchpark_file *);
/* fsync what was appended: 0, or -1 and err. */
int		 batchpark_sync(struct batchpark *, char *, size_t);
/* Fill the checkpoint's fill, spool, upload and rows. */
void		 batchpark_mark(const struct batchpark *,
		    struct bstate_mark *);
/* File k is written: a row asking what its rows asked leads again. */
void		 batchpark_forget(struct batchpark *, int);
/* A resume: the leaders of closed file k's spool lead again.  0, or -1
 * and err. */
int		 batchpark_recall(struct batchpark *, int, char *, size_t);
/* The file being filled: its rows, and the dollars they hold. */
size_t		 batchpark_rows(const struct batchpark *);
double		 batchpark_reserved(const struct batchpark *);

#endif
