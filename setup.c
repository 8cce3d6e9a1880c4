/*
 * The composition root: what a run is made of, from its config: the
 * request every row's body comes from (its templates read from the
 * command line or from files), the provider, the set of rows already done
 * (--skip-ids, read by files.c), the prices (prices.c), the files it
 * writes besides stdout, and the modules that judge, write and pace rows,
 * each given its part of the config.  Program code: anything that cannot
 * be used stops the run with status 2.
 */
#include <err.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include <curl/curl.h>

#include "lib/buf.h"
#include "lib/clock.h"
#include "files.h"
#include "prices.h"
#include "setup.h"

/* Attempts failing alike, before any success, that stop the run. */
#define FIRST_WINDOW	4
/* Several endpoints: failures in a row that set one aside, and for how
 * long at first and at most. */
#define ENDPOINT_FAILS	3
#define ASIDE_MS	1000
#define ASIDE_CAP_MS	60000

static struct tmpl *
compile(const char *arg, const char *file, const char *argopt,
    const char *fileopt, int flags)
{
	struct tmpl	*t;
	struct buf	 src = { 0 };
	char		 e[256];

	if (file != NULL)
		files_read(file, &src, fileopt);
	else if (buf_adds(&src, arg) == -1)
		err(2, NULL);
	t = tmpl_compile(src.data ? src.data : "", src.len,
	    (file != NULL ? 0 : TMPL_ESCAPES) | flags, e, sizeof(e));
	if (t == NULL && file != NULL)
		errx(2, "%s %s: %s", fileopt, file, e);
	if (t == NULL)
		errx(2, "%s: %s", argopt, e);
	buf_free(&src);
	return t;
}

static void
setup_templates(const struct config *c, struct tmpl **user,
    struct tmpl **system)
{
	const char	*body = c->body != NULL ? c->body : "{}";
	char		 e[256];
	int		 empty = c->allow_empty ? TMPL_EMPTY : 0;

	*system = NULL;
	if (c->body != NULL || c->batch_in) {
		/* Batch lines carry their bodies: the body template is unused. */
		if ((*user = tmpl_compile(body, strlen(body), TMPL_BODY | empty,
		    e, sizeof(e))) == NULL)
			errx(2, "--body: %s", e);
		return;
	}
	*user = compile(c->prompt, c->prompt_file, "-p", "--prompt-file",
	    empty);
	if (c->system != NULL || c->system_file != NULL)
		*system = compile(c->system, c->system_file, "-s",
		    "--system-file", empty);
}

/*
 * The request every row's body comes from, for a model: -m's, or
 * --escalate's, which is the same request of the same provider with
 * another model.  Its shape is the provider's, or --body's (Batch input
 * lines carry their bodies whole, as --body's template does).
 */
static struct request *
setup_request(const struct config *c, const char *model,
    const struct tmpl *user, const struct tmpl *system)
{
	struct request_config	 rc = { 0 };
	struct request		*req;
	char			 e[256];

	if (c->body != NULL || c->batch_in)
		rc.shape = &provider_body_shape;
	else {
		rc.shape = cli_provider(c)->shape;
		rc.model = model;
		rc.system = system;
		rc.params = c->params.v;
		rc.nparams = c->params.n;
	}
	rc.user = user;
	req = request_make(&rc, e, sizeof(e));
	if (req == NULL || (c->extract != NULL &&
	    request_extract(req, c->extract, e, sizeof(e)) == -1))
		errx(2, "%s", e);
	return req;
}

/* response_format's name for the schema: its file's, as the API allows. */
static void
schema_name(const char *path, struct buf *b)
{
	const char	*p = strrchr(path, '/') != NULL ? strrchr(path, '/') + 1 :
			    path;
	size_t		 n = 0;

	for (; *p != '\0' && *p != '.' && n < 64; p++)
		if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		    (*p >= '0' && *p <= '9') || *p == '_' || *p == '-') {
			if (buf_addc(b, *p) == -1)
				err(2, NULL);
			n++;
		}
	if (n == 0 && buf_adds(b, "answer") == -1)
		err(2, NULL);
}

/*
 * What the answers must be (--schema, --labels), and what the request
 * asks for to that end: a response_format, the labels in the system
 * message, logprobs.
 */
