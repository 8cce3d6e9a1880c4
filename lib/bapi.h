/*
 * Bapi: the words of the OpenAI Batch and Files APIs, built and read.
 *
 * It builds what enrich sends (the URLs of /files and /batches, a Batch
 * request line, the body of POST /batches) and reads what comes back (a
 * file object, a batch object or a list of them, a line of an output or
 * error file).  Every answer is outside input: IDs are accepted only as
 * short runs of letters, digits, '-' and '_', since they go into URL
 * paths.
 *
 * It sends nothing and prints nothing (the transport, batchapi.c, does;
 * the upload is the pool's multipart, read from disk), and knows nothing
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

/* A line of an output or error file.  Pointers are into the line's text,
 * except custom_id, which is decoded into the caller's buffer. */
struct bapi_result {
	long		 status;	/* response.status_code, 0 if none */
	const char	*body;		/* response.body's JSON, or NULL */
	size_t		 bodylen;
	struct buf	*custom_id;
	char		 code[64];	/* error.code, when no response */
	char		 msg[256];	/* error.message */
};

/* The name of a status, as the API spells it. */
const char	*bapi_status_name(enum bapi_status);
/* Is the batch over: nothing more will change? */
int		 bapi_status_final(enum bapi_status);

/*
 * Append, NUL-terminated, the URL of path ("/files", "/batches/ID") under
 * base: base/path, or for Azure base/openai/path?api-version=V.
 */
int		 bapi_url(struct buf *, const char *, int, const char *,
		    const char *);
/* The path a request line names: /v1/chat/completions, or Azure's
 * /chat/completions. */
const char	*bapi_endpoint(int);
/* Append a request line, newline included, for custom_id (of its
 * length) to the url path, with this JSON body. */
int		 bapi_request_line(struct buf *, const char *, size_t,
		    const char *, const char *, size_t);
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
/* Is it no answer at all, but a request its batch never ran (expired or
 * cancelled), to be sent again? */
int		 bapi_unanswered(const struct bapi_result *);
/* A line of an output or error file.  0, 1 and err if the line is not
 * one, -1 if out of memory. */
int		 bapi_parse_result(struct json *, const char *, size_t,
		    struct bapi_result *, char *, size_t);

#endif
