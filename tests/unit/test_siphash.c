#include <stdio.h>
#include <string.h>

#include "check.h"
#include "siphash.h"

/*
 * The reference's vectors (key 00..0f, message 00..n-1), 128-bit output,
 * as OpenSSL's SIPHASH MAC gives them too (openssl mac -macopt size:16).
 */
static const struct {
	size_t		 n;
	const char	*hex;
} vec[] = {
	{ 0, "a3817f04ba25a8e66df67214c7550293" },
	{ 1, "da87c1d86b99af44347659119b22fc45" },
	{ 7, "a1f1ebbed8dbc153c0b84aa61ff08239" },
	{ 8, "3b62a9ba6258f5610f83e264f31497b4" },
	{ 9, "264499060ad9baabc47f8b02bb6d71ed" },
	{ 15, "5493e99933b0a8117e08ec0f97cfc3d9" },
	{ 16, "6ee2a4ca67b054bbfd3315bf85230577" },
	{ 17, "473d06e8738db89854c066c47ae47740" },
	{ 63, "5150d1772f50834a503e069a973fbd7c" },
};

static void
hex(const unsigned char *p, char *out)
{
	size_t	 i;

	for (i = 0; i < SIPHASH_LEN; i++)
		snprintf(out + 2 * i, 3, "%02x", p[i]);
}

int
main(void)
{
	struct siphash	 h;
	unsigned char	 key[SIPHASH_KEY_LEN], msg[64], out[SIPHASH_LEN];
	unsigned char	 one[SIPHASH_LEN];
	char		 got[2 * SIPHASH_LEN + 1];
	size_t		 i, k, cut, cut2;

	for (i = 0; i < sizeof(key); i++)
		key[i] = i;
	for (i = 0; i < sizeof(msg); i++)
		msg[i] = i;
	for (k = 0; k < sizeof(vec) / sizeof(vec[0]); k++) {
		siphash_init(&h, key);
		siphash_add(&h, msg, vec[k].n);
		siphash_end(&h, out);
		hex(out, got);
		CHECK_MEM(got, strlen(got), vec[k].hex);
	}

	/* In pieces of any sizes, the same as in one. */
	siphash_init(&h, key);
	siphash_add(&h, msg, 63);
	siphash_end(&h, one);
	for (cut = 0; cut <= 63; cut++)
		for (cut2 = cut; cut2 <= 63; cut2 += 5) {
			siphash_init(&h, key);
			siphash_add(&h, msg, cut);
			siphash_add(&h, msg + cut, cut2 - cut);
			siphash_add(&h, msg + cut2, 0);
			siphash_add(&h, msg + cut2, 63 - cut2);
			siphash_end(&h, out);
			CHECK(memcmp(out, one, sizeof(out)) == 0);
		}

	/* The key matters. */
	key[0] ^= 1;
	siphash_init(&h, key);
	siphash_add(&h, msg, 63);
	siphash_end(&h, out);
	CHECK(memcmp(out, one, sizeof(out)) != 0);
	return check_done("test_siphash");
}
