#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "record.h"

static struct rows	*rows;
static struct json	*json;
static struct request	*chat;

/* A row as input.h leaves it: its text, members and ID. */
static struct row *
row(const char *text, uint64_t lineno)
{
	struct row	*r = rows_get(rows);
	char		 err[128];
	size_t		 off, len;
	int		 t;

	r->lineno = lineno;
	buf_add(&r->text, text, strlen(text));
	if (json_parse(json, r->text.data, r->text.len, err,
	    sizeof(err)) == -1 || json_members(json, 0, &r->members) == -1)
		abort();
	if ((t = json_get(json, 0, "id", 2)) == -1) {
		r->idmissing = 1;
		buf_addu(&r->id, lineno);
	} else {
		r->idmissing = 0;
		json_span(json, t, &off, &len);
		buf_add(&r->id, json_text(json) + off, len);
	}
	return r;
}

/* A response to the row's one attempt, as the pool gives it. */
static void
respond(struct row *r, long status, const char *body)
{
	buf_reset(&r->xfer.resp);
	buf_add(&r->xfer.resp, body, strlen(body));
	r->xfer.result = XFER_RESPONSE;
	r->xfer.status = status;
	r->xfer.elapsed_ms = 42;
	memset(r->xfer.header, 0, sizeof(r->xfer.header));
	r->attempts++;
}

/* A chat completion whose content is this JSON string (quotes and all). */
static void
answer(struct row *r, const char *content)
{
	struct buf	 b = { 0 };

	buf_adds(&b, "{\"choices\":[{\"message\":{\"content\":");
	buf_adds(&b, content);
	buf_adds(&b, "}}],\"usage\":{\"prompt_tokens\":3,"
	    "\"completion_tokens\":1}}");
	buf_addc(&b, '\0');
	respond(r, 200, b.data);
	buf_free(&b);
}

static struct record *
record(int json_merge, int meta, int batch_out)
{
	struct record_config	 rc = { 0 };

	rc.request = chat;
	rc.idfield = "id";
	rc.field = "answer";
	rc.errfield = "error";
	rc.json = json_merge;
	rc.meta = meta;
	rc.batch_out = batch_out;
	return record_new(&rc);
}

static void
test_answer(void)
{
	struct record	*rec = record(0, 0, 0);
	struct row	*r;
	char		 err[256];

	r = row("{\"id\":1,\"text\":\"q\"}", 1);
	answer(r, "\"hello \\\"w\\\"\\n\"");
	CHECK(record_response(rec, r, err, sizeof(err)) == RECORD_WRITTEN);
	CHECK_BUF(r->line, "{\"id\":1,\"text\":\"q\",\"answer\":"
	    "\"hello \\\"w\\\"\\n\"}\n");
	CHECK(!r->failed);
	CHECK(r->prompt_tokens == 3 && r->completion_tokens == 1);
	rows_put(rows, r);

	/* A field of that name is replaced where it stands, once. */
	r = row("{\"answer\":\"old\",\"id\":1,\"answer\":2}", 1);
	answer(r, "\"new\"");
	CHECK(record_response(rec, r, err, sizeof(err)) == RECORD_WRITTEN);
	CHECK_BUF(r->line, "{\"answer\":\"new\",\"id\":1}\n");
	rows_put(rows, r);

	/* A row without an ID gets its line number, before the answer. */
	r = row("{ \"text\" : \"q\" }", 5);
	answer(r, "\"x\"");
	CHECK(record_response(rec, r, err, sizeof(err)) == RECORD_WRITTEN);
	CHECK_BUF(r->line, "{ \"text\" : \"q\" ,\"id\":5,\"answer\":\"x\"}\n");
	rows_put(rows, r);

	/* No answer to read. */
	r = row("{\"id\":1}", 1);
	respond(r, 200, "<html>");
	CHECK(record_response(rec, r, err, sizeof(err)) == RECORD_UNREADABLE);
	CHECK(strncmp(err, "response is not JSON: ", 22) == 0);
	answer(r, "null");
	CHECK(record_response(rec, r, err, sizeof(err)) == RECORD_UNREADABLE);
	CHECK(strcmp(err, "response content is null (a refusal or a tool "
	    "call)") == 0);
	respond(r, 200, "{\"choices\":[]}");
	CHECK(record_response(rec, r, err, sizeof(err)) == RECORD_UNREADABLE);
	CHECK(strcmp(err, "response has no choices[0].message.content") == 0);
	rows_put(rows, r);
	record_free(rec);
}

