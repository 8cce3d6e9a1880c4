/*
 * A batch's rows made again with their results: a spool written by hand
 * (leaders, a follower, a row with a body of its own) and a results file
 * in another order; each row comes back in the spool's order with its
 * own input, counts and body, and as its xfer the result line of its
 * own custom_id or its leader's: a response, an error line with no
 * response, a request its batch never ran, one with no line at all.  A
 * resume passes over the records written; a file that is no spool is
 * said.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "batchanswer.h"
#include "check.h"
#include "prov_openai.h"
#include "record.h"
#include "request.h"
#include "spool.h"
#include "template.h"

static char	 dir[] = "/tmp/test_batchanswer.XXXXXX";
static char	 spool[128], results[128];

struct harness {
	struct tmpl	*user;
	struct request	*req;
	struct record	*record;
	struct input	*input;
	struct rows	*rows;
};

static void
start(struct harness *h)
{
	struct record_config	 rc = { 0 };
	struct input_config	 ic = { 0 };
	char			 e[256];

	memset(h, 0, sizeof(*h));
	h->user = tmpl_compile("{{q}}", 5, TMPL_ESCAPES, e, sizeof(e));
	h->req = request_new("m", NULL, h->user, NULL, 0, e, sizeof(e));
	rc.request = ic.request = h->req;
	rc.idfield = ic.idfield = "id";
	rc.field = "answer";
	rc.errfield = ic.errfield = "error";
	h->record = record_new(&rc);
	h->input = input_new(&ic, h->record);
	h->rows = rows_new();
}

static void
stop(struct harness *h)
{
	rows_free(h->rows);
	input_free(h->input);
	record_free(h->record);
	request_free(h->req);
	tmpl_free(h->user);
}

/* Spool records: seq, lead (-1: leads), retries; a body of its own for
 * the row whose retries is 2 (a re-ask's). */
static void
write_spool(const int (*recs)[3], int n)
{
	struct spool_row	 sr;
	struct row		 r;
	struct buf		 scratch = { 0 };
	char			 text[64];
	FILE			*fp;
	int			 k;

	if ((fp = fopen(spool, "w")) == NULL)
		abort();
	for (k = 0; k < n; k++) {
		memset(&r, 0, sizeof(r));
		r.seq = recs[k][0];
		r.lineno = recs[k][0] + 1;
		r.retries = recs[k][2];
		r.reserved = 0.5;
		snprintf(text, sizeof(text), "{\"id\":%d,\"q\":\"q%d\"}",
		    recs[k][0], recs[k][0]);
		buf_adds(&r.text, text);
		buf_adds(&r.body, "{\"messages\":[\"again\"]}");
		spool_of_row(&sr, &r, recs[k][1], recs[k][2] == 2);
		if (spool_put(fileno(fp), &sr, &scratch) == -1)
			abort();
		buf_free(&r.text);
		buf_free(&r.body);
	}
	buf_free(&scratch);
	fclose(fp);
}

static void
write_results(const char *text)
{
	FILE	*fp;

	if ((fp = fopen(results, "w")) == NULL)
		abort();
	fputs(text, fp);
	fclose(fp);
}

#define OK(id, answer)	"{\"id\":\"r\",\"custom_id\":\"" id "\",\"response\":" \
	"{\"status_code\":200,\"body\":{\"choices\":[{\"message\":{\"content\":" \
	"\"" answer "\"}}]}},\"error\":null}\n"

