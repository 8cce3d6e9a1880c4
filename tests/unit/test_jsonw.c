#include <stdint.h>
#include <string.h>

#include "check.h"
#include "jsonw.h"

static void
test_members(void)
{
	struct buf	 b = { 0 };
	struct jsonw	 w;

	jsonw_begin(&w, &b);
	CHECK(jsonw_end(&w, 0) == 0);
	CHECK_BUF(b, "{}");
	/* An object is appended: what was there stays. */
	jsonw_begin(&w, &b);
	CHECK(jsonw_end(&w, 1) == 0);
	CHECK_BUF(b, "{}{}\n");

	buf_reset(&b);
	jsonw_begin(&w, &b);
	jsonw_str(&w, "s", "a\"b\\\n\t\x01\xff", 8);
	jsonw_str(&w, "k\"ey", "", 0);
	jsonw_uint(&w, "u", 0);
	jsonw_uint(&w, "max", UINT64_MAX);
	jsonw_count(&w, "c", 17);
	jsonw_count(&w, "none", -1);
	jsonw_bool(&w, "t", 1);
	jsonw_bool(&w, "f", 0);
	jsonw_null(&w, "n");
	CHECK(jsonw_end(&w, 1) == 0);
	CHECK_BUF(b, "{\"s\":\"a\\\"b\\\\\\n\\t\\u0001\xef\xbf\xbd\","
	    "\"k\\\"ey\":\"\",\"u\":0,\"max\":18446744073709551615,\"c\":17,"
	    "\"none\":null,\"t\":true,\"f\":false,\"n\":null}\n");
	buf_free(&b);
}

static void
test_raw(void)
{
	struct buf	 b = { 0 };
	struct jsonw	 w;
	const char	*spread = "{ \"a\" : [1, 2] ,\r\n \"b\":\"x  y\\n\" }";
	const char	*bad = "{\"a\":\n1";

	jsonw_begin(&w, &b);
	jsonw_raw(&w, "o", spread, strlen(spread));
	jsonw_raw(&w, "n", " 12 ", 4);
	jsonw_raw(&w, "s", "\"q\"", 3);
	/* Not JSON: kept, as a string, and still on one line. */
	jsonw_raw(&w, "bad", bad, strlen(bad));
	jsonw_raw(&w, "empty", NULL, 0);
	CHECK(jsonw_end(&w, 1) == 0);
	CHECK_BUF(b, "{\"o\":{\"a\":[1,2],\"b\":\"x  y\\n\"},\"n\":12,"
	    "\"s\":\"q\",\"bad\":\"{\\\"a\\\":\\n1\",\"empty\":\"\"}\n");
	buf_free(&b);
}

static void
test_nesting(void)
{
	struct buf	 b = { 0 };
	struct jsonw	 w;
	int		 n, m;

	jsonw_begin(&w, &b);
	jsonw_uint(&w, "a", 1);
	jsonw_open(&w, "o", &n);
	jsonw_uint(&w, "x", 1);
	jsonw_null(&w, "y");
	jsonw_close(&w, n);
	jsonw_uint(&w, "b", 2);
	jsonw_open(&w, "empty", &m);
	jsonw_close(&w, m);
	CHECK(jsonw_end(&w, 0) == 0);
	CHECK_BUF(b, "{\"a\":1,\"o\":{\"x\":1,\"y\":null},\"b\":2,"
	    "\"empty\":{}}");

	/* First, and last. */
	buf_reset(&b);
	jsonw_begin(&w, &b);
	jsonw_open(&w, "o", &n);
	jsonw_str(&w, "k", "v", 1);
	jsonw_close(&w, n);
	jsonw_bool(&w, "t", 1);
	jsonw_open(&w, "p", &n);
	jsonw_count(&w, "c", -5);
	jsonw_close(&w, n);
	CHECK(jsonw_end(&w, 0) == 0);
	CHECK_BUF(b, "{\"o\":{\"k\":\"v\"},\"t\":true,\"p\":{\"c\":null}}");
	buf_free(&b);
}

/*
 * A buffer that can take nothing more: buf_reserve refuses any growth of
 * a buffer this large, so it fails like an allocation would, and it is
 * never written.
 */
static void
test_error(void)
{
	struct buf	 b = { 0 }, full = { NULL, SIZE_MAX / 2, SIZE_MAX / 2 };
	struct jsonw	 w;
	int		 n;

	jsonw_begin(&w, &full);
	jsonw_str(&w, "s", "x", 1);
	CHECK(jsonw_end(&w, 1) == -1);
	CHECK(full.len == SIZE_MAX / 2);

	/* The first failure sticks: later calls write nothing. */
	jsonw_begin(&w, &b);
	jsonw_uint(&w, "a", 1);
	w.b = &full;
	jsonw_str(&w, "lost", "x", 1);
	w.b = &b;
	jsonw_uint(&w, "b", 2);
	jsonw_open(&w, "o", &n);
	jsonw_raw(&w, "r", "[1]", 3);
	jsonw_close(&w, n);
	jsonw_null(&w, "n");
	jsonw_bool(&w, "t", 1);
	jsonw_count(&w, "c", 1);
	CHECK(jsonw_end(&w, 1) == -1);
	CHECK_BUF(b, "{\"a\":1");
	buf_free(&b);
}

int
main(void)
{
	test_members();
	test_raw();
	test_nesting();
	test_error();
	return check_done("test_jsonw");
}
