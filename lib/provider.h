/*
 * Provider: the face every API enrich speaks puts on, and who the
 * requests of a run go to.
 *
 * A provider is a row of operations (struct provider_ops), in two halves,
 * as redis's ae.c puts epoll, kqueue and select behind one face:
 *
 *   the wire (struct provider_wire): the key's header and the headers
 *   every request carries, the URL made of -u, the response headers that
 *   matter for retries and pacing (the rate-limit dialect), what
 *   "overloaded, try later" looks like, and its Batch API if any
 *   (struct provider_batch);
 *
 *   the shape (struct provider_shape): the body sent for a row (its
 *   messages, model and -P members; how --labels, --schema and
 *   --confidence are asked; the user message's attachments), the same
 *   body asked again, and reading an answer (its text, whether it was cut
 *   or refused, its usage and its logprobs).
 *
 * One file each: prov_openai.c (chat completions), prov_azure.c (Azure
 * OpenAI: the chat shape, its own URL and key header), prov_anthropic.c
 * (the Messages API) and prov_body.c (--body: any JSON API by a template,
 * a shape on whichever wire it goes to).  provider_find picks a row of
 * the table in provider.c by name; adding a provider is a file and a row.
 *
 * Checked on paper against two APIs not built:
 *
 *   Gemini's generateContent: a wire of its own (URL .../models/MODEL:
 *   generateContent, made by url from the model; x-goog-api-key as
 *   key_header; no rate-limit headers, keep all but XH_RETRY_AFTER NULL;
 *   overloaded: 503 UNAVAILABLE, 429 RESOURCE_EXHAUSTED).  A shape of its
 *   own: shape_new lays out {"contents":[{"role":"user","parts":[{"text":
 *   ...}]}],"systemInstruction":{"parts":[{"text":...}]},
 *   "generationConfig":{...}} with the -P members, max_tokens as
 *   maxOutputTokens, --schema as responseMimeType and responseSchema,
 *   --labels in systemInstruction; attachments as inline_data parts;
 *   reask appends to "contents" a "model" turn and a "user" turn (reask
 *   is an op for this reason: the conversation is not "messages"
 *   everywhere); answer reads candidates[0].content.parts[].text and
 *   finishReason (MAX_TOKENS truncated, SAFETY and RECITATION refused);
 *   usage reads usageMetadata; confidence NULL (avgLogprobs is not per
 *   token).  Its batch mode (batchGenerateContent with a JSONL file of
 *   {"key","request"} lines, polled as a long-running operation) fits
 *   provider_batch's line and result ops; its job objects do not fit
 *   bapi's batch object and would need their own reader beside them.
 *
 *   Anthropic's Message Batches: prov_anthropic.c's provider_batch has
 *   its line ({"custom_id","params":{...}}) and its result reader
 *   ({"custom_id","result":{"type":"succeeded","message":{...}}}), both
 *   unit-tested.  No file is uploaded (purpose NULL): the lines joined
 *   with commas are the creation body's "requests" array (create_body),
 *   and the batch is polled at /messages/batches/ID (processing_status,
 *   results_url).  The transport (batchapi.c) drives only the OpenAI
 *   flow of upload, create, poll and download today: driving this one
 *   needs its job reader and a transport step that posts the lines
 *   instead of uploading them.  So --batch-api --anthropic is refused.
 *
 * The key comes from a file or the environment, never argv, and goes
 * nowhere but its header; provider_free wipes it.  Error messages never
 * hold it.
 *
 * Not here: templates and -P parameters (request.h, which builds a row's
 * body through a shape), what a failure means (verdict.h), HTTP (pool.h).
 */
#ifndef ENRICH_PROVIDER_H
#define ENRICH_PROVIDER_H

#include <stddef.h>

#include "answer.h"
#include "attach.h"
#include "buf.h"
#include "json.h"

struct batchfile_result;
struct provider_config;

