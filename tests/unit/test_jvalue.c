#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "json.h"
#include "jvalue.h"

static struct json	*J[2];
static struct jvalues	 V[2];

/* Parse text into slot k; the jvalue_build result, or -2 if not JSON. */
static int
build(int k, const char *text)
{
	char	 err[128];

	if (json_parse(J[k], text, strlen(text), err, sizeof(err)) == -1)
		return -2;
	return jvalue_build(&V[k], J[k], text);
}

/* The roots of a and b, deeply equal? */
static int
equal(const char *a, const char *b)
{
	if (build(0, a) != 0 || build(1, b) != 0)
		return -1;
	return jvalue_equal(&V[0], 0, &V[1], 0);
}

static void
test_build(void)
{
	const char	*s;
	size_t		 len;

	/* 0 {  1 "a"  2 [  3 1  4 {  5 "b"  6 null  7 "c"  8 "x" */
	CHECK(build(0, "{\"a\":[1,{\"b\":null}],\"c\":\"x\"}") == 0);
	CHECK(V[0].n == 9);
	CHECK(V[0].v[0].type == JSON_OBJECT && V[0].v[0].n == 2 &&
	    V[0].v[0].next == 9);
	CHECK(V[0].v[2].type == JSON_ARRAY && V[0].v[2].n == 2 &&
	    V[0].v[2].next == 7);
	CHECK(V[0].v[3].type == JSON_NUMBER && V[0].v[3].next == 4);
	CHECK(V[0].v[4].type == JSON_OBJECT && V[0].v[4].n == 1 &&
	    V[0].v[4].next == 7);
	CHECK(V[0].v[6].type == JSON_NULL);
	s = jvalue_string(&V[0], 7, &len);
	CHECK_MEM(s, len, "c");
	s = jvalue_string(&V[0], 8, &len);
	CHECK_MEM(s, len, "x");
	/* Empty containers, and a scalar root. */
	CHECK(build(0, "[[],{}]") == 0);
	CHECK(V[0].n == 3 && V[0].v[0].n == 2 && V[0].v[1].n == 0 &&
	    V[0].v[1].next == 2 && V[0].v[2].n == 0 && V[0].v[2].next == 3);
	CHECK(build(0, "\"\"") == 0 && V[0].n == 1 && V[0].v[0].next == 1);
	s = jvalue_string(&V[0], 0, &len);
	CHECK(len == 0);
}

static void
test_depth(void)
{
	char	 a[2 * JVALUE_MAX_DEPTH + 3];
	size_t	 k;

	for (k = 0; k < JVALUE_MAX_DEPTH; k++) {
		a[k] = '[';
		a[2 * JVALUE_MAX_DEPTH - 1 - k] = ']';
	}
	a[2 * JVALUE_MAX_DEPTH] = '\0';
	CHECK(build(0, a) == 0);
	CHECK(V[0].v[JVALUE_MAX_DEPTH - 1].next == JVALUE_MAX_DEPTH);
	memmove(a + 1, a, 2 * JVALUE_MAX_DEPTH + 1);
	a[0] = '[';
	a[2 * JVALUE_MAX_DEPTH + 1] = ']';
	a[2 * JVALUE_MAX_DEPTH + 2] = '\0';
	CHECK(build(0, a) == 1);
	/* The array is reused after a refusal. */
	CHECK(build(0, "[1]") == 0 && V[0].n == 2 && V[0].v[0].n == 1);
}

static void
test_length(void)
{
	static const struct {
		const char	*json;
		size_t		 n;
	} t[] = {
		{ "\"\"", 0 },
		{ "\"ab\"", 2 },
		{ "\"\xc3\xa9\xc3\xa9\xc3\xa9\"", 3 },
		{ "\"\xe6\x97\xa5\xe6\x9c\xac\xe8\xaa\x9e\"", 3 },
		{ "\"\xf0\x9f\x98\x80\"", 1 },
		{ "\"\\ud83d\\ude00\"", 1 },	/* a pair: one */
		{ "\"\\ud83d\\ud83d\"", 2 },	/* two lone ones */
		{ "\"\\n\\t\\\"\\\\\"", 4 },
		{ "\"a\\u0062c\"", 3 },
	};
	size_t	 k;

	for (k = 0; k < sizeof(t) / sizeof(t[0]); k++) {
		CHECK(build(0, t[k].json) == 0);
		CHECK(jvalue_length(&V[0], 0) == t[k].n ||
		    (fprintf(stderr, "  %s\n", t[k].json), 0));
	}
}

