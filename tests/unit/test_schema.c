#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "json.h"
#include "schema.h"

static char	 why[512];

/*
 * The answer's check against the schema: "ok" when valid, the why when
 * not, "SCHEMA: reason" when the schema is refused, "OOM" on -1.
 */
static const char *
run(const char *schema, const char *answer)
{
	struct schema	*s;
	char		 err[256];
	int		 r;

	if ((s = schema_new(schema, strlen(schema), err, sizeof(err))) ==
	    NULL) {
		snprintf(why, sizeof(why), "SCHEMA: %s", err);
		return why;
	}
	r = schema_check(s, answer, strlen(answer), why, sizeof(why));
	schema_free(s);
	if (r == 0)
		return "ok";
	if (r == -1)
		return "OOM";
	return why;
}

#define OK(sc, a)	CHECK(strcmp(run(sc, a), "ok") == 0 || \
			    (fprintf(stderr, "  %s vs %s: %s\n", sc, a, why), 0))
#define BAD(sc, a)	CHECK(strcmp(run(sc, a), "ok") != 0 && \
			    strncmp(why, "SCHEMA", 6) != 0)
#define WHY(sc, a, w)	do {						\
	const char *r_ = run(sc, a);					\
	CHECK_MEM(r_, strlen(r_), w);					\
} while (0)

static void
test_type(void)
{
	OK("{\"type\":\"object\"}", "{}");
	BAD("{\"type\":\"object\"}", "[]");
	OK("{\"type\":\"array\"}", "[1]");
	BAD("{\"type\":\"array\"}", "{}");
	OK("{\"type\":\"string\"}", "\"x\"");
	BAD("{\"type\":\"string\"}", "1");
	OK("{\"type\":\"number\"}", "1.5");
	OK("{\"type\":\"number\"}", "-1e400");
	BAD("{\"type\":\"number\"}", "\"1\"");
	OK("{\"type\":\"integer\"}", "2");
	OK("{\"type\":\"integer\"}", "2.0");
	OK("{\"type\":\"integer\"}", "2.50e1");
	OK("{\"type\":\"integer\"}", "1e400");
	OK("{\"type\":\"integer\"}", "-0.0");
	BAD("{\"type\":\"integer\"}", "2.5");
	BAD("{\"type\":\"integer\"}", "25e-1");
	BAD("{\"type\":\"integer\"}", "1e-400");
	OK("{\"type\":\"boolean\"}", "true");
	OK("{\"type\":\"boolean\"}", "false");
	BAD("{\"type\":\"boolean\"}", "null");
	OK("{\"type\":\"null\"}", "null");
	BAD("{\"type\":\"null\"}", "0");
	/* Lists of types. */
	OK("{\"type\":[\"string\",\"null\"]}", "null");
	OK("{\"type\":[\"string\",\"null\"]}", "\"a\"");
	BAD("{\"type\":[\"string\",\"null\"]}", "1");
	OK("{\"type\":[\"integer\",\"string\"]}", "3");
	WHY("{\"type\":[\"string\",\"null\"]}", "1",
	    "$: expected string or null, got number");
	WHY("{\"type\":[\"object\",\"string\",\"null\"]}", "[]",
	    "$: expected object, string or null, got array");
	WHY("{\"properties\":{\"count\":{\"type\":\"integer\"}}}",
	    "{\"count\":\"3\"}", "$.count: expected integer, got string");
	WHY("{\"properties\":{\"count\":{\"type\":\"integer\"}}}",
	    "{\"count\":2.5}", "$.count: expected integer, got number 2.5");
	/* No type: anything. */
	OK("{}", "[1,{\"a\":null}]");
	OK("{\"title\":\"t\"}", "\"x\"");
}

