#include <math.h>
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

static struct request	*chat;
static struct buf	 scratch;

static int
answer(const char *resp, struct answer *a, char *err, size_t errlen)
{
	struct json	*j = json_new();
	int		 rv;

	rv = request_answer(chat, j, resp, strlen(resp), &scratch, a, err,
	    errlen);
	json_free(j);
	return rv;
}

static void
test_answer(void)
{
	struct tmpl	*user = tmpl("{{q}}");
	struct answer	 a;
	char		 err[256];
	const char	*ok = "{\"id\":\"x\",\"choices\":[{\"index\":0,\"message\":"
			    "{\"role\":\"assistant\",\"content\":\"Hi \\\"you\\\"\"}}],"
			    "\"usage\":{\"prompt_tokens\":12,\"completion_tokens\":3}}";

	chat = request_new("m", NULL, user, NULL, 0, err, sizeof(err));
	CHECK(answer(ok, &a, err, sizeof(err)) == 0);
	CHECK_MEM(a.value, a.len, "\"Hi \\\"you\\\"\"");
	CHECK(a.string);
	CHECK(a.prompt_tokens == 12 && a.completion_tokens == 3);
	CHECK(answer("{\"choices\":[{\"message\":{\"content\":\"\"}}]}", &a,
	    err, sizeof(err)) == 0);
	CHECK(a.len == 2 && a.prompt_tokens == -1);
	CHECK(answer("not json", &a, err, sizeof(err)) == -1);
	CHECK(strstr(err, "not JSON") != NULL);
	CHECK(answer("{\"object\":\"x\"}", &a, err, sizeof(err)) == -1);
	CHECK(strstr(err, "no choices") != NULL);
	CHECK(answer("{\"choices\":[]}", &a, err, sizeof(err)) == -1);
	/* A refusal, a filter, a cut: told apart from an unreadable answer. */
	CHECK(answer("{\"choices\":[{\"message\":{\"content\":null,"
	    "\"refusal\":\"I can\\u2019t\"}}]}", &a, err, sizeof(err)) ==
	    REQUEST_REFUSED);
	CHECK(strcmp(err, "I can\xe2\x80\x99t") == 0);
	CHECK(answer("{\"choices\":[{\"message\":{\"content\":null},"
	    "\"finish_reason\":\"content_filter\"}]}", &a, err, sizeof(err)) ==
	    REQUEST_REFUSED);
	CHECK(strstr(err, "content filter") != NULL);
	CHECK(answer("{\"choices\":[{\"message\":{\"content\":\"The ans\"},"
	    "\"finish_reason\":\"length\"}],\"usage\":{\"prompt_tokens\":5,"
	    "\"completion_tokens\":9}}", &a, err, sizeof(err)) ==
	    REQUEST_TRUNCATED);
	CHECK_MEM(a.value, a.len, "\"The ans\"");
	CHECK(a.completion_tokens == 9);
	CHECK(answer("{\"choices\":[{\"message\":{\"content\":null},"
	    "\"finish_reason\":\"length\"}]}", &a, err, sizeof(err)) ==
	    REQUEST_TRUNCATED);
	CHECK_MEM(a.value, a.len, "\"\"");
	/* An empty refusal and a normal stop: the answer as ever. */
	CHECK(answer("{\"choices\":[{\"message\":{\"content\":\"ok\","
	    "\"refusal\":null},\"finish_reason\":\"stop\"}]}", &a, err,
	    sizeof(err)) == 0);
	CHECK(answer("{\"choices\":[{\"message\":{\"content\":null,"
	    "\"refusal\":\"\"}}]}", &a, err, sizeof(err)) == -1);
	CHECK(strstr(err, "null") != NULL);
	CHECK(answer("{\"choices\":[{\"message\":{\"content\":[1]}}]}", &a,
	    err, sizeof(err)) == -1);
	CHECK(answer("{\"choices\":[{\"message\":{\"content\":\"x\"", &a, err,
	    sizeof(err)) == -1);
	CHECK(answer("", &a, err, sizeof(err)) == -1);

	/* --extract: any path; a value that is not a string, compacted. */
	CHECK(request_extract(chat, "data.0.embedding", err, sizeof(err)) ==
	    0);
	CHECK(answer("{\"data\":[{\"embedding\":[ 0.5,\n -1 ]}],"
	    "\"usage\":{\"prompt_tokens\":4}}", &a, err, sizeof(err)) == 0);
	CHECK_MEM(a.value, a.len, "[0.5,-1]");
	CHECK(!a.string && a.prompt_tokens == 4 && a.completion_tokens == -1);
	CHECK(answer("{\"data\":[]}", &a, err, sizeof(err)) == -1);
	CHECK(strstr(err, "--extract") != NULL);
	CHECK(answer("{\"data\":[{\"embedding\":null}]}", &a, err,
	    sizeof(err)) == -1);
	request_free(chat);
	chat = request_new("m", NULL, user, NULL, 0, err, sizeof(err));
	CHECK(request_extract(chat, "a..b", err, sizeof(err)) == -1);
	CHECK(request_extract(chat, "x}}{{y", err, sizeof(err)) == -1);
	request_free(chat);
	tmpl_free(user);
	buf_free(&scratch);
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
test_error(void)
{
	struct json	*j = json_new();
	struct buf	 m = { 0 }, c = { 0 };
	char		*big;
	const char	*s;

	s = "{\"error\":{\"message\":\"Bad \\\"param\\\"\",\"type\":\"x\"}}";
	CHECK(request_error(j, s, strlen(s), &m, &c) == 0);
	CHECK_BUF(m, "Bad \"param\"");
	CHECK_BUF(c, "x");
	s = "{\"error\":{\"message\":\"m\",\"type\":\"t\","
	    "\"code\":\"insufficient_quota\"}}";
	CHECK(request_error(j, s, strlen(s), &m, &c) == 0);
	CHECK_BUF(c, "insufficient_quota");
	s = "{\"error\":{\"message\":\"m\",\"code\":null,\"type\":\"t\"}}";
	CHECK(request_error(j, s, strlen(s), &m, &c) == 0);
	CHECK_BUF(c, "t");
	s = "{\"error\":\"plain string\"}";
	CHECK(request_error(j, s, strlen(s), &m, &c) == 0);
	CHECK_BUF(m, "plain string");
	CHECK(c.len == 0);
	s = "<html>\r\n502 Bad Gateway\n</html>\n";
	CHECK(request_error(j, s, strlen(s), &m, &c) == 0);
	CHECK_BUF(m, "<html>  502 Bad Gateway </html>");
	s = "{\"error\":{\"code\":\"429\"}}";
	CHECK(request_error(j, s, strlen(s), &m, &c) == 0);
	CHECK_BUF(m, s);
	CHECK(request_error(j, "", 0, &m, &c) == 0);
	CHECK(m.len == 0);
	big = malloc(5000);
	memset(big, 'e', 5000);
	CHECK(request_error(j, big, 5000, &m, &c) == 0);
	CHECK(m.len == 500);
	free(big);
	buf_free(&m);
	buf_free(&c);
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
	struct buf	 b = { 0 };
	const char	*body = "{\"model\":\"m\",\"messages\":[{\"role\":"
			    "\"user\",\"content\":\"q\"}],\"n\":[1]}";
	char		 err[64];

	CHECK(buf_adds(&b, body) == 0);
	CHECK(request_reask(j, &b, "\"EC 2\"", 6, "not \"one\" label") == 0);
	CHECK_BUF(b, "{\"model\":\"m\",\"messages\":[{\"role\":\"user\","
	    "\"content\":\"q\"},{\"role\":\"assistant\",\"content\":"
	    "\"EC 2\"},{\"role\":\"user\",\"content\":\"That answer is not "
	    "valid: not \\\"one\\\" label. Answer again, with the corrected "
	    "answer only.\"}],\"n\":[1]}");
	CHECK(json_validate(b.data, b.len, err, sizeof(err)) == 0);
	/* Again: the conversation goes on. */
	CHECK(request_reask(j, &b, "\"x\"", 3, "why") == 0);
	CHECK(json_validate(b.data, b.len, err, sizeof(err)) == 0);
	CHECK(strstr(b.data, "only.\"},{\"role\":\"assistant\",\"content\":"
	    "\"x\"},{\"role\":\"user\"") != NULL);
	/* No conversation, nothing to go on with. */
	buf_reset(&b);
	CHECK(buf_adds(&b, "{\"input\":\"q\"}") == 0);
	CHECK(request_reask(j, &b, "\"x\"", 3, "why") == 1);
	buf_reset(&b);
	CHECK(buf_adds(&b, "{\"messages\":[]}") == 0);
	CHECK(request_reask(j, &b, "\"x\"", 3, "why") == 1);
	buf_free(&b);
	json_free(j);
}

/* A response whose content is the tokens, with these logprobs. */
static void
confidence_of(struct json *j, const char *resp, size_t start, size_t end,
    int want, double p)
{
	struct buf	 tok = { 0 };
	char		 err[64];
	double		 got = -1;

	CHECK(json_parse(j, resp, strlen(resp), err, sizeof(err)) == 0);
	CHECK(request_confidence(j, start, end, &tok, &got) == want);
	if (want == 0 && (got < p - 1e-9 || got > p + 1e-9)) {
		fprintf(stderr, "confidence %.9f, want %.9f\n", got, p);
		CHECK(0);
	}
	buf_free(&tok);
}

static void
test_confidence(void)
{
	struct json	*j = json_new();
	const char	*r1 = "{\"choices\":[{\"message\":{\"content\":"
			    "\" EC2.\"},\"logprobs\":{\"content\":["
			    "{\"token\":\" \",\"logprob\":-0.5,\"bytes\":[32]},"
			    "{\"token\":\"EC\",\"logprob\":-0.25,"
			    "\"top_logprobs\":[{\"token\":\"EC\",\"logprob\":-0.25}]},"
			    "{\"token\":\"2\",\"logprob\":-1e-3},"
			    "{\"token\":\".\",\"logprob\":-2}]}}]}";
	const char	*r2 = "{\"choices\":[{\"message\":{\"content\":"
			    "\"\\u00e9t\\u00e9\"},\"logprobs\":{\"content\":["
			    "{\"token\":\"\\u00e9\",\"logprob\":-0.1},"
			    "{\"token\":\"bytes:\\\\xc3\",\"logprob\":-0.2,"
			    "\"bytes\":[195]},{\"token\":\"x\",\"logprob\":-0.3,"
			    "\"bytes\":[169]}]}}]}";

	/* The whole answer, and the label alone: EC2 is bytes 1 to 4. */
	confidence_of(j, r1, 0, (size_t)-1, 0, exp(-2.751));
	confidence_of(j, r1, 1, 4, 0, exp(-0.251));
	confidence_of(j, r1, 2, 3, 0, exp(-0.25));
	/* Bytes, where a token splits a character. */
	confidence_of(j, r2, 2, 4, 0, exp(-0.5));
	/* None given, or unusable. */
	confidence_of(j, "{\"choices\":[{\"message\":{\"content\":\"x\"},"
	    "\"logprobs\":null}]}", 0, 1, -1, 0);
	confidence_of(j, "{\"choices\":[{\"logprobs\":{\"content\":[]}}]}",
	    0, 1, -1, 0);
	confidence_of(j, "{\"choices\":[{\"logprobs\":{\"content\":["
	    "{\"token\":\"x\",\"logprob\":\"high\"}]}}]}", 0, 1, -1, 0);
	confidence_of(j, "{\"choices\":[{\"logprobs\":{\"content\":["
	    "{\"token\":\"x\",\"logprob\":-1e999}]}}]}", 0, 1, -1, 0);
	/* A positive logprob is no more than certainty. */
	confidence_of(j, "{\"choices\":[{\"logprobs\":{\"content\":["
	    "{\"token\":\"x\",\"logprob\":3}]}}]}", 0, 1, 0, 1.0);
	json_free(j);
}

int
main(void)
{
	test_body();
	test_answer();
	test_error();
	test_budget();
	test_body_template();
	test_ask();
	test_reask();
	test_confidence();
	return check_done("test_request");
}
