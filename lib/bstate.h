/*
 * Bstate: the STATE file of --batch-api, which makes a run that is killed
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
#ifndef ENRICH_BSTATE_H
#define ENRICH_BSTATE_H

#include <stddef.h>

#include "bapi.h"

struct bstate_file {
	char		 id[BAPI_ID_MAX];
	char		 batch[BAPI_ID_MAX];	/* "" until made */
	int		 ended;		/* its rows are written or free */
	size_t		 rows;
};

struct bstate_row {
	int		 file;		/* index of the last file, or -1 */
	int		 tries;		/* files it was sent in */
	int		 written;
};

struct bstate;

/* Open (creating) and replay path; with path NULL, a state in memory
 * only.  NULL and err on failure. */
struct bstate	*bstate_open(const char *, char *, size_t);
void		 bstate_free(struct bstate *);
/* Replay one line: 0, or -1 and err if it is no record (or out of
 * memory).  Used by bstate_open; public for the tests. */
int		 bstate_apply(struct bstate *, const char *, size_t, char *,
		    size_t);

/* Append and fsync a record, and apply it.  Keys are custom_ids, of the
 * given lengths.  0, or -1 and err. */
int		 bstate_add_file(struct bstate *, const char *,
		    const char *const *, const size_t *, size_t, char *,
		    size_t);
int		 bstate_add_batch(struct bstate *, const char *, const char *,
		    char *, size_t);
/* The batch may be NULL: rows given up on, outside any batch. */
int		 bstate_add_written(struct bstate *, const char *,
		    const char *const *, const size_t *, size_t, char *,
		    size_t);
int		 bstate_add_read(struct bstate *, char *, size_t);
int		 bstate_add_complete(struct bstate *, char *, size_t);

/* A row by custom_id, or NULL if STATE never heard of it. */
const struct bstate_row *bstate_row(const struct bstate *, const char *,
		    size_t);
size_t		 bstate_nfiles(const struct bstate *);
const struct bstate_file *bstate_file(const struct bstate *, size_t);
/* The index of the file of this ID, or -1. */
int		 bstate_find_file(const struct bstate *, const char *);
int		 bstate_read(const struct bstate *);
int		 bstate_complete(const struct bstate *);

#endif