/* --json: the answer with -o set to write the row with, or NULL. */
static int
merge(struct record *rec, const char *text, const char *content,
    const char **line, char *err, size_t errlen)
{
	static struct buf	 b;
	struct row		*r = row(text, 1);
	int			 rv;

	answer(r, content);
	rv = record_response(rec, r, err, errlen);
	buf_reset(&b);
	buf_add(&b, r->line.data, r->line.len);
	buf_addc(&b, '\0');
	*line = b.data;
	rows_put(rows, r);
	return rv;
}

static void
test_json(void)
{
	struct record	*rec = record(1, 0, 0);
	const char	*line;
	char		 err[256];

	CHECK(merge(rec, "{\"id\":1,\"text\":\"q\"}", "\"{\\\"label\\\":"
	    "\\\"spam\\\",\\\"score\\\":0.9}\"", &line, err,
	    sizeof(err)) == RECORD_WRITTEN);
	CHECK(strcmp(line, "{\"id\":1,\"text\":\"q\",\"label\":\"spam\","
	    "\"score\":0.9}\n") == 0);
	/* In a Markdown fence, as models like to write it. */
	CHECK(merge(rec, "{\"id\":1}", "\"  ```json\\n{\\\"a\\\":1}\\n```\\n\"",
	    &line, err, sizeof(err)) == RECORD_WRITTEN);
	CHECK(strcmp(line, "{\"id\":1,\"a\":1}\n") == 0);
	/* Duplicate keys: the last value wins, in the first one's place. */
	CHECK(merge(rec, "{\"id\":1}",
	    "\"{\\\"a\\\":1,\\\"b\\\":2,\\\"a\\\":3}\"", &line, err,
	    sizeof(err)) == RECORD_WRITTEN);
	CHECK(strcmp(line, "{\"id\":1,\"a\":3,\"b\":2}\n") == 0);
	/* A field the row has is replaced; escaped keys are decoded. */
	CHECK(merge(rec, "{\"id\":1,\"label\":\"old\",\"n\":0}",
	    "\"{\\\"l\\\\u0061bel\\\":\\\"new\\\"}\"", &line, err,
	    sizeof(err)) == RECORD_WRITTEN);
	CHECK(strcmp(line, "{\"id\":1,\"label\":\"new\",\"n\":0}\n") == 0);
	/* An answer spread over lines still makes one line. */
	CHECK(merge(rec, "{\"id\":1}", "\"{\\n  \\\"a\\\": {\\n    \\\"b\\\": "
	    "[1,\\n 2]\\n  },\\n  \\\"c\\\": \\\"x y\\\"\\n}\"", &line, err,
	    sizeof(err)) == RECORD_WRITTEN);
	CHECK(strcmp(line, "{\"id\":1,\"a\":{\"b\":[1,2]},\"c\":\"x y\"}\n") ==
	    0);
	/* Empty keys are keys too. */
	CHECK(merge(rec, "{\"id\":1}", "\"{\\\"\\\":1,\\\"\\\":[ ]}\"", &line,
	    err, sizeof(err)) == RECORD_WRITTEN);
	CHECK(strcmp(line, "{\"id\":1,\"\":[]}\n") == 0);
	CHECK(merge(rec, "{\"id\":1}", "\"{ }\"", &line, err,
	    sizeof(err)) == RECORD_WRITTEN);
	CHECK(strcmp(line, "{\"id\":1}\n") == 0);

	/* What the row owns, the answer cannot set. */
	CHECK(merge(rec, "{\"id\":1}", "\"{\\\"a\\\":1,\\\"id\\\":2}\"", &line,
	    err, sizeof(err)) == RECORD_INVALID);
	CHECK(strcmp(err, "the answer sets \"id\", a field the row keeps "
	    "for itself") == 0);
	CHECK(merge(rec, "{\"id\":1}", "\"{\\\"i\\\\u0064\\\":2}\"", &line,
	    err, sizeof(err)) == RECORD_INVALID);
	CHECK(merge(rec, "{\"id\":1}", "\"{\\\"error\\\":null}\"", &line,
	    err, sizeof(err)) == RECORD_INVALID);
	CHECK(strcmp(err, "the answer sets \"error\", a field the row keeps "
	    "for itself") == 0);
	CHECK(merge(rec, "{\"id\":1}", "\"[1,2]\"", &line, err,
	    sizeof(err)) == RECORD_INVALID);
	CHECK(strcmp(err, "the answer is not a JSON object") == 0);
	CHECK(merge(rec, "{\"id\":1}", "\"label: spam\"", &line, err,
	    sizeof(err)) == RECORD_INVALID);
	CHECK(strncmp(err, "the answer is not JSON: invalid JSON at byte 1",
	    40) == 0);
	record_free(rec);
}

