#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "template.h"

static const char row[] = "{\"name\":\"Ada \\\"L\\\"\",\"n\":42,\"f\":1.5,"
    "\"t\":true,\"z\":null,\"a\":{\"b\":{\"c\":\"deep\"}},"
    "\"items\":[\"zero\",{\"k\":\"v\"}],\"obj\":{ \"x\" : [1, 2] },"
    "\"0\":\"key zero\",\"emoji\":\"\\ud83d\\ude00\xc3\xa9\"}";
/* Fields with nothing in them, and some with little. */
static const char hollow[] = "{\"z\":null,\"e\":\"\",\"sp\":\" \\t\\n "
    "\\u00a0\\u0020\",\"nb\":\" x \",\"ea\":[],\"eo\":{},\"zero\":0,"
    "\"f\":false}";
static const char *rowp = row;

/* Render src against row in mode; return 0 and the text, or -1 and err. */
static int
render(const char *src, int flags, enum tmpl_mode mode, struct buf *out,
    char *err, size_t errlen)
{
	struct json	*j = json_new();
	struct tmpl	*t;
	int		 rv;

	buf_reset(out);
	if (json_parse(j, rowp, strlen(rowp), err, errlen) == -1)
		abort();
	if ((t = tmpl_compile(src, strlen(src), flags, err, errlen)) == NULL) {
		json_free(j);
		return -2;
	}
	rv = tmpl_render(t, j, 0, out, mode, err, errlen);
	tmpl_free(t);
	json_free(j);
	return rv;
}

#define TEXT(src, want) do {						\
	CHECK(render(src, 0, TMPL_TEXT, &b, err, sizeof(err)) == 0);	\
	CHECK_BUF(b, want);						\
} while (0)

#define JSON(src, want) do {						\
	CHECK(render(src, 0, TMPL_JSON, &b, err, sizeof(err)) == 0);	\
	CHECK_BUF(b, want);						\
} while (0)

