/*
 * The rules that tie options to each other and to the environment, once
 * every option is read: what does not go together, what one option implies
 * for another (--batch-input's IDs, --anthropic's URL and model, Azure
 * from its endpoint's variable, --max-cost's completion limit), and the
 * environment's keys, lists of URLs and files.  cli.c reads the options
 * into the config; this settles it.  Program code: a broken rule ends the
 * run with status 2 and a message naming the options.
 */
#include <err.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "lib/endpoints.h"
#include "lib/provider.h"
#include "rules.h"

/* The price table, installed by `make install` (DATADIR). */
#ifndef PRICES_PATH
#define PRICES_PATH	"/usr/local/share/enrich/prices"
#endif
/* What --max-cost reserves for an answer when no -P sets a limit: a
 * label or a short JSON object fits with room to spare. */
#define COST_MAX_TOKENS	256
#define STR(x)		#x
#define XSTR(x)		STR(x)

/*
 * $OPENAI_BASE_URL (or $AZURE_OPENAI_ENDPOINT) may hold several URLs,
 * separated by blanks: each an endpoint, with the one key.
 */
static void
split_urls(struct config *c, const char *s)
{
	char	*p, *w;

	if ((c->url_env = strdup(s)) == NULL)
		err(2, NULL);
	for (p = c->url_env; (w = strsep(&p, " \t\n")) != NULL;)
		if (*w != '\0') {
			cli_list_add(&c->urls, w);
			cli_list_add(&c->url_keys, NULL);
		}
	if (c->urls.n == 0)
		errx(2, "no URL in the environment's list: %s", s);
	c->url = c->urls.v[0];
}

/*
 * --max-cost reserves each request's worst case, so the answer needs a
 * limit: -P's, or one set here (said with -v).
 */
static void
check_max_cost(struct config *c)
{
	static char	 set[] = "max_completion_tokens=" XSTR(COST_MAX_TOKENS);
	size_t		 k;

	if (c->body != NULL || c->batch_in)
		errx(2, "--max-cost needs -p or -f: the worst case of a "
		    "%s request is not known", c->body != NULL ? "--body" :
		    "--batch-input");
	for (k = 0; k < c->params.n; k++)
		if (strncmp(c->params.v[k], "max_tokens=", 11) == 0 ||
		    strncmp(c->params.v[k], "max_completion_tokens=", 22) == 0)
			return;
	cli_list_add(&c->params, set);
	c->max_tokens_set = COST_MAX_TOKENS;
}

/* What an answer must be: --schema, --labels, --confidence. */
static void
check_answers(const struct config *c)
{
	const char	*opt;

	opt = c->schema != NULL ? "--schema" : c->labels != NULL ? "--labels" :
	    c->labels_file != NULL ? "--labels-file" : c->confidence ?
	    "--confidence" : NULL;
	if (opt == NULL)
		return;
	if (c->body != NULL || c->batch_in || c->batch_out)
		errx(2, "%s: a chat request's option; %s does not apply", opt,
		    c->body != NULL ? "--body" : c->batch_in ?
		    "--batch-input" : "--batch-output");
	if (c->extract != NULL)
		errx(2, "%s: reads the chat answer; --extract does not apply",
		    opt);
	if (c->labels != NULL && c->labels_file != NULL)
		errx(2, "give the labels with --labels or --labels-file, not "
		    "both");
	if ((c->labels != NULL || c->labels_file != NULL) &&
	    (c->schema != NULL || c->json))
		errx(2, "%s: the answer is a label; %s does not apply", opt,
		    c->schema != NULL ? "--schema" : "--json");
	if (c->confidence && (strcmp(c->field, "confidence") == 0 ||
	    strcmp(c->idfield, "confidence") == 0 ||
	    strcmp(c->errfield, "confidence") == 0))
		errx(2, "--confidence writes the field \"confidence\": -o, -i "
		    "and --error-field must name others");
}

/*
 * --escalate asks a second chat model, where something says a row needs
 * it: --below's confidence, or an answer checked and found invalid.
 */
