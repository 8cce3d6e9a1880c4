/*
 * Batchcalls: the life of each closed Batch file at the provider, told
 * to STATE as it goes: uploaded, made a batch, polled until over, its
 * output and error files downloaded (streamed to disk whole, as
 * results.K in STATE's directory).
 *
 * Each step is a transfer on the pool, one at a time for the whole run
 * (a few calls an hour per file: no need for more); a call that fails is
 * tried again after a backoff, -r times, and a poll comes poll_ms after
 * the last, both as deadlines the caller's loop sleeps until.  A file
 * uploaded by a run killed before STATE heard of its batch is looked
 * for among the provider's batches, and made only if it is not there.
 * A status the API never said before is polled on, said once, and given
 * up after BATCHCALLS_UNKNOWN_POLLS polls as a failed batch.  A 401, a
 * 403 or a 404 stops the run: every other call would meet the same.
 *
 * It prints nothing: what a user may want to hear comes to say(), with
 * a level (1: only with -v).  It owns its transfer; the pool and STATE
 * are borrowed.  Not here: what is in the files (batchpark.h), what the
 * results mean for the rows (batchanswer.h), or when checkpoints come
 * (batchapi.h).
 */
#ifndef ENRICH_BATCHCALLS_H
#define ENRICH_BATCHCALLS_H

#include <stddef.h>

#include "bapi.h"
#include "bstate.h"
#include "pool.h"

struct provider_batch;

#define BATCHCALLS_UNKNOWN_POLLS	5	/* an unknown status, given up */

struct batchcalls_config {
	long long	 poll_ms;	/* between polls of a batch */
	int		 retries;	/* -r: a call's */
	long long	 file_timeout_ms;	/* an upload's or a download's */
	const char	*base;		/* the API's base URL */
	const struct provider_batch *batch;	/* its dialect (provider.h) */
	const char	*api_version;	/* Azure's */
	int		 upload_target;	/* the pool's, for multipart */
	const char	*key_hint;	/* for a 401: where the key is from */
};

struct batchcalls_parts {
	struct pool	*pool;
	struct bstate	*state;
	void		(*say)(void *, int, const char *);
	void		*arg;
};

/* A closed file, as its calls have left it. */
struct batchcalls_file {
	int		 k;
	char		 id[BAPI_ID_MAX];
	char		 batch[BAPI_ID_MAX];
	char		 out[BAPI_ID_MAX];	/* its output file, or "" */
	char		 errf[BAPI_ID_MAX];	/* its error file, or "" */
	size_t		 rows;
	double		 reserved;
	int		 marked;	/* STATE knows it closed */
	int		 known;		/* resumed: a batch may exist */
	int		 final;		/* over: results to get */
	int		 outgot;	/* the output file is in results.K */
	int		 got;		/* results.K is whole */
	int		 cancelled;	/* --batch-cancel asked */
	enum bapi_status status;
	int		 unknown;	/* polls saying a status not known */
	long long	 next;		/* its next call, at the earliest */
	int		 tries;		/* failures of its call so far */
};

struct batchcalls;

/* The files STATE names are taken up where they were: NULL and err. */
struct batchcalls *batchcalls_new(const struct batchcalls_config *,
		    const struct batchcalls_parts *, char *, size_t);
void		 batchcalls_free(struct batchcalls *);
/* A file closed; its calls wait until STATE knows (batchcalls_marked).
 * 0, or -1 and err. */
int		 batchcalls_add(struct batchcalls *, int, size_t, double,
		    char *, size_t);
/* STATE's checkpoint names the files before fill as closed. */
void		 batchcalls_marked(struct batchcalls *, int);
/* Start the next call if one is due: 0, or -1 and err. */
int		 batchcalls_start(struct batchcalls *, long long, char *,
		    size_t);
/* The pool gave back x: 1 if it was this module's (and is dealt with),
 * 0 if not; -1 and err if the run cannot go on. */
int		 batchcalls_done(struct batchcalls *, struct xfer *,
		    long long, char *, size_t);
/* ms until a call is due (-1: none). */
long long	 batchcalls_timeout(struct batchcalls *, long long);
/* A call is in flight. */
int		 batchcalls_flying(const struct batchcalls *);
/* The first file whose results are got whole, or NULL. */
const struct batchcalls_file *batchcalls_got(const struct batchcalls *);
/* File k is written through: forget it. */
void		 batchcalls_end(struct batchcalls *, int);
/* The first interrupt: start no call (the one in flight ends). */
void		 batchcalls_interrupt(struct batchcalls *);
/* A call said the run must stop (the reason was said). */
int		 batchcalls_stopped(const struct batchcalls *);
/* Files closed and not ended; with a batch; and their rows, dollars. */
size_t		 batchcalls_files(const struct batchcalls *);
int		 batchcalls_pending(const struct batchcalls *);
size_t		 batchcalls_rows(const struct batchcalls *);
double		 batchcalls_reserved(const struct batchcalls *);
/* --batch-cancel: cancel every batch not over, and nothing else. */
void		 batchcalls_cancel(struct batchcalls *, long long);
/* Every batch was asked to cancel (or failed to be). */
int		 batchcalls_cancel_over(const struct batchcalls *);
/* Batches cancelled, and those whose cancel failed. */
int		 batchcalls_cancelled(const struct batchcalls *, int *);

#endif
