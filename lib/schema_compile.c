/*
 * The schema compiler: schema_new reads the schema's JSON into the node
 * tree of schema_tree.h, checking each keyword it enforces, resolving
 * each $ref and refusing loops and long chains of anyOf and $ref, so that
 * the checker can trust what it walks.  Keywords it does not enforce are
 * listed for schema_ignored.
 *
 * Not here: checking an answer (schema_check.c).
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "schema_tree.h"

#define IGNORED_MAX	32	/* names listed by schema_ignored */

const char *const schema_type_names[7] = {
	"object", "array", "string", "number", "integer", "boolean", "null"
};

static int
err_at(struct schema *S, char *err, size_t errlen, const char *what)
{
	struct buf	 b = { 0 };
	int		 cut;

	if (S->loc.len <= 1) {
		snprintf(err, errlen, "%s", what);
		return -1;
	}
	if (jvalue_add_safe(&b, S->loc.data, S->loc.len, 120, 0, &cut) == -1 ||
	    buf_addc(&b, '\0') == -1)
		snprintf(err, errlen, "%s", what);
	else
		snprintf(err, errlen, "%s (at %s%s)", what, b.data,
		    cut ? "..." : "");
	buf_free(&b);
	return -1;
}

static int
err_kw(struct schema *S, char *err, size_t errlen, const char *kw,
    const char *what)
{
	char	 m[160];

	snprintf(m, sizeof(m), "\"%s\" %s", kw, what);
	return err_at(S, err, errlen, m);
}

static int
err_nomem(char *err, size_t errlen)
{
	snprintf(err, errlen, "out of memory");
	return -1;
}

static int
node_new(struct schema *S)
{
	struct snode	*n;

	if (S->nnodes == S->cap) {
		if ((n = reallocarray(S->nodes, S->cap ? 2 * S->cap : 16,
		    sizeof(*n))) == NULL)
			return -1;
		S->nodes = n;
		S->cap = S->cap ? 2 * S->cap : 16;
	}
	n = &S->nodes[S->nnodes];
	memset(n, 0, sizeof(*n));
	n->boolean = -1;
	n->addl = n->items = n->ref = -1;
	n->refval = n->enumv = n->constv = -1;
	return S->nnodes++;
}

static int
name_cmp(const char *a, size_t alen, const char *b, size_t blen)
{
	int	 c;

	if (alen != blen)
		return alen < blen ? -1 : 1;
	if (alen == 0)
		return 0;
	c = memcmp(a, b, alen);
	return c < 0 ? -1 : c > 0;
}

static int
sname_cmp(const void *x, const void *y)
{
	const struct sname	*a = x, *b = y;
	int			 c;

	if ((c = name_cmp(a->name, a->len, b->name, b->len)) != 0)
		return c;
	/* Stable for duplicates: the later one sorts last and wins. */
	return a->stamp < b->stamp ? -1 : a->stamp > b->stamp;
}

long
schema_name_find(const struct snode *n, const char *s, size_t len)
{
	size_t	 lo = 0, hi = n->nnames, mid;
	int	 c;

	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		c = name_cmp(n->names[mid].name, n->names[mid].len, s, len);
		if (c == 0)
			return mid;
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return -1;
}

/* A decoded copy of a string value, NUL-terminated. */
static char *
str_dup(struct schema *S, size_t i, size_t *len)
{
	const char	*s;
	size_t		 n;
	char		*p;

	s = jvalue_string(&S->sv, i, &n);
	buf_reset(&S->tmp);
	if (json_decode_string(&S->tmp, s, n) == -1 ||
	    (p = malloc(S->tmp.len + 1)) == NULL)
		return NULL;
	if (S->tmp.len > 0)
		memcpy(p, S->tmp.data, S->tmp.len);
	p[S->tmp.len] = '\0';
	*len = S->tmp.len;
	return p;
}

static int
add_name(struct schema *S, int node, size_t keyv, int sub, unsigned int seq)
{
	struct snode	*n = &S->nodes[node];
	struct sname	*v;
	char		*name;
	size_t		 len;

	if ((name = str_dup(S, keyv, &len)) == NULL)
		return -1;
	if ((v = reallocarray(n->names, n->nnames + 1, sizeof(*v))) ==
	    NULL) {
		free(name);
		return -1;
	}
	n->names = v;
	n->names[n->nnames++] = (struct sname){ name, len, sub, seq };
	return 0;
}

