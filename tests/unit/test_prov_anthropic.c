#include <stdlib.h>
#include <string.h>

#include "answer.h"
#include "batchfile.h"
#include "check.h"
#include "pool.h"
#include "prov_anthropic.h"
#include "request.h"

static struct tmpl *
tmpl(const char *s)
{
	char	 err[128];

	return tmpl_compile(s, strlen(s), TMPL_ESCAPES, err, sizeof(err));
}

/* A body of the shape for this ask, with these messages (system NULL:
 * none). */
static void
body_of(const struct provider_ask *ask, const char *sys, const char *user,
    struct buf *b)
{
	struct provider_prompt	 p = { sys, sys != NULL ? strlen(sys) : 0,
				    user, strlen(user), NULL, 0 };
	char			 err[256];
	void			*m;

	buf_reset(b);
	m = anthropic_shape.shape_new(ask, err, sizeof(err));
	CHECK(m != NULL);
	CHECK(anthropic_shape.body(m, &p, b) == 0);
	anthropic_shape.shape_free(m);
}

static void
test_shape(void)
{
	struct provider_ask	 ask = { "c\"1", ",\"temperature\":0", 16, 1,
				    1024, NULL, NULL, 0 };
	struct provider_part	 parts[2] = {
		{ PROVIDER_IMAGE, "image/png", "iVBO", 4, NULL, NULL },
		{ PROVIDER_DOCUMENT, NULL, NULL, 0, "https://x/a.pdf", "a.pdf" }
	};
	struct provider_prompt	 p = { NULL, 0, "U", 1, parts, 2 };
	struct buf		 b = { 0 };
	char			 err[256];
	void			*m;

	body_of(&ask, "S", "U", &b);
	CHECK_BUF(b, "{\"model\":\"c\\\"1\",\"system\":[{\"type\":\"text\","
	    "\"text\":\"S\"}],\"messages\":[{\"role\":\"user\",\"content\":"
	    "\"U\"}],\"max_tokens\":1024,\"temperature\":0}");
	/* No system, max_tokens from -P: neither added. */
	ask = (struct provider_ask){ "c", "", 0, 0, 0, NULL, NULL, 1 };
	body_of(&ask, NULL, "U", &b);
	CHECK_BUF(b, "{\"model\":\"c\",\"messages\":[{\"role\":\"user\","
	    "\"content\":\"U\"}]}");
	/* Attachments: blocks after the text, by base64 or URL. */
	m = anthropic_shape.shape_new(&ask, err, sizeof(err));
	buf_reset(&b);
	CHECK(anthropic_shape.body(m, &p, &b) == 0);
	CHECK_BUF(b, "{\"model\":\"c\",\"messages\":[{\"role\":\"user\","
	    "\"content\":[{\"type\":\"text\",\"text\":\"U\"},{\"type\":"
	    "\"image\",\"source\":{\"type\":\"base64\",\"media_type\":"
	    "\"image/png\",\"data\":\"iVBO\"}},{\"type\":\"document\","
	    "\"source\":{\"type\":\"url\",\"url\":\"https://x/a.pdf\"},"
	    "\"title\":\"a.pdf\"}]}]}");
	CHECK(json_validate(b.data, b.len, err, sizeof(err)) == 0);
	anthropic_shape.shape_free(m);
	buf_free(&b);

	CHECK(!anthropic_cacheable(4095));
	CHECK(anthropic_cacheable(4096));
}

/* A request of the Messages shape. */
static struct request *
messages(const char *model, const struct tmpl *sys, const struct tmpl *user,
    char *const *params, size_t n, char *err, size_t errlen)
{
	struct request_config	 c = { &anthropic_shape, model, sys, user,
				    params, n };

	return request_make(&c, err, errlen);
}

