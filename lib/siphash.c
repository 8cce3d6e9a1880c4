/*
 * After the reference implementation (github.com/veorq/SipHash, CC0):
 * little-endian words, two rounds a word, four to finish, the 128-bit
 * variant's 0xee and 0xdd.  Checked against its test vectors in
 * tests/unit/test_siphash.c.
 */
#include <string.h>

#include "siphash.h"

#define ROTL(x, b)	(((x) << (b)) | ((x) >> (64 - (b))))

static inline void
sipround(uint64_t *v)
{
	v[0] += v[1];
	v[1] = ROTL(v[1], 13);
	v[1] ^= v[0];
	v[0] = ROTL(v[0], 32);
	v[2] += v[3];
	v[3] = ROTL(v[3], 16);
	v[3] ^= v[2];
	v[0] += v[3];
	v[3] = ROTL(v[3], 21);
	v[3] ^= v[0];
	v[2] += v[1];
	v[1] = ROTL(v[1], 17);
	v[1] ^= v[2];
	v[2] = ROTL(v[2], 32);
}

static inline uint64_t
load64(const unsigned char *p)
{
	return (uint64_t)p[0] | (uint64_t)p[1] << 8 | (uint64_t)p[2] << 16 |
	    (uint64_t)p[3] << 24 | (uint64_t)p[4] << 32 |
	    (uint64_t)p[5] << 40 | (uint64_t)p[6] << 48 |
	    (uint64_t)p[7] << 56;
}

static inline void
word(uint64_t *v, uint64_t m)
{
	v[3] ^= m;
	sipround(v);
	sipround(v);
	v[0] ^= m;
}

void
siphash_init(struct siphash *h, const unsigned char key[SIPHASH_KEY_LEN])
{
	uint64_t	 k0 = load64(key), k1 = load64(key + 8);

	h->v[0] = 0x736f6d6570736575ULL ^ k0;
	h->v[1] = 0x646f72616e646f6dULL ^ k1 ^ 0xee;
	h->v[2] = 0x6c7967656e657261ULL ^ k0;
	h->v[3] = 0x7465646279746573ULL ^ k1;
	h->tail = 0;
	h->len = 0;
}

void
siphash_add(struct siphash *h, const void *data, size_t n)
{
	const unsigned char	*p = data;
	size_t			 have = h->len & 7;

	h->len += n;
	/* Fill the word begun by the last piece. */
	if (have > 0) {
		for (; n > 0 && have < 8; n--, have++)
			h->tail |= (uint64_t)*p++ << (8 * have);
		if (have < 8)
			return;
		word(h->v, h->tail);
		h->tail = 0;
	}
	for (; n >= 8; n -= 8, p += 8)
		word(h->v, load64(p));
	for (have = 0; have < n; have++)
		h->tail |= (uint64_t)p[have] << (8 * have);
}

void
siphash_end(struct siphash *h, unsigned char out[SIPHASH_LEN])
{
	uint64_t	*v = h->v, b;
	int		 i, k;

	word(v, h->tail | (uint64_t)h->len << 56);
	v[2] ^= 0xee;
	for (k = 0; k < 2; k++) {
		for (i = 0; i < 4; i++)
			sipround(v);
		b = v[0] ^ v[1] ^ v[2] ^ v[3];
		for (i = 0; i < 8; i++)
			out[8 * k + i] = (unsigned char)(b >> (8 * i));
		v[1] ^= 0xdd;
	}
}
