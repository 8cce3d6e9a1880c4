/*
 * Decimal: JSON numbers read exactly, as decimals, never through a double.
 *
 * decimal_parse reads a number as written (the JSON grammar, which the
 * caller has validated) into 0.D * 10^e, D its significant digits,
 * without copying or allocating: the struct points into the text.  So
 * 9007199254740993 and 9007199254740992 differ, 1.0, 10e-1 and 1 are the
 * same, and 1e400 is a number like any other.  Exponents beyond 10^15
 * saturate: no answer or schema needs them told apart.
 *
 * Not here: arithmetic, printing a number in another form, or reading
 * text that is not a JSON number.
 */
#ifndef ENRICH_DECIMAL_H
#define ENRICH_DECIMAL_H

#include <stddef.h>

struct decimal {
	const char	*s;		/* the number as written */
	size_t		 slen;
	const char	*m;		/* mantissa, after any '-' */
	size_t		 first;		/* offset in m of D's first digit */
	size_t		 ndig;		/* digits in D (0: the number is 0) */
	long long	 e;
	int		 neg;
};

/* Read a JSON number; s must stay valid as long as the decimal is used. */
void		 decimal_parse(struct decimal *, const char *, size_t);
/* -1, 0 or 1 as a is less than, equal to or greater than b. */
int		 decimal_cmp(const struct decimal *, const struct decimal *);
/* 1 if it has no fractional part (2.0 and 1e400 have none), else 0. */
int		 decimal_is_integer(const struct decimal *);
/*
 * A non-negative integer as a size_t, saturated at SIZE_MAX: 0, or -1
 * when it is negative or not an integer.
 */
int		 decimal_to_size(const struct decimal *, size_t *);

#endif