static void
test_object(void)
{
	const char	*s = "{\"type\":\"object\",\"properties\":{"
	    "\"severity\":{\"enum\":[\"low\",\"high\"]},"
	    "\"count\":{\"type\":\"integer\"}},"
	    "\"required\":[\"severity\"],\"additionalProperties\":false}";

	OK(s, "{\"severity\":\"low\"}");
	OK(s, "{\"severity\":\"high\",\"count\":3}");
	OK(s, "{\"count\":3,\"severity\":\"high\"}");
	WHY(s, "{\"count\":3}", "$: missing required property \"severity\"");
	WHY(s, "{}", "$: missing required property \"severity\"");
	WHY(s, "{\"severity\":\"urgent\"}",
	    "$.severity: \"urgent\" is not one of \"low\", \"high\"");
	WHY(s, "{\"severity\":\"low\",\"extra\":1}",
	    "$: property \"extra\" is not allowed");
	WHY(s, "{\"severity\":\"low\",\"count\":\"x\"}",
	    "$.count: expected integer, got string");
	/* An escaped key is the same key. */
	OK(s, "{\"sev\\u0065rity\":\"low\"}");
	WHY(s, "{\"sev\\u0065rity\":\"lo\\u0077\",\"ex\\ntra\":1}",
	    "$: property \"ex\\ntra\" is not allowed");
	/* properties and required do not make a type: not an object is
	 * not checked against them. */
	OK("{\"required\":[\"a\"]}", "5");
	BAD("{\"required\":[\"a\"]}", "{\"b\":1}");
	/* additionalProperties as a schema, for the other members only. */
	s = "{\"properties\":{\"a\":{\"type\":\"string\"}},"
	    "\"additionalProperties\":{\"type\":\"integer\"}}";
	OK(s, "{\"a\":\"x\",\"b\":1,\"c\":2}");
	WHY(s, "{\"a\":\"x\",\"b\":1,\"c\":true}",
	    "$.c: expected integer, got boolean");
	WHY(s, "{\"a\":1}", "$.a: expected string, got number");
	/* A property whose schema is false. */
	WHY("{\"properties\":{\"a\":false}}", "{\"a\":1}",
	    "$: property \"a\" is not allowed");
	OK("{\"properties\":{\"a\":false}}", "{\"b\":1}");
	/* A required name written twice, and in properties twice. */
	OK("{\"required\":[\"a\",\"a\"],\"properties\":{\"a\":{}}}",
	    "{\"a\":1}");
	/* None required, beside properties; and in the order written. */
	OK("{\"required\":[],\"properties\":{\"a\":{}}}", "{}");
	WHY("{\"required\":[\"zz\",\"b\",\"a\"]}", "{\"a\":1}",
	    "$: missing required property \"zz\"");
	/* A "required" key written twice: the last, as for any keyword. */
	OK("{\"required\":[\"a\"],\"required\":[\"b\"]}", "{\"b\":1}");
	/* Keys that are not identifiers are quoted in the path. */
	WHY("{\"properties\":{\"a b\":{\"type\":\"null\"}}}",
	    "{\"a b\":1}", "$[\"a b\"]: expected null, got number");
	/* Duplicate members of the answer: each is checked. */
	BAD("{\"properties\":{\"a\":{\"type\":\"null\"}}}",
	    "{\"a\":null,\"a\":1}");
}

static void
test_array(void)
{
	const char	*s = "{\"type\":\"array\",\"items\":{\"type\":\"string\","
	    "\"minLength\":1},\"minItems\":1,\"maxItems\":3}";

	OK(s, "[\"a\"]");
	OK(s, "[\"a\",\"b\",\"c\"]");
	WHY(s, "[]", "$: 0 items, at least 1 allowed");
	WHY(s, "[\"a\",\"b\",\"c\",\"d\",\"e\"]", "$: 5 items, at most 3 allowed");
	WHY(s, "[\"a\",2]", "$[1]: expected string, got number");
	WHY(s, "[\"a\",\"\"]", "$[1]: 0 characters, at least 1 allowed");
	WHY("{\"properties\":{\"tags\":{\"maxItems\":1}}}",
	    "{\"tags\":[1,2]}", "$.tags: 2 items, at most 1 allowed");
	WHY("{\"minItems\":2}", "[1]", "$: 1 item, at least 2 allowed");
	/* items does not apply to non-arrays, minItems neither. */
	OK("{\"items\":{\"type\":\"string\"},\"minItems\":1}", "{}");
	OK("{\"items\":{\"type\":\"string\"},\"minItems\":1}", "\"\"");
	OK("{\"items\":false}", "[]");
	WHY("{\"items\":false}", "[1,2]", "$: 2 items, at most 0 allowed");
	OK("{\"items\":true}", "[1,\"a\"]");
	/* Nested objects in arrays in objects. */
	s = "{\"type\":\"object\",\"properties\":{\"items\":{\"type\":\"array\","
	    "\"items\":{\"type\":\"object\",\"required\":[\"name\"],"
	    "\"properties\":{\"name\":{\"type\":\"string\",\"minLength\":1}"
	    "}}}}}";
	OK(s, "{\"items\":[{\"name\":\"a\"},{\"name\":\"b\"}]}");
	WHY(s, "{\"items\":[{\"name\":\"a\"},{\"name\":\"b\"},{\"name\":\"\"}]}",
	    "$.items[2].name: 0 characters, at least 1 allowed");
	WHY(s, "{\"items\":[{\"name\":\"a\"},{}]}",
	    "$.items[1]: missing required property \"name\"");
	WHY(s, "{\"items\":[{\"name\":\"a\"},[]]}",
	    "$.items[1]: expected object, got array");
}

