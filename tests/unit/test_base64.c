#include <string.h>

#include "base64.h"
#include "check.h"

int
main(void)
{
	struct buf	 b = { 0 }, d = { 0 };
	static const char *const vec[][2] = {
		{ "", "" }, { "f", "Zg==" }, { "fo", "Zm8=" },
		{ "foo", "Zm9v" }, { "foob", "Zm9vYg==" },
		{ "fooba", "Zm9vYmE=" }, { "foobar", "Zm9vYmFy" }
	};
	size_t		 k;

	/* RFC 4648's vectors, both ways. */
	for (k = 0; k < sizeof(vec) / sizeof(vec[0]); k++) {
		buf_reset(&b);
		buf_reset(&d);
		CHECK(base64_encode(&b, (const unsigned char *)vec[k][0],
		    strlen(vec[k][0])) == 0);
		CHECK_MEM(b.data != NULL ? b.data : "", b.len, vec[k][1]);
		CHECK(base64_decode(&d, vec[k][1], strlen(vec[k][1])) == 0);
		CHECK_MEM(d.data != NULL ? d.data : "", d.len, vec[k][0]);
	}
	buf_reset(&d);
	CHECK(base64_decode(&d, "Zm9v!", 5) == -1);
	CHECK(base64_decode(&d, "Z", 1) == -1);
	/* Unpadded is taken too; a dangling sixth of a byte is not. */
	buf_reset(&d);
	CHECK(base64_decode(&d, "Zm9vYg", 6) == 0);
	CHECK_MEM(d.data, d.len, "foob");
	buf_free(&b);
	buf_free(&d);
	return check_done("test_base64");
}
