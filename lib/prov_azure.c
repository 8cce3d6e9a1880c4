#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <curl/curl.h>

#include "bapi.h"
#include "batchfile.h"
#include "prov_azure.h"
#include "prov_openai.h"

static int
azure_url(const struct provider_config *c, const char *base, size_t n,
    const char *query, char **url)
{
	char	*model;
	int	 rv;

	if ((model = curl_easy_escape(NULL, c->model, 0)) == NULL)
		return -1;
	rv = asprintf(url, "%.*s/openai/deployments/%s%s?api-version=%s%s%s",
	    (int)n, base, model, c->endpoint, c->api_version,
	    *query != '\0' ? "&" : "", *query != '\0' ? query + 1 : "");
	curl_free(model);
	if (rv == -1) {
		*url = NULL;
		return -1;
	}
	return 0;
}

/* The Batch API under /openai, the api-version a query parameter. */
static int
batch_url(struct buf *b, const char *base, const char *version,
    const char *path)
{
	if (buf_adds(b, base) == -1 || buf_adds(b, "/openai") == -1 ||
	    buf_adds(b, path) == -1 || buf_adds(b, strchr(path, '?') !=
	    NULL ? "&" : "?") == -1 || buf_adds(b, "api-version=") == -1 ||
	    buf_adds(b, version) == -1)
		return -1;
	return buf_addc(b, '\0');
}

const struct provider_batch azure_batch = {
	.endpoint = "/chat/completions",
	.purpose = "batch",
	.url = batch_url,
	.line = batchfile_request_line,
	.create_body = bapi_create_body,
	.result = batchfile_parse_result,
};

const struct provider_wire azure_wire = {
	/* No base URL: each resource has its own. */
	.url_env = "AZURE_OPENAI_ENDPOINT",
	.key_env = "AZURE_OPENAI_API_KEY",
	.version_env = "OPENAI_API_VERSION",
	.version = "2024-10-21",	/* a GA api-version of Azure OpenAI */
	.key_header = "api-key: ",
	.key_name = "api-key:",
	.key_always = 1,
	.url = azure_url,
	.keep = openai_keep,
	.batch = &azure_batch,
	.attach = ATTACH_CHAT,
};