/* The request made for the Messages API, row by row. */
static void
test_request(void)
{
	struct json		*j = json_new();
	struct tmpl		*user = tmpl("Q: {{q}}"), *sys = tmpl("{{s}}");
	struct request		*r;
	struct buf		 b = { 0 }, row = { 0 };
	char			*params[] = { "max_tokens=9", "top_k=3" };
	char			*bad[] = { "max_completion_tokens=5" };
	char			 err[256];
	size_t			 k;
	struct request_ask	 ask = { "One of: A, B.",
				    "{\"type\":\"json_schema\",\"json_schema\":"
				    "{\"name\":\"s\",\"schema\":{\"type\":"
				    "\"object\"}}}", 1 };

	CHECK(json_parse(j, "{\"q\":\"a\\\"b\",\"s\":\"Be.\"}", 22, err,
	    sizeof(err)) == 0);
	r = messages("c", sys, user, params, 2, err, sizeof(err));
	CHECK(r != NULL);
	CHECK(request_budget(r) == 9);
	CHECK(request_body(r, j, &b, err, sizeof(err)) == 0);
	CHECK_BUF(b, "{\"model\":\"c\",\"system\":[{\"type\":\"text\",\"text\":"
	    "\"Be.\"}],\"messages\":[{\"role\":\"user\",\"content\":\"Q: a\\\"b"
	    "\"}],\"max_tokens\":9,\"top_k\":3}");
	CHECK(request_cached_bytes(r, b.data, b.len) == 0);
	CHECK(b.len - request_overhead(r) == 10);

	/* A long system prompt in this row: the cache is asked for. */
	buf_adds(&row, "{\"q\":\"x\",\"s\":\"");
	for (k = 0; k < 5000; k++)
		buf_addc(&row, 'y');
	buf_adds(&row, "\"}");
	CHECK(json_parse(j, row.data, row.len, err, sizeof(err)) == 0);
	buf_reset(&b);
	CHECK(request_body(r, j, &b, err, sizeof(err)) == 0);
	CHECK(json_validate(b.data, b.len, err, sizeof(err)) == 0);
	CHECK(strstr(b.data, "yy\",\"cache_control\":{\"type\":\"ephemeral\"}}]"
	    ",\"messages\"") != NULL);
	CHECK(request_cached_bytes(r, b.data, b.len) == 5000);
	request_free(r);

	/* --labels, --schema, --confidence: in the Messages API's way. */
	r = messages("c", NULL, user, NULL, 0, err, sizeof(err));
	CHECK(request_ask(r, &ask, err, sizeof(err)) == 0);
	CHECK(json_parse(j, "{\"q\":\"x\"}", 9, err, sizeof(err)) == 0);
	buf_reset(&b);
	CHECK(request_body(r, j, &b, err, sizeof(err)) == 0);
	CHECK_BUF(b, "{\"model\":\"c\",\"system\":[{\"type\":\"text\",\"text\":"
	    "\"One of: A, B.\"}],\"messages\":[{\"role\":\"user\",\"content\":"
	    "\"Q: x\"}],\"max_tokens\":1024,\"tools\":[{\"name\":\"answer\","
	    "\"description\":\"Give your answer as this tool's input.\","
	    "\"input_schema\":{\"type\":\"object\"}}],\"tool_choice\":"
	    "{\"type\":\"tool\",\"name\":\"answer\"}}");
	request_free(r);

	/* The default budget, when -P does not say. */
	r = messages("c", NULL, user, NULL, 0, err, sizeof(err));
	CHECK(r != NULL && request_budget(r) == 1024);
	request_free(r);
	CHECK(messages("c", NULL, user, bad, 1, err, sizeof(err)) == NULL);
	CHECK(strstr(err, "max_tokens") != NULL);

	buf_free(&b);
	buf_free(&row);
	json_free(j);
	tmpl_free(user);
	tmpl_free(sys);
}

/* answer_read over a Messages response. */
static int
answer(const char *resp, struct answer *a, char *err, size_t errlen)
{
	static struct request	*r;
	static struct json	*j;
	static struct buf	 scratch;
	static struct tmpl	*user;

	if (r == NULL) {
		user = tmpl("x");
		j = json_new();
		r = messages("c", NULL, user, NULL, 0, err, errlen);
	}
	memset(a, 0, sizeof(*a));
	return answer_read(r, j, resp, strlen(resp), &scratch, a, err,
	    errlen);
}

