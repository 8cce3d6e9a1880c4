/*
 * The schema checker: schema_check walks an answer against the node tree
 * that schema_compile.c built, and says in one line why it is invalid.
 *
 * The answer is read with json_parse and then copied into a flat array of
 * values (jvalue.h), which walks big arrays and objects in linear time.
 * The check runs twice on an invalid answer: once to know whether it is
 * valid (the common case, no words built), once more to explain, which
 * follows only the failing path.  Results for $ref targets are memoized
 * by (node, value), which is what keeps anyOf over recursive schemas from
 * being exponential: without $ref, each node meets each value at most once
 * anyway.
 *
 * Not here: reading the schema (schema_compile.c).
 */
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "schema_tree.h"

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

/* A value's type bit: T_NUMBER for every number, integral or not. */
static unsigned int
val_type(enum json_type t)
{
	switch (t) {
	case JSON_OBJECT: return T_OBJECT;
	case JSON_ARRAY: return T_ARRAY;
	case JSON_STRING: return T_STRING;
	case JSON_NUMBER: return T_NUMBER;
	case JSON_NULL: return T_NULL;
	default: return T_BOOLEAN;
	}
}

static int
type_ok(unsigned int types, const struct jvalues *av, size_t v)
{
	struct decimal	 d;

	if ((types & val_type(av->v[v].type)) != 0)
		return 1;
	if (av->v[v].type != JSON_NUMBER || (types & T_INTEGER) == 0)
		return 0;
	jvalue_decimal(av, v, &d);
	return decimal_is_integer(&d);
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
		if (buf_adds(b, schema_type_names[k]) == -1)
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
	    add_types(&S->msg, val_type(S->av.v[v].type)) == -1)
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
		return schema_name_find(n, s, len);
	buf_reset(&S->key);
	if (json_decode_string(&S->key, s, len) == -1)
		return -2;
	return schema_name_find(n, S->key.data, S->key.len);
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
			e = n->req[m];
			if (n->names[e].stamp == stamp)
				continue;
			if (!explain)
				return 1;
			if (why_begin(S) == -1 ||
			    buf_adds(&S->msg, "missing required property ") ==
			    -1 || jvalue_quote_text(&S->msg, n->names[e].name,
			    n->names[e].len) == -1)
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
		if ((n->has & HAS_NUMBERS) &&
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

/* After a big answer, give the scratch memory back; else clear the memo. */
static void
scratch_shrink(struct schema *S)
{
	S->mn = 0;
	if (S->av.cap > 65536 || S->mcap > 65536 || S->msg.cap > 65536 ||
	    S->tmp.cap > 65536 || S->key.cap > 65536)
		schema_scratch_free(S);
	else {
		if (S->mcap > 0)
			memset(S->mtab, 0, S->mcap * sizeof(*S->mtab));
		if (S->aj != NULL)
			json_shrink(S->aj, 65536);
	}
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

void
schema_scratch_free(struct schema *S)
{
	json_free(S->aj);
	S->aj = NULL;
	jvalue_free(&S->av);
	free(S->mtab);
	S->mtab = NULL;
	S->mcap = S->mn = 0;
	buf_free(&S->msg);
	buf_free(&S->tmp);
	buf_free(&S->key);
}
