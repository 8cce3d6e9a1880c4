#include <stdlib.h>
#include <string.h>

#include "bresult.h"
#include "check.h"

static struct rows	*rows;
static struct json	*json;
static struct request	*chat;
static struct tmpl	*user;

/* A row as input.h leaves it: its text, members and ID. */
static struct row *
row(const char *text)
{
	struct row	*r = rows_get(rows);
	char		 err[128];
	size_t		 off, len;
	int		 t;

	r->lineno = 1;
	buf_add(&r->text, text, strlen(text));
	if (json_parse(json, r->text.data, r->text.len, err,
	    sizeof(err)) == -1 || json_members(json, 0, &r->members) == -1 ||
	    (t = json_get(json, 0, "id", 2)) == -1)
		abort();
	json_span(json, t, &off, &len);
	buf_add(&r->id, json_text(json) + off, len);
	return r;
}

static struct record *
record(int merge, int meta)
{
	struct record_config	 rc = { 0 };

	rc.request = chat;
	rc.idfield = "id";
	rc.field = "answer";
	rc.errfield = "error";
	rc.json = merge;
	rc.meta = meta;
	return record_new(&rc);
}

/* Write the row for a result with a response of this status and body,
 * or with none (body NULL): code and msg. */
static struct row *
result(struct record *rec, long status, const char *body, const char *code,
    const char *msg)
{
	struct bapi_result	 res = { 0 };
	struct row		*r = row("{\"id\":7,\"t\":\"x\"}");

	res.status = status;
	res.body = body;
	res.bodylen = body != NULL ? strlen(body) : 0;
	if (code != NULL)
		strlcpy(res.code, code, sizeof(res.code));
	if (msg != NULL)
		strlcpy(res.msg, msg, sizeof(res.msg));
	CHECK(bresult_write(rec, json, r, &res) == 0);
	return r;
}

static void
test_write(void)
{
	struct record	*rec = record(0, 0), *meta = record(0, 1),
			*merge = record(1, 0);
	struct row	*r;

	r = result(rec, 200, "{\"choices\":[{\"message\":{\"content\":\"hi\"},"
	    "\"finish_reason\":\"stop\"}],\"usage\":{\"prompt_tokens\":3,"
	    "\"completion_tokens\":1}}", NULL, NULL);
	CHECK(!r->failed);
	CHECK_BUF(r->line, "{\"id\":7,\"t\":\"x\",\"answer\":\"hi\"}\n");
	rows_put(rows, r);
	r = result(meta, 200, "{\"choices\":[{\"message\":{\"content\":"
	    "\"hi\"}}],\"usage\":{\"prompt_tokens\":3,"
	    "\"completion_tokens\":1}}", NULL, NULL);
	CHECK_BUF(r->line, "{\"id\":7,\"t\":\"x\",\"answer\":\"hi\",\"_meta\":"
	    "{\"attempts\":1,\"latency_ms\":null,\"prompt_tokens\":3,"
	    "\"completion_tokens\":1}}\n");
	rows_put(rows, r);
	r = result(merge, 200, "{\"choices\":[{\"message\":{\"content\":"
	    "\"{\\\"k\\\":2}\"}}]}", NULL, NULL);
	CHECK_BUF(r->line, "{\"id\":7,\"t\":\"x\",\"k\":2}\n");
	rows_put(rows, r);
	/* --json and an answer that is no object: not asked again. */
	r = result(merge, 200, "{\"choices\":[{\"message\":{\"content\":"
	    "\"no\"}}]}", NULL, NULL);
	CHECK(r->failed && r->error == ROW_ERR_INVALID);
	CHECK(strstr(r->line.data, "\"type\":\"invalid_answer\"") != NULL);
	rows_put(rows, r);
	/* No answer at all: parse. */
	r = result(rec, 200, "{\"choices\":[]}", NULL, NULL);
	CHECK(r->failed && r->error == ROW_ERR_PARSE);
	rows_put(rows, r);
	r = result(rec, 200, "{\"choices\":[{\"message\":{\"content\":\"cut\"},"
	    "\"finish_reason\":\"length\"}]}", NULL, NULL);
	CHECK(r->failed && r->error == ROW_ERR_TRUNCATED);
	CHECK(strstr(r->line.data, "\"partial\":\"cut\"") != NULL);
	rows_put(rows, r);
	r = result(rec, 200, "{\"choices\":[{\"message\":{\"content\":null,"
	    "\"refusal\":\"no way\"}}]}", NULL, NULL);
	CHECK(r->failed && r->error == ROW_ERR_REFUSED);
	rows_put(rows, r);
	r = result(rec, 429, "{\"error\":{\"message\":\"slow down\",\"code\":"
	    "\"rate_limit_exceeded\"}}", NULL, NULL);
	CHECK(r->failed && r->error == ROW_ERR_HTTP && r->status == 429);
	CHECK_BUF(r->line, "{\"id\":7,\"t\":\"x\",\"error\":{\"type\":\"http\","
	    "\"status\":429,\"message\":\"slow down\",\"attempts\":1}}\n");
	rows_put(rows, r);
	r = result(rec, 0, NULL, "server_error", "it broke");
	CHECK_BUF(r->line, "{\"id\":7,\"t\":\"x\",\"error\":{\"type\":\"http\","
	    "\"status\":null,\"message\":\"server_error: it broke\","
	    "\"attempts\":1}}\n");
	rows_put(rows, r);
	r = row("{\"id\":7,\"t\":\"x\"}");
	CHECK(bresult_give_up(rec, r, 3) == 0);
	CHECK(r->failed && r->attempts == 3);
	CHECK(strstr(r->line.data, "no answer from 3 batches") != NULL);
	rows_put(rows, r);
	record_free(rec);
	record_free(meta);
	record_free(merge);
}

static void
test_unanswered(void)
{
	struct bapi_result	 res = { 0 };

	strlcpy(res.code, "batch_expired", sizeof(res.code));
	CHECK(bresult_unanswered(&res));
	strlcpy(res.code, "batch_cancelled", sizeof(res.code));
	CHECK(bresult_unanswered(&res));
	strlcpy(res.code, "server_error", sizeof(res.code));
	CHECK(!bresult_unanswered(&res));
	strlcpy(res.code, "batch_expired", sizeof(res.code));
	res.status = 500;
	CHECK(!bresult_unanswered(&res));
}

int
main(void)
{
	char	 e[128];

	rows = rows_new();
	json = json_new();
	if ((user = tmpl_compile("{{t}}", 5, 0, e, sizeof(e))) == NULL ||
	    (chat = request_new("m", NULL, user, NULL, 0, e,
	    sizeof(e))) == NULL)
		return 1;
	test_write();
	test_unanswered();
	request_free(chat);
	tmpl_free(user);
	json_free(json);
	rows_free(rows);
	return check_done("test_bresult");
}
