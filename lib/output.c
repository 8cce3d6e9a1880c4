#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "buf.h"
#include "output.h"

/* A held line keeps its buffer up to this size when it is released. */
#define KEEP_BYTES	(64 * 1024)

enum slot_state {
	SLOT_EMPTY,
	SLOT_LINE,
	SLOT_SKIP
};

struct slot {
	enum slot_state	 state;
	int		 failed;
	struct buf	 line;
};

struct output {
	int		 outfd;
	int		 blocking;	/* write PIPE_BUF at most a flush */
	int		 atomic;	/* whole lines, PIPE_BUF at most */
	int		 midline;	/* the last write ended inside a line */
	int		 errfd;
	struct buf	 out;
	size_t		 off;		/* out.data[0, off) is written */
	struct buf	 err;
	/* In order: a ring of cap slots; next is the row to write next. */
	struct slot	*ring;
	size_t		 cap;
	uint64_t	 next;
	size_t		 held;
};

struct output *
output_new(int outfd, int errfd, size_t reorder)
{
	struct output	*o;

	if ((o = calloc(1, sizeof(*o))) == NULL)
		return NULL;
	o->outfd = outfd;
	o->errfd = errfd;
	if (reorder > 0 &&
	    (o->ring = calloc(reorder, sizeof(*o->ring))) == NULL) {
		free(o);
		return NULL;
	}
	o->cap = reorder;
	return o;
}

void
output_free(struct output *o)
{
	size_t	 k;

	if (o == NULL)
		return;
	for (k = 0; k < o->cap; k++)
		buf_free(&o->ring[k].line);
	free(o->ring);
	buf_free(&o->out);
	buf_free(&o->err);
	free(o);
}

/* Put a line in its sink's buffer. */
static int
queue(struct output *o, int failed, const char *line, size_t len)
{
	if (failed && o->errfd != -1)
		return buf_add(&o->err, line, len);
	/* Move the unwritten tail down before growing past it. */
	if (o->off > 0 && o->out.cap - o->out.len < len) {
		memmove(o->out.data, o->out.data + o->off, o->out.len - o->off);
		o->out.len -= o->off;
		o->off = 0;
	}
	return buf_add(&o->out, line, len);
}

/* Release the slots from next on that are ready, in order. */
static int
release(struct output *o)
{
	struct slot	*s;

	for (;;) {
		s = &o->ring[o->next % o->cap];
		if (s->state == SLOT_EMPTY)
			return 0;
		if (s->state == SLOT_LINE && queue(o, s->failed, s->line.data,
		    s->line.len) == -1)
			return -1;
		s->state = SLOT_EMPTY;
		buf_reset(&s->line);
		if (s->line.cap > KEEP_BYTES)
			buf_free(&s->line);
		o->held--;
		o->next++;
	}
}

static int
hold(struct output *o, uint64_t seq, enum slot_state state, int failed,
    const char *line, size_t len)
{
	struct slot	*s;

	if (seq < o->next || seq - o->next >= o->cap) {
		errno = ERANGE;
		return -1;
	}
	s = &o->ring[seq % o->cap];
	buf_reset(&s->line);
	if (state == SLOT_LINE && buf_add(&s->line, line, len) == -1)
		return -1;
	s->state = state;
	s->failed = failed;
	o->held++;
	return seq == o->next ? release(o) : 0;
}

int
output_line(struct output *o, uint64_t seq, int failed, const char *line,
    size_t len)
{
	if (o->cap == 0)
		return queue(o, failed, line, len);
	/* The row everyone waits for goes straight out, uncopied. */
	if (seq == o->next) {
		if (queue(o, failed, line, len) == -1)
			return -1;
		o->next++;
		return release(o);
	}
	return hold(o, seq, SLOT_LINE, failed, line, len);
}

int
output_skip(struct output *o, uint64_t seq)
{
	if (o->cap == 0)
		return 0;
	if (seq == o->next) {
		o->next++;
		return release(o);
	}
	return hold(o, seq, SLOT_SKIP, 0, NULL, 0);
}

