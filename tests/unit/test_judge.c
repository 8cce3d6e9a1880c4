/*
 * judge.c: what a response says about its row, apart from the line that
 * record.c writes of it (test_record.c covers the two together): the
 * fields it gives, the tokens and dollars it sets, what it finds wrong.
 */
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "judge.h"

static struct rows	*rows;
static struct request	*chat;

static struct row *
row(void)
{
	struct row	*r = rows_get(rows);

	buf_adds(&r->text, "{\"id\":1}");
	buf_adds(&r->id, "1");
	return r;
}

/* A response to the row's one attempt, as the pool gives it. */
static void
respond(struct row *r, const char *body)
{
	buf_reset(&r->xfer.resp);
	buf_adds(&r->xfer.resp, body);
	r->xfer.result = XFER_RESPONSE;
	r->xfer.status = 200;
	r->attempts++;
}

static struct judge *
judge(struct judge_config *jc)
{
	jc->request = chat;
	jc->field = "answer";
	jc->idfield = "id";
	jc->errfield = "error";
	return judge_new(jc);
}

/* The n'th field given, as "name=value". */
static int
field_is(const struct judged *out, size_t n, const char *want)
{
	char	 got[256];

	if (n >= out->n)
		return 0;
	snprintf(got, sizeof(got), "%.*s=%.*s", (int)out->fields[n].namelen,
	    out->fields[n].name, (int)out->fields[n].valuelen,
	    out->fields[n].value);
	return strcmp(got, want) == 0;
}

static void
test_plain(void)
{
	struct judge_config	 jc = { 0 };
	struct price_rates	 rates = { 2e6, 1e6, 4e6 };	/* $ a token */
	struct judge		*j;
	struct judged		 out;
	struct row		*r;
	char			 err[256];

	jc.rates = &rates;
	j = judge(&jc);
	r = row();
	respond(r, "{\"choices\":[{\"message\":{\"content\":\"hi\"}}],"
	    "\"usage\":{\"prompt_tokens\":3,\"completion_tokens\":1,"
	    "\"prompt_tokens_details\":{\"cached_tokens\":1}}}");
	CHECK(judge_response(j, r, &out, err, sizeof(err)) == JUDGE_ANSWER);
	/* The answer as it came, under -o; no line is written here. */
	CHECK(out.n == 1 && field_is(&out, 0, "answer=\"hi\""));
	CHECK(!out.unsure);
	CHECK(r->line.len == 0);
	CHECK(r->prompt_tokens == 3 && r->completion_tokens == 1 &&
	    r->cached_tokens == 1);
	/* 2 prompt tokens at $2, 1 cached at $1, 1 completion at $4. */
	CHECK(r->cost_usd == 9 && r->attempt_usd == 9 && !r->cost_estimated);

	/* No usage: the dollars estimated, and said to be. */
	respond(r, "{\"choices\":[{\"message\":{\"content\":\"12345678\"}}]}");
	CHECK(judge_response(j, r, &out, err, sizeof(err)) == JUDGE_ANSWER);
	CHECK(r->cost_estimated && r->cost_usd > 0);

	/* Refused, cut, unreadable: no fields, and why. */
	respond(r, "{\"choices\":[{\"message\":{\"content\":null,"
	    "\"refusal\":\"no\"}}]}");
	CHECK(judge_response(j, r, &out, err, sizeof(err)) == JUDGE_REFUSED);
	CHECK(strcmp(err, "no") == 0 && out.n == 0);
	respond(r, "{\"choices\":[{\"message\":{\"content\":\"par\"},"
	    "\"finish_reason\":\"length\"}]}");
	CHECK(judge_response(j, r, &out, err, sizeof(err)) ==
	    JUDGE_TRUNCATED);
	CHECK_BUF(r->kept, "\"par\"");
	respond(r, "{\"error\":{\"message\":\"busy\"}}");
	CHECK(judge_response(j, r, &out, err, sizeof(err)) ==
	    JUDGE_UNREADABLE);
	CHECK(strcmp(err, "HTTP 200 with an error: busy") == 0);
	rows_put(rows, r);
	judge_free(j);
}

