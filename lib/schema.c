/*
 * Both the schema and the answer are read with json_parse and then copied
 * into a flat array of values (jvalue.h), which walks big arrays and
 * objects in linear time.
 *
 * The check runs twice on an invalid answer: once to know whether it is
 * valid (the common case, no words built), once more to explain, which
 * follows only the failing path.  Results for $ref targets are memoized
 * by (node, value), which is what keeps anyOf over recursive schemas from
 * being exponential: without $ref, each node meets each value at most once
 * anyway.
 */
#include <ctype.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "decimal.h"
#include "json.h"
#include "jvalue.h"
#include "schema.h"

#define IGNORED_MAX	32	/* names listed by schema_ignored */

/* The answer's nesting is bounded by the value array's. */
_Static_assert(SCHEMA_MAX_DEPTH == JVALUE_MAX_DEPTH, "one depth");

enum {
	T_OBJECT = 1 << 0,
	T_ARRAY = 1 << 1,
	T_STRING = 1 << 2,
	T_NUMBER = 1 << 3,
	T_INTEGER = 1 << 4,
	T_BOOLEAN = 1 << 5,
	T_NULL = 1 << 6
};

static const char *const type_names[] = {
	"object", "array", "string", "number", "integer", "boolean", "null"
};

/* A property name, from "properties" or "required" or both. */
struct sname {
	char		*name;
	size_t		 len;
	int		 node;		/* its schema, or -1 */
	unsigned int	 stamp;		/* last object check that met it */
};

struct sreq {
	char		*name;
	size_t		 len;
};

enum { HAS_MIN = 1, HAS_MAX = 2, HAS_XMIN = 4, HAS_XMAX = 8,
    HAS_MINITEMS = 16, HAS_MAXITEMS = 32, HAS_MINLEN = 64, HAS_MAXLEN = 128 };

struct snode {
	int		 boolean;	/* -1 an object; else false or true */
	unsigned int	 types;		/* 0: no "type" */
	struct sname	*names;		/* sorted by length, then bytes */
	size_t		 nnames;
	struct sreq	*req;		/* in the order written */
	size_t		 nreq;
	int		 addl;		/* additionalProperties, or -1 */
	int		 items;		/* or -1 */
	int		*anyof;
	size_t		 nanyof;
	long		 refval;	/* the $ref string's value, or -1 */
	int		 ref;		/* its target, or -1 */
	long		 enumv;		/* values, or -1 */
	long		 constv;
	unsigned int	 has;
	struct decimal	 min, max, xmin, xmax;
	size_t		 minitems, maxitems, minlen, maxlen;
	int		 memo;		/* a $ref target */
	int		 color;		/* chain walk: 0 new, 1 open, 2 done */
	int		 chain;
};

struct sdef {
	char		*name;
	size_t		 len;
	int		 node;
	int		 kind;		/* 0 $defs, 1 definitions */
};

struct seg {
	long		 key;		/* the key's value, or -1 */
	size_t		 idx;
};

struct schema {
	char		*text;
	struct jvalues	 sv;
	struct snode	*nodes;
	size_t		 nnodes;
	size_t		 cap;
	struct sdef	*defs;
	size_t		 ndefs;
	char		*ignored;
	/* compiling */
	struct buf	 loc;
	struct buf	 names;		/* ignored names, NUL-separated */
	size_t		 nnames;
	/* checking */
	struct json	*aj;
	struct jvalues	 av;
	uint64_t	*mtab;		/* memo of $ref targets' results */
	size_t		 mcap;
	size_t		 mn;
	unsigned int	 stamp;
	struct seg	 path[SCHEMA_MAX_DEPTH + 1];
	size_t		 depth;
	size_t		 whydepth;	/* depth of the value the why is on */
	size_t		 whypath;	/* bytes of the why before its words */
	struct buf	 msg;
	struct buf	 tmp;
	struct buf	 key;
};

/* Compiling. */

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

static long
sname_find(const struct snode *n, const char *s, size_t len)
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
			if (strlen(type_names[k]) == len &&
			    memcmp(type_names[k], s, len) == 0)
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
	json_free(S->aj);
	jvalue_free(&S->av);
	free(S->mtab);
	buf_free(&S->msg);
	buf_free(&S->tmp);
	buf_free(&S->key);
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