/* A chat completion of content with logprobs: one token a byte, each
 * with logprob lp. */
static void
answer_lp(struct row *r, const char *content, double lp)
{
	struct buf	 b = { 0 };
	char		 tok[64];
	size_t		 k;

	buf_adds(&b, "{\"choices\":[{\"message\":{\"content\":\"");
	buf_adds(&b, content);
	buf_adds(&b, "\"},\"logprobs\":{\"content\":[");
	for (k = 0; content[k] != '\0'; k++) {
		snprintf(tok, sizeof(tok), "%s{\"token\":\"%c\",\"logprob\":"
		    "%g}", k > 0 ? "," : "", content[k], lp);
		buf_adds(&b, tok);
	}
	buf_adds(&b, "]}}]}");
	buf_addc(&b, '\0');
	respond(r, 200, b.data);
	buf_free(&b);
}

static void
test_labels(void)
{
	struct record_config	 rc = { 0 };
	struct record		*rec;
	struct row		*r;
	char			 err[256];

	rc.request = chat;
	rc.idfield = "id";
	rc.field = "service";
	rc.errfield = "error";
	rc.labels = labels_new("S3,EC2", 6, ',', err, sizeof(err));
	rc.confidence = 1;
	rec = record_new(&rc);

	/* The label as the user spells it; the confidence of its bytes
	 * only, not of the period after it. */
	r = row("{\"id\":1,\"confidence\":\"old\"}", 1);
	answer_lp(r, " ec2.", -0.1);
	CHECK(record_response(rec, r, err, sizeof(err)) == RECORD_WRITTEN);
	CHECK_BUF(r->line, "{\"id\":1,\"confidence\":0.7408,"
	    "\"service\":\"EC2\"}\n");
	CHECK(r->label == 1);
	rows_put(rows, r);
	CHECK(labels_get(rc.labels, 1)->rows == 1);

	/* No logprobs: null, and a note once. */
	r = row("{\"id\":2}", 2);
	answer(r, "\"S3\"");
	CHECK(record_response(rec, r, err, sizeof(err)) == RECORD_WRITTEN);
	CHECK_BUF(r->line, "{\"id\":2,\"service\":\"S3\","
	    "\"confidence\":null}\n");
	CHECK(record_note(rec) != NULL);
	CHECK(record_note(rec) == NULL);
	rows_put(rows, r);

	/* Not a label: invalid, the answer kept for asking again, and in
	 * the error record at the end. */
	r = row("{\"id\":3}", 3);
	answer(r, "\"Lambda\"");
	CHECK(record_response(rec, r, err, sizeof(err)) == RECORD_INVALID);
	CHECK(strcmp(err, "the answer \"Lambda\" is not one of the labels; "
	    "answer with one label only") == 0);
	CHECK_BUF(r->kept, "\"Lambda\"");
	/* Asked again, it pays for both answers. */
	CHECK(r->prompt_tokens == 3 && r->completion_tokens == 1);
	r->reasks = 1;
	answer(r, "\"Lambda\"");
	CHECK(record_response(rec, r, err, sizeof(err)) == RECORD_INVALID);
	CHECK(r->prompt_tokens == 6 && r->completion_tokens == 2);
	rows_set_error(r, ROW_ERR_INVALID, 200);
	buf_adds(&r->msg, err);
	CHECK(record_error(rec, r) == 0);
	CHECK_BUF(r->line, "{\"id\":3,\"error\":{\"type\":\"invalid_answer\","
	    "\"status\":200,\"message\":\"the answer \\\"Lambda\\\" is "
	    "not one of the labels; answer with one label only\",\"answer\":"
	    "\"Lambda\",\"attempts\":2}}\n");
	rows_put(rows, r);
	CHECK(labels_get(rc.labels, 0)->rows == 1);
	CHECK(labels_get(rc.labels, 0)->scored == 0);
	record_free(rec);
	labels_free(rc.labels);
}

