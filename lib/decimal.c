/*
 * D's digits are read where they stand in the text: between them may sit
 * a '.', which decimal_digit steps over, and leading or trailing zeros,
 * which first and ndig leave out.
 */
#include <stdint.h>
#include <string.h>

#include "decimal.h"

void
decimal_parse(struct decimal *d, const char *s, size_t len)
{
	size_t		 i, ord = 0, intlen = 0, kord = 0, lastord = 0;
	long long	 x = 0;
	int		 seen = 0, point = 0, eneg = 0;

	memset(d, 0, sizeof(*d));
	d->s = s;
	d->slen = len;
	d->neg = s[0] == '-';
	d->m = s + d->neg;
	len -= d->neg;
	for (i = 0; i < len && d->m[i] != 'e' && d->m[i] != 'E'; i++) {
		if (d->m[i] == '.') {
			point = 1;
			continue;
		}
		if (!point)
			intlen++;
		if (d->m[i] != '0') {
			if (!seen) {
				seen = 1;
				d->first = i;
				kord = ord;
			}
			lastord = ord;
		}
		ord++;
	}
	if (!seen)
		return;		/* zero: ndig stays 0 */
	d->ndig = lastord - kord + 1;
	if (i < len) {
		i++;
		if (d->m[i] == '+' || d->m[i] == '-')
			eneg = d->m[i++] == '-';
		/* Exponents past 10^15 are absurd: they saturate. */
		for (; i < len; i++)
			if (x < 1000000000000000LL)
				x = x * 10 + (d->m[i] - '0');
	}
	d->e = (long long)intlen - (long long)kord + (eneg ? -x : x);
}

/* Walk D's digits: the next one after *i (a '.' is skipped). */
static int
decimal_digit(const struct decimal *d, size_t *i)
{
	if (d->m[*i] == '.')
		(*i)++;
	return d->m[(*i)++];
}

int
decimal_cmp(const struct decimal *a, const struct decimal *b)
{
	size_t	 i, ia = a->first, ib = b->first;
	int	 sa, sb, mag = 0, ca, cb;

	sa = a->ndig == 0 ? 0 : a->neg ? -1 : 1;
	sb = b->ndig == 0 ? 0 : b->neg ? -1 : 1;
	if (sa != sb)
		return sa < sb ? -1 : 1;
	if (sa == 0)
		return 0;
	if (a->e != b->e)
		mag = a->e < b->e ? -1 : 1;
	else {
		for (i = 0; i < a->ndig && i < b->ndig; i++) {
			ca = decimal_digit(a, &ia);
			cb = decimal_digit(b, &ib);
			if (ca != cb) {
				mag = ca < cb ? -1 : 1;
				break;
			}
		}
		if (mag == 0 && a->ndig != b->ndig)
			mag = a->ndig < b->ndig ? -1 : 1;
	}
	return sa * mag;
}

int
decimal_is_integer(const struct decimal *d)
{
	return d->ndig == 0 || (d->e >= 0 && (unsigned long long)d->e >=
	    d->ndig);
}

int
decimal_to_size(const struct decimal *d, size_t *out)
{
	size_t		 i = d->first, v = 0;
	long long	 k;

	*out = 0;
	if (!decimal_is_integer(d) || (d->neg && d->ndig != 0))
		return -1;
	if (d->ndig == 0)
		return 0;
	if (d->e > 20) {
		*out = SIZE_MAX;
		return 0;
	}
	for (k = 0; k < d->e; k++) {
		if (v > SIZE_MAX / 10) {
			*out = SIZE_MAX;
			return 0;
		}
		v *= 10;
		if ((size_t)k < d->ndig)
			v += decimal_digit(d, &i) - '0';
	}
	*out = v;
	return 0;
}
