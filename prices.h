/*
 * Prices: what a token costs in this run; see prices.c.  Program code:
 * it exits when --max-cost has no prices to go by.
 */
#ifndef ENRICH_PRICES_H
#define ENRICH_PRICES_H

#include "cli.h"
#include "setup.h"

/* Fill p's rates, priced, unpriced, escalate_rates, escalate_priced and
 * budget from c and the price table; says (warnx) with -v. */
void	 prices_setup(const struct config *, struct parts *);

#endif
