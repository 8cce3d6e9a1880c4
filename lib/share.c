#include <sys/file.h>
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "share.h"

#define MAGIC		"enrich\0\2"	/* and the layout's version */
#define BURST_MS	900.0		/* as limit.c's buckets */
#define SKEW_MS		60000		/* see load() */
#define IDLE_MS		(3600 * 1000LL)	/* a file idle this long starts
					 * afresh */
#define HOLD_MS		(86400 * 1000LL)	/* the longest --max-wait */

/* The file, as it is on disk: fixed size, native byte order. */
struct share_file {
	char		 magic[8];
	uint32_t	 size;		/* sizeof(struct share_file) */
	uint32_t	 pad;
	int64_t		 last;		/* when the buckets were refilled */
	int64_t		 hold;
	double		 rate[2];	/* a ms; 0: no bucket */
	double		 level[2];	/* may go below 0: debt */
	double		 starts, refused, tok_refused, tokens, tokens_refused;
	uint32_t	 len[2];	/* of each learner's state; 0: none */
	uint32_t	 paced[2];
	unsigned char	 state[2][SHARE_STATE];
};

struct share {
	int		 fd;
	long long	 idle;		/* now less the file's time, as read */
	long long	 max_wait;	/* a longer hold is not ours; -1: none */
	int		 noted;		/* 1: a reset to say; 2: said */
	char		 note[1536];
	char		 path[1024];
	char		 err[1536];
	struct share_file f;
};

static int
fail(struct share *s, const char *what)
{
	snprintf(s->err, sizeof(s->err), "--share %s: %s%s%s", s->path, what,
	    errno != 0 ? ": " : "", errno != 0 ? strerror(errno) : "");
	return -1;
}

static void
fresh(struct share_file *f, long long now)
{
	memset(f, 0, sizeof(*f));
	memcpy(f->magic, MAGIC, sizeof(f->magic));
	f->size = sizeof(*f);
	f->last = now;
}

static double
cap(double rate)
{
	double	 c = rate * BURST_MS;

	return c < 1 ? 1 : c;
}

/* Numbers another process could not have written: the file was
 * tampered with, or torn.  It starts afresh rather than pace by them. */
static int
sane(const struct share_file *f)
{
	int	 k;

	for (k = 0; k < 2; k++)
		if (!isfinite(f->rate[k]) || f->rate[k] < 0 ||
		    f->rate[k] > 1e9 || !isfinite(f->level[k]) ||
		    fabs(f->level[k]) > 1e15)
			return 0;
	for (k = 0; k < 2; k++)
		if (f->len[k] > SHARE_STATE)
			return 0;
	return isfinite(f->starts) && isfinite(f->refused) &&
	    isfinite(f->tok_refused) &&
	    isfinite(f->tokens) && isfinite(f->tokens_refused) &&
	    f->starts >= 0 && f->refused >= 0 && f->tok_refused >= 0 &&
	    f->tokens >= 0 && f->tokens_refused >= 0;
}

/* Said once, by share_note: the file held what no enrich writes. */
static void
noted(struct share *s, const char *what)
{
	if (s->noted != 0)
		return;
	s->noted = 1;
	snprintf(s->note, sizeof(s->note), "--share %s: %s, which no enrich "
	    "writes: reset", s->path, what);
}

/*
 * Values that are numbers but that no process could have written, each
 * of which would stall every process that reads it: a hold further ahead
 * than the longest --max-wait (a day), and a debt that would take longer
 * to repay than the hour after which an idle file starts afresh (no
 * request runs one up: it takes only from a bucket that holds what it
 * needs, or is full).  Each is reset alone, so the rates stay; a level
 * above a full bucket is made full.
 */
static void
plausible(struct share *s, long long now)
{
	struct share_file	*f = &s->f;
	int			 k;

	if (f->hold > now + HOLD_MS + SKEW_MS) {
		noted(s, "a hold further ahead than any --max-wait");
		f->hold = 0;
	}
	for (k = 0; k < 2; k++) {
		if (f->rate[k] > 0 &&
		    f->level[k] < -f->rate[k] * IDLE_MS - cap(f->rate[k])) {
			noted(s, "a debt more than an hour's worth");
			f->level[k] = 0;
		}
		if (f->level[k] > cap(f->rate[k]))
			f->level[k] = cap(f->rate[k]);
	}
}

/* Take the lock and read the file: a new one, or an old one's buckets
 * whole again. */
