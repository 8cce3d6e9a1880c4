/*
 * What the Batch API and the STATE file hand enrich: a file object, a
 * batch object, a list of them, a line of a result file, a line of STATE.
 * Any bytes are read or refused, never a crash; what is accepted holds
 * only IDs fit for a URL path, and a STATE line accepted once is read the
 * same way again.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "bapi.h"
#include "bstate.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct json	*j;
	struct bapi_batch	 b;
	struct bapi_result	 r;
	struct buf		 id = { 0 };
	struct bstate		*s;
	const char		*p = (const char *)data;
	char			 fid[BAPI_ID_MAX], e[256];

	if (j == NULL && (j = json_new()) == NULL)
		abort();
	if (bapi_parse_file(j, p, size, fid, e, sizeof(e)) == 0 &&
	    !bapi_id_ok(fid))
		abort();
	if (bapi_parse_batch(j, p, size, &b, e, sizeof(e)) == 0 &&
	    (!bapi_id_ok(b.id) || (b.output_file_id[0] != '\0' &&
	    !bapi_id_ok(b.output_file_id)) || (b.error_file_id[0] != '\0' &&
	    !bapi_id_ok(b.error_file_id))))
		abort();
	if (bapi_find_batch(j, p, size, "file-1", &b, e, sizeof(e)) == 1 &&
	    strcmp(b.input_file_id, "file-1") != 0)
		abort();
	r.custom_id = &id;
	if (bapi_parse_result(j, p, size, &r, e, sizeof(e)) == 0 &&
	    r.status != 0 && (r.status < 100 || r.status > 999))
		abort();
	buf_free(&id);
	if ((s = bstate_open(NULL, e, sizeof(e))) == NULL)
		abort();
	if (bstate_apply(s, p, size, e, sizeof(e)) == 0) {
		size_t	 k;

		for (k = 0; k < bstate_nfiles(s); k++)
			if (!bapi_id_ok(bstate_file(s, k)->id))
				abort();
	}
	bstate_free(s);
	return 0;
}
