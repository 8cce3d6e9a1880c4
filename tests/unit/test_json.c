#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "jsmn_same.h"
#include "json.h"

static int
valid(const char *s)
{
	char	 err[128];

	return json_validate(s, strlen(s), err, sizeof(err)) == 0;
}

static void
test_validate(void)
{
	static const char *const good[] = {
		"{}", "[]", "0", "-0", "1.5e+10", "-12.5E-3", "\"\"", "true",
		"false", "null", " {\"a\" : [1, 2, {\"b\": null}]} ",
		"\"\\u00e9\\ud83d\\ude00\\n\\/\"", "\"\xc3\xa9\xf0\x9f\x98\x80\"",
		"{\"a\":1,\"a\":2}", "[[[[]]]]",
	};
	static const char *const bad[] = {
		"", " ", "{", "}", "[1,]", "{\"a\" \"b\"}", "{\"a\":}", "{,}",
		"01", "1.", ".5", "-", "1e", "tru", "nul", "True", "[1 2]",
		"{\"a\":1}{}", "{} x", "\"\\x\"", "\"\\u12\"", "\"a\tb\"",
		"\"\xc3\"", "\"\xc0\xaf\"", "\"\xed\xa0\x80\"", "\"\xf4\x90\x80\x80\"",
		"{1:2}", "{\"a\":1,}", "[\"a\":1]", "'a'", "\"abc",
	};
	size_t	 k;

	for (k = 0; k < sizeof(good) / sizeof(good[0]); k++)
		CHECK(valid(good[k]));
	for (k = 0; k < sizeof(bad) / sizeof(bad[0]); k++)
		if (valid(bad[k]))
			fprintf(stderr, "accepted: %s\n", bad[k]);
	for (k = 0; k < sizeof(bad) / sizeof(bad[0]); k++)
		CHECK(!valid(bad[k]));
	/* Each ASCII byte alone in a string: printable ones stand for
	 * themselves, control bytes are refused. */
	{
		char	 str[3] = { '"', 0, '"' }, err[64];
		int	 c, ok = 1;

		for (c = 0; c < 0x80; c++) {
			str[1] = c;
			if (c == '"' || c == '\\')
				continue;
			ok &= (json_validate(str, 3, err, sizeof(err)) == 0) ==
			    (c >= 0x20);
		}
		CHECK(ok);
	}
	/* The same at every place in a longer string, where the scan
	 * takes eight bytes at a time. */
	{
		static const struct {
			const char	*bytes;
			int		 ok;
		} at[] = {
			{ "\x1f", 0 }, { "\x01", 0 }, { "\x7f", 1 }, { " ", 1 },
			{ "\x80", 0 }, { "\xc3\xa9", 1 }, { "\xc3", 0 },
			{ "\\n", 1 }, { "\\q", 0 }, { "\\u00e9", 1 },
			{ "\"", 0 }, { "~", 1 },
		};
		char	 str[64], err[64];
		size_t	 m, p, n;
		int	 ok = 1;

		for (m = 0; m < sizeof(at) / sizeof(at[0]); m++)
			for (p = 0; p < 24; p++) {
				n = strlen(at[m].bytes);
				memset(str, 'a', sizeof(str));
				str[0] = '"';
				memcpy(str + 1 + p, at[m].bytes, n);
				str[1 + 24 + n] = '"';
				if ((json_validate(str, 24 + n + 2, err,
				    sizeof(err)) == 0) != at[m].ok) {
					fprintf(stderr, "byte %zu at %zu\n", m,
					    p);
					ok = 0;
				}
			}
		CHECK(ok);
	}
	/* A NUL byte inside a string or between values is refused. */
	CHECK(json_validate("\"a\0b\"", 5, (char[64]){ 0 }, 64) == -1);
	CHECK(json_validate("{}\0", 3, (char[64]){ 0 }, 64) == -1);
}

