#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "buf.h"
#include "output.h"

struct output {
	int		 outfd;
	int		 errfd;
	struct buf	 out;
	size_t		 off;		/* out.data[0, off) is written */
	struct buf	 err;
};

struct output *
output_new(int outfd, int errfd)
{
	struct output	*o;

	if ((o = calloc(1, sizeof(*o))) == NULL)
		return NULL;
	o->outfd = outfd;
	o->errfd = errfd;
	return o;
}

void
output_free(struct output *o)
{
	if (o == NULL)
		return;
	buf_free(&o->out);
	buf_free(&o->err);
	free(o);
}

int
output_line(struct output *o, int failed, const char *line, size_t len)
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

int
output_flush(struct output *o)
{
	ssize_t	 n;

	if (o->err.len > 0 && flush_errors(o) == -1)
		return -1;
	while (o->off < o->out.len) {
		n = write(o->outfd, o->out.data + o->off, o->out.len - o->off);
		if (n == -1) {
			if (errno == EINTR)
				continue;
			if (errno == EAGAIN || errno == EWOULDBLOCK)
				return 0;
			return -1;
		}
		o->off += n;
	}
	o->off = 0;
	buf_reset(&o->out);
	return 0;
}

size_t
output_pending(const struct output *o)
{
	return o->out.len - o->off;
}
