#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "labels.h"

static struct labels *
make(const char *s, int sep, char *err, size_t errlen)
{
	return labels_new(s, strlen(s), sep, err, errlen);
}

static void
test_new(void)
{
	struct labels	*l;
	char		 err[128];

	l = make(" S3, EC2 ,IAM,Lambda", ',', err, sizeof(err));
	CHECK(l != NULL);
	CHECK(labels_count(l) == 4);
	CHECK(strcmp(labels_name(l, 1), "EC2") == 0);
	CHECK(strcmp(labels_name(l, 3), "Lambda") == 0);
	labels_free(l);

	/* A file: a label a line, blank lines and the last newline are
	 * nothing; commas are part of a label. */
	l = make("yes, really\n\nno\r\n", '\n', err, sizeof(err));
	CHECK(l != NULL && labels_count(l) == 2);
	CHECK(l != NULL && strcmp(labels_name(l, 0), "yes, really") == 0);
	CHECK(l != NULL && strcmp(labels_name(l, 1), "no") == 0);
	labels_free(l);

	CHECK(make("S3", ',', err, sizeof(err)) == NULL);
	CHECK(strcmp(err, "one label: at least two labels are needed") == 0);
	CHECK(make("", ',', err, sizeof(err)) == NULL);
	CHECK(make("\n\n", '\n', err, sizeof(err)) == NULL);
	CHECK(strcmp(err, "no label: at least two labels are needed") == 0);
	CHECK(make("S3,ec2,EC2", ',', err, sizeof(err)) == NULL);
	CHECK(strcmp(err, "\"EC2\" is given twice") == 0);
	CHECK(make("a,,b", ',', err, sizeof(err)) == NULL);
	CHECK(strcmp(err, "an empty label") == 0);
	CHECK(make("a,b\tc,d\x01", ',', err, sizeof(err)) == NULL);
	CHECK(strstr(err, "control") != NULL);
}

static void
test_match(void)
{
	struct labels	*l = make("S3,EC2,IAM,Lambda", ',', NULL, 0);
	struct buf	 b = { 0 };
	char		 why[256];
	size_t		 off, len;
	const char	*s;

	CHECK(labels_prompt(l, &b) == 0);
	CHECK_BUF(b, "Answer with exactly one of these labels and nothing "
	    "else: S3, EC2, IAM, Lambda.");
	CHECK(labels_match(l, "EC2", 3, &off, &len, why, sizeof(why)) == 1);
	CHECK(off == 0 && len == 3);
	/* White space, a final period, quotes, and any case. */
	s = " lambda.\n";
	CHECK(labels_match(l, s, strlen(s), &off, &len, why, sizeof(why)) == 3);
	CHECK(off == 1 && len == 6);
	s = "\"iam\"";
	CHECK(labels_match(l, s, strlen(s), &off, &len, why, sizeof(why)) == 2);
	CHECK(off == 1 && len == 3);
	/* Not a label: a sentence, two labels, a prefix. */
	s = "It is EC2.";
	CHECK(labels_match(l, s, strlen(s), &off, &len, why, sizeof(why)) ==
	    -1);
	CHECK(strcmp(why, "the answer \"It is EC2.\" is not one of the "
	    "labels; answer with one label only") == 0);
	s = "EC2, S3";
	CHECK(labels_match(l, s, strlen(s), &off, &len, why, sizeof(why)) ==
	    -1);
	CHECK(labels_match(l, "EC", 2, &off, &len, why, sizeof(why)) == -1);
	CHECK(labels_match(l, "EC2..", 5, &off, &len, why, sizeof(why)) == -1);
	CHECK(labels_match(l, "", 0, &off, &len, why, sizeof(why)) == -1);
	/* A long answer is quoted short, on one line. */
	s = "line one\nline two and a great deal more that goes on and on";
	CHECK(labels_match(l, s, strlen(s), &off, &len, why, sizeof(why)) ==
	    -1);
	CHECK(strchr(why, '\n') == NULL);
	CHECK(strstr(why, "...\" is not") != NULL);
	CHECK(strlen(why) < 120);
	/* The why fits whatever room it is given. */
	CHECK(labels_match(l, s, strlen(s), &off, &len, why, 8) == -1);
	CHECK(strlen(why) == 7);

	/* Quotes and a final period are forgiven in either order, and
	 * white space inside the quotes. */
	s = "\"S3.\"";
	CHECK(labels_match(l, s, strlen(s), &off, &len, why, sizeof(why)) == 0);
	CHECK(off == 1 && len == 2);
	s = "'S3'.";
	CHECK(labels_match(l, s, strlen(s), &off, &len, why, sizeof(why)) == 0);
	CHECK(off == 1 && len == 2);
	s = "` ec2. `";
	CHECK(labels_match(l, s, strlen(s), &off, &len, why, sizeof(why)) == 1);
	CHECK(off == 2 && len == 3);
	/* But one period, and quotes that match. */
	s = "\"S3.\".";
	CHECK(labels_match(l, s, strlen(s), &off, &len, why, sizeof(why)) == 0);
	s = "\"S3..\"";
	CHECK(labels_match(l, s, strlen(s), &off, &len, why, sizeof(why)) ==
	    -1);
	s = "\"S3'";
	CHECK(labels_match(l, s, strlen(s), &off, &len, why, sizeof(why)) ==
	    -1);

	labels_add(l, 1, 0.5);
	labels_add(l, 1, 0.25);
	labels_add(l, 1, -1);
	CHECK(labels_get(l, 1)->rows == 3);
	CHECK(labels_get(l, 1)->scored == 2);
	CHECK(labels_get(l, 1)->confidence == 0.75);
	CHECK(labels_get(l, 0)->rows == 0);
	CHECK(labels_get(l, 4) == NULL);
	buf_free(&b);
	labels_free(l);
}

