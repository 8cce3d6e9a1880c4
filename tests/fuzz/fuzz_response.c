/*
 * The response reader: any body, with any status, to a row's request ends
 * as a written line (one valid JSON line), a retry or a stop, never a
 * crash.  A retry gets the same answer again, up to three attempts in
 * all, so the paths that give up after a retry are taken too.  Five
 * settings: -o with one retry, --json with --meta, --batch-output,
 * --labels with --confidence, and --schema with --json, both re-asking.
 */
#include <stdint.h>

#include "fuzz.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

#define NRIGS	5

static struct fuzz_rig *
setup(int k)
{
	struct fuzz_opts	 o = { 0 };

	o.retries = 1;
	if (k == 1)
		o.json = o.meta = 1;
	if (k == 2)
		o.batch_out = 1;
	if (k == 3) {
		o.labels = "S3,EC2,IAM,Lambda";
		o.confidence = o.reask = 1;
	}
	if (k == 4) {
		o.schema = "{\"type\":\"object\",\"properties\":{\"a\":"
		    "{\"type\":[\"string\",\"null\"],\"maxLength\":3},\"b\":"
		    "{\"type\":\"array\",\"items\":{\"enum\":[1,\"x\"]}}},"
		    "\"required\":[\"a\"],\"additionalProperties\":false}";
		o.json = o.confidence = o.reask = 1;
	}
	return fuzz_rig("{{text}}", &o);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct fuzz_rig	*rigs[NRIGS];
	static struct rows	*rs;
	static const long	 statuses[] = { 200, 400, 401, 404, 408, 429,
				    500, 503 };
	static const char	 row[] = "{\"id\":\"r\",\"text\":\"q\"}";
	struct line		 ln = { row, sizeof(row) - 1, 1, 0 };
	int			 k;

	if (rs == NULL) {
		if ((rs = rows_new()) == NULL)
			abort();
		for (k = 0; k < NRIGS; k++)
			rigs[k] = setup(k);
	}
	for (k = 0; k < NRIGS; k++)
		fuzz_attempts(rigs[k], rs, &ln, statuses[size % 8], data, size);
	return 0;
}
