/*
 * Media and base64: the bytes of a file a row names (-a).  Telling its kind by its
 * first bytes and reading its size from its header never read past the
 * input, whatever it holds; a size that is read is within the header's
 * fields' range, and the token rules give a positive count for it.
 * Base64 of the bytes decodes back to them, and base64 decoding of the
 * input as text never overruns.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base64.h"
#include "media.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct buf	 enc, dec;
	enum media_kind	 k;
	uint32_t		 w, h;
	int			 kind;

	k = media_sniff(data, size);
	/* Every parser, whatever the bytes say they are. */
	for (kind = MEDIA_PNG; kind <= MEDIA_PDF; kind++)
		if (media_size(data, size, kind, &w, &h) == 0) {
			if (w == 0 || h == 0)
				abort();
			if (media_tokens_chat(w, h) < 255 ||
			    media_tokens_messages(w, h) < 1)
				abort();
		}
	if (k != MEDIA_UNKNOWN && media_type(k) == NULL)
		abort();
	buf_reset(&enc);
	buf_reset(&dec);
	if (base64_encode(&enc, data, size) == -1 ||
	    base64_decode(&dec, enc.data != NULL ? enc.data : "",
	    enc.len) == -1 || dec.len != size ||
	    (size > 0 && memcmp(dec.data, data, size) != 0))
		abort();
	buf_reset(&dec);
	(void)base64_decode(&dec, (const char *)data, size);
	return 0;
}