static void
test_rows(void)
{
	static const int	 recs[][3] = {
		{ 0, -1, 0 },	/* answered */
		{ 1, 0, 0 },	/* follows row 0 */
		{ 2, -1, 2 },	/* its own body; a 400 */
		{ 3, -1, 0 },	/* an error line, no response */
		{ 4, -1, 1 },	/* expired: never ran */
		{ 5, -1, 0 },	/* no line at all */
	};
	struct harness		 h;
	struct batchanswer	*a;
	struct row		*r;
	char			 e[256];
	size_t			 leaders, answered;
	int			 got;

	start(&h);
	write_spool(recs, 6);
	write_results("{\"custom_id\":\"5\",\"response\":null,\"error\":{\"code\":"
	    "\"batch_expired\",\"message\":\"late\"}}\n"
	    "{\"custom_id\":\"4\",\"response\":null,\"error\":{\"code\":"
	    "\"server_error\",\"message\":\"oops\"}}\n"
	    "{\"custom_id\":\"3\",\"response\":{\"status_code\":400,\"body\":"
	    "{\"error\":{}}},\"error\":null}\n"
	    OK("1", "one")
	    "{\"custom_id\":\"user-7\"}\n");
	CHECK((a = batchanswer_new(h.rows, h.input, 1 << 20,
	    &openai_batch)) != NULL);
	CHECK(batchanswer_open(a, spool, results, 0, e, sizeof(e)) == 0);
	CHECK(batchanswer_bad(a) == 1);

	CHECK((r = batchanswer_next(a, &got, e, sizeof(e))) != NULL);
	CHECK(got == 1 && r->seq == 0 && !r->shared && r->attempts == 1);
	CHECK(r->xfer.result == XFER_RESPONSE && r->xfer.status == 200);
	CHECK(strstr(r->xfer.resp.data, "\"one\"") != NULL);
	CHECK(r->reserved == 0.5);
	CHECK_BUF(r->text, "{\"id\":0,\"q\":\"q0\"}");
	rows_put(h.rows, r);

	CHECK((r = batchanswer_next(a, &got, e, sizeof(e))) != NULL);
	CHECK(got == 1 && r->seq == 1 && r->shared);
	CHECK(strstr(r->xfer.resp.data, "\"one\"") != NULL);
	rows_put(h.rows, r);

	CHECK((r = batchanswer_next(a, &got, e, sizeof(e))) != NULL);
	CHECK(got == 1 && r->seq == 2 && r->xfer.status == 400);
	CHECK(r->retries == 2);
	CHECK_BUF(r->body, "{\"messages\":[\"again\"]}");
	CHECK(r->xfer.body == r->body.data);
	rows_put(h.rows, r);

	CHECK((r = batchanswer_next(a, &got, e, sizeof(e))) != NULL);
	CHECK(got == 1 && r->seq == 3 && r->xfer.result == XFER_NETWORK);
	CHECK(strcmp(r->xfer.error, "server_error: oops") == 0);
	rows_put(h.rows, r);

	/* Never ran, or no line: the caller's to send again. */
	CHECK((r = batchanswer_next(a, &got, e, sizeof(e))) != NULL);
	CHECK(got == 0 && r->seq == 4 && r->retries == 1 && r->attempts == 0);
	rows_put(h.rows, r);
	CHECK((r = batchanswer_next(a, &got, e, sizeof(e))) != NULL);
	CHECK(got == 0 && r->seq == 5);
	rows_put(h.rows, r);

	CHECK(!batchanswer_eof(a));
	CHECK(batchanswer_next(a, &got, e, sizeof(e)) == NULL && e[0] ==
	    '\0');
	CHECK(batchanswer_eof(a) && batchanswer_line(a) == 6);
	batchanswer_counts(a, &leaders, &answered);
	CHECK(leaders == 5 && answered == 3);

	/* A resume after four were written: the last two. */
	CHECK(batchanswer_open(a, spool, results, 4, e, sizeof(e)) == 0);
	CHECK((r = batchanswer_next(a, &got, e, sizeof(e))) != NULL);
	CHECK(r->seq == 4 && batchanswer_line(a) == 5);
	rows_put(h.rows, r);
	batchanswer_close(a);
	CHECK(batchanswer_eof(a));

	/* Files that are not there, or no spool. */
	CHECK(batchanswer_open(a, "/nonexistent", results, 0, e,
	    sizeof(e)) == -1 && strstr(e, "/nonexistent: No such") != NULL);
	write_results("");
	{
		FILE	*fp = fopen(spool, "w");

		fputs("this is not a spool\n", fp);
		fclose(fp);
	}
	CHECK(batchanswer_open(a, spool, results, 0, e, sizeof(e)) == 0);
	CHECK(batchanswer_next(a, &got, e, sizeof(e)) == NULL);
	CHECK(strstr(e, "not a spool") != NULL);
	batchanswer_free(a);
	stop(&h);
}

int
main(void)
{
	if (mkdtemp(dir) == NULL)
		return 1;
	snprintf(spool, sizeof(spool), "%s/spool.0", dir);
	snprintf(results, sizeof(results), "%s/results.0", dir);
	test_rows();
	unlink(spool);
	unlink(results);
	rmdir(dir);
	return check_done("test_batchanswer");
}
