/*
 * enrich's command line.
 */
#include <err.h>
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <curl/curl.h>

#include "cli.h"
#include "lib/provider.h"

#define DEFAULT_URL	"https://api.openai.com/v1"
#define DEFAULT_MODEL	"gpt-4o-mini"
#define AZURE_VERSION	"2024-10-21"	/* a GA api-version of Azure OpenAI */

enum {
	OPT_SYSTEM_FILE = 256,
	OPT_SKIP_IDS,
	OPT_ERRORS,
	OPT_ERROR_FIELD,
	OPT_DRY_RUN,
	OPT_MAX_RESPONSE,
	OPT_MAX_LINE,
	OPT_MAX_WAIT,
	OPT_RPM,
	OPT_TPM,
	OPT_STALL,
	OPT_GRACE,
	OPT_ORDERED,
	OPT_PROGRESS,
	OPT_NO_PROGRESS,
	OPT_STATS,
	OPT_STATS_JSON,
	OPT_AZURE,
	OPT_JSON,
	OPT_META,
	OPT_HTTP11,
	OPT_HTTP2,
	OPT_CACERT,
	OPT_ESTIMATE,
	OPT_BATCH_INPUT,
	OPT_BATCH_OUTPUT,
	OPT_BODY,
	OPT_ENDPOINT,
	OPT_EXTRACT,
	OPT_PRICE_IN,
	OPT_PRICE_OUT,
	OPT_HELP,
	OPT_VERSION
};

static const struct option longopts[] = {
	{ "prompt",		required_argument, NULL, 'p' },
	{ "prompt-file",	required_argument, NULL, 'f' },
	{ "system",		required_argument, NULL, 's' },
	{ "system-file",	required_argument, NULL, OPT_SYSTEM_FILE },
	{ "model",		required_argument, NULL, 'm' },
	{ "field",		required_argument, NULL, 'o' },
	{ "id",			required_argument, NULL, 'i' },
	{ "jobs",		required_argument, NULL, 'j' },
	{ "url",		required_argument, NULL, 'u' },
	{ "api-key-file",	required_argument, NULL, 'k' },
	{ "header",		required_argument, NULL, 'H' },
	{ "param",		required_argument, NULL, 'P' },
	{ "skip-ids",		required_argument, NULL, OPT_SKIP_IDS },
	{ "errors",		required_argument, NULL, OPT_ERRORS },
	{ "error-field",	required_argument, NULL, OPT_ERROR_FIELD },
	{ "dry-run",		no_argument,	   NULL, OPT_DRY_RUN },
	{ "timeout",		required_argument, NULL, 't' },
	{ "max-response-bytes",	required_argument, NULL, OPT_MAX_RESPONSE },
	{ "max-line-bytes",	required_argument, NULL, OPT_MAX_LINE },
	{ "retries",		required_argument, NULL, 'r' },
	{ "max-wait",		required_argument, NULL, OPT_MAX_WAIT },
	{ "rpm",		required_argument, NULL, OPT_RPM },
	{ "tpm",		required_argument, NULL, OPT_TPM },
	{ "stall-timeout",	required_argument, NULL, OPT_STALL },
	{ "grace",		required_argument, NULL, OPT_GRACE },
	{ "ordered",		no_argument,	   NULL, OPT_ORDERED },
	{ "progress",		no_argument,	   NULL, OPT_PROGRESS },
	{ "no-progress",	no_argument,	   NULL, OPT_NO_PROGRESS },
	{ "stats",		no_argument,	   NULL, OPT_STATS },
	{ "stats-json",		required_argument, NULL, OPT_STATS_JSON },
	{ "azure",		no_argument,	   NULL, OPT_AZURE },
	{ "json",		no_argument,	   NULL, OPT_JSON },
	{ "meta",		no_argument,	   NULL, OPT_META },
	{ "http1.1",		no_argument,	   NULL, OPT_HTTP11 },
	{ "http2-prior-knowledge", no_argument,	   NULL, OPT_HTTP2 },
	{ "cacert",		required_argument, NULL, OPT_CACERT },
	{ "estimate",		no_argument,	   NULL, OPT_ESTIMATE },
	{ "body",		required_argument, NULL, OPT_BODY },
	{ "batch-input",	no_argument,	   NULL, OPT_BATCH_INPUT },
	{ "batch-output",	no_argument,	   NULL, OPT_BATCH_OUTPUT },
	{ "endpoint",		required_argument, NULL, OPT_ENDPOINT },
	{ "extract",		required_argument, NULL, OPT_EXTRACT },
	{ "price-in",		required_argument, NULL, OPT_PRICE_IN },
	{ "price-out",		required_argument, NULL, OPT_PRICE_OUT },
	{ "verbose",		no_argument,	   NULL, 'v' },
	{ "quiet",		no_argument,	   NULL, 'q' },
	{ "help",		no_argument,	   NULL, OPT_HELP },
	{ "version",		no_argument,	   NULL, OPT_VERSION },
	{ NULL,			0,		   NULL, 0 }
};

