#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "prov_openai.h"
#include "request.h"

struct request {
	const struct provider_shape	*shape;
	void				*data;	/* the shape's runs */
	struct tmpl			*extract;	/* a path, or NULL */
	const struct tmpl		*system;
	const struct tmpl		*user;
	char				*model;
	struct buf			 params;	/* ,"k":v... */
	long long			 budget;	/* from -P, or 0 */
	size_t				 overhead;
	int				 set_format;	/* -P response_format */
	int				 set_logprobs;	/* -P logprobs */
	struct attach			*attach;	/* -a, or NULL */
};

static int
check_param(const struct provider_shape *s, const char *p, const char *eq,
    char *err, size_t errlen)
{
	static const char *const reserved[] = { "model", "messages" };
	size_t			 k, n = eq - p;

	if (n == 0) {
		snprintf(err, errlen, "-P %s: empty key", p);
		return -1;
	}
	for (k = 0; k < sizeof(reserved) / sizeof(reserved[0]); k++)
		if (strlen(reserved[k]) == n && memcmp(p, reserved[k], n) == 0) {
			snprintf(err, errlen, "-P %.*s: set by enrich itself%s",
			    (int)n, p, k == 0 ? "; use -m" : "");
			return -1;
		}
	return s->check_param != NULL ? s->check_param(p, n, err, errlen) : 0;
}

/* The -P members, checked, as ,"k":v... in r->params. */
static int
add_params(struct request *r, char *const *params, size_t nparams,
    char *err, size_t errlen)
{
	const char	*eq, *ek;
	char		 jerr[128];
	size_t		 k, i;
	int		 later;

	for (k = 0; k < nparams; k++) {
		if ((eq = strchr(params[k], '=')) == NULL) {
			snprintf(err, errlen, "-P %s: KEY=JSON expected",
			    params[k]);
			return -1;
		}
		if (check_param(r->shape, params[k], eq, err, errlen) == -1)
			return -1;
		if (json_validate(eq + 1, strlen(eq + 1), jerr,
		    sizeof(jerr)) == -1) {
			snprintf(err, errlen, "-P %.*s: %s", (int)(eq -
			    params[k]), params[k], jerr);
			return -1;
		}
		/* A key given again later wins, as on a command line. */
		for (later = 0, i = k + 1; i < nparams && !later; i++)
			later = (ek = strchr(params[i], '=')) != NULL &&
			    ek - params[i] == eq - params[k] &&
			    memcmp(params[i], params[k], eq - params[k]) == 0;
		if (later)
			continue;
		r->set_format |= strncmp(params[k], "response_format=", 16) == 0;
		r->set_logprobs |= strncmp(params[k], "logprobs=", 9) == 0;
		/* The completion budget counts against a token limit. */
		if (strncmp(params[k], "max_tokens=", 11) == 0 ||
		    strncmp(params[k], "max_completion_tokens=", 22) == 0)
			r->budget = strtonum(eq + 1, 0, LLONG_MAX, NULL);
		if (buf_addc(&r->params, ',') == -1 ||
		    json_quote(&r->params, params[k], eq - params[k]) == -1 ||
		    buf_addc(&r->params, ':') == -1 ||
		    json_compact(&r->params, eq + 1, strlen(eq + 1), 0) == -1) {
			snprintf(err, errlen, "out of memory");
			return -1;
		}
	}
	return 0;
}

