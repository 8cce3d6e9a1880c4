/*
 * Endpoints: several servers for one run (-u given more than once), and
 * which one the next request goes to.
 *
 * The run has one window; each endpoint's share of it follows how fast it
 * answers (a share in proportion to 1/latency, the unmeasured ones at the
 * mean), and a request goes to the endpoint with the most headroom: the
 * largest part of its share not in flight.  An endpoint that refuses
 * connections, times out or answers 5xx fail_limit times in a row is set
 * aside for base_ms, doubling each time a probe finds it still down, up to
 * cap_ms; then one request probes it, and only a probe that gets an answer
 * takes it back.  A 429, or an announced x-ratelimit-remaining-requests of
 * 0, holds that endpoint alone for the wait it names (else a backoff):
 * its own pacing, which the others do not feel.  A 401 (its key refused)
 * sets it aside for the rest of the run: no probe, no answer brings it
 * back, and it is no longer one of those left (endpoints_live).
 *
 * Each row carries the set of endpoints that failed it (a bit each, so at
 * most ENDPOINTS_MAX); a row goes to one it has not failed on.  It counts
 * what each endpoint did, for --stats and --stats-json (stats.h formats).
 * It computes only: the caller sends, moves rows and tells the user.
 *
 * Not here: URLs and keys (provider.h, one per endpoint), sending
 * (pool.h's targets, targets.h), what an attempt means for its row (verdict.h), the
 * run's own rate (pace.h).
 */
#ifndef ENRICH_ENDPOINTS_H
#define ENRICH_ENDPOINTS_H

#include <stddef.h>
#include <stdint.h>

#include "pool.h"
#include "stats.h"

#define ENDPOINTS_MAX	64	/* the bits of a row's tried set */

struct endpoints_config {
	int		 fail_limit;	/* failures in a row that set one aside */
	long long	 base_ms;	/* the first time aside */
	long long	 cap_ms;	/* the longest, and the longest hold */
};

/* What an attempt said of its endpoint. */
enum endpoints_outcome {
	ENDPOINTS_ANSWERED,	/* 2xx */
	ENDPOINTS_OTHER,	/* an answer that is the row's business (4xx) */
	ENDPOINTS_REFUSED,	/* 429: busy, not down */
	ENDPOINTS_DOWN,		/* no answer, a timeout or a 5xx */
	ENDPOINTS_DENIED	/* 401: its key refused, for good */
};

/* What endpoints_done did to the endpoint, for the caller to tell. */
enum endpoints_event {
	ENDPOINTS_SAME,
	ENDPOINTS_ASIDE,	/* set aside: endpoints_aside_ms says how long */
	ENDPOINTS_BACK,		/* taken back */
	ENDPOINTS_GONE		/* set aside for the rest of the run (401) */
};

struct endpoints;

struct endpoints *endpoints_new(const struct endpoints_config *);
void		 endpoints_free(struct endpoints *);
/* A new endpoint, by the name it is shown with (copied); its index, or
 * -1 when out of memory or ENDPOINTS_MAX are there. */
int		 endpoints_add(struct endpoints *, const char *);
size_t		 endpoints_count(const struct endpoints *);
/* Its name, valid until endpoints_free. */
const char	*endpoints_name(const struct endpoints *, int);
/* Every endpoint's bit. */
uint64_t	 endpoints_all(const struct endpoints *);
/* The bits of those left: all but the ones whose key was refused. */
uint64_t	 endpoints_live(const struct endpoints *);
/* The endpoint for a request at time now that has failed on those in
 * tried, with this window for the run: the one with the most headroom,
 * a probe first; -1 if none may take it now. */
int		 endpoints_pick(struct endpoints *, long long, uint64_t, int);
/* When one not in tried may take a request, if none may now; -1 if that
 * depends on a request in flight (a probe). */
long long	 endpoints_next_ready(const struct endpoints *, long long,
		    uint64_t);
/* A request starts at it. */
void		 endpoints_start(struct endpoints *, int);
/* What a finished transfer says of its endpoint. */
enum endpoints_outcome endpoints_classify(const struct xfer *);
/* A request to it finished at now: count it, learn its latency and
 * announced limits, hold it or set it aside or take it back. */
enum endpoints_event endpoints_done(struct endpoints *, int, long long,
		    const struct xfer *);
/* How long it was set aside for, the last time. */
long long	 endpoints_aside_ms(const struct endpoints *, int);
/* No endpoint ever answered, and every one is set aside: no row can
 * succeed. */
int		 endpoints_hopeless(const struct endpoints *);
/* The counts, one per endpoint in the order added; *n set.  Valid until
 * the next call that changes them. */
const struct stats_endpoint *endpoints_stats(const struct endpoints *,
		    size_t *);

#endif
