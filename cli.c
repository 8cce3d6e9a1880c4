/*
 * The command line, from one table.
 *
 * Each option is one row of options[]: its names, the kind of argument it
 * takes, the config field it fills, the range a number must be in, its
 * default and its help.  getopt_long's arguments, the usage synopsis, the
 * --help list with its defaults, the values a run starts from and the
 * range messages are all made from the table, as curl's tool does with
 * its aliases[], so an ordinary option is one row here and one entry in
 * the man page (tests/cli/docs.sh holds the two to the same names and
 * defaults).  An option with more to it than storing its value names a
 * setter.  It only reads: the rules that tie options together are
 * rules.c's, which main applies to what this returns.
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
#include "lib/endpoints.h"
#include "lib/provider.h"
#include "lib/sample.h"

#define VERSION		"0.1.0"
#define WIDTH		79	/* of --help */

enum arg {
	ARG_NONE,	/* no argument: the int field gets min */
	ARG_STRING,	/* const char *, borrowed from argv */
	ARG_INT,	/* int, min to max */
	ARG_LLONG,	/* long long, min to max */
	ARG_PRICE,	/* double, dollars a million tokens */
	ARG_LIST	/* struct list: each use adds one */
};

/* Where a row stands in the usage synopsis. */
#define SYN_OR		0x1	/* an alternative to the row before: "a | b" */
#define SYN_MUST	0x2	/* not optional: no brackets */
#define SYN_NONE	0x4	/* only in the list (--help, --version) */

struct opt {
	const char	*name;		/* --name */
	int		 letter;	/* -l, or 0 */
	enum arg	 arg;
	size_t		 field;		/* offset in struct config */
	long long	 min, max;
	/*
	 * The value before any option, stored as if given (by the setter,
	 * if any), and shown by --help as "(default x)"; NULL: none, or one
	 * the help describes (the environment's, the price table's).
	 */
	const char	*def;
	/* Instead of storing the value; may call opt_store itself. */
	void		(*set)(struct config *, const struct opt *, char *);
	int		 syn;
	const char	*metavar;	/* the argument, as the man page names it */
	const char	*help;
	/* A provider's flag: --help tells its defaults from its wire. */
	const char	*provider;
};

/*
 * The field's offset, with a compile-time check that it has the type the
 * kind of argument stores.
 */
#define FIELD(f, type)	(offsetof(struct config, f) + \
	0 * sizeof((type *){ &((struct config *)NULL)->f }))
#define NONE(f)		ARG_NONE, FIELD(f, int)
#define STRING(f)	ARG_STRING, FIELD(f, const char *)
#define INT(f)		ARG_INT, FIELD(f, int)
#define LLONG(f)	ARG_LLONG, FIELD(f, long long)
#define PRICE(f)	ARG_PRICE, FIELD(f, double)
#define LIST(f)		ARG_LIST, FIELD(f, struct list)

static void	set_cacert(struct config *, const struct opt *, char *);
static void	set_endpoint(struct config *, const struct opt *, char *);
static void	set_estimate(struct config *, const struct opt *, char *);
static void	set_header(struct config *, const struct opt *, char *);
static void	set_help(struct config *, const struct opt *, char *);
static void	set_http(struct config *, const struct opt *, char *);
static void	set_jobs(struct config *, const struct opt *, char *);
static void	set_keyfile(struct config *, const struct opt *, char *);
static void	set_url(struct config *, const struct opt *, char *);
static void	set_max_cost(struct config *, const struct opt *, char *);
static void	set_sample(struct config *, const struct opt *, char *);
static void	set_below(struct config *, const struct opt *, char *);
static void	set_version(struct config *, const struct opt *, char *);

/*
 * { name, letter, kind and field, min, max, default, setter, synopsis,
 * metavar, help, provider }; a flag sets its field to min.
 *
 * In the order of the synopsis, which the man page follows: the flags,
 * the other one-letter options, the long ones, each alphabetically; then
 * the one way of giving the request that is required.
 */