static void
test_confidence(void)
{
	struct record_config	 rc = { 0 };
	struct record		*rec;
	struct row		*r;
	char			 err[256];

	rc.request = chat;
	rc.idfield = "id";
	rc.field = "answer";
	rc.errfield = "error";
	rc.confidence = 1;
	rc.json = 1;
	rec = record_new(&rc);
	/* --json: of the whole answer, and it replaces the answer's own. */
	r = row("{\"id\":1}", 1);
	respond(r, 200, "{\"choices\":[{\"message\":{\"content\":"
	    "\"{\\\"confidence\\\":2}\"},\"logprobs\":{\"content\":["
	    "{\"token\":\"{\\\"confidence\\\"\",\"logprob\":-0.06},"
	    "{\"token\":\":2}\",\"logprob\":-0.06}]}}]}");
	CHECK(record_response(rec, r, err, sizeof(err)) == RECORD_WRITTEN);
	CHECK_BUF(r->line, "{\"id\":1,\"confidence\":0.8869}\n");
	rows_put(rows, r);
	record_free(rec);
}

static int
has(const struct buf *b, const char *s)
{
	return memmem(b->data, b->len, s, strlen(s)) != NULL;
}

/*
 * --escalate big --below 0.5: a less sure answer is to be escalated (its
 * label not counted); once escalated, _meta names the model that
 * answered and what the first one's answers took, each at its price.
 */
static void
test_escalate(void)
{
	struct price_rates	 small = { 1e6, 1e6, 1e6 }, big = { 1e7, 1e7,
				    1e7 };
	struct record_config	 rc = { 0 };
	struct record		*rec;
	struct row		*r;
	char			 err[256];

	rc.request = chat;
	rc.idfield = "id";
	rc.field = "service";
	rc.errfield = "error";
	rc.labels = labels_new("S3,EC2", 6, ',', err, sizeof(err));
	rc.confidence = 1;
	rc.meta = 1;
	rc.rates = &small;
	rc.model = "small";
	rc.escalate = "big";
	rc.escalate_rates = &big;
	rc.below = 0.5;
	rec = record_new(&rc);
	r = row("{\"id\":1}", 1);
	answer_lp(r, "S3", -0.5);
	CHECK(record_response(rec, r, err, sizeof(err)) == RECORD_ESCALATE);
	CHECK(r->confidence < 0.5);
	CHECK(labels_get(rc.labels, 0)->rows == 0);
	/* Its usage: 3 + 1 tokens at $1. */
	r->prompt_tokens = 3;
	r->completion_tokens = 1;
	r->cost_usd = 4;
	r->cost_estimated = 0;
	rows_escalate(r, ROW_ESC_CONFIDENCE);
	CHECK(r->prompt_tokens == -1 && r->cost_usd == -1 &&
	    r->confidence == -1 && r->escalated);
	/* Big is less sure still: its answer is written. */
	answer(r, "\"EC2\"");
	CHECK(record_response(rec, r, err, sizeof(err)) == RECORD_WRITTEN);
	CHECK_BUF(r->line, "{\"id\":1,\"service\":\"EC2\",\"confidence\":"
	    "null,\"_meta\":{\"attempts\":2,\"latency_ms\":42,"
	    "\"prompt_tokens\":3,\"completion_tokens\":1,\"cost_usd\":"
	    "40.000000,\"model\":\"big\",\"escalated\":{\"model\":"
	    "\"small\",\"because\":\"confidence\",\"confidence\":0.3679,"
	    "\"prompt_tokens\":3,\"completion_tokens\":1,\"cost_usd\":"
	    "4.000000}}}\n");
	CHECK(labels_get(rc.labels, 1)->rows == 1);
	rows_put(rows, r);
	/* Not escalated: the model that answered, and no more. */
	r = row("{\"id\":2}", 2);
	answer_lp(r, "S3", -0.1);
	CHECK(record_response(rec, r, err, sizeof(err)) == RECORD_WRITTEN);
	CHECK(has(&r->line, "\"cost_estimated\":true,\"model\":\"small\"}}"));
	rows_put(rows, r);
	/* After invalid answers: why, and no confidence. */
	r = row("{\"id\":3}", 3);
	rows_escalate(r, ROW_ESC_INVALID);
	answer(r, "\"S3\"");
	CHECK(record_response(rec, r, err, sizeof(err)) == RECORD_WRITTEN);
	CHECK(has(&r->line, "\"escalated\":{\"model\":\"small\","
	    "\"because\":\"invalid_answer\",\"prompt_tokens\":null,"
	    "\"completion_tokens\":null}"));
	rows_put(rows, r);
	record_free(rec);
	labels_free(rc.labels);
}

