/*
 * Bresult: a row's line from what the Batch API answered for it, through
 * the same path a real-time response takes (record.h), so that --json,
 * -o, --meta and the error types come out as they do in real time.
 *
 * A 2xx response is read for its answer as record_response reads one (an
 * answer cut at the token limit is a "truncated" error, a refusal
 * "refused", an answer that fails --json, --schema or --labels
 * "invalid_answer", an unreadable one "parse"); any other status is an
 * "http" error with the server's message; an error with no response is an
 * "http" error with its code and message.  Unlike real time, nothing is
 * retried or asked again here: a Batch answer is final.  The row's own
 * input must be loaded (input_load) first.
 *
 * Not here: reading the result line (bapi.h), sending the row again
 * (batchrun.c).
 */
#ifndef ENRICH_BRESULT_H
#define ENRICH_BRESULT_H

#include "bapi.h"
#include "json.h"
#include "record.h"
#include "rows.h"

/* Is it no answer at all, but a row its batch never ran (expired or
 * cancelled), to be sent again? */
int	 bresult_unanswered(const struct bapi_result *);
/* Write r->line (and r->failed) for this result; j is scratch.  0, or
 * -1 if out of memory. */
int	 bresult_write(struct record *, struct json *, struct row *,
	    const struct bapi_result *);
/* Write r->line for a row that tries batches never answered. */
int	 bresult_give_up(struct record *, struct row *, int);

#endif
