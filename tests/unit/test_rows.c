#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "rows.h"

/* A row put back comes back clean, its small buffers kept, its large
 * ones freed. */
static void
test_recycle(void)
{
	struct rows	*rs = rows_new();
	struct row	*r, *r2;
	char		*big;
	size_t		 cap;

	CHECK(rs != NULL);
	r = rows_get(rs);
	CHECK(r != NULL && r->xfer.udata == r);
	CHECK(r->attempts == 0 && r->prompt_tokens == -1 &&
	    r->completion_tokens == -1 && r->text.len == 0);
	r->attempts = 3;
	r->retries = 2;
	r->ratelimits = 5;
	r->parse_retried = 1;
	r->failed = 1;
	r->cost = 99;
	r->prompt_bytes = 400;
	r->prompt_tokens = 10;
	r->completion_tokens = 20;
	CHECK(buf_adds(&r->text, "{\"a\":1}") == 0);
	CHECK(buf_adds(&r->id, "7") == 0);
	CHECK(buf_adds(&r->body, "{\"model\":\"m\"}") == 0);
	CHECK(buf_adds(&r->url, "http://x/v1/embeddings") == 0);
	r->xfer.url = r->url.data;
	CHECK(buf_adds(&r->line, "{\"a\":1,\"answer\":2}\n") == 0);
	CHECK(buf_adds(&r->msg, "boom") == 0);
	cap = r->text.cap;
	rows_put(rs, r);

	r2 = rows_get(rs);
	CHECK(r2 == r);
	CHECK(r->attempts == 0 && r->retries == 0 && r->ratelimits == 0 &&
	    r->parse_retried == 0 && r->failed == 0);
	CHECK(r->cost == 0 && r->prompt_bytes == 0);
	CHECK(r->prompt_tokens == -1 && r->completion_tokens == -1);
	CHECK(r->text.len == 0 && r->id.len == 0 && r->body.len == 0 &&
	    r->url.len == 0 && r->line.len == 0 && r->msg.len == 0);
	CHECK(r->xfer.url == NULL && r->xfer.udata == r);
	/* Kept for the next row. */
	CHECK(r->text.cap == cap && r->text.data != NULL);

	/* One huge row does not pin its memory. */
	if ((big = malloc(2 * 1024 * 1024)) == NULL)
		abort();
	memset(big, 'x', 2 * 1024 * 1024);
	CHECK(buf_add(&r->text, big, 2 * 1024 * 1024) == 0);
	CHECK(buf_add(&r->xfer.resp, big, 2 * 1024 * 1024) == 0);
	CHECK(buf_adds(&r->body, "small") == 0);
	rows_put(rs, r);
	CHECK(r->text.cap == 0 && r->text.data == NULL);
	CHECK(r->xfer.resp.cap == 0);
	CHECK(r->body.cap > 0);
	free(big);

	/* Two out at once are two rows. */
	r = rows_get(rs);
	r2 = rows_get(rs);
	CHECK(r != NULL && r2 != NULL && r != r2);
	CHECK(r2->xfer.udata == r2);
	rows_put(rs, r);
	rows_put(rs, r2);
	rows_free(rs);
	rows_free(NULL);
}

static struct row *
waiting(struct rows *rs, long long due, uint64_t lineno)
{
	struct row	*r = rows_get(rs);

	if (r == NULL)
		abort();
	r->due = due;
	r->lineno = lineno;
	rows_wait(rs, r);
	return r;
}

/* The rows waiting for a retry come back in due order, and by line
 * number when due together. */
static void
test_wait(void)
{
	struct rows	*rs = rows_new();
	struct row	*a, *b, *c, *d, *e;

	CHECK(rows_waiting(rs) == 0 && rows_next_due(rs) == -1);
	CHECK(rows_due(rs, 1000000) == NULL && rows_pop(rs) == NULL);
	a = waiting(rs, 300, 1);
	b = waiting(rs, 100, 9);
	c = waiting(rs, 200, 3);
	d = waiting(rs, 100, 2);
	e = waiting(rs, 500, 4);
	CHECK(rows_waiting(rs) == 5);
	CHECK(rows_next_due(rs) == 100);
	CHECK(rows_due(rs, 99) == NULL);
	CHECK(rows_waiting(rs) == 5);
	CHECK(rows_due(rs, 100) == d);
	CHECK(rows_due(rs, 100) == b);
	CHECK(rows_due(rs, 150) == NULL);
	CHECK(rows_waiting(rs) == 3 && rows_next_due(rs) == 200);
	/* rows_pop takes the first, due or not. */
	CHECK(rows_pop(rs) == c);
	CHECK(rows_waiting(rs) == 2 && rows_next_due(rs) == 300);
	/* Back to wait again, later. */
	d->due = 400;
	rows_wait(rs, d);
	CHECK(rows_waiting(rs) == 3);
	CHECK(rows_due(rs, 1000) == a);
	CHECK(rows_due(rs, 1000) == d);
	CHECK(rows_next_due(rs) == 500);
	CHECK(rows_pop(rs) == e);
	CHECK(rows_pop(rs) == NULL && rows_due(rs, 1000) == NULL);
	CHECK(rows_waiting(rs) == 0 && rows_next_due(rs) == -1);
	rows_put(rs, a);
	rows_put(rs, d);
	rows_put(rs, e);
	/* Rows still waiting, or anywhere, are freed with the rest. */
	waiting(rs, 10, 1);
	(void)rows_get(rs);
	rows_free(rs);
}

static void
test_errors(void)
{
	struct row	 r = { 0 };

	CHECK(strcmp(rows_error_name(ROW_ERR_HTTP), "http") == 0);
	CHECK(strcmp(rows_error_name(ROW_ERR_NETWORK), "network") == 0);
	CHECK(strcmp(rows_error_name(ROW_ERR_TIMEOUT), "timeout") == 0);
	CHECK(strcmp(rows_error_name(ROW_ERR_PARSE), "parse") == 0);
	CHECK(strcmp(rows_error_name(ROW_ERR_TEMPLATE), "template") == 0);
	CHECK(strcmp(rows_error_name(ROW_ERR_INPUT), "input") == 0);
	/* Setting an error starts its message afresh. */
	CHECK(buf_adds(&r.msg, "old") == 0);
	rows_set_error(&r, ROW_ERR_HTTP, 503);
	CHECK(r.error == ROW_ERR_HTTP && r.status == 503 && r.msg.len == 0);
	rows_set_error(&r, ROW_ERR_TIMEOUT, 0);
	CHECK(r.error == ROW_ERR_TIMEOUT && r.status == 0);
	buf_free(&r.msg);
}

int
main(void)
{
	test_recycle();
	test_wait();
	test_errors();
	return check_done("test_rows");
}
