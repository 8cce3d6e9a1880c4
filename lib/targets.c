#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "targets.h"

/* Content-Type (JSON, unless the lines name their own: an upload's
 * multipart/form-data), no 100-continue round trip for large bodies, and
 * these. */
static struct curl_slist *
header_list(const char *const *headers, size_t n)
{
	struct curl_slist	*l, *h;
	const char		*type = "Content-Type: application/json";
	size_t			 k;

	for (k = 0; k < n; k++)
		if (strncasecmp(headers[k], "Content-Type:", 13) == 0)
			type = "Expect:";
	if ((l = curl_slist_append(NULL, type)) == NULL)
		return NULL;
	if ((h = curl_slist_append(l, "Expect:")) == NULL)
		goto fail;
	for (k = 0; k < n; k++)
		if ((h = curl_slist_append(l, headers[k])) == NULL)
			goto fail;
	return l;
fail:
	curl_slist_free_all(l);
	return NULL;
}

int
targets_add(struct targets *ts, const char *url, const char *const *headers,
    size_t n)
{
	struct target	*t;

	if ((t = reallocarray(ts->v, ts->n + 1, sizeof(*t))) == NULL)
		return -1;
	ts->v = t;
	t = &ts->v[ts->n];
	if ((t->url = strdup(url)) == NULL)
		return -1;
	if ((t->headers = header_list(headers, n)) == NULL) {
		free(t->url);
		errno = ENOMEM;
		return -1;
	}
	return ts->n++;
}

const struct target *
targets_get(const struct targets *ts, int k)
{
	return k >= 0 && k < ts->n ? &ts->v[k] : NULL;
}

void
targets_free(struct targets *ts)
{
	int	 k;

	for (k = 0; k < ts->n; k++) {
		free(ts->v[k].url);
		curl_slist_free_all(ts->v[k].headers);
	}
	free(ts->v);
	ts->v = NULL;
	ts->n = 0;
}