static const struct opt options[] = {
	{ "quiet", 'q', NONE(verbose), -1, 0, NULL, NULL, 0, NULL,
	    "say only what stops the run" },
	{ "verbose", 'v', NONE(verbose), 1, 0, NULL, NULL, 0, NULL,
	    "say more on stderr" },
	{ "attach", 'a', LIST(attach), 0, 0, NULL, NULL, 0, "field",
	    "send the files the field names (paths, URLs or an array): PNG, "
	    "JPEG, GIF, WebP, PDF (repeatable)" },
	{ "header", 'H', LIST(headers), 0, 0, NULL, set_header, 0,
	    "'Name: value'", "add a request header (repeatable)" },
	{ "id", 'i', STRING(idfield), 0, 0, "id", NULL, 0, "field",
	    "row ID field; a row without it gets its line number" },
	{ "jobs", 'j', INT(jobs), 1, MAX_JOBS, "32", set_jobs, 0,
	    "jobs | auto", "requests in flight, 1-10000; auto: find the "
	    "provider's rate limit by itself" },
	{ "api-key-file", 'k', STRING(keyfile), 0, 0, NULL, set_keyfile, 0,
	    "keyfile", "the API key's file (else $OPENAI_API_KEY); after a -u, "
	    "that endpoint's" },
	{ "model", 'm', STRING(model), 0, 0, "gpt-4o-mini", NULL, 0, "model",
	    "model (else $ENRICH_MODEL, else the default)" },
	{ "field", 'o', STRING(field), 0, 0, "answer", NULL, 0, "field",
	    "output field for the answer" },
	{ "param", 'P', LIST(params), 0, 0, NULL, NULL, 0, "key=json",
	    "add a field to every request body (repeatable)" },
	{ "retries", 'r', INT(retries), 0, 100, "5", NULL, 0, "retries",
	    "retries per row on errors worth one" },
	{ "system", 's', STRING(system), 0, 0, NULL, NULL, 0, "template",
	    "system message template" },
	{ "timeout", 't', LLONG(timeout), 1, 86400, "300", NULL, 0,
	    "seconds", "per attempt" },
	{ "url", 'u', LIST(urls), 0, 0,
	    "https://api.openai.com/v1", set_url, 0, "url",
	    "API base URL (else $OPENAI_BASE_URL, else the default); "
	    "repeatable: rows go to the endpoint with the most headroom" },
	{ "allow-empty", 0, NONE(allow_empty), 1, 0, NULL, NULL, 0, NULL,
	    "render a null, empty or blank field (else the row is a "
	    "template error, not sent)" },
	{ "anthropic", 0, NONE(anthropic), 1, 0, NULL, NULL, 0, NULL,
	    "Anthropic's Messages API:", "anthropic" },
	{ "attach-max", 0, LLONG(attach_max), 1, 1LL << 30, "20971520", NULL,
	    0, "n", "bytes an attached file may have" },
	{ "azure", 0, NONE(azure), 1, 0, NULL, NULL, 0, NULL,
	    "Azure OpenAI: -m is the deployment,", "azure" },
	{ "batch-api", 0, STRING(batch_api), 0, 0, NULL, NULL, 0, "state",
	    "through the Batch API at half price, resumable from the state "
	    "file" },
	{ "batch-cancel", 0, STRING(batch_cancel), 0, 0, NULL, NULL, 0,
	    "state", "cancel the unfinished batches of the state file" },
	{ "batch-output", 0, NONE(batch_out), 1, 0, NULL, NULL, 0, NULL,
	    "write OpenAI Batch output lines" },
	{ "batch-poll", 0, LLONG(batch_poll), 1, 86400, "60", NULL, 0,
	    "seconds", "--batch-api: between polls" },
	{ "batch-size", 0, INT(batch_size), 1, 50000, "50000", NULL, 0, "n",
	    "--batch-api: requests a file" },
	{ "below", 0, PRICE(below), 0, 0, NULL, set_below, 0, "p",
	    "--escalate rows whose answer's confidence is under p (0 to 1)" },
	{ "cacert", 0, STRING(cacert), 0, 0, NULL, set_cacert, 0, "file",
	    "trust the CA certificates in the file" },
	{ "cache", 0, STRING(cache), 0, 0, NULL, NULL, 0, "dir",
	    "keep answers in dir and never pay for one twice" },
	{ "confidence", 0, NONE(confidence), 1, 0, NULL, NULL, 0, NULL,
	    "add the answer's probability, from the model's logprobs" },
	{ "dry-run", 0, NONE(dry_run), 1, 0, NULL, NULL, 0, NULL,
	    "print each request body; send nothing" },
	{ "endpoint", 0, STRING(endpoint), 0, 0, "/chat/completions",
	    set_endpoint, 0, "path", "the path after the URL" },
	{ "error-field", 0, STRING(errfield), 0, 0, "error", NULL, 0, "name",
	    "field for the error object" },
	{ "errors", 0, STRING(errors), 0, 0, NULL, NULL, 0, "file",
	    "write failed rows to the file, not stdout" },
	{ "escalate", 0, STRING(escalate), 0, 0, NULL, NULL, 0, "model",
	    "ask this model once more where the answer is unsure (--below) "
	    "or invalid after its re-asks" },
	{ "estimate", 0, NONE(estimate), 1, 0, NULL, set_estimate, 0, NULL,
	    "dry run: tokens, cost and time, not bodies" },
	{ "expect", 0, STRING(expect), 0, 0, NULL, NULL, 0, "field",
	    "the row's field holds the right answer: measure the answers "
	    "against it" },
	/* No default of its own: without it, the provider's answer. */
	{ "extract", 0, STRING(extract), 0, 0, NULL, NULL, 0, "path",
	    "what to keep of the response (else the chat answer, "
	    "choices.0.message.content)" },
	{ "grace", 0, LLONG(grace), 0, 86400, "30", NULL, 0, "seconds",
	    "after ^C, time to finish rows" },
	{ "http1.1", 0, ARG_NONE, FIELD(http, enum pool_http), POOL_HTTP_1_1,
	    0, NULL, set_http, 0, NULL,
	    "HTTP/1.1 only (else HTTP/2 where TLS offers it)" },
	{ "http2-prior-knowledge", 0, ARG_NONE, FIELD(http, enum pool_http),
	    POOL_HTTP_2_PRIOR, 0, NULL, set_http, SYN_OR, NULL,
	    "HTTP/2 without TLS (h2c)" },
	{ "json", 0, NONE(json), 1, 0, NULL, NULL, 0, NULL,
	    "the answer is a JSON object: merge its fields" },
	{ "labels", 0, STRING(labels), 0, 0, NULL, NULL, 0, "a,b,...",
	    "the answer must be one of these labels" },
	{ "labels-file", 0, STRING(labels_file), 0, 0, NULL, NULL, SYN_OR,
	    "file", "the labels from a file, one a line" },
	{ "max-429", 0, INT(max_429), 1, 1000, "10", NULL, 0, "n",
	    "fail a row at its nth 429 while other rows succeed" },
	{ "max-cost", 0, PRICE(max_cost), 0, 0, NULL, set_max_cost, 0,
	    "dollars", "spend at most this; stop with status 4 before more" },
	{ "max-line-bytes", 0, LLONG(max_line), 4096, 1LL << 30, "16777216",
	    NULL, 0, "n", "cap on an input line" },
	{ "max-response-bytes", 0, LLONG(max_response), 1024, 1LL << 30,
	    "16777216", NULL, 0, "n", "cap on a response body" },
	{ "max-wait", 0, LLONG(max_wait), 0, 86400, "120", NULL, 0, "seconds",
	    "fail a row rather than wait longer" },
	{ "meta", 0, NONE(meta), 1, 0, NULL, NULL, 0, NULL,
	    "add _meta: attempts, latency, tokens" },
	{ "no-progress", 0, NONE(progress), 0, 0, NULL, NULL, 0, NULL,
	    "no status line, even on a terminal" },
	{ "ordered", 0, NONE(ordered), 1, 0, NULL, NULL, 0, NULL,
	    "write rows in input order" },
	{ "price-cached-in", 0, PRICE(price_cached_in), 0, 0, NULL, NULL, 0,
	    "dollars", "dollars per million cached input tokens (else the "
	    "price table's, else --price-in)" },
	{ "price-in", 0, PRICE(price_in), 0, 0, NULL, NULL, 0, "dollars",
	    "dollars per million input tokens (else the price table's)" },
	{ "price-out", 0, PRICE(price_out), 0, 0, NULL, NULL, 0, "dollars",
	    "dollars per million output tokens (else the price table's)" },
	{ "progress", 0, NONE(progress), 1, 0, NULL, NULL, 0, NULL,
	    "a status line on stderr (else only on a terminal, in the "
	    "foreground)" },
	{ "reask", 0, INT(reask), 0, 10, "2", NULL, 0, "n",
	    "ask again after an invalid answer, n times" },
	{ "rpm", 0, LLONG(rpm), 1, 1000000000, NULL, NULL, 0, "n",
	    "requests per minute at most" },
	{ "sample", 0, INT(sample), 0, 0, NULL, set_sample, 0, "n%",
	    "only the rows whose ID's hash falls in n% (the same rows in "
	    "every run)" },
	{ "schema", 0, STRING(schema), 0, 0, NULL, NULL, 0, "file",
	    "the answer must fit this JSON Schema" },
	{ "share", 0, STRING(share), 0, 0, NULL, NULL, 0, "file",
	    "one --rpm/--tpm budget for every enrich given the file "
	    "(flock(2), one machine)" },
	{ "skip-ids", 0, LIST(skipfiles), 0, 0, NULL, NULL, 0, "file",
	    "skip rows whose IDs the file lists as done" },
	{ "stall-timeout", 0, LLONG(stall), 1, 86400 * 7, "600", NULL, 0,
	    "seconds", "fail rate-limited rows after this long without any "
	    "success" },
	{ "stats", 0, NONE(stats), 1, 0, NULL, NULL, 0, NULL,
	    "a summary line at the end" },
	{ "stats-json", 0, STRING(stats_json), 0, 0, NULL, NULL, 0, "file",
	    "the summary as JSON, for scripts" },
	{ "system-file", 0, STRING(system_file), 0, 0, NULL, NULL, 0, "file",
	    "system message template from a file" },
	{ "tpm", 0, LLONG(tpm), 1, 1000000000000LL, NULL, NULL, 0, "n",
	    "tokens per minute at most" },
	{ "prompt", 'p', STRING(prompt), 0, 0, NULL, NULL, SYN_MUST,
	    "template", "user message; {{field}} {{a.b}} {{items.0}} {{.}}" },
	{ "prompt-file", 'f', STRING(prompt_file), 0, 0, NULL, NULL,
	    SYN_MUST | SYN_OR, "file", "user message template from a file" },
	{ "body", 0, STRING(body), 0, 0, NULL, NULL, SYN_MUST | SYN_OR, "json",
	    "any JSON API: the whole body, a template whose {{field}} as a "
	    "value inserts JSON" },
	{ "batch-input", 0, NONE(batch_in), 1, 0, NULL, NULL,
	    SYN_MUST | SYN_OR, NULL, "lines are OpenAI Batch requests, sent "
	    "as is" },
	{ "help", 0, ARG_NONE, 0, 0, 0, NULL, set_help, SYN_NONE, NULL,
	    "this list" },
	{ "version", 0, ARG_NONE, 0, 0, 0, NULL, set_version, SYN_NONE, NULL,
	    "the versions of enrich and libcurl" },
};