static void
check_escalate(const struct config *c)
{
	if (c->below > 0 && c->escalate == NULL)
		errx(2, "--below says which rows --escalate asks again: give "
		    "--escalate");
	if (c->escalate == NULL)
		return;
	if (*c->escalate == '\0')
		errx(2, "--escalate: a model name expected");
	if (c->body != NULL || c->batch_in || c->batch_out)
		errx(2, "--escalate: a chat request's option; %s does not "
		    "apply", c->body != NULL ? "--body" : c->batch_in ?
		    "--batch-input" : "--batch-output");
	if (c->batch_api != NULL)
		errx(2, "--escalate: real time only; with --batch-api, run the "
		    "rows to escalate again without it");
	if (strcmp(c->escalate, c->model) == 0)
		errx(2, "--escalate %s: the model -m asks already",
		    c->escalate);
	if (c->below > 0 && c->anthropic)
		errx(2, "--below: Anthropic's Messages API gives no "
		    "logprobs: there, --escalate asks again after invalid "
		    "answers only (drop --below)");
	if (c->below > 0 && !c->confidence)
		errx(2, "--below reads the answers' probability: give "
		    "--confidence");
	if (c->below == 0 && c->schema == NULL && c->labels == NULL &&
	    c->labels_file == NULL && !c->json)
		errx(2, "--escalate: no row can need it: give --below (with "
		    "--confidence), or check the answers with --labels, "
		    "--schema or --json");
}

/* --expect compares one answer with one field of the row. */
static void
check_expect(const struct config *c)
{
	if (c->expect == NULL)
		return;
	if (*c->expect == '\0')
		errx(2, "--expect: a field name expected");
	if (c->json || c->schema != NULL)
		errx(2, "--expect compares one answer with the row's field: "
		    "%s does not apply", c->json ? "--json" : "--schema");
	if (c->batch_in || c->batch_out)
		errx(2, "--expect: --batch-input and --batch-output have "
		    "formats of their own");
	if (strcmp(c->expect, c->field) == 0)
		errx(2, "--expect %s: -o would write the answer over it; "
		    "name another with -o", c->expect);
}

