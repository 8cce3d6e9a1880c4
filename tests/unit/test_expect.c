#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "expect.h"
#include "json.h"

static struct rows	*rows;
static struct json	*json;

static int
has(const struct buf *b, const char *s)
{
	return memmem(b->data, b->len, s, strlen(s)) != NULL;
}

/* A row of this object, as input_load leaves it. */
static struct row *
row(const char *text)
{
	struct row	*r = rows_get(rows);
	char		 e[128];

	buf_reset(&r->text);
	if (buf_adds(&r->text, text) == -1 ||
	    json_parse(json, r->text.data, r->text.len, e, sizeof(e)) == -1 ||
	    json_members(json, 0, &r->members) == -1)
		abort();
	return r;
}

/* The row answered s (text), counted as written; its agree. */
static int
answered(struct expect *x, const char *text, int label, const char *s)
{
	struct row	*r = row(text);
	int		 agree;

	CHECK(expect_answer(x, r, label, s, s != NULL ? strlen(s) : 0,
	    0) == 0);
	CHECK(expect_count(x, r) == 0);
	agree = r->agree;
	rows_put(rows, r);
	return agree;
}

static void
test_text(void)
{
	const struct expect_figures	*f;
	const struct expect_class	*c;
	struct expect			*x;
	struct row			*r;
	struct buf			 b = { 0 };

	x = expect_new("gold", NULL);
	/* Trimmed, and exact otherwise. */
	CHECK(answered(x, "{\"gold\":\" cat\\n\"}", -1, "cat ") == 1);
	CHECK(answered(x, "{\"gold\":\"cat\"}", -1, "Cat") == 0);
	/* A value that is no string by its compact JSON text. */
	CHECK(answered(x, "{\"gold\":1}", -1, "1") == 1);
	CHECK(answered(x, "{\"gold\":[1, 2]}", -1, "[1,2]") == 1);
	/* The last of duplicate keys; an escaped key; null is none. */
	CHECK(answered(x, "{\"gold\":\"a\",\"gold\":\"b\"}", -1, "b") == 1);
	CHECK(answered(x, "{\"g\\u006fld\":\"dog\"}", -1, "dog") == 1);
	CHECK(answered(x, "{\"gold\":null}", -1, "cat") == -1);
	CHECK(answered(x, "{\"other\":1}", -1, "cat") == -1);
	/* A JSON answer (from --extract) by its compact text. */
	r = row("{\"gold\":{\"a\":1}}");
	CHECK(expect_answer(x, r, -1, "{ \"a\" : 1 }", 11, 1) == 0);
	CHECK(r->agree == 1);
	CHECK(expect_count(x, r) == 0);
	rows_put(rows, r);
	/* A failed row does not agree, and lists nothing. */
	r = row("{\"gold\":\"cat\"}");
	r->failed = 1;
	CHECK(expect_failed(x, r) == 0);
	CHECK(r->agree == 0);
	CHECK(expect_count(x, r) == 0);
	rows_put(rows, r);
	r = row("{\"id\":1}");
	CHECK(expect_failed(x, r) == 0);
	CHECK(r->agree == -1);
	rows_put(rows, r);

	f = expect_figures(x);
	CHECK(f->rows == 8);
	CHECK(f->agree == 6);
	CHECK(f->failed == 1);
	CHECK(f->unlabelled == 2);
	CHECK(f->unlisted == 0);
	c = expect_class(x, 0);
	CHECK(c != NULL && c->namelen == 3 && memcmp(c->name, "cat", 3) == 0);
	CHECK(c != NULL && c->expected == 2 && c->answered == 1 &&
	    c->agree == 1);
	c = expect_class(x, 1);
	CHECK(c != NULL && c->namelen == 3 && memcmp(c->name, "Cat", 3) == 0);
	CHECK(c != NULL && c->expected == 0 && c->answered == 1);
	CHECK(expect_json(x, &b) == 0);
	CHECK(has(&b, "\"rows\":8,\"agree\":6,\"accuracy\":0.7500,"
	    "\"failed\":1,\"unlabelled\":2,"));
	CHECK(has(&b, "{\"label\":\"cat\",\"expected\":2,\"answered\":1,"
	    "\"agree\":1,\"precision\":1.0000,\"recall\":0.5000}"));
	CHECK(has(&b, "{\"label\":\"Cat\",\"expected\":0,\"answered\":1,"
	    "\"agree\":0,\"precision\":0.0000,\"recall\":null}"));
	CHECK(has(&b, "{\"expected\":\"cat\",\"answered\":\"Cat\","
	    "\"rows\":1}"));
	buf_free(&b);
	expect_free(x);
}

