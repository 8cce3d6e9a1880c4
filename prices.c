/*
 * The run's prices: the model's line of the price table (found as
 * find_prices says), each price the command line gives over it, half of
 * each through the Batch API, --escalate's model's, --max-cost's budget,
 * and, where none is known, why, for the summary to say.  Program code:
 * --max-cost without prices stops the run with status 2.
 *
 * Not here: the table's format and the arithmetic of a cost (lib/price.h).
 */
#include <err.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "files.h"
#include "lib/buf.h"
#include "lib/price.h"
#include "prices.h"

/*
 * The checkout this binary was built in, if it was: the directory of
 * /proc/self/exe, or one or two above it (make O=build/san), that holds
 * share/prices beside man/enrich.1.  Its table in buf, or NULL.
 */
static const char *
tree_prices(char *buf, size_t len)
{
	char		 exe[PATH_MAX], man[PATH_MAX + 32], *slash;
	ssize_t		 n;
	int		 up;

	if ((n = readlink("/proc/self/exe", exe, sizeof(exe) - 1)) <= 0 ||
	    (size_t)n >= sizeof(exe) - 1)
		return NULL;
	exe[n] = '\0';
	for (up = 0; up < 3; up++) {
		if ((slash = strrchr(exe, '/')) == NULL || slash == exe)
			return NULL;
		*slash = '\0';
		snprintf(man, sizeof(man), "%s/man/enrich.1", exe);
		if ((size_t)snprintf(buf, len, "%s/share/prices", exe) < len &&
		    access(buf, R_OK) == 0 && access(man, R_OK) == 0)
			return buf;
	}
	return NULL;
}

/*
 * Where the price table is.  $ENRICH_PRICES first, though the checkout's
 * table may look nearer: a variable set is the user's choice, a file
 * found beside the binary only a guess, and a guess that overrode a
 * choice (prices of one's own, tried from a checkout, as cost.sh does)
 * would be the surprise.  Then the checkout the binary was built in, so
 * that `make` without `make install` prices as the README shows, and a
 * checkout's enrich never reads an older installed table.  Then the
 * installed one, which may be missing: NULL then.
 */
static const char *
find_prices(const struct config *c, char *buf, size_t len)
{
	if (c->prices_env)
		return c->prices;
	if (tree_prices(buf, len) != NULL)
		return buf;
	return access(c->prices, F_OK) == 0 ? c->prices : NULL;
}

/*
 * The model's prices: the table's (see find_prices), each replaced by the
 * one given on the command line.  Unknown, a run shows tokens only, and
 * its summary says why; --max-cost cannot do without them.
 */
void
prices_setup(const struct config *c, struct parts *p)
{
	struct price_table	*t;
	struct buf		 text = { 0 };
	const char		*when = NULL, *path;
	char			 e[256], tree[PATH_MAX];
	int			 found = -1;

	if ((t = price_table_new()) == NULL)
		err(2, NULL);
	if ((path = find_prices(c, tree, sizeof(tree))) != NULL) {
		files_read(path, &text, "price table");
		if (price_table_load(t, text.data != NULL ? text.data : "",
		    text.len, e, sizeof(e)) == -1)
			errx(2, "price table %s: %s", path, e);
	}
	/* A --body request names its model itself. */
	if (c->body == NULL && !c->batch_in)
		found = price_table_find(t, c->model, &p->rates, &when);
	/* --escalate's model: the table's prices only. */
	if (c->escalate != NULL && price_table_find(t, c->escalate,
	    &p->escalate_rates, NULL) == 0)
		p->escalate_priced = 1;
	if (c->price_in_given)
		p->rates.in = c->price_in;
	if (c->price_out_given)
		p->rates.out = c->price_out;
	if (c->price_cached_given)
		p->rates.cached_in = c->price_cached_in;
	else if (found == -1)
		p->rates.cached_in = p->rates.in;
	p->priced = found == 0 || c->price_in_given || c->price_out_given;
	/* The Batch API's price is half: one table, one factor, so the
	 * estimate, _meta, --stats and --max-cost say the same. */
	if (c->batch_api != NULL || c->batch_cancel != NULL) {
		p->rates.in /= 2;
		p->rates.cached_in /= 2;
		p->rates.out /= 2;
	}
	if (c->max_cost > 0 && found == -1 && (!c->price_in_given ||
	    !c->price_out_given))
		errx(2, "--max-cost: no prices for model %s in %s: give "
		    "--price-in and --price-out", c->model, path != NULL ?
		    path : "any price table");
	if (c->max_cost > 0 && c->escalate != NULL && !p->escalate_priced)
		errx(2, "--max-cost: no prices for --escalate's model %s in %s: "
		    "give it a line there (or in $ENRICH_PRICES)", c->escalate,
		    path != NULL ? path : "any price table");
	/* Dollars are of both models, or of none. */
	if (c->escalate != NULL && !p->escalate_priced) {
		if (p->priced && c->verbose > 0)
			warnx("no prices for --escalate's model %s in %s: "
			    "tokens only", c->escalate, path != NULL ? path :
			    "any price table");
		if (p->priced)
			snprintf(p->unpriced, sizeof(p->unpriced), "no price "
			    "for --escalate's model %s", c->escalate);
		p->priced = 0;
	}
	/* Said once, in the summary: a cost missing with no word is a
	 * mystery. */
	if (!p->priced && p->unpriced[0] == '\0' &&
	    (c->body != NULL || c->batch_in))
		snprintf(p->unpriced, sizeof(p->unpriced), "the requests name "
		    "their own model: give --price-in and --price-out");
	else if (!p->priced && p->unpriced[0] == '\0' && path != NULL)
		snprintf(p->unpriced, sizeof(p->unpriced), "no price for %s",
		    c->model);
	else if (!p->priced && p->unpriced[0] == '\0')
		snprintf(p->unpriced, sizeof(p->unpriced), "no price table "
		    "(none in a checkout beside enrich, no $ENRICH_PRICES, "
		    "nothing installed at %s)", c->prices);
	if (c->verbose > 0 && !p->priced)
		warnx("prices: %s%s%s", p->unpriced, path != NULL ? " in " :
		    "", path != NULL ? path : "");
	if (c->verbose > 0 && p->priced)
		warnx("prices: $%g in, $%g cached, $%g out a million tokens%s%s%s",
		    p->rates.in, p->rates.cached_in, p->rates.out,
		    when != NULL ? ", the table's of " : "", when != NULL ?
		    when : "", c->batch_api != NULL ? ", the Batch API's: "
		    "half" : "");
	if (c->verbose > 0 && p->escalate_priced && p->priced)
		warnx("--escalate %s: $%g in, $%g cached, $%g out a million "
		    "tokens", c->escalate, p->escalate_rates.in,
		    p->escalate_rates.cached_in, p->escalate_rates.out);
	if (c->max_cost > 0) {
		p->budget.limit = c->max_cost;
		p->budget.rates = p->rates;
		if (c->max_tokens_set > 0 && c->verbose > 0)
			warnx("--max-cost: max_completion_tokens %lld, the worst "
			    "case each request reserves (-P sets another)",
			    c->max_tokens_set);
	}
	price_table_free(t);
	buf_free(&text);
}
