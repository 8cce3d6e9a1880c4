#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include <curl/curl.h>

#include "buf.h"
#include "pool.h"
#include "prov_anthropic.h"
#include "prov_azure.h"
#include "prov_openai.h"
#include "provider.h"

/* A key file larger than this is not a key file (-k /dev/zero). */
#define KEY_MAX		(64 * 1024)

/* The table: a provider is a wire and the shape of its bodies. */
static const struct provider_ops table[] = {
	{ "openai", &openai_wire, &openai_chat_shape },
	{ "azure", &azure_wire, &openai_chat_shape },
	{ "anthropic", &anthropic_wire, &anthropic_shape },
};

struct provider {
	const struct provider_ops *ops;
	char		*url;
	char		*base;
	char		*auth;		/* the key's header line, or NULL */
	const char	**headers;
	size_t		 nheaders;
};

const struct provider_ops *
provider_find(const char *name)
{
	size_t	 k;

	for (k = 0; k < sizeof(table) / sizeof(table[0]); k++)
		if (strcmp(table[k].name, name) == 0)
			return &table[k];
	return NULL;
}

int
provider_check_header(const char *h, char *err, size_t errlen)
{
	const char	*colon = strchr(h, ':'), *p;

	if (colon == NULL || colon == h) {
		/* Not echoed: it may be a key typed without its colon. */
		snprintf(err, errlen, "-H: 'Name: value' expected");
		return -1;
	}
	static const char *const framing[] = { "content-length",
	    "transfer-encoding", "host" };
	size_t			 k, n = colon - h;

	for (p = h; p < colon; p++)
		if (*p <= ' ' || *p >= 0x7f) {
			snprintf(err, errlen, "-H %.*s: bad character in the "
			    "header name", (int)n, h);
			return -1;
		}
	for (p = colon + 1; *p != '\0'; p++)
		if (((unsigned char)*p < ' ' && *p != '\t') || *p == 0x7f) {
			snprintf(err, errlen, "-H %.*s: a header value must not "
			    "contain control characters", (int)n, h);
			return -1;
		}
	/* These frame the request: libcurl sets them, and a second one
	 * would smuggle a request past a proxy. */
	for (k = 0; k < sizeof(framing) / sizeof(framing[0]); k++)
		if (strlen(framing[k]) == n && strncasecmp(h, framing[k],
		    n) == 0) {
			snprintf(err, errlen, "-H %.*s: set by enrich itself",
			    (int)n, h);
			return -1;
		}
	return 0;
}

/* The first line of the key file, at most KEY_MAX bytes of it. */
static int
read_key(const char *path, struct buf *key, char *err, size_t errlen)
{
	char	 tmp[4096];
	ssize_t	 n;
	size_t	 k;
	int	 fd;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1)
		goto fail;
	while ((n = read(fd, tmp, sizeof(tmp))) != 0) {
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1)
			goto fail;
		if (buf_add(key, tmp, n) == -1)
			goto fail;
		if (memchr(tmp, '\n', n) != NULL)
			break;
		if (key->len > KEY_MAX) {
			close(fd);
			explicit_bzero(tmp, sizeof(tmp));
			snprintf(err, errlen, "--api-key-file %s: no key in its "
			    "first %d KiB", path, KEY_MAX / 1024);
			return -1;
		}
	}
	close(fd);
	explicit_bzero(tmp, sizeof(tmp));
	/* A buf is not NUL-terminated: look no further than its length. */
	for (k = 0; k < key->len; k++)
		if (key->data[k] == '\r' || key->data[k] == '\n') {
			key->len = k;
			break;
		}
	return 0;
fail:
	explicit_bzero(tmp, sizeof(tmp));
	snprintf(err, errlen, "--api-key-file %s: %s", path, strerror(errno));
	if (fd != -1)
		close(fd);
	return -1;
}

/*
 * The key's header line, in p->auth, or none when the caller's -H gives
 * credentials or no key is needed.
 */
static int
auth_header(struct provider *p, const struct provider_config *c,
    const char *host, char *err, size_t errlen)
{
	const struct provider_wire *w = c->ops->wire;
	struct buf	 key = { 0 };
	const char	*name = w->key_name;
	size_t		 n;
	int		 rv = -1;

	if (c->keyfile != NULL) {
		if (read_key(c->keyfile, &key, err, errlen) == -1)
			goto out;
	} else if (c->env_key != NULL && buf_adds(&key, c->env_key) == -1)
		goto nomem;
	while (key.len > 0 && (key.data[key.len - 1] == ' ' ||
	    key.data[key.len - 1] == '\t'))
		key.len--;
	for (n = 0; n < c->nheaders; n++)
		if (strncasecmp(c->headers[n], name, strlen(name)) == 0 ||
		    strncasecmp(c->headers[n], "authorization:", 14) == 0) {
			/* The caller's own credentials, such as an Entra
			 * token for Azure: fine, but not both. */
			if (key.len > 0) {
				snprintf(err, errlen, "-H %.*s and an API key: "
				    "give one", (int)strcspn(c->headers[n], ":"),
				    c->headers[n]);
				goto out;
			}
			rv = 0;
			goto out;
		}
	if (key.len == 0) {
		if (c->keyfile != NULL)
			snprintf(err, errlen, "--api-key-file %s: no key on its "
			    "first line", c->keyfile);
		else if (w->key_always || strcmp(host, "api.openai.com") == 0)
			snprintf(err, errlen, "no API key: export %s=... or use "
			    "--api-key-file FILE", c->env_key_name);
		else
			rv = 0;
		goto out;
	}
	for (n = 0; n < key.len; n++)
		if ((unsigned char)key.data[n] < 0x20 || key.data[n] == 0x7f) {
			snprintf(err, errlen, "the API key contains control "
			    "characters");
			goto out;
		}
	/* The wire's own header only: never a Bearer token to Anthropic. */
	if (asprintf(&p->auth, "%s%.*s", w->key_header, (int)key.len,
	    key.data) == -1) {
		p->auth = NULL;
		goto nomem;
	}
	rv = 0;
	goto out;
nomem:
	snprintf(err, errlen, "out of memory");
out:
	if (key.data != NULL)
		explicit_bzero(key.data, key.cap);
	buf_free(&key);
	return rv;
}