#define NOPTS	(sizeof(options) / sizeof(options[0]))

/* getopt_long returns a row's letter, or this plus its index. */
#define OPT_LONG	256

/* How a message names an option: as the user most likely typed it. */
static const char *
opt_name(const struct opt *o, char *buf, size_t len)
{
	if (o->letter != 0)
		snprintf(buf, len, "-%c", o->letter);
	else
		snprintf(buf, len, "--%s", o->name);
	return buf;
}

/* Put an unbreakable word on a line of at most WIDTH columns. */
static void
put_word(FILE *fp, int *col, int indent, const char *word)
{
	int	 n = strlen(word);

	if (*col > indent && *col + 1 + n > WIDTH) {
		fprintf(fp, "\n%*s", indent, "");
		*col = indent;
	} else {
		fputc(' ', fp);
		(*col)++;
	}
	*col += fprintf(fp, "%s", word);
}

/* Help text, word by word. */
static void
put_text(FILE *fp, int *col, int indent, const char *s)
{
	char	 word[256];
	size_t	 n;

	for (s += strspn(s, " "); *s != '\0'; s += strspn(s, " ")) {
		n = strcspn(s, " ");
		snprintf(word, sizeof(word), "%.*s", (int)n, s);
		put_word(fp, col, indent, word);
		s += n;
	}
}

