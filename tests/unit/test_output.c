#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check.h"
#include "output.h"

static size_t
drain(int fd, char *to, size_t cap)
{
	size_t	 got = 0;
	ssize_t	 n;

	while (got < cap && (n = read(fd, to + got, cap - got)) > 0)
		got += n;
	return got;
}

int
main(void)
{
	struct output	*o;
	char		*big, *back;
	size_t		 n = 200000, got, k;
	int		 out[2], errs[2], ok;

	signal(SIGPIPE, SIG_IGN);
	if (pipe(out) == -1 || pipe(errs) == -1)
		abort();
	fcntl(out[0], F_SETFL, O_NONBLOCK);
	fcntl(out[1], F_SETFL, O_NONBLOCK);
	fcntl(errs[0], F_SETFL, O_NONBLOCK);

	/* Failed rows to their own descriptor, the rest to out. */
	o = output_new(out[1], errs[1], 0);
	CHECK(output_line(o, 0, 0, "ok 1\n", 5) == 0);
	CHECK(output_line(o, 0, 1, "bad 1\n", 6) == 0);
	CHECK(output_line(o, 0, 0, "ok 2\n", 5) == 0);
	CHECK(output_pending(o) == 10);
	CHECK(output_flush(o) == 0);
	CHECK(output_pending(o) == 0);
	big = malloc(n);
	back = malloc(2 * n);
	got = drain(out[0], back, 2 * n);
	CHECK_MEM(back, got, "ok 1\nok 2\n");
	got = drain(errs[0], back, 2 * n);
	CHECK_MEM(back, got, "bad 1\n");

	/* More than the pipe holds: flush writes what fits, keeps the rest,
	 * and the reader gets every byte in order. */
	for (k = 0; k < n; k++)
		big[k] = 'a' + k % 26;
	big[n - 1] = '\n';
	CHECK(output_line(o, 0, 0, big, n) == 0);
	CHECK(output_flush(o) == 0);
	CHECK(output_pending(o) > 0 && output_pending(o) < n);
	CHECK(output_line(o, 0, 0, "tail\n", 5) == 0);
	got = 0;
	while (output_pending(o) > 0) {
		got += drain(out[0], back + got, 2 * n - got);
		CHECK(output_flush(o) == 0);
	}
	got += drain(out[0], back + got, 2 * n - got);
	ok = got == n + 5 && memcmp(back, big, n) == 0 &&
	    memcmp(back + n, "tail\n", 5) == 0;
	CHECK(ok);
	output_free(o);

	/* Without an errors descriptor, failed rows go to out. */
	o = output_new(out[1], -1, 0);
	output_line(o, 0, 1, "bad\n", 4);
	CHECK(output_pending(o) == 4);
	CHECK(output_flush(o) == 0);
	got = drain(out[0], back, 2 * n);
	CHECK_MEM(back, got, "bad\n");

	/* A reader that is gone: EPIPE, reported. */
	close(out[0]);
	output_line(o, 0, 0, "x\n", 2);
	CHECK(output_flush(o) == -1 && errno == EPIPE);
	output_free(o);
	output_free(NULL);

	/* In order: lines wait for every earlier row, skips count as rows. */
	if (pipe(out) == -1)
		abort();
	fcntl(out[0], F_SETFL, O_NONBLOCK);
	o = output_new(out[1], -1, 4);
	CHECK(output_room(o, 0) && output_room(o, 3) && !output_room(o, 4));
	CHECK(output_line(o, 2, 0, "c\n", 2) == 0);
	CHECK(output_line(o, 1, 1, "b\n", 2) == 0);
	CHECK(output_pending(o) == 0);
	CHECK(output_line(o, 0, 0, "a\n", 2) == 0);
	CHECK(output_pending(o) == 6);
	CHECK(output_room(o, 6) && !output_room(o, 7));
	CHECK(output_skip(o, 4) == 0);
	CHECK(output_line(o, 5, 0, "f\n", 2) == 0);
	CHECK(output_pending(o) == 6);
	CHECK(output_skip(o, 3) == 0);
	CHECK(output_pending(o) == 8);
	/* Out of range: refused, not written over. */
	CHECK(output_line(o, 20, 0, "x\n", 2) == -1);
	CHECK(output_line(o, 2, 0, "x\n", 2) == -1);
	/* At the end, held lines go out past the rows that never came. */
	CHECK(output_line(o, 8, 0, "i\n", 2) == 0);
	CHECK(output_line(o, 7, 0, "h\n", 2) == 0);
	CHECK(output_pending(o) == 8);
	CHECK(output_drain(o) == 0);
	CHECK(output_flush(o) == 0);
	got = drain(out[0], back, 2 * n);
	CHECK_MEM(back, got, "a\nb\nc\nf\nh\ni\n");
	CHECK(output_room(o, 9) && output_room(o, 12));
	output_free(o);
	close(out[0]);
	close(out[1]);
	free(big);
	free(back);
	return check_done("test_output");
}
