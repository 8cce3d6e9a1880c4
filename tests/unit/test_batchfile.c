#include <string.h>

#include "batchfile.h"
#include "check.h"

static struct json	*json;
static struct buf	 url, body;
static char		 err[256];

/* batchfile_request on this line and base, from empty url and body. */
static int
request(const char *line, const char *base)
{
	char	 jerr[128];

	if (json_parse(json, line, strlen(line), jerr, sizeof(jerr)) == -1)
		return -2;
	buf_reset(&url);
	buf_reset(&body);
	err[0] = '\0';
	return batchfile_request(json, base, &url, &body, err, sizeof(err));
}

/* The URL made, which ends in a NUL for curl. */
#define CHECK_URL(want) do {						\
	CHECK(url.len > 0 && url.data[url.len - 1] == '\0');		\
	CHECK_MEM(url.data, url.len - 1, want);				\
} while (0)

static void
test_request(void)
{
	const char	*chat = "{\"custom_id\":\"a\",\"method\":\"POST\","
			    "\"url\":\"/v1/chat/completions\",\"body\":{ "
			    "\"model\" : \"m\",\n\"messages\": [ ] }}";

	/* The /v1 the base ends with is the one the path starts with. */
	CHECK(request(chat, "http://127.0.0.1:8080/v1") == 0);
	CHECK_URL("http://127.0.0.1:8080/v1/chat/completions");
	CHECK_BUF(body, "{\"model\":\"m\",\"messages\":[]}");
	CHECK(request(chat, "https://h/api/v1") == 0);
	CHECK_URL("https://h/api/v1/chat/completions");
	/* A base without it keeps the whole path. */
	CHECK(request(chat, "http://h") == 0);
	CHECK_URL("http://h/v1/chat/completions");
	CHECK(request(chat, "http://h/v2") == 0);
	CHECK_URL("http://h/v2/v1/chat/completions");
	/* Only /v1 followed by a slash is that /v1. */
	CHECK(request("{\"url\":\"/v1x/e\",\"body\":{}}", "http://h/v1") == 0);
	CHECK_URL("http://h/v1/v1x/e");
	/* No method is POST; the body may be any object. */
	CHECK(request("{\"url\":\"/v1/embeddings\",\"body\":{\"input\":"
	    "[1, 2]}}", "http://h/v1") == 0);
	CHECK_URL("http://h/v1/embeddings");
	CHECK_BUF(body, "{\"input\":[1,2]}");

	/* Only POST is sent. */
	CHECK(request("{\"method\":\"GET\",\"url\":\"/v1/x\",\"body\":{}}",
	    "http://h/v1") == 1);
	CHECK(strcmp(err, "batch line: only method POST is sent") == 0);
	CHECK(request("{\"method\":\"post\",\"url\":\"/v1/x\",\"body\":{}}",
	    "http://h/v1") == 1);
	CHECK(request("{\"method\":\"POSTS\",\"url\":\"/v1/x\",\"body\":{}}",
	    "http://h/v1") == 1);
	CHECK(request("{\"method\":null,\"url\":\"/v1/x\",\"body\":{}}",
	    "http://h/v1") == 1);
	CHECK(strcmp(err, "batch line: only method POST is sent") == 0);

	/* A path: there, a string, absolute, and no escapes to decode. */
	CHECK(request("{\"body\":{}}", "http://h/v1") == 1);
	CHECK(strcmp(err, "batch line: no \"url\" path") == 0);
	CHECK(request("{\"url\":7,\"body\":{}}", "http://h/v1") == 1);
	CHECK(strcmp(err, "batch line: no \"url\" path") == 0);
	CHECK(request("{\"url\":\"\",\"body\":{}}", "http://h/v1") == 1);
	CHECK(strcmp(err, "batch line: no \"url\" path") == 0);
	CHECK(request("{\"url\":\"v1/x\",\"body\":{}}", "http://h/v1") == 1);
	CHECK(strcmp(err, "batch line: no \"url\" path") == 0);
	CHECK(request("{\"url\":\"/v1\\/x\",\"body\":{}}", "http://h/v1") ==
	    1);
	CHECK(strcmp(err, "batch line: no \"url\" path") == 0);
	CHECK(request("{\"url\":\"/v1/x\\u0000\",\"body\":{}}",
	    "http://h/v1") == 1);

	/* A body: there, and an object. */
	CHECK(request("{\"url\":\"/v1/x\"}", "http://h/v1") == 1);
	CHECK(strcmp(err, "batch line: no \"body\" object") == 0);
	CHECK(request("{\"url\":\"/v1/x\",\"body\":\"{}\"}", "http://h/v1") ==
	    1);
	CHECK(strcmp(err, "batch line: no \"body\" object") == 0);
	CHECK(request("{\"url\":\"/v1/x\",\"body\":[{}]}", "http://h/v1") ==
	    1);
	CHECK(body.len == 0);
}

