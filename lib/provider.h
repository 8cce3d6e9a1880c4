/*
 * Provider: who the requests go to and how they introduce themselves.
 *
 * From the configuration it makes the endpoint's URL (BASE/chat/
 * completions, or --endpoint, or for Azure OpenAI BASE/openai/
 * deployments/MODEL/chat/completions?api-version=V), checked by libcurl's
 * own URL parser; the request headers (-H, checked so that one cannot
 * smuggle in another, and the key's own: Authorization: Bearer, or
 * Azure's api-key, or Anthropic's x-api-key with its anthropic-version);
 * and the response headers that matter for retries and pacing, named for
 * each of xfer's header slots.
 *
 * The key comes from a file or the environment, never argv, and goes
 * nowhere but its header; provider_free wipes it.  Error messages never
 * hold it.
 *
 * Not here: request bodies and what responses mean (request.h).
 */
#ifndef ENRICH_PROVIDER_H
#define ENRICH_PROVIDER_H

#include <stddef.h>

struct provider_config {
	const char	*url;		/* the base: -u, or from the env */
	const char	*endpoint;	/* --endpoint: the path after it */
	const char	*model;		/* Azure: the deployment */
	int		 azure;
	int		 anthropic;	/* the Messages API: x-api-key */
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
 * strings in it are borrowed only during the call. */
struct provider	*provider_new(const struct provider_config *, char *, size_t);
void		 provider_free(struct provider *);
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
