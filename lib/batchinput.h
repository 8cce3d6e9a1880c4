/*
 * Batchinput: where the input stands, as a STATE sees it.
 *
 * STATE's checkpoint names the input by how many lines it has accounted
 * for (written, or parked in a Batch file) and the SHA-256 of their
 * bytes.  A resumed run is given the same input again: its first lines,
 * those the checkpoint names, are skipped (they were dealt with), and
 * checked against the hash when the last of them is read, so a run with
 * another input is refused rather than answered with another's rows;
 * an input shorter than that is refused at its end.
 *
 * Every line counts, blank or not (a blank line is no row but is part of
 * the bytes).  A checkpoint names the lines accounted for, not those
 * read: a row read and not yet parked is read again on a resume.
 *
 * Not here: the STATE file (bstate.h), or what a row is (input.h).
 */
#ifndef ENRICH_BATCHINPUT_H
#define ENRICH_BATCHINPUT_H

#include <stddef.h>
#include <stdint.h>
#include <sha2.h>

#include "bstate.h"

struct batchinput {
	SHA2_CTX	 h, acc;	/* lines read; lines accounted for */
	uint64_t	 nread, nseq, acc_read, acc_seq;
	uint64_t	 skip_read, skip_seq;	/* the checkpoint's */
	char		 skip_hash[BSTATE_HASH_HEX + 1];
};

/* From the last checkpoint m (zeroed: a new STATE, nothing skipped). */
void	 batchinput_init(struct batchinput *, const struct bstate_mark *);
/* The next line: 1 if a resume skips it, 0 if not, -1 and err if the
 * input is not the one the checkpoint names. */
int	 batchinput_line(struct batchinput *, const char *, size_t, int,
	    char *, size_t);
/* Every line read is dealt with: 1 if that moved the count, else 0. */
int	 batchinput_accounted(struct batchinput *);
/* The input ended: 0, or -1 and err if it is shorter than it was. */
int	 batchinput_end(const struct batchinput *, char *, size_t);
/* Fill the checkpoint's read, seq and hash. */
void	 batchinput_mark(const struct batchinput *, struct bstate_mark *);

#endif
