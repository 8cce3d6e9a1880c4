/*
 * Files: what a run reads whole at its start; see files.c.  Program
 * code: it exits on a file it cannot use.
 */
#ifndef ENRICH_FILES_H
#define ENRICH_FILES_H

#include "cli.h"
#include "lib/buf.h"
#include "lib/idset.h"

/* Append the file's bytes to b; what names the option, for messages. */
void		 files_read(const char *, struct buf *, const char *);
/* The IDs the --skip-ids files hold as done, or NULL without any; says
 * (warnx) what it found odd in them. */
struct idset	*files_skip(const struct config *);

#endif
