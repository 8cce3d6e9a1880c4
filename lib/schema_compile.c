/*
 * The schema compiler: schema_compile reads the schema's JSON values into
 * the node tree of schema_tree.h, checking the value of each keyword it
 * enforces and saying where in the schema one is wrong, so that the
 * checker can trust what it walks.  A $ref is kept as its string and the
 * root's definitions are handed to schema_ref.c; keywords it does not
 * enforce are listed for schema_ignored.
 *
 * Not here: parsing the text and the schema's life (schema.c), what a
 * $ref names and loops of them (schema_ref.c), checking an answer
 * (schema_check.c).
 */
#include <stddef.h>
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
	n->refval = n->reqv = n->enumv = n->constv = -1;
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

/* A string value decoded into S->tmp, which is NUL-terminated. */
static int
str_decode(struct schema *S, size_t i)
{
	const char	*s;
	size_t		 n;

	s = jvalue_string(&S->sv, i, &n);
	buf_reset(&S->tmp);
	if (json_decode_string(&S->tmp, s, n) == -1 ||
	    buf_addc(&S->tmp, '\0') == -1)
		return -1;
	S->tmp.len--;
	return 0;
}

/* A decoded copy of a string value. */
static char *
str_dup(struct schema *S, size_t i, size_t *len)
{
	char	*p;

	if (str_decode(S, i) == -1 || (p = malloc(S->tmp.len + 1)) == NULL)
		return NULL;
	memcpy(p, S->tmp.data, S->tmp.len + 1);
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

/* A definition of the root's, named by its key keyv, for schema_ref.c. */
static int
add_def(struct schema *S, size_t keyv, int sub, int kind)
{
	if (str_decode(S, keyv) == -1)
		return -1;
	return schema_ref_define(S, S->tmp.data, S->tmp.len, sub, kind);
}

/*
 * Note an unknown keyword, once: in names to know it again, and on
 * schema_ignored's line; after IGNORED_MAX names, "...".
 */
static int
ignore_name(struct schema *S, const char *s, size_t len)
{
	struct buf	*b = &S->ignored;
	const char	*p, *end;
	int		 cut;

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
		return buf_adds(b, ", ...");
	if (buf_add(&S->names, s, len) == -1 ||
	    buf_addc(&S->names, '\0') == -1 ||
	    (b->len > 0 && buf_adds(b, ", ") == -1) ||
	    jvalue_add_safe(b, s, len, JVALUE_QUOTE_MAX, 0, &cut) == -1 ||
	    (cut && buf_adds(b, "...") == -1))
		return -1;
	return 0;
}

static int	 compile(struct schema *, size_t, int, char *, size_t);

static int
loc_push(struct schema *S, const char *s, size_t len)
{
	return buf_addc(&S->loc, '/') == -1 || buf_add(&S->loc, s, len) ==
	    -1 ? -1 : 0;
}

/*
 * The schemas of an object's members ("properties", "$defs"), each
 * compiled at its own place: a name of node's when kind is -1, else a
 * definition of that kind.
 */
static int
compile_each(struct schema *S, int node, size_t x, int kind,
    unsigned int *seq, char *err, size_t errlen)
{
	const struct jvalues	*sv = &S->sv;
	const char		*s;
	size_t			 y, len, mark = S->loc.len;
	int			 sub;

	for (y = x + 1; y < sv->v[x].next; y = sv->v[y + 1].next) {
		s = jvalue_string(sv, y, &len);
		if (loc_push(S, s, len) == -1)
			return err_nomem(err, errlen);
		if ((sub = compile(S, y + 1, 0, err, errlen)) == -1)
			return -1;
		S->loc.len = mark;
		if ((kind == -1 ? add_name(S, node, y, sub, (*seq)++) :
		    add_def(S, y, sub, kind)) == -1)
			return err_nomem(err, errlen);
	}
	return 0;
}

/* The keywords that bound a count or a number, and where they go. */
static const struct limit {
	const char	*kw;
	unsigned int	 has;
	size_t		 off;
} limits[] = {
	{ "minItems", HAS_MINITEMS, offsetof(struct snode, minitems) },
	{ "maxItems", HAS_MAXITEMS, offsetof(struct snode, maxitems) },
	{ "minLength", HAS_MINLEN, offsetof(struct snode, minlen) },
	{ "maxLength", HAS_MAXLEN, offsetof(struct snode, maxlen) },
	{ "minimum", HAS_MIN, offsetof(struct snode, min) },
	{ "maximum", HAS_MAX, offsetof(struct snode, max) },
	{ "exclusiveMinimum", HAS_XMIN, offsetof(struct snode, xmin) },
	{ "exclusiveMaximum", HAS_XMAX, offsetof(struct snode, xmax) },
};

static int
compile_limit(struct schema *S, int node, const struct limit *l, size_t v,
    char *err, size_t errlen)
{
	struct snode	*n = &S->nodes[node];
	enum json_type	 t = S->sv.v[v].type;
	struct decimal	 d;

	if ((l->has & HAS_NUMBERS) == 0) {
		if (t == JSON_NUMBER) {
			jvalue_decimal(&S->sv, v, &d);
			if (decimal_to_size(&d, (size_t *)((char *)n +
			    l->off)) == 0) {
				n->has |= l->has;
				return 0;
			}
		}
		return err_kw(S, err, errlen, l->kw,
		    "must be a non-negative integer");
	}
	if (t != JSON_NUMBER)
		return err_kw(S, err, errlen, l->kw, t == JSON_TRUE ||
		    t == JSON_FALSE ? "must be a number (not draft 4's "
		    "boolean)" : "must be a number");
	jvalue_decimal(&S->sv, v, (struct decimal *)((char *)n + l->off));
	n->has |= l->has;
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

/* One keyword k of node's schema, whose value is x. */
static int
compile_keyword(struct schema *S, int node, const char *k, size_t klen,
    size_t x, int root, unsigned int *seq, char *err, size_t errlen)
{
	static const char *const notes[] = {
		"title", "description", "$schema", "$id", "$comment",
		"default", "examples", "deprecated", "readOnly", "writeOnly",
	};
	const struct jvalues	*sv = &S->sv;
	struct snode		*n;
	size_t			 y;
	int			 sub, *ao;

#define IS(w)	(klen == strlen(w) && memcmp(k, w, klen) == 0)
	for (y = 0; y < sizeof(limits) / sizeof(limits[0]); y++)
		if (IS(limits[y].kw))
			return compile_limit(S, node, &limits[y], x, err,
			    errlen);
	if (IS("type"))
		return compile_type(S, node, x, err, errlen);
	if (IS("properties")) {
		if (sv->v[x].type != JSON_OBJECT)
			return err_kw(S, err, errlen, "properties",
			    "must be an object of schemas");
		return compile_each(S, node, x, -1, seq, err, errlen);
	}
	if (IS("required")) {
		if (sv->v[x].type != JSON_ARRAY)
			return err_kw(S, err, errlen, "required",
			    "must be an array of strings");
		for (y = x + 1; y < sv->v[x].next; y = sv->v[y].next)
			if (sv->v[y].type != JSON_STRING)
				return err_kw(S, err, errlen, "required",
				    "must be an array of strings");
			else if (add_name(S, node, y, -1, (*seq)++) == -1)
				return err_nomem(err, errlen);
		S->nodes[node].reqv = x;
		return 0;
	}
	if (IS("additionalProperties") || IS("items")) {
		if (sv->v[x].type == JSON_ARRAY && IS("items"))
			return err_kw(S, err, errlen, "items", "must be a "
			    "schema (the array form is not supported)");
		/* Before compile, which reuses the key's buffer. */
		y = IS("items");
		if ((sub = compile(S, x, 0, err, errlen)) == -1)
			return -1;
		if (y)
			S->nodes[node].items = sub;
		else
			S->nodes[node].addl = sub;
		return 0;
	}
	if (IS("enum") && (sv->v[x].type != JSON_ARRAY || sv->v[x].n == 0))
		return err_kw(S, err, errlen, "enum",
		    "must be a non-empty array");
	if (IS("anyOf") && (sv->v[x].type != JSON_ARRAY || sv->v[x].n == 0))
		return err_kw(S, err, errlen, "anyOf",
		    "must be a non-empty array of schemas");
	if (IS("$ref") && sv->v[x].type != JSON_STRING)
		return err_kw(S, err, errlen, "$ref", "must be a string");
	if (IS("enum"))
		S->nodes[node].enumv = x;
	else if (IS("const"))
		S->nodes[node].constv = x;
	else if (IS("$ref"))
		S->nodes[node].refval = x;
	else if (IS("anyOf")) {
		if ((ao = reallocarray(NULL, sv->v[x].n, sizeof(*ao))) ==
		    NULL)
			return err_nomem(err, errlen);
		n = &S->nodes[node];
		free(n->anyof);
		n->anyof = ao;
		n->nanyof = 0;
		for (y = x + 1; y < sv->v[x].next; y = sv->v[y].next) {
			if ((sub = compile(S, y, 0, err, errlen)) == -1)
				return -1;
			n = &S->nodes[node];
			n->anyof[n->nanyof++] = sub;
		}
	} else if (IS("$defs") || IS("definitions")) {
		/* Only the root's can be named by a $ref here. */
		if (!root)
			return 0;
		if (sv->v[x].type != JSON_OBJECT)
			return err_kw(S, err, errlen, k,
			    "must be an object of schemas");
		return compile_each(S, node, x, IS("definitions"), seq, err,
		    errlen);
	} else {
		for (y = 0; y < sizeof(notes) / sizeof(notes[0]); y++)
			if (IS(notes[y]))
				return 0;
		if (ignore_name(S, k, klen) == -1)
			return err_nomem(err, errlen);
	}
#undef IS
	return 0;
}

static int
compile_members(struct schema *S, int node, size_t v, int root, char *err,
    size_t errlen)
{
	const struct jvalues	*sv = &S->sv;
	const char		*k;
	size_t			 m, i, klen, mark = S->loc.len;
	unsigned int		 seq = 1;	/* names in the order written */

	for (m = 0, i = v + 1; m < sv->v[v].n; m++, i = sv->v[i + 1].next) {
		buf_reset(&S->key);
		k = jvalue_string(sv, i, &klen);
		/* NUL-terminated: err_kw takes it as a C string. */
		if (json_decode_string(&S->key, k, klen) == -1 ||
		    buf_addc(&S->key, '\0') == -1 ||
		    loc_push(S, S->key.data, S->key.len - 1) == -1)
			return err_nomem(err, errlen);
		if (compile_keyword(S, node, S->key.data, S->key.len - 1,
		    i + 1, root, &seq, err, errlen) == -1)
			return -1;
		S->loc.len = mark;
	}
	return 0;
}

/*
 * Sort the names, merging duplicates: a later schema wins, and a name
 * only in "required" keeps a schema given elsewhere.  Then point the
 * required names at their entries.
 */
static int
names_merge(struct schema *S, struct snode *n)
{
	const struct jvalues	*sv = &S->sv;
	size_t			 i, o = 0, y;

	if (n->nnames == 0)
		return 0;
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
	if (n->reqv == -1 || sv->v[n->reqv].n == 0)
		return 0;
	if ((n->req = reallocarray(NULL, sv->v[n->reqv].n,
	    sizeof(*n->req))) == NULL)
		return -1;
	for (y = n->reqv + 1; y < sv->v[n->reqv].next; y = sv->v[y].next) {
		if (str_decode(S, y) == -1)
			return -1;
		n->req[n->nreq++] = schema_name_find(n, S->tmp.data,
		    S->tmp.len);
	}
	return 0;
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
	if (names_merge(S, &S->nodes[node]) == -1)
		return err_nomem(err, errlen);
	return node;
}

int
schema_compile(struct schema *S, char *err, size_t errlen)
{
	return compile(S, 0, 1, err, errlen) == -1 ? -1 : 0;
}
