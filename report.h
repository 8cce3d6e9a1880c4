/*
 * Report: the end of a run, for the user; see report.c.
 */
#ifndef ENRICH_REPORT_H
#define ENRICH_REPORT_H

#include "cli.h"
#include "lib/budget.h"
#include "lib/endpoints.h"
#include "lib/labels.h"
#include "lib/pace.h"
#include "lib/pool.h"
#include "lib/price.h"
#include "lib/request.h"
#include "lib/seen.h"
#include "lib/stats.h"

/* What the end of a run reads, all borrowed. */
struct report {
	const struct config	*cfg;
	const struct request	*request;
	const struct price_rates *rates;	/* 0 if unknown */
	const struct price_rates *escalate_rates;	/* or NULL */
	struct pool		*pool;		/* NULL: a dry run */
	struct pace		*pace;
	struct endpoints	*endpoints;	/* several -u, or NULL */
	const struct seen	*seen;		/* the input's IDs */
	const struct labels	*labels;	/* --labels, or NULL */
	const struct budget	*budget;	/* --max-cost, or NULL */
	int			 broke;		/* --max-cost stopped it */
	int			 statsfd;	/* --stats-json, or -1 */
};

/* Report the run that st counted; closes statsfd; or exit. */
void	 report_end(const struct report *, struct stats *);

#endif
