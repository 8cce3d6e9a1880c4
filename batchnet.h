/*
 * Batchnet: --batch-api's talk with the API, one request at a time on a
 * libcurl multi handle, driven by the mode's one wait: curl's sockets and
 * the signal pipe, polled together (curl_multi_poll with the pipe as an
 * extra descriptor), so a signal cuts any wait or transfer short.
 *
 * A call is tried again, after a backoff, on what is worth it (no
 * response, 408, 409, 429, 5xx) up to -r times; a 401, 403 or 404 stops
 * the run with status 3, as in real time.  Program code: it says what it
 * retries with -v, and exits on what cannot go on.
 *
 * Not here: what is asked or answered (lib/bapi.h), or when (batchrun.c).
 */
#ifndef ENRICH_BATCHNET_H
#define ENRICH_BATCHNET_H

#include <stddef.h>

#include "cli.h"
#include "lib/buf.h"
#include "lib/provider.h"

#define BNET_INTERRUPTED	-2	/* SIGINT, SIGTERM or SIGHUP came */
#define BNET_API_MAX	(16LL * 1024 * 1024)	/* an API object's bytes */

struct bnet;

/* The provider is borrowed; tick(arg) is called about once a second
 * while a transfer or wait goes on (the progress line). */
struct bnet	*bnet_new(const struct config *, const struct provider *, int,
		    void (*)(void *), void *);
void		 bnet_free(struct bnet *);
/*
 * Call the API at path ("/batches/ID"; the base URL and Azure's form are
 * added): GET, or POST of a JSON body, or POST of a multipart upload of
 * the bytes given as a file of this name.  0 with a 2xx response in
 * bnet_response; -1 and err; BNET_INTERRUPTED.  what names the call in
 * messages.
 */
int		 bnet_call(struct bnet *, const char *, const char *,
		    const char *, const char *, size_t, const char *, char *,
		    size_t);
/* The body of the last response; the caller may take its storage. */
struct buf	*bnet_response(struct bnet *);
/* The largest response taken from now on (a result file is big). */
void		 bnet_limit(struct bnet *, long long);
/* Wait ms, or until a signal: 0 or BNET_INTERRUPTED. */
int		 bnet_wait(struct bnet *, long long);
/* The first SIGINT, SIGTERM or SIGHUP that came, or 0. */
int		 bnet_signal(const struct bnet *);

#endif
