/*
 * Bapi: the words of the OpenAI Batch and Files APIs, built and read.
 *
 * It builds the body of POST /batches and reads what comes back (a file
 * object, a batch object or a list of them).  The URLs are each
 * provider's (struct provider_batch: Azure's differ); the lines of the
 * files themselves, request and result, are batchfile.h's.  Every answer
 * is outside input: IDs are accepted only as short runs of letters,
 * digits, '-' and '_', since they go into URL paths.
 *
 * It sends nothing and prints nothing (batchcalls.h does; the upload is
 * the pool's multipart, read from disk), and knows nothing
 * of the STATE file (bstate.h) or of rows (record.h).
 */
#ifndef ENRICH_BAPI_H
#define ENRICH_BAPI_H

#include <stddef.h>

#include "buf.h"
#include "json.h"

#define BAPI_ID_MAX	128		/* bytes of an ID, with its NUL */
#define BAPI_FILE_MAX	(200LL * 1000 * 1000)	/* bytes of an upload */

enum bapi_status {
	BAPI_UNKNOWN,
	BAPI_VALIDATING,
	BAPI_IN_PROGRESS,
	BAPI_FINALIZING,
	BAPI_CANCELLING,
	BAPI_COMPLETED,		/* the final ones from here */
	BAPI_EXPIRED,
	BAPI_FAILED,
	BAPI_CANCELLED
};

/* What a batch object says. */
struct bapi_batch {
	char		 id[BAPI_ID_MAX];
	char		 input_file_id[BAPI_ID_MAX];
	char		 output_file_id[BAPI_ID_MAX];	/* "" if none */
	char		 error_file_id[BAPI_ID_MAX];
	enum bapi_status status;
	char		 status_text[32];	/* as said, for one unknown */
	long long	 total, completed, failed;	/* -1: not said */
	char		 why[200];	/* a failed batch's first error */
};

/* The name of a status, as the API spells it. */
const char	*bapi_status_name(enum bapi_status);
/* Is the batch over: nothing more will change? */
int		 bapi_status_final(enum bapi_status);

/* Append the body of POST /batches for this input file. */
int		 bapi_create_body(struct buf *, const char *, const char *);

/* Is s a usable ID (a C string)? */
int		 bapi_id_ok(const char *);
/* A file object: its ID into id (BAPI_ID_MAX).  0, or -1 and err. */
int		 bapi_parse_file(struct json *, const char *, size_t, char *,
		    char *, size_t);
/* A batch object.  0, or -1 and err. */
int		 bapi_parse_batch(struct json *, const char *, size_t,
		    struct bapi_batch *, char *, size_t);
/* A list of batches ({"data":[...]}): 1 and *b for the one made from
 * input_file_id, 0 if none is, -1 and err if the list is unreadable. */
int		 bapi_find_batch(struct json *, const char *, size_t,
		    const char *, struct bapi_batch *, char *, size_t);

#endif
