/*
 * Fdio: the two things every module that keeps files of its own does with
 * a descriptor, done once: open a file at a given size (the Batch spool
 * and upload files, cut back to what STATE committed), and write a buffer
 * whole (write(2) may write less, or be interrupted).
 */
#ifndef ENRICH_FDIO_H
#define ENRICH_FDIO_H

#include <sys/types.h>

#include <stddef.h>

/*
 * open(2) with O_CLOEXEC added (mode 0666 less the umask), then, when len
 * is not negative, ftruncate(2) to len.  The descriptor, or -1 with the
 * path and why in err.
 */
int	fdio_open(const char *, int, off_t, char *, size_t);
/* 0 when all len bytes were written, else -1 with errno set. */
int	fdio_write(int, const char *, size_t);

#endif