static void
test_enum_const(void)
{
	OK("{\"enum\":[1,\"a\",null]}", "1.0");
	OK("{\"enum\":[1,\"a\",null]}", "10e-1");
	OK("{\"enum\":[1,\"a\",null]}", "\"\\u0061\"");
	OK("{\"enum\":[1,\"a\",null]}", "null");
	BAD("{\"enum\":[1,\"a\",null]}", "false");
	BAD("{\"enum\":[1,\"a\",null]}", "\"A\"");
	BAD("{\"enum\":[1,\"a\",null]}", "1.0000000000000000000001");
	/* Deep: members in any order, arrays in order. */
	OK("{\"const\":{\"a\":[1,{\"b\":true}],\"c\":\"\\u00e9\"}}",
	    "{\"c\":\"\xc3\xa9\",\"a\":[1.0,{\"b\":true}]}");
	BAD("{\"const\":{\"a\":[1,{\"b\":true}],\"c\":\"x\"}}",
	    "{\"c\":\"x\",\"a\":[{\"b\":true},1]}");
	BAD("{\"const\":{\"a\":1}}", "{\"a\":1,\"b\":2}");
	BAD("{\"const\":{\"a\":1,\"b\":2}}", "{\"a\":1}");
	BAD("{\"const\":[1,2]}", "[1,2,3]");
	OK("{\"const\":\"\\ud83d\\ude00\"}", "\"\xf0\x9f\x98\x80\"");
	WHY("{\"properties\":{\"v\":{\"const\":2}}}", "{\"v\":3}",
	    "$.v: expected 2, got 3");
	WHY("{\"const\":\"yes\"}", "\"no\"", "$: expected \"yes\", got \"no\"");
	OK("{\"const\":0}", "-0.0e7");
	OK("{\"const\":12300}", "1.23e4");
	BAD("{\"const\":12300}", "1.23e3");
}

static void
test_number(void)
{
	OK("{\"minimum\":0,\"maximum\":150}", "0");
	OK("{\"minimum\":0,\"maximum\":150}", "150.0");
	WHY("{\"minimum\":0,\"maximum\":150}", "-3",
	    "$: -3 is less than the minimum 0");
	WHY("{\"minimum\":0,\"maximum\":150}", "150.5",
	    "$: 150.5 is greater than the maximum 150");
	WHY("{\"exclusiveMinimum\":0}", "0", "$: 0 is not greater than 0");
	OK("{\"exclusiveMinimum\":0}", "1e-30");
	WHY("{\"exclusiveMaximum\":1.5}", "15e-1",
	    "$: 15e-1 is not less than 1.5");
	OK("{\"exclusiveMaximum\":1.5}", "1.4999");
	OK("{\"minimum\":-2.5}", "-2.5");
	BAD("{\"minimum\":-2.5}", "-2.51");
	OK("{\"maximum\":1e400}", "1e399");
	BAD("{\"maximum\":1e-400}", "1e-399");
	/* Exact: beyond a double's precision. */
	BAD("{\"maximum\":9007199254740992}", "9007199254740993");
	OK("{\"maximum\":9007199254740993}", "9007199254740993");
	/* Only numbers are compared. */
	OK("{\"minimum\":5}", "\"1\"");
}

static void
test_string(void)
{
	OK("{\"minLength\":2,\"maxLength\":3}", "\"ab\"");
	BAD("{\"minLength\":2,\"maxLength\":3}", "\"a\"");
	BAD("{\"minLength\":2,\"maxLength\":3}", "\"abcd\"");
	/* Code points, not bytes: é is 2 bytes, 😀 4, or an escape pair. */
	OK("{\"maxLength\":3}", "\"\xc3\xa9\xc3\xa9\xc3\xa9\"");
	OK("{\"maxLength\":1}", "\"\xf0\x9f\x98\x80\"");
	OK("{\"maxLength\":1}", "\"\\ud83d\\ude00\"");
	OK("{\"maxLength\":2}", "\"\\ud83d\\ud83d\"");
	BAD("{\"maxLength\":1}", "\"\\ud83d\\ud83d\"");
	OK("{\"minLength\":2}", "\"\\n\\t\"");
	WHY("{\"maxLength\":2}", "\"\xe6\x97\xa5\xe6\x9c\xac\xe8\xaa\x9e\"",
	    "$: 3 characters, at most 2 allowed");
	WHY("{\"minLength\":1}", "\"\"", "$: 0 characters, at least 1 allowed");
	OK("{\"minLength\":1.0}", "\"a\"");
}