/* Note an unknown keyword, once; after IGNORED_MAX names, "...". */
static int
ignore_name(struct schema *S, const char *s, size_t len)
{
	const char	*p, *end;

	if (memchr(s, '\0', len) != NULL)
		len = strlen(s);
	if (S->names.len > 0)
		for (p = S->names.data, end = p + S->names.len; p < end;
		    p += strlen(p) + 1)
			if (strlen(p) == len && memcmp(p, s, len) == 0)
				return 0;
	if (S->nnames > IGNORED_MAX)
		return 0;
	if (++S->nnames > IGNORED_MAX)
		return buf_add(&S->names, "...", 4);
	if (buf_add(&S->names, s, len) == -1 || buf_addc(&S->names, '\0') ==
	    -1)
		return -1;
	return 0;
}

static int	 compile(struct schema *, size_t, int, char *, size_t);

static int
loc_push(struct schema *S, const char *a, const char *s, size_t len)
{
	return buf_adds(&S->loc, a) == -1 || buf_add(&S->loc, s, len) == -1 ?
	    -1 : 0;
}

static int
compile_size(struct schema *S, size_t v, const char *kw, size_t *out,
    char *err, size_t errlen)
{
	struct decimal	 d;

	if (S->sv.v[v].type == JSON_NUMBER) {
		jvalue_decimal(&S->sv, v, &d);
		if (decimal_to_size(&d, out) == 0)
			return 0;
	}
	return err_kw(S, err, errlen, kw, "must be a non-negative integer");
}

static int
compile_number(struct schema *S, size_t v, const char *kw, struct decimal *out,
    char *err, size_t errlen)
{
	if (S->sv.v[v].type != JSON_NUMBER)
		return err_kw(S, err, errlen, kw, S->sv.v[v].type ==
		    JSON_TRUE || S->sv.v[v].type == JSON_FALSE ?
		    "must be a number (not draft 4's boolean)" :
		    "must be a number");
	jvalue_decimal(&S->sv, v, out);
	return 0;
}

static int
compile_type(struct schema *S, int node, size_t v, char *err, size_t errlen)
{
	const struct jvalue	*tv = &S->sv.v[v];
	const char		*s;
	size_t			 i, k, n, len;
	unsigned int		 types = 0;

	if (tv->type == JSON_STRING)
		n = 1;
	else if (tv->type == JSON_ARRAY && tv->n > 0)
		n = tv->n;
	else
		return err_kw(S, err, errlen, "type", "must be a type name "
		    "or a non-empty list of them");
	for (i = tv->type == JSON_STRING ? v : v + 1; n > 0; n--) {
		if (S->sv.v[i].type != JSON_STRING)
			return err_kw(S, err, errlen, "type",
			    "must list type names");
		s = jvalue_string(&S->sv, i, &len);
		for (k = 0; k < 7; k++)
			if (strlen(schema_type_names[k]) == len &&
			    memcmp(schema_type_names[k], s, len) == 0)
				break;
		if (k == 7)
			return err_kw(S, err, errlen, "type", "names a type "
			    "that is none of object, array, string, number, "
			    "integer, boolean, null");
		types |= 1U << k;
		i = S->sv.v[i].next;
	}
	S->nodes[node].types = types;
	return 0;
}