static void
setup_answers(const struct config *c, struct parts *p)
{
	struct request_ask	 ask = { 0 };
	struct buf		 text = { 0 }, fmt = { 0 }, words = { 0 };
	const char		*ign;
	char			 e[256];

	if (c->schema != NULL) {
		files_read(c->schema, &text, "--schema");
		if ((p->schema = schema_new(text.data != NULL ? text.data : "",
		    text.len, e, sizeof(e))) == NULL)
			errx(2, "--schema %s: %s", c->schema, e);
		if (c->json && !schema_wants_object(p->schema))
			errx(2, "--schema %s: --json merges an object, and the "
			    "schema allows other answers", c->schema);
		if ((ign = schema_ignored(p->schema)) != NULL && c->verbose > 0)
			warnx("--schema %s: not checked by enrich: %s",
			    c->schema, ign);
		if (buf_adds(&fmt, "{\"type\":\"json_schema\",\"json_schema\":"
		    "{\"name\":\"") == -1)
			err(2, NULL);
		schema_name(c->schema, &fmt);
		if (buf_adds(&fmt, "\",\"strict\":true,\"schema\":") == -1 ||
		    buf_add(&fmt, text.data, text.len) == -1 ||
		    buf_adds(&fmt, "}}") == -1 || buf_addc(&fmt, '\0') == -1)
			err(2, NULL);
		ask.format = fmt.data;
	}
	buf_reset(&text);
	if (c->labels != NULL && (p->labels = labels_new(c->labels,
	    strlen(c->labels), ',', e, sizeof(e))) == NULL)
		errx(2, "--labels: %s", e);
	if (c->labels_file != NULL) {
		files_read(c->labels_file, &text, "--labels-file");
		if ((p->labels = labels_new(text.data != NULL ? text.data : "",
		    text.len, '\n', e, sizeof(e))) == NULL)
			errx(2, "--labels-file %s: %s", c->labels_file, e);
	}
	if (p->labels != NULL) {
		if (labels_prompt(p->labels, &words) == -1 ||
		    buf_addc(&words, '\0') == -1)
			err(2, NULL);
		ask.instruction = words.data;
	}
	ask.logprobs = c->confidence;
	if ((ask.format != NULL || ask.instruction != NULL || ask.logprobs) &&
	    (request_ask(p->request, &ask, e, sizeof(e)) == -1 ||
	    (p->escalate != NULL && request_ask(p->escalate, &ask, e,
	    sizeof(e)) == -1)))
		errx(2, "%s", e);
	buf_free(&text);
	buf_free(&fmt);
	buf_free(&words);
}

/* -a: the files rows name, as parts of their user message. */
static void
setup_attach(const struct config *c, struct parts *p)
{
	struct attach_config	 ac = { 0 };
	char			 e[256];

	if (c->attach.n == 0)
		return;
	if (c->body != NULL || c->batch_in)
		errx(2, "--attach: %s says the whole body; -p or -f only",
		    c->body != NULL ? "--body" : "--batch-input");
	if (c->escalate != NULL)
		errx(2, "--attach: --escalate does not take files yet");
	ac.fields = c->attach.v;
	ac.nfields = c->attach.n;
	ac.max = c->attach_max;
	ac.dialect = cli_provider(c)->wire->attach;
	if ((p->attach = attach_new(&ac, e, sizeof(e))) == NULL)
		errx(2, "%s", e);
	request_attach(p->request, p->attach);
}

/* Endpoint k's provider: its URL, and its own key or the run's. */
static struct provider *
setup_provider(const struct config *cfg, size_t k)
{
	struct provider_config	 prc = { 0 };
	struct provider		*prov;
	char			 e[256];

	prc.url = cfg->urls.v[k];
	prc.endpoint = cfg->endpoint;
	prc.model = cfg->model;
	prc.ops = cli_provider(cfg);
	prc.api_version = cfg->api_version;
	prc.keyfile = cfg->url_keys.v[k] != NULL ? cfg->url_keys.v[k] :
	    cfg->keyfile;
	prc.env_key = cfg->env_key;
	prc.env_key_name = cfg->env_key_name;
	prc.headers = cfg->headers.v;
	prc.nheaders = cfg->headers.n;
	prc.need_key = !cfg->dry_run;
	if ((prov = provider_new(&prc, e, sizeof(e))) == NULL)
		errx(2, "%s", e);
	return prov;
}

/*
 * Several endpoints: each provider's URL and headers a target of the
 * pool, in the same order, so an endpoint's number is its target's.
 */
static void
setup_endpoints(struct parts *p)
{
	struct endpoints_config	 ec = { ENDPOINT_FAILS, ASIDE_MS,
				    ASIDE_CAP_MS };
	const char *const	*h;
	size_t			 k, n;
	char			 e[256], shown[512];

	if ((p->endpoints = endpoints_new(&ec)) == NULL)
		err(2, NULL);
	for (k = 0; k < p->nproviders; k++) {
		h = provider_headers(p->providers[k], &n);
		if (k > 0 && pool_add_target(p->pool,
		    provider_url(p->providers[k]), h, n, e, sizeof(e)) !=
		    (int)k)
			errx(2, "%s", e);
		provider_redact(provider_url(p->providers[k]), shown,
		    sizeof(shown));
		if (endpoints_add(p->endpoints, shown) != (int)k)
			err(2, NULL);
	}
}