static void
test_equal(void)
{
	/* Numbers by value, strings after unescaping. */
	CHECK(equal("1", "1.0") == 1);
	CHECK(equal("1", "10e-1") == 1);
	CHECK(equal("1", "1.0000000000000000000001") == 0);
	CHECK(equal("\"a\"", "\"\\u0061\"") == 1);
	CHECK(equal("\"\\ud83d\\ude00\"", "\"\xf0\x9f\x98\x80\"") == 1);
	CHECK(equal("\"\\u00e9\"", "\"\xc3\xa9\"") == 1);
	CHECK(equal("\"a\"", "\"A\"") == 0);
	CHECK(equal("\"ab\"", "\"a\"") == 0);
	CHECK(equal("\"a\\n\"", "\"a\"") == 0);
	/* Types never mix. */
	CHECK(equal("null", "null") == 1);
	CHECK(equal("true", "true") == 1);
	CHECK(equal("true", "false") == 0);
	CHECK(equal("0", "false") == 0);
	CHECK(equal("\"1\"", "1") == 0);
	CHECK(equal("[]", "{}") == 0);
	/* Members in any order, elements in order. */
	CHECK(equal("{\"a\":[1,{\"b\":true}],\"c\":\"\\u00e9\"}",
	    "{\"c\":\"\xc3\xa9\",\"a\":[1.0,{\"b\":true}]}") == 1);
	CHECK(equal("{\"a\":[1,{\"b\":true}],\"c\":\"x\"}",
	    "{\"c\":\"x\",\"a\":[{\"b\":true},1]}") == 0);
	CHECK(equal("{\"a\":1}", "{\"a\":1,\"b\":2}") == 0);
	CHECK(equal("{\"a\":1,\"b\":2}", "{\"a\":1}") == 0);
	CHECK(equal("{\"a\":1}", "{\"\\u0061\":1}") == 1);
	CHECK(equal("[1,2]", "[1,2,3]") == 0);
	CHECK(equal("[1,2]", "[2,1]") == 0);
	CHECK(equal("[[],{}]", "[[],{}]") == 1);
	/* A value inside one array against another's (0 [, 1 1, 2 "x", 3 {). */
	CHECK(build(0, "[1,\"x\",{\"k\":[2]}]") == 0);
	CHECK(build(1, "{\"k\":[2.0]}") == 0);
	CHECK(jvalue_equal(&V[0], 3, &V[1], 0) == 1);
	CHECK(jvalue_equal(&V[0], 1, &V[1], 0) == 0);
}

static void
test_decimal(void)
{
	struct decimal	 d;

	CHECK(build(0, "[1.5e1,\"x\"]") == 0);
	jvalue_decimal(&V[0], 1, &d);
	CHECK(d.slen == 5 && memcmp(d.s, "1.5e1", 5) == 0);
	CHECK(decimal_is_integer(&d));
}

/* The quoted form of the root of json. */
static void
quoted(const char *json, const char *want)
{
	struct buf	 b = { 0 }, tmp = { 0 };

	CHECK(build(0, json) == 0);
	CHECK(jvalue_quote(&b, &tmp, &V[0], 0) == 0);
	CHECK_BUF(b, want);
	buf_free(&b);
	buf_free(&tmp);
}

static void
test_quote(void)
{
	struct buf	 b = { 0 };
	int		 cut;

	quoted("12", "12");
	quoted("true", "true");
	quoted("null", "null");
	quoted("\"text\"", "\"text\"");
	/* What a terminal acts on is escaped; '"' and '\\' as in JSON. */
	quoted("\"line\\none\\u001b[31m\\u2028\\u202e\"",
	    "\"line\\none\\u001b[31m\\u2028\\u202e\"");
	quoted("\"a\\\"b\\\\c\\t\\r\\u007f\\u0085\\u200f\\ufeff\\u2066\"",
	    "\"a\\\"b\\\\c\\t\\r\\u007f\\u0085\\u200f\\ufeff\\u2066\"");
	quoted("\"a\\u0000b\"", "\"a\\u0000b\"");
	/* Cut after 40 bytes, at a character. */
	quoted("\"0123456789012345678901234567890123456789xyz\"",
	    "\"0123456789012345678901234567890123456789...\"");
	quoted("\"0123456789012345678901234567890123456789\"",
	    "\"0123456789012345678901234567890123456789\"");
	quoted("\"\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9"
	    "\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9"
	    "\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\"",
	    "\"\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9"
	    "\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9"
	    "\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9...\"");
	/* Containers compacted, then cut; not quoted. */
	quoted("{\"a\": [1, 2, 3], \"b\": \"xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
	    "xxxx\"}", "{\"a\":[1,2,3],\"b\":\"xxxxxxxxxxxxxxxxxxxxxx...");
	quoted("[ 1 , 2 ]", "[1,2]");
	quoted("{\"k\\n\": \"\\u001b\"}", "{\"k\\n\":\"\\u001b\"}");

	/* The text forms. */
	CHECK(jvalue_quote_text(&b, "a\nb\"", 4) == 0);
	CHECK_BUF(b, "\"a\\nb\\\"\"");
	buf_reset(&b);
	CHECK(jvalue_add_safe(&b, "ab\"\x01\xe2\x80\xae", 7, 100, 0,
	    &cut) == 0 && cut == 0);
	CHECK_BUF(b, "ab\"\\u0001\\u202e");
	buf_reset(&b);
	CHECK(jvalue_add_safe(&b, "abc\xc3\xa9z", 6, 4, 1, &cut) == 0 &&
	    cut == 1);
	CHECK_BUF(b, "abc");
	buf_reset(&b);
	CHECK(jvalue_add_safe(&b, "abc\xc3\xa9z", 6, 5, 1, &cut) == 0 &&
	    cut == 1);
	CHECK_BUF(b, "abc\xc3\xa9");
	buf_free(&b);
}

int
main(void)
{
	if ((J[0] = json_new()) == NULL || (J[1] = json_new()) == NULL)
		return 1;
	test_build();
	test_depth();
	test_length();
	test_equal();
	test_decimal();
	test_quote();
	json_free(J[0]);
	json_free(J[1]);
	jvalue_free(&V[0]);
	jvalue_free(&V[1]);
	jvalue_free(&V[1]);	/* twice: it is left empty */
	return check_done("test_jvalue");
}