/*
 * What a provider's flag sets, from its wire, so that the help cannot
 * drift from the table: "-u (default URL) plus /endpoint", or "-u (else
 * $VAR) the endpoint"; its key's variable; its model.
 */
static void
put_provider(FILE *fp, int *col, int indent, const char *name)
{
	const struct provider_wire	*w = provider_find(name)->wire;
	char				 text[512];
	int				 n;

	if (w->base_url != NULL)
		n = snprintf(text, sizeof(text), "-u (default %s) plus %s,",
		    w->base_url, w->endpoint != NULL ? w->endpoint :
		    "the endpoint");
	else
		n = snprintf(text, sizeof(text), "-u (else $%s) the endpoint,",
		    w->url_env);
	n += snprintf(text + n, sizeof(text) - n, " the key from $%s%s%s",
	    w->key_env, w->model != NULL ? ", -m default " : "",
	    w->model != NULL ? w->model : "");
	put_text(fp, col, indent, text);
}

/* "  -l, --name metavar" or "      --name metavar": its length. */
static int
format_names(const struct opt *o, char *buf, size_t len)
{
	char	 letter[8] = "";

	if (o->letter != 0)
		snprintf(letter, sizeof(letter), "-%c,", o->letter);
	return snprintf(buf, len, "  %3s --%s%s%s", letter, o->name,
	    o->metavar != NULL ? " " : "", o->metavar != NULL ?
	    o->metavar : "");
}

