#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lines.h"

#define CHUNK	(64 * 1024)
#define KEEP	(1024 * 1024)	/* more is given back after a long line */

struct lines {
	int		 fd;
	size_t		 max;		/* longest line kept whole */
	char		*buf;
	size_t		 cap;
	size_t		 start;		/* first byte not handed out */
	size_t		 end;		/* one past the last byte read */
	size_t		 scan;		/* no newline in [start, scan) */
	uint64_t	 number;
	uint64_t	 offset;
	int		 eof;
	int		 dropping;	/* inside a line over the limit */
	int		 bom;		/* the start is still to be checked */
};

struct lines *
lines_new(int fd, size_t max)
{
	struct lines	*l;

	if ((l = calloc(1, sizeof(*l))) == NULL)
		return NULL;
	l->fd = fd;
	l->max = max < LINES_KEEP ? LINES_KEEP : max;
	l->bom = 1;
	return l;
}

void
lines_free(struct lines *l)
{
	if (l == NULL)
		return;
	free(l->buf);
	free(l);
}

/* Keep room for one more read at the end, moving or growing as needed. */
static int
make_room(struct lines *l)
{
	size_t	 live = l->end - l->start, cap;
	char	*p;

	if (l->cap - l->end >= CHUNK)
		return 0;
	if (l->start > 0) {
		memmove(l->buf, l->buf + l->start, live);
		l->scan -= l->start;
		l->end = live;
		l->start = 0;
		/* One long line must not pin its memory for the run. */
		if (l->cap > KEEP && live < KEEP / 2) {
			cap = KEEP;
			goto resize;
		}
		if (l->cap - l->end >= CHUNK)
			return 0;
	}
	cap = l->cap ? l->cap : CHUNK;
	while (cap - live < CHUNK)
		cap *= 2;
resize:
	if ((p = realloc(l->buf, cap)) == NULL)
		return -1;
	l->buf = p;
	l->cap = cap;
	return 0;
}

/* Drop a byte order mark once enough bytes have come to tell. */
static void
check_bom(struct lines *l)
{
	size_t	 have = l->end - l->start;

	if (memcmp(l->buf + l->start, "\xef\xbb\xbf", have < 3 ? have : 3)
	    != 0)
		l->bom = 0;
	else if (have >= 3) {
		l->start = l->scan = l->start + 3;
		l->bom = 0;
	}
}

ssize_t
lines_fill(struct lines *l)
{
	ssize_t	 n;

	if (l->eof)
		return 0;
	if (make_room(l) == -1)
		return -1;
	n = read(l->fd, l->buf + l->end, l->cap - l->end);
	if (n == 0)
		l->eof = 1;
	if (n <= 0)
		return n;
	l->end += n;
	l->offset += n;
	if (l->bom)
		check_bom(l);
	return n;
}

int
lines_next(struct lines *l, struct line *out)
{
	char	*nl;
	size_t	 len;

	/* The first bytes may still turn out to be a byte order mark. */
	if ((l->bom && !l->eof) || l->start == l->end)
		return 0;
	nl = memchr(l->buf + l->scan, '\n', l->end - l->scan);
	if (nl == NULL && !l->eof) {
		/* Over the limit: keep the head, drop the rest. */
		if (l->dropping || l->end - l->start > l->max) {
			l->dropping = 1;
			l->end = l->start + LINES_KEEP;
		}
		l->scan = l->end;
		return 0;
	}
	len = (nl ? (size_t)(nl - l->buf) : l->end) - l->start;
	out->text = l->buf + l->start;
	out->number = ++l->number;
	/* Whole in the buffer, but over the limit all the same. */
	out->toolong = l->dropping || len > l->max;
	if (out->toolong && len > LINES_KEEP)
		len = LINES_KEEP;
	out->len = len;
	l->start = nl ? (size_t)(nl - l->buf) + 1 : l->end;
	l->scan = l->start;
	l->dropping = 0;
	return 1;
}

int
lines_done(const struct lines *l)
{
	return l->eof && l->start == l->end;
}

int
lines_need(const struct lines *l)
{
	if (l->bom || l->start == l->end)
		return !l->eof;
	return !l->eof && memchr(l->buf + l->scan, '\n', l->end - l->scan) ==
	    NULL;
}

uint64_t
lines_consumed(const struct lines *l)
{
	return l->offset - (l->end - l->start);
}