static void
test_depth(void)
{
	char	*s, err[128];
	size_t	 n = 100000, k;

	/* 100,000 levels: refused at once, not parsed for minutes. */
	s = malloc(2 * n);
	for (k = 0; k < n; k++) {
		s[k] = '[';
		s[2 * n - 1 - k] = ']';
	}
	CHECK(json_validate(s, 2 * n, err, sizeof(err)) == -1);
	CHECK(strstr(err, "deeper") != NULL);
	/* JSON_MAX_DEPTH levels are fine. */
	n = JSON_MAX_DEPTH;
	for (k = 0; k < n; k++) {
		s[k] = '[';
		s[2 * n - 1 - k] = ']';
	}
	CHECK(json_validate(s, 2 * n, err, sizeof(err)) == 0);
	free(s);
}

static void
test_lookup(void)
{
	struct json		*j = json_new();
	struct json_members	 m = { 0 };
	const char		*s = "{\"a\": {\"b\": [10, {\"c\": \"x\"}, [1,2]]},"
				    " \"k\\u0065y\": 7, \"a\\\"q\": true, \"n\":null,"
				    " \"dup\": 1, \"dup\": 2}";
	char			 err[128];
	size_t			 off, len;
	int			 a, b, t;

	CHECK(json_parse(j, s, strlen(s), err, sizeof(err)) == 0);
	CHECK(json_type(j, 0) == JSON_OBJECT);
	a = json_get(j, 0, "a", 1);
	CHECK(json_type(j, a) == JSON_OBJECT);
	b = json_get(j, a, "b", 1);
	CHECK(json_type(j, b) == JSON_ARRAY);
	t = json_index(j, b, 0);
	CHECK(json_type(j, t) == JSON_NUMBER && json_is_integer(j, t));
	t = json_get(j, json_index(j, b, 1), "c", 1);
	CHECK(json_type(j, t) == JSON_STRING);
	json_span(j, t, &off, &len);
	CHECK_MEM(s + off, len, "\"x\"");
	CHECK(json_type(j, json_index(j, b, 2)) == JSON_ARRAY);
	CHECK(json_index(j, b, 3) == -1);
	/* Escaped keys match their decoded names. */
	CHECK(json_type(j, json_get(j, 0, "key", 3)) == JSON_NUMBER);
	CHECK(json_type(j, json_get(j, 0, "a\"q", 3)) == JSON_TRUE);
	CHECK(json_type(j, json_get(j, 0, "n", 1)) == JSON_NULL);
	CHECK(json_get(j, 0, "nope", 4) == -1);
	CHECK(json_get(j, 0, "ke", 2) == -1);
	/* The last duplicate wins, as in jq. */
	json_span(j, json_get(j, 0, "dup", 3), &off, &len);
	CHECK_MEM(s + off, len, "2");
	CHECK(json_members(j, 0, &m) == 0);
	CHECK(m.n == 6);
	CHECK_MEM(s + m.v[0].key, m.v[0].keylen, "a");
	CHECK_MEM(s + m.v[1].key, m.v[1].keylen, "k\\u0065y");
	CHECK_MEM(s + m.v[1].val, m.v[1].valend - m.v[1].val, "7");
	CHECK(json_get(j, a, "zz", 2) == -1);
	/* Lookups on the wrong type fail cleanly. */
	CHECK(json_get(j, b, "a", 1) == -1);
	CHECK(json_index(j, a, 0) == -1);
	CHECK(json_type(j, -1) == JSON_NONE);
	/* A primitive root, which strict jsmn alone cannot take. */
	CHECK(json_parse(j, " 17 ", 4, err, sizeof(err)) == 0);
	CHECK(json_type(j, 0) == JSON_NUMBER && json_is_integer(j, 0));
	CHECK(json_parse(j, "1.0", 3, err, sizeof(err)) == 0);
	CHECK(!json_is_integer(j, 0));
	CHECK(json_parse(j, "{\"a\":", 5, err, sizeof(err)) == -1);
	json_members_free(&m);
	json_free(j);
}