/*
 * The synopsis, made of the table: "[-qv]" from the flags, then a word for
 * each other row.  On stdout, for --help, the list of options follows.
 */
void
cli_usage(FILE *fp, int status)
{
	const struct opt	*o;
	char			 word[256], name[64];
	size_t			 n = 0;
	int			 col, w, helpcol = 0;

	word[n++] = '[';
	word[n++] = '-';
	for (o = options; o < options + NOPTS; o++)
		if (o->letter != 0 && o->arg == ARG_NONE)
			word[n++] = o->letter;
	word[n++] = ']';
	word[n] = '\0';
	col = fprintf(fp, "usage: enrich");
	if (n > 3)
		put_word(fp, &col, 14, word);
	for (o = options; o < options + NOPTS; o++) {
		if ((o->syn & SYN_NONE) || (o->letter != 0 &&
		    o->arg == ARG_NONE))
			continue;
		/* "[-i field]", or in a choice "[a |", "b |", "c]". */
		snprintf(word, sizeof(word), "%s%s%s%s%s",
		    o->syn & (SYN_OR | SYN_MUST) ? "" : "[",
		    opt_name(o, name, sizeof(name)),
		    o->metavar != NULL ? " " : "",
		    o->metavar != NULL ? o->metavar : "",
		    o + 1 < options + NOPTS && (o[1].syn & SYN_OR) ? " |" :
		    o->syn & SYN_MUST ? "" : "]");
		/* The choice that is required starts a line of its own. */
		if ((o->syn & SYN_MUST) && !(o->syn & SYN_OR))
			col = WIDTH;
		put_word(fp, &col, 14, word);
	}
	fputc('\n', fp);
	if (fp != stdout)
		exit(status);

	/* The help text starts in one column for all, after the widest. */
	for (o = options; o < options + NOPTS; o++)
		if ((w = format_names(o, word, sizeof(word)) + 2) > helpcol)
			helpcol = w;
	fputc('\n', fp);
	for (o = options; o < options + NOPTS; o++) {
		w = format_names(o, word, sizeof(word));
		fprintf(fp, "%s%*s", word, helpcol - 1 - w, "");
		col = helpcol - 1;
		put_text(fp, &col, helpcol, o->help);
		if (o->provider != NULL)
			put_provider(fp, &col, helpcol, o->provider);
		if (o->def != NULL) {
			snprintf(word, sizeof(word), "(default %s)", o->def);
			put_text(fp, &col, helpcol, word);
		}
		fputc('\n', fp);
	}
	exit(status);
}

const struct provider_ops *
cli_provider(const struct config *c)
{
	const struct provider_ops	*ops;

	if ((ops = provider_find(c->anthropic ? "anthropic" : c->azure ?
	    "azure" : "openai")) == NULL)
		errx(2, "no such provider");
	return ops;
}

void
cli_list_add(struct list *l, char *s)
{
	char	**v;

	if ((v = reallocarray(l->v, l->n + 1, sizeof(*v))) == NULL)
		err(2, NULL);
	l->v = v;
	l->v[l->n++] = s;
}

