#include <sys/tree.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "expect.h"
#include "json.h"
#include "jsonw.h"
#include "text.h"

/* A buffer's bytes, never NULL. */
#define TEXT(b)		((b).data != NULL ? (b).data : "")

/* A class by its name, in the tree that finds it. */
struct cnode {
	RB_ENTRY(cnode)	 entry;
	const char	*name;
	size_t		 namelen;
	size_t		 k;		/* in classes */
};

struct pnode {
	RB_ENTRY(pnode)	 entry;
	size_t		 expected, answered;	/* classes */
	uint64_t	 rows;
};

RB_HEAD(ctree, cnode);
RB_HEAD(ptree, pnode);

struct expect {
	const char		*field;
	size_t			 fieldlen;
	const struct labels	*labels;
	struct expect_figures	 fig;
	struct expect_class	*classes;
	struct cnode		*cnodes;	/* one a class, beside it */
	size_t			 nclasses;
	struct ctree		 byname;
	struct ptree		 pairs;
	size_t			 npairs;
	struct buf		 scratch;
};

static int
cnode_cmp(const struct cnode *a, const struct cnode *b)
{
	size_t	 n = a->namelen < b->namelen ? a->namelen : b->namelen;
	int	 c;

	if (n > 0 && (c = memcmp(a->name, b->name, n)) != 0)
		return c;
	return a->namelen < b->namelen ? -1 : a->namelen > b->namelen;
}

static int
pnode_cmp(const struct pnode *a, const struct pnode *b)
{
	if (a->expected != b->expected)
		return a->expected < b->expected ? -1 : 1;
	if (a->answered != b->answered)
		return a->answered < b->answered ? -1 : 1;
	return 0;
}

/* libbsd leaves __unused undefined, which RB_GENERATE_STATIC needs. */
RB_GENERATE_INTERNAL(ctree, cnode, entry, cnode_cmp,
    static __attribute__((unused)))
RB_GENERATE_INTERNAL(ptree, pnode, entry, pnode_cmp,
    static __attribute__((unused)))

void
expect_free(struct expect *e)
{
	struct pnode	*p;
	size_t		 k;

	if (e == NULL)
		return;
	while ((p = RB_MIN(ptree, &e->pairs)) != NULL) {
		RB_REMOVE(ptree, &e->pairs, p);
		free(p);
	}
	for (k = 0; k < e->nclasses; k++)
		free((char *)e->classes[k].name);
	free(e->classes);
	free(e->cnodes);
	buf_free(&e->scratch);
	free(e);
}

/*
 * The class of this name: found, or made (copied); the count of classes
 * is bounded, so a free-text answer cannot grow memory with the input.
 * Its index, EXPECT_CLASSES if there is no room, or -1 if out of memory.
 */
static long
class_of(struct expect *e, const char *name, size_t len)
{
	struct expect_class	*c;
	struct cnode		 key, *n;
	char			*copy;

	key.name = name;
	key.namelen = len;
	if ((n = RB_FIND(ctree, &e->byname, &key)) != NULL)
		return (long)n->k;
	if (e->nclasses == EXPECT_CLASSES)
		return EXPECT_CLASSES;
	if ((copy = malloc(len + 1)) == NULL)
		return -1;
	memcpy(copy, name, len);
	copy[len] = '\0';
	c = &e->classes[e->nclasses];
	c->name = copy;
	c->namelen = len;
	n = &e->cnodes[e->nclasses];
	n->name = copy;
	n->namelen = len;
	n->k = e->nclasses++;
	RB_INSERT(ctree, &e->byname, n);
	return (long)n->k;
}

struct expect *
expect_new(const char *field, const struct labels *labels)
{
	struct expect	*e;
	const char	*name;
	size_t		 k;

	if ((e = calloc(1, sizeof(*e))) == NULL)
		return NULL;
	e->field = field;
	e->fieldlen = strlen(field);
	e->labels = labels;
	RB_INIT(&e->byname);
	RB_INIT(&e->pairs);
	if ((e->classes = calloc(EXPECT_CLASSES,
	    sizeof(*e->classes))) == NULL ||
	    (e->cnodes = calloc(EXPECT_CLASSES, sizeof(*e->cnodes))) == NULL)
		goto fail;
	/* The labels first, in the user's order, each listed. */
	for (k = 0; labels != NULL && k < labels_count(labels); k++) {
		name = labels_name(labels, (int)k);
		if (class_of(e, name, strlen(name)) != (long)k)
			goto fail;
	}
	return e;
fail:
	expect_free(e);
	return NULL;
}

