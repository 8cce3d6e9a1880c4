/*
 * Batchrows: --batch-api's rows.  The whole input is read first, since a
 * batch takes its rows all at once and answers them hours later: each row
 * that needs a request is kept as its input line (not its body, which is
 * made again when it is sent, and its line again when it is written),
 * with its custom_id, found through an index.  Lines that need no request
 * (blank, skipped, not a row) are dealt with as a real-time run deals
 * with them.  Each row's line is written, when its answer comes, through
 * the same modules as in real time (input.h, record.h by way of
 * bresult.h, output.h), and counted in the stats.
 *
 * Program code: it may exit, and -v says each failed row.  Not here:
 * batches and STATE (batchrun.c).
 */
#ifndef ENRICH_BATCHROWS_H
#define ENRICH_BATCHROWS_H

#include <stddef.h>
#include <stdint.h>

#include "cli.h"
#include "lib/bapi.h"
#include "lib/input.h"
#include "lib/output.h"
#include "lib/record.h"
#include "lib/rows.h"
#include "lib/stats.h"

/* A row that needs a request, kept from the input until it is written. */
struct brow {
	char		*key;		/* its custom_id */
	size_t		 keylen;
	char		*text;		/* the input line */
	size_t		 len;
	uint64_t	 lineno;
	uint64_t	 seq;
	int		 written;	/* in this run */
};

struct brows_config {
	const struct config	*cfg;
	struct input		*input;
	struct record		*record;
	struct output		*out;
	struct stats		*st;
	int			 sigfd;		/* the signal pipe */
};

struct brows;

/* Everything given is borrowed. */
struct brows	*brows_new(const struct brows_config *);
void		 brows_free(struct brows *);
/*
 * Read the whole input.  Lines that need no request are written when
 * first is set (the first run of a STATE); a dry run writes each row's
 * Batch request line.  0, or the signal (SIGINT, SIGTERM, SIGHUP) that
 * cut it short.
 */
int		 brows_read(struct brows *, int);
size_t		 brows_count(const struct brows *);
/* The k-th row of the input that needs a request. */
struct brow	*brows_at(struct brows *, size_t);
/* The row of this custom_id, or NULL. */
struct brow	*brows_find(struct brows *, const char *, size_t);
/* The row loaded again, its request body made; give it back with
 * brows_put. */
struct row	*brows_load(struct brows *, const struct brow *);
void		 brows_put(struct brows *, struct row *);
/* Write the row's line for what its batch answered. */
void		 brows_deliver(struct brows *, struct brow *,
		    const struct bapi_result *);
/* Write the row's line as an error: tries batches never answered it. */
void		 brows_give_up(struct brows *, struct brow *, int);
/* Write everything queued, waiting for the reader if need be. */
void		 brows_drain(struct brows *);

#endif
