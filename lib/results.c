#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "results.h"

#define CHUNK		65536

struct entry {
	uint64_t	 seq;
	off_t		 off;
	size_t		 len;
};

struct results {
	int		 fd;
	struct entry	*v;
	size_t		 n, cap;
	size_t		 bad;
};

struct results *
results_new(void)
{
	struct results	*rs;

	if ((rs = calloc(1, sizeof(*rs))) == NULL)
		return NULL;
	rs->fd = -1;
	return rs;
}

void
results_free(struct results *rs)
{
	if (rs == NULL)
		return;
	free(rs->v);
	free(rs);
}

/*
 * The seq a line's custom_id names, without parsing the whole line: the
 * member is found as "custom_id":"DIGITS" (how the providers write it,
 * and enrich's custom_ids are plain digits).  0 and *seq, or -1.
 */
static int
line_seq(const char *p, size_t len, uint64_t *seq)
{
	static const char	 key[] = "\"custom_id\":";
	const char		*q, *end = p + len;
	uint64_t		 v = 0;
	int			 digits = 0;

	if ((q = memmem(p, len, key, sizeof(key) - 1)) == NULL)
		return -1;
	for (q += sizeof(key) - 1; q < end && (*q == ' ' || *q == '\t'); q++)
		;
	if (q == end || *q++ != '"')
		return -1;
	for (; q < end && *q >= '0' && *q <= '9'; q++, digits++) {
		if (v > (UINT64_MAX - 9) / 10)
			return -1;
		v = v * 10 + (*q - '0');
	}
	if (q == end || *q != '"' || digits == 0 || digits > 19)
		return -1;
	*seq = v;
	return 0;
}

static int
add(struct results *rs, uint64_t seq, off_t off, size_t len)
{
	struct entry	*v;
	size_t		 cap;

	if (rs->n == rs->cap) {
		cap = rs->cap ? 2 * rs->cap : 1024;
		if ((v = reallocarray(rs->v, cap, sizeof(*v))) == NULL)
			return -1;
		rs->v = v;
		rs->cap = cap;
	}
	rs->v[rs->n].seq = seq;
	rs->v[rs->n].off = off;
	rs->v[rs->n++].len = len;
	return 0;
}

static int
entry_cmp(const void *a, const void *b)
{
	const struct entry	*x = a, *y = b;

	if (x->seq != y->seq)
		return x->seq < y->seq ? -1 : 1;
	return x->off < y->off ? -1 : x->off > y->off;
}

int
results_index(struct results *rs, int fd, size_t max, char *err,
    size_t errlen)
{
	struct buf	 b = { 0 };
	uint64_t	 seq;
	off_t		 pos = 0;	/* of b.data[0] in the file */
	size_t		 start, k;
	char		*nl;
	ssize_t		 n;
	int		 skipping = 0, eof = 0;

	rs->fd = fd;
	rs->n = rs->bad = 0;
	for (;;) {
		/* Whole lines in b, from its start. */
		for (start = 0; b.len > 0 && (nl = memchr(b.data + start, '\n',
		    b.len - start)) != NULL; start = nl - b.data + 1) {
			if (skipping) {
				skipping = 0;
				continue;
			}
			k = nl - b.data - start;
			if (k == 0)
				continue;
			if (line_seq(b.data + start, k, &seq) == -1) {
				rs->bad++;
				continue;
			}
			if (add(rs, seq, pos + (off_t)start, k) == -1)
				goto nomem;
		}
		if (eof)
			break;
		/* What is left is the start of a line. */
		if (start > 0)
			memmove(b.data, b.data + start, b.len - start);
		pos += start;
		b.len -= start;
		if (b.len > max) {
			/* Too long to be a result: passed over. */
			if (!skipping)
				rs->bad++;
			skipping = 1;
			pos += b.len;
			b.len = 0;
		}
		if (buf_reserve(&b, CHUNK) == -1)
			goto nomem;
		n = pread(fd, b.data + b.len, CHUNK, pos + (off_t)b.len);
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1) {
			snprintf(err, errlen, "%s", strerror(errno));
			buf_free(&b);
			return -1;
		}
		if (n == 0) {
			/* A last line without its newline is a line. */
			eof = 1;
			if (b.len > 0 && !skipping && buf_addc(&b, '\n') == -1)
				goto nomem;
			continue;
		}
		b.len += n;
	}
	buf_free(&b);
	if (rs->n > 0)
		qsort(rs->v, rs->n, sizeof(*rs->v), entry_cmp);
	return 0;
nomem:
	buf_free(&b);
	snprintf(err, errlen, "out of memory");
	return -1;
}

size_t
results_count(const struct results *rs)
{
	return rs->n;
}

size_t
results_bad(const struct results *rs)
{
	return rs->bad;
}

int
results_read(const struct results *rs, uint64_t seq, struct buf *b)
{
	size_t	 lo = 0, hi = rs->n, mid, off;
	ssize_t	 n;

	/* The first entry of seq: an output line before an error line. */
	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if (rs->v[mid].seq < seq)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo == rs->n || rs->v[lo].seq != seq)
		return 0;
	buf_reset(b);
	if (buf_reserve(b, rs->v[lo].len) == -1)
		return -1;
	for (off = 0; off < rs->v[lo].len; off += n) {
		n = pread(rs->fd, b->data + off, rs->v[lo].len - off,
		    rs->v[lo].off + (off_t)off);
		if (n == -1 && errno == EINTR) {
			n = 0;
			continue;
		}
		if (n <= 0) {
			if (n == 0)
				errno = EIO;
			return -1;
		}
	}
	b->len = rs->v[lo].len;
	return 1;
}