static int
load(struct share *s, long long now)
{
	ssize_t	 n;
	int	 k;

	errno = 0;
	if (flock(s->fd, LOCK_EX) == -1)
		return fail(s, "lock");
	if ((n = pread(s->fd, &s->f, sizeof(s->f), 0)) == -1) {
		fail(s, "read");
		goto unlock;
	}
	if (n == 0) {
		fresh(&s->f, now);
		s->idle = 0;
		return 0;
	}
	errno = 0;
	if ((size_t)n != sizeof(s->f) || memcmp(s->f.magic, MAGIC,
	    sizeof(s->f.magic)) != 0 || s->f.size != sizeof(s->f)) {
		fail(s, "not a share file of this enrich");
		goto unlock;
	}
	if (!sane(&s->f)) {
		noted(s, "numbers out of range");
		fresh(&s->f, now);
	}
	plausible(s, now);
	s->idle = now - s->f.last;
	/* A little ahead is another process's clock read later than
	 * ours (a loop's time is taken once a turn): nothing accrues.  Far
	 * ahead is a file from before a reboot. */
	if (s->f.last > now + SKEW_MS || now - s->f.last > IDLE_MS) {
		s->f.last = now;
		s->f.hold = 0;
		for (k = 0; k < 2; k++) {
			s->f.level[k] = cap(s->f.rate[k]);
			/* Its times are another boot's, or an hour old. */
			s->f.len[k] = s->f.paced[k] = 0;
		}
	}
	/* Nothing accrues while everyone holds. */
	if (s->f.hold > s->f.last)
		s->f.last = s->f.hold < now ? s->f.hold : now;
	if (now > s->f.last) {
		for (k = 0; k < 2; k++) {
			s->f.level[k] += s->f.rate[k] * (now - s->f.last);
			if (s->f.level[k] > cap(s->f.rate[k]))
				s->f.level[k] = cap(s->f.rate[k]);
		}
		s->f.last = now;
	}
	return 0;
unlock:
	flock(s->fd, LOCK_UN);
	return -1;
}

/* Write the file back, if asked, and let go of the lock. */
static int
save(struct share *s, int write)
{
	int	 rv = 0;

	errno = 0;
	if (write && pwrite(s->fd, &s->f, sizeof(s->f), 0) !=
	    (ssize_t)sizeof(s->f))
		rv = fail(s, "write");
	flock(s->fd, LOCK_UN);
	return rv;
}

/*
 * What was opened is checked as ssh checks its files: a regular file
 * (a FIFO would block every read), of one name (a hard link another
 * user made to a file of ours would have us write over it), ours, and
 * writable by no one else (anyone could have put anything in it).  The
 * path itself is not followed if it is a link (O_NOFOLLOW): the
 * documented place is a shared /tmp, where anyone may plant one.
 */
static int
check(struct share *s)
{
	struct stat	 st;

	errno = 0;
	if (fstat(s->fd, &st) == -1)
		return fail(s, "stat");
	if (!S_ISREG(st.st_mode))
		return fail(s, "not a regular file");
	if (st.st_uid != geteuid()) {
		snprintf(s->err, sizeof(s->err), "--share %s: owned by uid "
		    "%lu, not by this user", s->path, (unsigned long)st.st_uid);
		return -1;
	}
	if (st.st_mode & (S_IWGRP | S_IWOTH)) {
		snprintf(s->err, sizeof(s->err), "--share %s: writable by "
		    "others (mode %04o): chmod go-w, or remove it", s->path,
		    (unsigned)st.st_mode & 07777);
		return -1;
	}
	if (st.st_nlink != 1)
		return fail(s, "a file of more than one name (a hard link)");
	return 0;
}

struct share *
share_open(const char *path, long long now, char *err, size_t errlen)
{
	struct share	*s;

	if ((s = calloc(1, sizeof(*s))) == NULL) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	snprintf(s->path, sizeof(s->path), "%s", path);
	s->fd = -1;
	s->max_wait = -1;
	errno = 0;
	if ((s->fd = open(path, O_RDWR | O_CREAT | O_NOFOLLOW | O_NONBLOCK |
	    O_CLOEXEC, 0600)) == -1) {
		if (errno == ELOOP) {
			errno = 0;
			fail(s, "a symbolic link: give the file itself");
		} else
			fail(s, "open");
		goto bad;
	}
	if (check(s) == -1 || load(s, now) == -1 || save(s, 1) == -1)
		goto bad;
	return s;
bad:
	snprintf(err, errlen, "%s", s->err);
	share_close(s);
	return NULL;
}

void
share_set_max_wait(struct share *s, long long ms)
{
	s->max_wait = ms;
}

const char *
share_note(struct share *s)
{
	if (s->noted != 1)
		return NULL;
	s->noted = 2;
	return s->note;
}

void
share_close(struct share *s)
{
	if (s == NULL)
		return;
	if (s->fd != -1)
		close(s->fd);
	free(s);
}

/* A bucket's rate a ms from now on; 1 if that changed the file. */
static int
set_rate(struct share_file *f, enum share_kind k, double rate)
{
	/* Often the same: then there is nothing to write. */
	if (fabs(f->rate[k] - rate) <= f->rate[k] * 1e-6)
		return 0;
	if (f->rate[k] == 0)
		f->level[k] = cap(rate);	/* a first rate starts full */
	f->rate[k] = rate;
	if (f->level[k] > cap(rate))
		f->level[k] = cap(rate);
	return 1;
}

int
share_set_rate(struct share *s, long long now, enum share_kind k,
    double per_minute)
{
	double	 rate = per_minute / 60000.0;

	if (load(s, now) == -1)
		return -1;
	return save(s, set_rate(&s->f, k, rate));
}

