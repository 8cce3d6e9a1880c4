/*
 * SipHash-2-4 with its 128-bit output (Aumasson and Bernstein, 2012): a
 * keyed hash, fast on short inputs, whose outputs no one who lacks the
 * key can make collide.
 *
 * It names what a row asks when nothing outside the run needs the name:
 * rows asking the same thing are found by it (dedup.h) at a tenth of
 * SHA-256's cost, and a random key per run keeps crafted rows from
 * posing as one another.  The keys of --cache and --batch-api stay
 * SHA-256 (cache.h): they name files and fill spools that every run
 * must find again.
 *
 * Streaming: siphash_add as many pieces as there are, then
 * siphash_end.  No allocation; the context is the caller's.
 */
#ifndef ENRICH_SIPHASH_H
#define ENRICH_SIPHASH_H

#include <stddef.h>
#include <stdint.h>

#define SIPHASH_KEY_LEN	16
#define SIPHASH_LEN	16		/* bytes of output */

struct siphash {
	uint64_t	 v[4];
	uint64_t	 tail;		/* bytes not yet a whole word */
	size_t		 len;		/* bytes in all so far */
};

void	siphash_init(struct siphash *, const unsigned char [SIPHASH_KEY_LEN]);
void	siphash_add(struct siphash *, const void *, size_t);
void	siphash_end(struct siphash *, unsigned char [SIPHASH_LEN]);

#endif