/*
 * Text as it is compared, into b: with --labels the label it is, if it
 * is one; else trimmed of blanks.
 */
static int
canonical(const struct expect *e, struct buf *b, const char *s, size_t n)
{
	const char	*name;
	char		 why[8];
	size_t		 off, len;
	int		 k;

	if (e->labels != NULL && (k = labels_match(e->labels, s, n, &off,
	    &len, why, sizeof(why))) >= 0) {
		name = labels_name(e->labels, k);
		return buf_add(b, name, strlen(name));
	}
	text_trim(&s, &n);
	return buf_add(b, s, n);
}

/*
 * The row's right answer, as compared, into r->gold: 1; 0 if the row
 * has no such field or null there; -1 if out of memory.  Of duplicate
 * keys the last counts, as in jq.
 */
static int
gold(struct expect *e, struct row *r)
{
	const struct json_member	*m, *found = NULL;
	const char			*t = TEXT(r->text);
	size_t				 k;

	buf_reset(&r->gold);
	for (k = 0; k < r->members.n; k++) {
		m = &r->members.v[k];
		if (json_key_equal(t + m->key, m->keylen, e->field,
		    e->fieldlen))
			found = m;
	}
	if (found == NULL || t[found->val] == 'n')
		return 0;
	buf_reset(&e->scratch);
	if ((t[found->val] == '"' ? json_decode_string(&e->scratch,
	    t + found->val + 1, found->valend - found->val - 2) :
	    json_compact(&e->scratch, t + found->val, found->valend -
	    found->val, 0)) == -1)
		return -1;
	return canonical(e, &r->gold, TEXT(e->scratch), e->scratch.len) ==
	    -1 ? -1 : 1;
}

int
expect_answer(struct expect *e, struct row *r, int label, const char *s,
    size_t n, int json)
{
	const char	*name;
	int		 rv;

	r->agree = -1;
	buf_reset(&r->given);
	if ((rv = gold(e, r)) != 1)
		return rv;
	if (label >= 0) {
		name = labels_name(e->labels, label);
		rv = buf_add(&r->given, name, strlen(name));
	} else if (json) {
		buf_reset(&e->scratch);
		rv = json_compact(&e->scratch, s, n, 0) == -1 ? -1 :
		    canonical(e, &r->given, TEXT(e->scratch), e->scratch.len);
	} else
		rv = canonical(e, &r->given, s, n);
	if (rv == -1)
		return -1;
	r->agree = r->gold.len == r->given.len && memcmp(TEXT(r->gold),
	    TEXT(r->given), r->gold.len) == 0;
	return 0;
}

int
expect_failed(struct expect *e, struct row *r)
{
	int	 rv;

	r->agree = -1;
	buf_reset(&r->given);
	if ((rv = gold(e, r)) == 1)
		r->agree = 0;
	return rv == -1 ? -1 : 0;
}

int
expect_count(struct expect *e, const struct row *r)
{
	struct pnode	 key, *p;
	long		 g, a;

	if (r->agree < 0) {
		e->fig.unlabelled++;
		return 0;
	}
	e->fig.rows++;
	e->fig.agree += r->agree;
	if (r->failed) {
		e->fig.failed++;
		return 0;
	}
	if ((g = class_of(e, TEXT(r->gold), r->gold.len)) == -1 ||
	    (a = class_of(e, TEXT(r->given), r->given.len)) == -1)
		return -1;
	if (g == EXPECT_CLASSES || a == EXPECT_CLASSES)
		goto unlisted;
	key.expected = (size_t)g;
	key.answered = (size_t)a;
	if ((p = RB_FIND(ptree, &e->pairs, &key)) == NULL) {
		if (e->npairs == EXPECT_PAIRS)
			goto unlisted;
		if ((p = calloc(1, sizeof(*p))) == NULL)
			return -1;
		*p = key;
		p->rows = 0;
		RB_INSERT(ptree, &e->pairs, p);
		e->npairs++;
	}
	p->rows++;
	e->classes[g].expected++;
	e->classes[a].answered++;
	if (g == a)
		e->classes[g].agree++;
	return 0;
unlisted:
	e->fig.unlisted++;
	return 0;
}