/* The pool and its pace: a real run only. */
static void
setup_net(const struct config *cfg, int maxjobs, struct parts *p)
{
	struct pool_config	 pc = { 0 };
	struct pace_config	 pac = { 0 };
	char			 e[256];

	pc.url = provider_url(p->provider);
	pc.headers = provider_headers(p->provider, &pc.nheaders);
	pc.keep_headers = provider_keep(p->provider);
	pc.timeout_ms = cfg->timeout * 1000;
	pc.max_response = cfg->max_response;
	/* Room for SIGUSR1 and -j auto to widen the window later. */
	pc.window = maxjobs;
	pc.http = cfg->http;
	pc.cacert = cfg->cacert;
	if (cfg->http == POOL_HTTP_2_PRIOR && pool_h2c_broken() &&
	    cfg->verbose >= 0)
		warnx("this libcurl (%s) cannot reuse HTTP/2 connections "
		    "without TLS (curl#10634, fixed in 8.0.0): each request "
		    "gets a connection of its own",
		    curl_version_info(CURLVERSION_NOW)->version);
	if ((p->pool = pool_new(&pc, e, sizeof(e))) == NULL)
		errx(2, "%s", e);
	if (p->nproviders > 1)
		setup_endpoints(p);
	pac.rpm = cfg->rpm;
	pac.tpm = cfg->tpm;
	pac.autotune = cfg->autotune;
	pac.window = cfg->jobs < maxjobs ? cfg->jobs : maxjobs;
	pac.max_window = maxjobs;
	pac.max_wait_ms = cfg->max_wait * 1000;
	if (cfg->share != NULL && (p->share = pac.share = share_open(
	    cfg->share, clock_ms(), e, sizeof(e))) == NULL)
		errx(2, "%s", e);
	if (p->share != NULL)
		share_set_max_wait(p->share, pac.max_wait_ms);
	if (cfg->jobs > maxjobs && cfg->verbose > 0)
		warnx("-j %d: at most %d requests in flight with the open-file "
		    "limit (ulimit -n)", cfg->jobs, maxjobs);
	if ((p->pace = pace_new(&pac, clock_ms())) == NULL)
		err(2, NULL);
}

/* A setting for STATE: an option's text, or its file's. */
static void
setting(struct bstate_setting *set, size_t *n, struct buf *keep,
    const char *name, const char *text, const char *file, const char *opt)
{
	set[*n].name = name;
	set[*n].value = NULL;
	set[*n].len = 0;
	if (file != NULL) {
		buf_reset(&keep[*n]);
		files_read(file, &keep[*n], opt);
		set[*n].value = keep[*n].data != NULL ? keep[*n].data : "";
		set[*n].len = keep[*n].len;
	} else if (text != NULL) {
		set[*n].value = text;
		set[*n].len = strlen(text);
	}
	(*n)++;
}

#define SETTINGS	12

/*
 * STATE, with the settings the rows' answers depend on: a STATE of
 * other settings is refused, naming them.
 */
static void
setup_state(const struct config *cfg, struct parts *p)
{
	struct bstate_setting	 set[SETTINGS];
	struct buf		 keep[SETTINGS], params = { 0 };
	const char		*path = cfg->batch_api != NULL ?
				    cfg->batch_api : cfg->batch_cancel;
	size_t			 n = 0, k;
	char			 e[512];

	memset(keep, 0, sizeof(keep));
	for (k = 0; k < cfg->params.n; k++)
		if (buf_adds(&params, cfg->params.v[k]) == -1 ||
		    buf_addc(&params, '\n') == -1)
			err(2, NULL);
	if (buf_addc(&params, '\0') == -1)
		err(2, NULL);
	if (cfg->batch_api != NULL) {
		setting(set, &n, keep, "model", cfg->model, NULL, NULL);
		setting(set, &n, keep, "url", provider_url(p->provider), NULL,
		    NULL);
		setting(set, &n, keep, "prompt", cfg->prompt,
		    cfg->prompt_file, "--prompt-file");
		setting(set, &n, keep, "system", cfg->system,
		    cfg->system_file, "--system-file");
		setting(set, &n, keep, "params", params.data, NULL, NULL);
		setting(set, &n, keep, "body", cfg->body, NULL, NULL);
		setting(set, &n, keep, "labels", cfg->labels,
		    cfg->labels_file, "--labels-file");
		setting(set, &n, keep, "schema", NULL, cfg->schema,
		    "--schema");
		setting(set, &n, keep, "extract", cfg->extract, NULL, NULL);
		setting(set, &n, keep, "confidence", cfg->confidence ? "1" :
		    NULL, NULL, NULL);
	}
	if ((p->state = bstate_open(path, set, n, e, sizeof(e))) == NULL)
		errx(2, "%s %s: %s", cfg->batch_api != NULL ? "--batch-api" :
		    "--batch-cancel", path, e);
	for (k = 0; k < SETTINGS; k++)
		buf_free(&keep[k]);
	buf_free(&params);
}