/* How long until the bucket holds need, or is full if need is more. */
static long long
bucket_wait(double rate, double level, double need)
{
	if (rate == 0)
		return 0;
	if (need > cap(rate))
		need = cap(rate);
	if (level >= need)
		return 0;
	return (long long)ceil((need - level) / rate - 1e-6);
}

/*
 * The wait, with the file loaded.  A hold further ahead than this
 * process's --max-wait is not waited for: a server that named so long a
 * wait would have failed the row at once, and so it will if it still
 * does.
 */
static long long
wait_for(const struct share *s, long long now, long long cost)
{
	const struct share_file	*f = &s->f;
	long long		 w, t;

	w = f->hold > now ? f->hold - now : 0;
	if (s->max_wait >= 0 && w > s->max_wait)
		w = 0;
	if ((t = bucket_wait(f->rate[SHARE_REQUESTS],
	    f->level[SHARE_REQUESTS], 1)) > w)
		w = t;
	if ((t = bucket_wait(f->rate[SHARE_TOKENS],
	    f->level[SHARE_TOKENS], cost)) > w)
		w = t;
	return w;
}

static void
take(struct share_file *f, long long cost)
{
	if (f->rate[SHARE_REQUESTS] > 0)
		f->level[SHARE_REQUESTS] -= 1;
	if (f->rate[SHARE_TOKENS] > 0)
		f->level[SHARE_TOKENS] -= cost;
	f->starts++;
	f->tokens += cost;
}

long long
share_wait(struct share *s, long long now, long long cost)
{
	long long	 w;

	if (load(s, now) == -1)
		return -1;
	w = wait_for(s, now, cost);
	return save(s, 0) == -1 ? -1 : w;
}

long long
share_try(struct share *s, long long now, long long cost)
{
	long long	 w;

	if (load(s, now) == -1)
		return -1;
	if ((w = wait_for(s, now, cost)) == 0)
		take(&s->f, cost);
	return save(s, w == 0) == -1 ? -1 : w;
}

int
share_take(struct share *s, long long now, long long cost)
{
	if (load(s, now) == -1)
		return -1;
	take(&s->f, cost);
	return save(s, 1);
}

int
share_adjust(struct share *s, long long now, long long tokens)
{
	double	*l = &s->f.level[SHARE_TOKENS];

	if (load(s, now) == -1)
		return -1;
	if (s->f.rate[SHARE_TOKENS] > 0) {
		*l -= tokens;
		if (*l > cap(s->f.rate[SHARE_TOKENS]))
			*l = cap(s->f.rate[SHARE_TOKENS]);
	}
	return save(s, 1);
}

int
share_refused(struct share *s, long long now, enum share_kind k,
    long long cost)
{
	if (load(s, now) == -1)
		return -1;
	if (k == SHARE_TOKENS)
		s->f.tok_refused++;
	else
		s->f.refused++;
	s->f.tokens_refused += cost;
	return save(s, 1);
}

int
share_hold(struct share *s, long long now, long long until)
{
	if (load(s, now) == -1)
		return -1;
	if (until <= s->f.hold)
		return save(s, 0);
	s->f.hold = until;
	/* What had accrued is spent too: the server is full. */
	if (s->f.level[SHARE_REQUESTS] > 1)
		s->f.level[SHARE_REQUESTS] = 1;
	if (s->f.level[SHARE_TOKENS] > 0)
		s->f.level[SHARE_TOKENS] = 0;
	return save(s, 1);
}

int
share_counts(struct share *s, long long now, struct share_counts *c)
{
	if (load(s, now) == -1)
		return -1;
	c->starts = s->f.starts;
	c->refused = s->f.refused;
	c->tok_refused = s->f.tok_refused;
	c->tokens = s->f.tokens;
	c->tokens_refused = s->f.tokens_refused;
	c->rpm = s->f.rate[SHARE_REQUESTS] * 60000;
	c->tpm = s->f.rate[SHARE_TOKENS] * 60000;
	c->idle = s->idle;
	return save(s, 0);
}

int
share_begin(struct share *s, long long now, struct share_learned *l)
{
	int	 k;

	if (load(s, now) == -1)
		return -1;
	for (k = 0; k < 2; k++) {
		l->state[k] = s->f.state[k];
		l->len[k] = s->f.len[k];
		l->paced[k] = s->f.paced[k] != 0;
	}
	return 0;
}

int
share_end(struct share *s, const struct share_learned *l,
    const double per_minute[2])
{
	int	 k;

	for (k = 0; k < 2; k++) {
		s->f.len[k] = l->len[k] > SHARE_STATE ? 0 : l->len[k];
		s->f.paced[k] = l->paced[k] != 0;
		if (per_minute[k] >= 0)
			(void)set_rate(&s->f, k, per_minute[k] / 60000.0);
	}
	return save(s, 1);
}

const char *
share_error(const struct share *s)
{
	return s->err;
}