static void
test_anyof(void)
{
	const char	*s = "{\"anyOf\":[{\"type\":\"string\"},"
	    "{\"type\":\"null\"}]}";

	OK(s, "\"a\"");
	OK(s, "null");
	WHY(s, "1", "$: expected string or null, got number");
	/* One branch fits the type: its own words. */
	s = "{\"properties\":{\"x\":{\"anyOf\":[{\"type\":\"string\","
	    "\"maxLength\":2},{\"type\":\"null\"}]}}}";
	WHY(s, "{\"x\":\"abc\"}", "$.x: 3 characters, at most 2 allowed");
	/* Several fit: say so, and what the first says. */
	s = "{\"anyOf\":[{\"type\":\"object\",\"required\":[\"a\"]},"
	    "{\"type\":\"object\",\"required\":[\"b\"]}]}";
	OK(s, "{\"b\":1}");
	WHY(s, "{\"c\":1}", "$: matches none of the 2 choices (the first: "
	    "missing required property \"a\")");
	/* A failure deeper down is said as it is. */
	WHY("{\"anyOf\":[{\"items\":{\"type\":\"null\"}},{\"items\":"
	    "{\"type\":\"null\"},\"maxItems\":5}]}", "[null,1]",
	    "$[1]: expected null, got number");
	/* Beside other keywords, all apply. */
	BAD("{\"type\":\"integer\",\"anyOf\":[{\"minimum\":5},"
	    "{\"maximum\":-5}]}", "0");
	OK("{\"type\":\"integer\",\"anyOf\":[{\"minimum\":5},"
	    "{\"maximum\":-5}]}", "-7");
	WHY("{\"anyOf\":[false]}", "1", "$: no value is allowed here");
	WHY("{\"anyOf\":[false,false]}", "1", "$: no value is allowed here");
	WHY("{\"anyOf\":[false,{\"type\":\"null\"},{\"$ref\":\"#/$defs/s\"}],"
	    "\"$defs\":{\"s\":{\"type\":\"string\"}}}", "1",
	    "$: expected string or null, got number");
}

static void
test_ref(void)
{
	const char	*s = "{\"$defs\":{\"name\":{\"type\":\"string\","
	    "\"minLength\":1}},\"type\":\"object\",\"properties\":{"
	    "\"first\":{\"$ref\":\"#/$defs/name\"},"
	    "\"last\":{\"$ref\":\"#/definitions/n~1x\"}},"
	    "\"definitions\":{\"n/x\":{\"type\":\"string\"}}}";
	const char	*tree = "{\"type\":\"object\",\"properties\":{"
	    "\"value\":{\"type\":\"integer\"},\"kids\":{\"type\":\"array\","
	    "\"items\":{\"$ref\":\"#\"}}},\"required\":[\"value\"]}";

	OK(s, "{\"first\":\"a\",\"last\":\"\"}");
	WHY(s, "{\"first\":\"\"}", "$.first: 0 characters, at least 1 allowed");
	WHY(s, "{\"last\":5}", "$.last: expected string, got number");
	OK(tree, "{\"value\":1,\"kids\":[{\"value\":2},{\"value\":3,"
	    "\"kids\":[{\"value\":4}]}]}");
	WHY(tree, "{\"value\":1,\"kids\":[{\"value\":2},{\"value\":3,"
	    "\"kids\":[{\"value\":\"4\"}]}]}",
	    "$.kids[1].kids[0].value: expected integer, got string");
	/* %-escapes in the fragment. */
	OK("{\"$defs\":{\"a b\":{\"type\":\"null\"}},\"$ref\":\"#/$defs/a%20b\"}",
	    "null");
	/* Bad references are refused with the schema. */
	CHECK(strstr(run("{\"$ref\":\"#/$defs/none\"}", "1"),
	    "SCHEMA: $ref \"#/$defs/none\" names no definition") != NULL);
	CHECK(strstr(run("{\"$ref\":\"other.json#/a\"}", "1"),
	    "only local references") != NULL);
	CHECK(strstr(run("{\"$ref\":\"#/properties/a\"}", "1"),
	    "only local references") != NULL);
	CHECK(strstr(run("{\"$ref\":\"#/$defs/a/b\",\"$defs\":{\"a\":{}}}",
	    "1"), "only local references") != NULL);
	/* A loop that never goes into the value is refused, not run. */
	CHECK(strstr(run("{\"$ref\":\"#\"}", "1"), "SCHEMA: $ref loop") !=
	    NULL);
	CHECK(strstr(run("{\"anyOf\":[{\"$ref\":\"#/$defs/a\"}],\"$defs\":{"
	    "\"a\":{\"$ref\":\"#\"}}}", "1"), "SCHEMA: $ref loop") != NULL);
	/* A chain of 40 $refs on one value is refused; of 30, taken. */
	{
		char	 big[4096];
		size_t	 n, k, m;

		for (m = 30; m <= 40; m += 10) {
			n = snprintf(big, sizeof(big), "{\"$ref\":\"#/$defs/d0\","
			    "\"$defs\":{");
			for (k = 0; k < m; k++)
				n += snprintf(big + n, sizeof(big) - n,
				    "\"d%zu\":{\"$ref\":\"#/$defs/d%zu\"},", k,
				    k + 1);
			snprintf(big + n, sizeof(big) - n,
			    "\"d%zu\":{\"type\":\"null\"}}}", m);
			if (m == 30) {
				OK(big, "null");
				WHY(big, "1", "$: expected null, got number");
			} else
				CHECK(strstr(run(big, "1"), "SCHEMA: anyOf and "
				    "$ref nest more than 32 deep") != NULL);
		}
	}
	/* Thousands of values through a $ref: the memo grows as it goes,
	 * and still knows the good from the bad. */
	{
		struct schema	*sc;
		char		*big, err[128];
		size_t		 n, k;

		big = malloc(64 * 1024);
		sc = schema_new(tree, strlen(tree), err, sizeof(err));
		CHECK(big != NULL && sc != NULL);
		if (big != NULL && sc != NULL) {
			n = sprintf(big, "{\"value\":0,\"kids\":[");
			for (k = 0; k < 3000; k++)
				n += sprintf(big + n, "%s{\"value\":%zu}",
				    k ? "," : "", k);
			n += sprintf(big + n, "]}");
			CHECK(schema_check(sc, big, n, why, sizeof(why)) == 0);
			memcpy(strstr(big, "{\"value\":2999}"),
			    "{\"value\":true}", 14);
			CHECK(schema_check(sc, big, n, why, sizeof(why)) == 1);
			CHECK(strcmp(why, "$.kids[2999].value: expected integer, "
			    "got boolean") == 0 ||
			    (fprintf(stderr, "%s\n", why), 0));
			CHECK(schema_check(sc, big, n, why, sizeof(why)) == 1);
		}
		schema_free(sc);
		free(big);
	}
	/* $defs not at the root are annotations, never compiled. */
	OK("{\"properties\":{\"a\":{\"$defs\":{\"x\":5}}}}", "{\"a\":1}");
}

