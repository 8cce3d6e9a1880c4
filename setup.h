/*
 * Setup: the parts a run is made of, from its config, each module given
 * its share of the options.  What is made here lives until setup_free.
 */
#ifndef ENRICH_SETUP_H
#define ENRICH_SETUP_H

#include "cli.h"
#include "lib/attach.h"
#include "lib/batchapi.h"
#include "lib/batchfile.h"
#include "lib/bstate.h"
#include "lib/endpoints.h"
#include "lib/expect.h"
#include "lib/budget.h"
#include "lib/cache.h"
#include "lib/idset.h"
#include "lib/input.h"
#include "lib/labels.h"
#include "lib/pace.h"
#include "lib/pool.h"
#include "lib/price.h"
#include "lib/provider.h"
#include "lib/record.h"
#include "lib/request.h"
#include "lib/schema.h"
#include "lib/seen.h"
#include "lib/share.h"
#include "lib/template.h"
#include "lib/verdict.h"

struct parts {
	struct request		*request;
	struct request		*escalate;	/* --escalate's model's, or
						 * NULL */
	struct attach		*attach;	/* -a: their files, or NULL */
	struct tmpl		*user;		/* their templates */
	struct tmpl		*system;
	struct schema		*schema;	/* --schema, or NULL */
	struct labels		*labels;	/* --labels, or NULL */
	struct expect		*expect;	/* --expect, or NULL */
	struct provider		*provider;	/* the first of providers */
	struct provider		**providers;	/* one per endpoint (-u) */
	size_t			 nproviders;
	struct endpoints	*endpoints;	/* several, in a real run; or
						 * NULL */
	struct idset		*skip;		/* --skip-ids, or NULL */
	struct seen		*seen;		/* the input's IDs so far */
	struct record		*record;
	struct input		*input;
	struct verdicts		*verdicts;
	struct pool		*pool;		/* NULL in a dry run */
	struct pace		*pace;		/* NULL in a dry run */
	struct share		*share;		/* --share, or NULL */
	int			 errfd;		/* --errors, or -1 */
	int			 statsfd;	/* --stats-json, or -1 */
	struct cache		*cache;		/* --cache, or NULL */
	struct price_rates	 rates;		/* the model's prices, */
	int			 priced;	/* if known (with --escalate,
						 * both models'); */
	char			 unpriced[256];	/* else why not */
	struct price_rates	 escalate_rates;	/* --escalate's model's, */
	int			 escalate_priced;	/* if known */
	struct budget		 budget;	/* --max-cost, if given */
	/* --batch-api, --batch-cancel: the rows the run makes (the
	 * transport makes them again too), STATE, the transport. */
	struct rows		*rows;
	struct bstate		*state;
	struct batchapi		*batch;
};

/* Make them, for a window of at most maxjobs, at time now; or exit.
 * say is told what the Batch transport has to say. */
void	 setup_run(const struct config *, int, long long, struct parts *,
	    void (*)(void *, int, const char *), void *);
/* Free them; closes errfd if still open (statsfd is the report's). */
void	 setup_free(struct parts *);

#endif
