/*
 * Requests: the body sent for a row, and what its response means.
 *
 * request_new fixes everything that is the same for every row (the model,
 * the -P parameters, the message scaffolding) as two literal runs around
 * each rendered message, so building a body is template rendering and
 * copying.  request_answer and request_error read a response body with the
 * JSON module; they keep nothing.
 *
 * Not here: HTTP (pool.h) or what to do about a failure (the caller).
 */
#ifndef ENRICH_REQUEST_H
#define ENRICH_REQUEST_H

#include <stddef.h>

#include "buf.h"
#include "json.h"
#include "template.h"

struct request;

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

/*
 * The templates are borrowed and must outlive the request; params are
 * KEY=JSON strings, checked here.
 */
struct request	*request_new(const char *, const struct tmpl *,
		    const struct tmpl *, char *const *, size_t, char *,
		    size_t);
/*
 * The same, for Anthropic's Messages API (anthropic.h): the system prompt
 * as the top-level "system", max_tokens always (-P max_tokens, else
 * max_tokens).  Answers are read as Messages answers.
 */
struct request	*request_new_messages(const char *, const struct tmpl *,
		    const struct tmpl *, char *const *, size_t, long long,
		    char *, size_t);
/* The bytes of the system prompt in this body that ask to be cached
 * (Anthropic's prompt caching); 0 if none do. */
size_t		 request_cached_bytes(const struct request *, const char *,
		    size_t);
/*
 * Any JSON API instead: the body is a TMPL_BODY template (borrowed, like
 * the chat templates).
 */
struct request	*request_new_body(const struct tmpl *, char *, size_t);
/* What a chat request asks for besides its messages. */
struct request_ask {
	const char	*instruction;	/* told after the system message */
	const char	*format;	/* response_format: JSON text */
	int		 logprobs;	/* ask for the answer's logprobs */
};

/* Only for a chat request; -1 and err if -P sets the same. */
int		 request_ask(struct request *, const struct request_ask *,
		    char *, size_t);
/*
 * Ask again: append to the body's messages the model's answer (JSON
 * text: a string) and a user message saying what was wrong (why, one
 * line).  0; 1 if the body has no messages to append to; -1 if out of
 * memory.  j is scratch.
 */
int		 request_reask(struct json *, struct buf *, const char *,
		    size_t, const char *);
/*
 * The probability of the answer's bytes start to end (of its decoded
 * text), from the logprobs of a chat response parsed in j: exp of the sum
 * of the logprobs of the tokens that overlap them.  -1 if the response
 * has none.
 */
int		 request_confidence(const struct json *, size_t, size_t,
		    struct buf *, double *);
/* Take the answer from this path of the response, not from
 * choices.0.message.content. */
int		 request_extract(struct request *, const char *, char *,
		    size_t);
void		 request_free(struct request *);
/* Bytes of every body that are not the rendered messages. */
size_t		 request_overhead(const struct request *);
/* The completion budget from -P max_tokens or max_completion_tokens. */
long long	 request_budget(const struct request *);
/* Append the body for the row at token 0 of j. */
int		 request_body(const struct request *, const struct json *,
		    struct buf *, char *, size_t);
/* What request_answer found, besides an answer (0) or none (-1). */
#define REQUEST_TRUNCATED	1	/* cut at the token limit: a is partial */
#define REQUEST_REFUSED		2	/* refused or filtered: err says so */

/*
 * Read the answer from a response; -1 and err if it is absent or null.
 * The answer points into the response text or into the scratch buffer.
 * For a chat completion, also REQUEST_TRUNCATED (finish_reason "length",
 * with what came of the answer) or REQUEST_REFUSED (message.refusal, or
 * finish_reason "content_filter", with the refusal in err).
 */
int		 request_answer(const struct request *, struct json *,
		    const char *, size_t, struct buf *, struct answer *, char *,
		    size_t);
/*
 * A token count in a usage object: the integer member key of obj, or -1
 * when it is absent or absurd (above 10^8: a broken or hostile server's).
 */
long long	 request_tokens(const struct json *, int, const char *);
/*
 * The server's error message (or the start of the body as text) and its
 * error code (or type, or nothing).
 */
int		 request_error(struct json *, const char *, size_t,
		    struct buf *, struct buf *);

#endif
