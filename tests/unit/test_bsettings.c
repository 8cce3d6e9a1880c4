/*
 * A STATE's settings: written as named hashes (the first 64 bits of each
 * value's SHA-256, "-" for none given, nothing of the value itself), read
 * back from the JSON, and compared: the same pass, each one that differs
 * or is new is named.
 */
#include <string.h>

#include "bsettings.h"
#include "check.h"

int
main(void)
{
	static const struct bstate_setting set[] = {
		{ "prompt", "x", 1 },
		{ "model", NULL, 0 },
		{ "schema", "{\"a\":1}", 7 }
	};
	struct bstate_setting	 other[3];
	struct bsettings	 s;
	struct buf		 b = { 0 };
	struct json		*j = json_new();
	char			 e[512], jerr[128];

	CHECK(bsettings_write(&b, set, 3) == 0);
	/* sha256("x") = 2d711642b726b044... */
	CHECK_MEM(b.data, 29, "{\"prompt\":\"2d711642b726b044\",");
	CHECK(strstr(b.data, "\"model\":\"-\"") != NULL);
	CHECK(memmem(b.data, b.len, "{\\\"a\\\"", 6) == NULL);
	CHECK(json_parse(j, b.data, b.len, jerr, sizeof(jerr)) == 0);
	memset(&s, 0, sizeof(s));
	CHECK(bsettings_read(&s, j, 0) == 0);
	CHECK(s.n == 3 && strcmp(s.names[1], "model") == 0 &&
	    strcmp(s.hashes[1], "-") == 0);
	CHECK(bsettings_compare(&s, set, 3, e, sizeof(e)) == 0);

	memcpy(other, set, sizeof(other));
	other[0].value = "y";
	other[1].value = "gpt";
	other[1].len = 3;
	CHECK(bsettings_compare(&s, other, 3, e, sizeof(e)) == -1);
	CHECK(strstr(e, "made by a run with another prompt, model: its "
	    "answers would not be") != NULL);
	/* A setting the STATE never had. */
	other[0] = set[0];
	other[1] = set[1];
	other[2].name = "labels";
	CHECK(bsettings_compare(&s, other, 3, e, sizeof(e)) == -1);
	CHECK(strstr(e, "another labels:") != NULL);
	/* Members that are no string are passed over. */
	CHECK(json_parse(j, "{\"a\":1,\"b\":\"h\"}", 15, jerr,
	    sizeof(jerr)) == 0);
	CHECK(bsettings_read(&s, j, 0) == 0 && s.n == 1 &&
	    strcmp(s.names[0], "b") == 0);
	buf_free(&b);
	json_free(j);
	return check_done("test_bsettings");
}
