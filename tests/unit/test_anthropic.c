#include <stdlib.h>
#include <string.h>

#include "anthropic.h"
#include "check.h"
#include "pool.h"
#include "request.h"

static struct tmpl *
tmpl(const char *s)
{
	char	 err[128];

	return tmpl_compile(s, strlen(s), TMPL_ESCAPES, err, sizeof(err));
}

static void
test_shape(void)
{
	struct buf	 h = { 0 }, m = { 0 }, mc = { 0 }, t = { 0 };

	CHECK(anthropic_shape("c\"1", 1, ",\"temperature\":0", 16, 1024, &h,
	    &m, &mc, &t) == 0);
	CHECK_BUF(h, "{\"model\":\"c\\\"1\",\"system\":[{\"type\":\"text\","
	    "\"text\":\"");
	CHECK_BUF(m, "\"}],\"messages\":[{\"role\":\"user\",\"content\":\"");
	CHECK_BUF(mc, "\",\"cache_control\":{\"type\":\"ephemeral\"}}],"
	    "\"messages\":[{\"role\":\"user\",\"content\":\"");
	CHECK_BUF(t, "\"}],\"max_tokens\":1024,\"temperature\":0}");
	buf_free(&h);
	buf_free(&m);
	buf_free(&mc);
	buf_free(&t);
	/* No system, max_tokens from -P: neither added. */
	memset(&h, 0, sizeof(h));
	memset(&m, 0, sizeof(m));
	memset(&mc, 0, sizeof(mc));
	memset(&t, 0, sizeof(t));
	CHECK(anthropic_shape("c", 0, "", 0, 0, &h, &m, &mc, &t) == 0);
	CHECK_BUF(h, "{\"model\":\"c\",\"messages\":[{\"role\":\"user\","
	    "\"content\":\"");
	CHECK(m.len == 0 && mc.len == 0);
	CHECK_BUF(t, "\"}]}");
	buf_free(&h);
	buf_free(&t);

	CHECK(!anthropic_cacheable(4095));
	CHECK(anthropic_cacheable(4096));
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
	r = request_new_messages("c", sys, user, params, 2, 1024, err,
	    sizeof(err));
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
	r = request_new_messages("c", NULL, user, NULL, 0, 1024, err,
	    sizeof(err));
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
	r = request_new_messages("c", NULL, user, NULL, 0, 1024, err,
	    sizeof(err));
	CHECK(r != NULL && request_budget(r) == 1024);
	request_free(r);
	CHECK(request_new_messages("c", NULL, user, bad, 1, 1024, err,
	    sizeof(err)) == NULL);
	CHECK(strstr(err, "max_tokens") != NULL);

	buf_free(&b);
	buf_free(&row);
	json_free(j);
	tmpl_free(user);
	tmpl_free(sys);
}

