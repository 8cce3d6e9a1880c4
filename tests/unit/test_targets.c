/*
 * The targets: numbered in the order added, each with a copy of its URL
 * and a header list of Content-Type, an empty Expect and its own lines,
 * in that order; an unknown number is none.
 */
#include <string.h>

#include "check.h"
#include "targets.h"

/* The list's lines, joined by '|'. */
static const char *
joined(const struct curl_slist *l)
{
	static char	 s[512];

	s[0] = '\0';
	for (; l != NULL; l = l->next) {
		strlcat(s, l->data, sizeof(s));
		if (l->next != NULL)
			strlcat(s, "|", sizeof(s));
	}
	return s;
}

int
main(void)
{
	struct targets		 ts = { 0 };
	const struct target	*t;
	const char		*h[] = { "Authorization: Bearer k1", "X-A: 1" };
	char			 url[64];

	strlcpy(url, "http://127.0.0.1:1/v1/chat/completions", sizeof(url));
	CHECK(targets_add(&ts, url, h, 2) == 0);
	url[strlen("http://127.0.0.1:")] = '2';
	h[0] = "Authorization: Bearer k2";
	CHECK(targets_add(&ts, url, h, 1) == 1);
	CHECK(targets_add(&ts, "http://127.0.0.1:3/v1", NULL, 0) == 2);
	CHECK(ts.n == 3);

	CHECK((t = targets_get(&ts, 0)) != NULL);
	CHECK(t != NULL &&
	    strcmp(t->url, "http://127.0.0.1:1/v1/chat/completions") == 0);
	CHECK(t != NULL && strcmp(joined(t->headers), "Content-Type: "
	    "application/json|Expect:|Authorization: Bearer k1|X-A: 1") == 0);
	CHECK((t = targets_get(&ts, 1)) != NULL);
	CHECK(t != NULL &&
	    strcmp(t->url, "http://127.0.0.1:2/v1/chat/completions") == 0);
	CHECK(t != NULL && strcmp(joined(t->headers), "Content-Type: "
	    "application/json|Expect:|Authorization: Bearer k2") == 0);
	CHECK((t = targets_get(&ts, 2)) != NULL);
	CHECK(t != NULL && strcmp(joined(t->headers),
	    "Content-Type: application/json|Expect:") == 0);
	CHECK(targets_get(&ts, 3) == NULL);
	CHECK(targets_get(&ts, -1) == NULL);

	targets_free(&ts);
	CHECK(ts.n == 0 && ts.v == NULL);
	CHECK(targets_get(&ts, 0) == NULL);
	targets_free(&ts);	/* twice is harmless */

	return check_done("test_targets");
}