/* The tokens made in the validating pass are jsmn's, and a text refused
 * leaves none behind. */
static void
test_tokens(void)
{
	static const char *const texts[] = {
		"{}", "[]", "0", " -12.5E-3 ", "\"\"", " true", "null\n",
		" {\"a\" : [1, 2, {\"b\": null}]} ", "[[[[]]]]",
		"\"\\u00e9\\ud83d\\ude00\\n\\/\"", "{\"a\":1,\"a\":2}",
		"{\"\\\"k\":{},\"e\":[],\"s\":\"x\",\"t\":[true,false,null,"
		    "-0,{\"x\":[{}]}],\"u\":{\"v\":{\"w\":[1,[2,[3]]]}}}",
		"{\"id\":\"chatcmpl-1\",\"object\":\"chat.completion\","
		    "\"choices\":[{\"index\":0,\"message\":{\"role\":"
		    "\"assistant\",\"content\":\"yes\"},\"logprobs\":null,"
		    "\"finish_reason\":\"stop\"}],\"usage\":{\"prompt_tokens\":"
		    "15,\"completion_tokens\":4,\"total_tokens\":19}}",
		"[\"\xc3\xa9\xf0\x9f\x98\x80\", 1e5, [ ], { } ]",
	};
	struct json	*j = json_new();
	struct buf	 b = { 0 };
	char		 err[128];
	size_t		 k;

	for (k = 0; k < sizeof(texts) / sizeof(texts[0]); k++) {
		CHECK(json_parse(j, texts[k], strlen(texts[k]), err,
		    sizeof(err)) == 0);
		if (!jsmn_same(j, texts[k], strlen(texts[k])))
			fprintf(stderr, "not jsmn's tokens: %s\n", texts[k]);
		CHECK(jsmn_same(j, texts[k], strlen(texts[k])));
	}
	/* Many, grown as they come. */
	buf_adds(&b, "[");
	for (k = 0; k < 5000; k++)
		buf_adds(&b, k ? ",{\"a\":[1,\"b\"]}" : "{\"a\":[1,\"b\"]}");
	buf_adds(&b, "]");
	CHECK(json_parse(j, b.data, b.len, err, sizeof(err)) == 0);
	CHECK(jsmn_same(j, b.data, b.len));
	/* Refused half way: no token of it is left. */
	CHECK(json_parse(j, "[1,2,{\"a\":x}]", 14, err, sizeof(err)) == -1);
	CHECK(json_type(j, 0) == JSON_NONE);
	buf_free(&b);
	json_free(j);
}

static void
test_many_tokens(void)
{
	struct json	*j = json_new();
	struct buf	 b = { 0 };
	char		 err[128];
	int		 k;

	/* Far more tokens than the first allocation: grown on NOMEM. */
	buf_adds(&b, "{\"xs\":[");
	for (k = 0; k < 10000; k++)
		buf_adds(&b, k ? ",1" : "1");
	buf_adds(&b, "],\"last\":\"ok\"}");
	CHECK(json_parse(j, b.data, b.len, err, sizeof(err)) == 0);
	CHECK(json_type(j, json_get(j, 0, "last", 4)) == JSON_STRING);
	CHECK(json_index(j, json_get(j, 0, "xs", 2), 9999) != -1);
	buf_free(&b);
	json_free(j);
}

