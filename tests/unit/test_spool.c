/*
 * Spool records written and read back: a leader, a follower, a row with
 * a body of its own, bytes of every kind in the input object, a record
 * cut short by a kill, and a file that is no spool.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check.h"
#include "spool.h"

static char	 path[] = "/tmp/test_spool.XXXXXX";

static void
test_round_trip(int fd)
{
	struct spool_row	 s, got;
	struct spool_reader	 rd;
	struct buf		 b = { 0 }, big = { 0 };
	struct row		 r;
	size_t			 k;

	memset(&r, 0, sizeof(r));
	r.seq = 7;
	r.lineno = 9;
	r.attempts = 2;
	r.retries = 1;
	r.reasks = 1;
	r.reserved = 0.125;
	r.est_prompt = 42;
	r.keyed = 1;
	for (k = 0; k < CACHE_KEY_LEN; k++)
		r.key[k] = (unsigned char)(k * 37 + 5);
	buf_adds(&r.text, "{\"id\":1,\"text\":\"a b\\n 12 34 \"}");
	buf_adds(&r.body, "{\"messages\":[1,\n2]}");
	spool_of_row(&s, &r, -1, 1);
	CHECK(spool_put(fd, &s, &b) == 0);
	/* A follower, its body the input's own. */
	r.seq = 8;
	r.lineno = 10;
	spool_of_row(&s, &r, 7, 0);
	CHECK(spool_put(fd, &s, &b) == 0);
	/* A big one: the reader's buffer grows for it. */
	for (k = 0; k < 200000; k++)
		buf_addc(&big, "ab \n"[k % 3]);
	s.text = big.data;
	s.textlen = big.len;
	s.seq = 99;
	CHECK(spool_put(fd, &s, &b) == 0);
	/* Killed while writing the next: a part of it. */
	CHECK(write(fd, "100 11 -1 0 0 0 0 0 0 0 - -1 50 {\"id\"", 37) == 37);

	spool_reader_init(&rd, fd);
	CHECK(spool_next(&rd, &got) == 1);
	CHECK(got.seq == 7 && got.lineno == 9 && got.lead == -1 &&
	    got.attempts == 2 && got.retries == 1 && got.reasks == 1 &&
	    got.reserved == 0.125);
	CHECK(got.est_prompt == 42 && got.keyed && memcmp(got.key, r.key,
	    CACHE_KEY_LEN) == 0);
	CHECK(got.body != NULL);
	CHECK_MEM(got.body, got.bodylen, "{\"messages\":[1,\n2]}");
	CHECK_MEM(got.text, got.textlen,
	    "{\"id\":1,\"text\":\"a b\\n 12 34 \"}");
	buf_free(&r.text);
	buf_free(&r.body);
	memset(&r, 0, sizeof(r));
	spool_to_row(&got, &r);
	CHECK(r.seq == 7 && r.attempts == 2 && r.reserved == 0.125);
	CHECK(r.est_prompt == 42 && r.keyed && r.key[1] == 42);
	CHECK(spool_next(&rd, &got) == 1);
	CHECK(got.seq == 8 && got.lead == 7 && got.body == NULL);
	CHECK(spool_next(&rd, &got) == 1);
	CHECK(got.seq == 99 && got.textlen == big.len &&
	    memcmp(got.text, big.data, big.len) == 0);
	/* The part of a record: the end. */
	CHECK(spool_next(&rd, &got) == 0);
	CHECK(spool_next(&rd, &got) == 0);
	spool_reader_free(&rd);
	buf_free(&b);
	buf_free(&big);
}

static void
test_not_a_spool(int fd)
{
	struct spool_reader	 rd;
	struct spool_row	 got;

	CHECK(ftruncate(fd, 0) == 0);
	CHECK(pwrite(fd, "{\"file\":\"x\"}\n", 13, 0) == 13);
	spool_reader_init(&rd, fd);
	errno = 0;
	CHECK(spool_next(&rd, &got) == -1 && errno == EINVAL);
	spool_reader_free(&rd);
	/* A key that is no key. */
	CHECK(ftruncate(fd, 0) == 0);
	CHECK(pwrite(fd, "1 2 -1 0 0 0 0 0 0 0 xyz -1 2 {}\n", 33, 0) == 33);
	spool_reader_init(&rd, fd);
	errno = 0;
	CHECK(spool_next(&rd, &got) == -1 && errno == EINVAL);
	spool_reader_free(&rd);
	CHECK(ftruncate(fd, 0) == 0);
	spool_reader_init(&rd, fd);
	CHECK(spool_next(&rd, &got) == 0);
	spool_reader_free(&rd);
}

int
main(void)
{
	int	 fd;

	if ((fd = mkstemp(path)) == -1)
		return 1;
	close(fd);
	fd = open(path, O_RDWR | O_APPEND);
	test_round_trip(fd);
	test_not_a_spool(fd);
	close(fd);
	unlink(path);
	return check_done("test_spool");
}