static void
test_schema(void)
{
	struct record_config	 rc = { 0 };
	struct record		*rec;
	struct row		*r;
	const char		*sch = "{\"type\":\"object\",\"properties\":"
				    "{\"n\":{\"type\":\"integer\"}},"
				    "\"required\":[\"n\"]}";
	char			 err[256];

	rc.request = chat;
	rc.idfield = "id";
	rc.field = "answer";
	rc.errfield = "error";
	rc.schema = schema_new(sch, strlen(sch), err, sizeof(err));
	CHECK(rc.schema != NULL);
	rec = record_new(&rc);
	/* Stored as a JSON value, compact, not as a string; a fence is
	 * dropped. */
	r = row("{\"id\":1}", 1);
	answer(r, "\"```json\\n{ \\\"n\\\": 2 }\\n```\"");
	CHECK(record_response(rec, r, err, sizeof(err)) == RECORD_WRITTEN);
	CHECK_BUF(r->line, "{\"id\":1,\"answer\":{\"n\":2}}\n");
	rows_put(rows, r);
	/* Not fitting: the validator's words, the answer kept. */
	r = row("{\"id\":2}", 2);
	answer(r, "\"{\\\"n\\\":\\\"two\\\"}\"");
	CHECK(record_response(rec, r, err, sizeof(err)) == RECORD_INVALID);
	CHECK(strcmp(err, "$.n: expected integer, got string") == 0);
	CHECK_BUF(r->kept, "\"{\\\"n\\\":\\\"two\\\"}\"");
	rows_put(rows, r);
	r = row("{\"id\":3}", 3);
	answer(r, "\"{}\"");
	CHECK(record_response(rec, r, err, sizeof(err)) == RECORD_INVALID);
	CHECK(strcmp(err, "$: missing required property \"n\"") == 0);
	rows_put(rows, r);
	record_free(rec);
	schema_free(rc.schema);
}

static void
test_meta(void)
{
	struct record	*rec = record(0, 1, 0);
	struct row	*r;
	char		 err[256];

	r = row("{\"id\":\"a\"}", 1);
	answer(r, "\"x\"");
	CHECK(record_response(rec, r, err, sizeof(err)) == RECORD_WRITTEN);
	CHECK_BUF(r->line, "{\"id\":\"a\",\"answer\":\"x\",\"_meta\":"
	    "{\"attempts\":1,\"latency_ms\":42,\"prompt_tokens\":3,"
	    "\"completion_tokens\":1}}\n");
	/* Usage not reported: null, not 0. */
	respond(r, 200, "{\"choices\":[{\"message\":{\"content\":\"y\"}}]}");
	CHECK(record_response(rec, r, err, sizeof(err)) == RECORD_WRITTEN);
	CHECK_BUF(r->line, "{\"id\":\"a\",\"answer\":\"y\",\"_meta\":"
	    "{\"attempts\":2,\"latency_ms\":42,\"prompt_tokens\":null,"
	    "\"completion_tokens\":null}}\n");
	rows_put(rows, r);

	/* A row that never got an attempt has no latency. */
	r = row("{\"id\":\"b\"}", 2);
	rows_set_error(r, ROW_ERR_NETWORK, 0);
	buf_adds(&r->msg, "x");
	CHECK(record_error(rec, r) == 0);
	CHECK_BUF(r->line, "{\"id\":\"b\",\"error\":{\"type\":\"network\","
	    "\"status\":null,\"message\":\"x\",\"attempts\":0},\"_meta\":"
	    "{\"attempts\":0,\"latency_ms\":null,\"prompt_tokens\":null,"
	    "\"completion_tokens\":null}}\n");
	rows_put(rows, r);
	record_free(rec);
}

