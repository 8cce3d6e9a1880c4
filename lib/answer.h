/*
 * Answers: what a response body says.  The answer to a row (where the
 * request's provider shape reads it, or the value at --extract), whether
 * it was cut at the token limit or refused, the tokens it reports, the
 * confidence its logprobs give a span of the answer, and the server's
 * words when it is an error.  The reading of each API is its provider's
 * (provider.h, prov_*.c); this is the one place that picks the reader.
 *
 * Everything here reads with the JSON module and keeps nothing: an answer
 * points into the response text or into a scratch buffer the caller
 * gives.
 *
 * Not here: the body sent (request.h); what a failure means, a retry or
 * not (verdict.h); whether the answer is a valid one and the line
 * written for it (schema.h, labels.h, record.h).
 */
#ifndef ENRICH_ANSWER_H
#define ENRICH_ANSWER_H

#include <stddef.h>

#include "buf.h"
#include "json.h"

struct request;

/* No request takes more tokens than this (the largest context windows
 * are a few million): a count above it is a broken or hostile server's,
 * and is taken as not reported rather than let it stall --tpm pacing or
 * overflow a sum. */
#define ANSWER_TOKENS_MAX	100000000LL

/* What a successful response holds. */
struct answer {
	const char	*value;		/* the answer as JSON text: a string */
	size_t		 len;		/* with its quotes, or compact JSON */
	int		 string;	/* it is a JSON string */
	long long	 prompt_tokens;		/* -1 when not reported */
	long long	 completion_tokens;
	long long	 cached_tokens;		/* of prompt_tokens, read from
						 * a cache; -1: not reported */
	long long	 cache_write_tokens;	/* written to it (Anthropic) */
};

/* What answer_read found, besides an answer (0) or none (-1). */
#define ANSWER_TRUNCATED	1	/* cut at the token limit: a is partial */
#define ANSWER_REFUSED		2	/* refused or filtered: err says so */

/*
 * Read the answer from a response to r, where r says it is
 * (request_get_form); -1 and err if it is absent or null.  j is parsed
 * from text.  The answer points into the response text or into the
 * scratch buffer.  Also ANSWER_TRUNCATED (finish_reason "length",
 * stop_reason "max_tokens": with what came of the answer) or
 * ANSWER_REFUSED (message.refusal, finish_reason "content_filter", with
 * the refusal in err), as the shape reads them.
 */
int		 answer_read(const struct request *, struct json *,
		    const char *, size_t, struct buf *, struct answer *, char *,
		    size_t);
/*
 * A token count in a usage object: the integer member key of obj, or -1
 * when it is absent or absurd (above 10^8: a broken or hostile server's).
 */
long long	 answer_tokens(const struct json *, int, const char *);
/*
 * The probability of the answer's bytes start to end (of its decoded
 * text), from the logprobs of a response to r parsed in j: exp of the sum
 * of the logprobs of the tokens that overlap them, when the tokens spell
 * the answer (forgiven as a label is).  -1 if the response has none, the
 * tokens spell something else, or the provider has no logprobs.
 */
int		 answer_confidence(const struct request *, const struct json *,
		    size_t, size_t, struct buf *, double *);
/*
 * The server's error message (or the start of the body as text, on one
 * line) and its error code (or type, or nothing).  -1 if out of memory.
 */
int		 answer_error(struct json *, const char *, size_t,
		    struct buf *, struct buf *);

#endif