const struct expect_figures *
expect_figures(const struct expect *e)
{
	return &e->fig;
}

const struct expect_class *
expect_class(const struct expect *e, size_t k)
{
	return k < e->nclasses ? &e->classes[k] : NULL;
}

/* A ratio to four decimals, or null without anything to divide by. */
static void
ratio(struct jsonw *w, const char *key, uint64_t a, uint64_t b)
{
	char	 num[32];

	if (b == 0) {
		jsonw_null(w, key);
		return;
	}
	snprintf(num, sizeof(num), "%.4f", (double)a / b);
	jsonw_raw(w, key, num, strlen(num));
}

/* "labels": a class's figures, each class that a row was counted in. */
static int
labels_array(const struct expect *e, struct buf *b)
{
	const struct expect_class	*c;
	struct jsonw			 w;
	size_t				 k;
	int				 n = 0;

	if (buf_addc(b, '[') == -1)
		return -1;
	for (k = 0; k < e->nclasses; k++) {
		c = &e->classes[k];
		/* A label is listed always; another name when counted. */
		if (c->expected == 0 && c->answered == 0 &&
		    (e->labels == NULL || k >= labels_count(e->labels)))
			continue;
		if (n++ > 0 && buf_addc(b, ',') == -1)
			return -1;
		jsonw_begin(&w, b);
		jsonw_str(&w, "label", c->name, c->namelen);
		jsonw_uint(&w, "expected", c->expected);
		jsonw_uint(&w, "answered", c->answered);
		jsonw_uint(&w, "agree", c->agree);
		ratio(&w, "precision", c->agree, c->answered);
		ratio(&w, "recall", c->agree, c->expected);
		if (jsonw_end(&w, 0) == -1)
			return -1;
	}
	return buf_addc(b, ']');
}

/* "confusion": right answer -> answer given, by the first, then the
 * second, in the order the classes were met. */
static int
confusion_array(const struct expect *e, struct buf *b)
{
	const struct expect_class	*g, *a;
	struct pnode			*p;
	struct jsonw			 w;
	int				 n = 0;

	if (buf_addc(b, '[') == -1)
		return -1;
	RB_FOREACH(p, ptree, (struct ptree *)&e->pairs) {
		g = &e->classes[p->expected];
		a = &e->classes[p->answered];
		if (n++ > 0 && buf_addc(b, ',') == -1)
			return -1;
		jsonw_begin(&w, b);
		jsonw_str(&w, "expected", g->name, g->namelen);
		jsonw_str(&w, "answered", a->name, a->namelen);
		jsonw_uint(&w, "rows", p->rows);
		if (jsonw_end(&w, 0) == -1)
			return -1;
	}
	return buf_addc(b, ']');
}

int
expect_json(const struct expect *e, struct buf *b)
{
	struct jsonw	 w;
	struct buf	 sub = { 0 };
	int		 rv;

	jsonw_begin(&w, b);
	jsonw_str(&w, "field", e->field, e->fieldlen);
	jsonw_uint(&w, "rows", e->fig.rows);
	jsonw_uint(&w, "agree", e->fig.agree);
	ratio(&w, "accuracy", e->fig.agree, e->fig.rows);
	jsonw_uint(&w, "failed", e->fig.failed);
	jsonw_uint(&w, "unlabelled", e->fig.unlabelled);
	if (labels_array(e, &sub) == -1)
		w.err = -1;
	else
		jsonw_raw(&w, "labels", sub.data, sub.len);
	buf_reset(&sub);
	if (confusion_array(e, &sub) == -1)
		w.err = -1;
	else
		jsonw_raw(&w, "confusion", sub.data, sub.len);
	jsonw_uint(&w, "unlisted", e->fig.unlisted);
	rv = jsonw_end(&w, 0);
	buf_free(&sub);
	return rv;
}