static int
compile_members(struct schema *S, int node, size_t v, int root, char *err,
    size_t errlen)
{
	static const char *const notes[] = {
		"title", "description", "$schema", "$id", "$comment",
		"default", "examples", "deprecated", "readOnly", "writeOnly",
	};
	struct jvalues	*sv = &S->sv;
	struct snode	*n;
	struct sreq	*rq;
	const char	*k;
	size_t		 m, i, x, y, klen, locmark, len;
	unsigned int	 seq = 1;	/* names in the order written */
	int		 sub, *ao, kind;
	char		*name;

#define IS(w)	(klen == sizeof(w) - 1 && memcmp(k, w, klen) == 0)
	for (m = 0, i = v + 1; m < sv->v[v].n; m++, i = sv->v[i + 1].next) {
		buf_reset(&S->key);
		k = jvalue_string(sv, i, &klen);
		/* NUL-terminated: err_kw takes it as a C string. */
		if (json_decode_string(&S->key, k, klen) == -1 ||
		    buf_addc(&S->key, '\0') == -1)
			return err_nomem(err, errlen);
		k = S->key.data;
		klen = --S->key.len;
		x = i + 1;		/* the keyword's value */
		locmark = S->loc.len;
		if (loc_push(S, "/", k, klen) == -1)
			return err_nomem(err, errlen);
		if (IS("type")) {
			if (compile_type(S, node, x, err, errlen) == -1)
				return -1;
		} else if (IS("properties")) {
			if (sv->v[x].type != JSON_OBJECT)
				return err_kw(S, err, errlen, "properties",
				    "must be an object of schemas");
			for (y = x + 1; y < sv->v[x].next;
			    y = sv->v[y + 1].next) {
				size_t	 mark = S->loc.len;
				const char *pn = jvalue_string(sv, y, &len);

				if (loc_push(S, "/", pn, len) == -1)
					return err_nomem(err, errlen);
				if ((sub = compile(S, y + 1, 0, err,
				    errlen)) == -1)
					return -1;
				S->loc.len = mark;
				if (add_name(S, node, y, sub, seq++) == -1)
					return err_nomem(err, errlen);
			}
		} else if (IS("required")) {
			if (sv->v[x].type != JSON_ARRAY)
				return err_kw(S, err, errlen, "required",
				    "must be an array of strings");
			for (y = x + 1; y < sv->v[x].next; y = sv->v[y].next) {
				if (sv->v[y].type != JSON_STRING)
					return err_kw(S, err, errlen,
					    "required",
					    "must be an array of strings");
				if (add_name(S, node, y, -1, seq++) == -1)
					return err_nomem(err, errlen);
				if ((name = str_dup(S, y, &len)) == NULL)
					return err_nomem(err, errlen);
				n = &S->nodes[node];
				if ((rq = reallocarray(n->req, n->nreq + 1,
				    sizeof(*rq))) == NULL) {
					free(name);
					return err_nomem(err, errlen);
				}
				n->req = rq;
				n->req[n->nreq++] = (struct sreq){ name, len };
			}
		} else if (IS("additionalProperties") || IS("items")) {
			if (sv->v[x].type == JSON_ARRAY && IS("items"))
				return err_kw(S, err, errlen, "items",
				    "must be a schema (the array form is not "
				    "supported)");
			kind = IS("items");
			if ((sub = compile(S, x, 0, err, errlen)) == -1)
				return -1;
			if (kind)
				S->nodes[node].items = sub;
			else
				S->nodes[node].addl = sub;
		} else if (IS("enum")) {
			if (sv->v[x].type != JSON_ARRAY || sv->v[x].n == 0)
				return err_kw(S, err, errlen, "enum",
				    "must be a non-empty array");
			S->nodes[node].enumv = x;
		} else if (IS("const")) {
			S->nodes[node].constv = x;
		} else if (IS("minItems") || IS("maxItems") ||
		    IS("minLength") || IS("maxLength")) {
			n = &S->nodes[node];
			if (compile_size(S, x, k, IS("minItems") ?
			    &n->minitems : IS("maxItems") ? &n->maxitems :
			    IS("minLength") ? &n->minlen : &n->maxlen, err,
			    errlen) == -1)
				return -1;
			n->has |= IS("minItems") ? HAS_MINITEMS :
			    IS("maxItems") ? HAS_MAXITEMS :
			    IS("minLength") ? HAS_MINLEN : HAS_MAXLEN;
		} else if (IS("minimum") || IS("maximum") ||
		    IS("exclusiveMinimum") || IS("exclusiveMaximum")) {
			n = &S->nodes[node];
			if (compile_number(S, x, k, IS("minimum") ? &n->min :
			    IS("maximum") ? &n->max :
			    IS("exclusiveMinimum") ? &n->xmin : &n->xmax,
			    err, errlen) == -1)
				return -1;
			n->has |= IS("minimum") ? HAS_MIN :
			    IS("maximum") ? HAS_MAX :
			    IS("exclusiveMinimum") ? HAS_XMIN : HAS_XMAX;
		} else if (IS("anyOf")) {
			if (sv->v[x].type != JSON_ARRAY || sv->v[x].n == 0)
				return err_kw(S, err, errlen, "anyOf",
				    "must be a non-empty array of schemas");
			if ((ao = reallocarray(NULL, sv->v[x].n,
			    sizeof(*ao))) == NULL)
				return err_nomem(err, errlen);
			free(S->nodes[node].anyof);
			S->nodes[node].anyof = ao;
			S->nodes[node].nanyof = 0;
			for (y = x + 1; y < sv->v[x].next; y = sv->v[y].next) {
				if ((sub = compile(S, y, 0, err, errlen)) ==
				    -1)
					return -1;
				n = &S->nodes[node];
				n->anyof[n->nanyof++] = sub;
			}
		} else if (IS("$ref")) {
			if (sv->v[x].type != JSON_STRING)
				return err_kw(S, err, errlen, "$ref",
				    "must be a string");
			S->nodes[node].refval = x;
		} else if (IS("$defs") || IS("definitions")) {
			/* Only the root's can be named by a $ref here. */
			if (!root)
				goto next;
			if (sv->v[x].type != JSON_OBJECT)
				return err_kw(S, err, errlen, k,
				    "must be an object of schemas");
			kind = IS("definitions");
			for (y = x + 1; y < sv->v[x].next;
			    y = sv->v[y + 1].next) {
				size_t	 mark = S->loc.len;
				const char *pn = jvalue_string(sv, y, &len);
				struct sdef *d;

				if (loc_push(S, "/", pn, len) == -1)
					return err_nomem(err, errlen);
				if ((sub = compile(S, y + 1, 0, err,
				    errlen)) == -1)
					return -1;
				S->loc.len = mark;
				if ((name = str_dup(S, y, &len)) == NULL)
					return err_nomem(err, errlen);
				if ((d = reallocarray(S->defs, S->ndefs + 1,
				    sizeof(*d))) == NULL) {
					free(name);
					return err_nomem(err, errlen);
				}
				S->defs = d;
				S->defs[S->ndefs++] = (struct sdef){ name, len,
				    sub, kind };
			}
		} else {
			for (y = 0; y < sizeof(notes) / sizeof(notes[0]); y++)
				if (strlen(notes[y]) == klen &&
				    memcmp(notes[y], k, klen) == 0)
					break;
			if (y == sizeof(notes) / sizeof(notes[0]) &&
			    ignore_name(S, k, klen) == -1)
				return err_nomem(err, errlen);
		}
next:
		S->loc.len = locmark;
	}
#undef IS
	return 0;
}

