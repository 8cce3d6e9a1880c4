#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "json.h"
#include "stats.h"

/* The buffer as a C string: a NUL after it, not counted. */
static const char *
str(struct buf *b)
{
	if (buf_addc(b, '\0') == -1)
		abort();
	b->len--;
	return b->data;
}

static void
test_add(void)
{
	uint64_t	 v = 0;

	stats_add(&v, 5);
	CHECK(v == 5);
	/* Not reported (-1), or nonsense: nothing added. */
	stats_add(&v, -1);
	stats_add(&v, -1000000);
	stats_add(&v, 0);
	CHECK(v == 5);
	/* Absurd usage stops at the top instead of wrapping. */
	v = UINT64_MAX - 5;
	stats_add(&v, 5);
	CHECK(v == UINT64_MAX);
	stats_add(&v, 1);
	CHECK(v == UINT64_MAX);
	v = UINT64_MAX - 5;
	stats_add(&v, 10);
	CHECK(v == UINT64_MAX);
	v = 0;
	stats_add(&v, INT64_MAX);
	stats_add(&v, INT64_MAX);
	CHECK(v == UINT64_MAX - 1);
	stats_add(&v, INT64_MAX);
	CHECK(v == UINT64_MAX);
}

static void
test_summary(void)
{
	struct stats	 st = { 0 };
	struct buf	 b = { 0 };
	char		 line[512], err[128];

	/* No time yet: no division by zero. */
	stats_summary(&st, 0, line, sizeof(line));
	CHECK(strcmp(line, "0 rows in 0.0 s (0.0/s): 0 ok, 0 failed, 0 "
	    "skipped; 0 retries, 0 429s; tokens 0 in, 0 out") == 0);

	st.ok = 100;
	st.rows_read = 120;
	st.skipped = 20;
	stats_summary(&st, 10000, line, sizeof(line));
	CHECK(strcmp(line, "100 rows in 10.0 s (10.0/s): 100 ok, 0 failed, "
	    "20 skipped; 0 retries, 0 429s; tokens 0 in, 0 out") == 0);
	CHECK(stats_json(&st, 10000, &b) == 0);
	CHECK(b.len > 0 && b.data[b.len - 1] == '\n');
	CHECK(json_validate(b.data, b.len - 1, err, sizeof(err)) == 0);
	CHECK(strstr(str(&b), "\"rows_ok\":100,") != NULL);
	CHECK(strstr(str(&b), "\"rows_skipped\":20,") != NULL);
	CHECK(strstr(str(&b), "\"connections\":0,") != NULL);
	CHECK(strstr(str(&b), "\"wall_seconds\":10.000,") != NULL);
	CHECK(strstr(str(&b), "\"rows_per_second\":10.00,") != NULL);
	CHECK(strstr(str(&b), "\"paced_rps\":null,") != NULL);

	/* Paced by -j auto or after a 429: at what rate, in the end. */
	st.paced = 49.25;
	stats_summary(&st, 10000, line, sizeof(line));
	CHECK(strcmp(line, "100 rows in 10.0 s (10.0/s): 100 ok, 0 failed, "
	    "20 skipped; 0 retries, 0 429s; tokens 0 in, 0 out; paced at 49.2 "
	    "requests/s") == 0);
	buf_reset(&b);
	CHECK(stats_json(&st, 10000, &b) == 0);
	CHECK(json_validate(b.data, b.len - 1, err, sizeof(err)) == 0);
	CHECK(strstr(str(&b), "\"paced_rps\":49.25,") != NULL);

	/* Every count, the largest too. */
	st.failed = 3;
	st.retries = 7;
	st.http429 = 4;
	st.connections = 2;
	st.prompt_tokens = UINT64_MAX;
	st.completion_tokens = 12;
	st.paced = 0;
	stats_summary(&st, 10000, line, sizeof(line));
	CHECK(strcmp(line, "103 rows in 10.0 s (10.3/s): 100 ok, 3 failed, "
	    "20 skipped; 7 retries, 4 429s; tokens 18446744073709551615 in, "
	    "12 out") == 0);
	buf_reset(&b);
	CHECK(stats_json(&st, 10000, &b) == 0);
	CHECK(json_validate(b.data, b.len - 1, err, sizeof(err)) == 0);
	CHECK_BUF(b, "{\"rows_ok\":100,\"rows_failed\":3,\"rows_skipped\":20,"
	    "\"rows_outside_sample\":0,\"retries\":7,\"reasks\":0,\"http_429\":4,\"prompt_tokens\":"
	    "18446744073709551615,\"completion_tokens\":12,\"cached_tokens\":0,"
	    "\"connections\":2,"
	    "\"paced_rps\":null,\"paced_tps\":null,\"wall_seconds\":10.000,\"rows_per_second\":"
	    "10.30,\"cache_hits\":0,\"shared\":0,"
	    "\"cost_usd\":null,\"cost_estimated_usd\":null}\n");
	/* Several endpoints: a line each, and an array in the JSON. */
	{
		struct stats_endpoint ep[2] = {
			{ "http://a/v1", 3, 1, 300, 0 },
			{ "http://b/v1", 0, 5, 0, 2 } };

		st.endpoints = ep;
		st.nendpoints = 2;
		stats_endpoint_line(&st, 0, line, sizeof(line));
		CHECK(strcmp(line, "http://a/v1: 3 rows, 1 errors, latency "
		    "100 ms, set aside 0 times") == 0);
		stats_endpoint_line(&st, 1, line, sizeof(line));
		CHECK(strcmp(line, "http://b/v1: 0 rows, 5 errors, latency "
		    "0 ms, set aside 2 times") == 0);
		buf_reset(&b);
		CHECK(stats_json(&st, 10000, &b) == 0);
		CHECK(json_validate(b.data, b.len - 1, err, sizeof(err)) == 0);
		CHECK(strstr(str(&b), "\"rows_per_second\":10.30,\"cache_hits\":0,\"shared\":0,"
		    "\"cost_usd\":null,\"cost_estimated_usd\":null,"
		    "\"endpoints\":"
		    "[{\"url\":\"http://a/v1\",\"rows\":3,\"errors\":1,"
		    "\"latency_ms\":100.0,\"set_aside\":0},{\"url\":"
		    "\"http://b/v1\",\"rows\":0,\"errors\":5,\"latency_ms\":0.0,"
		    "\"set_aside\":2}]}\n") != NULL);
		st.endpoints = NULL;
		st.nendpoints = 0;
	}
	/* Cut short to fit, still a string. */
	stats_summary(&st, 10000, line, 20);
	CHECK(strlen(line) == 19);

	/* Tokens read from a prompt cache (Anthropic's), where there were. */
	st.prompt_tokens = 5000;
	st.cached_tokens = 4500;
	stats_summary(&st, 10000, line, sizeof(line));
	CHECK(strcmp(line, "103 rows in 10.0 s (10.3/s): 100 ok, 3 failed, "
	    "20 skipped; 7 retries, 4 429s; tokens 5000 in, 12 out (4500 in "
	    "from the cache)") == 0);
	buf_reset(&b);
	CHECK(stats_json(&st, 10000, &b) == 0);
	CHECK(strstr(str(&b), "\"cached_tokens\":4500,") != NULL);
	/* Dollars, when the prices are known; what was not paid for. */
	st.priced = 1;
	st.cost_usd = 0.0123456;
	st.cache_hits = 5;
	st.shared = 2;
	st.cached_tokens = 300;
	stats_summary(&st, 10000, line, sizeof(line));
	CHECK(strstr(line, "; 5 rows from --cache, 2 shared; cost $0.0123") !=
	    NULL);
	buf_reset(&b);
	CHECK(stats_json(&st, 10000, &b) == 0);
	CHECK(json_validate(b.data, b.len - 1, err, sizeof(err)) == 0);
	CHECK(strstr(str(&b), "\"cached_tokens\":300,") != NULL);
	CHECK(strstr(str(&b), "\"cache_hits\":5,\"shared\":2,"
	    "\"cost_usd\":0.012346,\"cost_estimated_usd\":0.000000}") !=
	    NULL);
	/* Part of it estimated: answers that said no usage. */
	st.cost_estimated_usd = 0.002;
	stats_summary(&st, 10000, line, sizeof(line));
	CHECK(strstr(line, "; cost $0.0123 ($0.0020 of it estimated: answers "
	    "without usage)") != NULL);
	buf_reset(&b);
	CHECK(stats_json(&st, 10000, &b) == 0);
	CHECK(strstr(str(&b), "\"cost_usd\":0.012346,"
	    "\"cost_estimated_usd\":0.002000") != NULL);
	st.cost_estimated_usd = 0;
	/* Unknown: why, once, at the end; JSON says null. */
	st.priced = 0;
	st.unpriced = "no price for my-model";
	stats_summary(&st, 10000, line, sizeof(line));
	CHECK(strstr(line, "; 5 rows from --cache, 2 shared; cost unknown: no "
	    "price for my-model") != NULL);
	CHECK(strstr(line, "cost $") == NULL);
	buf_reset(&b);
	CHECK(stats_json(&st, 10000, &b) == 0);
	CHECK(strstr(str(&b), "\"cost_usd\":null") != NULL);
	st.unpriced = NULL;
	/* --sample: the rows outside it. */
	st.outside = 900;
	stats_summary(&st, 10000, line, sizeof(line));
	CHECK(strstr(line, " (300 in from the cache); 900 outside the "
	    "sample;") != NULL);
	buf_reset(&b);
	CHECK(stats_json(&st, 10000, &b) == 0);
	CHECK(strstr(str(&b), "\"rows_skipped\":20,\"rows_outside_sample\":"
	    "900,") != NULL);
	buf_free(&b);
}

