/*
 * Budget: --max-cost, the dollars a run may spend, never more.
 *
 * Before a request goes out, its worst case (its estimated prompt tokens
 * at the input price and its whole completion limit at the output
 * price) is reserved against what is left; when it ends, the reservation
 * is given back and what it really cost, from its usage, is spent.  A
 * request whose worst case no longer fits is not sent.
 *
 * Plain arithmetic on a struct the caller owns.  Not here: the prices
 * (price.h), or what a run does when the money runs out (sched.c).
 */
#ifndef ENRICH_BUDGET_H
#define ENRICH_BUDGET_H

#include "price.h"

struct budget {
	double			 limit;		/* dollars */
	double			 spent;
	double			 reserved;	/* by requests in flight */
	struct price_rates	 rates;
};

/* The worst a request can cost: prompt and completion tokens. */
double	 budget_worst(const struct budget *, long long, long long);
/* Reserve dollars: 0, or -1 if they do not fit in what is left. */
int	 budget_reserve(struct budget *, double);
/* A request that held this reservation cost this much in the end. */
void	 budget_settle(struct budget *, double, double);

#endif
