/*
 * The price table reader: any file is read or refused with a reason,
 * never a crash or a read past its end; every price taken is a number
 * from 0 to a million, and a model found costs what its rates say.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "price.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct price_table	*t = price_table_new();
	struct price_rates	 r;
	const char		*when;
	char			 err[256] = "", model[64];
	const uint8_t		*sp;
	size_t			 n;
	double			 c;

	if (t == NULL)
		return 0;
	/* An exact copy, so that a read past the end is ASan's to see. */
	if (price_table_load(t, (const char *)data, size, err,
	    sizeof(err)) == -1 && strncmp(err, "line ", 5) != 0)
		abort();
	/* The first word of the input as a model, and it with a date. */
	sp = memchr(data, ' ', size < 63 ? size : 63);
	n = sp != NULL ? (size_t)(sp - data) : 0;
	memcpy(model, data, n);
	model[n] = '\0';
	if (memchr(model, '\0', n) == NULL && price_table_find(t, model, &r,
	    &when) == 0) {
		if (!(r.in >= 0 && r.in <= 1e6 && r.out >= 0 && r.out <= 1e6 &&
		    r.cached_in >= 0 && r.cached_in <= 1e6) ||
		    strlen(when) != 10)
			abort();
		c = price_cost(&r, 1000000, 0, 0);
		if (c != r.in)
			abort();
		if (price_cost(&r, -1, -1, -1) != 0)
			abort();
	}
	price_table_free(t);
	return 0;
}
