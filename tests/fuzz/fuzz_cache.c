/*
 * Cache entries as read back from a shared directory: whatever a file
 * holds, cache_parse takes only a whole entry of the key it is asked for,
 * with its body inside the file; and what cache_entry writes is read
 * back as it was.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cache.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	unsigned char	 key[CACHE_KEY_LEN];
	struct buf	 b = { 0 };
	size_t		 off, len;

	/* The key of the text's own start: a fuzzer can learn it. */
	cache_key("u", 1, (const char *)data, size < 8 ? size : 8, key);
	if (cache_parse(key, (const char *)data, size, &off, &len) == 0 &&
	    (off > size || len != size - off))
		abort();
	/* The input as a body: written and read back whole. */
	if (cache_entry(key, (const char *)data, size, &b) == 0) {
		if (cache_parse(key, b.data, b.len, &off, &len) == -1 ||
		    len != size || memcmp(b.data + off, data, size) != 0)
			abort();
		/* Cut anywhere, it is no entry. */
		if (b.len > 0 && cache_parse(key, b.data, b.len - 1, &off,
		    &len) == 0)
			abort();
	}
	buf_free(&b);
	return 0;
}