static void
test_labels(void)
{
	struct expect	*x;
	struct labels	*l;
	struct buf	 b = { 0 };
	char		 e[128];

	l = labels_new("S3,EC2,IAM", 10, ',', e, sizeof(e));
	x = expect_new("gold", l);
	/* The labels' own rules read the right answer: case, quotes, a
	 * final period. */
	CHECK(answered(x, "{\"gold\":\"s3.\"}", 0, NULL) == 1);
	CHECK(answered(x, "{\"gold\":\"'ec2'\"}", 1, NULL) == 1);
	CHECK(answered(x, "{\"gold\":\"EC2\"}", 0, NULL) == 0);
	/* A right answer that is no label: its own, never agreed with. */
	CHECK(answered(x, "{\"gold\":\" RDS \"}", 2, NULL) == 0);
	CHECK(expect_json(x, &b) == 0);
	/* Every label is listed, in the user's order, then the others. */
	CHECK(has(&b, "\"labels\":[{\"label\":\"S3\",\"expected\":1,"
	    "\"answered\":2,\"agree\":1,\"precision\":0.5000,"
	    "\"recall\":1.0000},{\"label\":\"EC2\",\"expected\":2,"
	    "\"answered\":1,\"agree\":1,\"precision\":1.0000,"
	    "\"recall\":0.5000},{\"label\":\"IAM\",\"expected\":0,"
	    "\"answered\":1,\"agree\":0,\"precision\":0.0000,"
	    "\"recall\":null},{\"label\":\"RDS\",\"expected\":1,"
	    "\"answered\":0,\"agree\":0,\"precision\":null,"
	    "\"recall\":0.0000}]"));
	/* Right answer -> answer given, by the first, then the second. */
	CHECK(has(&b, "\"confusion\":[{\"expected\":\"S3\","
	    "\"answered\":\"S3\",\"rows\":1},{\"expected\":\"EC2\","
	    "\"answered\":\"S3\",\"rows\":1},{\"expected\":\"EC2\","
	    "\"answered\":\"EC2\",\"rows\":1},{\"expected\":\"RDS\","
	    "\"answered\":\"IAM\",\"rows\":1}]"));
	buf_free(&b);
	expect_free(x);
	labels_free(l);
}

/* Free-text answers cannot grow the lists past their bounds. */
static void
test_bounds(void)
{
	struct expect	*x;
	char		 text[64], ans[32];
	int		 k;

	x = expect_new("gold", NULL);
	for (k = 0; k < EXPECT_CLASSES + 10; k++) {
		snprintf(text, sizeof(text), "{\"gold\":\"g%d\"}", k);
		snprintf(ans, sizeof(ans), "g%d", k);
		answered(x, text, -1, ans);
	}
	CHECK(expect_figures(x)->rows == EXPECT_CLASSES + 10);
	CHECK(expect_figures(x)->agree == EXPECT_CLASSES + 10);
	CHECK(expect_figures(x)->unlisted == 10);
	CHECK(expect_class(x, EXPECT_CLASSES - 1) != NULL);
	CHECK(expect_class(x, EXPECT_CLASSES) == NULL);
	expect_free(x);
}

int
main(void)
{
	rows = rows_new();
	json = json_new();
	test_text();
	test_labels();
	test_bounds();
	json_free(json);
	rows_free(rows);
	return check_done("test_expect");
}
