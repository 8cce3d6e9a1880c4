/*
 * Batch: the OpenAI Batch file formats, line by line.
 *
 * batch_request reads a request line (--batch-input),
 * {"custom_id":..,"method":"POST","url":"/v1/chat/completions","body":{..}},
 * into the URL and body to send; batch_output writes an output line
 * (--batch-output), {"id":"batch_req_N","custom_id":ID,"response":
 * {"status_code":S,"request_id":R,"body":{..}},"error":null}, or with
 * "response":null and an "error" object when no whole response came.
 *
 * Not here: sending, or deciding whether an attempt failed.
 */
#ifndef ENRICH_BATCH_H
#define ENRICH_BATCH_H

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
int	 batch_request(const struct json *, const char *, struct buf *,
	    struct buf *, char *, size_t);
/*
 * Append the output line, newline included, for request lineno with this
 * custom_id (JSON text): the response x when there was one (x not NULL),
 * else an error of this type and message.
 */
int	 batch_output(struct buf *, uint64_t, const char *, size_t,
	    const struct xfer *, const char *, const char *, size_t);

#endif
