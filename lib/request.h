/*
 * Requests: the body sent for a row, and the same body asked again.
 *
 * request_new fixes everything that is the same for every row (the model,
 * the -P parameters, the message scaffolding) as two literal runs around
 * each rendered message, so building a body is template rendering and
 * copying.  request_ask adds what --labels, --schema and --confidence ask
 * for; request_reask appends a correction to a body already sent.
 *
 * Not here: reading what a response says, its answer, usage, logprobs or
 * error (answer.h, told where to look by request_get_form); HTTP
 * (pool.h); what to do about a failure (the caller).
 */
#ifndef ENRICH_REQUEST_H
#define ENRICH_REQUEST_H

#include <stddef.h>

#include "attach.h"
#include "buf.h"
#include "json.h"
#include "template.h"

struct request;

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
 * max_tokens).  answer_read reads its answers as Messages answers.
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
/* Take the answer from this path of the response, not from
 * choices.0.message.content. */
int		 request_extract(struct request *, const char *, char *,
		    size_t);
void		 request_free(struct request *);
/* Where a response to a request holds its answer (for answer_read). */
struct request_form {
	const struct tmpl	*extract;	/* --extract's path, or NULL */
	int			 messages;	/* a Messages API response */
	int			 tool;		/* the answer is a tool's input */
};

void		 request_get_form(const struct request *,
		    struct request_form *);
/* Bytes of every body that are not the rendered messages. */
size_t		 request_overhead(const struct request *);
/* The completion budget from -P max_tokens or max_completion_tokens. */
long long	 request_budget(const struct request *);
/*
 * The row's files (-a), borrowed: the user message's content becomes a
 * list, its text part then a's parts as loaded for the row.
 */
void		 request_attach(struct request *, struct attach *);
/* Append the body for the row at token 0 of j. */
int		 request_body(const struct request *, const struct json *,
		    struct buf *, char *, size_t);

#endif
