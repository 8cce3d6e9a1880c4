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
	struct idset_stats	 st;
	struct idset		*s = idset_new();
	FILE			*fp = tmpfile();

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
	CHECK(idset_load(s, fp, "id", "error", &st) == 0);
	CHECK(has(s, "1") && has(s, "2") && !has(s, "3"));
	CHECK(has(s, "four") && has(s, "5") && has(s, "bare six"));
	CHECK(!has(s, "7"));
	CHECK(st.lines == 10);
	CHECK(st.ids == 5);
	CHECK(st.failed == 1);
	CHECK(st.unusable == 4);
	fclose(fp);

	/* Other field names. */
	fp = tmpfile();
	fputs("{\"key\":\"k1\",\"err\":null,\"id\":9}\n"
	    "{\"key\":\"k2\",\"err\":\"boom\"}\n", fp);
	rewind(fp);
	CHECK(idset_load(s, fp, "key", "err", &st) == 0);
	CHECK(has(s, "k1") && !has(s, "k2") && !has(s, "9"));
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
