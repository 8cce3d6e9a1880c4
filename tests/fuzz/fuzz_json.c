/*
 * The JSON reader, on any bytes: json_parse and json_validate take the
 * same texts, a text taken has the tokens jsmn makes of it (the
 * validating pass makes them itself), and one refused says why.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../unit/jsmn_same.h"
#include "json.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct json	*j;
	const char		*s = (const char *)data;
	char			 err[128], verr[128];
	int			 parsed, valid;

	if (j == NULL && (j = json_new()) == NULL)
		abort();
	err[0] = verr[0] = '\0';
	parsed = json_parse(j, s, size, err, sizeof(err)) == 0;
	valid = json_validate(s, size, verr, sizeof(verr)) == 0;
	if (parsed != valid)
		abort();
	if (!parsed) {
		if (err[0] == '\0' || strcmp(err, verr) != 0 ||
		    json_type(j, 0) != JSON_NONE)
			abort();
		return 0;
	}
	if (!jsmn_same(j, s, size))
		abort();
	/* Big texts give their tokens back. */
	json_shrink(j, 4096);
	return 0;
}
