#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <curl/curl.h>

#include "retry.h"

int
retry_status(long s)
{
	switch (s) {
	case 408:	/* request timeout */
	case 409:	/* conflict: OpenAI's lock contention */
	case 429:
	case 500:
	case 502:
	case 503:
	case 504:
		return 1;
	default:
		/* Cloudflare's origin errors in front of many providers. */
		return s >= 520 && s <= 524;
	}
}

/* A non-negative decimal, fraction allowed, alone in s: ms, or -1. */
static long long
parse_seconds(const char *s, double scale)
{
	char	*end;
	double	 v;

	while (*s == ' ' || *s == '\t')
		s++;
	if (!isdigit((unsigned char)*s))
		return -1;
	v = strtod(s, &end);
	while (*end == ' ' || *end == '\t')
		end++;
	if (*end != '\0' || !(v >= 0) || v > 1e9)
		return -1;
	return (long long)(v * scale + 0.5);
}

long long
retry_after(const char *after_ms, const char *after, time_t now)
{
	long long	 ms;
	time_t		 t;

	if (after_ms != NULL && (ms = parse_seconds(after_ms, 1)) >= 0)
		return ms;
	if (after == NULL || *after == '\0')
		return -1;
	if ((ms = parse_seconds(after, 1000)) >= 0)
		return ms;
	/* An HTTP date; one in the past means now. */
	if ((t = curl_getdate(after, NULL)) == -1)
		return -1;
	return t > now ? (long long)(t - now) * 1000 : 0;
}

static const char *
find_nocase(const char *s, size_t len, const char *word)
{
	size_t	 n = strlen(word), i;

	for (i = 0; i + n <= len; i++)
		if (strncasecmp(s + i, word, n) == 0)
			return s + i + n;
	return NULL;
}

/*
 * OpenAI: "Please try again in 644ms." or "in 26.604s" or "in 1m30s";
 * Azure: "Please retry after 6 seconds."
 */
long long
retry_message_wait(const char *msg, size_t len)
{
	static const char *const lead[] = { "try again in ", "retry after " };
	const char	*p = NULL, *end = msg + len;
	double		 v, total = 0;
	char		 num[32];
	size_t		 k, n;
	int		 any = 0;

	for (k = 0; k < 2 && p == NULL; k++)
		p = find_nocase(msg, len, lead[k]);
	if (p == NULL)
		return -1;
	while (p < end && isdigit((unsigned char)*p)) {
		for (n = 0; p + n < end && n < sizeof(num) - 1 &&
		    (isdigit((unsigned char)p[n]) || p[n] == '.'); n++)
			num[n] = p[n];
		num[n] = '\0';
		v = strtod(num, NULL);
		p += n;
		while (p < end && *p == ' ')
			p++;
		if (end - p >= 2 && strncmp(p, "ms", 2) == 0) {
			total += v;
			p += 2;
		} else if (p < end && *p == 'm' &&
		    (p + 1 == end || !isalpha((unsigned char)p[1]) ||
		    strncasecmp(p, "min", 3) == 0)) {
			total += v * 60000;
			while (p < end && isalpha((unsigned char)*p))
				p++;
		} else if (p < end && *p == 'h') {
			total += v * 3600000;
			p++;
		} else if (p < end && (*p == 's' || *p == 'S')) {
			total += v * 1000;
			while (p < end && isalpha((unsigned char)*p))
				p++;
		} else
			break;
		any = 1;
	}
	if (!any)
		return -1;
	/* Absurd waits stay absurd, but within range: --max-wait refuses. */
	return total < 1e12 ? (long long)(total + 0.5) : 1000000000000LL;
}

long long
retry_backoff(int n)
{
	long long	 cap = RETRY_BASE_MS;

	while (--n > 0 && cap < RETRY_CAP_MS)
		cap *= 2;
	if (cap > RETRY_CAP_MS)
		cap = RETRY_CAP_MS;
	return arc4random_uniform((uint32_t)cap + 1);
}

enum retry_429
retry_classify_429(const char *code, size_t codelen, const char *msg,
    size_t msglen)
{
	if (find_nocase(code, codelen, "insufficient_quota") != NULL ||
	    find_nocase(msg, msglen, "exceeded your current quota") != NULL)
		return RETRY_429_QUOTA;
	/* "Request too large for gpt-4 ... on tokens per min": it also says
	 * rate_limit_exceeded, but no wait makes it fit. */
	if (find_nocase(code, codelen, "context_length_exceeded") != NULL ||
	    find_nocase(msg, msglen, "request too large") != NULL)
		return RETRY_429_TOO_LARGE;
	return RETRY_429_RATE;
}