static void
test_answer(void)
{
	struct answer	 a;
	char		 err[256];

	CHECK(answer("{\"content\":[{\"type\":\"text\",\"text\":\"hi\\n\"}],"
	    "\"stop_reason\":\"end_turn\",\"usage\":{\"input_tokens\":10,"
	    "\"output_tokens\":3}}", &a, err, sizeof(err)) == 0);
	CHECK_MEM(a.value, a.len, "\"hi\\n\"");
	CHECK(a.string && a.prompt_tokens == 10 && a.completion_tokens == 3);
	CHECK(a.cached_tokens == -1 && a.cache_write_tokens == -1);

	/* Text blocks joined, others left out; the cache in the prompt. */
	CHECK(answer("{\"content\":[{\"type\":\"text\",\"text\":\"a\\\"\"},"
	    "{\"type\":\"tool_use\",\"id\":\"t\",\"input\":{\"text\":\"no\"}},"
	    "{\"type\":\"text\",\"text\":\"b\"}],\"stop_reason\":\"end_turn\","
	    "\"usage\":{\"input_tokens\":5,\"cache_read_input_tokens\":100,"
	    "\"cache_creation_input_tokens\":20,\"output_tokens\":2}}", &a,
	    err, sizeof(err)) == 0);
	CHECK_MEM(a.value, a.len, "\"a\\\"b\"");
	CHECK(a.prompt_tokens == 125 && a.cached_tokens == 100 &&
	    a.cache_write_tokens == 20);

	CHECK(answer("{\"content\":[{\"type\":\"text\",\"text\":\"The an\"}],"
	    "\"stop_reason\":\"max_tokens\"}", &a, err, sizeof(err)) ==
	    ANSWER_TRUNCATED);
	CHECK_MEM(a.value, a.len, "\"The an\"");
	CHECK(strstr(err, "stop_reason max_tokens") != NULL);
	CHECK(answer("{\"content\":[],\"stop_reason\":\"max_tokens\"}", &a,
	    err, sizeof(err)) == ANSWER_TRUNCATED);
	CHECK_MEM(a.value, a.len, "\"\"");

	CHECK(answer("{\"content\":[{\"type\":\"text\",\"text\":\"I can't\"}],"
	    "\"stop_reason\":\"refusal\"}", &a, err, sizeof(err)) ==
	    ANSWER_REFUSED);
	CHECK(strcmp(err, "I can't") == 0);
	CHECK(answer("{\"content\":[],\"stop_reason\":\"refusal\"}", &a, err,
	    sizeof(err)) == ANSWER_REFUSED);
	CHECK(strstr(err, "refusal") != NULL);

	CHECK(answer("{\"content\":[],\"stop_reason\":\"end_turn\"}", &a, err,
	    sizeof(err)) == -1);
	CHECK(strstr(err, "no text block") != NULL);
	CHECK(answer("{\"choices\":[{\"message\":{\"content\":\"x\"}}]}", &a,
	    err, sizeof(err)) == -1);
	CHECK(strstr(err, "no content array") != NULL);
	CHECK(answer("{\"content\":[{\"type\":\"text\",\"text\":7}]}", &a,
	    err, sizeof(err)) == -1);
	CHECK(answer("[1", &a, err, sizeof(err)) == -1);
	/* Absurd usage is not believed. */
	CHECK(answer("{\"content\":[{\"type\":\"text\",\"text\":\"x\"}],"
	    "\"usage\":{\"input_tokens\":1e30,\"output_tokens\":-3}}", &a,
	    err, sizeof(err)) == 0);
	CHECK(a.prompt_tokens == -1 && a.completion_tokens == -1);
}

