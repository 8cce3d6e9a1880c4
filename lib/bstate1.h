/*
 * Bstate: the STATE file of --batch-api (the format of the last release,
 * read by the driver that goes with it until the Batch transport replaces
 * both; bstate.h is the new one), which makes a run that is killed
 * at any moment resumable without sending any row twice.
 *
 * It is JSON Lines, appended to and fsync'd one record at a time, each
 * record written as soon as what it tells of exists:
 *
 *	{"file":"file-1","ids":["1","2",...]}	uploaded, with its rows
 *	{"batch":"batch_1","file":"file-1"}	a batch made from it
 *	{"written":["1",...],"ended":"batch_1"}	rows written out (of that
 *						batch, now done with)
 *	{"read":true}				the rows that needed no request
 *						were written
 *	{"complete":true}			every row is written
 *
 * Opening replays the file into memory: for each row its file (the last
 * it was sent in), how many files held it, and whether it was written;
 * for each file its batch and whether that batch is done with.  A last
 * line cut short by a kill is dropped; any other line that is no record
 * refuses the file.  One run at a time holds the file (flock).
 *
 * Library code: it fills an error buffer and never prints.  Not here:
 * the API's requests (bapi.h) or what to do next (batchrun.c).
 */
#ifndef ENRICH_BSTATE1_H
#define ENRICH_BSTATE1_H

#include <stddef.h>

#include "bapi.h"

struct bstate1_file {
	char		 id[BAPI_ID_MAX];
	char		 batch[BAPI_ID_MAX];	/* "" until made */
	int		 ended;		/* its rows are written or free */
	size_t		 rows;
};

struct bstate1_row {
	int		 file;		/* index of the last file, or -1 */
	int		 tries;		/* files it was sent in */
	int		 written;
};

struct bstate1;

/* Open (creating) and replay path; with path NULL, a state in memory
 * only.  NULL and err on failure. */
struct bstate1	*bstate1_open(const char *, char *, size_t);
void		 bstate1_free(struct bstate1 *);
/* Replay one line: 0, or -1 and err if it is no record (or out of
 * memory).  Used by bstate1_open; public for the tests. */
int		 bstate1_apply(struct bstate1 *, const char *, size_t, char *,
		    size_t);

/* Append and fsync a record, and apply it.  Keys are custom_ids, of the
 * given lengths.  0, or -1 and err. */
int		 bstate1_add_file(struct bstate1 *, const char *,
		    const char *const *, const size_t *, size_t, char *,
		    size_t);
int		 bstate1_add_batch(struct bstate1 *, const char *, const char *,
		    char *, size_t);
/* The batch may be NULL: rows given up on, outside any batch. */
int		 bstate1_add_written(struct bstate1 *, const char *,
		    const char *const *, const size_t *, size_t, char *,
		    size_t);
int		 bstate1_add_read(struct bstate1 *, char *, size_t);
int		 bstate1_add_complete(struct bstate1 *, char *, size_t);

/* A row by custom_id, or NULL if STATE never heard of it. */
const struct bstate1_row *bstate1_row(const struct bstate1 *, const char *,
		    size_t);
size_t		 bstate1_nfiles(const struct bstate1 *);
const struct bstate1_file *bstate1_file(const struct bstate1 *, size_t);
/* The index of the file of this ID, or -1. */
int		 bstate1_find_file(const struct bstate1 *, const char *);
int		 bstate1_read(const struct bstate1 *);
int		 bstate1_complete(const struct bstate1 *);

#endif
