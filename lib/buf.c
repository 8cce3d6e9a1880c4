#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"

/* Make room for n more bytes. */
int
buf_reserve(struct buf *b, size_t n)
{
	size_t	 cap;
	char	*p;

	if (n <= b->cap - b->len)
		return 0;
	if (n > SIZE_MAX / 2 - b->len) {
		errno = ENOMEM;
		return -1;
	}
	cap = b->cap ? b->cap : 256;
	while (cap - b->len < n)
		cap *= 2;
	if ((p = realloc(b->data, cap)) == NULL)
		return -1;
	b->data = p;
	b->cap = cap;
	return 0;
}

int
buf_add(struct buf *b, const void *p, size_t n)
{
	if (buf_reserve(b, n) == -1)
		return -1;
	if (n > 0)
		memcpy(b->data + b->len, p, n);
	b->len += n;
	return 0;
}

int
buf_addc(struct buf *b, char c)
{
	if (b->len == b->cap && buf_reserve(b, 1) == -1)
		return -1;
	b->data[b->len++] = c;
	return 0;
}

int
buf_adds(struct buf *b, const char *s)
{
	return buf_add(b, s, strlen(s));
}

/* Decimal, without printf: this is on the per-row path. */
int
buf_addu(struct buf *b, unsigned long long v)
{
	char	 tmp[24], *p = tmp + sizeof(tmp);

	do {
		*--p = '0' + v % 10;
		v /= 10;
	} while (v != 0);
	return buf_add(b, p, tmp + sizeof(tmp) - p);
}

void
buf_free(struct buf *b)
{
	free(b->data);
	b->data = NULL;
	b->len = b->cap = 0;
}

int
buf_insert(struct buf *b, size_t off, const void *s, size_t n)
{
	if (buf_reserve(b, n) == -1)
		return -1;
	memmove(b->data + off + n, b->data + off, b->len - off);
	memcpy(b->data + off, s, n);
	b->len += n;
	return 0;
}
