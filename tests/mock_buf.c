/*
 * mock_buf.c: the byte work every other file of the mock leans on:
 * buffers that grow, JSON string escaping for answers and --log, and the
 * small checks of numbers, seconds and header names that requests,
 * directives and options share.  Nothing here knows HTTP or the API.
 */

#include <ctype.h>
#include <err.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mock.h"

/* Buffers.  Running out of memory ends the mock: a test sees the exit. */

void
buf_reserve(struct buf *b, size_t n)
{
	size_t cap;
	char *p;

	if (b->cap - b->len >= n)
		return;
	if (n > SIZE_MAX / 4 - b->len)
		errx(1, "buffer too large");
	cap = b->cap * 2;
	if (cap < b->len + n)
		cap = b->len + n;
	if (cap < 256)
		cap = 256;
	if ((p = realloc(b->p, cap)) == NULL)
		err(1, NULL);
	b->p = p;
	b->cap = cap;
}

void
buf_free(struct buf *b)
{
	free(b->p);
	b->p = NULL;
	b->len = b->cap = 0;
}

void
buf_add(struct buf *b, const char *s, size_t n)
{
	if (n == 0)
		return;
	buf_reserve(b, n);
	memcpy(b->p + b->len, s, n);
	b->len += n;
}

void
buf_adds(struct buf *b, const char *s)
{
	buf_add(b, s, strlen(s));
}

void
buf_addc(struct buf *b, char c)
{
	buf_reserve(b, 1);
	b->p[b->len++] = c;
}

void
buf_addf(struct buf *b, const char *fmt, ...)
{
	va_list ap;
	int n;

	buf_reserve(b, 128);
	va_start(ap, fmt);
	n = vsnprintf(b->p + b->len, b->cap - b->len, fmt, ap);
	va_end(ap);
	if (n < 0)
		errx(1, "vsnprintf");
	if ((size_t)n >= b->cap - b->len) {
		buf_reserve(b, (size_t)n + 1);
		va_start(ap, fmt);
		vsnprintf(b->p + b->len, b->cap - b->len, fmt, ap);
		va_end(ap);
	}
	b->len += (size_t)n;
}

/*
 * Append s as the inside of a JSON string.  Control characters are
 * escaped; bytes from 0x80 up pass as they are, so UTF-8 stays UTF-8.
 */
void
buf_add_jstr(struct buf *b, const char *s, size_t n)
{
	static const char hex[] = "0123456789abcdef";
	unsigned char ch;
	size_t i, run;
	char e[6];

	for (i = 0; i < n; i = run + 1) {
		for (run = i; run < n; run++) {
			ch = (unsigned char)s[run];
			if (ch < 0x20 || ch == '"' || ch == '\\')
				break;
		}
		buf_add(b, s + i, run - i);
		if (run == n)
			break;
		ch = (unsigned char)s[run];
		e[0] = '\\';
		switch (ch) {
		case '"':
		case '\\':
			e[1] = (char)ch;
			break;
		case '\n':
			e[1] = 'n';
			break;
		case '\r':
			e[1] = 'r';
			break;
		case '\t':
			e[1] = 't';
			break;
		case '\b':
			e[1] = 'b';
			break;
		case '\f':
			e[1] = 'f';
			break;
		default:
			e[1] = 'u';
			e[2] = '0';
			e[3] = '0';
			e[4] = hex[ch >> 4];
			e[5] = hex[ch & 0xf];
			buf_add(b, e, 6);
			continue;
		}
		buf_add(b, e, 2);
	}
}

/* Small parsers and a hash */

/*
 * FNV-1a: the hash of --answer hash, of embeddings and of the -once set;
 * tiny, and a test can compute it too.
 */
uint64_t
fnv1a(const char *s, size_t n)
{
	uint64_t h = 0xcbf29ce484222325ULL;
	size_t i;

	for (i = 0; i < n; i++) {
		h ^= (unsigned char)s[i];
		h *= 0x100000001b3ULL;
	}
	return h;
}

/*
 * Parse n bytes of decimal digits, nothing else.  Returns 0, -1 if it is
 * not a number, -2 if it is above max.
 */
int
parse_digits(const char *s, size_t n, long long max, long long *v)
{
	char tmp[32];
	const char *errstr;
	size_t i;

	if (n == 0)
		return -1;
	for (i = 0; i < n; i++)
		if (s[i] < '0' || s[i] > '9')
			return -1;
	while (n > 1 && *s == '0') {
		s++;
		n--;
	}
	if (n >= sizeof(tmp))
		return -2;
	memcpy(tmp, s, n);
	tmp[n] = '\0';
	*v = strtonum(tmp, 0, max, &errstr);
	return errstr == NULL ? 0 : -2;
}

/* A Retry-After value: seconds, perhaps with a fraction, as "0.2". */
int
valid_seconds(const char *s, size_t n)
{
	size_t i, dots = 0;

	if (n == 0 || n > 15 || s[0] == '.' || s[n - 1] == '.')
		return 0;
	for (i = 0; i < n; i++) {
		if (s[i] == '.')
			dots++;
		else if (s[i] < '0' || s[i] > '9')
			return 0;
	}
	return dots <= 1;
}

/* An HTTP token (RFC 9110 tchar), as a header name must be. */
int
valid_token(const char *s, size_t n)
{
	size_t i;

	if (n == 0)
		return 0;
	for (i = 0; i < n; i++)
		if (!isalnum((unsigned char)s[i]) &&
		    strchr("!#$%&'*+-.^_`|~", s[i]) == NULL)
			return 0;
	return 1;
}