/* Checking. */

/*
 * The memo: (node, value) keys in an open-addressed table, the result in
 * the top bit (nodes and values both number fewer than 2^31).
 */
#define MEMO_INVALID	(1ULL << 63)

static uint64_t
memo_key(int node, size_t v)
{
	return ((uint64_t)node << 32 | v) + 1;
}

static size_t
memo_slot(const uint64_t *tab, size_t cap, uint64_t key)
{
	size_t	 h;

	h = (size_t)(key * 0x9e3779b97f4a7c15ULL >> 17) & (cap - 1);
	while (tab[h] != 0 && (tab[h] & ~MEMO_INVALID) != key)
		h = (h + 1) & (cap - 1);
	return h;
}

static int
memo_get(struct schema *S, int node, size_t v)
{
	size_t	 h;

	if (S->mcap == 0)
		return -1;
	h = memo_slot(S->mtab, S->mcap, memo_key(node, v));
	if (S->mtab[h] == 0)
		return -1;
	return (S->mtab[h] & MEMO_INVALID) != 0;
}

static int
memo_put(struct schema *S, int node, size_t v, int r)
{
	uint64_t	*nt;
	size_t		 h, k, ncap;

	if (2 * (S->mn + 1) > S->mcap) {
		ncap = S->mcap ? 2 * S->mcap : 256;
		if ((nt = calloc(ncap, sizeof(*nt))) == NULL)
			return -1;
		for (k = 0; k < S->mcap; k++)
			if (S->mtab[k] != 0)
				nt[memo_slot(nt, ncap, S->mtab[k] &
				    ~MEMO_INVALID)] = S->mtab[k];
		free(S->mtab);
		S->mtab = nt;
		S->mcap = ncap;
	}
	h = memo_slot(S->mtab, S->mcap, memo_key(node, v));
	if (S->mtab[h] == 0)
		S->mn++;
	S->mtab[h] = memo_key(node, v) | (r ? MEMO_INVALID : 0);
	return 0;
}

static int
is_ident(const char *s, size_t len)
{
	size_t	 i;

	if (len == 0 || (s[0] >= '0' && s[0] <= '9'))
		return 0;
	for (i = 0; i < len; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') ||
		    (s[i] >= 'A' && s[i] <= 'Z') ||
		    (s[i] >= '0' && s[i] <= '9') || s[i] == '_'))
			return 0;
	return 1;
}

/* Start a why: the path of the value being checked, and ": ". */
static int
why_begin(struct schema *S)
{
	struct buf	*b = &S->msg;
	const char	*s;
	size_t		 k, len;

	buf_reset(b);
	if (buf_addc(b, '$') == -1)
		return -1;
	for (k = 0; k < S->depth; k++) {
		if (S->path[k].key == -1) {
			if (buf_addc(b, '[') == -1 ||
			    buf_addu(b, S->path[k].idx) == -1 ||
			    buf_addc(b, ']') == -1)
				return -1;
			continue;
		}
		s = jvalue_string(&S->av, S->path[k].key, &len);
		if (is_ident(s, len)) {
			if (buf_addc(b, '.') == -1 || buf_add(b, s, len) == -1)
				return -1;
			continue;
		}
		if (buf_addc(b, '[') == -1 ||
		    jvalue_quote(b, &S->tmp, &S->av, S->path[k].key) == -1 ||
		    buf_addc(b, ']') == -1)
			return -1;
	}
	if (buf_adds(b, ": ") == -1)
		return -1;
	S->whydepth = S->depth;
	S->whypath = b->len;
	return 0;
}

/* A why of words only; returns 1 (invalid) or -1. */
static int
why_say(struct schema *S, const char *what)
{
	if (why_begin(S) == -1 || buf_adds(&S->msg, what) == -1)
		return -1;
	return 1;
}

static const char *
val_type_name(enum json_type t)
{
	switch (t) {
	case JSON_OBJECT: return "object";
	case JSON_ARRAY: return "array";
	case JSON_STRING: return "string";
	case JSON_NUMBER: return "number";
	case JSON_NULL: return "null";
	default: return "boolean";
	}
}