static void
test_schema_errors(void)
{
	static const char *const bad[][2] = {
		{ "", "SCHEMA: invalid JSON" },
		{ "{\"type\":", "SCHEMA: invalid JSON" },
		{ "[]", "SCHEMA: the schema is not a JSON object" },
		{ "true", "SCHEMA: the schema is not a JSON object" },
		{ "{\"required\":5}", "SCHEMA: \"required\" must be an array "
		    "of strings" },
		{ "{\"required\":[1]}", "SCHEMA: \"required\" must be an array "
		    "of strings" },
		{ "{\"minimum\":\"x\"}", "SCHEMA: \"minimum\" must be a "
		    "number" },
		{ "{\"exclusiveMinimum\":true}", "SCHEMA: \"exclusiveMinimum\" "
		    "must be a number (not draft 4's boolean)" },
		{ "{\"maxItems\":-1}", "SCHEMA: \"maxItems\" must be a "
		    "non-negative integer" },
		{ "{\"minLength\":1.5}", "SCHEMA: \"minLength\" must be a "
		    "non-negative integer" },
		{ "{\"type\":\"text\"}", "SCHEMA: \"type\" names a type" },
		{ "{\"type\":[]}", "SCHEMA: \"type\" must be a type name" },
		{ "{\"type\":5}", "SCHEMA: \"type\" must be a type name" },
		{ "{\"enum\":[]}", "SCHEMA: \"enum\" must be a non-empty" },
		{ "{\"enum\":1}", "SCHEMA: \"enum\" must be a non-empty" },
		{ "{\"anyOf\":{}}", "SCHEMA: \"anyOf\" must be" },
		{ "{\"anyOf\":[1]}", "SCHEMA: a schema must be an object or "
		    "a boolean (at #/anyOf)" },
		{ "{\"items\":[{}]}", "SCHEMA: \"items\" must be a schema" },
		{ "{\"properties\":[]}", "SCHEMA: \"properties\" must be" },
		{ "{\"properties\":{\"a\":{\"properties\":{\"b\":{\"type\":1}}}}}",
		    "SCHEMA: \"type\" must be a type name or a non-empty list "
		    "of them (at #/properties/a/properties/b/type)" },
		{ "{\"additionalProperties\":\"no\"}", "SCHEMA: a schema must "
		    "be" },
		{ "{\"$ref\":1}", "SCHEMA: \"$ref\" must be a string" },
		{ "{\"$defs\":[]}", "SCHEMA: \"$defs\" must be an object" },
	};
	size_t	 k;
	int	 ok;

	for (k = 0; k < sizeof(bad) / sizeof(bad[0]); k++) {
		run(bad[k][0], "1");
		ok = strncmp(why, bad[k][1], strlen(bad[k][1])) == 0;
		if (!ok)
			fprintf(stderr, "schema %s: got '%s'\n", bad[k][0], why);
		CHECK(ok);
	}
}

