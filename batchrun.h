/*
 * Batchrun: --batch-api, the rows through the provider's Batch API.
 *
 * The mode's driver, program code like setup.c: it reads the whole
 * input, sends the rows no batch holds yet in files of at most
 * --batch-size requests (each uploaded, then made a batch), polls the
 * batches every --batch-poll seconds, and writes each batch's rows as
 * soon as it is over, through the same record module as a real-time
 * run.  Every step is written to STATE (bstate.h) as soon as it happened,
 * so a run killed at any moment and started again sends no row twice.
 * One loop, no threads: one libcurl multi handle, one transfer at a
 * time, polled with the signal pipe beside it.
 *
 * Not here: the words of the API (lib/bapi.h), the STATE file
 * (lib/bstate.h), what a row's line says (lib/record.h).
 */
#ifndef ENRICH_BATCHRUN_H
#define ENRICH_BATCHRUN_H

#include "cli.h"
#include "lib/output.h"
#include "lib/stats.h"
#include "setup.h"

/* The run: its exit status.  sigfd is the signal pipe's read end. */
int	 batchrun(const struct config *, struct parts *, struct output *,
	    struct stats *, int);
/* --batch-cancel: cancel every unfinished batch in STATE. */
int	 batchrun_cancel(const struct config *, struct parts *, int);

#endif
