#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check.h"
#include "pool.h"
#include "provider.h"

#define KEY	"sk-test-SECRET123"

static char	 dir[] = "/tmp/test_provider.XXXXXX";
static char	 err[512];

/* A config for url with the defaults cli.c gives. */
static struct provider_config
config(const char *url)
{
	struct provider_config	 c = { 0 };

	c.ops = provider_find("openai");
	c.url = url;
	c.endpoint = "/chat/completions";
	c.model = "gpt-4o-mini";
	c.api_version = "2024-06-01";
	c.env_key_name = "OPENAI_API_KEY";
	c.need_key = 1;
	return c;
}

/* The URL the provider makes of c, or "" with err set. */
static const char *
url_of(const struct provider_config *c)
{
	static char	 u[1024];
	struct provider	*p;

	u[0] = '\0';
	err[0] = '\0';
	if ((p = provider_new(c, err, sizeof(err))) != NULL) {
		strlcpy(u, provider_url(p), sizeof(u));
		provider_free(p);
	}
	return u;
}

/* The last request header (the key's, when there is one), or "". */
static const char *
auth_of(const struct provider_config *c)
{
	static char		 h[512];
	struct provider		*p;
	const char *const	*v;
	size_t			 n;

	h[0] = '\0';
	err[0] = '\0';
	if ((p = provider_new(c, err, sizeof(err))) == NULL)
		return NULL;
	v = provider_headers(p, &n);
	if (n > 0)
		strlcpy(h, v[n - 1], sizeof(h));
	provider_free(p);
	return h;
}

/* Write a key file of these bytes; its path. */
static const char *
keyfile(const char *name, const char *text, size_t len)
{
	static char	 path[256];
	int		 fd;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	if ((fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600)) == -1 ||
	    write(fd, text, len) != (ssize_t)len || close(fd) == -1)
		abort();
	return path;
}

static void
test_urls(void)
{
	struct provider_config	 c;
	struct provider		*p;

	c = config("https://api.openai.com/v1");
	c.need_key = 0;
	CHECK(strcmp(url_of(&c), "https://api.openai.com/v1/chat/"
	    "completions") == 0);
	c.url = "https://api.openai.com/v1///";
	CHECK(strcmp(url_of(&c), "https://api.openai.com/v1/chat/"
	    "completions") == 0);
	c.url = "http://127.0.0.1:8080/v1/";
	c.endpoint = "/embeddings";
	CHECK(strcmp(url_of(&c), "http://127.0.0.1:8080/v1/embeddings") == 0);

	/* Azure: the deployment in the path, escaped, and the api-version. */
	c = config("https://res.openai.azure.com/");
	c.need_key = 0;
	c.ops = provider_find("azure");
	c.model = "my model/v2";
	CHECK(strcmp(url_of(&c), "https://res.openai.azure.com/openai/"
	    "deployments/my%20model%2Fv2/chat/completions?api-version="
	    "2024-06-01") == 0);

	/* The base, for Batch lines' paths: no query, no trailing '/'. */
	c = config("http://127.0.0.1:8080/v1//?x=1");
	c.need_key = 0;
	p = provider_new(&c, err, sizeof(err));
	CHECK(p != NULL);
	if (p != NULL) {
		CHECK(strcmp(provider_base(p), "http://127.0.0.1:8080/v1") == 0);
		/* The response headers kept for retries and pacing. */
		CHECK(strcmp(provider_keep(p)[XH_RETRY_AFTER],
		    "retry-after") == 0);
		CHECK(strcmp(provider_keep(p)[XH_RL_RESET_TOKENS],
		    "x-ratelimit-reset-tokens") == 0);
		provider_free(p);
	}
	c.url = "https://api.example.com";
	p = provider_new(&c, err, sizeof(err));
	CHECK(p != NULL && strcmp(provider_base(p),
	    "https://api.example.com") == 0);
	provider_free(p);
	provider_free(NULL);

	/* Not a URL, or not HTTP. */
	c = config("not a url");
	c.env_key = KEY;
	CHECK(provider_new(&c, err, sizeof(err)) == NULL);
	CHECK(strcmp(err, "-u not a url: not a URL") == 0);
	c.url = "api.openai.com/v1";
	CHECK(provider_new(&c, err, sizeof(err)) == NULL);
	CHECK(strstr(err, "not a URL") != NULL);
	/* A scheme is case-insensitive (RFC 3986), as curl has it. */
	c.url = "HTTPS://api.example.com/v1";
	CHECK(strcmp(url_of(&c), "HTTPS://api.example.com/v1/chat/"
	    "completions") == 0);
	c.url = "ftp://example.com/v1";
	CHECK(provider_new(&c, err, sizeof(err)) == NULL);
	CHECK(strcmp(err, "-u ftp://example.com/v1: http:// or https:// "
	    "expected") == 0);
	c.url = "";
	CHECK(provider_new(&c, err, sizeof(err)) == NULL);
	CHECK(strstr(err, KEY) == NULL);
}