/* request_answer over a Messages response. */
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
		r = request_new_messages("c", NULL, user, NULL, 0, 1024, err,
		    errlen);
	}
	memset(a, 0, sizeof(*a));
	return request_answer(r, j, resp, strlen(resp), &scratch, a, err,
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
	    REQUEST_TRUNCATED);
	CHECK_MEM(a.value, a.len, "\"The an\"");
	CHECK(strstr(err, "stop_reason max_tokens") != NULL);
	CHECK(answer("{\"content\":[],\"stop_reason\":\"max_tokens\"}", &a,
	    err, sizeof(err)) == REQUEST_TRUNCATED);
	CHECK_MEM(a.value, a.len, "\"\"");

	CHECK(answer("{\"content\":[{\"type\":\"text\",\"text\":\"I can't\"}],"
	    "\"stop_reason\":\"refusal\"}", &a, err, sizeof(err)) ==
	    REQUEST_REFUSED);
	CHECK(strcmp(err, "I can't") == 0);
	CHECK(answer("{\"content\":[],\"stop_reason\":\"refusal\"}", &a, err,
	    sizeof(err)) == REQUEST_REFUSED);
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
	struct json	*j = json_new();
	struct buf	 h = { 0 }, m = { 0 }, mc = { 0 }, t = { 0 }, sc = { 0 };
	struct answer	 a;
	const char	*resp;
	char		 err[256];

	CHECK(anthropic_shape("c", 1, "", 0, 1024, &h, &m, &mc, &t) == 0);
	CHECK(anthropic_instruction(&h, &m, &mc, 1, "Say \"A\".") == 0);
	CHECK_BUF(m, "\\n\\nSay \\\"A\\\".\"}],\"messages\":[{\"role\":"
	    "\"user\",\"content\":\"");
	CHECK(mc.len > 31 && memcmp(mc.data,
	    "\\n\\nSay \\\"A\\\".\",\"cache_control\"", 31) == 0);
	buf_reset(&h);
	buf_reset(&m);
	buf_reset(&mc);
	CHECK(anthropic_shape("c", 0, "", 0, 1024, &h, &m, &mc, &t) == 0);
	CHECK(anthropic_instruction(&h, &m, &mc, 0, "Say B.") == 0);
	CHECK_BUF(h, "{\"model\":\"c\",\"system\":[{\"type\":\"text\","
	    "\"text\":\"Say B.\"}],\"messages\":[{\"role\":\"user\","
	    "\"content\":\"");
	CHECK(m.len == 0 && mc.len == 0);

	buf_reset(&t);
	CHECK(anthropic_tool(j, "{\"type\":\"json_schema\",\"json_schema\":"
	    "{\"name\":\"x\",\"strict\":true,\"schema\":{\"type\": \"object\","
	    "\"required\":[\"a\"]}}}", &t, err, sizeof(err)) == 0);
	CHECK_BUF(t, ",\"tools\":[{\"name\":\"answer\",\"description\":"
	    "\"Give your answer as this tool's input.\",\"input_schema\":"
	    "{\"type\":\"object\",\"required\":[\"a\"]}}],\"tool_choice\":"
	    "{\"type\":\"tool\",\"name\":\"answer\"}");
	buf_reset(&t);
	CHECK(anthropic_tool(j, "{\"type\":\"json_object\"}", &t, err,
	    sizeof(err)) == 0);
	CHECK(t.len == 0);
	CHECK(anthropic_tool(j, "{\"type\":\"json_schema\",\"json_schema\":"
	    "{\"schema\":{\"type\":\"array\"}}}", &t, err, sizeof(err)) == -1);
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

	buf_free(&h);
	buf_free(&m);
	buf_free(&mc);
	buf_free(&t);
	buf_free(&sc);
	json_free(j);
}

static void
test_headers(void)
{
	const char *const *k = anthropic_keep();

	CHECK(strcmp(k[XH_RETRY_AFTER], "retry-after") == 0);
	CHECK(k[XH_RETRY_AFTER_MS] == NULL);
	CHECK(strcmp(k[XH_RL_RESET_REQUESTS],
	    "anthropic-ratelimit-requests-reset") == 0);
	CHECK(strcmp(k[XH_RL_REMAINING_TOKENS],
	    "anthropic-ratelimit-tokens-remaining") == 0);

	CHECK(anthropic_overloaded("overloaded_error", 16));
	CHECK(!anthropic_overloaded("overloaded", 10));
	CHECK(!anthropic_overloaded("rate_limit_error", 16));
	CHECK(!anthropic_overloaded(NULL, 0));
}

static void
test_reset(void)
{
	/* 2026-01-01T00:00:00Z */
	long long	 t = 1767225600000LL;

	CHECK(anthropic_reset_ms("2026-01-01T00:00:30Z", t) == 30000);
	CHECK(anthropic_reset_ms("2026-01-01T00:00:30.25Z", t) == 30250);
	CHECK(anthropic_reset_ms("2026-01-01t00:00:01.5z", t) == 1500);
	CHECK(anthropic_reset_ms("2026-01-01T01:00:05+01:00", t) == 5000);
	CHECK(anthropic_reset_ms("2025-12-31T23:59:05-00:01", t) == 5000);
	CHECK(anthropic_reset_ms("2025-12-31T23:00:00Z", t) == 0);
	CHECK(anthropic_reset_ms("2026-01-01T00:00:30", t) == -1);
	CHECK(anthropic_reset_ms("2026-01-01T00:00:30Zx", t) == -1);
	CHECK(anthropic_reset_ms("2026-13-01T00:00:30Z", t) == -1);
	CHECK(anthropic_reset_ms("2026-01-01T24:00:30Z", t) == -1);
	CHECK(anthropic_reset_ms("2026-01-01T00:00:30.Z", t) == -1);
	CHECK(anthropic_reset_ms("30s", t) == -1);
	CHECK(anthropic_reset_ms("", t) == -1);
}

int
main(void)
{
	test_shape();
	test_request();
	test_answer();
	test_ask();
	test_headers();
	test_reset();
	return check_done("test_anthropic");
}
