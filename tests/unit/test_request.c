#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "request.h"

static struct tmpl *
tmpl(const char *s)
{
	char	 err[128];

	return tmpl_compile(s, strlen(s), TMPL_ESCAPES, err, sizeof(err));
}

static void
test_body(void)
{
	struct json	*j = json_new();
	struct tmpl	*user = tmpl("Q: {{q}}"), *sys = tmpl("Be {{tone}}.");
	struct request	*r;
	struct buf	 b = { 0 };
	char		*params[] = { "temperature=0", "max_tokens=5",
			    "response_format={ \"type\" : \"json_object\" }",
			    "temperature=0.5" };
	char		*bad[] = { "model=\"x\"" }, *bad2[] = { "x=nope" },
			*bad3[] = { "noequals" }, *bad4[] = { "=1" };
	const char	*row = "{\"q\":\"why \\\"so\\\"?\\n\",\"tone\":\"br\xc3\xa9" "f\"}";
	char		 err[256];

	CHECK(json_parse(j, row, strlen(row), err, sizeof(err)) == 0);
	r = request_new("m\"1", NULL, user, NULL, 0, err, sizeof(err));
	CHECK(r != NULL);
	CHECK(request_body(r, j, &b, err, sizeof(err)) == 0);
	CHECK_BUF(b, "{\"model\":\"m\\\"1\",\"messages\":[{\"role\":\"user\","
	    "\"content\":\"Q: why \\\"so\\\"?\\n\"}]}");
	request_free(r);

	buf_reset(&b);
	r = request_new("gpt", sys, user, params, 4, err, sizeof(err));
	CHECK(r != NULL);
	CHECK(request_body(r, j, &b, err, sizeof(err)) == 0);
	/* A key given twice: the last wins, once. */
	CHECK_BUF(b, "{\"model\":\"gpt\",\"messages\":[{\"role\":\"system\","
	    "\"content\":\"Be br\xc3\xa9" "f.\"},{\"role\":\"user\",\"content\":"
	    "\"Q: why \\\"so\\\"?\\n\"}],\"max_tokens\":5,\"response_format\":"
	    "{\"type\":\"json_object\"},\"temperature\":0.5}");
	CHECK(json_validate(b.data, b.len, err, sizeof(err)) == 0);
	request_free(r);

	CHECK(request_new("m", NULL, user, bad, 1, err, sizeof(err)) == NULL);
	CHECK(strstr(err, "-m") != NULL);
	CHECK(request_new("m", NULL, user, bad2, 1, err, sizeof(err)) == NULL);
	CHECK(strstr(err, "-P x") != NULL);
	CHECK(request_new("m", NULL, user, bad3, 1, err, sizeof(err)) == NULL);
	CHECK(request_new("m", NULL, user, bad4, 1, err, sizeof(err)) == NULL);

	/* A template that does not fit the row fails the body. */
	CHECK(json_parse(j, "{\"x\":1}", 7, err, sizeof(err)) == 0);
	r = request_new("m", sys, user, NULL, 0, err, sizeof(err));
	buf_reset(&b);
	CHECK(request_body(r, j, &b, err, sizeof(err)) == -1);
	CHECK(strstr(err, "tone") != NULL);
	request_free(r);
	request_free(NULL);
	tmpl_free(user);
	tmpl_free(sys);
	buf_free(&b);
	json_free(j);
}

/* --extract takes a path, and only a path. */
static void
test_extract(void)
{
	struct tmpl	*user = tmpl("{{q}}");
	struct request	*r;
	char		 err[256];

	r = request_new("m", NULL, user, NULL, 0, err, sizeof(err));
	CHECK(request_extract(r, "data.0.embedding", err, sizeof(err)) == 0);
	request_free(r);
	r = request_new("m", NULL, user, NULL, 0, err, sizeof(err));
	CHECK(request_extract(r, "a..b", err, sizeof(err)) == -1);
	CHECK(strstr(err, "--extract a..b") != NULL);
	CHECK(request_extract(r, "x}}{{y", err, sizeof(err)) == -1);
	request_free(r);
	tmpl_free(user);
}