static void
test_keys(void)
{
	struct provider_config	 c;
	const char		*h, *path;
	char			*big;
	size_t			 n;
	char			*hdrs[2];

	/* From the environment, as Authorization: Bearer, after -H. */
	c = config("https://api.openai.com/v1");
	c.env_key = KEY "  ";
	hdrs[0] = "X-Team: blue";
	c.headers = hdrs;
	c.nheaders = 1;
	h = auth_of(&c);
	CHECK(h != NULL && strcmp(h, "Authorization: Bearer " KEY) == 0);
	c.nheaders = 0;

	/* Azure's own header. */
	c = config("https://res.openai.azure.com");
	c.ops = provider_find("azure");
	c.env_key = KEY;
	c.env_key_name = "AZURE_OPENAI_API_KEY";
	h = auth_of(&c);
	CHECK(h != NULL && strcmp(h, "api-key: " KEY) == 0);
	c.env_key = NULL;
	CHECK(auth_of(&c) == NULL);
	CHECK(strcmp(err, "no API key: export AZURE_OPENAI_API_KEY=... or use "
	    "--api-key-file FILE") == 0);

	/* From a file: the first line only, blanks at its end trimmed. */
	c = config("https://api.openai.com/v1");
	c.env_key = "sk-from-env";
	c.keyfile = keyfile("k1", KEY " \t\nsecond line\n", strlen(KEY) + 15);
	h = auth_of(&c);
	CHECK(h != NULL && strcmp(h, "Authorization: Bearer " KEY) == 0);
	c.keyfile = keyfile("k2", KEY "\r\n", strlen(KEY) + 2);
	h = auth_of(&c);
	CHECK(h != NULL && strcmp(h, "Authorization: Bearer " KEY) == 0);
	c.keyfile = keyfile("k3", KEY, strlen(KEY));
	h = auth_of(&c);
	CHECK(h != NULL && strcmp(h, "Authorization: Bearer " KEY) == 0);
	/* An empty first line is no key, even with one below it. */
	c.keyfile = path = keyfile("k4", "\n" KEY "\n", strlen(KEY) + 2);
	CHECK(auth_of(&c) == NULL);
	CHECK(strstr(err, "no key on its first line") != NULL &&
	    strstr(err, path) != NULL);
	CHECK(strstr(err, KEY) == NULL);
	c.keyfile = "/nonexistent/key";
	CHECK(auth_of(&c) == NULL);
	CHECK(strcmp(err, "--api-key-file /nonexistent/key: No such file or "
	    "directory") == 0);
	/* Over 64 KiB without a newline is not a key file. */
	n = 64 * 1024 + 100;
	if ((big = malloc(n)) == NULL)
		abort();
	memset(big, 'A', n);
	c.keyfile = keyfile("k5", big, n);
	CHECK(auth_of(&c) == NULL);
	CHECK(strstr(err, "no key in its first 64 KiB") != NULL);
	CHECK(strstr(err, "AAAA") == NULL);
	/* A long file whose first line is short is fine. */
	big[10] = '\n';
	c.keyfile = keyfile("k6", big, n);
	h = auth_of(&c);
	CHECK(h != NULL && strcmp(h, "Authorization: Bearer AAAAAAAAAA") == 0);
	free(big);

	/* Control characters would split the header: refused, unquoted. */
	c.keyfile = keyfile("k7", KEY "\x01" "x\n", strlen(KEY) + 3);
	CHECK(auth_of(&c) == NULL);
	CHECK(strcmp(err, "the API key contains control characters") == 0);
	c.keyfile = NULL;
	c.env_key = KEY "\r\nX-Evil: 1";
	CHECK(auth_of(&c) == NULL);
	CHECK(strcmp(err, "the API key contains control characters") == 0);
	c.env_key = KEY "\x7f";
	CHECK(auth_of(&c) == NULL);
	CHECK(strstr(err, KEY) == NULL);

	/* The caller's own credentials: fine alone, refused with a key. */
	hdrs[0] = "Authorization: Bearer entra-token";
	c.headers = hdrs;
	c.nheaders = 1;
	c.env_key = KEY;
	CHECK(auth_of(&c) == NULL);
	CHECK(strcmp(err, "-H Authorization and an API key: give one") == 0);
	c.env_key = NULL;
	h = auth_of(&c);
	CHECK(h != NULL && strcmp(h, "Authorization: Bearer entra-token") == 0);
	hdrs[0] = "authorization: Bearer entra-token";
	c.env_key = KEY;
	CHECK(auth_of(&c) == NULL);
	CHECK(strstr(err, KEY) == NULL && strstr(err, "entra") == NULL);
	c = config("https://res.openai.azure.com");
	c.ops = provider_find("azure");
	hdrs[0] = "Api-Key: other";
	c.headers = hdrs;
	c.nheaders = 1;
	c.env_key = KEY;
	CHECK(auth_of(&c) == NULL);
	CHECK(strcmp(err, "-H Api-Key and an API key: give one") == 0);

	/* No key: api.openai.com needs one, a local server does not, and a
	 * dry run never does. */
	c = config("https://api.openai.com/v1");
	CHECK(auth_of(&c) == NULL);
	CHECK(strcmp(err, "no API key: export OPENAI_API_KEY=... or use "
	    "--api-key-file FILE") == 0);
	c.need_key = 0;
	CHECK((h = auth_of(&c)) != NULL && *h == '\0');
	c = config("http://127.0.0.1:8080/v1");
	CHECK((h = auth_of(&c)) != NULL && *h == '\0');
	c.env_key = "";
	CHECK((h = auth_of(&c)) != NULL && *h == '\0');
	/* A key given to a local server is sent. */
	c.env_key = KEY;
	CHECK((h = auth_of(&c)) != NULL &&
	    strcmp(h, "Authorization: Bearer " KEY) == 0);
}