static void
test_codecs(void)
{
	struct buf	 b = { 0 };

	json_escape(&b, "a\"b\\c\n\t\r\b\f\x01\x1f\x7f", 13);
	CHECK_BUF(b, "a\\\"b\\\\c\\n\\t\\r\\b\\f\\u0001\\u001f\x7f");
	buf_reset(&b);
	/* UTF-8 is kept; invalid bytes become U+FFFD. */
	json_escape(&b, "\xc3\xa9\xf0\x9f\x98\x80|\xff|\xc3", 10);
	CHECK_BUF(b, "\xc3\xa9\xf0\x9f\x98\x80|\xef\xbf\xbd|\xef\xbf\xbd");
	buf_reset(&b);
	json_escape(&b, "a\0b", 3);
	CHECK_BUF(b, "a\\u0000b");
	buf_reset(&b);
	json_quote(&b, "x", 1);
	CHECK_BUF(b, "\"x\"");
	buf_reset(&b);
	{
		const char *enc = "a\\\"b\\\\\\/\\n\\u00e9\\ud83d\\ude00";

		json_decode_string(&b, enc, strlen(enc));
	}
	CHECK_BUF(b, "a\"b\\/\n\xc3\xa9\xf0\x9f\x98\x80");
	buf_reset(&b);
	/* A lone surrogate decodes to U+FFFD. */
	json_decode_string(&b, "\\ud800x", 7);
	CHECK_BUF(b, "\xef\xbf\xbdx");
	buf_reset(&b);
	json_compact(&b, "{ \"a b\" : [ 1 , \"x \\\" y\" ] }", 28, 0);
	CHECK_BUF(b, "{\"a b\":[1,\"x \\\" y\"]}");
	buf_reset(&b);
	json_compact(&b, "{ \"a\" : \"q\\\"\" }", 15, 1);
	CHECK_BUF(b, "{\\\"a\\\":\\\"q\\\\\\\"\\\"}");
	buf_free(&b);
}

static void
splice(const char *obj, const char *name, const char *val,
    const char *name2, const char *val2, const char *want)
{
	struct json		*j = json_new();
	struct json_members	 m = { 0 };
	struct json_field	 f[2];
	struct buf		 b = { 0 };
	char			 err[128];
	size_t			 n = 1;

	CHECK(json_parse(j, obj, strlen(obj), err, sizeof(err)) == 0);
	CHECK(json_members(j, 0, &m) == 0);
	f[0] = (struct json_field){ name, strlen(name), val, strlen(val) };
	if (name2 != NULL) {
		f[1] = (struct json_field){ name2, strlen(name2), val2,
		    strlen(val2) };
		n = 2;
	}
	CHECK(json_splice(&b, obj, strlen(obj), &m, f, n) == 0);
	CHECK_BUF(b, want);
	buf_free(&b);
	json_members_free(&m);
	json_free(j);
}

static void
test_splice(void)
{
	splice("{\"a\": 1}", "x", "\"y\"", NULL, NULL, "{\"a\": 1,\"x\":\"y\"}");
	splice("{}", "x", "1", NULL, NULL, "{\"x\":1}");
	splice("{ }", "x", "1", "id", "7", "{ \"x\":1,\"id\":7}");
	/* Replaced where it stands, the rest byte for byte. */
	splice("{\"x\" : 0, \"b\":[1, 2]}", "x", "\"new\"", NULL, NULL,
	    "{\"x\" : \"new\", \"b\":[1, 2]}");
	/* Later duplicates are dropped. */
	splice("{\"x\":0,\"b\":1,\"x\":2,\"c\":3}", "x", "9", NULL, NULL,
	    "{\"x\":9,\"b\":1,\"c\":3}");
	splice("{\"b\":1,\"x\":0,\"x\":2}", "x", "9", NULL, NULL,
	    "{\"b\":1,\"x\":9}");
	/* An escaped key is the same key. */
	splice("{\"\\u0078\":0}", "x", "9", NULL, NULL, "{\"\\u0078\":9}");
	splice("{\"a\":1}", "x", "1", "a", "2", "{\"a\":2,\"x\":1}");
}