/* The Batch API as the run's transport, on the pool. */
static void
setup_batch(const struct config *cfg, long long now, struct parts *p,
    void (*say)(void *, int, const char *), void *arg)
{
	struct batchapi_config	 bc = { 0 };
	struct batchapi_parts	 bp = { 0 };
	const char *const	*h;
	const char		**v;
	size_t			 n, k;
	char			 e[512];
	int			 t;

	setup_state(cfg, p);
	/* Uploads are multipart: a target of their own, the same key. */
	h = provider_headers(p->provider, &n);
	if ((v = reallocarray(NULL, n + 1, sizeof(*v))) == NULL)
		err(2, NULL);
	for (k = 0; k < n; k++)
		v[k] = h[k];
	v[n] = "Content-Type: multipart/form-data";
	if ((t = pool_add_target(p->pool, provider_url(p->provider), v, n + 1,
	    e, sizeof(e))) == -1)
		errx(2, "%s", e);
	free(v);
	bc.batch_size = cfg->batch_size;
	/* The API's 200 MB, less a margin for what it counts. */
	bc.file_max = BAPI_FILE_MAX - 1000000;
	bc.poll_ms = cfg->batch_poll * 1000;
	bc.retries = cfg->retries;
	bc.max_response = cfg->max_response;
	bc.file_timeout_ms = 3600 * 1000;
	bc.base = provider_base(p->provider);
	if ((bc.batch = cli_provider(cfg)->wire->batch) == NULL)
		errx(2, "--batch-api: no Batch API for this provider");
	bc.api_version = cfg->api_version;
	bc.upload_target = t;
	bc.key_hint = cfg->env_key_name;
	bp.pool = p->pool;
	bp.state = p->state;
	bp.rows = p->rows;
	bp.input = p->input;
	bp.record = p->record;
	bp.say = say;
	bp.arg = arg;
	if ((p->batch = batchapi_new(&bc, &bp, now, e, sizeof(e))) == NULL)
		errx(1, "--batch-api %s: %s", cfg->batch_api != NULL ?
		    cfg->batch_api : cfg->batch_cancel, e);
	/* What the rows parked by earlier runs hold, against the cap. */
	if (cfg->max_cost > 0)
		p->budget.reserved += batchapi_reserved(p->batch);
}

void
setup_run(const struct config *cfg, int maxjobs, long long now,
    struct parts *p, void (*say)(void *, int, const char *), void *arg)
{
	struct record_config	 rc = { 0 };
	struct input_config	 ic = { 0 };
	struct verdict_config	 vc = { 0 };
	size_t			 k;
	char			 e[256];

