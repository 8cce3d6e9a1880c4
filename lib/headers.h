/*
 * The response headers a transfer keeps: the caller names, for each of
 * a few slots, the header that fills it (the provider's to say, see
 * provider.h), and each header line, as libcurl hands it over, is
 * matched against the names and its value, trimmed, copied into its
 * slot.  Lines that match no name are passed over, most at one test
 * of their first letter.
 *
 * Not here: what a header's value means (pace.h, verdict.h), or the
 * transfer that brings the lines (pool.h).
 */
#ifndef ENRICH_HEADERS_H
#define ENRICH_HEADERS_H

#include <stddef.h>

/* Slots for the response headers the caller's retry and pacing decisions
 * read; which header fills each is the provider's to say (provider.h). */
enum xfer_header {
	XH_RETRY_AFTER,
	XH_RETRY_AFTER_MS,
	XH_SHOULD_RETRY,
	XH_REQUEST_ID,
	XH_LOCATION,			/* where a 3xx points */
	XH_RL_LIMIT_REQUESTS,		/* x-ratelimit-*: see pace.h */
	XH_RL_LIMIT_TOKENS,
	XH_RL_REMAINING_REQUESTS,
	XH_RL_REMAINING_TOKENS,
	XH_RL_RESET_REQUESTS,
	XH_RL_RESET_TOKENS,
	XH_MAX
};

#define XFER_HEADER_LEN	128	/* a Location fits, most of the time */

struct headers {
	/* The names kept, and a bitmap of their first letters that lets
	 * most header lines be passed over at one test. */
	const char		*name[XH_MAX];
	size_t			 len[XH_MAX];
	unsigned char		 first[32];
};

/* names[k] is the header for slot k, or NULL; names may be NULL (none).
 * The names are borrowed, for as long as h is used. */
void	 headers_init(struct headers *, const char *const *);
/* One header line ("Name: value\r\n", not NUL-terminated): the slot it
 * filled, its value cut to XFER_HEADER_LEN - 1 bytes, or -1. */
int	 headers_take(const struct headers *, const char *, size_t,
	    char [][XFER_HEADER_LEN]);

#endif
