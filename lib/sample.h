/*
 * Sample: which rows --sample N% keeps.
 *
 * A row is kept when a hash of its ID falls under N%: the same rows in
 * every run, for every prompt, on every machine, and a smaller sample
 * lies inside a larger one, with no reservoir and no second pass (each
 * row is decided alone, as it streams by).  The ID is the one --skip-ids
 * compares: a string's decoded text without its quotes, an integer's
 * digits as written, and for a row without one its line number in
 * decimal.  The rule, to reproduce a sample elsewhere: the first eight
 * bytes of the SHA-256 of those bytes, read as a big-endian integer,
 * modulo 1,000,000, kept when below N times 10,000.
 *
 * Not here: reading the ID of a row (input.h), or what becomes of a row
 * outside the sample (it is not written, and counted apart).
 */
#ifndef ENRICH_SAMPLE_H
#define ENRICH_SAMPLE_H

#include <stddef.h>

/* The share of a sample in parts per million: 100% is all. */
#define SAMPLE_ALL	1000000

/*
 * "N%", N from 0.0001 to 100 with at most four decimals, as parts per
 * million: 0, or -1 with why in err.
 */
int	 sample_parse(const char *, long *, char *, size_t);
/* 1 if the row of this ID (its bytes, as above) is in a sample of ppm. */
int	 sample_keep(long, const char *, size_t);

#endif
