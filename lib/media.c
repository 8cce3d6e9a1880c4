#include <stdint.h>
#include <string.h>

#include "media.h"

enum media_kind
media_sniff(const unsigned char *p, size_t n)
{
	if (n >= 8 && memcmp(p, "\x89PNG\r\n\x1a\n", 8) == 0)
		return MEDIA_PNG;
	if (n >= 3 && p[0] == 0xff && p[1] == 0xd8 && p[2] == 0xff)
		return MEDIA_JPEG;
	if (n >= 6 && (memcmp(p, "GIF87a", 6) == 0 ||
	    memcmp(p, "GIF89a", 6) == 0))
		return MEDIA_GIF;
	if (n >= 12 && memcmp(p, "RIFF", 4) == 0 &&
	    memcmp(p + 8, "WEBP", 4) == 0)
		return MEDIA_WEBP;
	if (n >= 5 && memcmp(p, "%PDF-", 5) == 0)
		return MEDIA_PDF;
	return MEDIA_UNKNOWN;
}

const char *
media_type(enum media_kind k)
{
	switch (k) {
	case MEDIA_PNG:
		return "image/png";
	case MEDIA_JPEG:
		return "image/jpeg";
	case MEDIA_GIF:
		return "image/gif";
	case MEDIA_WEBP:
		return "image/webp";
	case MEDIA_PDF:
		return "application/pdf";
	default:
		return NULL;
	}
}

static uint32_t
be32(const unsigned char *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	    (uint32_t)p[2] << 8 | p[3];
}

static uint32_t
le24(const unsigned char *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16;
}

/* A JPEG's size is in its first start-of-frame segment, after any
 * number of others (EXIF, ICC profiles) that are skipped by length. */
static int
jpeg_size(const unsigned char *p, size_t n, uint32_t *w, uint32_t *h)
{
	size_t		 i = 2, len;
	unsigned	 m;

	while (i < n) {
		if (p[i] != 0xff)
			return -1;
		while (i < n && p[i] == 0xff)	/* fill bytes */
			i++;
		if (i >= n)
			return -1;
		m = p[i++];
		if (m == 0x01 || (m >= 0xd0 && m <= 0xd8))
			continue;		/* no length: standalone */
		if (m == 0xd9 || m == 0xda)	/* the end, or the scan,
						 * before any frame */
			return -1;
		if (i + 2 > n || (len = (size_t)p[i] << 8 | p[i + 1]) < 2)
			return -1;
		if (m >= 0xc0 && m <= 0xcf && m != 0xc4 && m != 0xc8 &&
		    m != 0xcc) {
			if (len < 7 || i + 7 > n)
				return -1;
			*h = (uint32_t)p[i + 3] << 8 | p[i + 4];
			*w = (uint32_t)p[i + 5] << 8 | p[i + 6];
			return 0;
		}
		i += len;
	}
	return -1;
}

int
media_size(const unsigned char *p, size_t n, enum media_kind k,
    uint32_t *w, uint32_t *h)
{
	uint32_t	 bits;

	*w = *h = 0;
	switch (k) {
	case MEDIA_PNG:
		if (n < 24 || memcmp(p + 12, "IHDR", 4) != 0)
			return -1;
		*w = be32(p + 16);
		*h = be32(p + 20);
		/* The PNG spec's own bound. */
		if (*w > INT32_MAX || *h > INT32_MAX)
			return -1;
		break;
	case MEDIA_GIF:
		if (n < 10)
			return -1;
		*w = (uint32_t)p[6] | (uint32_t)p[7] << 8;
		*h = (uint32_t)p[8] | (uint32_t)p[9] << 8;
		break;
	case MEDIA_WEBP:
		if (n < 30)
			return -1;
		if (memcmp(p + 12, "VP8 ", 4) == 0) {
			if (p[23] != 0x9d || p[24] != 0x01 || p[25] != 0x2a)
				return -1;
			*w = ((uint32_t)p[26] | (uint32_t)p[27] << 8) & 0x3fff;
			*h = ((uint32_t)p[28] | (uint32_t)p[29] << 8) & 0x3fff;
		} else if (memcmp(p + 12, "VP8L", 4) == 0) {
			if (p[20] != 0x2f)
				return -1;
			bits = le24(p + 21) | (uint32_t)p[24] << 24;
			*w = (bits & 0x3fff) + 1;
			*h = (bits >> 14 & 0x3fff) + 1;
		} else if (memcmp(p + 12, "VP8X", 4) == 0) {
			*w = le24(p + 24) + 1;
			*h = le24(p + 27) + 1;
		} else
			return -1;
		break;
	case MEDIA_JPEG:
		if (jpeg_size(p, n, w, h) == -1)
			return -1;
		break;
	default:
		return -1;
	}
	return *w > 0 && *h > 0 ? 0 : -1;
}

/*
 * OpenAI's rule for an image at high detail (the default, "auto", is high
 * for anything but the smallest): fit it in 2048x2048, then shrink it
 * until its shorter side is 768; 170 tokens for each 512-pixel tile it
 * covers, and 85 besides.
 */
long long
media_tokens_chat(uint32_t w, uint32_t h)
{
	unsigned long long	 W = w, H = h, m;

	if ((m = W > H ? W : H) > 2048) {
		W = W * 2048 / m;
		H = H * 2048 / m;
	}
	if ((m = W < H ? W : H) > 768) {
		W = W * 768 / m;
		H = H * 768 / m;
	}
	W = W > 0 ? W : 1;
	H = H > 0 ? H : 1;
	return 85 + 170 * (long long)(((W + 511) / 512) * ((H + 511) / 512));
}

/*
 * Anthropic's: an image whose long edge is over 1568 pixels is scaled
 * down to that first; then width times height over 750.
 */
long long
media_tokens_messages(uint32_t w, uint32_t h)
{
	unsigned long long	 W = w, H = h, m;

	if ((m = W > H ? W : H) > 1568) {
		W = W * 1568 / m;
		H = H * 1568 / m;
	}
	/* A sliver is a pixel wide, not none. */
	W = W > 0 ? W : 1;
	H = H > 0 ? H : 1;
	return (long long)((W * H + 749) / 750);
}