/* --escalate: the rows escalated, and each model's dollars. */
static void
test_escalate(void)
{
	struct stats		 st = { 0 };
	struct stats_prices	 pr = { 100, 0.15, 0.60, 0, 0, "big", 2.5,
				    10 };
	struct buf		 b = { 0 };
	char			 line[512], err[128];

	st.ok = 10;
	st.models[0] = "small";
	st.models[1] = "big";
	st.escalated = 2;
	stats_summary(&st, 1000, line, sizeof(line));
	CHECK(strstr(line, "; 2 escalated to big") != NULL);
	CHECK(strstr(line, "cost") == NULL);
	CHECK(stats_json(&st, 1000, &b) == 0);
	CHECK(json_validate(b.data, b.len - 1, err, sizeof(err)) == 0);
	CHECK(strstr(str(&b), ",\"escalated\":2,\"models\":[{\"model\":"
	    "\"small\",\"cost_usd\":null},{\"model\":\"big\",\"cost_usd\":"
	    "null}]") != NULL);
	st.priced = 1;
	st.cost_usd = 0.5;
	st.model_usd[0] = 0.125;
	st.model_usd[1] = 0.375;
	stats_summary(&st, 1000, line, sizeof(line));
	CHECK(strstr(line, "; 2 escalated to big; cost $0.5000 (small "
	    "$0.1250, big $0.3750)") != NULL);
	buf_reset(&b);
	CHECK(stats_json(&st, 1000, &b) == 0);
	CHECK(strstr(str(&b), "{\"model\":\"big\",\"cost_usd\":0.375000}")
	    != NULL);
	/* --estimate: the worst case, every row asked again. */
	st.est_rows = 1000;
	st.est_tokens = 50000;
	buf_reset(&b);
	CHECK(stats_estimate(&st, &pr, &b) == 0);
	/* (50000 * 2.5 + 100000 * 10) / 1e6 */
	CHECK(strstr(str(&b), "escalation         to big: at most $1.1250 "
	    "more, were every row asked again\n") != NULL);
	pr.escalate_in = pr.escalate_out = 0;
	buf_reset(&b);
	CHECK(stats_estimate(&st, &pr, &b) == 0);
	CHECK(strstr(str(&b), "escalation         to big: its prices "
	    "unknown\n") != NULL);
	buf_free(&b);
}

