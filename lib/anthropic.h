/*
 * Anthropic: what is the Messages API's own, for --anthropic.
 *
 * The shape of a Messages body, as the literal runs request.c renders the
 * messages between (the system prompt as the top-level "system" field, in
 * a text block that asks for caching when it is long enough to be cached;
 * "messages" kept at the top level, holding the user turn; "max_tokens"
 * always, since the API requires it); reading a Messages answer (the text
 * blocks of "content" joined, "stop_reason", and "usage" with its cache
 * counts); the response headers that matter for retries and pacing
 * (anthropic-ratelimit-*), and the RFC 3339 times their resets are
 * written in; and which errors mean "overloaded, try again".
 *
 * Everything here computes on what it is given and keeps nothing.
 *
 * Not here: the URL and the key's header (provider.h), what to do about a
 * failure (verdict.h) or a budget (pace.h); the request's templates and
 * its -P parameters (request.h).
 */
#ifndef ENRICH_ANTHROPIC_H
#define ENRICH_ANTHROPIC_H

#include <stddef.h>

#include "buf.h"
#include "json.h"
#include "request.h"

#define ANTHROPIC_URL		"https://api.anthropic.com/v1"
#define ANTHROPIC_ENDPOINT	"/messages"
#define ANTHROPIC_VERSION	"2023-06-01"
#define ANTHROPIC_MAX_TOKENS	1024	/* unless -P max_tokens says */
/* The shortest prefix Anthropic caches (2,048 on Haiku models, where a
 * shorter one is simply not cached: asking costs nothing). */
#define ANTHROPIC_CACHE_TOKENS	1024

/*
 * The runs of a Messages body around the rendered system and user
 * messages: head up to the first of them, mid between them (midc instead
 * when the system prompt is cached), tail after the user message.  params
 * is the -P members, already checked, as ",\"k\":v..." (plen bytes, may
 * be 0); max_tokens > 0 is added before them when -P does not set it.
 * Appends to the buffers; -1 if out of memory.
 */
int		 anthropic_shape(const char *, int, const char *, size_t,
		    long long, struct buf *, struct buf *, struct buf *,
		    struct buf *);
/*
 * An instruction told after the system prompt (--labels): appended to
 * it in mid and midc, or when there is none (has_system 0) as a system
 * prompt of its own in head.  -1 if out of memory.
 */
int		 anthropic_instruction(struct buf *, struct buf *,
		    struct buf *, int, const char *);
/*
 * --schema: the schema of a response_format json_schema (format, JSON
 * text), as the input_schema of a tool the model must call, appended to
 * b as members: ,"tools":[...],"tool_choice":{...}.  A format without a
 * json_schema adds nothing.  j is scratch.  -1 and err if the schema is
 * no object schema (a tool's input is an object) or out of memory.
 */
int		 anthropic_tool(struct json *, const char *, struct buf *,
		    char *, size_t);
#define ANTHROPIC_TOOL		"answer"	/* the tool's name */
/* Is a system prompt of this many rendered bytes long enough to cache? */
int		 anthropic_cacheable(size_t);
/* The bytes of the cached system prompt in a body made from these runs
 * (headlen is the head's length), or 0 if it asks for no caching. */
size_t		 anthropic_cached_bytes(const char *, size_t, size_t);
/*
 * Read a Messages answer from the response j holds (parsed from text):
 * 0 with a, -1 with err if there is none, REQUEST_TRUNCATED (stop_reason
 * max_tokens, a holds what came) or REQUEST_REFUSED (stop_reason refusal,
 * err says so).  Usage goes to a whatever the outcome.  The answer points
 * into text, or into scratch when several text blocks are joined.  With
 * tool set, the answer is the input the model gave ANTHROPIC_TOOL, as a
 * JSON string holding its JSON text (in scratch), when it called it.
 */
int		 anthropic_answer(const struct json *, const char *, int,
		    struct buf *, struct answer *, char *, size_t);
/* The response header names for xfer's slots (enum xfer_header). */
const char *const *anthropic_keep(void);
/*
 * An anthropic-ratelimit-*-reset: an RFC 3339 time such as
 * 2026-01-01T00:00:30Z or 2026-01-01T01:00:30.5+01:00.  The ms from
 * now_ms (ms since the epoch) until then, 0 if it has passed, -1 if it
 * is no such time.
 */
long long	 anthropic_reset_ms(const char *, long long);
/* Is this error type (or code) Anthropic's "overloaded, try later"? */
int		 anthropic_overloaded(const char *, size_t);

#endif