	memset(p, 0, sizeof(*p));
	p->errfd = p->statsfd = -1;
	setup_templates(cfg, &p->user, &p->system);
	p->request = setup_request(cfg, cfg->model, p->user, p->system);
	if (cfg->escalate != NULL)
		p->escalate = setup_request(cfg, cfg->escalate, p->user,
		    p->system);
	setup_answers(cfg, p);
	setup_attach(cfg, p);
	if ((p->providers = calloc(cfg->urls.n, sizeof(*p->providers))) ==
	    NULL)
		err(2, NULL);
	for (k = 0; k < cfg->urls.n; k++)
		p->providers[p->nproviders++] = setup_provider(cfg, k);
	p->provider = p->providers[0];
	p->skip = files_skip(cfg);
	if ((p->seen = seen_new(SEEN_SLOTS)) == NULL)
		err(2, NULL);
	prices_setup(cfg, p);
	if (cfg->cache != NULL && (p->cache = cache_new(cfg->cache, e,
	    sizeof(e))) == NULL)
		errx(2, "--cache %s: %s", cfg->cache, e);
	if (p->cache != NULL)
		cache_set_max(p->cache, cfg->max_response);
	/* A dry run writes nothing but its stdout: the --errors file of the
	 * last real run stays as it was. */
	if (cfg->errors != NULL && !cfg->dry_run && (p->errfd =
	    open(cfg->errors, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC,
	    0666)) == -1)
		err(2, "--errors %s", cfg->errors);
	/* Found unwritable now, not after the whole run has been paid for. */
	if (cfg->stats_json != NULL && (p->statsfd = open(cfg->stats_json,
	    O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0666)) == -1)
		err(2, "--stats-json %s", cfg->stats_json);
	rc.request = p->request;
	rc.idfield = cfg->idfield;
	rc.field = cfg->field;
	rc.errfield = cfg->errfield;
	rc.json = cfg->json;
	rc.meta = cfg->meta;
	rc.batch_out = cfg->batch_out;
	rc.rates = p->priced ? &p->rates : NULL;
	rc.schema = p->schema;
	rc.labels = p->labels;
	rc.confidence = cfg->confidence;
	rc.model = cfg->model;
	rc.escalate = cfg->escalate;
	rc.escalate_rates = p->priced && cfg->escalate != NULL ?
	    &p->escalate_rates : NULL;
	rc.below = cfg->below;
	/* A dry run has no answers to measure. */
	if (cfg->expect != NULL && !cfg->dry_run && (rc.expect = p->expect =
	    expect_new(cfg->expect, p->labels)) == NULL)
		err(2, NULL);
	ic.idfield = cfg->idfield;
	ic.errfield = cfg->errfield;
	ic.request = p->request;
	ic.escalate = p->escalate;
	ic.skip = p->skip;
	ic.seen = p->seen;
	ic.sample = cfg->sample;
	ic.dry_run = cfg->dry_run;
	ic.estimate = cfg->estimate;
	/* --batch-api's dry run writes the request lines it would upload. */
	rc.batch_dry = cfg->batch_api != NULL && !cfg->estimate &&
	    cli_provider(cfg)->wire->batch != NULL ?
	    cli_provider(cfg)->wire->batch->endpoint : NULL;
	ic.batch_in = cfg->batch_in;
	ic.batch_out = cfg->batch_out;
	ic.attach = p->attach;
	ic.dialect = cli_provider(cfg)->wire->attach;
	ic.base = provider_base(p->provider);
	ic.url = provider_url(p->provider);
	/* Keys that outlive the run: --cache's files, and the parked rows'
	 * keys a resumed --batch-api run reads back from its spools. */
	ic.disk_keys = p->cache != NULL || cfg->batch_api != NULL;
	vc.retries = cfg->retries;
	vc.max_wait_ms = cfg->max_wait * 1000;
	vc.stall_ms = cfg->stall * 1000;
	vc.max_429 = cfg->max_429;
	/* Where the URL or model comes from the row, a 404 is the row's. */
	vc.per_row_target = cfg->batch_in || (cfg->body != NULL &&
	    tmpl_has_fields(p->user));
	vc.first_window = FIRST_WINDOW;
	vc.key_name = cfg->env_key_name;
	vc.overloaded = cli_provider(cfg)->wire->overloaded;
	/* Only a conversation can be asked again. */
	vc.reask = cfg->body != NULL || cfg->batch_in ? 0 : cfg->reask;
	if ((p->record = record_new(&rc)) == NULL ||
	    (p->input = input_new(&ic, p->record)) == NULL ||
	    (p->verdicts = verdict_new(&vc, now)) == NULL)
		err(2, NULL);
	if (cfg->dry_run)
		return;
	setup_net(cfg, maxjobs, p);
	if (cfg->batch_api != NULL || cfg->batch_cancel != NULL) {
		if ((p->rows = rows_new()) == NULL)
			err(2, NULL);
		setup_batch(cfg, now, p, say, arg);
	}
}

void
setup_free(struct parts *p)
{
	batchapi_free(p->batch);
	bstate_free(p->state);
	rows_free(p->rows);
	pool_free(p->pool);
	pace_free(p->pace);
	share_close(p->share);
	verdict_free(p->verdicts);
	input_free(p->input);
	record_free(p->record);
	idset_free(p->skip);
	seen_free(p->seen);
	request_free(p->request);
	request_free(p->escalate);
	attach_free(p->attach);
	schema_free(p->schema);
	expect_free(p->expect);
	labels_free(p->labels);
	tmpl_free(p->user);
	tmpl_free(p->system);
	endpoints_free(p->endpoints);
	while (p->nproviders > 0)
		provider_free(p->providers[--p->nproviders]);
	free(p->providers);
	cache_free(p->cache);
	if (p->errfd != -1)
		close(p->errfd);
	memset(p, 0, sizeof(*p));
}
