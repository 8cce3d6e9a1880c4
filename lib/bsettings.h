/*
 * Bsettings: what a STATE's rows are asked, as named hashes, so that a
 * run with other settings is refused rather than given answers to
 * another question.
 *
 * The first record of a STATE (bstate.h) holds a JSON object of them,
 * {"prompt":H,"model":H,...}, each H the first 64 bits of the SHA-256 of
 * the setting's bytes, in hex, or "-" for one not given: a few bytes
 * whatever the prompt's size, and no prompt or key written to disk.
 * Reading it back keeps the names and hashes; comparing names each
 * setting whose hash differs, or that the STATE did not have.
 *
 * It computes and formats; bstate.h writes, reads and fsyncs.
 */
#ifndef ENRICH_BSETTINGS_H
#define ENRICH_BSETTINGS_H

#include <stddef.h>

#include "buf.h"
#include "json.h"

#define BSETTINGS_MAX	32		/* settings a STATE keeps */
#define BSETTINGS_HEX	16		/* of a setting's hash: 64 bits */

/* A setting the rows' answers depend on, by name: its bytes are hashed. */
struct bstate_setting {
	const char	*name;		/* "prompt", "model", ... */
	const char	*value;		/* NULL: not given */
	size_t		 len;
};

/* The settings a STATE was made with, as read back. */
struct bsettings {
	char		 names[BSETTINGS_MAX][32];
	char		 hashes[BSETTINGS_MAX][BSETTINGS_HEX + 1];
	size_t		 n;
};

/* Append the JSON object of these settings: 0, or -1 if out of memory. */
int	 bsettings_write(struct buf *, const struct bstate_setting *, size_t);
/* Read the object at token t of j (its string members; others are
 * passed over): 0, or -1 if out of memory. */
int	 bsettings_read(struct bsettings *, const struct json *, int);
/* 0 if these settings are those read; else -1 and err naming those that
 * differ. */
int	 bsettings_compare(const struct bsettings *,
	    const struct bstate_setting *, size_t, char *, size_t);

#endif
