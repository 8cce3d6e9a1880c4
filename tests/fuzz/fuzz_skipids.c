/*
 * The --skip-ids reader: any file is read to the end, never a crash, and
 * every line is counted once.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "idset.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct idset_stats	 st;
	struct idset		*s;
	FILE			*fp;

	if (size == 0 || (fp = fmemopen((void *)data, size, "r")) == NULL)
		return 0;
	s = idset_new();
	if (idset_load(s, fp, "id", "error", &st) == 0 &&
	    st.ids + st.failed + st.unusable != st.lines)
		abort();
	if (idset_count(s) > st.ids)
		abort();
	idset_free(s);
	fclose(fp);
	return 0;
}
