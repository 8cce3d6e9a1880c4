/*
 * A result file indexed and read back by seq: lines in any order, an
 * output line and an error line for the same row, lines that are no
 * result, a line too long, a last line without its newline.
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check.h"
#include "results.h"

int
main(void)
{
	char		 path[] = "/tmp/test_results.XXXXXX", e[256];
	struct results	*rs;
	struct buf	 b = { 0 }, big = { 0 };
	FILE		*fp;
	size_t		 k;
	int		 fd;

	if ((fd = mkstemp(path)) == -1 || (fp = fdopen(fd, "w")) == NULL)
		return 1;
	fputs("{\"id\":\"r\",\"custom_id\":\"12\",\"response\":{}}\n", fp);
	fputs("{\"custom_id\": \"3\",\"x\":1}\n\n", fp);
	fputs("{\"custom_id\":\"user-id\"}\n", fp);
	fputs("not json at all\n", fp);
	fprintf(fp, "{\"custom_id\":\"5\",\"pad\":\"");
	for (k = 0; k < 300000; k++)
		fputc('x', fp);
	fputs("\"}\n", fp);
	fputs("{\"custom_id\":\"12\",\"error\":{}}\n", fp);
	/* 20,000 more, in reverse, so the index sorts. */
	for (k = 20000; k > 0; k--)
		fprintf(fp, "{\"custom_id\":\"%zu\"}\n", 1000 + k);
	fputs("{\"custom_id\":\"99999999999999999999\"}\n", fp);
	fputs("{\"custom_id\":\"7\"}", fp);
	fflush(fp);

	CHECK((rs = results_new()) != NULL);
	CHECK(results_index(rs, fd, 100000, e, sizeof(e)) == 0);
	CHECK(results_count(rs) == 20000 + 4);
	/* user-id, not json, too long, 2^64 and more. */
	CHECK(results_bad(rs) == 4);
	CHECK(results_read(rs, 12, &b) == 1);
	CHECK_BUF(b, "{\"id\":\"r\",\"custom_id\":\"12\",\"response\":{}}");
	CHECK(results_read(rs, 3, &b) == 1);
	CHECK_BUF(b, "{\"custom_id\": \"3\",\"x\":1}");
	CHECK(results_read(rs, 7, &b) == 1);
	CHECK_BUF(b, "{\"custom_id\":\"7\"}");
	CHECK(results_read(rs, 5, &b) == 0);
	CHECK(results_read(rs, 4, &b) == 0);
	CHECK(results_read(rs, 11000, &b) == 1);
	CHECK_BUF(b, "{\"custom_id\":\"11000\"}");
	CHECK(results_read(rs, 1001, &b) == 1);
	CHECK(results_read(rs, 21001, &b) == 0);
	/* Indexed again, from nothing. */
	CHECK(ftruncate(fd, 0) == 0);
	CHECK(results_index(rs, fd, 100000, e, sizeof(e)) == 0);
	CHECK(results_count(rs) == 0 && results_read(rs, 12, &b) == 0);
	results_free(rs);
	results_free(NULL);
	buf_free(&b);
	buf_free(&big);
	fclose(fp);
	unlink(path);
	return check_done("test_results");
}