static int
type_ok(unsigned int types, const struct jvalues *av, size_t v)
{
	struct decimal	 d;

	switch (av->v[v].type) {
	case JSON_OBJECT: return (types & T_OBJECT) != 0;
	case JSON_ARRAY: return (types & T_ARRAY) != 0;
	case JSON_STRING: return (types & T_STRING) != 0;
	case JSON_NULL: return (types & T_NULL) != 0;
	case JSON_NUMBER:
		if ((types & T_NUMBER) != 0)
			return 1;
		if ((types & T_INTEGER) == 0)
			return 0;
		jvalue_decimal(av, v, &d);
		return decimal_is_integer(&d);
	default: return (types & T_BOOLEAN) != 0;
	}
}

/*
 * The types a node wants, following a $ref: 0 for any, and -1U for
 * none (false).  The chain is bounded by schema_new.
 */
static unsigned int
node_types(const struct schema *S, int node)
{
	const struct snode	*n;
	int			 k;

	for (k = 0; k <= SCHEMA_MAX_CHAIN && node != -1; k++) {
		n = &S->nodes[node];
		if (n->boolean != -1)
			return n->boolean ? 0 : -1U;
		if (n->types != 0)
			return n->types;
		node = n->ref;
	}
	return 0;
}

static int	 check(struct schema *, int, size_t, int);

static int
add_types(struct buf *b, unsigned int types)
{
	size_t	 k, n = 0, total = 0;

	if ((types & T_NUMBER) != 0)
		types &= ~T_INTEGER;
	for (k = 0; k < 7; k++)
		total += (types >> k) & 1;
	for (k = 0; k < 7; k++) {
		if ((types & (1U << k)) == 0)
			continue;
		if (n > 0 && buf_adds(b, n + 1 == total ? " or " : ", ") == -1)
			return -1;
		if (buf_adds(b, type_names[k]) == -1)
			return -1;
		n++;
	}
	return 0;
}

static int
why_types(struct schema *S, unsigned int types, size_t v)
{
	if (why_begin(S) == -1 || buf_adds(&S->msg, "expected ") == -1 ||
	    add_types(&S->msg, types) == -1 ||
	    buf_adds(&S->msg, ", got ") == -1 ||
	    buf_adds(&S->msg, val_type_name(S->av.v[v].type)) == -1)
		return -1;
	if (S->av.v[v].type == JSON_NUMBER && (types & T_INTEGER) != 0 &&
	    (buf_addc(&S->msg, ' ') == -1 ||
	    jvalue_quote(&S->msg, &S->tmp, &S->av, v) == -1))
		return -1;
	return 1;
}

static int
check_anyof(struct schema *S, const struct snode *n, size_t v, int explain)
{
	struct buf	 inner = { 0 };
	unsigned int	 all = 0, t;
	size_t		 k, fits = 0, first = 0;
	int		 r;

	for (k = 0; k < n->nanyof; k++)
		if ((r = check(S, n->anyof[k], v, 0)) <= 0)
			return r;
	if (!explain)
		return 1;
	for (k = 0; k < n->nanyof; k++) {
		t = node_types(S, n->anyof[k]);
		if (t == -1U)
			continue;	/* false: it names no type */
		if (t != 0 && !type_ok(t, &S->av, v)) {
			all |= t;
			continue;
		}
		if (fits++ == 0)
			first = k;
	}
	if (fits == 0)
		return all == 0 ? why_say(S, "no value is allowed here") :
		    why_types(S, all, v);
	if ((r = check(S, n->anyof[first], v, 1)) != 1)
		return r == 0 ? why_say(S, "matches none of the choices") : r;
	if (fits == 1 || S->whydepth != S->depth)
		return 1;
	/* Several fit the type and the first fails on this very value:
	 * say so, with what the first says. */
	if (buf_add(&inner, S->msg.data + S->whypath, S->msg.len -
	    S->whypath) == -1 || why_begin(S) == -1 ||
	    buf_adds(&S->msg, "matches none of the ") == -1 ||
	    buf_addu(&S->msg, n->nanyof) == -1 ||
	    buf_adds(&S->msg, " choices (the first: ") == -1 ||
	    buf_add(&S->msg, inner.data, inner.len) == -1 ||
	    buf_addc(&S->msg, ')') == -1) {
		buf_free(&inner);
		return -1;
	}
	buf_free(&inner);
	return 1;
}

