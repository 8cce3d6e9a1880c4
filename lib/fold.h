/*
 * Fold: Unicode simple case folding, so that two texts compare without
 * regard to case in any script, as CaseFolding.txt's C and S mappings
 * fold them: "Économie" and "économie", "ΣΟΦΊΑ" and "σοφία", "ДА" and
 * "да", "K" (U+212A KELVIN SIGN) and "k".
 *
 * Every mapping of Unicode 14.0 is here (1,454 code points in 202
 * ranges, tests/fold_table.pl makes them).  Simple folding maps one code
 * point to one: "ß" is not "ss", nor "ﬁ" "fi" (full folding's), and
 * nothing is normalized: "é" precomposed is not "e" and a combining
 * accent.  Bytes that are not UTF-8 compare as themselves.
 *
 * Pure functions; nothing allocates.  Not here: what is compared, or
 * what is forgiven around it (labels.h).
 */
#ifndef ENRICH_FOLD_H
#define ENRICH_FOLD_H

#include <stddef.h>
#include <stdint.h>

/* The code point a code point folds to (itself if none). */
uint32_t	 fold_cp(uint32_t);
/* Whether the two texts are equal, folded. */
int		 fold_equal(const char *, size_t, const char *, size_t);

#endif