static void
test_ignored(void)
{
	struct schema	*s;
	const char	*t;
	char		 err[128];

	t = "{\"title\":\"x\",\"$schema\":\"y\",\"description\":\"d\","
	    "\"properties\":{\"format\":{\"format\":\"date\",\"pattern\":\"a\"},"
	    "\"b\":{\"format\":\"email\",\"x\\ny\":1}},\"default\":{},"
	    "\"examples\":[],\"$comment\":\"\",\"$id\":\"i\"}";
	s = schema_new(t, strlen(t), err, sizeof(err));
	CHECK(s != NULL);
	if (s != NULL) {
		CHECK(schema_ignored(s) != NULL &&
		    strcmp(schema_ignored(s), "format, pattern, x\\ny") == 0);
		schema_free(s);
	}
	/* Many unknown names: the first 32, then "...". */
	{
		char	 big[2048];
		size_t	 n, k;

		n = snprintf(big, sizeof(big), "{");
		for (k = 0; k < 40; k++)
			n += snprintf(big + n, sizeof(big) - n, "%s\"u%zu\":1,"
			    "\"u%zu\":2", k ? "," : "", k, k);
		snprintf(big + n, sizeof(big) - n, "}");
		s = schema_new(big, strlen(big), err, sizeof(err));
		CHECK(s != NULL && schema_ignored(s) != NULL);
		if (s != NULL && schema_ignored(s) != NULL) {
			t = schema_ignored(s);
			CHECK(strncmp(t, "u0, u1, u2, ", 12) == 0);
			CHECK(strlen(t) > 5 &&
			    strcmp(t + strlen(t) - 8, "u31, ...") == 0);
		}
		schema_free(s);
	}
	t = "{\"type\":\"object\",\"title\":\"t\",\"$defs\":{}}";
	s = schema_new(t, strlen(t), err, sizeof(err));
	CHECK(s != NULL && schema_ignored(s) == NULL);
	schema_free(s);
	schema_free(NULL);
}

static int
wants(const char *t)
{
	struct schema	*s;
	char		 err[128];
	int		 w;

	if ((s = schema_new(t, strlen(t), err, sizeof(err))) == NULL)
		return -1;
	w = schema_wants_object(s);
	schema_free(s);
	return w;
}

static void
test_wants_object(void)
{
	CHECK(wants("{\"type\":\"object\"}") == 1);
	CHECK(wants("{\"type\":[\"object\"]}") == 1);
	CHECK(wants("{\"type\":[\"object\",\"null\"]}") == 0);
	CHECK(wants("{\"properties\":{\"a\":{}}}") == 0);
	CHECK(wants("{\"required\":[\"a\"]}") == 0);
	CHECK(wants("{}") == 0);
	CHECK(wants("{\"enum\":[{},{\"a\":1}]}") == 1);
	CHECK(wants("{\"enum\":[{},1]}") == 0);
	CHECK(wants("{\"const\":{}}") == 1);
	CHECK(wants("{\"$ref\":\"#/$defs/o\",\"$defs\":{\"o\":"
	    "{\"type\":\"object\"}}}") == 1);
	CHECK(wants("{\"anyOf\":[{\"type\":\"object\"},{\"const\":{}}]}") ==
	    1);
	CHECK(wants("{\"anyOf\":[{\"type\":\"object\"},{}]}") == 0);
}

static void
test_not_json(void)
{
	WHY("{}", "{\"a\":", "the answer is not JSON: at byte 6: value "
	    "expected");
	CHECK(strncmp(run("{}", "Sure! {\"a\":1}"),
	    "the answer is not JSON: ", 24) == 0);
	CHECK(strncmp(run("{}", ""), "the answer is not JSON: ", 24) == 0);
}