/* Sort the names, merging duplicates: a later schema wins, and a name
 * only in "required" keeps a schema given elsewhere. */
static void
names_merge(struct snode *n)
{
	size_t	 i, o = 0;

	if (n->nnames == 0)
		return;
	qsort(n->names, n->nnames, sizeof(*n->names), sname_cmp);
	for (i = 1; i < n->nnames; i++) {
		if (name_cmp(n->names[o].name, n->names[o].len,
		    n->names[i].name, n->names[i].len) == 0) {
			if (n->names[i].node != -1)
				n->names[o].node = n->names[i].node;
			free(n->names[i].name);
			continue;
		}
		n->names[++o] = n->names[i];
	}
	n->nnames = o + 1;
	for (i = 0; i < n->nnames; i++)
		n->names[i].stamp = 0;
}

static int
compile(struct schema *S, size_t v, int root, char *err, size_t errlen)
{
	int	 node;

	if ((node = node_new(S)) == -1)
		return err_nomem(err, errlen);
	switch (S->sv.v[v].type) {
	case JSON_TRUE:
	case JSON_FALSE:
		S->nodes[node].boolean = S->sv.v[v].type == JSON_TRUE;
		return node;
	case JSON_OBJECT:
		break;
	default:
		err_at(S, err, errlen, "a schema must be an object or a "
		    "boolean");
		return -1;
	}
	if (compile_members(S, node, v, root, err, errlen) == -1)
		return -1;
	names_merge(&S->nodes[node]);
	return node;
}

