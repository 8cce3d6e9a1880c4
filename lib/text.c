#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "text.h"

int
text_is_blank(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

void
text_trim(const char **p, size_t *n)
{
	const char	*s = *p, *e = *p + *n;

	while (s < e && text_is_blank(*s))
		s++;
	while (e > s && text_is_blank(e[-1]))
		e--;
	*p = s;
	*n = e - s;
}

/* The unit at s: its ms and length, or 0 if none (bare seconds). */
static double
unit(const char *s, const char *end, size_t *len)
{
	static const struct {
		const char	*name;
		double		 ms;
	} units[] = {
		/* Longest first: "ms" before "m", "min" before "m". */
		{ "milliseconds", 1 }, { "millisecond", 1 }, { "ms", 1 },
		{ "minutes", 60000 }, { "minute", 60000 }, { "mins", 60000 },
		{ "min", 60000 }, { "m", 60000 },
		{ "hours", 3600000 }, { "hour", 3600000 }, { "h", 3600000 },
		{ "seconds", 1000 }, { "second", 1000 }, { "secs", 1000 },
		{ "sec", 1000 }, { "s", 1000 },
	};
	size_t	 k, n;

	for (k = 0; k < sizeof(units) / sizeof(units[0]); k++) {
		n = strlen(units[k].name);
		if ((size_t)(end - s) >= n &&
		    strncasecmp(s, units[k].name, n) == 0 &&
		    (s + n == end || !isalpha((unsigned char)s[n]))) {
			*len = n;
			return units[k].ms;
		}
	}
	*len = 0;
	return 1000;
}

long long
text_duration(const char *s, size_t len, size_t *used)
{
	const char	*p = s, *end = s + len, *q, *last = s;
	double		 v, total = 0, frac;
	size_t		 n;
	int		 any = 0;

	if (used != NULL)
		*used = 0;
	for (;;) {
		q = p;
		while (q < end && *q == ' ')
			q++;
		if (q == end || !(isdigit((unsigned char)*q) ||
		    (*q == '.' && q + 1 < end &&
		    isdigit((unsigned char)q[1]))))
			break;
		/* strtod would read past len, and "1e3" or "0x1" are no
		 * durations: digits and one point only. */
		for (v = 0; q < end && isdigit((unsigned char)*q); q++)
			v = v * 10 + (*q - '0');
		if (q < end && *q == '.')
			for (q++, frac = 0.1; q < end &&
			    isdigit((unsigned char)*q); q++, frac /= 10)
				v += (*q - '0') * frac;
		while (q < end && *q == ' ')
			q++;
		v *= unit(q, end, &n);
		total += v;
		any = 1;
		p = last = q + n;
		if (n == 0)	/* bare seconds end it */
			break;
	}
	if (!any)
		return -1;
	if (used != NULL)
		*used = last - s;
	return total < 1e12 ? (long long)(total + 0.5) : 1000000000000LL;
}

long long
text_tokens(size_t bytes)
{
	return (long long)(bytes / TEXT_BYTES_PER_TOKEN);
}