/* --expect: a line of accuracy, then a line a label, and "expect". */
static void
test_expect(void)
{
	struct stats	 st = { 0 };
	struct buf	 b = { 0 };
	struct row	*r;
	struct rows	*rows = rows_new();
	struct json	*j = json_new();
	char		 line[512], err[128];
	int		 k;

	CHECK(stats_expect_line(&st, 0, line, sizeof(line)) == -1);
	st.expect = expect_new("gold", NULL);
	for (k = 0; k < 4; k++) {
		r = rows_get(rows);
		buf_reset(&r->text);
		CHECK(buf_adds(&r->text, k < 3 ? "{\"gold\":\"a\"}" :
		    "{\"x\":1}") == 0);
		CHECK(json_parse(j, r->text.data, r->text.len, err,
		    sizeof(err)) == 0);
		CHECK(json_members(j, 0, &r->members) == 0);
		CHECK(expect_answer(st.expect, r, -1, k == 0 ? "b" : "a", 1,
		    0) == 0);
		CHECK(expect_count(st.expect, r) == 0);
		rows_put(rows, r);
	}
	CHECK(stats_expect_line(&st, 0, line, sizeof(line)) == 0);
	CHECK(strcmp(line, "--expect: 2 of 3 rows agree, accuracy 0.6667 (0 "
	    "failed; 1 rows without the field, not counted)") == 0);
	CHECK(stats_expect_line(&st, 1, line, sizeof(line)) == 0);
	CHECK(strcmp(line, "  a: precision 1.0000, recall 0.6667 (3 "
	    "expected, 2 answered)") == 0);
	CHECK(stats_expect_line(&st, 2, line, sizeof(line)) == 0);
	CHECK(strcmp(line, "  b: precision 0.0000, recall - (0 expected, 1 "
	    "answered)") == 0);
	CHECK(stats_expect_line(&st, 3, line, sizeof(line)) == -1);
	CHECK(stats_json(&st, 10000, &b) == 0);
	CHECK(json_validate(b.data, b.len - 1, err, sizeof(err)) == 0);
	CHECK(strstr(str(&b), ",\"expect\":{\"field\":\"gold\",\"rows\":3,"
	    "\"agree\":2,\"accuracy\":0.6667,") != NULL);
	expect_free(st.expect);
	json_free(j);
	rows_free(rows);
	buf_free(&b);
}