static int
check_number(struct schema *S, const struct snode *n, size_t v, int explain)
{
	struct decimal	 d;
	const struct decimal *lim = NULL;
	const char	*what = NULL;
	int		 cut;

	jvalue_decimal(&S->av, v, &d);
	if ((n->has & HAS_MIN) && decimal_cmp(&d, &n->min) < 0) {
		lim = &n->min;
		what = " is less than the minimum ";
	} else if ((n->has & HAS_MAX) && decimal_cmp(&d, &n->max) > 0) {
		lim = &n->max;
		what = " is greater than the maximum ";
	} else if ((n->has & HAS_XMIN) && decimal_cmp(&d, &n->xmin) <= 0) {
		lim = &n->xmin;
		what = " is not greater than ";
	} else if ((n->has & HAS_XMAX) && decimal_cmp(&d, &n->xmax) >= 0) {
		lim = &n->xmax;
		what = " is not less than ";
	}
	if (lim == NULL)
		return 0;
	if (!explain)
		return 1;
	if (why_begin(S) == -1 ||
	    jvalue_quote(&S->msg, &S->tmp, &S->av, v) == -1 ||
	    buf_adds(&S->msg, what) == -1)
		return -1;
	if (jvalue_add_safe(&S->msg, lim->s, lim->slen, JVALUE_QUOTE_MAX, 0,
	    &cut) == -1 || (cut && buf_adds(&S->msg, "...") == -1))
		return -1;
	return 1;
}

static int
why_count(struct schema *S, size_t have, const char *unit, int least,
    size_t lim)
{
	if (why_begin(S) == -1 || buf_addu(&S->msg, have) == -1 ||
	    buf_addc(&S->msg, ' ') == -1 || buf_adds(&S->msg, unit) == -1 ||
	    (have != 1 && buf_addc(&S->msg, 's') == -1) ||
	    buf_adds(&S->msg, least ? ", at least " : ", at most ") == -1 ||
	    buf_addu(&S->msg, lim) == -1 ||
	    buf_adds(&S->msg, " allowed") == -1)
		return -1;
	return 1;
}

static int
check_array(struct schema *S, const struct snode *n, size_t v, int explain)
{
	size_t	 k, e, cnt = S->av.v[v].n;
	int	 r;

	if ((n->has & HAS_MINITEMS) && cnt < n->minitems)
		return explain ? why_count(S, cnt, "item", 1, n->minitems) : 1;
	if ((n->has & HAS_MAXITEMS) && cnt > n->maxitems)
		return explain ? why_count(S, cnt, "item", 0, n->maxitems) : 1;
	if (n->items == -1 || cnt == 0)
		return 0;
	if (S->nodes[n->items].boolean == 0)
		return explain ? why_count(S, cnt, "item", 0, 0) : 1;
	for (k = 0, e = v + 1; k < cnt; k++, e = S->av.v[e].next) {
		S->path[S->depth++] = (struct seg){ -1, k };
		r = check(S, n->items, e, explain);
		S->depth--;
		if (r != 0)
			return r;
	}
	return 0;
}

/* The entry for the key at k, or -1: decoded only if it has escapes. */
static long
key_find(struct schema *S, const struct snode *n, size_t k)
{
	const char	*s;
	size_t		 len;

	if (n->nnames == 0)
		return -1;
	s = jvalue_string(&S->av, k, &len);
	if (memchr(s, '\\', len) == NULL)
		return sname_find(n, s, len);
	buf_reset(&S->key);
	if (json_decode_string(&S->key, s, len) == -1)
		return -2;
	return sname_find(n, S->key.data, S->key.len);
}