static void
test_body_template(void)
{
	struct json	*j = json_new();
	struct tmpl	*t;
	struct request	*r;
	struct buf	 b = { 0 };
	char		 err[256];
	const char	*row = "{\"text\":\"say \\\"hi\\\"\",\"n\":3,"
			    "\"tags\":[\"a\", \"b\"],\"o\":{\"k\":1}}";
	const char	*src = "{\"model\":\"emb\",\"input\": {{text}}, "
			    "\"n\":{{n}},\"tags\":{{tags}},\"o\":{{o}},"
			    "\"p\":\"Q: {{text}} / {{n}} / {{o}}\"}";

	CHECK(json_parse(j, row, strlen(row), err, sizeof(err)) == 0);
	t = tmpl_compile(src, strlen(src), TMPL_BODY, err, sizeof(err));
	CHECK(t != NULL);
	r = request_new_body(t, err, sizeof(err));
	CHECK(request_body(r, j, &b, err, sizeof(err)) == 0);
	/* As values: JSON; inside a string: text, escaped. */
	CHECK_BUF(b, "{\"model\":\"emb\",\"input\": \"say \\\"hi\\\"\", "
	    "\"n\":3,\"tags\":[\"a\",\"b\"],\"o\":{\"k\":1},"
	    "\"p\":\"Q: say \\\"hi\\\" / 3 / {\\\"k\\\":1}\"}");
	CHECK(json_validate(b.data, b.len, err, sizeof(err)) == 0);
	CHECK(request_overhead(r) == 0);
	request_free(r);
	tmpl_free(t);
	/* Malformed JSON, or not an object, is refused when compiled. */
	CHECK(tmpl_compile("{\"a\": {{x}}", 12, TMPL_BODY, err,
	    sizeof(err)) == NULL);
	CHECK(strstr(err, "JSON") != NULL);
	CHECK(tmpl_compile("[{{x}}]", 7, TMPL_BODY, err, sizeof(err)) == NULL);
	CHECK(tmpl_compile("{\"a\": \"{{x}}\" {{y}}}", 18, TMPL_BODY, err,
	    sizeof(err)) == NULL);
	buf_free(&b);
	json_free(j);
}

static void
test_budget(void)
{
	struct tmpl	*user = tmpl("{{q}}");
	struct request	*r;
	char		*p1[] = { "max_tokens=50" },
			*p2[] = { "max_completion_tokens=7", "temperature=0" };
	char		 err[256];

	r = request_new("m", NULL, user, NULL, 0, err, sizeof(err));
	CHECK(request_budget(r) == 0);
	/* {"model":"m","messages":[{"role":"user","content":"  "}]} */
	CHECK(request_overhead(r) == 55);
	request_free(r);
	r = request_new("m", NULL, user, p1, 1, err, sizeof(err));
	CHECK(request_budget(r) == 50);
	request_free(r);
	r = request_new("m", NULL, user, p2, 2, err, sizeof(err));
	CHECK(request_budget(r) == 7);
	request_free(r);
	tmpl_free(user);
}