/* "~1" is '/', "~0" '~', %XX a byte: a JSON pointer in a URI fragment. */
static int
ref_name(struct buf *b, const char *s, size_t len)
{
	size_t	 i;
	char	 c;

	for (i = 0; i < len; i++) {
		c = s[i];
		if (c == '/')
			return -1;
		if (c == '%' && i + 2 < len && isxdigit((unsigned char)s[i + 1])
		    && isxdigit((unsigned char)s[i + 2])) {
			char	 hex[3] = { s[i + 1], s[i + 2], '\0' };

			c = strtol(hex, NULL, 16);
			i += 2;
		}
		if (buf_addc(b, c) == -1)
			return -2;
	}
	/* Now the pointer's own escapes. */
	for (i = 0; i < b->len; i++) {
		if (b->data[i] != '~')
			continue;
		if (i + 1 >= b->len || (b->data[i + 1] != '0' &&
		    b->data[i + 1] != '1'))
			return -1;
		b->data[i] = b->data[i + 1] == '1' ? '/' : '~';
		memmove(b->data + i + 1, b->data + i + 2, b->len - i - 2);
		b->len--;
	}
	return 0;
}

static int
resolve(struct schema *S, struct snode *n, char *err, size_t errlen)
{
	static const char *const pre[] = { "#/$defs/", "#/definitions/" };
	struct buf	 q = { 0 }, name = { 0 };
	const char	*s, *what;
	size_t		 len, k, d;
	int		 rv, cut;

	buf_reset(&S->tmp);
	s = jvalue_string(&S->sv, n->refval, &len);
	if (json_decode_string(&S->tmp, s, len) == -1)
		return err_nomem(err, errlen);
	s = S->tmp.data == NULL ? "" : S->tmp.data;
	len = S->tmp.len;
	if (len == 1 && s[0] == '#') {
		n->ref = 0;
		S->nodes[0].memo = 1;
		return 0;
	}
	what = ": only local references (\"#\", \"#/$defs/NAME\", "
	    "\"#/definitions/NAME\") are supported";
	for (k = 0; k < 2; k++) {
		if (len <= strlen(pre[k]) ||
		    memcmp(s, pre[k], strlen(pre[k])) != 0)
			continue;
		rv = ref_name(&name, s + strlen(pre[k]),
		    len - strlen(pre[k]));
		if (rv == -2) {
			buf_free(&name);
			return err_nomem(err, errlen);
		}
		if (rv == -1)
			break;
		for (d = 0; d < S->ndefs; d++)
			if (S->defs[d].kind == (int)k &&
			    name_cmp(S->defs[d].name, S->defs[d].len,
			    name.data, name.len) == 0)
				break;
		if (d == S->ndefs) {
			what = " names no definition";
			break;
		}
		buf_free(&name);
		n->ref = S->defs[d].node;
		S->nodes[n->ref].memo = 1;
		return 0;
	}
	buf_free(&name);
	if (jvalue_add_safe(&q, s, len, 80, 1, &cut) == -1 ||
	    buf_addc(&q, '\0') == -1) {
		buf_free(&q);
		return err_nomem(err, errlen);
	}
	snprintf(err, errlen, "$ref \"%s%s\"%s", q.data, cut ? "..." : "",
	    what);
	buf_free(&q);
	return -1;
}

/* The longest chain of anyOf and $ref steps from node on one value. */
static int
chain(struct schema *S, int node, int depth, char *err, size_t errlen)
{
	struct snode	*n = &S->nodes[node];
	size_t		 k;
	int		 c, best = 0;

	if (n->color == 2)
		return n->chain;
	if (n->color == 1) {
		snprintf(err, errlen, "$ref loop: a schema refers back to "
		    "itself without going into a property or an item");
		return -1;
	}
	if (depth > SCHEMA_MAX_CHAIN) {
		snprintf(err, errlen, "anyOf and $ref nest more than %d "
		    "deep on one value", SCHEMA_MAX_CHAIN);
		return -1;
	}
	n->color = 1;
	for (k = 0; k <= n->nanyof; k++) {
		if (k < n->nanyof)
			c = chain(S, n->anyof[k], depth + 1, err, errlen);
		else if (n->ref != -1)
			c = chain(S, n->ref, depth + 1, err, errlen);
		else
			break;
		if (c == -1)
			return -1;
		n = &S->nodes[node];
		if (c + 1 > best)
			best = c + 1;
	}
	n->color = 2;
	n->chain = best;
	return best;
}