static void
test_error(void)
{
	struct record_config	 rc = { 0 };
	struct record		*rec = record(0, 0, 0), *rec2;
	struct line		 ln;
	struct row		*r;

	r = row("{\"id\":1,\"text\":\"q\",\"error\":\"old\"}", 1);
	respond(r, 500, "oops");
	respond(r, 500, "oops");
	rows_set_error(r, ROW_ERR_HTTP, 500);
	buf_adds(&r->msg, "boom \"x\"\n");
	CHECK(record_error(rec, r) == 0);
	CHECK(r->failed);
	CHECK_BUF(r->line, "{\"id\":1,\"text\":\"q\",\"error\":{\"type\":"
	    "\"http\",\"status\":500,\"message\":\"boom \\\"x\\\"\\n\","
	    "\"attempts\":2}}\n");
	/* No status: null. */
	rows_set_error(r, ROW_ERR_TIMEOUT, 0);
	buf_adds(&r->msg, "slow");
	CHECK(record_error(rec, r) == 0);
	CHECK_BUF(r->line, "{\"id\":1,\"text\":\"q\",\"error\":{\"type\":"
	    "\"timeout\",\"status\":null,\"message\":\"slow\","
	    "\"attempts\":2}}\n");
	/* The error field's name is the caller's. */
	rc.request = chat;
	rc.idfield = "key";
	rc.field = "answer";
	rc.errfield = "err";
	rec2 = record_new(&rc);
	rows_set_error(r, ROW_ERR_PARSE, 200);
	CHECK(record_error(rec2, r) == 0);
	CHECK_BUF(r->line, "{\"id\":1,\"text\":\"q\",\"error\":\"old\","
	    "\"err\":{\"type\":\"parse\",\"status\":200,\"message\":\"\","
	    "\"attempts\":2}}\n");
	rows_put(rows, r);

	/* A line that is no row: its number is its ID. */
	r = rows_get(rows);
	ln = (struct line){ "[1, \"\xff\"]", 8, 9, 0 };
	rows_set_error(r, ROW_ERR_INPUT, 0);
	buf_adds(&r->msg, "not a JSON object");
	CHECK(record_input_error(rec, r, &ln) == 0);
	CHECK(r->failed);
	CHECK_BUF(r->line, "{\"id\":9,\"error\":{\"type\":\"input\",\"status\":"
	    "null,\"message\":\"not a JSON object\",\"attempts\":0},\"line\":"
	    "\"[1, \\\"\xef\xbf\xbd\\\"]\"}\n");
	CHECK_BUF(r->id, "9");
	CHECK(record_input_error(rec2, r, &ln) == 0);
	CHECK_BUF(r->line, "{\"key\":9,\"err\":{\"type\":\"input\",\"status\":"
	    "null,\"message\":\"not a JSON object\",\"attempts\":0},\"line\":"
	    "\"[1, \\\"\xef\xbf\xbd\\\"]\"}\n");
	CHECK_BUF(r->id, "9");
	rows_put(rows, r);
	record_free(rec2);
	record_free(rec);
}

static void
test_dry_run(void)
{
	struct record	*rec = record(0, 0, 0);
	struct row	*r;

	r = row("{\"id\":\"a\",\"text\":\"q\"}", 1);
	buf_adds(&r->body, "{\n  \"model\": \"m\",\n  \"n\": [1, 2]\n}");
	CHECK(record_dry_run(rec, r) == 0);
	CHECK_BUF(r->line, "{\"id\":\"a\",\"request\":{\"model\":\"m\","
	    "\"n\":[1,2]}}\n");
	CHECK(!r->failed);
	rows_put(rows, r);
	r = row("{\"text\":\"q\"}", 4);
	buf_adds(&r->body, "{}");
	CHECK(record_dry_run(rec, r) == 0);
	CHECK_BUF(r->line, "{\"id\":4,\"request\":{}}\n");
	rows_put(rows, r);
	record_free(rec);
}

