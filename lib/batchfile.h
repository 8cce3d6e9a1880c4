/*
 * Batchfile: the OpenAI Batch file formats, line by line, the one place
 * that knows them, for both directions and both uses (--batch-input and
 * --batch-output's files, and the Batch API's uploads and results):
 *
 *	a request line,
 *	{"custom_id":..,"method":"POST","url":"/v1/chat/completions","body":{..}}
 *		made by batchfile_request_line, read by batchfile_request
 *		into the URL and body to send;
 *	an output or error line,
 *	{"id":"batch_req_N","custom_id":ID,"response":{"status_code":S,
 *	 "request_id":R,"body":{..}},"error":null}, or with "response":null
 *	and an "error" object when no whole response came,
 *		made by batchfile_output, read by batchfile_parse_result.
 *
 * Not here: sending, or deciding whether an attempt failed; the API's
 * objects (files, batches: bapi.h).
 */
#ifndef ENRICH_BATCHFILE_H
#define ENRICH_BATCHFILE_H

#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#include "json.h"
#include "pool.h"

/*
 * The request line parsed in j: append its URL (after base, less the /v1
 * they share) to url, NUL-terminated, and its compact body to body.
 * 0; 1 with err when the line is not such a request; -1 if out of memory.
 */
int	 batchfile_request(const struct json *, const char *, struct buf *,
	    struct buf *, char *, size_t);
/*
 * Append the output line, newline included, for request lineno with this
 * custom_id (JSON text): the response x when there was one (x not NULL),
 * else an error of this type and message.
 */
int	 batchfile_output(struct buf *, uint64_t, const char *, size_t,
	    const struct xfer *, const char *, const char *, size_t);

/* Append a request line, newline included, for custom_id (of its
 * length) to the url path, with this JSON body (compact). */
int	 batchfile_request_line(struct buf *, const char *, size_t,
	    const char *, const char *, size_t);

/* A line of an output or error file.  Pointers are into the line's text,
 * except custom_id, which is decoded into the caller's buffer. */
struct batchfile_result {
	long		 status;	/* response.status_code, 0 if none */
	const char	*body;		/* response.body's JSON, or NULL */
	size_t		 bodylen;
	struct buf	*custom_id;
	char		 code[64];	/* error.code, when no response */
	char		 msg[256];	/* error.message */
};

/* A line of an output or error file.  0, 1 and err if the line is not
 * one, -1 if out of memory. */
int	 batchfile_parse_result(struct json *, const char *, size_t,
	    struct batchfile_result *, char *, size_t);
/* Is it no answer at all, but a request its batch never ran (expired or
 * cancelled), to be sent again? */
int	 batchfile_unanswered(const struct batchfile_result *);

#endif