static int
check_object(struct schema *S, struct snode *n, size_t v, int explain)
{
	size_t		 m, k, cnt = S->av.v[v].n;
	unsigned int	 stamp;
	long		 e;
	int		 r, sub;

	/* Required first, in a pass of its own: the checks of the values
	 * below may stamp this node's names for an inner object. */
	if (n->nreq > 0) {
		stamp = ++S->stamp;
		for (m = 0, k = v + 1; m < cnt; m++, k = S->av.v[k + 1].next) {
			if ((e = key_find(S, n, k)) == -2)
				return -1;
			if (e >= 0)
				n->names[e].stamp = stamp;
		}
		for (m = 0; m < n->nreq; m++) {
			e = sname_find(n, n->req[m].name, n->req[m].len);
			if (e >= 0 && n->names[e].stamp == stamp)
				continue;
			if (!explain)
				return 1;
			if (why_begin(S) == -1 ||
			    buf_adds(&S->msg, "missing required property ") ==
			    -1 || jvalue_quote_text(&S->msg, n->req[m].name,
			    n->req[m].len) == -1)
				return -1;
			return 1;
		}
	}
	if (n->nnames == 0 && n->addl == -1)
		return 0;
	for (m = 0, k = v + 1; m < cnt; m++, k = S->av.v[k + 1].next) {
		if ((e = key_find(S, n, k)) == -2)
			return -1;
		sub = e >= 0 && n->names[e].node != -1 ? n->names[e].node :
		    n->addl;
		if (sub == -1)
			continue;
		if (S->nodes[sub].boolean == 0) {
			if (!explain)
				return 1;
			if (why_begin(S) == -1 ||
			    buf_adds(&S->msg, "property ") == -1 ||
			    jvalue_quote(&S->msg, &S->tmp, &S->av, k) == -1 ||
			    buf_adds(&S->msg, " is not allowed") == -1)
				return -1;
			return 1;
		}
		S->path[S->depth++] = (struct seg){ k, 0 };
		r = check(S, sub, k + 1, explain);
		S->depth--;
		if (r != 0)
			return r;
	}
	return 0;
}

static int
check_node(struct schema *S, struct snode *n, size_t v, int explain)
{
	const struct jvalues	*sv = &S->sv;
	const struct jvalue	*av = &S->av.v[v];
	size_t			 k, x, cnt;
	int			 r;

	if (n->boolean != -1)
		return n->boolean ? 0 : explain ?
		    why_say(S, "no value is allowed here") : 1;
	if (n->types != 0 && !type_ok(n->types, &S->av, v))
		return explain ? why_types(S, n->types, v) : 1;
	if (n->enumv != -1) {
		for (k = 0, x = n->enumv + 1; k < sv->v[n->enumv].n; k++,
		    x = sv->v[x].next)
			if (jvalue_equal(sv, x, &S->av, v))
				break;
		if (k == sv->v[n->enumv].n) {
			if (!explain)
				return 1;
			if (why_begin(S) == -1 ||
			    jvalue_quote(&S->msg, &S->tmp, &S->av, v) == -1 ||
			    buf_adds(&S->msg, " is not one of ") == -1)
				return -1;
			for (k = 0, x = n->enumv + 1; k < sv->v[n->enumv].n &&
			    S->msg.len < 4096; k++, x = sv->v[x].next)
				if ((k > 0 && buf_adds(&S->msg, ", ") == -1) ||
				    jvalue_quote(&S->msg, &S->tmp, sv, x) == -1)
					return -1;
			return 1;
		}
	}
	if (n->constv != -1 && !jvalue_equal(sv, n->constv, &S->av, v)) {
		if (!explain)
			return 1;
		if (why_begin(S) == -1 ||
		    buf_adds(&S->msg, "expected ") == -1 ||
		    jvalue_quote(&S->msg, &S->tmp, sv, n->constv) == -1 ||
		    buf_adds(&S->msg, ", got ") == -1 ||
		    jvalue_quote(&S->msg, &S->tmp, &S->av, v) == -1)
			return -1;
		return 1;
	}
	switch (av->type) {
	case JSON_NUMBER:
		if ((n->has & (HAS_MIN | HAS_MAX | HAS_XMIN | HAS_XMAX)) &&
		    (r = check_number(S, n, v, explain)) != 0)
			return r;
		break;
	case JSON_STRING:
		if ((n->has & (HAS_MINLEN | HAS_MAXLEN)) == 0)
			break;
		cnt = jvalue_length(&S->av, v);
		if ((n->has & HAS_MINLEN) && cnt < n->minlen)
			return explain ? why_count(S, cnt, "character", 1,
			    n->minlen) : 1;
		if ((n->has & HAS_MAXLEN) && cnt > n->maxlen)
			return explain ? why_count(S, cnt, "character", 0,
			    n->maxlen) : 1;
		break;
	case JSON_ARRAY:
		if ((r = check_array(S, n, v, explain)) != 0)
			return r;
		break;
	case JSON_OBJECT:
		if ((r = check_object(S, n, v, explain)) != 0)
			return r;
		break;
	default:
		break;
	}
	if (n->nanyof > 0 && (r = check_anyof(S, n, v, explain)) != 0)
		return r;
	if (n->ref != -1)
		return check(S, n->ref, v, explain);
	return 0;
}