static void
test_estimate(void)
{
	struct stats		 st = { 0 };
	struct stats_prices	 pr = { 100, 0.15, 0.60, 600, 0 };
	struct buf		 b = { 0 };

	st.est_rows = 1000;
	st.est_tokens = 50000;
	CHECK(stats_estimate(&st, &pr, &b) == 0);
	CHECK_BUF(b,
	    "rows               1000\n"
	    "prompt tokens      50000 (estimated, 4 bytes a token)\n"
	    "completion budget  100 a row, 100000 in all\n"
	    "cost               $0.0075 in + at most $0.0600 out = $0.0675\n"
	    "time               at least 100 s (1.7 min) at the limits "
	    "given\n");

	/* A cached system prompt: read at a tenth of the input price. */
	st.est_cached = 40000;
	buf_reset(&b);
	CHECK(stats_estimate(&st, &pr, &b) == 0);
	CHECK(strstr(str(&b), "cached prompt      40000 of them") != NULL);
	/* (50000 - 0.9 * 40000) * 0.15 / 1e6 */
	CHECK(strstr(str(&b), "cost               $0.0021 in + at most "
	    "$0.0600 out = $0.0621\n") != NULL);
	st.est_cached = 0;

	/* --tpm, when it is the tighter limit, prompt and budget both. */
	pr.tpm = 60000;
	buf_reset(&b);
	CHECK(stats_estimate(&st, &pr, &b) == 0);
	CHECK(strstr(str(&b), "time               at least 150 s (2.5 min) "
	    "at the limits given\n") != NULL);

	/* Rows that would fail; no budget; no limits; no prices. */
	st.failed = 3;
	pr.budget = 0;
	pr.rpm = pr.tpm = 0;
	buf_reset(&b);
	CHECK(stats_estimate(&st, &pr, &b) == 0);
	CHECK_BUF(b,
	    "rows               1000 (and 3 that would fail: see above)\n"
	    "prompt tokens      50000 (estimated, 4 bytes a token)\n"
	    "completion budget  unknown: no -P max_tokens or "
	    "max_completion_tokens\n"
	    "cost               $0.0075 in, out unknown\n"
	    "time               give --rpm or --tpm to estimate it\n");
	pr.price_in = pr.price_out = 0;
	buf_reset(&b);
	CHECK(stats_estimate(&st, &pr, &b) == 0);
	CHECK(strstr(str(&b), "cost") == NULL);
	/* Only --tpm: the prompt tokens alone, not knowing the budget. */
	pr.tpm = 30000;
	buf_reset(&b);
	CHECK(stats_estimate(&st, &pr, &b) == 0);
	CHECK(strstr(str(&b), "time               at least 100 s (1.7 min) "
	    "at the limits given\n") != NULL);
	buf_free(&b);
}

int
main(void)
{
	test_add();
	test_summary();
	test_expect();
	test_escalate();
	test_estimate();
	return check_done("test_stats");
}
