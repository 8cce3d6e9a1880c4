/*
 * Budget: --max-cost, the dollars a run may spend, never more.
 *
 * Before a request goes out, its worst case (its estimated prompt tokens
 * at the input price and its whole completion limit at the output
 * price) is reserved against what is left; when it ends, the reservation
 * is given back and what it really cost, from its usage, is spent.  A
 * request whose worst case no longer fits is not sent.
 *
 * The prompt's estimate must not fall short, or many requests in flight
 * fall short together and the budget is overspent by as many.  Bytes / 4
 * rounded up, plus the tokens a chat request's framing takes that no
 * byte count sees (OpenAI counts 3 a message and 3 for the reply), is
 * the estimate; the answers then say what a prompt really came to, and
 * every estimate after is scaled by the largest ratio of real to
 * estimated tokens seen (never below 1).  Until an answer has said,
 * reservations are doubled: the first window goes out before any does.
 *
 * Plain arithmetic on a struct the caller owns.  Not here: the prices
 * (price.h), or what a run does when the money runs out (sched.c).
 */
#ifndef ENRICH_BUDGET_H
#define ENRICH_BUDGET_H

#include <stddef.h>

#include "price.h"

struct budget {
	double			 limit;		/* dollars */
	double			 spent;
	double			 reserved;	/* by requests in flight */
	struct price_rates	 rates;
	double			 ratio;		/* real prompt tokens to the
						 * estimate, the most seen;
						 * 0: none seen yet */
};

/* A chat request's framing, in tokens: a system message, a user
 * message, a re-ask's two more, and the reply's start, at OpenAI's 3
 * each, with room for a provider that counts a few more. */
#define BUDGET_FRAME	16
/* The scale of an estimate before any answer has said. */
#define BUDGET_UNKNOWN	2.0

/* The estimated prompt tokens of this many bytes of prompt, unscaled. */
long long budget_estimate(size_t);
/* The prompt tokens to reserve for an estimate: scaled by what answers
 * said, or doubled before any did. */
long long budget_prompt(const struct budget *, long long);
/* An answer said a prompt estimated at this many tokens came to that
 * many (its usage): learn the ratio. */
void	 budget_learn(struct budget *, long long, long long);

/* The worst a request can cost: prompt and completion tokens. */
double	 budget_worst(const struct budget *, long long, long long);
/* Reserve dollars: 0, or -1 if they do not fit in what is left. */
int	 budget_reserve(struct budget *, double);
/* A request that held this reservation cost this much in the end. */
void	 budget_settle(struct budget *, double, double);

#endif
