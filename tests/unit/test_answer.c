#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "answer.h"
#include "check.h"
#include "request.h"

static struct tmpl *
tmpl(const char *s)
{
	char	 err[128];

	return tmpl_compile(s, strlen(s), TMPL_ESCAPES, err, sizeof(err));
}

static struct request	*chat;
static struct buf	 scratch;

static int
answer(const char *resp, struct answer *a, char *err, size_t errlen)
{
	struct json	*j = json_new();
	int		 rv;

	rv = answer_read(chat, j, resp, strlen(resp), &scratch, a, err,
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
	    ANSWER_REFUSED);
	CHECK(strcmp(err, "I can\xe2\x80\x99t") == 0);
	CHECK(answer("{\"choices\":[{\"message\":{\"content\":null},"
	    "\"finish_reason\":\"content_filter\"}]}", &a, err, sizeof(err)) ==
	    ANSWER_REFUSED);
	CHECK(strstr(err, "content filter") != NULL);
	CHECK(answer("{\"choices\":[{\"message\":{\"content\":\"The ans\"},"
	    "\"finish_reason\":\"length\"}],\"usage\":{\"prompt_tokens\":5,"
	    "\"completion_tokens\":9}}", &a, err, sizeof(err)) ==
	    ANSWER_TRUNCATED);
	CHECK_MEM(a.value, a.len, "\"The ans\"");
	CHECK(a.completion_tokens == 9);
	CHECK(answer("{\"choices\":[{\"message\":{\"content\":null},"
	    "\"finish_reason\":\"length\"}]}", &a, err, sizeof(err)) ==
	    ANSWER_TRUNCATED);
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
	tmpl_free(user);
	buf_free(&scratch);
}