static void
test_ask(void)
{
	struct json		*j = json_new();
	struct tmpl		*user = tmpl("{{q}}"), *sys = tmpl("Be {{t}}.");
	struct request		*r;
	struct request_ask	 ask = { "Pick \"a\" or b.",
				    "{ \"type\": \"json_schema\" }", 1 };
	struct buf		 b = { 0 };
	char			*params[] = { "temperature=0" },
				*fmt[] = { "response_format={}" },
				*lp[] = { "logprobs=false" };
	char			 err[256];

	CHECK(json_parse(j, "{\"q\":\"x\",\"t\":\"y\"}", 17, err,
	    sizeof(err)) == 0);
	/* After the system message's own words. */
	r = request_new("m", sys, user, params, 1, err, sizeof(err));
	CHECK(request_ask(r, &ask, err, sizeof(err)) == 0);
	CHECK(request_body(r, j, &b, err, sizeof(err)) == 0);
	CHECK_BUF(b, "{\"model\":\"m\",\"messages\":[{\"role\":\"system\","
	    "\"content\":\"Be y.\\n\\nPick \\\"a\\\" or b.\"},{\"role\":"
	    "\"user\",\"content\":\"x\"}],\"temperature\":0,"
	    "\"response_format\":{\"type\":\"json_schema\"},"
	    "\"logprobs\":true}");
	CHECK(json_validate(b.data, b.len, err, sizeof(err)) == 0);
	request_free(r);

	/* Without one, a system message of its own. */
	r = request_new("m", NULL, user, NULL, 0, err, sizeof(err));
	ask.format = NULL;
	ask.logprobs = 0;
	CHECK(request_ask(r, &ask, err, sizeof(err)) == 0);
	buf_reset(&b);
	CHECK(request_body(r, j, &b, err, sizeof(err)) == 0);
	CHECK_BUF(b, "{\"model\":\"m\",\"messages\":[{\"role\":\"system\","
	    "\"content\":\"Pick \\\"a\\\" or b.\"},{\"role\":\"user\","
	    "\"content\":\"x\"}]}");
	request_free(r);

	/* -P may not say the same thing. */
	ask.format = "{}";
	r = request_new("m", NULL, user, fmt, 1, err, sizeof(err));
	CHECK(request_ask(r, &ask, err, sizeof(err)) == -1);
	CHECK(strcmp(err, "-P response_format: set by --schema") == 0);
	request_free(r);
	ask.format = NULL;
	ask.logprobs = 1;
	r = request_new("m", NULL, user, lp, 1, err, sizeof(err));
	CHECK(request_ask(r, &ask, err, sizeof(err)) == -1);
	CHECK(strcmp(err, "-P logprobs: set by --confidence") == 0);
	request_free(r);
	r = request_new_body(user, err, sizeof(err));
	CHECK(request_ask(r, &ask, err, sizeof(err)) == -1);
	request_free(r);

	buf_free(&b);
	tmpl_free(user);
	tmpl_free(sys);
	json_free(j);
}

static void
test_reask(void)
{
	struct json	*j = json_new();
	struct tmpl	*user = tmpl("{{q}}");
	struct request	*r, *body;
	struct buf	 b = { 0 };
	const char	*text = "{\"model\":\"m\",\"messages\":[{\"role\":"
			    "\"user\",\"content\":\"q\"}],\"n\":[1]}";
	char		 err[64];

	r = request_new("m", NULL, user, NULL, 0, err, sizeof(err));
	body = request_new_body(user, err, sizeof(err));
	CHECK(r != NULL && body != NULL);
	CHECK(buf_adds(&b, text) == 0);
	CHECK(request_reask(r, j, &b, "\"EC 2\"", 6, "not \"one\" label") == 0);
	CHECK_BUF(b, "{\"model\":\"m\",\"messages\":[{\"role\":\"user\","
	    "\"content\":\"q\"},{\"role\":\"assistant\",\"content\":"
	    "\"EC 2\"},{\"role\":\"user\",\"content\":\"That answer is not "
	    "valid: not \\\"one\\\" label. Answer again, with the corrected "
	    "answer only.\"}],\"n\":[1]}");
	CHECK(json_validate(b.data, b.len, err, sizeof(err)) == 0);
	/* Again: the conversation goes on. */
	CHECK(request_reask(r, j, &b, "\"x\"", 3, "why") == 0);
	CHECK(json_validate(b.data, b.len, err, sizeof(err)) == 0);
	CHECK(strstr(b.data, "only.\"},{\"role\":\"assistant\",\"content\":"
	    "\"x\"},{\"role\":\"user\"") != NULL);
	/* No conversation, nothing to go on with. */
	buf_reset(&b);
	CHECK(buf_adds(&b, "{\"input\":\"q\"}") == 0);
	CHECK(request_reask(r, j, &b, "\"x\"", 3, "why") == 1);
	buf_reset(&b);
	CHECK(buf_adds(&b, "{\"messages\":[]}") == 0);
	CHECK(request_reask(r, j, &b, "\"x\"", 3, "why") == 1);
	/* --body: only a conversation can be asked again. */
	buf_reset(&b);
	CHECK(buf_adds(&b, text) == 0);
	CHECK(request_reask(body, j, &b, "\"x\"", 3, "why") == 1);
	request_free(r);
	request_free(body);
	tmpl_free(user);
	buf_free(&b);
	json_free(j);
}

int
main(void)
{
	test_body();
	test_extract();
	test_budget();
	test_body_template();
	test_ask();
	test_reask();
	return check_done("test_request");
}
