#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "price.h"

#define NAME_MAX_LEN	128
#define PRICE_MAX	1e6	/* as --price-in takes */
#define MODELS_MAX	100000

struct model {
	char			*name;
	size_t			 len;
	struct price_rates	 rates;
	char			 date[16];
};

struct price_table {
	struct model	*v;
	size_t		 n;
};

struct price_table *
price_table_new(void)
{
	return calloc(1, sizeof(struct price_table));
}

void
price_table_free(struct price_table *t)
{
	size_t	 i;

	if (t == NULL)
		return;
	for (i = 0; i < t->n; i++)
		free(t->v[i].name);
	free(t->v);
	free(t);
}

size_t
price_table_size(const struct price_table *t)
{
	return t->n;
}

/* The next word of the line: blanks are spaces and tabs. */
static size_t
word(const char **p, const char *end, const char **w)
{
	const char	*s = *p;

	while (s < end && (*s == ' ' || *s == '\t'))
		s++;
	*w = s;
	while (s < end && *s != ' ' && *s != '\t')
		s++;
	*p = s;
	return s - *w;
}

/* A price: a decimal from 0 to PRICE_MAX, or "-" (dash) when allowed. */
static int
price(const char *w, size_t n, int dash, double *v)
{
	char	 num[32], *end;
	size_t	 i;

	if (dash && n == 1 && *w == '-') {
		*v = -1;
		return 0;
	}
	if (n == 0 || n >= sizeof(num))
		return -1;
	/* Plain decimals: no sign, exponent, "inf" or "nan". */
	for (i = 0; i < n; i++)
		if ((w[i] < '0' || w[i] > '9') && w[i] != '.')
			return -1;
	memcpy(num, w, n);
	num[n] = '\0';
	errno = 0;
	*v = strtod(num, &end);
	return *end != '\0' || errno != 0 || !(*v >= 0 && *v <= PRICE_MAX) ?
	    -1 : 0;
}

/* YYYY-MM-DD, as far as its shape goes. */
static int
date(const char *w, size_t n)
{
	size_t	 i;

	if (n != 10)
		return -1;
	for (i = 0; i < n; i++)
		if (i == 4 || i == 7 ? w[i] != '-' : w[i] < '0' || w[i] > '9')
			return -1;
	return 0;
}

static int
add_line(struct price_table *t, const char *p, const char *end, char *why,
    size_t whylen)
{
	struct model	 m = { 0 }, *v;
	const char	*w[6];
	size_t		 n[6], k;

	for (k = 0; k < 6; k++)
		n[k] = word(&p, end, &w[k]);
	if (n[0] == 0 || *w[0] == '#')
		return 0;
	if (n[4] == 0 || n[5] != 0) {
		snprintf(why, whylen, "want: model, input, cached input, "
		    "output, date");
		return -1;
	}
	if (n[0] > NAME_MAX_LEN || memchr(w[0], '\0', n[0]) != NULL) {
		snprintf(why, whylen, "a model name of 1 to %d bytes expected",
		    NAME_MAX_LEN);
		return -1;
	}
	if (price(w[1], n[1], 0, &m.rates.in) == -1 ||
	    price(w[2], n[2], 1, &m.rates.cached_in) == -1 ||
	    price(w[3], n[3], 0, &m.rates.out) == -1) {
		snprintf(why, whylen, "a price in dollars per million tokens "
		    "expected (0 to %.0f, or - for no cached price)",
		    PRICE_MAX);
		return -1;
	}
	if (date(w[4], n[4]) == -1) {
		snprintf(why, whylen, "a date YYYY-MM-DD expected");
		return -1;
	}
	if (m.rates.cached_in < 0)
		m.rates.cached_in = m.rates.in;
	memcpy(m.date, w[4], n[4]);
	/* A model named again: the later line wins, as in a later file. */
	for (k = 0; k < t->n; k++)
		if (t->v[k].len == n[0] && memcmp(t->v[k].name, w[0],
		    n[0]) == 0) {
			t->v[k].rates = m.rates;
			memcpy(t->v[k].date, m.date, sizeof(m.date));
			return 0;
		}
	if (t->n >= MODELS_MAX) {
		snprintf(why, whylen, "more than %d models", MODELS_MAX);
		return -1;
	}
	if ((m.name = strndup(w[0], n[0])) == NULL ||
	    (v = reallocarray(t->v, t->n + 1, sizeof(*v))) == NULL) {
		free(m.name);
		snprintf(why, whylen, "out of memory");
		return -1;
	}
	m.len = n[0];
	t->v = v;
	t->v[t->n++] = m;
	return 0;
}

int
price_table_load(struct price_table *t, const char *text, size_t len,
    char *err, size_t errlen)
{
	const char	*p = text, *end = text + len, *nl;
	char		 why[128];
	size_t		 line;

	for (line = 1; p < end; line++, p = nl + 1) {
		if ((nl = memchr(p, '\n', end - p)) == NULL)
			nl = end;
		if (add_line(t, p, nl > p && nl[-1] == '\r' ? nl - 1 : nl,
		    why, sizeof(why)) == -1) {
			snprintf(err, errlen, "line %zu: %s", line, why);
			return -1;
		}
	}
	return 0;
}

int
price_table_find(const struct price_table *t, const char *model,
    struct price_rates *r, const char **when)
{
	const struct model	*best = NULL;
	size_t			 k, len = strlen(model);

	for (k = 0; k < t->n; k++) {
		if (t->v[k].len == len && memcmp(t->v[k].name, model,
		    len) == 0) {
			best = &t->v[k];
			break;
		}
		/* A dated snapshot of a model in the table. */
		if (t->v[k].len < len && model[t->v[k].len] == '-' &&
		    memcmp(t->v[k].name, model, t->v[k].len) == 0 &&
		    (best == NULL || t->v[k].len > best->len))
			best = &t->v[k];
	}
	if (best == NULL)
		return -1;
	*r = best->rates;
	if (when != NULL)
		*when = best->date;
	return 0;
}

double
price_cost(const struct price_rates *r, long long prompt, long long cached,
    long long completion)
{
	double	 p = prompt > 0 ? prompt : 0, c = cached > 0 ? cached : 0;

	/* A server that says more cached than prompt tokens: all cached. */
	if (c > p)
		c = p;
	return ((p - c) * r->in + c * r->cached_in +
	    (completion > 0 ? completion : 0) * r->out) / 1e6;
}
