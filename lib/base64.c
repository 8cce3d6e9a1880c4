#include <errno.h>
#include <stdint.h>
#include <string.h>

#include "base64.h"

static const char b64[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

int
base64_encode(struct buf *b, const unsigned char *p, size_t n)
{
	char		*o;
	size_t		 i, out;
	uint32_t	 v;

	if (n == 0)
		return 0;
	if (n > (SIZE_MAX - 3) / 4 * 3)
		return -1;
	out = (n + 2) / 3 * 4;
	if (buf_reserve(b, out) == -1)
		return -1;
	o = b->data + b->len;
	for (i = 0; i + 3 <= n; i += 3) {
		v = (uint32_t)p[i] << 16 | (uint32_t)p[i + 1] << 8 | p[i + 2];
		*o++ = b64[v >> 18];
		*o++ = b64[v >> 12 & 63];
		*o++ = b64[v >> 6 & 63];
		*o++ = b64[v & 63];
	}
	if (n - i == 1) {
		v = (uint32_t)p[i] << 16;
		*o++ = b64[v >> 18];
		*o++ = b64[v >> 12 & 63];
		*o++ = '=';
		*o++ = '=';
	} else if (n - i == 2) {
		v = (uint32_t)p[i] << 16 | (uint32_t)p[i + 1] << 8;
		*o++ = b64[v >> 18];
		*o++ = b64[v >> 12 & 63];
		*o++ = b64[v >> 6 & 63];
		*o++ = '=';
	}
	b->len += out;
	return 0;
}

static int
b64val(char c)
{
	const char	*at;

	if (c == '\0' || (at = strchr(b64, c)) == NULL)
		return -1;
	return (int)(at - b64);
}

int
base64_decode(struct buf *b, const char *s, size_t n)
{
	uint32_t	 v = 0;
	size_t		 i, bits = 0;
	int		 d;

	while (n > 0 && s[n - 1] == '=')
		n--;
	if (n % 4 == 1 || buf_reserve(b, n / 4 * 3 + 3) == -1)
		return -1;
	for (i = 0; i < n; i++) {
		if ((d = b64val(s[i])) == -1)
			return -1;
		v = v << 6 | (uint32_t)d;
		if ((bits += 6) >= 8) {
			bits -= 8;
			b->data[b->len++] = (char)(v >> bits & 0xff);
		}
	}
	return 0;
}