/* An attachment to the row's user message, after its text.  The data is
 * base64 (no line breaks), or url names it instead. */
enum provider_part_kind {
	PROVIDER_IMAGE,
	PROVIDER_DOCUMENT
};

struct provider_part {
	enum provider_part_kind	 kind;
	const char		*media_type;	/* "image/png", ... */
	const char		*data;		/* base64, or NULL with url */
	size_t			 len;
	const char		*url;		/* or NULL */
	const char		*filename;	/* a document's, or NULL */
};

/* A row's messages as rendered: JSON-escaped text, without quotes. */
struct provider_prompt {
	const char			*system;	/* NULL: none */
	size_t				 system_len;
	const char			*user;
	size_t				 user_len;
	const struct provider_part	*parts;		/* may be NULL */
	size_t				 nparts;
};

/* What every body of a run holds besides its messages, fixed at start. */
struct provider_ask {
	const char	*model;
	const char	*params;	/* -P members, checked: ,"k":v... */
	size_t		 params_len;
	int		 has_system;	/* a system template is given */
	long long	 max_tokens;	/* > 0: sent, -P setting none */
	const char	*instruction;	/* --labels: told after the system */
	const char	*format;	/* --schema: a response_format, JSON */
	int		 logprobs;	/* --confidence */
};

/*
 * The Batch API of a wire.  Lines, bodies and URLs are appended to b;
 * the parsing reads JSON text into j.
 */
struct provider_batch {
	const char	*endpoint;	/* the path a line names */
	/* The upload's purpose; NULL: nothing is uploaded, the creation
	 * body holds the lines. */
	const char	*purpose;
	/* NUL-terminated, the URL of path ("/files", "/batches/ID") under
	 * base; version is Azure's api-version. */
	int		(*url)(struct buf *, const char *, const char *,
			    const char *);
	/* A request line, newline included: custom_id (of its length),
	 * the endpoint, the body (JSON text of its length). */
	int		(*line)(struct buf *, const char *, size_t,
			    const char *, const char *, size_t);
	/* The body that creates a batch of this file (or these lines). */
	int		(*create_body)(struct buf *, const char *,
			    const char *);
	/* A line of a result file: 0, 1 and err if not one, -1 if out of
	 * memory. */
	int		(*result)(struct json *, const char *, size_t,
			    struct batchfile_result *, char *, size_t);
};

struct provider_wire {
	/*
	 * A run's defaults on this wire, where the options say nothing
	 * (rules.c applies them, --help shows them): the environment
	 * variable that may hold -u's URLs (NULL: none is read); the base
	 * URL else (NULL: -u's in the option table, or none); the endpoint
	 * after it and the model (NULL: the option table's); the variable
	 * the key is read from; the api-version's variable and its value
	 * when unset (NULL: none is sent).
	 */
	const char	*url_env;
	const char	*base_url;
	const char	*endpoint;
	const char	*model;
	const char	*key_env;
	const char	*version_env;
	const char	*version;
	/* The key's header, "Name: " (the key follows), and its name
	 * lowercased with its colon, to find it in -H. */
	const char	*key_header;
	const char	*key_name;
	/* A header every request carries unless -H names it, or NULL. */
	const char	*fixed_header;
	/* A key is needed whatever the host (else only at api.openai.com,
	 * a local server needing none). */
	int		 key_always;
	/* The endpoint's URL into *url (malloc'd) from the config; base is
	 * -u up to its query, without a trailing '/', query its '?...' or
	 * "".  -1 if out of memory. */
	int		(*url)(const struct provider_config *, const char *,
			    size_t, const char *, char **);
	/* The response header names for xfer's slots (enum xfer_header):
	 * the rate-limit dialect. */
	const char *const *keep;
	/* Is this status or error code "overloaded, try later", beyond the
	 * statuses every provider retries?  NULL: nothing more is. */
	int		(*overloaded)(long, const char *, size_t);
	const struct provider_batch *batch;	/* or NULL */
	/* What an attachment may be (a PDF by URL?) and what an image
	 * costs in tokens, by the rule of this provider's models. */
	enum attach_dialect attach;
};

