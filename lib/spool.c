#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "spool.h"

#define FIELDS		13		/* fields in a header */
#define HEADER_MAX	512		/* bytes of a header, at most */
#define CHUNK		65536

void
spool_of_row(struct spool_row *s, const struct row *r, int64_t lead,
    int body)
{
	memset(s, 0, sizeof(*s));
	s->seq = r->seq;
	s->lineno = r->lineno;
	s->lead = lead;
	s->attempts = r->attempts;
	s->retries = r->retries;
	s->reasks = r->reasks;
	s->parse_retried = r->parse_retried;
	s->ratelimits = r->ratelimits;
	s->reserved = r->reserved;
	s->est_prompt = r->est_prompt;
	s->keyed = r->keyed;
	if (r->keyed)
		memcpy(s->key, r->key, sizeof(s->key));
	if (body) {
		s->body = r->body.data != NULL ? r->body.data : "";
		s->bodylen = r->body.len;
	}
	s->text = r->text.data != NULL ? r->text.data : "";
	s->textlen = r->text.len;
}

void
spool_to_row(const struct spool_row *s, struct row *r)
{
	r->seq = s->seq;
	r->attempts = s->attempts;
	r->retries = s->retries;
	r->reasks = s->reasks;
	r->parse_retried = s->parse_retried;
	r->ratelimits = s->ratelimits;
	r->reserved = s->reserved;
	r->est_prompt = s->est_prompt;
	r->keyed = s->keyed;
	if (s->keyed)
		memcpy(r->key, s->key, sizeof(r->key));
}

static void
hex_of(const unsigned char *p, size_t n, char *out)
{
	static const char	 hex[] = "0123456789abcdef";
	size_t			 k;

	for (k = 0; k < n; k++) {
		out[2 * k] = hex[p[k] >> 4];
		out[2 * k + 1] = hex[p[k] & 15];
	}
	out[2 * n] = '\0';
}

/* 64 hex digits into the key: 0, or -1. */
static int
key_of(const char *h, unsigned char *key)
{
	size_t	 k;
	int	 hi, lo;

	for (k = 0; k < CACHE_KEY_LEN; k++) {
		hi = h[2 * k] >= 'a' ? h[2 * k] - 'a' + 10 : h[2 * k] - '0';
		lo = h[2 * k + 1] >= 'a' ? h[2 * k + 1] - 'a' + 10 :
		    h[2 * k + 1] - '0';
		if (hi < 0 || hi > 15 || lo < 0 || lo > 15)
			return -1;
		key[k] = hi << 4 | lo;
	}
	return h[2 * CACHE_KEY_LEN] == '\0' ? 0 : -1;
}

int
spool_put(int fd, const struct spool_row *s, struct buf *b)
{
	char	 head[HEADER_MAX], key[CACHE_HEX_LEN + 1];
	size_t	 off;
	ssize_t	 n;
	int	 len;

	if (s->keyed)
		hex_of(s->key, CACHE_KEY_LEN, key);
	else
		strlcpy(key, "-", sizeof(key));
	/* A body of length 0 is no body: -1 says "none". */
	len = snprintf(head, sizeof(head), "%llu %llu %lld %d %d %d %d %d "
	    "%.17g %lld %s %lld %zu ", (unsigned long long)s->seq,
	    (unsigned long long)s->lineno, (long long)s->lead, s->attempts,
	    s->retries, s->reasks, s->parse_retried, s->ratelimits,
	    s->reserved, s->est_prompt, key, s->body != NULL ?
	    (long long)s->bodylen : -1LL, s->textlen);
	buf_reset(b);
	if (buf_add(b, head, len) == -1 || (s->body != NULL &&
	    buf_add(b, s->body, s->bodylen) == -1) ||
	    buf_add(b, s->text, s->textlen) == -1 || buf_addc(b, '\n') == -1)
		return -1;
	/* One write for the record: a kill leaves it whole or cut. */
	for (off = 0; off < b->len; off += n)
		if ((n = write(fd, b->data + off, b->len - off)) == -1) {
			if (errno == EINTR) {
				n = 0;
				continue;
			}
			return -1;
		}
	return 0;
}

