#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fold.h"
#include "labels.h"

#define LABEL_MAX	200	/* bytes of one label */
#define QUOTED_MAX	40	/* bytes of a wrong answer quoted back */

struct labels {
	struct labels_count	*v;
	size_t			 n;
	char			*names;	/* each NUL-terminated */
};

static int
is_space(int c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

void
labels_free(struct labels *l)
{
	if (l == NULL)
		return;
	free(l->v);
	free(l->names);
	free(l);
}

struct labels *
labels_new(const char *s, size_t len, int sep, char *err, size_t errlen)
{
	struct labels	*l;
	const char	*p, *e, *end = s + len;
	size_t		 n, k, i;
	char		*q;

	if ((l = calloc(1, sizeof(*l))) == NULL ||
	    (l->names = malloc(len + 1)) == NULL ||
	    (l->v = calloc(len / 2 + 1, sizeof(*l->v))) == NULL)
		goto nomem;
	q = l->names;
	for (p = s; p <= end; p = e + 1) {
		if ((e = memchr(p, sep, end - p)) == NULL)
			e = end;
		n = e - p;
		while (n > 0 && is_space((unsigned char)*p)) {
			p++;
			n--;
		}
		while (n > 0 && is_space((unsigned char)p[n - 1]))
			n--;
		if (n == 0) {
			/* A file's blank lines are nothing; a list's are
			 * a mistake ("a,,b"). */
			if (sep == '\n')
				continue;
			snprintf(err, errlen, "an empty label");
			goto fail;
		}
		if (n > LABEL_MAX) {
			snprintf(err, errlen, "a label of %zu bytes: at most "
			    "%d", n, LABEL_MAX);
			goto fail;
		}
		for (i = 0; i < n; i++)
			if (iscntrl((unsigned char)p[i])) {
				snprintf(err, errlen, "a label holds a "
				    "control character");
				goto fail;
			}
		for (k = 0; k < l->n; k++)
			if (fold_equal(l->v[k].name, strlen(l->v[k].name), p,
			    n)) {
				snprintf(err, errlen, "\"%.*s\" is given twice",
				    (int)n, p);
				goto fail;
			}
		memcpy(q, p, n);
		q[n] = '\0';
		l->v[l->n++].name = q;
		q += n + 1;
	}
	if (l->n < 2) {
		snprintf(err, errlen, "%s: at least two labels are needed",
		    l->n == 0 ? "no label" : "one label");
		goto fail;
	}
	return l;
nomem:
	snprintf(err, errlen, "out of memory");
fail:
	labels_free(l);
	return NULL;
}

size_t
labels_count(const struct labels *l)
{
	return l->n;
}

const char *
labels_name(const struct labels *l, int k)
{
	return l->v[k].name;
}

int
labels_prompt(const struct labels *l, struct buf *b)
{
	size_t	 k;

	if (buf_adds(b, "Answer with exactly one of these labels and "
	    "nothing else: ") == -1)
		return -1;
	for (k = 0; k < l->n; k++)
		if ((k > 0 && buf_adds(b, ", ") == -1) ||
		    buf_adds(b, l->v[k].name) == -1)
			return -1;
	return buf_addc(b, '.');
}

/* The answer, quoted back on one line: a wrong answer may be anything. */
static void
quote(const char *s, size_t n, char *out, size_t outlen)
{
	size_t	 i, o = 0;

	for (i = 0; i < n && i < QUOTED_MAX && o + 5 < outlen; i++)
		out[o++] = iscntrl((unsigned char)s[i]) ? ' ' : s[i];
	if (i < n && o + 4 < outlen) {
		memcpy(out + o, "...", 3);
		o += 3;
	}
	out[o] = '\0';
}

/* White space at both ends of [*p, *p + *n) dropped. */
static void
trim(const char **p, size_t *n)
{
	while (*n > 0 && is_space((unsigned char)**p)) {
		(*p)++;
		(*n)--;
	}
	while (*n > 0 && is_space((unsigned char)(*p)[*n - 1]))
		(*n)--;
}

/* The label that is p, compared folded; -1 if none. */
static int
find(const struct labels *l, const char *p, size_t n)
{
	size_t	 k;

	for (k = 0; k < l->n; k++)
		if (fold_equal(l->v[k].name, strlen(l->v[k].name), p, n))
			return (int)k;
	return -1;
}

/*
 * What is forgiven around an answer, one step at a time, each to be tried
 * in turn (a label may end in a period itself): white space; a final
 * period; quotes, as models sometimes put round a word ("EC2", 'EC2'),
 * and white space inside them; a final period inside them ("EC2.").  The
 * stages in p and m (4 of each), and how many there are.
 */
static size_t
forgive(const char *s, size_t n, const char **p, size_t *m)
{
	p[0] = s;
	m[0] = n;
	trim(&p[0], &m[0]);
	p[1] = p[0];
	m[1] = m[0] > 0 && p[0][m[0] - 1] == '.' ? m[0] - 1 : m[0];
	if (m[1] >= 2 && (*p[1] == '"' || *p[1] == '\'' || *p[1] == '`') &&
	    p[1][m[1] - 1] == *p[1]) {
		p[2] = p[1] + 1;
		m[2] = m[1] - 2;
		trim(&p[2], &m[2]);
		p[3] = p[2];
		m[3] = m[2] > 0 && p[2][m[2] - 1] == '.' ? m[2] - 1 : m[2];
		return 4;
	}
	return 2;
}

int
labels_match(const struct labels *l, const char *s, size_t n, size_t *off,
    size_t *len, char *why, size_t whylen)
{
	const char	*p[4];
	char		 q[QUOTED_MAX + 8];
	size_t		 m[4], i, stages;
	int		 k;

	stages = forgive(s, n, p, m);
	for (i = 0; i < stages; i++)
		if ((k = find(l, p[i], m[i])) != -1) {
			*off = p[i] - s;
			*len = m[i];
			return k;
		}
	quote(s, n, q, sizeof(q));
	snprintf(why, whylen, "the answer \"%s\" is not one of the labels; "
	    "answer with one label only", q);
	return -1;
}

int
labels_spelled(const char *a, size_t an, const char *b, size_t bn)
{
	const char	*pa[4], *pb[4];
	size_t		 ma[4], mb[4], i, k, na, nb;

	na = forgive(a, an, pa, ma);
	nb = forgive(b, bn, pb, mb);
	for (i = 0; i < na; i++)
		for (k = 0; k < nb; k++)
			if (fold_equal(pa[i], ma[i], pb[k], mb[k]))
				return 1;
	return 0;
}

void
labels_add(struct labels *l, int k, double confidence)
{
	l->v[k].rows++;
	if (confidence >= 0) {
		l->v[k].scored++;
		l->v[k].confidence += confidence;
	}
}

const struct labels_count *
labels_get(const struct labels *l, size_t k)
{
	return k < l->n ? &l->v[k] : NULL;
}
