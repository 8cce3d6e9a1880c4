/*
 * Schema references: the definitions a $ref can name (the root's $defs
 * and definitions), each $ref resolved to the node it names, and the walk
 * over anyOf and $ref steps that refuses a loop on one value and a chain
 * longer than SCHEMA_MAX_CHAIN, so that the checker can follow them
 * without counting.
 *
 * Not here: compiling the keywords, $ref among them (schema_compile.c),
 * or following a $ref while checking an answer (schema_check.c).
 */
#include <ctype.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "schema_tree.h"

/* A definition a $ref can name. */
struct sdef {
	char		*name;
	size_t		 len;
	int		 node;
	int		 kind;		/* 0 $defs, 1 definitions */
};

int
schema_ref_define(struct schema *S, const char *name, size_t len, int node,
    int kind)
{
	struct sdef	*d;
	char		*p;

	if ((p = malloc(len + 1)) == NULL)
		return -1;
	if (len > 0)
		memcpy(p, name, len);
	p[len] = '\0';
	if ((d = reallocarray(S->defs, S->ndefs + 1, sizeof(*d))) == NULL) {
		free(p);
		return -1;
	}
	S->defs = d;
	S->defs[S->ndefs++] = (struct sdef){ p, len, node, kind };
	return 0;
}

void
schema_ref_free_defs(struct schema *S)
{
	size_t	 k;

	for (k = 0; k < S->ndefs; k++)
		free(S->defs[k].name);
	free(S->defs);
	S->defs = NULL;
	S->ndefs = 0;
}

/* The definition of that kind and name, or -1. */
static long
def_find(const struct schema *S, int kind, const char *s, size_t len)
{
	const struct sdef	*d;
	size_t			 k;

	for (k = 0; k < S->ndefs; k++) {
		d = &S->defs[k];
		if (d->kind == kind && d->len == len &&
		    (len == 0 || memcmp(d->name, s, len) == 0))
			return k;
	}
	return -1;
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
	size_t		 len, k;
	long		 d;
	int		 rv, cut;

	buf_reset(&S->tmp);
	s = jvalue_string(&S->sv, n->refval, &len);
	if (json_decode_string(&S->tmp, s, len) == -1)
		goto nomem;
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
			goto nomem;
		}
		if (rv == -1)
			break;
		if ((d = def_find(S, (int)k, name.data, name.len)) == -1) {
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
		goto nomem;
	}
	snprintf(err, errlen, "$ref \"%s%s\"%s", q.data, cut ? "..." : "",
	    what);
	buf_free(&q);
	return -1;
nomem:
	snprintf(err, errlen, "out of memory");
	return -1;
}

int
schema_ref_resolve(struct schema *S, char *err, size_t errlen)
{
	size_t	 k;

	for (k = 0; k < S->nnodes; k++)
		if (S->nodes[k].refval != -1 &&
		    resolve(S, &S->nodes[k], err, errlen) == -1)
			return -1;
	return 0;
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

int
schema_ref_check_chains(struct schema *S, char *err, size_t errlen)
{
	size_t	 k;

	for (k = 0; k < S->nnodes; k++)
		if (chain(S, k, 0, err, errlen) == -1)
			return -1;
	return 0;
}
