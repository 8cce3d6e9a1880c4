/*
 * Rules: the options as a whole, once cli.c has read each one: see
 * rules.c.  Program code: a broken rule ends the run with status 2.
 */
#ifndef ENRICH_RULES_H
#define ENRICH_RULES_H

#include "cli.h"

/* Settle c, whose *_given flags cli.c has set; or exit. */
void	rules_check(struct config *);

#endif