/* Counts, strings, lengths and the next token of an array. */
static void
test_counts(void)
{
	struct json	*j = json_new();
	const char	*t = "{\"n\":12,\"big\":123456789012345678901,\"neg\":-1,"
			    "\"f\":1.5,\"s\":\"a\\\"b\",\"a\":[[1,2],{\"x\":3},4],"
			    "\"z\":-0,\"seven\":7,\"e\":1e2,"
			    "\"max\":9223372036854775807,"
			    "\"over\":9223372036854775808}";
	char		 err[64];
	int		 a, k;

	CHECK(json_parse(j, t, strlen(t), err, sizeof(err)) == 0);
	CHECK(json_get_count(j, 0, "n", 100) == 12);
	CHECK(json_get_count(j, 0, "n", 11) == -1);
	CHECK(json_get_count(j, 0, "big", LLONG_MAX) == -1);
	CHECK(json_get_count(j, 0, "neg", 100) == -1);
	CHECK(json_get_count(j, 0, "f", 100) == -1);
	CHECK(json_get_count(j, 0, "none", 100) == -1);
	CHECK(json_get_count(j, -1, "n", 100) == -1);
	CHECK(json_get_count(j, 0, "z", 100) == 0);
	CHECK(json_get_count(j, 0, "seven", 5) == -1);
	CHECK(json_get_count(j, 0, "seven", 7) == 7);
	CHECK(json_get_count(j, 0, "e", 1000) == -1);
	CHECK(json_get_count(j, 0, "max", LLONG_MAX) == LLONG_MAX);
	CHECK(json_get_count(j, 0, "over", LLONG_MAX) == -1);
	CHECK(json_is_string(j, json_get(j, 0, "s", 1), "a\\\"b"));
	CHECK(!json_is_string(j, json_get(j, 0, "s", 1), "a\"b"));
	CHECK(!json_is_string(j, json_get(j, 0, "n", 1), "12"));
	a = json_get(j, 0, "a", 1);
	CHECK(json_len(j, a) == 3 && json_len(j, 0) == 11 &&
	    json_len(j, json_get(j, 0, "n", 1)) == 0);
	k = json_next(j, a + 1);
	CHECK(json_type(j, k) == JSON_OBJECT);
	k = json_next(j, k);
	CHECK(json_type(j, k) == JSON_NUMBER && k == json_index(j, a, 2));
	json_free(j);
}

/* A server's message: decoded, cut to fit, "" when it is no string. */
static void
test_get_text(void)
{
	struct json	*j = json_new();
	const char	*s = "{\"m\": \"a\\u00e9\\\"b\", \"e\": \"\", \"n\": 5}";
	char		 out[5], err[128];

	CHECK(json_parse(j, s, strlen(s), err, sizeof(err)) == 0);
	json_get_text(j, 0, "m", out, sizeof(out));
	CHECK(strcmp(out, "a\xc3\xa9\"") == 0);
	json_get_text(j, 0, "e", out, sizeof(out));
	CHECK(strcmp(out, "") == 0);
	json_get_text(j, 0, "n", out, sizeof(out));
	CHECK(strcmp(out, "") == 0);
	json_get_text(j, 0, "absent", out, sizeof(out));
	CHECK(strcmp(out, "") == 0);
	json_free(j);
}

int
main(void)
{
	test_validate();
	test_counts();
	test_depth();
	test_lookup();
	test_get_text();
	test_tokens();
	test_many_tokens();
	test_codecs();
	test_splice();
	/* Lone surrogates become U+FFFD in place; pairs and escaped
	 * backslashes stay. */
	{
		char	 t[] = "[\"\\ud800\",\"\\ud83d\\ude00\",\"\\\\ud800\","
		    "\"\\uDC00x\",\"\\ud800\\u0041\",\"\\\"\"]";

		json_fix_surrogates(t, strlen(t));
		CHECK(strcmp(t, "[\"\\ufffd\",\"\\ud83d\\ude00\",\"\\\\ud800\","
		    "\"\\ufffdx\",\"\\ufffd\\u0041\",\"\\\"\"]") == 0);
		CHECK(valid(t));
	}
	return check_done("test_json");
}