void
provider_redact(const char *url, char *out, size_t len)
{
	const char	*s = strstr(url, "://"), *at, *end;

	/* user:password@ between the scheme and the host goes. */
	if (s != NULL && (end = s + 3 + strcspn(s + 3, "/?#")) != NULL &&
	    (at = memchr(s + 3, '@', end - s - 3)) != NULL) {
		while ((s = memchr(at + 1, '@', end - at - 1)) != NULL)
			at = s;
		snprintf(out, len, "%.*s***%s", (int)(strstr(url, "://") + 3 -
		    url), url, at);
	} else
		snprintf(out, len, "%s", url);
}

/*
 * The endpoint's URL in p->url; its host in *host, for the caller to
 * curl_free.  A query in the base stays after the path (Azure-style
 * ?api-version=...); a fragment has no place in a request and is refused.
 */
static int
endpoint(struct provider *p, const struct provider_config *c, char **host,
    char *err, size_t errlen)
{
	CURLU		*u;
	const char	*base = c->url, *query;
	char		 shown[512];
	size_t		 n;
	int		 rv;

	provider_redact(base, shown, sizeof(shown));
	if (strchr(base, '#') != NULL) {
		snprintf(err, errlen, "-u %s: a URL without a #fragment "
		    "expected", shown);
		return -1;
	}
	n = strcspn(base, "?");
	query = base + n;
	while (n > 0 && base[n - 1] == '/')
		n--;
	if (c->ops->wire->url(c, base, n, query, &p->url) == -1)
		goto nomem;
	if ((u = curl_url()) == NULL)
		goto nomem;
	rv = curl_url_set(u, CURLUPART_URL, p->url, 0) != CURLUE_OK ||
	    curl_url_get(u, CURLUPART_HOST, host, 0) != CURLUE_OK;
	curl_url_cleanup(u);
	if (rv) {
		snprintf(err, errlen, "-u %s: not a URL", shown);
		return -1;
	}
	if (strncasecmp(p->url, "http://", 7) != 0 &&
	    strncasecmp(p->url, "https://", 8) != 0) {
		snprintf(err, errlen, "-u %s: http:// or https:// expected",
		    shown);
		return -1;
	}
	return 0;
nomem:
	snprintf(err, errlen, "out of memory");
	return -1;
}

struct provider *
provider_new(const struct provider_config *c, char *err, size_t errlen)
{
	const char		*fixed = c->ops->wire->fixed_header;
	struct provider		*p;
	char			*host = NULL;
	size_t			 k, n, fn;
	int			 given = 0;

	if ((p = calloc(1, sizeof(*p))) == NULL)
		goto nomem;
	p->ops = c->ops;
	fn = fixed != NULL ? strcspn(fixed, ":") + 1 : 0;
	for (k = 0; k < c->nheaders; k++)
		if (provider_check_header(c->headers[k], err, errlen) == -1)
			goto fail;
	if (endpoint(p, c, &host, err, errlen) == -1 ||
	    (c->need_key && auth_header(p, c, host, err, errlen) == -1))
		goto fail;
	curl_free(host);
	host = NULL;
	n = strcspn(c->url, "?");
	while (n > 0 && c->url[n - 1] == '/')
		n--;
	if ((p->base = strndup(c->url, n)) == NULL ||
	    (p->headers = reallocarray(NULL, c->nheaders + 2,
	    sizeof(*p->headers))) == NULL)
		goto nomem;
	for (k = 0; k < c->nheaders; k++) {
		p->headers[p->nheaders++] = c->headers[k];
		given |= fixed != NULL && strncasecmp(c->headers[k], fixed,
		    fn) == 0;
	}
	if (p->auth != NULL)
		p->headers[p->nheaders++] = p->auth;
	/* The API refuses a request without it (anthropic-version); -H may
	 * name another. */
	if (fixed != NULL && !given)
		p->headers[p->nheaders++] = fixed;
	return p;
nomem:
	snprintf(err, errlen, "out of memory");
fail:
	curl_free(host);
	provider_free(p);
	return NULL;
}

void
provider_free(struct provider *p)
{
	if (p == NULL)
		return;
	if (p->auth != NULL) {
		explicit_bzero(p->auth, strlen(p->auth));
		free(p->auth);
	}
	free(p->url);
	free(p->base);
	free(p->headers);
	free(p);
}

const char *
provider_url(const struct provider *p)
{
	return p->url;
}

const char *
provider_base(const struct provider *p)
{
	return p->base;
}

const char *const *
provider_headers(const struct provider *p, size_t *n)
{
	*n = p->nheaders;
	return p->headers;
}

const char *const *
provider_keep(const struct provider *p)
{
	return p->ops->wire->keep;
}

const struct provider_ops *
provider_ops(const struct provider *p)
{
	return p->ops;
}