static void
test_members(void)
{
	struct judge_config	 jc = { 0 };
	struct judge		*j;
	struct judged		 out;
	struct row		*r;
	char			 err[256];

	jc.json = 1;
	jc.meta = 1;
	j = judge(&jc);
	r = row();
	/* Keys decoded, values compact, the last of two the same key's. */
	respond(r, "{\"choices\":[{\"message\":{\"content\":"
	    "\"{\\\"l\\\\u0061bel\\\": [1, 2], \\\"b\\\":2, "
	    "\\\"label\\\":3}\"}}]}");
	CHECK(judge_response(j, r, &out, err, sizeof(err)) == JUDGE_ANSWER);
	CHECK(out.n == 2 && field_is(&out, 0, "label=3") &&
	    field_is(&out, 1, "b=2"));
	/* What the row keeps for itself: -i, --error-field, _meta. */
	respond(r, "{\"choices\":[{\"message\":{\"content\":"
	    "\"{\\\"_meta\\\":1}\"}}]}");
	CHECK(judge_response(j, r, &out, err, sizeof(err)) == JUDGE_INVALID);
	CHECK(strcmp(err, "the answer sets \"_meta\", a field the row keeps "
	    "for itself") == 0);
	CHECK_BUF(r->kept, "\"{\\\"_meta\\\":1}\"");
	respond(r, "{\"choices\":[{\"message\":{\"content\":\"[]\"}}]}");
	CHECK(judge_response(j, r, &out, err, sizeof(err)) == JUDGE_INVALID);
	rows_put(rows, r);
	judge_free(j);
}

/* --labels with --below: an unsure label is not counted until final. */
static void
test_labels(void)
{
	struct judge_config	 jc = { 0 };
	struct judge		*j;
	struct judged		 out;
	struct row		*r;
	char			 err[256];

	jc.labels = labels_new("yes,no", 6, ',', err, sizeof(err));
	jc.confidence = 1;
	jc.below = 0.9;
	j = judge(&jc);
	r = row();
	respond(r, "{\"choices\":[{\"message\":{\"content\":\"No\"},"
	    "\"logprobs\":{\"content\":[{\"token\":\"No\","
	    "\"logprob\":-0.5}]}}]}");
	CHECK(judge_response(j, r, &out, err, sizeof(err)) == JUDGE_ANSWER);
	CHECK(field_is(&out, 0, "answer=\"no\"") && out.unsure);
	CHECK(r->label == 1 && r->confidence > 0.6 && r->confidence < 0.61);
	CHECK(labels_get(jc.labels, 1)->rows == 0);
	respond(r, "{\"choices\":[{\"message\":{\"content\":\"yes\"},"
	    "\"logprobs\":{\"content\":[{\"token\":\"yes\","
	    "\"logprob\":0}]}}]}");
	CHECK(judge_response(j, r, &out, err, sizeof(err)) == JUDGE_ANSWER);
	CHECK(!out.unsure && labels_get(jc.labels, 0)->rows == 1);
	CHECK(judge_note(j) == NULL);
	/* No logprobs: a note, once. */
	respond(r, "{\"choices\":[{\"message\":{\"content\":\"yes\"}}]}");
	CHECK(judge_response(j, r, &out, err, sizeof(err)) == JUDGE_ANSWER);
	CHECK(r->confidence == -1 && !out.unsure);
	CHECK(judge_note(j) != NULL && judge_note(j) == NULL);
	rows_put(rows, r);
	judge_free(j);
	labels_free(jc.labels);
}

/* --batch-output: any JSON is the answer; its usage where it says. */
static void
test_raw(void)
{
	struct judge_config	 jc = { 0 };
	struct judge		*j;
	struct row		*r;
	char			 err[256];

	j = judge(&jc);
	r = row();
	respond(r, "{\"choices\":[{\"message\":{\"content\":\"a\"}}],"
	    "\"usage\":{\"prompt_tokens\":7,\"completion_tokens\":1}}");
	CHECK(judge_raw(j, r, err, sizeof(err)) == JUDGE_ANSWER);
	CHECK(r->prompt_tokens == 7 && r->completion_tokens == 1);
	respond(r, "{\"data\":[1]}");
	CHECK(judge_raw(j, r, err, sizeof(err)) == JUDGE_ANSWER);
	respond(r, "<html>");
	CHECK(judge_raw(j, r, err, sizeof(err)) == JUDGE_UNREADABLE);
	CHECK(strncmp(err, "response is not JSON: ", 22) == 0);
	rows_put(rows, r);
	judge_free(j);
}

int
main(void)
{
	struct tmpl	*t;
	char		 err[128];

	rows = rows_new();
	t = tmpl_compile("{{text}}", 8, 0, err, sizeof(err));
	chat = request_new("m", NULL, t, NULL, 0, err, sizeof(err));
	CHECK(rows != NULL && chat != NULL);
	test_plain();
	test_members();
	test_labels();
	test_raw();
	judge_free(NULL);
	request_free(chat);
	tmpl_free(t);
	rows_free(rows);
	return check_done("test_judge");
}