/* Values from the answer are quoted short and harmless. */
static void
test_quoting(void)
{
	const char	*r;

	r = run("{\"enum\":[\"a\"]}", "\"line\\none\\u001b[31m\\u2028"
	    "\\u202e\"");
	CHECK(strcmp(r, "$: \"line\\none\\u001b[31m\\u2028\\u202e\" is not "
	    "one of \"a\"") == 0 || (fprintf(stderr, "%s\n", r), 0));
	r = run("{\"enum\":[\"a\"]}", "\"0123456789012345678901234567890123"
	    "456789xyz\"");
	CHECK(strcmp(r, "$: \"0123456789012345678901234567890123456789...\" "
	    "is not one of \"a\"") == 0 || (fprintf(stderr, "%s\n", r), 0));
	/* A long multibyte string is cut at a character. */
	r = run("{\"const\":1}", "\"\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9"
	    "\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9"
	    "\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\"");
	CHECK(strcmp(r, "$: expected 1, got \"\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9"
	    "\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9"
	    "\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9"
	    "...\"") == 0 || (fprintf(stderr, "%s\n", r), 0));
	/* An object value, compacted and cut. */
	r = run("{\"const\":1}", "{\"a\": [1, 2, 3], \"b\": \"xxxxxxxxxxxxxx"
	    "xxxxxxxxxxxxxxxxxxxxxxxxx\"}");
	CHECK(strcmp(r, "$: expected 1, got {\"a\":[1,2,3],\"b\":\"xxxxxxxxxxxxx"
	    "xxxxxxxxx...") == 0 || (fprintf(stderr, "%s\n", r), 0));
	/* A hostile key in the path. */
	r = run("{\"additionalProperties\":{\"type\":\"null\"}}",
	    "{\"a\\nb\\u0000\":1}");
	CHECK(strcmp(r, "$[\"a\\nb\\u0000\"]: expected null, got number") ==
	    0 || (fprintf(stderr, "%s\n", r), 0));
}

/* The why always fits, and is one line. */
static void
test_whylen(void)
{
	struct schema	*s;
	const char	*t = "{\"enum\":[\"aaaaaaaaaaaaaaaaaaaaaaa\","
	    "\"bbbbbbbbbbbbbbbbbbbbbb\",\"ccccccccccccccccc\"]}";
	char		 small[24], err[64];
	size_t		 n;

	s = schema_new(t, strlen(t), err, sizeof(err));
	CHECK(s != NULL);
	if (s == NULL)
		return;
	memset(small, 'Z', sizeof(small));
	CHECK(schema_check(s, "\"\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9"
	    "\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\"", 20, small, 20) == 1);
	n = strlen(small);
	CHECK(n == 19 && strcmp(small + n - 3, "...") == 0);
	CHECK(small[20] == 'Z');
	CHECK(json_utf8_valid(small, strlen(small)));
	CHECK(schema_check(s, "1", 1, small, 1) == 1 && small[0] == '\0');
	CHECK(schema_check(s, "1", 1, small, 3) == 1 &&
	    strcmp(small, "..") == 0);
	CHECK(schema_check(s, "1", 1, NULL, 0) == 1);
	CHECK(schema_check(s, "\"bbbbbbbbbbbbbbbbbbbbbb\"", 24, small,
	    sizeof(small)) == 0 && small[0] == '\0');
	schema_free(s);
}

