/*
 * Results: a batch's output and error files, as they came, on disk, and
 * an index of them by custom_id, so that each row's answer is read when
 * its turn comes and the files are never in memory.
 *
 * The files are streamed to results.K (batchapi.h) as they download; then
 * results_index reads it once, line by line, and keeps for each line the
 * seq its custom_id names (enrich's custom_ids are the rows' seqs, in
 * decimal), where it starts and how long it is: O(lines of one batch),
 * at most 50,000 entries.  A line that is no result, or whose custom_id
 * is no seq, is counted and passed over.
 *
 * Not here: what a result line says (bapi.h), or what it means for its
 * row (finish.h).
 */
#ifndef ENRICH_RESULTS_H
#define ENRICH_RESULTS_H

#include <sys/types.h>

#include <stddef.h>
#include <stdint.h>

#include "buf.h"

struct results;

struct results	*results_new(void);
void		 results_free(struct results *);
/* Index the file (borrowed) anew: 0, or -1 and err (a read error, out
 * of memory).  Lines longer than max are passed over. */
int		 results_index(struct results *, int, size_t, char *, size_t);
/* Lines indexed, and lines passed over. */
size_t		 results_count(const struct results *);
size_t		 results_bad(const struct results *);
/* The line for seq into b (replacing what it held): 1; 0 if the files
 * hold none; -1 with errno on a read error. */
int		 results_read(const struct results *, uint64_t, struct buf *);

#endif