/* Case in every script, not ASCII's only (fold.h). */
static void
test_unicode(void)
{
	struct labels	*l;
	char		 err[128], why[256];
	size_t		 off, len;
	const char	*s;

	l = make("Économie,Société,ΠΟΛΙΤΙΚΉ,Спорт", ',', err, sizeof(err));
	CHECK(l != NULL);
	if (l == NULL)
		return;
	s = "économie";
	CHECK(labels_match(l, s, strlen(s), &off, &len, why, sizeof(why)) == 0);
	CHECK(off == 0 && len == strlen(s));
	s = "SOCIÉTÉ.";
	CHECK(labels_match(l, s, strlen(s), &off, &len, why, sizeof(why)) == 1);
	s = "\"πολιτική\"";
	CHECK(labels_match(l, s, strlen(s), &off, &len, why, sizeof(why)) == 2);
	CHECK(off == 1 && len == strlen(s) - 2);
	s = "СПОРТ";
	CHECK(labels_match(l, s, strlen(s), &off, &len, why, sizeof(why)) == 3);
	s = "economie";
	CHECK(labels_match(l, s, strlen(s), &off, &len, why, sizeof(why)) ==
	    -1);
	labels_free(l);
	/* A label that ends in a period is still itself. */
	l = make("etc.,other", ',', err, sizeof(err));
	CHECK(l != NULL);
	if (l != NULL) {
		CHECK(labels_match(l, "ETC.", 4, &off, &len, why,
		    sizeof(why)) == 0);
		CHECK(off == 0 && len == 4);
		CHECK(labels_match(l, "etc", 3, &off, &len, why,
		    sizeof(why)) == -1);
		labels_free(l);
	}
	/* Given twice, in two cases. */
	CHECK(make("économie,ÉCONOMIE", ',', err, sizeof(err)) == NULL);
	CHECK(strcmp(err, "\"ÉCONOMIE\" is given twice") == 0);
}

int
main(void)
{
	test_new();
	test_match();
	test_unicode();
	return check_done("test_labels");
}