static long long
opt_number(const struct opt *o, const char *s)
{
	const char	*errstr;
	char		 name[64];
	long long	 v;

	v = strtonum(s, o->min, o->max, &errstr);
	if (errstr != NULL)
		errx(2, "%s %s: %s (%lld to %lld)", opt_name(o, name,
		    sizeof(name)), s, errstr, o->min, o->max);
	return v;
}

/* Dollars a million tokens: a decimal, not a strtonum integer. */
static double
opt_price(const struct opt *o, const char *s)
{
	char	*end, name[64];
	double	 v;

	errno = 0;
	v = strtod(s, &end);
	if (end == s || *end != '\0' || errno != 0 || !(v >= 0 && v <= 1e6))
		errx(2, "%s %s: a price in dollars per million tokens expected",
		    opt_name(o, name, sizeof(name)), s);
	return v;
}

/* What a row without a setter does with its argument. */
static void
opt_store(struct config *c, const struct opt *o, char *arg)
{
	char	*p = (char *)c + o->field;

	switch (o->arg) {
	case ARG_NONE:
		*(int *)(void *)p = (int)o->min;
		break;
	case ARG_STRING:
		*(const char **)(void *)p = arg;
		break;
	case ARG_INT:
		*(int *)(void *)p = (int)opt_number(o, arg);
		break;
	case ARG_LLONG:
		*(long long *)(void *)p = opt_number(o, arg);
		break;
	case ARG_PRICE:
		*(double *)(void *)p = opt_price(o, arg);
		break;
	case ARG_LIST:
		cli_list_add((struct list *)(void *)p, arg);
		break;
	}
}

static void
set_jobs(struct config *c, const struct opt *o, char *arg)
{
	if (strcmp(arg, "auto") == 0)
		c->autotune = 1;
	else
		opt_store(c, o, arg);
}

/* Each -u an endpoint, with no key of its own until a -k follows it. */
static void
set_url(struct config *c, const struct opt *o, char *arg)
{
	opt_store(c, o, arg);
	cli_list_add(&c->url_keys, NULL);
	c->url = c->urls.v[0];
}

/* -k after a -u is that endpoint's key; before any, every endpoint's. */
static void
set_keyfile(struct config *c, const struct opt *o, char *arg)
{
	char	 shown[256];

	if (c->urls.n == 0) {
		opt_store(c, o, arg);
		return;
	}
	if (c->url_keys.v[c->urls.n - 1] != NULL) {
		provider_redact(c->urls.v[c->urls.n - 1], shown, sizeof(shown));
		errx(2, "-u %s: two -k for one endpoint", shown);
	}
	c->url_keys.v[c->urls.n - 1] = arg;
}

/* A budget, not a price: more than nothing, and any sum. */
static void
set_max_cost(struct config *c, const struct opt *o, char *arg)
{
	char	*end;
	double	 v;

	(void)o;
	errno = 0;
	v = strtod(arg, &end);
	if (end == arg || *end != '\0' || errno != 0 || !(v > 0 && v <= 1e9))
		errx(2, "--max-cost %s: dollars above 0 expected", arg);
	c->max_cost = v;
}

/* A probability, as --confidence writes them. */
static void
set_below(struct config *c, const struct opt *o, char *arg)
{
	char	*end;
	double	 v;

	(void)o;
	errno = 0;
	v = strtod(arg, &end);
	if (end == arg || *end != '\0' || errno != 0 || !(v > 0 && v <= 1))
		errx(2, "--below %s: a probability above 0 and at most 1 "
		    "expected", arg);
	c->below = v;
}

static void
set_sample(struct config *c, const struct opt *o, char *arg)
{
	char	 e[128];
	long	 ppm;

	(void)o;
	if (sample_parse(arg, &ppm, e, sizeof(e)) == -1)
		errx(2, "--sample %s: %s", arg, e);
	c->sample = (int)ppm;
}

static void
set_estimate(struct config *c, const struct opt *o, char *arg)
{
	opt_store(c, o, arg);
	c->dry_run = 1;
}

static void
set_http(struct config *c, const struct opt *o, char *arg)
{
	(void)arg;
	c->http = (enum pool_http)o->min;
}