/* The shape's runs for this ask, and the overhead they make. */
static int
reshape(struct request *r, const struct request_ask *ask, char *err,
    size_t errlen)
{
	struct provider_ask	 a = { 0 };
	struct provider_prompt	 none = { "", 0, "", 0, NULL, 0 };
	struct buf		 b = { 0 };
	void			*data;

	a.model = r->model;
	a.params = r->params.data != NULL ? r->params.data : "";
	a.params_len = r->params.len;
	a.has_system = r->system != NULL;
	a.max_tokens = r->budget > 0 ? 0 : r->shape->max_tokens;
	if (ask != NULL) {
		a.instruction = ask->instruction;
		a.format = ask->format;
		a.logprobs = ask->logprobs;
	}
	if ((data = r->shape->shape_new(&a, err, errlen)) == NULL)
		return -1;
	/* What a body is with empty messages. */
	if (r->shape->body(data, &none, &b) == -1) {
		r->shape->shape_free(data);
		buf_free(&b);
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	if (r->data != NULL)
		r->shape->shape_free(r->data);
	r->data = data;
	r->overhead = b.len;
	buf_free(&b);
	return 0;
}

struct request *
request_make(const struct request_config *c, char *err, size_t errlen)
{
	struct request	*r;

	if ((r = calloc(1, sizeof(*r))) == NULL ||
	    (r->model = strdup(c->model != NULL ? c->model : "")) == NULL) {
		free(r);
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	r->shape = c->shape;
	r->system = c->system;
	r->user = c->user;
	if (add_params(r, c->params, c->nparams, err, errlen) == -1 ||
	    reshape(r, NULL, err, errlen) == -1) {
		request_free(r);
		return NULL;
	}
	return r;
}

struct request *
request_new(const char *model, const struct tmpl *system,
    const struct tmpl *user, char *const *params, size_t nparams, char *err,
    size_t errlen)
{
	struct request_config	 c = { &openai_chat_shape, model, system,
				    user, params, nparams };

	return request_make(&c, err, errlen);
}

struct request *
request_new_body(const struct tmpl *body, char *err, size_t errlen)
{
	struct request_config	 c = { &provider_body_shape, NULL, NULL,
				    body, NULL, 0 };

	return request_make(&c, err, errlen);
}

int
request_ask(struct request *r, const struct request_ask *ask, char *err,
    size_t errlen)
{
	if (r->shape->whole) {
		snprintf(err, errlen, "a --body request says all it asks");
		return -1;
	}
	if (ask->format != NULL && r->set_format) {
		snprintf(err, errlen, "-P response_format: set by --schema");
		return -1;
	}
	if (ask->logprobs && r->set_logprobs) {
		snprintf(err, errlen, "-P logprobs: set by --confidence");
		return -1;
	}
	return reshape(r, ask, err, errlen);
}

int
request_reask(const struct request *r, struct json *j, struct buf *body,
    const char *answer, size_t len, const char *why)
{
	return r->shape->reask(j, body, answer, len, why);
}

int
request_extract(struct request *r, const char *path, char *err,
    size_t errlen)
{
	struct buf	 b = { 0 };
	char		 e[128];

	/* A path is a template of one placeholder: one parser for both. */
	if (buf_adds(&b, "{{") == -1 || buf_adds(&b, path) == -1 ||
	    buf_adds(&b, "}}") == -1) {
		buf_free(&b);
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	if (strstr(path, "{{") != NULL || strstr(path, "}}") != NULL ||
	    (r->extract = tmpl_compile(b.data, b.len, 0, e, sizeof(e))) ==
	    NULL) {
		snprintf(err, errlen, "--extract %s: not a path like "
		    "choices.0.message.content", path);
		buf_free(&b);
		return -1;
	}
	buf_free(&b);
	return 0;
}

void
request_free(struct request *r)
{
	if (r == NULL)
		return;
	if (r->data != NULL)
		r->shape->shape_free(r->data);
	tmpl_free(r->extract);
	buf_free(&r->params);
	free(r->model);
	free(r);
}

void
request_get_form(const struct request *r, struct request_form *f)
{
	f->extract = r->extract;
	f->shape = r->shape;
	f->data = r->data;
}

size_t
request_overhead(const struct request *r)
{
	return r->overhead;
}

long long
request_budget(const struct request *r)
{
	return r->budget > 0 ? r->budget : r->shape->max_tokens;
}

size_t
request_cached_bytes(const struct request *r, const char *body, size_t len)
{
	if (r->shape->cached_bytes == NULL)
		return 0;
	return r->shape->cached_bytes(r->data, body, len);
}

void
request_attach(struct request *r, struct attach *a)
{
	r->attach = a;
}

/* The row's files as the shape takes them: in parts (the caller frees
 * it), none when there are none.  -1 if out of memory. */
static int
row_parts(const struct request *r, struct provider_prompt *p,
    struct provider_part **parts)
{
	struct attach_view	 v;
	size_t			 k, n = attach_count(r->attach);

	*parts = NULL;
	if (n == 0)
		return 0;
	if ((*parts = reallocarray(NULL, n, sizeof(**parts))) == NULL)
		return -1;
	for (k = 0; k < n; k++) {
		if (attach_view(r->attach, k, &v) == -1)
			return -1;
		(*parts)[k].kind = v.document ? PROVIDER_DOCUMENT :
		    PROVIDER_IMAGE;
		(*parts)[k].media_type = v.media_type;
		(*parts)[k].data = v.data;
		(*parts)[k].len = v.len;
		(*parts)[k].url = v.url;
		(*parts)[k].filename = v.filename;
	}
	p->parts = *parts;
	p->nparts = n;
	return 0;
}

int
request_body(const struct request *r, const struct json *row,
    struct buf *body, char *err, size_t errlen)
{
	struct provider_prompt	 p = { NULL, 0, NULL, 0, NULL, 0 };
	struct provider_part	*parts = NULL;
	struct buf		 sys = { 0 }, user = { 0 };
	int			 rv = -1;

	/* The messages rendered as JSON string contents; --body's template
	 * rendered whole, as JSON values. */
	if (r->system != NULL && tmpl_render(r->system, row, 0, &sys,
	    TMPL_JSON, err, errlen) == -1)
		goto out;
	if (tmpl_render(r->user, row, 0, &user, r->shape->whole ?
	    TMPL_VALUES : TMPL_JSON, err, errlen) == -1)
		goto out;
	if (r->system != NULL) {
		p.system = sys.data != NULL ? sys.data : "";
		p.system_len = sys.len;
	}
	p.user = user.data != NULL ? user.data : "";
	p.user_len = user.len;
	/* The row's files (-a), for the shape to lay out as its API does. */
	if (row_parts(r, &p, &parts) == -1 ||
	    r->shape->body(r->data, &p, body) == -1) {
		snprintf(err, errlen, "out of memory");
		goto out;
	}
	rv = 0;
out:
	free(parts);
	buf_free(&sys);
	buf_free(&user);
	return rv;
}
