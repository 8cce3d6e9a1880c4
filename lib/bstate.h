/*
 * Bstate: the STATE file of --batch-api, which makes a run killed at any
 * moment resumable: no row sent twice, none lost.
 *
 * It is JSON Lines, appended to and fsync'd one record at a time, each
 * written as soon as what it tells of exists (the spools, the Batch
 * files and the result files it names live in STATE.d beside it):
 *
 *	{"enrich":"batch-2","settings":{"model":H,...}}
 *		first: what the rows are asked, as named hashes; a run with
 *		other settings is refused, naming them (bstate_open, with
 *		bsettings.h)
 *	{"read":N,"seq":S,"hash":H,"fill":K,"spool":B,"upload":U,"rows":R,
 *	 "at":A,"line":M}
 *		a checkpoint: the first N lines of the input (S rows), whose
 *		bytes hash to H, are accounted for: written, or in the spools
 *		of files before K, or in the first B bytes of file K's spool
 *		(U bytes of its upload, R rows of it); the results of file A
 *		(or -1) are written through its spool's record M
 *	{"up":K,"file":ID,"rows":R,"reserved":D}	file K uploaded
 *	{"batch":ID,"k":K}			its batch made
 *	{"got":K}				its results downloaded whole
 *	{"ended":K}				its rows all written or moved
 *
 * Memory is independent of the input: the last checkpoint, and the files
 * not ended.  Replay streams the file; a last line cut short by a kill is
 * cut off; any other line that is no record refuses the file, as does a
 * STATE of the earlier format (per-row IDs), which is named.  One run at
 * a time holds the file (flock).
 *
 * Library code: it fills an error buffer and never prints.  Not here:
 * the spools (spool.h), the API (bapi.h), what to do next (batchapi.h).
 */
#ifndef ENRICH_BSTATE_H
#define ENRICH_BSTATE_H

#include <sys/types.h>

#include <stddef.h>
#include <stdint.h>

#include "bapi.h"
#include "bsettings.h"

#define BSTATE_HASH_HEX	64

/* A checkpoint; zeroed (at -1) is the start of a run with a new STATE. */
struct bstate_mark {
	uint64_t	 read;		/* input lines accounted for */
	uint64_t	 seq;		/* rows among them */
	char		 hash[BSTATE_HASH_HEX + 1];	/* of their bytes */
	int		 fill;		/* the file being filled */
	off_t		 spool;		/* its spool's bytes, committed */
	off_t		 upload;	/* its upload file's */
	size_t		 rows;		/* its rows to upload */
	int		 at;		/* results being written, or -1 */
	uint64_t	 line;		/* spool records of it done */
};

/* A file closed (before mark.fill) and not ended. */
struct bstate_file {
	int		 k;
	char		 id[BAPI_ID_MAX];	/* "" until uploaded */
	char		 batch[BAPI_ID_MAX];	/* "" until made */
	size_t		 rows;
	double		 reserved;
	int		 got;
};

struct bstate;

/*
 * Open (creating) path and replay it; a new one is given the settings,
 * an old one must have the same.  NULL and err on failure: a record that
 * is none, another enrich holding it, other settings (naming them).
 */
struct bstate	*bstate_open(const char *, const struct bstate_setting *,
		    size_t, char *, size_t);
void		 bstate_free(struct bstate *);
/* The directory of its spools and files: path.d, made by bstate_open. */
const char	*bstate_dir(const struct bstate *);
/* Did the file hold a run already (a resume)? */
int		 bstate_resumed(const struct bstate *);

/* Append and fsync a record, and apply it: 0, or -1 and err. */
int		 bstate_mark(struct bstate *, const struct bstate_mark *,
		    char *, size_t);
int		 bstate_uploaded(struct bstate *, int, const char *, size_t,
		    double, char *, size_t);
int		 bstate_made(struct bstate *, int, const char *, char *,
		    size_t);
int		 bstate_got(struct bstate *, int, char *, size_t);
int		 bstate_ended(struct bstate *, int, char *, size_t);

const struct bstate_mark *bstate_last(const struct bstate *);
/* The files not ended, in order. */
size_t		 bstate_nfiles(const struct bstate *);
const struct bstate_file *bstate_file(const struct bstate *, size_t);
/* The file numbered k, if not ended; or NULL. */
const struct bstate_file *bstate_find(const struct bstate *, int);

/* Replay a STATE's text in memory, checking every record (the tests'
 * and the fuzzer's): 0, or -1 and err naming the line. */
int		 bstate_check(const char *, size_t, char *, size_t);
/* Hex SHA-256 of bytes, for the settings and the input. */
void		 bstate_hex(const unsigned char *, size_t, char *);

#endif