static void __attribute__((noreturn))
usage(FILE *fp, int status)
{
	fprintf(fp,
"usage: enrich [-qv] [-H 'Name: value'] [-i field] [-j jobs | auto]\n"
"              [-k keyfile]\n"
"              [-m model] [-o field] [-P key=json] [-r retries]\n"
"              [-s template] [-t seconds] [-u url] [--azure]\n"
"              [--cacert file] [--dry-run [--estimate]]\n"
"              [--error-field name] [--errors file] [--grace seconds]\n"
"              [--http1.1 | --http2-prior-knowledge]\n"
"              [--json] [--max-line-bytes n] [--max-response-bytes n]\n"
"              [--max-wait seconds]\n"
"              [--meta] [--no-progress] [--ordered] [--progress] [--rpm n]\n"
"              [--skip-ids file] [--stall-timeout seconds] [--stats]\n"
"              [--price-in dollars] [--price-out dollars]\n"
"              [--stats-json file] [--system-file file] [--tpm n]\n"
"              -p template | -f file | --body json | --batch-input\n"
"              [--batch-output]\n"
"              [--endpoint path] [--extract path]\n");
	if (fp == stdout)
		fprintf(fp,
"\n"
"  -p, --prompt TEMPLATE     user message; {{field}}, {{a.b}}, {{items.0}}, {{.}}\n"
"  -f, --prompt-file FILE    user message template from a file\n"
"  -s, --system TEMPLATE     system message template\n"
"      --system-file FILE    system message template from a file\n"
"      --body JSON           any JSON API: the whole body, a template whose\n"
"                            {{field}} as a value inserts JSON\n"
"      --batch-input         lines are OpenAI Batch requests, sent as they are\n"
"      --batch-output        write OpenAI Batch output lines\n"
"      --endpoint PATH       the path after the URL (default /chat/completions)\n"
"      --extract PATH        what to keep of the response (default\n"
"                            choices.0.message.content)\n"
"  -m, --model NAME          model (default $ENRICH_MODEL, else " DEFAULT_MODEL ")\n"
"  -o, --field NAME          output field for the answer (default answer)\n"
"  -i, --id FIELD            row ID field (default id; else the line number)\n"
"  -j, --jobs N|auto         requests in flight (default 32, 1-10000); auto:\n"
"                            find the provider's rate limit by itself\n"
"  -u, --url BASE            API base URL (default $OPENAI_BASE_URL, else\n"
"                            " DEFAULT_URL ")\n"
"  -k, --api-key-file FILE   read the API key from FILE (else $OPENAI_API_KEY)\n"
"      --azure               Azure OpenAI: -m is the deployment, -u (else\n"
"                            $AZURE_OPENAI_ENDPOINT) the endpoint\n"
"  -H, --header 'N: V'       add a request header (repeatable)\n"
"  -P, --param KEY=JSON      add a field to every request body (repeatable)\n"
"      --skip-ids FILE       skip rows whose IDs FILE lists as done\n"
"      --errors FILE         write failed rows to FILE, not stdout\n"
"      --error-field NAME    field for the error object (default error)\n"
"      --dry-run             print each request body; send nothing\n"
"      --estimate            with --dry-run: tokens, cost and time, not bodies\n"
"      --price-in D, --price-out D  dollars per million tokens, for --estimate\n"
"      --json                the answer is a JSON object: merge its fields\n"
"      --meta                add _meta: attempts, latency, tokens\n"
"      --ordered             write rows in input order\n"
"  -t, --timeout SECONDS     per attempt (default 300)\n"
"  -r, --retries N           retries per row on errors worth one (default 5)\n"
"      --max-wait SECONDS    fail a row rather than wait longer (default 120)\n"
"      --rpm N, --tpm N      requests, tokens per minute at most\n"
"      --stall-timeout SECONDS  fail rate-limited rows after this long\n"
"                            without any success (default 600)\n"
"      --grace SECONDS       after ^C, time to finish rows (default 30)\n"
"      --max-line-bytes N    cap on an input line (default 16777216)\n"
"      --max-response-bytes N  cap on a response body (default 16777216)\n"
"      --http1.1             HTTP/1.1 only (default: HTTP/2 where TLS offers it)\n"
"      --http2-prior-knowledge  HTTP/2 without TLS (h2c)\n"
"      --cacert FILE         trust the CA certificates in FILE\n"
"      --progress, --no-progress  a status line on stderr (default: if a\n"
"                            terminal, in the foreground)\n"
"      --stats               a summary line at the end\n"
"      --stats-json FILE     the summary as JSON, for scripts\n"
"  -v, --verbose             say more on stderr\n"
"  -q, --quiet               say only what stops the run\n"
"      --help, --version\n");
	exit(status);
}

