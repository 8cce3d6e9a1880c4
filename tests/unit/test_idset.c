#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "idset.h"

static int
has(struct idset *s, const char *k)
{
	return idset_has(s, k, strlen(k));
}

static void
test_keys(void)
{
	struct json	*j = json_new();
	struct buf	 k = { 0 };
	char		 err[128];

	CHECK(json_parse(j, "\"17\"", 4, err, sizeof(err)) == 0);
	CHECK(idset_key(j, 0, &k) == 0);
	CHECK_BUF(k, "17");
	CHECK(json_parse(j, "17", 2, err, sizeof(err)) == 0);
	CHECK(idset_key(j, 0, &k) == 0);
	CHECK_BUF(k, "17");
	CHECK(json_parse(j, "\"a\\u0062\"", 9, err, sizeof(err)) == 0);
	CHECK(idset_key(j, 0, &k) == 0);
	CHECK_BUF(k, "ab");
	CHECK(json_parse(j, "-3", 2, err, sizeof(err)) == 0);
	CHECK(idset_key(j, 0, &k) == 0);
	CHECK_BUF(k, "-3");
	CHECK(json_parse(j, "1.5", 3, err, sizeof(err)) == 0);
	CHECK(idset_key(j, 0, &k) == -1);
	CHECK(json_parse(j, "true", 4, err, sizeof(err)) == 0);
	CHECK(idset_key(j, 0, &k) == -1);
	CHECK(json_parse(j, "null", 4, err, sizeof(err)) == 0);
	CHECK(idset_key(j, 0, &k) == -1);
	CHECK(json_parse(j, "[1]", 3, err, sizeof(err)) == 0);
	CHECK(idset_key(j, 0, &k) == -1);
	buf_free(&k);
	json_free(j);
}

static void
test_set(void)
{
	struct idset	*s = idset_new();
	char		 key[32];
	int		 k, all;

	CHECK(idset_add(s, "a", 1) == 1);
	CHECK(idset_add(s, "a", 1) == 0);
	CHECK(idset_add(s, "", 0) == 1);
	CHECK(idset_add(s, NULL, 0) == 0);
	CHECK(idset_has(s, NULL, 0));
	CHECK(has(s, "a") && has(s, "") && !has(s, "b") && !has(s, "aa"));
	for (k = 0; k < 100000; k++) {
		snprintf(key, sizeof(key), "%d", k * 7);
		idset_add(s, key, strlen(key));
	}
	CHECK(idset_count(s) == 100002);
	for (all = 1, k = 0; k < 100000; k++) {
		snprintf(key, sizeof(key), "%d", k * 7);
		all &= idset_has(s, key, strlen(key));
		snprintf(key, sizeof(key), "%d", k * 7 + 1);
		all &= !idset_has(s, key, strlen(key));
	}
	CHECK(all);
	idset_free(s);
	idset_free(NULL);
}

static void
test_load(void)
{
	struct idset_rules	 rules = { "id", "error", "answer" };
	struct idset_rules	 other = { "key", "err", NULL };
	struct idset_stats	 st;
	struct idset		*s = idset_new();
	FILE			*fp = tmpfile();
	char			 err[128];

	fputs("\xef\xbb\xbf{\"id\":1,\"answer\":\"x\"}\n"	/* BOM first */
	    "{\"id\":\"2\",\"answer\":\"x\",\"error\":null}\n"
	    "{\"id\":3,\"error\":{\"type\":\"http\"}}\n"	/* failed: redo */
	    "\n"
	    "  \"four\"  \r\n"
	    "5\n"
	    "bare six\n"
	    "{\"answer\":\"no id\"}\n"
	    "{\"id\":1.5}\n"
	    "true\n"
	    "{\"id\":7,\"answ", fp);				/* cut short */
	rewind(fp);
	CHECK(idset_load(s, fp, &rules, &st, err, sizeof(err)) == 0);
	CHECK(has(s, "1") && has(s, "2") && !has(s, "3"));
	CHECK(has(s, "four") && has(s, "5") && has(s, "bare six"));
	CHECK(!has(s, "7"));
	CHECK(st.lines == 10);
	CHECK(st.ids == 5);
	CHECK(st.failed == 1);
	CHECK(st.unanswered == 1);	/* {"id":1.5} */
	CHECK(st.unusable == 3);
	fclose(fp);

	/* Other field names; with the answer's fields unknown (--json),
	 * any object without an error object is done; a row's own "err"
	 * string is data, not enrich's error. */
	fp = tmpfile();
	fputs("{\"key\":\"k1\",\"err\":null,\"id\":9}\n"
	    "{\"key\":\"k2\",\"err\":{\"type\":\"http\"}}\n"
	    "{\"key\":\"k3\",\"err\":\"disk full\"}\n", fp);
	rewind(fp);
	CHECK(idset_load(s, fp, &other, &st, err, sizeof(err)) == 0);
	CHECK(has(s, "k1") && !has(s, "k2") && has(s, "k3") && !has(s, "9"));
	fclose(fp);

	/* The input itself is no output: no answer field, nothing done. */
	fp = tmpfile();
	fputs("{\"id\":1,\"text\":\"a\"}\n{\"id\":2,\"text\":\"b\"}\n", fp);
	rewind(fp);
	CHECK(idset_load(s, fp, &rules, &st, err, sizeof(err)) == 0);
	CHECK(st.ids == 0 && st.unanswered == 2);
	fclose(fp);

	/* gzip or binary: refused, with the line. */
	fp = tmpfile();
	fputs("17\n\x1f\x8b\x08\x00\x01binary\n", fp);
	rewind(fp);
	CHECK(idset_load(s, fp, &rules, &st, err, sizeof(err)) == -1);
	CHECK(strstr(err, "line 2") != NULL);
	fclose(fp);
	fp = tmpfile();
	fputs("ok\n\xff\xfe\n", fp);
	rewind(fp);
	CHECK(idset_load(s, fp, &rules, &st, err, sizeof(err)) == -1);
	fclose(fp);
	idset_free(s);

	/* Done as often as it came: an ID done once and failed once is
	 * taken once, then comes again to be done. */
	s = idset_new();
	fp = tmpfile();
	fputs("{\"id\":5,\"answer\":\"a\"}\n"
	    "{\"id\":5,\"error\":{\"type\":\"http\"}}\n7\n7\n", fp);
	rewind(fp);
	CHECK(idset_load(s, fp, &rules, &st, err, sizeof(err)) == 0);
	CHECK(idset_take(s, "5", 1) == IDSET_DONE);
	CHECK(idset_take(s, "5", 1) == IDSET_AGAIN);
	CHECK(idset_take(s, "7", 1) == IDSET_DONE);
	CHECK(idset_take(s, "7", 1) == IDSET_DONE);
	CHECK(idset_take(s, "7", 1) == IDSET_AGAIN);
	CHECK(idset_take(s, "8", 1) == IDSET_NEW);
	fclose(fp);
	idset_free(s);
}

int
main(void)
{
	test_keys();
	test_set();
	test_load();
	return check_done("test_idset");
}
