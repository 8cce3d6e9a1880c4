/*
 * The Messages API reader (--anthropic): any body, with any status, to a
 * row's request ends as a written line (one valid JSON line), a retry or
 * a stop, never a crash; content blocks of any shape are joined into a
 * valid JSON string or refused.  Four settings, each with one retry and
 * one re-ask: -o; --json with --meta; --schema, read from a call of its
 * tool; --labels with --confidence.  The same bytes are read as an
 * anthropic-ratelimit-*-reset time too.
 */
#include <stdint.h>

#include "fuzz.h"
#include "text.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

#define NRIGS	4

static struct fuzz_rig *
setup(int k)
{
	struct fuzz_opts	 o = { 0 };

	o.retries = 1;
	o.messages = 1;
	o.reask = 1;
	if (k == 1)
		o.json = o.meta = 1;
	/* --schema: the answer is the input of a call to the tool. */
	if (k == 2)
		o.schema = "{\"type\":\"object\",\"properties\":{\"a\":"
		    "{\"type\":\"string\"}},\"required\":[\"a\"]}";
	if (k == 3) {
		o.labels = "A,B";
		o.confidence = 1;
	}
	return fuzz_rig("{{text}}", &o);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct fuzz_rig	*rigs[NRIGS];
	static struct rows	*rs;
	static const long	 statuses[] = { 200, 200, 200, 400, 401, 429,
				    500, 529 };
	static const char	 row[] = "{\"id\":\"r\",\"text\":\"q\"}";
	struct line		 ln = { row, sizeof(row) - 1, 1, 0 };
	char			 when[64];
	int			 k, n;

	if (rs == NULL) {
		if ((rs = rows_new()) == NULL)
			abort();
		for (k = 0; k < NRIGS; k++)
			rigs[k] = setup(k);
	}
	n = size < sizeof(when) ? (int)size : (int)sizeof(when) - 1;
	memcpy(when, data, n);
	when[n] = '\0';
	if (text_time_ms(when, 0) < -1)
		abort();
	for (k = 0; k < NRIGS; k++)
		fuzz_attempts(rigs[k], rs, &ln, statuses[size % 8], data, size);
	return 0;
}