static void
test_error(void)
{
	struct json	*j = json_new();
	struct buf	 m = { 0 }, c = { 0 };
	char		*big;
	const char	*s;

	s = "{\"error\":{\"message\":\"Bad \\\"param\\\"\",\"type\":\"x\"}}";
	CHECK(answer_error(j, s, strlen(s), &m, &c) == 0);
	CHECK_BUF(m, "Bad \"param\"");
	CHECK_BUF(c, "x");
	s = "{\"error\":{\"message\":\"m\",\"type\":\"t\","
	    "\"code\":\"insufficient_quota\"}}";
	CHECK(answer_error(j, s, strlen(s), &m, &c) == 0);
	CHECK_BUF(c, "insufficient_quota");
	s = "{\"error\":{\"message\":\"m\",\"code\":null,\"type\":\"t\"}}";
	CHECK(answer_error(j, s, strlen(s), &m, &c) == 0);
	CHECK_BUF(c, "t");
	s = "{\"error\":\"plain string\"}";
	CHECK(answer_error(j, s, strlen(s), &m, &c) == 0);
	CHECK_BUF(m, "plain string");
	CHECK(c.len == 0);
	s = "<html>\r\n502 Bad Gateway\n</html>\n";
	CHECK(answer_error(j, s, strlen(s), &m, &c) == 0);
	CHECK_BUF(m, "<html>  502 Bad Gateway </html>");
	s = "{\"error\":{\"code\":\"429\"}}";
	CHECK(answer_error(j, s, strlen(s), &m, &c) == 0);
	CHECK_BUF(m, s);
	CHECK(answer_error(j, "", 0, &m, &c) == 0);
	CHECK(m.len == 0);
	big = malloc(5000);
	memset(big, 'e', 5000);
	CHECK(answer_error(j, big, 5000, &m, &c) == 0);
	CHECK(m.len == 500);
	free(big);
	buf_free(&m);
	buf_free(&c);
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
	CHECK(answer_confidence(chat, j, start, end, &tok, &got) == want);
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
	struct tmpl	*user = tmpl("{{text}}");
	char		 e[128];

	chat = request_new("m", NULL, user, NULL, 0, e, sizeof(e));
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
			    "{\"token\":\"t\",\"logprob\":-0.05},"
			    "{\"token\":\"bytes:\\\\xc3\",\"logprob\":-0.2,"
			    "\"bytes\":[195]},{\"token\":\"x\",\"logprob\":-0.3,"
			    "\"bytes\":[169]}]}}]}";

	/* The whole answer, and the label alone: EC2 is bytes 1 to 4. */
	confidence_of(j, r1, 0, (size_t)-1, 0, exp(-2.751));
	confidence_of(j, r1, 1, 4, 0, exp(-0.251));
	/* A span that cuts a token: the token does not spell it. */
	confidence_of(j, r1, 2, 3, -1, 0);
	/* Bytes, where a token splits a character. */
	confidence_of(j, r2, 3, 5, 0, exp(-0.5));
	confidence_of(j, r2, 0, (size_t)-1, 0, exp(-0.65));
	/* Tokens that spell another answer (the audit's D10: "S3" with
	 * the logprobs of "EC2") give no confidence; what a label is
	 * forgiven, they are: case, quotes, white space, a final period. */
	confidence_of(j, "{\"choices\":[{\"message\":{\"content\":"
	    "\"S3\"},\"logprobs\":{\"content\":[{\"token\":\"EC2\","
	    "\"logprob\":-0.01}]}}]}", 0, (size_t)-1, -1, 0);
	confidence_of(j, "{\"choices\":[{\"message\":{\"content\":"
	    "\"S3\"},\"logprobs\":{\"content\":[{\"token\":\"S\","
	    "\"logprob\":-0.01},{\"token\":\"3x\",\"logprob\":-0.01}]}}]}",
	    0, (size_t)-1, -1, 0);
	confidence_of(j, "{\"choices\":[{\"message\":{\"content\":"
	    "\"'S3.'\"},\"logprobs\":{\"content\":[{\"token\":\"'s\","
	    "\"logprob\":-0.25},{\"token\":\"3.'\",\"logprob\":-0.5}]}}]}",
	    1, 3, 0, exp(-0.75));
	/* The tokens must reach the end of the span. */
	confidence_of(j, "{\"choices\":[{\"message\":{\"content\":"
	    "\"S3\"},\"logprobs\":{\"content\":[{\"token\":\"S\","
	    "\"logprob\":-0.01}]}}]}", 0, (size_t)-1, -1, 0);
	/* None given, or unusable. */
	confidence_of(j, "{\"choices\":[{\"message\":{\"content\":\"x\"},"
	    "\"logprobs\":null}]}", 0, 1, -1, 0);
	confidence_of(j, "{\"choices\":[{\"logprobs\":{\"content\":[]}}]}",
	    0, 1, -1, 0);
	confidence_of(j, "{\"choices\":[{\"message\":{\"content\":\"x\"},"
	    "\"logprobs\":{\"content\":["
	    "{\"token\":\"x\",\"logprob\":\"high\"}]}}]}", 0, 1, -1, 0);
	confidence_of(j, "{\"choices\":[{\"message\":{\"content\":\"x\"},"
	    "\"logprobs\":{\"content\":["
	    "{\"token\":\"x\",\"logprob\":-1e999}]}}]}", 0, 1, -1, 0);
	/* A positive logprob is no more than certainty. */
	confidence_of(j, "{\"choices\":[{\"message\":{\"content\":\"x\"},"
	    "\"logprobs\":{\"content\":["
	    "{\"token\":\"x\",\"logprob\":3}]}}]}", 0, 1, 0, 1.0);
	request_free(chat);
	/* A provider without logprobs has no confidence, whatever the
	 * response holds. */
	chat = request_make(&(struct request_config){ provider_find(
	    "anthropic")->shape, "m", NULL, user, NULL, 0 }, e, sizeof(e));
	CHECK(chat != NULL);
	confidence_of(j, "{\"choices\":[{\"message\":{\"content\":\"x\"},"
	    "\"logprobs\":{\"content\":["
	    "{\"token\":\"x\",\"logprob\":-1}]}}]}", 0, 1, -1, 0);
	request_free(chat);
	tmpl_free(user);
	json_free(j);
}

int
main(void)
{
	test_answer();
	test_error();
	test_confidence();
	return check_done("test_answer");
}
