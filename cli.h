/*
 * The command line: options and the environment, read into one struct
 * config, with every check that needs no more than they say.  This is
 * program code: on a usage error it says so and exits with status 2.
 * Every getenv of the program is here.
 *
 * Not here: what the options do.
 */
#ifndef ENRICH_CLI_H
#define ENRICH_CLI_H

#include <stddef.h>

#include "lib/pool.h"

#define VERSION		"0.1.0"
#define MAX_JOBS	10000	/* -j at most, and what SIGUSR1 may reach */

struct list {
	char		**v;
	size_t		 n;
};

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
	const char	*url;
	int		 url_given;	/* by -u, not the environment */
	const char	*keyfile;
	const char	*errors;
	const char	*stats_json;
	const char	*cacert;
	struct list	 headers;
	struct list	 params;
	struct list	 skipfiles;
	int		 jobs;
	int		 autotune;	/* -j auto */
	long long	 timeout;
	long long	 max_response;
	long long	 max_line;
	int		 retries;
	long long	 max_wait;
	long long	 rpm;
	long long	 tpm;
	long long	 stall;
	long long	 grace;
	int		 dry_run;
	int		 estimate;
	double		 price_in;	/* dollars a million tokens */
	double		 price_out;
	int		 ordered;
	int		 progress;	/* -1: if a foreground terminal */
	int		 stats;
	int		 azure;
	int		 json;
	int		 meta;
	int		 field_given;
	enum pool_http	 http;
	int		 verbose;	/* -1 quiet, 0, 1 verbose */
	/* From the environment. */
	const char	*env_key;	/* the API key, or NULL */
	const char	*env_key_name;	/* the variable it comes from */
	const char	*api_version;	/* Azure's api-version */
};


/* Read argv and the environment into the config, or exit. */
void	 cli_parse(int, char *[], struct config *);

#endif
