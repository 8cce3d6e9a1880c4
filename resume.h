/*
 * Resume: the command line that goes on where an interrupted run
 * stopped; see resume.c.
 */
#ifndef ENRICH_RESUME_H
#define ENRICH_RESUME_H

#include "lib/buf.h"

/*
 * Append to b "./enrich -u URL -p '{{text}}' --skip-ids out.jsonl
 * <in.jsonl >>out.jsonl" and a NUL: the output's and input's names where
 * they are files, OUTPUT and a word on it where not.  0, or -1 if out of
 * memory.
 */
int	 resume_command(struct buf *, int, char *const []);

#endif
