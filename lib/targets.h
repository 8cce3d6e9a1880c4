/*
 * Where the pool's requests go: for each target (the pool's own URL, and
 * one more for each further -u endpoint), its URL and the libcurl header
 * list sent with it: Content-Type (JSON, unless its lines name another),
 * no "Expect: 100-continue", and the target's own lines (its key, -H).
 *
 * Not here: which target a request goes to (endpoints.h), or sending it
 * (pool.h).
 */
#ifndef ENRICH_TARGETS_H
#define ENRICH_TARGETS_H

#include <stddef.h>

#include <curl/curl.h>

struct target {
	char			*url;
	struct curl_slist	*headers;
};

/* Zeroed is empty.  Owns every URL and list it holds. */
struct targets {
	struct target		*v;
	int			 n;
};

/* Another target: the URL and "Name: value" lines are copied.  Its
 * number (0 for the first), or -1 with errno set (out of memory). */
int	 targets_add(struct targets *, const char *, const char *const *,
	    size_t);
/* The target numbered so, or NULL. */
const struct target *targets_get(const struct targets *, int);
void	 targets_free(struct targets *);

#endif
