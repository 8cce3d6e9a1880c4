/*
 * Answers to --labels, and texts compared folded: whatever bytes come,
 * a match lies inside the answer and is its label, folded; the texts'
 * comparison is reflexive and symmetric, and a text equals itself with
 * its ASCII letters in the other case.
 */
#include <ctype.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fold.h"
#include "labels.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char	 set[] = "S3,\xc3\x89" "conomie,\xce\xa3,etc.,"
				    "\"q\"";
	static struct labels	*l;
	const char		*s = (const char *)data, *name;
	char			 why[256], *up;
	size_t			 half = size / 2, off, len, i;
	int			 k;

	if (l == NULL && (l = labels_new(set, strlen(set), ',', why,
	    sizeof(why))) == NULL)
		abort();
	if ((k = labels_match(l, s, size, &off, &len, why, sizeof(why))) !=
	    -1) {
		name = labels_name(l, k);
		if (off > size || len > size - off ||
		    !fold_equal(s + off, len, name, strlen(name)))
			abort();
	} else if (strlen(why) == 0)
		abort();
	if (fold_equal(s, half, s + half, size - half) !=
	    fold_equal(s + half, size - half, s, half) ||
	    !fold_equal(s, size, s, size))
		abort();
	if ((up = malloc(size + 1)) == NULL)
		return 0;
	for (i = 0; i < size; i++)
		up[i] = data[i] < 0x80 ? toupper(data[i]) : data[i];
	if (!fold_equal(s, size, up, size))
		abort();
	free(up);
	return 0;
}