static void
test_headers(void)
{
	struct provider_config	 c;
	struct provider		*p;
	const char *const	*v;
	size_t			 n = 0;
	char			*hdrs[2];

	CHECK(provider_check_header("X-Team: blue", err, sizeof(err)) == 0);
	CHECK(provider_check_header("X-Empty:", err, sizeof(err)) == 0);
	CHECK(provider_check_header("OpenAI-Organization:org-1", err,
	    sizeof(err)) == 0);
	CHECK(provider_check_header("no colon", err, sizeof(err)) == -1);
	CHECK(strstr(err, "'Name: value' expected") != NULL);
	CHECK(provider_check_header(": value", err, sizeof(err)) == -1);
	CHECK(provider_check_header("", err, sizeof(err)) == -1);
	CHECK(provider_check_header("X Team: blue", err, sizeof(err)) == -1);
	CHECK(strstr(err, "bad character in the header name") != NULL);
	CHECK(provider_check_header("X-T\x80m: blue", err, sizeof(err)) == -1);
	CHECK(provider_check_header("X-T\tm: blue", err, sizeof(err)) == -1);
	CHECK(provider_check_header("X-Team: blue\r\nX-Evil: 1", err,
	    sizeof(err)) == -1);
	CHECK(strcmp(err, "-H X-Team: a header value must not contain control "
	    "characters") == 0);
	CHECK(provider_check_header("X-Team: blue\n", err, sizeof(err)) == -1);

	/* provider_new checks every -H, and keeps them in order. */
	c = config("http://127.0.0.1:8080/v1");
	c.env_key = KEY;
	hdrs[0] = "X-A: 1";
	hdrs[1] = "X-B: 2\r\nX-C: 3";
	c.headers = hdrs;
	c.nheaders = 2;
	CHECK(provider_new(&c, err, sizeof(err)) == NULL);
	CHECK(strstr(err, KEY) == NULL);
	hdrs[1] = "X-B: 2";
	p = provider_new(&c, err, sizeof(err));
	CHECK(p != NULL);
	if (p != NULL) {
		v = provider_headers(p, &n);
		CHECK(n == 3 && strcmp(v[0], "X-A: 1") == 0 &&
		    strcmp(v[1], "X-B: 2") == 0 &&
		    strcmp(v[2], "Authorization: Bearer " KEY) == 0);
	}
	provider_free(p);
}

