/*
 * Batchapi: the Batch API as a transport (transport.h) of the one
 * scheduler, on the one pool, driven by the one loop: the state machine
 * that puts its parts to work as sched calls it.
 *
 * A row sent to it is parked, not kept: in the Batch file being filled,
 * or following a parked row that asks the same (batchpark.h).  A file
 * closes at --batch-size rows, near the provider's byte limit, or when
 * the input ended and nothing more can come to it; then its calls
 * upload it, make it a batch, poll it and download its results
 * (batchcalls.h), each a transfer on the pool, their retries and polls
 * deadlines like a row's retry.  When a file's results are on disk its
 * rows are made again, in order, each with its result (batchanswer.h),
 * and handed to the caller (done) to be judged and written as a
 * real-time row is.  A row no batch answered (expired, failed,
 * cancelled) is parked again, -r times at most; then it comes back as an
 * error to write.  A re-ask or a retry that the caller sends again goes
 * to the file being filled too: a later batch.
 *
 * Everything is told to STATE (bstate.h) as it happens; checkpoints of
 * the input's position (batchinput.h) and of the results written come
 * when the caller is quiet (nothing waits, the output is written), at
 * most once a second unless a file closes or ends.
 *
 * It prints nothing: what a user may want to hear comes to say(), with
 * a level (1: only with -v).  It owns its parts and their files;
 * everything in batchapi_parts is borrowed.
 */
#ifndef ENRICH_BATCHAPI_H
#define ENRICH_BATCHAPI_H

#include <stddef.h>

#include "bstate.h"
#include "input.h"
#include "pool.h"
#include "record.h"
#include "rows.h"
#include "transport.h"

struct batchapi_config {
	int		 batch_size;	/* rows a file, at most */
	long long	 file_max;	/* bytes of an upload, at most */
	long long	 poll_ms;	/* between polls of a batch */
	int		 retries;	/* -r: an API call's, a row's batches */
	size_t		 max_response;	/* a result line's bytes */
	long long	 file_timeout_ms;	/* an upload's or a download's */
	const char	*base;		/* the API's base URL */
	const struct provider_batch *batch;	/* its dialect (provider.h) */
	const char	*api_version;	/* Azure's */
	int		 upload_target;	/* the pool's, for multipart */
	const char	*key_hint;	/* for a 401: where the key is from */
};

struct batchapi_parts {
	struct pool	*pool;
	struct bstate	*state;
	struct rows	*rows;		/* rows made again come from here */
	struct input	*input;
	struct record	*record;	/* the lines of rows given up */
	void		(*say)(void *, int, const char *);
	void		*arg;
};

struct batchapi;

/* The files STATE names are opened and its work resumed: NULL and err. */
struct batchapi	*batchapi_new(const struct batchapi_config *,
		    const struct batchapi_parts *, long long, char *, size_t);
void		 batchapi_free(struct batchapi *);
/* Its face, for sched. */
void		 batchapi_transport(struct batchapi *, struct transport *);
/* Files uploaded and not yet written, for the progress line; and the
 * dollars the rows parked in them hold (--max-cost, on a resume). */
int		 batchapi_pending(const struct batchapi *);
/* Rows parked in files not yet written: the progress line's in flight. */
size_t		 batchapi_rows(const struct batchapi *);
double		 batchapi_reserved(const struct batchapi *);
/* --batch-cancel: cancel every batch STATE names that is not over; the
 * number asked to, when over() says so.  */
int		 batchapi_cancel(struct batchapi *, long long);
int		 batchapi_cancelled(const struct batchapi *, int *);

#endif
