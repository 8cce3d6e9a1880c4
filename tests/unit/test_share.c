#include <sys/stat.h>

#include <fcntl.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check.h"
#include "share.h"

/* Two processes' worth of handles on one file, starting requests in turn
 * as fast as the shared bucket allows, in simulated time: how many each
 * started in the first ms. */
static void
race(struct share *a, struct share *b, long long start, long long ms,
    long long cost, int *na, int *nb)
{
	struct share	*s[2] = { a, b };
	int		*n[2] = { na, nb };
	long long	 now = start, w;
	int		 k = 0;

	*na = *nb = 0;
	while (now < start + ms) {
		if ((w = share_wait(s[k], now, cost)) > 0) {
			now += w;
			continue;
		}
		CHECK(w == 0);
		CHECK(share_take(s[k], now, cost) == 0);
		(*n[k])++;
		k = !k;
	}
}

int
main(void)
{
	struct share_counts	 c;
	struct share		*a, *b;
	char			 dir[] = "/tmp/test_share.XXXXXX", path[64];
	char			 err[2048];
	const char		*note;
	int			 na, nb, fd;

	if (mkdtemp(dir) == NULL)
		return 2;
	snprintf(path, sizeof(path), "%s/bucket", dir);

	/* A new file: no bucket until a rate is set, so never a wait. */
	a = share_open(path, 1000, err, sizeof(err));
	b = share_open(path, 1000, err, sizeof(err));
	CHECK(a != NULL && b != NULL);
	CHECK(share_wait(a, 1000, 100000) == 0);

	/* 600 a minute, ten a second: a bucket of 9 (0.9 s), then one every
	 * 100 ms (the last at 10,900), divided between the two, never more
	 * in all. */
	CHECK(share_set_rate(a, 1000, SHARE_REQUESTS, 600) == 0);
	race(a, b, 1000, 10000, 0, &na, &nb);
	CHECK(na + nb == 9 + 99);
	CHECK(na == nb || na == nb + 1);
	/* What one took, the other sees. */
	CHECK(share_wait(b, 11000, 0) == share_wait(a, 11000, 0));

	/* Tokens: 60,000 a minute is 1,000 a second, a bucket of 900. */
	CHECK(share_set_rate(b, 20000, SHARE_REQUESTS, 0) == 0);
	CHECK(share_set_rate(b, 20000, SHARE_TOKENS, 60000) == 0);
	CHECK(share_wait(a, 20000, 900) == 0);
	CHECK(share_take(a, 20000, 900) == 0);
	CHECK(share_wait(b, 20000, 500) == 500);
	/* Larger than the bucket: it waits for a full one, then owes. */
	CHECK(share_wait(b, 20000, 5000) == 900);
	CHECK(share_take(b, 20900, 5000) == 0);
	CHECK(share_wait(a, 20900, 100) == 4200);
	/* Usage gives back what the estimate took too much of, up to a
	 * full bucket. */
	CHECK(share_adjust(a, 20900, -4100) == 0);
	CHECK(share_wait(b, 20900, 100) == 100);
	CHECK(share_adjust(a, 20900, -100000) == 0);
	CHECK(share_wait(b, 20900, 900) == 0);
	/* A minute of tokens: 60,000 (less the last 100 ms, plus the
	 * bucket), whoever asks. */
	race(a, b, 30000, 60000, 100, &na, &nb);
	CHECK(na + nb == 9 + 599);

	/* A hold stops both, spends the bucket, and nothing accrues until
	 * it is over. */
	CHECK(share_hold(a, 100000, 102000) == 0);
	CHECK(share_wait(b, 100000, 1) == 2000);
	CHECK(share_wait(b, 102000, 100) == 100);
	CHECK(share_hold(b, 102000, 101000) == 0);	/* not shortened */
	CHECK(share_wait(a, 102000, 100) == 100);

	/* share_try checks and takes in one go: room for one, one start. */
	CHECK(share_try(a, 102100, 100) == 0);
	CHECK(share_try(b, 102100, 100) == 100);
	CHECK(share_adjust(a, 102100, -100) == 0);
	CHECK(share_try(b, 102100, 100) == 0);
	CHECK(share_adjust(b, 102100, -100) == 0);

	/* The fleet's counts. */
	CHECK(share_counts(a, 110000, &c) == 0);
	CHECK(c.starts == 108 + 2 + 608 + 2);
	CHECK(share_refused(b, 110000, SHARE_TOKENS, 300) == 0);
	CHECK(share_refused(a, 110000, SHARE_REQUESTS, 0) == 0);
	CHECK(share_refused(a, 110000, SHARE_REQUESTS, 0) == 0);
	CHECK(share_counts(a, 110000, &c) == 0);
	CHECK(c.refused == 2 && c.tok_refused == 1 && c.tokens_refused == 300);
	CHECK(c.tokens == 900 + 5000 + 608 * 100 + 200);
	/* The rates, and how long since anyone took. */
	CHECK(c.rpm == 0 && c.tpm == 60000);
	CHECK(share_counts(a, 112500, &c) == 0 && c.idle == 2500);
	share_close(b);

	/* What -j auto learned: none at first; what one process leaves,
	 * the other finds, with the buckets' rates it set (negative: as
	 * they were). */
	{
		struct share_learned	 l;
		double			 r[2] = { 1200, -1 };

		b = share_open(path, 110000, err, sizeof(err));
		CHECK(b != NULL);
		CHECK(share_begin(a, 110000, &l) == 0);
		CHECK(l.len[0] == 0 && l.len[1] == 0 && !l.paced[1]);
		memcpy(l.state[SHARE_REQUESTS], "learned", 8);
		l.len[SHARE_REQUESTS] = 8;
		l.paced[SHARE_TOKENS] = 1;
		CHECK(share_end(a, &l, r) == 0);
		CHECK(share_begin(b, 110000, &l) == 0);
		CHECK(l.len[SHARE_REQUESTS] == 8 && l.len[SHARE_TOKENS] == 0);
		CHECK(strcmp((char *)l.state[SHARE_REQUESTS], "learned") == 0);
		CHECK(l.paced[SHARE_TOKENS] && !l.paced[SHARE_REQUESTS]);
		l.len[SHARE_REQUESTS] = SHARE_STATE + 1;	/* too long: none */
		CHECK(share_end(b, &l, (double[2]){ -1, -1 }) == 0);
		CHECK(share_counts(a, 110000, &c) == 0);
		CHECK(c.rpm == 1200 && c.tpm == 60000);
		CHECK(share_begin(a, 110000, &l) == 0 && l.len[0] == 0);
		l.len[SHARE_REQUESTS] = 8;
		CHECK(share_end(a, &l, (double[2]){ 0, -1 }) == 0);
		/* An hour idle, or another boot's: what was learned is gone
		 * (its times are not this clock's). */
		CHECK(share_begin(b, 110000 + 3600 * 1000LL + 1, &l) == 0);
		CHECK(l.len[SHARE_REQUESTS] == 0 && !l.paced[SHARE_TOKENS]);
		CHECK(share_end(b, &l, (double[2]){ -1, -1 }) == 0);
		share_close(b);
	}

	/* A process whose time was read a little before another's wrote:
	 * nothing accrues, and nothing is made full. */
	CHECK(share_take(a, 110000, 900) == 0);
	CHECK(share_wait(a, 109990, 900) == 900);
	CHECK(share_adjust(a, 110000, -900) == 0);
	/* A file from before a reboot (its time far ahead of the clock)
	 * starts full again, its rates kept. */
	CHECK(share_take(a, 110000, 900) == 0);
	CHECK(share_wait(a, 5, 900) == 0);
	share_close(a);

	/* Numbers no process writes (a torn or tampered file): it starts
	 * afresh, with no bucket, rather than pace by them. */
	CHECK((fd = open(path, O_WRONLY)) != -1);
	CHECK(pwrite(fd, &(double){ NAN }, sizeof(double), 40) ==
	    sizeof(double));
	close(fd);
	a = share_open(path, 200000, err, sizeof(err));
	CHECK(a != NULL);
	CHECK(share_wait(a, 200000, 1000000) == 0);
	CHECK(share_counts(a, 200000, &c) == 0 && c.starts == 0);
	share_close(a);

	/*
	 * A hold a day ahead (tampered: no --max-wait is longer, and its
	 * debt of 10^15 tokens would stall all for 10^12 s): reset, and
	 * said once; the rates stay.
	 */
	a = share_open(path, 300000, err, sizeof(err));
	CHECK(a != NULL && share_note(a) == NULL);
	CHECK(share_set_rate(a, 300000, SHARE_TOKENS, 60000) == 0);
	CHECK((fd = open(path, O_WRONLY)) != -1);
	CHECK(pwrite(fd, &(int64_t){ 300000 + 86400000LL + 120001 },
	    sizeof(int64_t), 24) == sizeof(int64_t));
	CHECK(pwrite(fd, &(double){ -1e15 }, sizeof(double), 56) ==
	    sizeof(double));
	close(fd);
	b = share_open(path, 300000, err, sizeof(err));
	CHECK(b != NULL);
	CHECK(share_wait(a, 300000, 100) == 100);
	/* b found it and reset it; a reads a file put right. */
	CHECK(share_note(a) == NULL);
	CHECK((note = share_note(b)) != NULL && strstr(note, "hold") != NULL);
	CHECK(share_note(b) == NULL);
	CHECK(share_counts(a, 300000, &c) == 0 && c.tpm == 60000);
	/* The debt alone, with a hold that is fine: the debt is said. */
	share_close(b);
	CHECK((fd = open(path, O_WRONLY)) != -1);
	CHECK(pwrite(fd, &(double){ -1e15 }, sizeof(double), 56) ==
	    sizeof(double));
	close(fd);
	b = share_open(path, 300000, err, sizeof(err));
	CHECK(b != NULL && (note = share_note(b)) != NULL &&
	    strstr(note, "debt") != NULL);
	CHECK(share_wait(b, 300000, 100) <= 1000);
	/* A debt an hour's tokens could repay is someone's large request:
	 * kept, and waited out. */
	CHECK((fd = open(path, O_WRONLY)) != -1);
	CHECK(pwrite(fd, &(double){ -1800000.0 }, sizeof(double), 56) ==
	    sizeof(double));
	close(fd);
	CHECK(share_wait(b, 300000, 100) == 1800100);
	CHECK(share_note(b) == NULL);
	CHECK(share_adjust(b, 300000, -1800000) == 0);
	/* A hold within the longest --max-wait is kept, and waited for by a
	 * process whose --max-wait allows it, not by one whose does not
	 * (it would fail the row rather than wait, as for the server). */
	CHECK(share_hold(a, 300000, 300000 + 3600000) == 0);
	share_set_max_wait(b, 3600000);
	CHECK(share_wait(b, 300000, 0) == 3600000);
	share_set_max_wait(b, 120000);
	CHECK(share_wait(b, 300000, 0) == 0);
	CHECK(share_wait(a, 300000, 0) == 3600000);
	CHECK(share_note(a) == NULL && share_note(b) == NULL);
	share_close(a);
	share_close(b);

	/*
	 * What was opened is checked as ssh checks its files, and a file
	 * refused is left as it was: a symbolic link (dangling: nothing
	 * made where it points), a FIFO (at once, not a wait for a
	 * writer), another name for the file, a file others may write, a
	 * file of another user.
	 */
	{
		char	 other[96], target[96];

		snprintf(other, sizeof(other), "%s/link", dir);
		snprintf(target, sizeof(target), "%s/nothing", dir);
		CHECK(symlink(path, other) == 0);
		CHECK(share_open(other, 1000, err, sizeof(err)) == NULL &&
		    strstr(err, "symbolic link") != NULL);
		unlink(other);
		CHECK(symlink(target, other) == 0);
		CHECK(share_open(other, 1000, err, sizeof(err)) == NULL);
		CHECK(access(target, F_OK) == -1);
		unlink(other);
		CHECK(mkfifo(other, 0600) == 0);
		alarm(10);
		CHECK(share_open(other, 1000, err, sizeof(err)) == NULL &&
		    strstr(err, "not a regular file") != NULL);
		alarm(0);
		unlink(other);
		CHECK(link(path, other) == 0);
		CHECK(share_open(path, 1000, err, sizeof(err)) == NULL &&
		    strstr(err, "more than one name") != NULL);
		unlink(other);
		CHECK(chmod(path, 0602) == 0);
		CHECK(share_open(path, 1000, err, sizeof(err)) == NULL &&
		    strstr(err, "writable by others (mode 0602)") != NULL);
		CHECK(chmod(path, 0644) == 0);
		CHECK((a = share_open(path, 1000, err, sizeof(err))) != NULL);
		share_close(a);
		if (geteuid() == 0) {
			CHECK(chown(path, 65534, 65534) == 0);
			CHECK(share_open(path, 1000, err, sizeof(err)) ==
			    NULL && strstr(err, "owned by uid 65534") != NULL);
			CHECK(chown(path, 0, 0) == 0);
		}
	}

	/* A file that is not one is an error, and is left alone. */
	CHECK((fd = open(path, O_WRONLY | O_TRUNC)) != -1);
	CHECK(write(fd, "not a bucket\n", 13) == 13);
	close(fd);
	CHECK(share_open(path, 1000, err, sizeof(err)) == NULL);
	CHECK(strstr(err, "not a share file") != NULL);
	CHECK(strstr(err, path) != NULL);
	CHECK(share_open("/nonexistent/dir/bucket", 1000, err,
	    sizeof(err)) == NULL);
	CHECK(strstr(err, "No such file") != NULL);
	unlink(path);
	rmdir(dir);
	return check_done("test_share");
}
