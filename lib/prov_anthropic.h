/*
 * Anthropic's Messages API, for --anthropic: its wire (x-api-key and
 * anthropic-version, BASE/messages, the anthropic-ratelimit-* headers,
 * overloaded_error and 529) and its shape: the system prompt as the
 * top-level "system", in a text block that asks for caching when it is
 * long enough to be cached; "max_tokens" always, since the API requires
 * it; --labels told in the system prompt, --schema as a tool the model
 * must call, no logprobs (it has none); an answer's text blocks joined,
 * its stop_reason and its usage with the cache's counts.  Its Message
 * Batches dialect (lines, creation body, result lines) is here too, but
 * no transport drives it yet (provider.h says what would).
 *
 * Everything here computes on what it is given; a shape keeps its fixed
 * runs only.
 *
 * Not here: the key's reading and -H (provider.c), templates and -P
 * (request.h), what to do about a failure (verdict.h).
 */
#ifndef ENRICH_PROV_ANTHROPIC_H
#define ENRICH_PROV_ANTHROPIC_H

#include <stddef.h>

#include "provider.h"

#define ANTHROPIC_VERSION	"2023-06-01"
#define ANTHROPIC_MAX_TOKENS	1024	/* unless -P max_tokens says */
/* The shortest prefix Anthropic caches (2,048 on Haiku models, where a
 * shorter one is simply not cached: asking costs nothing). */
#define ANTHROPIC_CACHE_TOKENS	1024
#define ANTHROPIC_TOOL		"answer"	/* --schema's tool's name */

extern const struct provider_wire	 anthropic_wire;
extern const struct provider_shape	 anthropic_shape;
extern const struct provider_batch	 anthropic_batch;

/* Is a system prompt of this many rendered bytes long enough to cache? */
int		 anthropic_cacheable(size_t);
/*
 * Read a Messages answer from the response j holds (parsed from text):
 * 0 with a, -1 with err if there is none, ANSWER_TRUNCATED (stop_reason
 * max_tokens or pause_turn, a holds what came) or ANSWER_REFUSED
 * (stop_reason refusal, err says so).  Usage goes to a whatever the
 * outcome.  The answer points into text, or into scratch when several
 * text blocks are joined.  With tool set, the answer is the input the
 * model gave ANTHROPIC_TOOL, as a JSON string holding its JSON text (in
 * scratch), when it called it.
 */
int		 anthropic_answer(const struct json *, const char *, int,
		    struct buf *, struct answer *, char *, size_t);
/* Is this status or error type (or code) Anthropic's "overloaded, try
 * later"? */
int		 anthropic_overloaded(long, const char *, size_t);

#endif
