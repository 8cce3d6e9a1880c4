/*
 * OpenAI chat completions: the wire (Authorization: Bearer, BASE/chat/
 * completions, x-ratelimit-* headers, the Batch API of uploaded files)
 * and the chat shape (model, messages, the -P members; --schema as
 * response_format, --confidence as logprobs; choices[0].message's
 * answer, finish_reason, usage and logprobs).  Azure's wire and --body's
 * shape reuse the parts named here.
 *
 * Everything here computes on what it is given; a shape keeps its fixed
 * runs only.
 *
 * Not here: which provider a run uses (provider.c's table), templates
 * (request.h), the Batch transport (batchapi.h, bapi.h).
 */
#ifndef ENRICH_PROV_OPENAI_H
#define ENRICH_PROV_OPENAI_H

#include "provider.h"

extern const struct provider_wire	 openai_wire;
extern const struct provider_shape	 openai_chat_shape;
/* The Batch API's format: /v1/chat/completions lines, purpose batch. */
extern const struct provider_batch	 openai_batch;
/* The response headers OpenAI's limits come in (Azure's too). */
extern const char *const		 openai_keep[];

/* BASE ENDPOINT QUERY: the wire's url op. */
int	 openai_url(const struct provider_config *, const char *, size_t,
	    const char *, char **);
/* The Batch API's URL of path: base and path joined (version unused). */
int	 openai_batch_url(struct buf *, const char *, const char *,
	    const char *);
/* A chat completion's usage: prompt_tokens, completion_tokens and
 * prompt_tokens_details.cached_tokens. */
void	 openai_usage(const struct json *, struct answer *);
/* A chat completion's answer: choices[0].message.content, refusal and
 * finish_reason (the shape is unused). */
int	 openai_answer(const void *, const struct json *, const char *,
	    struct buf *, struct answer *, char *, size_t);
/* Ask again in a "messages" array: an assistant turn and a user turn
 * (the Messages API takes the same). */
int	 openai_reask(struct json *, struct buf *, const char *, size_t,
	    const char *);
/* The logprobs of choices[0] (answer_confidence). */
int	 openai_confidence(const struct json *, size_t, size_t, struct buf *,
	    double *);

#endif
