/*
 * The process: the standard descriptors as enrich found them, the
 * open-file limit, and dumpability.  Program code: it may exit.
 *
 * Not here: signals and the loop (filter.c).
 */
#ifndef ENRICH_PROC_H
#define ENRICH_PROC_H

/* Give closed 0, 1, 2 to /dev/null; a closed stdout stops the run. */
void	 proc_std(void);

#define PROC_BLOCKING	0x1	/* stdout could not be made non-blocking */
#define PROC_SHARED	0x2	/* stdout is the pipe stderr is (2>&1) */

/* Make stdout non-blocking on a description of its own; PROC_ flags. */
int	 proc_stdout(void);
/* Raise the open-file limit; the requests in flight it leaves room for,
 * at most MAX_JOBS. */
int	 proc_nofile(void);
/* Keep the key out of core files and other users' debuggers. */
void	 proc_private(void);

#endif