static int
check(struct schema *S, int node, size_t v, int explain)
{
	struct snode	*n = &S->nodes[node];
	int		 r;

	if (n->memo && (r = memo_get(S, node, v)) != -1 &&
	    (r == 0 || !explain))
		return r;
	r = check_node(S, n, v, explain);
	if (n->memo && r >= 0 && memo_put(S, node, v, r) == -1)
		return -1;
	return r;
}

/* The why, made one line that fits: cut at a character, "..." at the end. */
static void
why_fit(const struct buf *b, char *why, size_t whylen)
{
	size_t	 n = b->len, dots = 0, i;

	if (whylen == 0)
		return;
	if (n >= whylen) {
		dots = whylen - 1 < 3 ? whylen - 1 : 3;
		n = whylen - 1 - dots;
		while (n > 0 && ((unsigned char)b->data[n] & 0xc0) == 0x80)
			n--;
	}
	if (n > 0)
		memcpy(why, b->data, n);
	memcpy(why + n, "...", dots);
	n += dots;
	why[n] = '\0';
	/* Every part is escaped already: this is a last guard. */
	for (i = 0; i < n; i++)
		if ((unsigned char)why[i] < 0x20 || why[i] == 0x7f)
			why[i] = '?';
}

/* After a big answer, give the scratch memory back. */
static void
scratch_shrink(struct schema *S)
{
	if (S->av.cap > 65536)
		jvalue_free(&S->av);
	if (S->mcap > 65536) {
		free(S->mtab);
		S->mtab = NULL;
		S->mcap = 0;
	}
	S->mn = 0;
	if (S->mcap > 0)
		memset(S->mtab, 0, S->mcap * sizeof(*S->mtab));
	if (S->msg.cap > 65536)
		buf_free(&S->msg);
	if (S->tmp.cap > 65536)
		buf_free(&S->tmp);
	if (S->key.cap > 65536)
		buf_free(&S->key);
	if (S->aj != NULL)
		json_shrink(S->aj, 65536);
}

int
schema_check(struct schema *S, const char *text, size_t len, char *why,
    size_t whylen)
{
	char	 err[160];
	int	 r;

	if (whylen > 0)
		why[0] = '\0';
	buf_reset(&S->msg);
	S->depth = 0;
	if (len > INT_MAX - 2 || json_validate(text, len, err,
	    sizeof(err)) == -1) {
		if (len > INT_MAX - 2)
			snprintf(err, sizeof(err), "longer than %d bytes",
			    INT_MAX - 2);
		if (buf_adds(&S->msg, "the answer is not JSON: ") == -1 ||
		    buf_adds(&S->msg, strncmp(err, "invalid JSON ", 13) == 0 ?
		    err + 13 : err) == -1)
			return -1;
		why_fit(&S->msg, why, whylen);
		return 1;
	}
	if ((S->aj == NULL && (S->aj = json_new()) == NULL) ||
	    json_parse(S->aj, text, len, err, sizeof(err)) == -1 ||
	    (r = jvalue_build(&S->av, S->aj, text)) == -1) {
		scratch_shrink(S);
		return -1;
	}
	if (r == 1) {
		snprintf(err, sizeof(err), "$: the answer nests deeper than "
		    "%d levels", SCHEMA_MAX_DEPTH);
		if (buf_adds(&S->msg, err) == -1)
			return -1;
		why_fit(&S->msg, why, whylen);
		scratch_shrink(S);
		return 1;
	}
	if ((r = check(S, 0, 0, 0)) == 1) {
		S->depth = 0;
		if ((r = check(S, 0, 0, 1)) == 0) {
			/* Cannot be: the same check said no before. */
			r = why_say(S, "does not match the schema");
		}
		if (r == 1)
			why_fit(&S->msg, why, whylen);
	}
	scratch_shrink(S);
	return r;
}