static void
test_batch(void)
{
	struct record	*rec = record(0, 0, 1);
	struct row	*r;
	char		 err[256];

	r = row("{\"id\":\"c1\",\"body\":{}}", 3);
	answer(r, "\"hi\"");
	strlcpy(r->xfer.header[XH_REQUEST_ID], "req_1", XFER_HEADER_LEN);
	CHECK(record_response(rec, r, err, sizeof(err)) == RECORD_WRITTEN);
	CHECK(!r->failed);
	CHECK_BUF(r->line, "{\"id\":\"batch_req_3\",\"custom_id\":\"c1\","
	    "\"response\":{\"status_code\":200,\"request_id\":\"req_1\","
	    "\"body\":{\"choices\":[{\"message\":{\"content\":\"hi\"}}],"
	    "\"usage\":{\"prompt_tokens\":3,\"completion_tokens\":1}}},"
	    "\"error\":null}\n");
	CHECK(r->prompt_tokens == 3 && r->completion_tokens == 1);
	/* Any JSON is an answer here, but it must be JSON. */
	respond(r, 200, "{ \"data\" : [ ] }");
	CHECK(record_response(rec, r, err, sizeof(err)) == RECORD_WRITTEN);
	CHECK_BUF(r->line, "{\"id\":\"batch_req_3\",\"custom_id\":\"c1\","
	    "\"response\":{\"status_code\":200,\"request_id\":null,"
	    "\"body\":{\"data\":[]}},\"error\":null}\n");
	respond(r, 200, "{\"data\":");
	CHECK(record_response(rec, r, err, sizeof(err)) == RECORD_UNREADABLE);
	CHECK(strncmp(err, "response is not JSON: ", 22) == 0);

	/* A failure with a response is that response, as OpenAI writes it. */
	respond(r, 400, "{\"error\":{\"message\":\"bad\"}}");
	rows_set_error(r, ROW_ERR_HTTP, 400);
	buf_adds(&r->msg, "bad");
	CHECK(record_error(rec, r) == 0);
	CHECK(r->failed);
	CHECK_BUF(r->line, "{\"id\":\"batch_req_3\",\"custom_id\":\"c1\","
	    "\"response\":{\"status_code\":400,\"request_id\":null,"
	    "\"body\":{\"error\":{\"message\":\"bad\"}}},\"error\":null}\n");
	/* Without one, an error object. */
	r->xfer.result = XFER_NETWORK;
	rows_set_error(r, ROW_ERR_NETWORK, 0);
	buf_adds(&r->msg, "Connection refused");
	CHECK(record_error(rec, r) == 0);
	CHECK_BUF(r->line, "{\"id\":\"batch_req_3\",\"custom_id\":\"c1\","
	    "\"response\":null,\"error\":{\"code\":\"network\",\"message\":"
	    "\"Connection refused\"}}\n");
	rows_put(rows, r);

	/* A row that was never sent has no response to show. */
	r = row("{\"body\":{}}", 6);
	r->xfer.result = XFER_RESPONSE;
	rows_set_error(r, ROW_ERR_INPUT, 0);
	buf_adds(&r->msg, "batch line: no \"url\" path");
	CHECK(record_error(rec, r) == 0);
	CHECK_BUF(r->line, "{\"id\":\"batch_req_6\",\"custom_id\":6,"
	    "\"response\":null,\"error\":{\"code\":\"input\",\"message\":"
	    "\"batch line: no \\\"url\\\" path\"}}\n");
	rows_put(rows, r);
	record_free(rec);
}

int
main(void)
{
	struct tmpl	*t;
	char		 err[128];

	rows = rows_new();
	json = json_new();
	t = tmpl_compile("{{text}}", 8, 0, err, sizeof(err));
	chat = request_new("m", NULL, t, NULL, 0, err, sizeof(err));
	CHECK(rows != NULL && json != NULL && chat != NULL);
	test_answer();
	test_json();
	test_labels();
	test_confidence();
	test_escalate();
	test_schema();
	test_meta();
	test_error();
	test_dry_run();
	test_batch();
	record_free(NULL);
	request_free(chat);
	tmpl_free(t);
	json_free(json);
	rows_free(rows);
	return check_done("test_record");
}
