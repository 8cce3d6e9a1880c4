/*
 * The --skip-ids reader: any file is read to the end or refused, never a
 * crash; every line read is counted once; an ID is taken no more often
 * than it was done.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "idset.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct idset_rules	 rules = { "id", "error", "answer" };
	struct idset_stats	 st;
	struct idset		*s;
	FILE			*fp;
	const uint8_t		*nl = memchr(data, '\n', size);
	char			 err[256] = "";
	size_t			 taken = 0;

	if (size == 0 || (fp = fmemopen((void *)data, size, "r")) == NULL)
		return 0;
	s = idset_new();
	/* Half the inputs read as --json output: any object may be done. */
	if (data[0] & 1)
		rules.field = NULL;
	if (idset_load(s, fp, &rules, &st, err, sizeof(err)) == 0) {
		if (st.ids + st.failed + st.unanswered + st.unusable !=
		    st.lines)
			abort();
		if (idset_count(s) > st.ids)
			abort();
		/* The first line's bytes as an ID: never taken more
		 * often than the file holds lines. */
		while (idset_take(s, (const char *)data, nl != NULL ?
		    (size_t)(nl - data) : size) == IDSET_DONE)
			if (++taken > st.ids)
				abort();
	} else if (err[0] == '\0')
		abort();		/* refused, with no word why */
	idset_free(s);
	fclose(fp);
	return 0;
}
