/*
 * Rules: the options as a whole, once cli.c has read each one: see
 * rules.c.  main calls rules_check after cli_parse; rules.c calls into
 * cli.c (its list and usage), never the other way.  Program code: a
 * broken rule ends the run with status 2.
 */
#ifndef ENRICH_RULES_H
#define ENRICH_RULES_H

#include "cli.h"

/* Settle c, filled by cli_parse with its *_given flags; or exit. */
void	rules_check(struct config *);

#endif
