#include <errno.h>
#include <stdint.h>
#include <string.h>

#include "buf.h"
#include "check.h"

int
main(void)
{
	struct buf	 b = { 0 }, big;
	size_t		 k;
	int		 ok = 1;

	/* Empty, then appends of every kind. */
	CHECK(b.len == 0 && b.data == NULL);
	CHECK(buf_add(&b, NULL, 0) == 0 && b.len == 0);
	CHECK(buf_adds(&b, "ab") == 0 && buf_addc(&b, 'c') == 0 &&
	    buf_addu(&b, 0) == 0 && buf_addu(&b, 18446744073709551615ULL) == 0);
	CHECK_BUF(b, "abc018446744073709551615");
	buf_reset(&b);
	CHECK(b.len == 0 && b.cap > 0);

	/* Growth keeps what was written; appending n bytes one at a time
	 * reallocates about log n times, not n. */
	for (k = 0; k < 100000; k++)
		ok &= buf_addc(&b, 'a' + k % 26) == 0;
	CHECK(ok && b.len == 100000 && b.cap >= b.len && b.cap < 4 * b.len);
	for (k = 0, ok = 1; k < b.len; k++)
		ok &= b.data[k] == 'a' + (char)(k % 26);
	CHECK(ok);

	/* A size that cannot be had: -1, ENOMEM, and the buffer unchanged. */
	errno = 0;
	CHECK(buf_reserve(&b, SIZE_MAX / 2) == -1 && errno == ENOMEM);
	CHECK(b.len == 100000 && b.data[0] == 'a');
	big = (struct buf){ b.data, SIZE_MAX / 2, SIZE_MAX / 2 };
	CHECK(buf_addc(&big, 'x') == -1 && big.len == SIZE_MAX / 2);

	buf_free(&b);
	CHECK(b.data == NULL && b.len == 0 && b.cap == 0);
	buf_free(&b);		/* twice is fine */
	CHECK(buf_adds(&b, "again") == 0);
	CHECK_BUF(b, "again");
	buf_free(&b);
	return check_done("test_buf");
}