int
output_grow(struct output *o, size_t cap)
{
	struct slot	*ring;
	uint64_t	 seq;

	if (o->cap == 0 || cap <= o->cap)
		return 0;
	if ((ring = calloc(cap, sizeof(*ring))) == NULL)
		return -1;
	/* The old ring's slots are rows next to next + cap - 1, one each:
	 * each moves to its place in the new ring, buffer and all. */
	for (seq = o->next; seq < o->next + o->cap; seq++)
		ring[seq % cap] = o->ring[seq % o->cap];
	free(o->ring);
	o->ring = ring;
	o->cap = cap;
	return 0;
}

int
output_room(const struct output *o, uint64_t seq)
{
	return o->cap == 0 || seq - o->next < o->cap;
}

int
output_drain(struct output *o)
{
	size_t	 k;

	for (k = 0; k < o->cap && o->held > 0; k++) {
		if (o->ring[o->next % o->cap].state == SLOT_EMPTY)
			o->next++;	/* a row that never came */
		else if (release(o) == -1)
			return -1;
	}
	return 0;
}

/* The errors file is a file: a blocking write of everything is fine. */
static int
flush_errors(struct output *o)
{
	size_t	 off = 0;
	ssize_t	 n;

	while (off < o->err.len) {
		n = write(o->errfd, o->err.data + off, o->err.len - off);
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1)
			return -1;
		off += n;
	}
	buf_reset(&o->err);
	return 0;
}

void
output_blocking(struct output *o)
{
	o->blocking = 1;
}

void
output_atomic(struct output *o)
{
	o->atomic = 1;
}

/* Whole lines that fit in PIPE_BUF, from p; or one whole line. */
static size_t
whole_lines(const char *p, size_t len)
{
	const char	*nl;
	size_t		 n = 0;

	while (n < len && (nl = memchr(p + n, '\n', len - n)) != NULL &&
	    (size_t)(nl - p) + 1 <= PIPE_BUF)
		n = nl - p + 1;
	if (n == 0 && (nl = memchr(p, '\n', len)) != NULL)
		n = nl - p + 1;
	return n > 0 ? n : len;
}

int
output_flush(struct output *o)
{
	ssize_t	 n;
	size_t	 len;

	if (o->err.len > 0 && flush_errors(o) == -1)
		return -1;
	while (o->off < o->out.len) {
		len = o->out.len - o->off;
		/* A pipe takes PIPE_BUF bytes or fewer whole or not at all:
		 * lines that another writer (2>&1) cannot cut in two. */
		if (o->atomic)
			len = whole_lines(o->out.data + o->off, len);
		/* After POLLOUT a pipe takes PIPE_BUF bytes without
		 * blocking; more might wait for the reader. */
		if (o->blocking && len > PIPE_BUF)
			len = PIPE_BUF;
		n = write(o->outfd, o->out.data + o->off, len);
		if (n == -1) {
			if (errno == EINTR)
				continue;
			if (errno == EAGAIN || errno == EWOULDBLOCK)
				return 0;
			return -1;
		}
		o->off += n;
		o->midline = o->out.data[o->off - 1] != '\n';
		if (o->blocking)
			return 0;
	}
	o->off = 0;
	buf_reset(&o->out);
	return 0;
}

int
output_finish_line(struct output *o)
{
	const char	*nl;
	size_t		 end;
	ssize_t		 n;

	if (!o->midline)
		return 0;
	nl = memchr(o->out.data + o->off, '\n', o->out.len - o->off);
	end = nl != NULL ? (size_t)(nl - o->out.data) + 1 : o->out.len;
	while (o->off < end) {
		n = write(o->outfd, o->out.data + o->off, end - o->off);
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1)
			return -1;
		o->off += n;
	}
	o->midline = 0;
	return 0;
}

size_t
output_pending(const struct output *o)
{
	return o->out.len - o->off;
}
