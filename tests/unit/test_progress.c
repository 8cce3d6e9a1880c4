#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "progress.h"

int
main(void)
{
	struct progress	*p = progress_new();
	struct stats	 st = { 0 };
	char		 line[512];
	long long	 t;

	/* No total known: done rows, rate, and the rest. */
	st.start_ms = 1000;
	st.ok = 90;
	st.failed = 10;
	st.retries = 3;
	st.http429 = 4;
	st.inflight = 32;
	st.prompt_tokens = 123456;
	st.completion_tokens = 999;
	progress_line(p, &st, 3000, line, sizeof(line), 0);
	CHECK(strcmp(line, "100 rows  50.0/s  in flight 32  retries 3  429s 4  "
	    "failed 10  tokens 123.5k in 999 out") == 0);
	/* The rate follows the recent window, not the whole run. */
	for (t = 3100; t <= 9000; t += 100) {
		st.ok += 20;
		progress_line(p, &st, t, line, sizeof(line), 0);
	}
	CHECK(strstr(line, "  200.0/s") != NULL);

	/* From a file: a total estimated from the bytes, a percentage, an
	 * ETA; skipped rows are not to be done. */
	progress_free(p);
	p = progress_new();
	memset(&st, 0, sizeof(st));
	st.start_ms = 0;
	st.ok = 100;
	st.rows_read = 120;
	st.skipped = 20;
	st.bytes_read = 12000;
	st.bytes_total = 100000;	/* 1000 rows, 20 of them skipped */
	progress_line(p, &st, 10000, line, sizeof(line), 0);
	CHECK(strncmp(line, "100/980  10%  10.0/s  ETA 1:28  ", 32) == 0);
	/* Rows outside --sample are spread through the input: a tenth of
	 * it, here. */
	st.rows_read = 132;
	st.outside = 12;
	progress_line(p, &st, 10000, line, sizeof(line), 0);
	CHECK(strncmp(line, "100/980  10%  10.0/s  ETA 1:28  ", 32) == 0);
	/* Cut to the terminal's width. */
	progress_line(p, &st, 10100, line, sizeof(line), 20);
	CHECK(strlen(line) == 20);

	progress_free(p);
	progress_free(NULL);
	return check_done("test_progress");
}