/* Deep answers and schemas are refused, and deep recursion is not run. */
static void
test_depth(void)
{
	struct schema	*s;
	char		*a, err[128];
	size_t		 k, n = 5000;
	const char	*tree = "{\"anyOf\":[{\"type\":\"array\",\"items\":"
	    "{\"$ref\":\"#\"}},{\"type\":\"array\",\"items\":{\"$ref\":\"#\"},"
	    "\"minItems\":0},{\"type\":\"integer\"}]}";

	a = malloc(2 * n + 2);
	/* 64 levels are fine, 65 are not. */
	for (k = 0; k < 64; k++) {
		a[k] = '[';
		a[128 - 1 - k] = ']';
	}
	a[128] = '\0';
	OK("{}", a);
	OK(tree, a);
	memmove(a + 1, a, 129);
	a[0] = '[';
	a[129] = ']';
	a[130] = '\0';
	WHY("{}", a, "$: the answer nests deeper than 64 levels");
	/* Deeper than json_parse itself takes. */
	for (k = 0; k < n; k++) {
		a[k] = '[';
		a[2 * n - 1 - k] = ']';
	}
	a[2 * n] = '\0';
	CHECK(strncmp(run("{}", a), "the answer is not JSON", 22) == 0 ||
	    strstr(why, "deeper") != NULL);
	/* The deepest stack a schema can ask for: a chain of 31 $refs at
	 * each of 64 levels. */
	{
		char	 big[4096];
		size_t	 n2;

		n2 = snprintf(big, sizeof(big), "{\"$ref\":\"#/$defs/d0\","
		    "\"$defs\":{");
		for (k = 0; k < 30; k++)
			n2 += snprintf(big + n2, sizeof(big) - n2,
			    "\"d%zu\":{\"$ref\":\"#/$defs/d%zu\"},", k, k + 1);
		snprintf(big + n2, sizeof(big) - n2, "\"d30\":{\"type\":"
		    "[\"array\",\"integer\"],\"items\":{\"$ref\":"
		    "\"#/$defs/d0\"}}}}");
		for (k = 0; k < 64; k++) {
			a[k] = '[';
			a[64 + 1 + k] = ']';
		}
		a[64] = '1';
		a[129] = '\0';
		OK(big, a);
		/* 63 levels, a string at the bottom. */
		memset(a, '[', 63);
		memcpy(a + 63, "\"\"", 2);
		memset(a + 65, ']', 63);
		a[128] = '\0';
		WHY(big, a, "$[0][0][0][0][0][0][0][0][0][0][0][0][0][0][0]"
		    "[0][0][0][0][0][0][0][0][0][0][0][0][0][0][0][0][0][0][0]"
		    "[0][0][0][0][0][0][0][0][0][0][0][0][0][0][0][0][0][0][0]"
		    "[0][0][0][0][0][0][0][0][0][0]: expected array or integer, "
		    "got string");
	}
	/* The same for a schema. */
	for (k = 0; k < 70; k++)
		memcpy(a + 7 * k, "{\"not\":", 7);
	memcpy(a + 7 * 70, "{}", 2);
	memset(a + 7 * 70 + 2, '}', 70);
	a[7 * 70 + 72] = '\0';
	CHECK(strstr(run(a, "1"), "SCHEMA: the schema nests deeper") != NULL);
	/*
	 * Each level of this answer fails the first two branches deep
	 * down: checked naively that is 2^63 walks, memoized a few
	 * hundred.
	 */
	for (k = 0; k < 63; k++) {
		a[k] = '[';
		a[63 + 4 + k] = ']';
	}
	memcpy(a + 63, "true", 4);
	a[63 + 4 + 63] = '\0';
	s = schema_new(tree, strlen(tree), err, sizeof(err));
	CHECK(s != NULL);
	if (s != NULL) {
		CHECK(schema_check(s, a, strlen(a), why, sizeof(why)) == 1);
		CHECK(strstr(why, "expected array or integer, got boolean") !=
		    NULL || (fprintf(stderr, "%s\n", why), 0));
		schema_free(s);
	}
	free(a);
}

/* Big answers: linear, not quadratic. */
static void
test_big(void)
{
	struct schema	*s;
	const char	*t = "{\"type\":\"object\",\"properties\":{\"v\":{"
	    "\"type\":\"array\",\"items\":{\"type\":\"integer\"}}},"
	    "\"additionalProperties\":{\"type\":\"string\"},\"required\":"
	    "[\"v\",\"k99999\"]}";
	char		*a, err[128];
	size_t		 n = 0, k;

	a = malloc(4 * 1024 * 1024);
	n += sprintf(a + n, "{\"v\":[");
	for (k = 0; k < 200000; k++)
		n += sprintf(a + n, "%s%zu", k ? "," : "", k);
	n += sprintf(a + n, "]");
	for (k = 0; k < 100000; k++)
		n += sprintf(a + n, ",\"k%zu\":\"x\"", k);
	n += sprintf(a + n, "}");
	s = schema_new(t, strlen(t), err, sizeof(err));
	CHECK(s != NULL);
	if (s != NULL) {
		CHECK(schema_check(s, a, n, why, sizeof(why)) == 0);
		/* The last element spoilt. */
		memcpy(strstr(a, "199999]"), "1.5e0 ", 6);
		CHECK(schema_check(s, a, n, why, sizeof(why)) == 1);
		CHECK(strcmp(why, "$.v[199999]: expected integer, got number "
		    "1.5e0") == 0 || (fprintf(stderr, "%s\n", why), 0));
		/* Reused: a small answer after a big one. */
		CHECK(schema_check(s, "{\"v\":[],\"k99999\":\"\"}", 20, why,
		    sizeof(why)) == 0);
		schema_free(s);
	}
	free(a);
}

int
main(void)
{
	test_type();
	test_object();
	test_array();
	test_enum_const();
	test_number();
	test_string();
	test_anyof();
	test_ref();
	test_schema_errors();
	test_ignored();
	test_wants_object();
	test_not_json();
	test_quoting();
	test_whylen();
	test_depth();
	test_big();
	return check_done("test_schema");
}
