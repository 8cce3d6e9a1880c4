/*
 * Cache: answers kept on disk under --cache DIR, so that a request made
 * once is never paid for again, by this run or by any later one.
 *
 * The key is the SHA-256 (libmd) of the endpoint URL and the request body
 * as first rendered (with -a, each file's SHA-256 in place of its bytes
 * and name: attach.h): everything that decides the answer, and nothing that
 * does not (the API key and the headers are never part of it, and never
 * stored).  An entry is DIR/ab/cd/<64 hex digits>: a short header (the
 * key, the body's length and its own SHA-256) and the response body as
 * the server sent it.  Entries are written to a temporary file beside
 * their place and renamed into it, so several processes may share one
 * directory: a reader sees a whole entry or none.  An entry that does not
 * check out (cut short, changed, another key's, larger than a response
 * may be) is a miss, and the next success overwrites it; so is anything
 * at its path that is not a regular file (a FIFO, a device, a symbolic
 * link), which is never opened for reading in a way that could block.
 * Only an entry's header is read before it is checked.
 *
 * Library code: it prints nothing; failures come back as -1 with the
 * reason in the caller's buffer.  Not here: what a response means
 * (record.h), or which rows wait for one another (dedup.h).
 */
#ifndef ENRICH_CACHE_H
#define ENRICH_CACHE_H

#include <stddef.h>

#include "buf.h"

#define CACHE_KEY_LEN	32		/* bytes of SHA-256 */
#define CACHE_HEX_LEN	(2 * CACHE_KEY_LEN)

struct cache;

/* Open (and make, if it is not there) the directory; the path is
 * copied.  NULL and err if it cannot be used. */
struct cache	*cache_new(const char *, char *, size_t);
void		 cache_free(struct cache *);
/* The largest body cache_get takes (--max-response-bytes): a larger
 * entry is a miss, never read.  The default is 1 GiB. */
void		 cache_set_max(struct cache *, size_t);

/* The key of a request: the URL and the body. */
void		 cache_key(const char *, size_t, const char *, size_t,
		    unsigned char [CACHE_KEY_LEN]);
/* 64 lower-case hex digits and a NUL. */
void		 cache_hex(const unsigned char [CACHE_KEY_LEN],
		    char [CACHE_HEX_LEN + 1]);
/*
 * The body stored under the key, into out (replacing what it held): 1;
 * 0 if there is none that checks out; -1 if out of memory.
 */
int		 cache_get(struct cache *, const unsigned char [CACHE_KEY_LEN],
		    struct buf *);
/* Store a body under the key: 0, or -1 and err. */
int		 cache_put(struct cache *, const unsigned char [CACHE_KEY_LEN],
		    const char *, size_t, char *, size_t);
/*
 * Check an entry's text against the key: 0 with the body's place in it,
 * or -1 if it is not a whole entry for that key.  cache_get's test, for
 * the unit tests and the fuzzer.
 */
int		 cache_parse(const unsigned char [CACHE_KEY_LEN], const char *,
		    size_t, size_t *, size_t *);
/* The entry's text for a body, as cache_put writes it: 0, or -1. */
int		 cache_entry(const unsigned char [CACHE_KEY_LEN], const char *,
		    size_t, struct buf *);

#endif