void
spool_reader_init(struct spool_reader *rd, int fd)
{
	memset(rd, 0, sizeof(*rd));
	rd->fd = fd;
}

void
spool_reader_free(struct spool_reader *rd)
{
	buf_free(&rd->b);
	memset(rd, 0, sizeof(*rd));
	rd->fd = -1;
}

/* At least n bytes from off in the buffer: 1; 0 at the end; -1. */
static int
have(struct spool_reader *rd, size_t n)
{
	ssize_t	 got;

	while (rd->b.len - rd->off < n) {
		if (rd->eof)
			return 0;
		/* What was consumed goes, before the buffer grows. */
		if (rd->off > 0) {
			memmove(rd->b.data, rd->b.data + rd->off,
			    rd->b.len - rd->off);
			rd->b.len -= rd->off;
			rd->off = 0;
		}
		if (buf_reserve(&rd->b, n > CHUNK ? n : CHUNK) == -1)
			return -1;
		got = pread(rd->fd, rd->b.data + rd->b.len, rd->b.cap -
		    rd->b.len, rd->pos + (off_t)rd->b.len);
		if (got == -1 && errno == EINTR)
			continue;
		if (got == -1)
			return -1;
		if (got == 0)
			rd->eof = 1;
		rd->b.len += got;
	}
	return 1;
}

int
spool_next(struct spool_reader *rd, struct spool_row *s)
{
	unsigned long long	 seq, lineno;
	long long		 lead, bodylen, est;
	size_t			 textlen, k, need;
	char			*p, *end, head[HEADER_MAX];
	char			 key[CACHE_HEX_LEN + 1];
	int			 rv, spaces, used;
	double			 reserved;

	/* Drop the record given last time. */
	rd->pos += rd->off;
	if (rd->off > 0) {
		memmove(rd->b.data, rd->b.data + rd->off, rd->b.len - rd->off);
		rd->b.len -= rd->off;
		rd->off = 0;
	}
	/* The header: FIELDS numbers, each followed by a space. */
	for (k = 0, spaces = 0; spaces < FIELDS; k++) {
		if (k == HEADER_MAX)
			goto bad;
		if ((rv = have(rd, k + 1)) != 1)
			return rv == 0 ? 0 : -1;
		if (rd->b.data[k] == ' ')
			spaces++;
		else if (rd->b.data[k] == '\n')
			goto bad;
	}
	memcpy(head, rd->b.data, k);
	head[k] = '\0';
	if (sscanf(head, "%llu %llu %lld %d %d %d %d %d %lg %lld %64s %lld "
	    "%zu %n", &seq, &lineno, &lead, &s->attempts, &s->retries,
	    &s->reasks, &s->parse_retried, &s->ratelimits, &reserved, &est,
	    key, &bodylen, &textlen, &used) != 13 || (size_t)used != k ||
	    bodylen < -1 ||
	    textlen > SIZE_MAX / 2 || (bodylen > 0 && (unsigned long long)
	    bodylen > SIZE_MAX / 2))
		goto bad;
	need = k + (bodylen > 0 ? (size_t)bodylen : 0) + textlen + 1;
	if ((rv = have(rd, need)) != 1)
		return rv == 0 ? 0 : -1;
	p = rd->b.data + k;
	end = rd->b.data + need - 1;
	if (*end != '\n')
		goto bad;
	s->seq = seq;
	s->lineno = lineno;
	s->lead = lead;
	s->reserved = reserved;
	s->est_prompt = est;
	s->keyed = strcmp(key, "-") != 0;
	if (s->keyed && key_of(key, s->key) == -1)
		goto bad;
	s->body = bodylen >= 0 ? p : NULL;
	s->bodylen = bodylen > 0 ? (size_t)bodylen : 0;
	p += s->bodylen;
	s->text = p;
	s->textlen = textlen;
	rd->off = need;
	return 1;
bad:
	errno = EINVAL;
	return -1;
}
