/*
 * Price: dollars from tokens.  The table is a text file (installed as
 * share/enrich/prices), one model a line:
 *
 *	# comment
 *	gpt-4o-mini  0.15  0.075  0.60  2026-11-01
 *
 * the model, then dollars per million input tokens, cached input tokens
 * ("-" when the provider has no cached price: the input price) and output
 * tokens, and the date the prices were read.  A model is found by its
 * name, or else by the longest name in the table that it starts with
 * followed by '-' (gpt-4o-2024-08-06 is priced as gpt-4o).
 *
 * Library code: a bad line comes back as -1 with "line N: why".  Not
 * here: where the file is (cli.c, setup.c), or what a run may spend
 * (budget.h).
 */
#ifndef ENRICH_PRICE_H
#define ENRICH_PRICE_H

#include <stddef.h>

/* Dollars a million tokens. */
struct price_rates {
	double		 in;
	double		 cached_in;
	double		 out;
};

struct price_table;

struct price_table	*price_table_new(void);
void			 price_table_free(struct price_table *);
/* Add the lines of a table's text: 0, or -1 and err (the table keeps
 * the lines before the bad one; out of memory says so). */
int			 price_table_load(struct price_table *, const char *,
			    size_t, char *, size_t);
/* The rates of a model: 0, or -1 if the table has none.  The date they
 * were read, borrowed from the table, in *date if date is not NULL. */
int			 price_table_find(const struct price_table *,
			    const char *, struct price_rates *, const char **);
size_t			 price_table_size(const struct price_table *);
/*
 * The dollars of one request from its usage: prompt tokens of which
 * cached were read from the provider's prompt cache, and completion
 * tokens.  A count of -1 (not reported) counts as 0, cached as none.
 */
double			 price_cost(const struct price_rates *, long long,
			    long long, long long);

#endif
