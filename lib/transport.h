/*
 * Transport: how a row's request goes out and how its outcome comes
 * back, one face for the two ways enrich has (sched.h drives either):
 * real time, a request each through the pool as the pace allows
 * (realtime.h); and the Batch API, rows parked in files that are
 * uploaded, made batches, polled and answered hours later (batchapi.h).
 *
 * A row given to send is either in flight (the transport holds it, and
 * done gives it back with its xfer filled as if its transfer ended) or
 * parked (kept elsewhere, on disk: the caller gives the row struct back
 * at once, and its outcome comes later from done as a row made again).
 * Either way the caller judges, records and writes what done gives, the
 * same for both (finish.h); a row done gives as TRANSPORT_WRITE has its
 * line made already (a Batch row no batch answered, -r times over).
 *
 * Every call takes now, the caller's clock, so the tests drive a
 * transport with a fake clock and a fake pool.  The input calls (line,
 * accounted, input_end) and quiet let a transport that keeps a STATE
 * know where the input stands and when a checkpoint is safe; real time
 * leaves them NULL.
 */
#ifndef ENRICH_TRANSPORT_H
#define ENRICH_TRANSPORT_H

#include <stddef.h>

#include "rows.h"

enum transport_sent {
	TRANSPORT_FLYING,	/* in flight: done gives it back */
	TRANSPORT_PARKED,	/* on disk: give the row back now */
	TRANSPORT_FOLLOWS,	/* parked as asking what a parked row asks:
				 * it costs nothing; give it back now */
	TRANSPORT_MOVED		/* not sent: it waits among the rows */
};

enum transport_done {
	TRANSPORT_JUDGE,	/* its attempt ended: judge it */
	TRANSPORT_WRITE,	/* its line is made: write it */
	TRANSPORT_AGAIN		/* moved to another endpoint, waiting
				 * among the rows: no answer, nothing paid */
};

struct transport_ops {
	/* Rows it takes now. */
	int		(*room)(void *, long long);
	/* ms until this row may go; 0: now. */
	long long	(*wait)(void *, const struct row *, long long);
	/* An enum transport_sent, or -1 and err (the run cannot go on). */
	int		(*send)(void *, struct row *, long long, char *,
			    size_t);
	/* The next finished row and how (enum transport_done), or NULL. */
	struct row	*(*done)(void *, long long, int *);
	/* ms until work is due (-1: none), 0 if done has rows now. */
	long long	(*timeout)(void *, long long);
	/* Move along after the caller's poll: 0, or -1 and err. */
	int		(*work)(void *, long long, char *, size_t);
	/* Requests in flight, or rows parked, whose money comes back. */
	int		(*busy)(const void *);
	/* Nothing in flight, nothing pending: the run may end. */
	int		(*over)(const void *, long long);
	/* The first interrupt: start nothing new. */
	void		(*interrupt)(void *, long long);
	/* Every input line, in order, blank or not: 1 if an earlier run
	 * accounted for it (skip it), 0, or -1 and err (refused). */
	int		(*line)(void *, const char *, size_t, int, char *,
			    size_t);
	/* Every line given to line so far is dealt with. */
	void		(*accounted)(void *);
	/* The input ended: 0, or -1 and err (shorter than it was). */
	int		(*input_end)(void *, char *, size_t);
	/* Each turn: is the caller quiet (nothing waits, the output is
	 * written), so that a checkpoint may be made?  0, or -1 and err. */
	int		(*quiet)(void *, long long, int, char *, size_t);
	/* It stopped the run (status 3); the reason was said. */
	int		(*stopped)(const void *);
	/* The next row waits for money its parked rows hold: let them go
	 * now (the Batch file being filled closes).  NULL: nothing parks. */
	void		(*flush)(void *, long long);
};

struct transport {
	const struct transport_ops	*ops;
	void				*impl;
	/* It parks rows: finished rows are taken only while the output
	 * is not backed up (a batch's may be many thousands). */
	int				 parks;
};

#endif
