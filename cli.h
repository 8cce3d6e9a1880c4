/*
 * The command line: one table of options in cli.c gives getopt_long its
 * arguments, --help its text and defaults, and every value its range
 * check, and fills one struct config.  It only reads the options: main
 * then has rules.c settle the config as a whole (the rules that tie
 * options together, and the environment, read there and in cli.c's
 * defaults and nowhere else), so the rest of the program sees one settled
 * configuration.  rules.c uses cli_list_add and cli_usage; cli.c calls
 * nothing of rules.c's.
 *
 * This is program code: a bad option or value ends the run with a message
 * naming it and status 2, as the user typed it.  Not here: what the
 * options mean once parsed (templates, URLs, keys are the caller's).
 */
#ifndef ENRICH_CLI_H
#define ENRICH_CLI_H

#include <stddef.h>
#include <stdio.h>

#include "lib/pool.h"

struct provider_ops;

#define MAX_JOBS	10000	/* -j at most, and what SIGUSR1 may reach */

struct list {
	char		**v;
	size_t		 n;
};

/*
 * Strings point into argv or the environment, and stay valid for the
 * run; the lists' arrays are the caller's to free.
 */
struct config {
	const char	*prompt;
	const char	*prompt_file;
	const char	*system;
	const char	*system_file;
	const char	*model;
	int		 model_given;
	const char	*body;
	int		 batch_in;
	int		 batch_out;
	int		 id_given;
	const char	*endpoint;
	const char	*extract;
	const char	*field;
	const char	*idfield;
	const char	*errfield;
	const char	*url;		/* the first of urls */
	int		 endpoint_given;	/* by --endpoint */
	int		 url_given;	/* by -u, not the environment */
	struct list	 urls;		/* the endpoints: -u, or from the env */
	struct list	 url_keys;	/* each one's own -k, or NULL */
	char		*url_env;	/* the environment's list, split */
	const char	*keyfile;	/* -k before any -u: every endpoint's */
	const char	*env_key;	/* the key in the environment, or NULL */
	const char	*env_key_name;	/* the variable it is read from */
	const char	*api_version;	/* Azure's api-version */
	const char	*errors;
	const char	*stats_json;
	const char	*cacert;
	const char	*schema;	/* --schema file */
	const char	*labels;	/* --labels list */
	const char	*labels_file;
	int		 reask;
	int		 confidence;
	int		 allow_empty;	/* render null and blank fields */
	const char	*expect;	/* --expect FIELD, or NULL */
	const char	*escalate;	/* --escalate MODEL, or NULL */
	double		 below;		/* --below P, or 0 */
	int		 sample;	/* --sample, parts per million; 0:
					 * every row */
	struct list	 headers;
	struct list	 attach;	/* -a FIELD */
	long long	 attach_max;	/* --attach-max bytes */
	struct list	 params;
	struct list	 skipfiles;
	int		 jobs;
	int		 autotune;	/* -j auto */
	long long	 timeout;
	long long	 max_response;
	long long	 max_line;
	int		 retries;
	long long	 max_wait;
	int		 max_429;	/* --max-429 */
	long long	 rpm;
	long long	 tpm;
	const char	*share;		/* --share FILE */
	long long	 stall;
	long long	 grace;
	int		 dry_run;
	int		 estimate;
	double		 price_in;	/* dollars a million tokens */
	double		 price_out;
	double		 price_cached_in;
	int		 price_in_given;	/* on the command line */
	int		 price_out_given;
	int		 price_cached_given;
	const char	*prices;	/* the price table's file */
	int		 prices_env;	/* named by $ENRICH_PRICES */
	const char	*cache;		/* --cache DIR, or NULL */
	double		 max_cost;	/* --max-cost dollars, or 0 */
	long long	 max_tokens_set;	/* --max-cost set this
						 * max_completion_tokens, or 0 */
	int		 ordered;
	int		 progress;	/* -1: if a foreground terminal */
	int		 stats;
	int		 azure;
	int		 anthropic;	/* the Messages API */
	int		 json;
	int		 meta;
	int		 field_given;
	enum pool_http	 http;
	int		 verbose;	/* -1 quiet, 0, 1 verbose */
	const char	*batch_api;	/* --batch-api STATE, or NULL */
	const char	*batch_cancel;	/* --batch-cancel STATE, or NULL */
	int		 batch_size;	/* requests a Batch file */
	long long	 batch_poll;	/* seconds between polls */
};

/*
 * Fill c, zeroed by the caller, from argv and the environment; or exit.
 * Each option is read alone: rules_check (rules.h) settles the whole.
 */
void	cli_parse(int, char *[], struct config *);

/* The synopsis and, on stdout, the option list; then exit with status. */
void	cli_usage(FILE *, int) __attribute__((noreturn));

/* Append s, borrowed, to l; exits when out of memory. */
void	cli_list_add(struct list *, char *);

/* The provider the options name, a row of provider.h's table: its wire
 * holds the run's defaults (rules.c), its operations the run (setup.c). */
const struct provider_ops *cli_provider(const struct config *);

#endif