static void
add_list(struct list *l, char *s)
{
	char	**v;

	if ((v = reallocarray(l->v, l->n + 1, sizeof(*v))) == NULL)
		err(2, NULL);
	l->v = v;
	l->v[l->n++] = s;
}

static long long
number(const char *s, long long min, long long max, const char *opt)
{
	const char	*errstr;
	long long	 v;

	v = strtonum(s, min, max, &errstr);
	if (errstr != NULL)
		errx(2, "%s %s: %s (%lld to %lld)", opt, s, errstr, min, max);
	return v;
}

/* Dollars a million tokens: a decimal, not a strtonum integer. */
static double
price(const char *s, const char *opt)
{
	char	*end;
	double	 v;

	errno = 0;
	v = strtod(s, &end);
	if (end == s || *end != '\0' || errno != 0 || !(v >= 0 && v <= 1e6))
		errx(2, "%s %s: a price in dollars per million tokens expected",
		    opt, s);
	return v;
}

/* A header line must not be able to smuggle in another. */
static void
check_header(const char *h)
{
	char	 e[256];

	if (provider_check_header(h, e, sizeof(e)) == -1)
		errx(2, "%s", e);
}

void
cli_parse(int argc, char *argv[], struct config *c)
{
	const char	*e;
	int		 ch;

	c->model = (e = getenv("ENRICH_MODEL")) && *e ? e : DEFAULT_MODEL;
	c->url = (e = getenv("OPENAI_BASE_URL")) && *e ? e : DEFAULT_URL;
	c->field = "answer";
	c->idfield = "id";
	c->errfield = "error";
	c->jobs = 32;
	c->timeout = 300;
	c->max_response = 16 * 1024 * 1024;
	c->max_line = 16 * 1024 * 1024;
	c->retries = 5;
	c->max_wait = 120;
	c->stall = 600;
	c->grace = 30;
	c->progress = -1;
	c->endpoint = "/chat/completions";
	while ((ch = getopt_long(argc, argv, "f:H:i:j:k:m:o:P:p:qr:s:t:u:v",
	    longopts, NULL)) != -1) {
		switch (ch) {
		case 'p':
			c->prompt = optarg;
			break;
		case 'f':
			c->prompt_file = optarg;
			break;
		case 's':
			c->system = optarg;
			break;
		case OPT_SYSTEM_FILE:
			c->system_file = optarg;
			break;
		case 'm':
			c->model = optarg;
			c->model_given = 1;
			break;
		case 'o':
			c->field = optarg;
			c->field_given = 1;
			break;
		case 'i':
			c->idfield = optarg;
			c->id_given = 1;
			break;
		case 'j':
			if (strcmp(optarg, "auto") == 0)
				c->autotune = 1;
			else
				c->jobs = number(optarg, 1, MAX_JOBS, "-j");
			break;
		case 'u':
			c->url = optarg;
			c->url_given = 1;
			break;
		case 'k':
			c->keyfile = optarg;
			break;
		case 'H':
			check_header(optarg);
			add_list(&c->headers, optarg);
			break;
		case 'P':
			add_list(&c->params, optarg);
			break;
		case OPT_SKIP_IDS:
			add_list(&c->skipfiles, optarg);
			break;
		case OPT_ERRORS:
			c->errors = optarg;
			break;
		case OPT_ERROR_FIELD:
			c->errfield = optarg;
			break;
		case OPT_DRY_RUN:
			c->dry_run = 1;
			break;
		case 't':
			c->timeout = number(optarg, 1, 86400, "-t");
			break;
		case OPT_MAX_LINE:
			c->max_line = number(optarg, 4096,
			    (long long)1 << 30, "--max-line-bytes");
			break;
		case OPT_MAX_RESPONSE:
			c->max_response = number(optarg, 1024,
			    (long long)1 << 30, "--max-response-bytes");
			break;
		case 'r':
			c->retries = number(optarg, 0, 100, "-r");
			break;
		case OPT_MAX_WAIT:
			c->max_wait = number(optarg, 0, 86400, "--max-wait");
			break;
		case OPT_RPM:
			c->rpm = number(optarg, 1, 1000000000, "--rpm");
			break;
		case OPT_TPM:
			c->tpm = number(optarg, 1, 1000000000000LL, "--tpm");
			break;
		case OPT_STALL:
			c->stall = number(optarg, 1, 86400 * 7,
			    "--stall-timeout");
			break;
		case OPT_GRACE:
			c->grace = number(optarg, 0, 86400, "--grace");
			break;
		case OPT_ORDERED:
			c->ordered = 1;
			break;
		case OPT_PROGRESS:
			c->progress = 1;
			break;
		case OPT_NO_PROGRESS:
			c->progress = 0;
			break;
		case OPT_STATS:
			c->stats = 1;
			break;
		case OPT_STATS_JSON:
			c->stats_json = optarg;
			break;
		case OPT_AZURE:
			c->azure = 1;
			break;
		case OPT_JSON:
			c->json = 1;
			break;
		case OPT_META:
			c->meta = 1;
			break;
		case OPT_HTTP11:
			c->http = POOL_HTTP_1_1;
			break;
		case OPT_HTTP2:
			c->http = POOL_HTTP_2_PRIOR;
			break;
		case OPT_BODY:
			c->body = optarg;
			break;
		case OPT_BATCH_INPUT:
			c->batch_in = 1;
			break;
		case OPT_BATCH_OUTPUT:
			c->batch_out = 1;
			break;
		case OPT_ENDPOINT:
			if (*optarg != '/' || strpbrk(optarg, " \r\n") != NULL)
				errx(2, "--endpoint %s: a path such as "
				    "/embeddings expected", optarg);
			c->endpoint = optarg;
			break;
		case OPT_EXTRACT:
			c->extract = optarg;
			break;
		case OPT_ESTIMATE:
			c->estimate = c->dry_run = 1;
			break;
		case OPT_PRICE_IN:
			c->price_in = price(optarg, "--price-in");
			break;
		case OPT_PRICE_OUT:
			c->price_out = price(optarg, "--price-out");
			break;
		case OPT_CACERT:
			if (access(optarg, R_OK) == -1)
				err(2, "--cacert %s", optarg);
			c->cacert = optarg;
			break;
		case 'v':
			c->verbose = 1;
			break;
		case 'q':
			c->verbose = -1;
			break;
		case OPT_HELP:
			usage(stdout, 0);
		case OPT_VERSION:
			printf("enrich %s (%s)\n", VERSION, curl_version());
			exit(0);
		default:
			usage(stderr, 2);
		}
	}
	if (optind != argc) {
		warnx("unexpected argument: %s", argv[optind]);
		usage(stderr, 2);
	}
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
		usage(stderr, 2);
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
	/* AZURE_OPENAI_ENDPOINT alone means Azure, unless a URL says not. */
	if (!c->url_given && getenv("OPENAI_BASE_URL") == NULL &&
	    (e = getenv("AZURE_OPENAI_ENDPOINT")) != NULL && *e != '\0')
		c->azure = 1;
	if (c->azure && !c->url_given) {
		if ((e = getenv("AZURE_OPENAI_ENDPOINT")) == NULL || *e == '\0')
			errx(2, "--azure: set AZURE_OPENAI_ENDPOINT or give -u "
			    "https://RESOURCE.openai.azure.com");
		c->url = e;
	}
	c->env_key_name = c->azure ? "AZURE_OPENAI_API_KEY" : "OPENAI_API_KEY";
	c->env_key = getenv(c->env_key_name);
	if ((c->api_version = getenv("OPENAI_API_VERSION")) == NULL ||
	    *c->api_version == '\0')
		c->api_version = AZURE_VERSION;
}
