#include <sha2.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "sample.h"

#define DECIMALS	4	/* of a percentage: 10^4 * 100 = SAMPLE_ALL */

int
sample_parse(const char *s, long *ppm, char *err, size_t errlen)
{
	const char	*p = s;
	long		 v = 0;
	int		 digits = 0, decimals = -1;

	/* By hand, not strtod: "0.1%" must be 1000 ppm exactly, everywhere. */
	for (; *p != '\0' && *p != '%'; p++) {
		if (*p == '.' && decimals == -1 && digits > 0) {
			decimals = 0;
			continue;
		}
		if (*p < '0' || *p > '9' || decimals == DECIMALS ||
		    v > SAMPLE_ALL)
			goto bad;
		v = v * 10 + (*p - '0');
		digits++;
		if (decimals >= 0)
			decimals++;
	}
	if (digits == 0 || decimals == 0 || *p != '%' || p[1] != '\0')
		goto bad;
	for (decimals = decimals < 0 ? 0 : decimals; decimals < DECIMALS;
	    decimals++)
		v *= 10;
	if (v == 0 || v > SAMPLE_ALL) {
		snprintf(err, errlen, "a sample from 0.0001%% to 100%%");
		return -1;
	}
	*ppm = v;
	return 0;
bad:
	snprintf(err, errlen, "a percentage such as 10%% or 0.5%% expected "
	    "(at most %d decimals)", DECIMALS);
	return -1;
}

/*
 * SHA-256, not a faster hash of our own choosing: it is the same on every
 * platform and in every language's standard library, will not change
 * between versions of enrich (a seeded or platform hash would), and libmd
 * is already linked for --cache's keys; a row costs one hash of a few
 * bytes.  Its first 64 bits modulo 10^6 are uniform to within 10^-13.
 */
int
sample_keep(long ppm, const char *key, size_t len)
{
	SHA2_CTX	 ctx;
	uint8_t		 d[SHA256_DIGEST_LENGTH];
	uint64_t	 h = 0;
	int		 k;

	if (ppm >= SAMPLE_ALL)
		return 1;
	SHA256Init(&ctx);
	SHA256Update(&ctx, (const uint8_t *)key, len);
	SHA256Final(d, &ctx);
	for (k = 0; k < 8; k++)
		h = h << 8 | d[k];
	return h % SAMPLE_ALL < (uint64_t)ppm;
}
