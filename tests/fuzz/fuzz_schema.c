/*
 * The schema validator, given any schema and any answer: the input up to
 * its first NUL byte (or else its first newline) is the schema, the rest
 * the answer.  A schema is refused with one line or read; an answer is
 * valid or not, the same twice over, and its why is one line of UTF-8
 * without control bytes that fits the buffer it was given, however small.
 * The schema text is checked as an answer too, against itself.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "json.h"
#include "schema.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static void
check_line(const char *s, size_t cap)
{
	size_t	 n, i;

	if ((n = strnlen(s, cap)) == cap || !json_utf8_valid(s, n))
		abort();
	for (i = 0; i < n; i++)
		if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f)
			abort();
}

static void
check_answer(struct schema *s, const char *a, size_t len)
{
	char	 why[256], small[9], err[128];
	int	 r, r2;

	memset(why, 'Z', sizeof(why));
	r = schema_check(s, a, len, why, sizeof(why));
	if (r != 0 && r != 1)
		abort();
	check_line(why, sizeof(why));
	if (r == 0 && why[0] != '\0')
		abort();
	if (r == 1 && why[0] == '\0')
		abort();
	/* Text that is not JSON is said to be so, and nothing else is. */
	if ((json_validate(a, len, err, sizeof(err)) == -1) !=
	    (r == 1 && strncmp(why, "the answer is not JSON: ", 24) == 0))
		abort();
	r2 = schema_check(s, a, len, small, sizeof(small));
	if (r2 != r)
		abort();
	check_line(small, sizeof(small));
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char	*in = (const char *)data, *cut;
	struct schema	*s;
	const char	*ign;
	char		 err[256];
	size_t		 slen;

	if ((cut = memchr(in, '\0', size)) == NULL)
		cut = memchr(in, '\n', size);
	slen = cut == NULL ? size : (size_t)(cut - in);
	memset(err, 'Z', sizeof(err));
	if ((s = schema_new(in, slen, err, sizeof(err))) == NULL) {
		check_line(err, sizeof(err));
		if (err[0] == '\0')
			abort();
		return 0;
	}
	if ((ign = schema_ignored(s)) != NULL)
		check_line(ign, strlen(ign) + 1);
	if (schema_wants_object(s) != 0 && schema_wants_object(s) != 1)
		abort();
	if (cut != NULL)
		check_answer(s, cut + 1, size - slen - 1);
	check_answer(s, in, slen);
	schema_free(s);
	return 0;
}