/* --labels and --schema: an instruction, a tool, and its answer. */
static void
test_ask(void)
{
	struct json		*j = json_new();
	struct buf		 b = { 0 }, sc = { 0 }, big = { 0 };
	struct provider_ask	 ask = { "c", "", 0, 1, 1024, "Say \"A\".",
				    NULL, 0 };
	struct answer		 a;
	const char		*resp, *mark;
	char			 err[256];
	size_t			 k;

	body_of(&ask, "S", "U", &b);
	CHECK_BUF(b, "{\"model\":\"c\",\"system\":[{\"type\":\"text\","
	    "\"text\":\"S\\n\\nSay \\\"A\\\".\"}],\"messages\":[{\"role\":"
	    "\"user\",\"content\":\"U\"}],\"max_tokens\":1024}");
	/* A system prompt long enough to cache: the instruction inside. */
	for (k = 0; k < 5000; k++)
		buf_addc(&big, 'y');
	buf_addc(&big, '\0');
	body_of(&ask, big.data, "U", &b);
	mark = "yy\\n\\nSay \\\"A\\\".\",\"cache_control\"";
	CHECK(memmem(b.data, b.len, mark, strlen(mark)) != NULL);
	ask.has_system = 0;
	ask.instruction = "Say B.";
	body_of(&ask, NULL, "U", &b);
	CHECK_BUF(b, "{\"model\":\"c\",\"system\":[{\"type\":\"text\","
	    "\"text\":\"Say B.\"}],\"messages\":[{\"role\":\"user\","
	    "\"content\":\"U\"}],\"max_tokens\":1024}");

	ask.instruction = NULL;
	ask.format = "{\"type\":\"json_schema\",\"json_schema\":"
	    "{\"name\":\"x\",\"strict\":true,\"schema\":{\"type\": \"object\","
	    "\"required\":[\"a\"]}}}";
	body_of(&ask, NULL, "U", &b);
	CHECK_BUF(b, "{\"model\":\"c\",\"messages\":[{\"role\":\"user\","
	    "\"content\":\"U\"}],\"max_tokens\":1024,\"tools\":[{\"name\":"
	    "\"answer\",\"description\":\"Give your answer as this tool's "
	    "input.\",\"input_schema\":{\"type\":\"object\",\"required\":"
	    "[\"a\"]}}],\"tool_choice\":{\"type\":\"tool\",\"name\":"
	    "\"answer\"}}");
	ask.format = "{\"type\":\"json_object\"}";
	body_of(&ask, NULL, "U", &b);
	CHECK(memmem(b.data, b.len, "tools", 5) == NULL);
	ask.format = "{\"type\":\"json_schema\",\"json_schema\":"
	    "{\"schema\":{\"type\":\"array\"}}}";
	CHECK(anthropic_shape.shape_new(&ask, err, sizeof(err)) == NULL);
	CHECK(strstr(err, "input_schema") != NULL);

	resp = "{\"content\":[{\"type\":\"text\",\"text\":\"Here.\"},"
	    "{\"type\":\"tool_use\",\"id\":\"t1\",\"name\":\"answer\","
	    "\"input\":{\"a\": \"x\\\"y\"}}],\"stop_reason\":\"tool_use\"}";
	CHECK(json_parse(j, resp, strlen(resp), err, sizeof(err)) == 0);
	CHECK(anthropic_answer(j, resp, 1, &sc, &a, err, sizeof(err)) == 0);
	CHECK_MEM(a.value, a.len, "\"{\\\"a\\\": \\\"x\\\\\\\"y\\\"}\"");
	CHECK(a.string);
	/* Without the tool asked for, the text. */
	CHECK(anthropic_answer(j, resp, 0, &sc, &a, err, sizeof(err)) == 0);
	CHECK_MEM(a.value, a.len, "\"Here.\"");
	/* Asked, and answered in text only: the text. */
	resp = "{\"content\":[{\"type\":\"text\",\"text\":\"{}\"}]}";
	CHECK(json_parse(j, resp, strlen(resp), err, sizeof(err)) == 0);
	CHECK(anthropic_answer(j, resp, 1, &sc, &a, err, sizeof(err)) == 0);
	CHECK_MEM(a.value, a.len, "\"{}\"");
	resp = "{\"content\":[]}";
	CHECK(json_parse(j, resp, strlen(resp), err, sizeof(err)) == 0);
	CHECK(anthropic_answer(j, resp, 1, &sc, &a, err, sizeof(err)) == -1);
	CHECK(strstr(err, "tool answer") != NULL);

	buf_free(&b);
	buf_free(&big);
	buf_free(&sc);
	json_free(j);
}