struct schema *
schema_new(const char *text, size_t len, char *err, size_t errlen)
{
	struct schema	*S;
	struct json	*j = NULL;
	size_t		 k;
	int		 r;

	if ((S = calloc(1, sizeof(*S))) == NULL ||
	    (S->text = malloc(len + 1)) == NULL ||
	    (j = json_new()) == NULL || buf_addc(&S->loc, '#') == -1) {
		err_nomem(err, errlen);
		goto fail;
	}
	if (len > 0)
		memcpy(S->text, text, len);
	S->text[len] = '\0';
	if (json_parse(j, S->text, len, err, errlen) == -1)
		goto fail;
	if ((r = jvalue_build(&S->sv, j, S->text)) == -1) {
		err_nomem(err, errlen);
		goto fail;
	}
	if (r == 1) {
		snprintf(err, errlen, "the schema nests deeper than %d levels",
		    SCHEMA_MAX_DEPTH);
		goto fail;
	}
	json_free(j);
	j = NULL;
	if (S->sv.v[0].type != JSON_OBJECT) {
		snprintf(err, errlen, "the schema is not a JSON object");
		goto fail;
	}
	if (compile(S, 0, 1, err, errlen) == -1)
		goto fail;
	for (k = 0; k < S->nnodes; k++)
		if (S->nodes[k].refval != -1 &&
		    resolve(S, &S->nodes[k], err, errlen) == -1)
			goto fail;
	for (k = 0; k < S->nnodes; k++)
		if (chain(S, k, 0, err, errlen) == -1)
			goto fail;
	if (S->names.len > 0) {
		struct buf	 b = { 0 };
		const char	*p = S->names.data, *end = p + S->names.len;
		int		 cut;

		for (; p < end; p += strlen(p) + 1)
			if ((b.len > 0 && buf_adds(&b, ", ") == -1) ||
			    jvalue_add_safe(&b, p, strlen(p),
			    JVALUE_QUOTE_MAX, 0, &cut) == -1 ||
			    (cut && buf_adds(&b, "...") == -1)) {
				buf_free(&b);
				err_nomem(err, errlen);
				goto fail;
			}
		if (buf_addc(&b, '\0') == -1) {
			buf_free(&b);
			err_nomem(err, errlen);
			goto fail;
		}
		S->ignored = b.data;
	}
	buf_free(&S->names);
	buf_free(&S->loc);
	return S;
fail:
	json_free(j);
	schema_free(S);
	return NULL;
}

void
schema_free(struct schema *S)
{
	struct snode	*n;
	size_t		 k, i;

	if (S == NULL)
		return;
	for (k = 0; k < S->nnodes; k++) {
		n = &S->nodes[k];
		for (i = 0; i < n->nnames; i++)
			free(n->names[i].name);
		free(n->names);
		for (i = 0; i < n->nreq; i++)
			free(n->req[i].name);
		free(n->req);
		free(n->anyof);
	}
	free(S->nodes);
	for (k = 0; k < S->ndefs; k++)
		free(S->defs[k].name);
	free(S->defs);
	free(S->ignored);
	jvalue_free(&S->sv);
	free(S->text);
	buf_free(&S->loc);
	buf_free(&S->names);
	schema_scratch_free(S);
	free(S);
}

const char *
schema_ignored(const struct schema *S)
{
	return S->ignored;
}

static int
wants_object(const struct schema *S, int node)
{
	const struct snode	*n = &S->nodes[node];
	size_t			 k, x;

	if (n->boolean != -1)
		return n->boolean == 0;
	if (n->types != 0 && (n->types & ~T_OBJECT) == 0)
		return 1;
	if (n->constv != -1 && S->sv.v[n->constv].type == JSON_OBJECT)
		return 1;
	if (n->enumv != -1) {
		for (k = 0, x = n->enumv + 1; k < S->sv.v[n->enumv].n; k++,
		    x = S->sv.v[x].next)
			if (S->sv.v[x].type != JSON_OBJECT)
				break;
		if (k == S->sv.v[n->enumv].n)
			return 1;
	}
	if (n->ref != -1 && wants_object(S, n->ref))
		return 1;
	if (n->nanyof > 0) {
		for (k = 0; k < n->nanyof; k++)
			if (!wants_object(S, n->anyof[k]))
				return 0;
		return 1;
	}
	return 0;
}

int
schema_wants_object(const struct schema *S)
{
	return wants_object(S, 0);
}

