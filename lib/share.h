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
/* The bucket's rate a minute from now on; 0 leaves it out. */
int		 share_set_rate(struct share *, long long, enum share_kind,
		    double);
/* Milliseconds until a request of this token cost may start; 0: now. */
long long	 share_wait(struct share *, long long, long long);
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
/* The last error's message, after a -1. */
const char	*share_error(const struct share *);

#endif