int
main(void)
{
	struct buf	 b = { 0 };
	char		 err[256];

	TEXT("plain", "plain");
	TEXT("", "");
	TEXT("Hi {{name}}!", "Hi Ada \"L\"!");
	TEXT("{{ name }}", "Ada \"L\"");
	TEXT("{{n}} {{f}} {{t}}", "42 1.5 true");
	TEXT("{{a.b.c}}", "deep");
	TEXT("{{items.0}}/{{items.1.k}}", "zero/v");
	TEXT("{{obj}}", "{\"x\":[1,2]}");
	TEXT("{{a.b}}", "{\"c\":\"deep\"}");
	TEXT("{{0}}", "key zero");	/* a digit key on an object */
	TEXT("{{emoji}}", "\xf0\x9f\x98\x80\xc3\xa9");
	TEXT("\\{{name}} {{n}}", "{{name}} 42");
	TEXT("a}}b{x}", "a}}b{x}");
	TEXT("x\\ny", "x\\ny");		/* escapes only with TMPL_ESCAPES */
	CHECK(render("x\\ny\\tz\\\\w\\q", TMPL_ESCAPES, TMPL_TEXT, &b, err,
	    sizeof(err)) == 0);
	CHECK_BUF(b, "x\ny\tz\\w\\q");
	/* \\{{ with escapes is a backslash and then a placeholder. */
	CHECK(render("\\\\{{n}}", TMPL_ESCAPES, TMPL_TEXT, &b, err,
	    sizeof(err)) == 0);
	CHECK_BUF(b, "\\42");

	/* JSON mode: the same text, escaped for a JSON string. */
	JSON("Hi {{name}}\n", "Hi Ada \\\"L\\\"\\n");
	JSON("{{obj}}", "{\\\"x\\\":[1,2]}");
	JSON("{{emoji}}", "\\ud83d\\ude00\xc3\xa9");
	JSON("tab\there \"q\"", "tab\\there \\\"q\\\"");
	JSON("{{.}}", "{\\\"name\\\":\\\"Ada \\\\\\\"L\\\\\\\"\\\",\\\"n\\\":42,"
	    "\\\"f\\\":1.5,\\\"t\\\":true,\\\"z\\\":null,\\\"a\\\":{\\\"b\\\":"
	    "{\\\"c\\\":\\\"deep\\\"}},\\\"items\\\":[\\\"zero\\\",{\\\"k\\\":"
	    "\\\"v\\\"}],\\\"obj\\\":{\\\"x\\\":[1,2]},\\\"0\\\":\\\"key zero\\\","
	    "\\\"emoji\\\":\\\"\\\\ud83d\\\\ude00\xc3\xa9\\\"}");

	/* Missing paths fail the row, never render empty. */
	CHECK(render("{{nope}}", 0, TMPL_TEXT, &b, err, sizeof(err)) == -1);
	CHECK(strstr(err, "nope") != NULL);
	CHECK(render("{{a.x.c}}", 0, TMPL_TEXT, &b, err, sizeof(err)) == -1);
	CHECK(render("{{items.2}}", 0, TMPL_TEXT, &b, err, sizeof(err)) == -1);
	CHECK(render("{{items.x}}", 0, TMPL_TEXT, &b, err, sizeof(err)) == -1);
	CHECK(render("{{items.01}}", 0, TMPL_TEXT, &b, err, sizeof(err)) == -1);
	CHECK(render("{{name.x}}", 0, TMPL_TEXT, &b, err, sizeof(err)) == -1);

	/* Null, empty and blank fail the row too, saying which and how to
	 * send them all the same; in every mode.  Empty arrays and objects,
	 * 0 and false are values. */
	rowp = hollow;
	TEXT("[{{nb}}] {{ea}} {{eo}} {{zero}} {{f}}", "[ x ] [] {} 0 false");
	CHECK(render("a {{z}} b", 0, TMPL_TEXT, &b, err, sizeof(err)) == -1);
	CHECK(strcmp(err, "field \"z\" is null: not sent (--allow-empty "
	    "sends it)") == 0);
	CHECK(render("{{e}}", 0, TMPL_JSON, &b, err, sizeof(err)) == -1);
	CHECK(strcmp(err, "field \"e\" is empty: not sent (--allow-empty "
	    "sends it)") == 0);
	CHECK(render("x{{sp}}", 0, TMPL_TEXT, &b, err, sizeof(err)) == -1);
	CHECK(strstr(err, "\"sp\" is blank") != NULL);
	CHECK(render("{\"v\": {{z}}}", TMPL_BODY, TMPL_VALUES, &b, err,
	    sizeof(err)) == -1);
	CHECK(render("{\"v\": \"{{e}}\"}", TMPL_BODY, TMPL_VALUES, &b, err,
	    sizeof(err)) == -1);
	/* TMPL_EMPTY renders them as they are. */
	CHECK(render("[{{z}}|{{e}}|{{sp}}]", TMPL_EMPTY, TMPL_TEXT, &b, err,
	    sizeof(err)) == 0);
	CHECK_BUF(b, "[null|| \t\n \xc2\xa0 ]");
	CHECK(render("{\"v\": {{z}}, \"w\": \"{{e}}\"}", TMPL_BODY |
	    TMPL_EMPTY, TMPL_VALUES, &b, err, sizeof(err)) == 0);
	CHECK_BUF(b, "{\"v\": null, \"w\": \"\"}");
	rowp = row;

	/* Malformed templates are refused when compiled. */
	CHECK(render("x {{name", 0, TMPL_TEXT, &b, err, sizeof(err)) == -2);
	CHECK(strstr(err, "unclosed") != NULL);
	CHECK(render("{{", 0, TMPL_TEXT, &b, err, sizeof(err)) == -2);
	CHECK(render("{{}}", 0, TMPL_TEXT, &b, err, sizeof(err)) == -2);
	CHECK(render("{{a..b}}", 0, TMPL_TEXT, &b, err, sizeof(err)) == -2);
	CHECK(render("{{.a}}", 0, TMPL_TEXT, &b, err, sizeof(err)) == -2);
	CHECK(render("{{a.}}", 0, TMPL_TEXT, &b, err, sizeof(err)) == -2);

	{
		struct tmpl *t = tmpl_compile("x", 1, 0, err, sizeof(err));

		CHECK(t != NULL && !tmpl_has_fields(t));
		tmpl_free(t);
		t = tmpl_compile("{{x}}", 5, 0, err, sizeof(err));
		CHECK(t != NULL && tmpl_has_fields(t));
		tmpl_free(t);
		tmpl_free(NULL);
	}
	buf_free(&b);
	return check_done("test_template");
}
