/*
 * Batchapi: the Batch API as a transport (transport.h) of the one
 * scheduler, on the one pool, driven by the one loop.
 *
 * A row sent to it is parked, not kept (its custom_id is its place among
 * the input's rows, from 1: ours, unique and the same on a resume): appended to the spool of the file
 * being filled (spool.h) and, unless it asks what a row already parked
 * asks (then it follows that row, and is never uploaded), as a Batch
 * request line to the file's upload.  A file closes at --batch-size rows,
 * near the provider's byte limit, or when the input ended and nothing
 * more can come to it; then it is uploaded, made a batch, and polled:
 * each step a transfer on the pool, one at a time, its retries and polls
 * deadlines like a row's retry.  When a batch is over its output and
 * error files stream to disk (results.h), and its spool is read again in
 * order: each row is made again from its input (input.h), given its
 * leader's result as its attempt's outcome, and handed to the caller
 * (done) to be judged and written as a real-time row is.  A row no batch
 * answered (expired, failed, cancelled) goes into the file being filled,
 * -r times at most; then it comes back as an error to write.  A re-ask
 * or a retry that the caller sends again goes there too: a later batch.
 *
 * Everything is told to STATE (bstate.h) as it happens; checkpoints of
 * the input's position and of the results written come when the caller
 * is quiet (nothing waits, the output is written), at most once a
 * second unless a file closes or ends.  A status the API never said
 * before is polled on, said once, and given up after a few polls as a
 * failed batch.
 *
 * It prints nothing: what a user may want to hear comes to say(), with
 * a level (1: only with -v).  It owns its files and the transfer in
 * flight; everything in batchapi_parts is borrowed.
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

struct provider_batch;

#define BATCHAPI_UNKNOWN_POLLS	5	/* an unknown status, given up */
#define BATCHAPI_KEYS		32768	/* parked rows' keys kept */

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