/* A header line must not be able to smuggle in another. */
static void
set_header(struct config *c, const struct opt *o, char *arg)
{
	char	 e[256];

	/* The provider's rule, at once, naming the option. */
	if (provider_check_header(arg, e, sizeof(e)) == -1)
		errx(2, "%s", e);
	opt_store(c, o, arg);
}

static void
set_endpoint(struct config *c, const struct opt *o, char *arg)
{
	if (*arg != '/' || strpbrk(arg, " \r\n") != NULL)
		errx(2, "--endpoint %s: a path such as /embeddings expected",
		    arg);
	opt_store(c, o, arg);
}

static void
set_cacert(struct config *c, const struct opt *o, char *arg)
{
	if (access(arg, R_OK) == -1)
		err(2, "--cacert %s", arg);
	opt_store(c, o, arg);
}

static void
set_help(struct config *c, const struct opt *o, char *arg)
{
	(void)c, (void)o, (void)arg;
	cli_usage(stdout, 0);
}

static void
set_version(struct config *c, const struct opt *o, char *arg)
{
	(void)c, (void)o, (void)arg;
	printf("enrich %s (%s)\n", VERSION, curl_version());
	exit(0);
}

/* Whether an option that sets this field was on the command line. */
static int
given(const unsigned char *seen, size_t field)
{
	size_t	 i;

	for (i = 0; i < NOPTS; i++)
		if (seen[i] && options[i].field == field)
			return 1;
	return 0;
}

void
cli_parse(int argc, char *argv[], struct config *c)
{
	struct option		 longopts[NOPTS + 1];
	unsigned char		 seen[NOPTS] = { 0 };
	char			 shortopts[2 * NOPTS + 1], *p = shortopts;
	const struct opt	*o;
	const char		*e;
	size_t			 i;
	int			 ch;

	for (i = 0; i < NOPTS; i++) {
		o = &options[i];
		longopts[i].name = o->name;
		longopts[i].has_arg = o->arg == ARG_NONE ? no_argument :
		    required_argument;
		longopts[i].flag = NULL;
		longopts[i].val = o->letter != 0 ? o->letter : OPT_LONG + (int)i;
		if (o->letter != 0) {
			*p++ = o->letter;
			if (o->arg != ARG_NONE)
				*p++ = ':';
		}
	}
	memset(&longopts[NOPTS], 0, sizeof(longopts[NOPTS]));
	*p = '\0';

	/*
	 * The table's defaults, stored as if given, so that --help shows the
	 * values the run starts from.  -u's goes to c->url, not the list:
	 * the rules split the environment's list, or this, into endpoints.
	 */
	for (i = 0; i < NOPTS; i++) {
		o = &options[i];
		if (o->def == NULL)
			continue;
		if (o->field == offsetof(struct config, urls)) {
			c->url = o->def;
			continue;
		}
		/* Setters and opt_store only read their argument. */
		if (o->set != NULL)
			o->set(c, o, (char *)o->def);
		else
			opt_store(c, o, (char *)o->def);
	}
	/* The environment's, where it says, before the table's. */
	if ((e = getenv("ENRICH_MODEL")) != NULL && *e != '\0')
		c->model = e;
	c->progress = -1;	/* decided by the terminal (tty.c) */
	while ((ch = getopt_long(argc, argv, shortopts, longopts,
	    NULL)) != -1) {
		if (ch >= OPT_LONG)
			i = ch - OPT_LONG;
		else
			for (i = 0; i < NOPTS && options[i].letter != ch; i++)
				continue;
		if (i == NOPTS)		/* '?': getopt said what */
			cli_usage(stderr, 2);
		o = &options[i];
		seen[i] = 1;
		if (o->set != NULL)
			o->set(c, o, optarg);
		else
			opt_store(c, o, optarg);
	}
	if (optind != argc) {
		warnx("unexpected argument: %s", argv[optind]);
		cli_usage(stderr, 2);
	}
	c->model_given = given(seen, offsetof(struct config, model));
	c->field_given = given(seen, offsetof(struct config, field));
	c->id_given = given(seen, offsetof(struct config, idfield));
	c->url_given = given(seen, offsetof(struct config, urls));
	c->endpoint_given = given(seen, offsetof(struct config, endpoint));
	c->price_in_given = given(seen, offsetof(struct config, price_in));
	c->price_out_given = given(seen, offsetof(struct config, price_out));
	c->price_cached_given = given(seen, offsetof(struct config,
	    price_cached_in));
}
