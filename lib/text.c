#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

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

/* n digits at *p, moved past them; -1 if they are not all there. */
static int
digits(const char **p, int n)
{
	int	 v = 0;

	while (n-- > 0) {
		if (!isdigit((unsigned char)**p))
			return -1;
		v = v * 10 + (*(*p)++ - '0');
	}
	return v;
}

long long
text_time_ms(const char *s, long long now_ms)
{
	struct tm	 tm;
	const char	*p = s;
	long long	 ms = 0, scale = 100, off = 0, min, when;
	time_t		 t;
	int		 sign;

	memset(&tm, 0, sizeof(tm));
	if ((tm.tm_year = digits(&p, 4)) == -1 || *p++ != '-' ||
	    (tm.tm_mon = digits(&p, 2)) == -1 || *p++ != '-' ||
	    (tm.tm_mday = digits(&p, 2)) == -1)
		return -1;
	/* RFC 3339 allows t, and a space for readability. */
	if (*p != 'T' && *p != 't' && *p != ' ')
		return -1;
	p++;
	if ((tm.tm_hour = digits(&p, 2)) == -1 || *p++ != ':' ||
	    (tm.tm_min = digits(&p, 2)) == -1 || *p++ != ':' ||
	    (tm.tm_sec = digits(&p, 2)) == -1)
		return -1;
	if (*p == '.') {
		if (!isdigit((unsigned char)*++p))
			return -1;
		for (; isdigit((unsigned char)*p); p++, scale /= 10)
			ms += (*p - '0') * scale;
	}
	if (*p == 'Z' || *p == 'z')
		p++;
	else if (*p == '+' || *p == '-') {
		sign = *p++ == '-' ? -1 : 1;
		if ((off = digits(&p, 2)) == -1 || *p++ != ':')
			return -1;
		if ((min = digits(&p, 2)) == -1)
			return -1;
		off = sign * (off * 60 + min) * 60;
	} else
		return -1;
	while (*p == ' ')
		p++;
	if (*p != '\0' || tm.tm_mon < 1 || tm.tm_mon > 12 || tm.tm_mday < 1 ||
	    tm.tm_mday > 31 || tm.tm_hour > 23 || tm.tm_min > 59 ||
	    tm.tm_sec > 60)
		return -1;
	tm.tm_year -= 1900;
	tm.tm_mon--;
	if ((t = timegm(&tm)) == (time_t)-1)
		return -1;
	when = ((long long)t - off) * 1000 + ms;
	return when > now_ms ? when - now_ms : 0;
}
