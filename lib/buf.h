/*
 * A growable byte buffer, the one container every module writes into.
 *
 * A buffer owns its storage; buf_free releases it and leaves the buffer
 * empty and reusable.  Growth is geometric, so appending n bytes one call
 * at a time costs O(n).  Contents are not NUL-terminated: a caller that
 * needs a C string adds the NUL itself.  Functions that may allocate
 * return -1 (errno ENOMEM) and leave the buffer as it was.
 */
#ifndef ENRICH_BUF_H
#define ENRICH_BUF_H

#include <stddef.h>

struct buf {
	char	*data;
	size_t	 len;
	size_t	 cap;
};

int	 buf_reserve(struct buf *, size_t);
int	 buf_add(struct buf *, const void *, size_t);
int	 buf_addc(struct buf *, char);
int	 buf_adds(struct buf *, const char *);
int	 buf_addu(struct buf *, unsigned long long);
/* Insert n bytes at off (at most len), moving what follows. */
int	 buf_insert(struct buf *, size_t, const void *, size_t);
void	 buf_free(struct buf *);

static inline void
buf_reset(struct buf *b)
{
	b->len = 0;
}

#endif
