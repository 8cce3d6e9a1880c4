/*
 * Share: one rate budget for every enrich process on a machine (--share
 * FILE), through a small file and flock(2); no server, no daemon.
 *
 * The file holds two token buckets, requests and tokens, each refilled
 * at a rate a minute and holding about a second of it, as limit.h's do;
 * a time before which nothing starts (a 429's named wait, for everyone);
 * and the fleet's counts: requests started and refused, and their
 * tokens.  Every call takes the lock, reads the file, does its arithmetic
 * with the time it is given, writes, and lets go: a few microseconds.
 * Several processes taking from one bucket divide its rate exactly,
 * whoever is busier taking more.  The counts say what the fleet did.
 *
 * Time is CLOCK_MONOTONIC in ms, the caller's: the same clock for every
 * process on a machine.  A file from before a reboot (its time ahead of
 * now) or idle for an hour starts again full.  The layout is fixed and
 * native; a file that is not one is an error, never overwritten.
 *
 * The file is checked as ssh checks its own: not a symbolic link (never
 * followed: the documented place is a shared /tmp), a regular file of
 * one name, this user's, writable by no one else; else it is refused.
 * Values in it no enrich writes (numbers out of range, a hold further
 * ahead than any --max-wait, a debt of more than an hour) are reset, and
 * said once (share_note); a hold longer than this process's --max-wait is
 * not waited for, as a server's named wait would not be.
 *
 * Under -j auto the processes learn as one: the file keeps each
 * learner's state (tune.h's, opaque here), which every process reads,
 * changes and writes back under the lock, and the buckets' rates follow
 * what it learned.  So four processes behave as one process would.
 *
 * It computes and stores; it decides nothing about rates (pace.h).  Not
 * here: processes on other machines, which only the provider's headers
 * and their own 429s can tell about each other.
 */
#ifndef ENRICH_SHARE_H
#define ENRICH_SHARE_H

#include <stddef.h>

enum share_kind {
	SHARE_REQUESTS,
	SHARE_TOKENS
};

/* What the fleet did, all told, since the file was made. */
struct share_counts {
	double		 starts;	/* requests started */
	double		 refused;	/* and refused for a rate limit of
					 * requests */
	double		 tok_refused;	/* or of tokens */
	double		 tokens;	/* the tokens those started cost */
	double		 tokens_refused;	/* and those refused */
	/* The buckets' rates a minute (0: none), and how long ago any
	 * process last took from them, in ms. */
	double		 rpm, tpm;
	long long	 idle;
};

struct share;

/* Open or create the file; NULL and err if it cannot be, or is not
 * one. */
struct share	*share_open(const char *, long long, char *, size_t);
void		 share_close(struct share *);
/* --max-wait: a hold further ahead than this many ms is not waited for
 * (by default, every hold is). */
void		 share_set_max_wait(struct share *, long long);
/* What the file held that was reset, to say once; else NULL. */
const char	*share_note(struct share *);
/* The bucket's rate a minute from now on; 0 leaves it out. */
int		 share_set_rate(struct share *, long long, enum share_kind,
		    double);
/* Milliseconds until a request of this token cost may start; 0: now. */
long long	 share_wait(struct share *, long long, long long);
/* The same, but 0 means it was taken too, as share_take, in one hold of
 * the lock: two processes cannot both see room for one. */
long long	 share_try(struct share *, long long, long long);
/* A request of this cost starts: it is taken from both buckets (a large
 * one may leave them in debt) and counted. */
int		 share_take(struct share *, long long, long long);
/* Tokens charged, or given back if negative, once usage is known. */
int		 share_adjust(struct share *, long long, long long);
/* A request of this cost was refused for a rate limit of this kind:
 * counted, with its tokens. */
int		 share_refused(struct share *, long long, enum share_kind,
		    long long);
/* Nothing starts before until, in any process. */
int		 share_hold(struct share *, long long, long long);
int		 share_counts(struct share *, long long, struct share_counts *);

/*
 * What -j auto learned, for every process given the file.  share_begin
 * takes the lock, reads the file, and points at each kind's learner
 * state (at most SHARE_STATE bytes; len 0: none yet) and its flag
 * (paced by it yet); the caller may change them, then share_end writes
 * them back with each bucket's rate a minute (negative: as it was) and
 * lets go.  Nothing else may be called on the file in between.
 */
#define SHARE_STATE	512
struct share_learned {
	unsigned char	*state[2];
	size_t		 len[2];
	int		 paced[2];
};
int		 share_begin(struct share *, long long,
		    struct share_learned *);
int		 share_end(struct share *, const struct share_learned *,
		    const double [2]);
/* The last error's message, after a -1. */
const char	*share_error(const struct share *);

#endif