/* A Batch API URL of path under base, by the wire of provider name. */
static void
batch_url(const char *name, const char *base, const char *version,
    const char *path, const char *want)
{
	struct buf	 b = { 0 };

	CHECK(provider_find(name)->wire->batch->url(&b, base, version,
	    path) == 0);
	CHECK(b.len > 0 && b.data[b.len - 1] == '\0');
	CHECK(b.len > 0 && strcmp(b.data, want) == 0);
	buf_free(&b);
}

/* Each wire builds its own Batch URLs: Azure's under /openai with its
 * api-version, added to a query already there. */
static void
test_batch_urls(void)
{
	batch_url("openai", "https://api.openai.com/v1", "x", "/files",
	    "https://api.openai.com/v1/files");
	batch_url("azure", "https://r.openai.azure.com", "2024-10-21",
	    "/batches/batch_1", "https://r.openai.azure.com/openai/batches/"
	    "batch_1?api-version=2024-10-21");
	batch_url("azure", "https://r", "v", "/batches?limit=100",
	    "https://r/openai/batches?limit=100&api-version=v");
}

/* The table: each row's wire, found by name; Anthropic's headers. */
static void
test_table(void)
{
	struct provider_config	 c = config("https://api.anthropic.com/v1");
	struct provider		*p;
	const char *const	*h;
	char			*mine[] = { "anthropic-version: 2099-01-01" };
	size_t			 n;

	CHECK(provider_find("nobody") == NULL);
	CHECK(provider_find("openai")->wire->batch != NULL);
	CHECK(strcmp(provider_find("azure")->wire->batch->endpoint,
	    "/chat/completions") == 0);
	/* Two wires, one shape: Azure is OpenAI's chat at another URL. */
	CHECK(provider_find("azure")->shape == provider_find("openai")->shape);
	CHECK(provider_find("anthropic")->shape->confidence == NULL);
	test_batch_urls();
	/* Every wire names its key's variable, and one without a URL of its
	 * own names the variable its URL comes from. */
	CHECK(provider_find("openai")->wire->key_env != NULL);
	CHECK(provider_find("azure")->wire->key_env != NULL);
	CHECK(provider_find("anthropic")->wire->key_env != NULL);
	CHECK(provider_find("azure")->wire->base_url == NULL &&
	    provider_find("azure")->wire->url_env != NULL &&
	    provider_find("azure")->wire->version != NULL);
	CHECK(provider_find("anthropic")->wire->model != NULL &&
	    provider_find("anthropic")->wire->endpoint != NULL);

	c.ops = provider_find("anthropic");
	c.endpoint = "/messages";
	c.env_key = KEY;
	CHECK((p = provider_new(&c, err, sizeof(err))) != NULL);
	CHECK(provider_ops(p) == c.ops);
	CHECK(strcmp(provider_url(p), "https://api.anthropic.com/v1/messages")
	    == 0);
	h = provider_headers(p, &n);
	CHECK(n == 2);
	CHECK(strcmp(h[0], "x-api-key: " KEY) == 0);
	CHECK(strcmp(h[1], "anthropic-version: 2023-06-01") == 0);
	CHECK(strcmp(provider_keep(p)[XH_RL_RESET_TOKENS],
	    "anthropic-ratelimit-tokens-reset") == 0);
	provider_free(p);
	/* -H names another version: it alone is sent. */
	c.headers = mine;
	c.nheaders = 1;
	CHECK((p = provider_new(&c, err, sizeof(err))) != NULL);
	h = provider_headers(p, &n);
	CHECK(n == 2 && strcmp(h[0], mine[0]) == 0);
	provider_free(p);
	/* A key always, whatever the host. */
	c.headers = NULL;
	c.nheaders = 0;
	c.env_key = NULL;
	c.env_key_name = "ANTHROPIC_API_KEY";
	c.url = "http://127.0.0.1:1/v1";
	CHECK(provider_new(&c, err, sizeof(err)) == NULL);
	CHECK(strstr(err, "ANTHROPIC_API_KEY") != NULL);
}

int
main(void)
{
	test_table();
	char	 cmd[256];

	if (mkdtemp(dir) == NULL)
		abort();
	test_urls();
	test_keys();
	test_headers();
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	if (system(cmd) != 0)
		CHECK(0);
	return check_done("test_provider");
}