void
rules_check(struct config *c)
{
	const struct provider_wire	*w;
	const char			*e;

	if (c->batch_cancel != NULL) {
		/* Nothing is rendered: only the URL and key matter. */
		if (c->batch_api != NULL || c->dry_run)
			errx(2, "--batch-cancel does nothing else: --batch-api "
			    "and --dry-run do not apply");
		if (c->prompt == NULL && c->prompt_file == NULL &&
		    c->body == NULL && !c->batch_in)
			c->prompt = "-";
	}
	/* A wire's Batch API is driven when the table gives it one. */
	if (c->batch_api != NULL && cli_provider(c)->wire->batch == NULL)
		errx(2, "--batch-api: OpenAI's and Azure's Batch API only; "
		    "--%s's is not supported yet", cli_provider(c)->name);
	if (c->batch_api != NULL && (c->rpm > 0 || c->tpm > 0 ||
	    c->share != NULL || c->autotune))
		errx(2, "--batch-api: the provider paces a batch; %s does not "
		    "apply", c->rpm > 0 ? "--rpm" : c->tpm > 0 ? "--tpm" :
		    c->share != NULL ? "--share" : "-j auto");
	if (c->batch_api != NULL && (c->ordered || c->batch_in))
		errx(2, "--batch-api: rows come back batch by batch; "
		    "--ordered and --batch-input do not apply");
	if (c->batch_api != NULL && c->endpoint != NULL &&
	    strcmp(c->endpoint, "/chat/completions") != 0)
		errx(2, "--batch-api sends chat completions: --endpoint does "
		    "not apply");
	if (c->batch_in && c->body != NULL)
		errx(2, "--batch-input lines hold their bodies: --body does "
		    "not apply");
	if (c->batch_in && !c->id_given)
		c->idfield = "custom_id";
	if ((c->batch_in || c->batch_out) && (c->json || c->meta ||
	    c->azure || c->field_given))
		errx(2, "--batch-input and --batch-output have formats of "
		    "their own: --json, --meta, --azure and -o do not apply");
	if (c->body != NULL || c->batch_in) {
		/* The body says everything the chat options would. */
		if (c->prompt != NULL || c->prompt_file != NULL ||
		    c->system != NULL || c->system_file != NULL ||
		    c->params.n > 0 || c->model_given)
			errx(2, "%s: -p, -f, -s, --system-file, -P and -m do "
			    "not apply", c->body != NULL ? "--body is the "
			    "whole request" : "--batch-input lines hold their "
			    "requests");
	} else if ((c->prompt == NULL) == (c->prompt_file == NULL)) {
		warnx("give the prompt with one of -p or -f");
		cli_usage(stderr, 2);
	}
	if (c->system != NULL && c->system_file != NULL)
		errx(2, "give the system message with -s or --system-file, "
		    "not both");
	if (*c->field == '\0' || *c->idfield == '\0' || *c->errfield == '\0')
		errx(2, "field names must not be empty");
	if (*c->model == '\0')
		errx(2, "-m: a model name expected");
	if ((c->prompt != NULL && *c->prompt == '\0') ||
	    (c->system != NULL && *c->system == '\0'))
		errx(2, "%s: an empty template", c->prompt != NULL &&
		    *c->prompt == '\0' ? "-p" : "-s");
	if (strcmp(c->field, c->idfield) == 0 ||
	    strcmp(c->field, c->errfield) == 0 ||
	    strcmp(c->idfield, c->errfield) == 0)
		errx(2, "-o, -i and --error-field must name different fields");
	if (c->json && c->field_given)
		errx(2, "--json merges the answer's own fields; -o does not "
		    "apply");
	if (c->anthropic) {
		if (c->azure || c->body != NULL || c->batch_in ||
		    c->batch_out)
			errx(2, "--anthropic: --azure, --body, --batch-input "
			    "and --batch-output do not apply");
	}
	w = cli_provider(c)->wire;
	/* The wire's own URL, not the option table's (or $OPENAI_BASE_URL,
	 * another provider's). */
	if (!c->url_given && w->base_url != NULL)
		c->url = w->base_url;
	if (!c->endpoint_given && w->endpoint != NULL)
		c->endpoint = w->endpoint;
	if (!c->model_given && w->model != NULL && ((e =
	    getenv("ENRICH_MODEL")) == NULL || *e == '\0'))
		c->model = w->model;
	check_answers(c);
	check_expect(c);
	check_escalate(c);
	/* AZURE_OPENAI_ENDPOINT alone means Azure, unless a URL says not. */
	if (!c->anthropic && !c->url_given && getenv(provider_find("openai")->
	    wire->url_env) == NULL && (e = getenv(provider_find("azure")->
	    wire->url_env)) != NULL && *e != '\0')
		c->azure = 1;
	/* -u, else the wire's variable, else its URL (set above), else the
	 * option table's; Azure has no URL but its resource's. */
	w = cli_provider(c)->wire;
	if (!c->url_given && w->url_env != NULL && (e = getenv(w->url_env)) !=
	    NULL && *e != '\0')
		c->url = e;
	else if (!c->url_given && c->azure)
		errx(2, "--azure: set %s or give -u "
		    "https://RESOURCE.openai.azure.com", w->url_env);
	if (!c->url_given)
		split_urls(c, c->url);
	if (c->urls.n > ENDPOINTS_MAX)
		errx(2, "-u: at most %d endpoints", ENDPOINTS_MAX);
	if ((c->batch_api != NULL || c->batch_cancel != NULL) &&
	    c->urls.n > 1)
		errx(2, "--batch-api: one -u only: batches live at one "
		    "provider");
	if (c->batch_in && c->urls.n > 1)
		errx(2, "--batch-input lines name their paths under one URL: "
		    "give one -u");
	/* Whether a key is needed is the caller's to say: it knows the host. */
	c->env_key_name = w->key_env;
	c->env_key = getenv(c->env_key_name);
	c->api_version = w->version_env != NULL && (e = getenv(w->version_env))
	    != NULL && *e != '\0' ? e : w->version;
	/* The price table: the installed one, or one of the user's. */
	c->prices_env = (e = getenv("ENRICH_PRICES")) != NULL && *e != '\0';
	c->prices = c->prices_env ? e : PRICES_PATH;
	if (c->max_cost > 0)
		check_max_cost(c);
}

