#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "buf.h"
#include "check.h"
#include "lines.h"

/* Feed text through a pipe in chunks of size step; collect the lines. */
static void
feed(const char *text, size_t len, size_t step, size_t max, struct buf *got)
{
	struct lines	*l;
	struct line	 ln;
	size_t		 off = 0, n;
	ssize_t		 w;
	int		 fd[2];

	buf_reset(got);
	if (pipe(fd) == -1)
		abort();
	fcntl(fd[0], F_SETFL, O_NONBLOCK);
	fcntl(fd[1], F_SETFL, O_NONBLOCK);
	l = lines_new(fd[0], max);
	for (;;) {
		while (lines_next(l, &ln)) {
			buf_addu(got, ln.number);
			buf_adds(got, ln.toolong ? "!" : ":");
			buf_add(got, ln.text, ln.len);
			buf_addc(got, '|');
		}
		if (lines_done(l))
			break;
		if (off < len) {
			n = len - off < step ? len - off : step;
			if ((w = write(fd[1], text + off, n)) > 0)
				off += w;
		}
		if (off == len && fd[1] != -1) {
			close(fd[1]);
			fd[1] = -1;
		}
		while (lines_fill(l) > 0)
			;
	}
	lines_free(l);
	close(fd[0]);
}

int
main(void)
{
	struct buf	 got = { 0 };
	char		*big;
	size_t		 step, n = 300000;
	static const size_t steps[] = { 1, 2, 3, 7, 100, 100000 };
	int		 k;

	for (k = 0; k < 6; k++) {
		step = steps[k];
		feed("a\nbb\n\nccc", 9, step, 4096, &got);
		CHECK_BUF(got, "1:a|2:bb|3:|4:ccc|");
		/* A byte order mark is dropped, only at the start. */
		feed("\xef\xbb\xbfx\n\xef\xbb\xbfy\n", 10, step, 4096, &got);
		CHECK_BUF(got, "1:x|2:\xef\xbb\xbfy|");
		feed("\xef\xbb", 2, step, 4096, &got);
		CHECK_BUF(got, "1:\xef\xbb|");
		feed("\n", 1, step, 4096, &got);
		CHECK_BUF(got, "1:|");
		feed("", 0, step, 4096, &got);
		CHECK_BUF(got, "");
		feed("a\0b\nc\r\n", 7, step, 4096, &got);
		CHECK(got.len == 11 && memcmp(got.data, "1:a\0b|2:c\r|", 11) == 0);
	}

	/* A line over the limit keeps its head and the next line is whole. */
	big = malloc(n + 20);
	memset(big, 'x', n);
	memcpy(big + n, "\nnext\n", 6);
	for (k = 0; k < 3; k++) {
		feed(big, n + 6, k == 0 ? 4096 : k == 1 ? 65536 : n + 6,
		    100000, &got);
		CHECK(got.len == 2 + LINES_KEEP + 1 + 7);
		CHECK(memcmp(got.data, "1!", 2) == 0);
		CHECK(memcmp(got.data + 2 + LINES_KEEP, "|2:next|", 8) == 0);
	}
	/* Under the limit, a long line comes through whole. */
	feed(big, n + 6, 65536, n + 1, &got);
	CHECK(got.len == 2 + n + 8);
	free(big);
	buf_free(&got);
	return check_done("test_lines");
}