struct provider_shape {
	/* The user template is the whole body, rendered as JSON values;
	 * nothing is asked besides it (--body). */
	int		 whole;
	/* -1 and err if -P may not set this key (of its length) here. */
	int		(*check_param)(const char *, size_t, char *, size_t);
	/* The completion budget sent when -P gives none (0: none is). */
	long long	 max_tokens;
	/* What is fixed for every body (NULL and err: it cannot be), its
	 * free, and a row's body appended to b.  The ask's strings are
	 * copied. */
	void		*(*shape_new)(const struct provider_ask *, char *,
			    size_t);
	void		(*shape_free)(void *);
	int		(*body)(const void *, const struct provider_prompt *,
			    struct buf *);
	/* The bytes of the system prompt that ask to be cached in a body;
	 * NULL: prompts are never marked for caching. */
	size_t		(*cached_bytes)(const void *, const char *, size_t);
	/* Ask again: append to the body the model's answer (JSON text: a
	 * string) and a user turn saying why it was wrong.  0; 1 if the
	 * body has no conversation to add to; -1 if out of memory.  j is
	 * scratch. */
	int		(*reask)(struct json *, struct buf *, const char *,
			    size_t, const char *);
	/* The tokens a response j reports, into a (-1: not reported). */
	void		(*usage)(const struct json *, struct answer *);
	/* The answer in response j (parsed from text), usage included, as
	 * answer_read says; scratch may hold it. */
	int		(*answer)(const void *, const struct json *,
			    const char *, struct buf *, struct answer *,
			    char *, size_t);
	/* The logprobs' probability of the answer's bytes start to end,
	 * as answer_confidence says; NULL: the API has none. */
	int		(*confidence)(const struct json *, size_t, size_t,
			    struct buf *, double *);
};

struct provider_ops {
	const char			*name;
	const struct provider_wire	*wire;
	const struct provider_shape	*shape;
};

/* The row of the table named so ("openai", "azure", "anthropic"), or
 * NULL. */
const struct provider_ops *provider_find(const char *);
/* --body's shape, on any wire. */
extern const struct provider_shape provider_body_shape;

struct provider_config {
	const struct provider_ops *ops;
	const char	*url;		/* the base: -u, or from the env */
	const char	*endpoint;	/* --endpoint: the path after it */
	const char	*model;		/* Azure: the deployment */
	const char	*api_version;	/* Azure's api-version */
	const char	*keyfile;	/* --api-key-file, or NULL */
	const char	*env_key;	/* the key from the environment, or NULL */
	const char	*env_key_name;	/* where it came from, for messages */
	char *const	*headers;	/* -H lines, checked */
	size_t		 nheaders;
	int		 need_key;	/* requests will be sent */
};

struct provider;

/* NULL with err on a configuration that cannot work; the config and the
 * strings in it are borrowed only during the call (ops for good). */
struct provider	*provider_new(const struct provider_config *, char *, size_t);
void		 provider_free(struct provider *);
const struct provider_ops *provider_ops(const struct provider *);
/* The URL requests go to. */
const char	*provider_url(const struct provider *);
/* The base URL without query or trailing '/': Batch lines' paths follow
 * it. */
const char	*provider_base(const struct provider *);
/* The request headers: -H and the key's; *n set to their count. */
const char *const *provider_headers(const struct provider *, size_t *);
/* The response header names for xfer's slots (enum xfer_header). */
const char *const *provider_keep(const struct provider *);
/* The URL as it may be shown: without user:password@. */
void		 provider_redact(const char *, char *, size_t);
/* 0 if the -H line is "Name: value" with nothing smuggled in; else -1
 * and why in err. */
int		 provider_check_header(const char *, char *, size_t);

#endif
