/*
 * Requests: the body sent for a row, and the same body asked again.
 *
 * A request is a provider's shape (provider.h) with what every body of
 * the run holds: the model, the -P parameters (checked here, against
 * enrich's own members and the shape's), the system and user templates,
 * and what --labels, --schema and --confidence ask for (request_ask).
 * request_body renders the row's messages and lets the shape lay out the
 * body around them; request_reask lets it append a correction to a body
 * already sent.
 *
 * Not here: the layout of a body (the shapes, prov_*.c); reading what a
 * response says (answer.h, told where to look by request_get_form);
 * HTTP (pool.h); what to do about a failure (the caller).
 */
#ifndef ENRICH_REQUEST_H
#define ENRICH_REQUEST_H

#include <stddef.h>

#include "attach.h"
#include "buf.h"
#include "json.h"
#include "provider.h"
#include "template.h"

struct request;

struct request_config {
	const struct provider_shape	*shape;
	const char			*model;
	const struct tmpl		*system;	/* or NULL */
	const struct tmpl		*user;	/* for --body, the body */
	char *const			*params;	/* -P KEY=JSON */
	size_t				 nparams;
};

/*
 * The templates are borrowed and must outlive the request (so must the
 * shape); the rest is copied.  NULL and err if a parameter is refused.
 */
struct request	*request_make(const struct request_config *, char *, size_t);
/* request_make of OpenAI's chat shape. */
struct request	*request_new(const char *, const struct tmpl *,
		    const struct tmpl *, char *const *, size_t, char *,
		    size_t);
/* request_make of --body's shape: the TMPL_BODY template is the body. */
struct request	*request_new_body(const struct tmpl *, char *, size_t);
void		 request_free(struct request *);

/* What a request asks for besides its messages. */
struct request_ask {
	const char	*instruction;	/* told after the system message */
	const char	*format;	/* response_format: JSON text */
	int		 logprobs;	/* ask for the answer's logprobs */
};

/* -1 and err for --body, if -P sets the same, or if the shape cannot
 * ask it (a schema Anthropic's tools cannot take).  Copied. */
int		 request_ask(struct request *, const struct request_ask *,
		    char *, size_t);
/*
 * Ask again: append to the body's conversation the model's answer (JSON
 * text: a string) and a user turn saying what was wrong (why, one line).
 * 0; 1 if the body has no conversation to append to; -1 if out of
 * memory.  j is scratch.
 */
int		 request_reask(const struct request *, struct json *,
		    struct buf *, const char *, size_t, const char *);
/* Take the answer from this path of the response, not from where the
 * shape reads it. */
int		 request_extract(struct request *, const char *, char *,
		    size_t);
/* Where a response to a request holds its answer (for answer_read):
 * --extract's path if given, else where the shape reads it. */
struct request_form {
	const struct tmpl		*extract;	/* or NULL */
	const struct provider_shape	*shape;
	const void			*data;	/* the shape's own */
};

void		 request_get_form(const struct request *,
		    struct request_form *);
/* Bytes of every body that are not the rendered messages. */
size_t		 request_overhead(const struct request *);
/* The completion budget: -P max_tokens or max_completion_tokens, else
 * the one the shape always sends. */
long long	 request_budget(const struct request *);
/* The bytes of the system prompt in this body that ask to be cached
 * (Anthropic's prompt caching); 0 if none do. */
size_t		 request_cached_bytes(const struct request *, const char *,
		    size_t);
/*
 * The row's files (-a), borrowed: its user message's parts after the
 * text, as attach_load loaded them for the row.
 */
void		 request_attach(struct request *, struct attach *);
/* Append the body for the row at token 0 of j. */
int		 request_body(const struct request *, const struct json *,
		    struct buf *, char *, size_t);

#endif