static void
test_output(void)
{
	struct xfer	 x;
	struct buf	 b = { 0 };

	memset(&x, 0, sizeof(x));
	x.result = XFER_RESPONSE;
	x.status = 200;
	strlcpy(x.header[XH_REQUEST_ID], "req_9", sizeof(x.header[0]));
	buf_adds(&x.resp, "{ \"a\" :\n 1 }\n");
	CHECK(batchfile_output(&b, 3, "\"r1\"", 4, &x, NULL, NULL, 0) == 0);
	CHECK_BUF(b, "{\"id\":\"batch_req_3\",\"custom_id\":\"r1\","
	    "\"response\":{\"status_code\":200,\"request_id\":\"req_9\","
	    "\"body\":{\"a\":1}},\"error\":null}\n");

	/* Appended; no request ID is null; a body not JSON is a string. */
	x.status = 502;
	x.header[XH_REQUEST_ID][0] = '\0';
	buf_reset(&x.resp);
	buf_adds(&x.resp, "<html>Bad\ngateway</html>");
	CHECK(batchfile_output(&b, 18446744073709551615ULL, "7", 1, &x, NULL, NULL,
	    0) == 0);
	CHECK_BUF(b, "{\"id\":\"batch_req_3\",\"custom_id\":\"r1\","
	    "\"response\":{\"status_code\":200,\"request_id\":\"req_9\","
	    "\"body\":{\"a\":1}},\"error\":null}\n"
	    "{\"id\":\"batch_req_18446744073709551615\",\"custom_id\":7,"
	    "\"response\":{\"status_code\":502,\"request_id\":null,\"body\":"
	    "\"<html>Bad\\ngateway</html>\"},\"error\":null}\n");

	/* No response: an error object. */
	buf_reset(&b);
	CHECK(batchfile_output(&b, 4, "\"a\\\"b\"", 6, NULL, "timeout",
	    "no response in 60 s", 19) == 0);
	CHECK_BUF(b, "{\"id\":\"batch_req_4\",\"custom_id\":\"a\\\"b\","
	    "\"response\":null,\"error\":{\"code\":\"timeout\",\"message\":"
	    "\"no response in 60 s\"}}\n");
	buf_reset(&b);
	CHECK(batchfile_output(&b, 5, "5", 1, NULL, "network", NULL, 0) == 0);
	CHECK_BUF(b, "{\"id\":\"batch_req_5\",\"custom_id\":5,"
	    "\"response\":null,\"error\":{\"code\":\"network\","
	    "\"message\":\"\"}}\n");
	/* An empty response body is an empty string. */
	buf_reset(&b);
	buf_free(&x.resp);
	x.status = 204;
	CHECK(batchfile_output(&b, 6, "6", 1, &x, NULL, NULL, 0) == 0);
	CHECK_BUF(b, "{\"id\":\"batch_req_6\",\"custom_id\":6,\"response\":"
	    "{\"status_code\":204,\"request_id\":null,\"body\":\"\"},"
	    "\"error\":null}\n");
	buf_free(&b);
}

/* The request line: the body compact, the ID escaped. */
static void
test_request_line(void)
{
	struct buf	 b = { 0 };

	CHECK(batchfile_request_line(&b, "a\"b", 3, "/v1/chat/completions",
	    "{ \"model\" : \"m\" }", 17) == 0);
	CHECK_BUF(b, "{\"custom_id\":\"a\\\"b\",\"method\":\"POST\",\"url\":"
	    "\"/v1/chat/completions\",\"body\":{\"model\":\"m\"}}\n");
	buf_free(&b);
}

#define S(s)	s, strlen(s)

static void
test_results(void)
{
	struct json		*j = json_new();
	struct buf		 id = { 0 };
	struct batchfile_result	 r = { .custom_id = &id };
	char			 e[256];

	CHECK(batchfile_parse_result(j, S("{\"id\":\"batch_req_1\",\"custom_id\":"
	    "\"r\\u00e9\",\"response\":{\"status_code\":200,\"body\":{\"a\":"
	    "1}},\"error\":null}"), &r, e, sizeof(e)) == 0);
	CHECK_BUF(id, "r\xc3\xa9");
	CHECK(r.status == 200);
	CHECK_MEM(r.body, r.bodylen, "{\"a\":1}");
	CHECK(batchfile_parse_result(j, S("{\"custom_id\":\"x\",\"response\":null,"
	    "\"error\":{\"code\":\"batch_expired\",\"message\":\"late\"}}"),
	    &r, e, sizeof(e)) == 0);
	CHECK(r.status == 0 && r.body == NULL);
	CHECK(strcmp(r.code, "batch_expired") == 0);
	CHECK(strcmp(r.msg, "late") == 0);
	CHECK(batchfile_parse_result(j, S("{\"custom_id\":\"x\",\"response\":"
	    "{\"status_code\":4000}}"), &r, e, sizeof(e)) == 1);
	CHECK(batchfile_parse_result(j, S("{\"custom_id\":1,\"response\":"
	    "{\"status_code\":200}}"), &r, e, sizeof(e)) == 1);
	CHECK(batchfile_parse_result(j, S("{\"custom_id\":\"x\"}"), &r, e,
	    sizeof(e)) == 1);
	CHECK(batchfile_parse_result(j, S("not json"), &r, e, sizeof(e)) == 1);
	buf_free(&id);
	json_free(j);
}

/* Which result lines are no answer: sent again, not written. */
static void
test_unanswered(void)
{
	struct batchfile_result	 res = { 0 };

	strlcpy(res.code, "batch_expired", sizeof(res.code));
	CHECK(batchfile_unanswered(&res));
	strlcpy(res.code, "batch_cancelled", sizeof(res.code));
	CHECK(batchfile_unanswered(&res));
	strlcpy(res.code, "server_error", sizeof(res.code));
	CHECK(!batchfile_unanswered(&res));
	strlcpy(res.code, "batch_expired", sizeof(res.code));
	res.status = 500;
	CHECK(!batchfile_unanswered(&res));
}

int
main(void)
{
	json = json_new();
	test_request();
	test_output();
	json_free(json);
	buf_free(&url);
	buf_free(&body);
	test_request_line();
	test_results();
	test_unanswered();
	return check_done("test_batchfile");
}
