/*
 * Batchfetch: --batch-api's end of a batch.  When the API says a batch is
 * over, its output and error files are downloaded and read line by line;
 * each row answered is written once (a run cut short in this batch may
 * have written some already; STATE says which), a row the batch did not
 * answer is left to be sent again, and STATE is told what was written,
 * and that the batch is over once both files were read.
 *
 * Program code: it says with -v what it passed over, and exits when STATE
 * cannot be written.  Not here: when batches are asked after, or rows
 * sent (batchrun.c); the words of the API (lib/bapi.h); a row's line
 * (batchrows.h, lib/bresult.h).
 */
#ifndef ENRICH_BATCHFETCH_H
#define ENRICH_BATCHFETCH_H

#include <stddef.h>

#include "batchnet.h"
#include "batchrows.h"
#include "cli.h"
#include "lib/bapi.h"
#include "lib/bstate1.h"
#include "lib/json.h"

/* What it works with, all borrowed. */
struct bfetch {
	const struct config	*cfg;
	struct bnet		*net;
	struct json		*json;
	struct brows		*rows;
	struct bstate1		*state;
};

/*
 * Batch k of STATE is over, as bb says: write its rows.  1 when STATE now
 * has it over; 0 when its results could not be read (said, unless -q),
 * to be tried at the next poll; BNET_INTERRUPTED.  Either way, the rows
 * written are written out and told to STATE.
 */
int	 bfetch_batch(const struct bfetch *, size_t, const struct bapi_batch *);

#endif