static void
test_wire(void)
{
	const char *const *k = anthropic_wire.keep;

	CHECK(strcmp(k[XH_RETRY_AFTER], "retry-after") == 0);
	CHECK(k[XH_RETRY_AFTER_MS] == NULL);
	CHECK(strcmp(k[XH_RL_RESET_REQUESTS],
	    "anthropic-ratelimit-requests-reset") == 0);
	CHECK(strcmp(k[XH_RL_REMAINING_TOKENS],
	    "anthropic-ratelimit-tokens-remaining") == 0);

	CHECK(anthropic_wire.overloaded(400, "overloaded_error", 16));
	CHECK(anthropic_wire.overloaded(529, NULL, 0));
	CHECK(!anthropic_wire.overloaded(400, "overloaded", 10));
	CHECK(!anthropic_wire.overloaded(429, "rate_limit_error", 16));
	CHECK(!anthropic_wire.overloaded(400, NULL, 0));
	/* Not driven by the transport: no Batch API for the wire yet. */
	CHECK(anthropic_wire.batch == NULL);
}

/* Message Batches: lines, the creation body, result lines. */
static void
test_batch(void)
{
	const struct provider_batch	*d = &anthropic_batch;
	struct json			*j = json_new();
	struct buf			 b = { 0 }, lines = { 0 }, cid = { 0 };
	struct batchfile_result	 r = { 0 };
	char				 err[256];

	CHECK(d->purpose == NULL);
	CHECK(d->line(&lines, "r1", 2, d->endpoint, "{\"model\":\"c\"}",
	    13) == 0);
	CHECK(d->line(&lines, "r\"2", 3, d->endpoint, "{}", 2) == 0);
	CHECK_BUF(lines, "{\"custom_id\":\"r1\",\"params\":{\"model\":\"c\"}}\n"
	    "{\"custom_id\":\"r\\\"2\",\"params\":{}}\n");
	buf_addc(&lines, '\0');
	CHECK(d->create_body(&b, lines.data, d->endpoint) == 0);
	CHECK_BUF(b, "{\"requests\":[{\"custom_id\":\"r1\",\"params\":"
	    "{\"model\":\"c\"}},{\"custom_id\":\"r\\\"2\",\"params\":{}}]}");
	CHECK(json_validate(b.data, b.len, err, sizeof(err)) == 0);
	buf_reset(&b);
	CHECK(d->url(&b, "https://api.anthropic.com/v1", NULL,
	    "/messages/batches") == 0);
	CHECK(strcmp(b.data, "https://api.anthropic.com/v1/messages/batches")
	    == 0);

	r.custom_id = &cid;
#define RESULT(s)	d->result(j, s, strlen(s), &r, err, sizeof(err))
	CHECK(RESULT("{\"custom_id\":\"r1\",\"result\":{\"type\":"
	    "\"succeeded\",\"message\":{\"content\":[]}}}") == 0);
	CHECK(r.status == 200);
	CHECK_MEM(r.body, r.bodylen, "{\"content\":[]}");
	CHECK_BUF(cid, "r1");
	CHECK(RESULT("{\"custom_id\":\"r2\",\"result\":{\"type\":"
	    "\"errored\",\"error\":{\"type\":\"error\",\"error\":{\"type\":"
	    "\"invalid_request_error\",\"message\":\"bad\"}}}}") == 0);
	CHECK(r.status == 0 && strcmp(r.code, "invalid_request_error") == 0 &&
	    strcmp(r.msg, "bad") == 0 && !batchfile_unanswered(&r));
	CHECK(RESULT("{\"custom_id\":\"r3\",\"result\":{\"type\":"
	    "\"expired\"}}") == 0);
	CHECK(batchfile_unanswered(&r));
	CHECK(RESULT("{\"custom_id\":\"r3\",\"result\":{\"type\":"
	    "\"canceled\"}}") == 0);
	CHECK(batchfile_unanswered(&r));
	CHECK(RESULT("{\"custom_id\":\"r4\",\"result\":{\"type\":\"new\"}}")
	    == 1);
	CHECK(RESULT("{\"result\":{\"type\":\"expired\"}}") == 1);
	CHECK(RESULT("not json") == 1);
#undef RESULT
	buf_free(&b);
	buf_free(&lines);
	buf_free(&cid);
	json_free(j);
}

int
main(void)
{
	test_shape();
	test_request();
	test_answer();
	test_ask();
	test_wire();
	test_batch();
	return check_done("test_prov_anthropic");
}
