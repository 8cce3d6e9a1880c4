/*
 * The array is built in one pass over the tokens with a stack of the open
 * containers: a token that starts past the end of the innermost one closes
 * it.  Objects count keys and values as children while building, so their
 * counts are halved at the end.
 */
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "decimal.h"
#include "json.h"
#include "jvalue.h"

int
jvalue_build(struct jvalues *vs, const struct json *j, const char *text)
{
	uint32_t	 stack[JVALUE_MAX_DEPTH];
	struct jvalue	*v;
	size_t		 n, i, sp = 0, off, len;
	enum json_type	 t;

	for (n = 0; n < INT_MAX && json_type(j, n) != JSON_NONE; n++)
		;
	if (n > vs->cap) {
		if ((v = reallocarray(vs->v, n, sizeof(*v))) == NULL)
			return -1;
		vs->v = v;
		vs->cap = n;
	}
	vs->text = text;
	vs->n = n;
	for (i = 0; i < n; i++) {
		t = json_type(j, i);
		json_span(j, i, &off, &len);
		while (sp > 0 && off >= vs->v[stack[sp - 1]].off +
		    vs->v[stack[sp - 1]].len)
			vs->v[stack[--sp]].next = i;
		if (sp > 0)
			vs->v[stack[sp - 1]].n++;
		vs->v[i] = (struct jvalue){ t, i + 1, 0, off, len };
		if (t == JSON_OBJECT || t == JSON_ARRAY) {
			if (sp == JVALUE_MAX_DEPTH)
				return 1;
			stack[sp++] = i;
		}
	}
	while (sp > 0)
		vs->v[stack[--sp]].next = n;
	for (i = 0; i < n; i++)
		if (vs->v[i].type == JSON_OBJECT)
			vs->v[i].n /= 2;
	return 0;
}

void
jvalue_free(struct jvalues *vs)
{
	free(vs->v);
	vs->v = NULL;
	vs->n = vs->cap = 0;
}

const char *
jvalue_string(const struct jvalues *vs, size_t i, size_t *len)
{
	*len = vs->v[i].len - 2;
	return vs->text + vs->v[i].off + 1;
}

static int
hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return c - 'A' + 10;
}

static unsigned int
hex4(const char *p)
{
	return hexval(p[0]) << 12 | hexval(p[1]) << 8 | hexval(p[2]) << 4 |
	    hexval(p[3]);
}

/*
 * The code point at *i in raw string content that json_validate passed,
 * as json_decode_string would decode it (a lone surrogate is U+FFFD).
 */
static unsigned int
str_next(const char *s, size_t len, size_t *i)
{
	const unsigned char	*p = (const unsigned char *)s + *i;
	unsigned int		 cp, lo;

	if (p[0] != '\\') {
		if (p[0] < 0x80) {
			*i += 1;
			return p[0];
		}
		if (p[0] < 0xe0) {
			*i += 2;
			return (p[0] & 0x1f) << 6 | (p[1] & 0x3f);
		}
		if (p[0] < 0xf0) {
			*i += 3;
			return (p[0] & 0x0f) << 12 | (p[1] & 0x3f) << 6 |
			    (p[2] & 0x3f);
		}
		*i += 4;
		return (p[0] & 0x07) << 18 | (p[1] & 0x3f) << 12 |
		    (p[2] & 0x3f) << 6 | (p[3] & 0x3f);
	}
	*i += 2;
	switch (p[1]) {
	case 'b': return '\b';
	case 'f': return '\f';
	case 'n': return '\n';
	case 'r': return '\r';
	case 't': return '\t';
	case 'u':
		break;
	default:
		return p[1];
	}
	cp = hex4(s + *i);
	*i += 4;
	if (cp >= 0xd800 && cp <= 0xdbff && *i + 6 <= len &&
	    s[*i] == '\\' && s[*i + 1] == 'u' &&
	    (lo = hex4(s + *i + 2)) >= 0xdc00 && lo <= 0xdfff) {
		*i += 6;
		return 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
	}
	if (cp >= 0xd800 && cp <= 0xdfff)
		return 0xfffd;
	return cp;
}

size_t
jvalue_length(const struct jvalues *vs, size_t v)
{
	const char	*s;
	size_t		 i = 0, n = 0, len;

	s = jvalue_string(vs, v, &len);
	while (i < len) {
		str_next(s, len, &i);
		n++;
	}
	return n;
}

static int
str_equal(const char *a, size_t alen, const char *b, size_t blen)
{
	size_t	 i = 0, k = 0;

	if (memchr(a, '\\', alen) == NULL && memchr(b, '\\', blen) == NULL)
		return alen == blen && memcmp(a, b, alen) == 0;
	while (i < alen && k < blen)
		if (str_next(a, alen, &i) != str_next(b, blen, &k))
			return 0;
	return i == alen && k == blen;
}

void
jvalue_decimal(const struct jvalues *vs, size_t i, struct decimal *d)
{
	decimal_parse(d, vs->text + vs->v[i].off, vs->v[i].len);
}

int
jvalue_equal(const struct jvalues *a, size_t i, const struct jvalues *b,
    size_t k)
{
	struct decimal	 da, db;
	const char	*sa, *sb, *ka, *kb;
	size_t		 la, lb, n, x, y, m, lka, lkb;
	int		 found;

	if (a->v[i].type != b->v[k].type)
		return 0;
	switch (a->v[i].type) {
	case JSON_NUMBER:
		jvalue_decimal(a, i, &da);
		jvalue_decimal(b, k, &db);
		return decimal_cmp(&da, &db) == 0;
	case JSON_STRING:
		sa = jvalue_string(a, i, &la);
		sb = jvalue_string(b, k, &lb);
		return str_equal(sa, la, sb, lb);
	case JSON_ARRAY:
		if (a->v[i].n != b->v[k].n)
			return 0;
		for (n = 0, x = i + 1, y = k + 1; n < a->v[i].n; n++) {
			if (!jvalue_equal(a, x, b, y))
				return 0;
			x = a->v[x].next;
			y = b->v[y].next;
		}
		return 1;
	case JSON_OBJECT:
		if (a->v[i].n != b->v[k].n)
			return 0;
		for (n = 0, x = i + 1; n < a->v[i].n; n++) {
			ka = jvalue_string(a, x, &lka);
			found = 0;
			for (m = 0, y = k + 1; m < b->v[k].n && !found; m++) {
				kb = jvalue_string(b, y, &lkb);
				if (str_equal(ka, lka, kb, lkb) &&
				    jvalue_equal(a, x + 1, b, y + 1))
					found = 1;
				y = b->v[y + 1].next;
			}
			if (!found)
				return 0;
			x = a->v[x + 1].next;
		}
		return 1;
	default:
		return 1;
	}
}

/* Quoting. */

/*
 * Append UTF-8 text s with what a terminal or a log could act on escaped:
 * control characters, DEL, C1 controls, line and paragraph separators,
 * bidi controls, BOM.  With quotes set, '"' and '\\' too, as in JSON.
 * At most max bytes of input are used; *cut says if that was not all.
 */
int
jvalue_add_safe(struct buf *b, const char *s, size_t len, size_t max,
    int quotes, int *cut)
{
	const unsigned char	*p = (const unsigned char *)s;
	size_t			 i = 0, n;
	unsigned int		 cp;
	char			 esc[8];

	*cut = 0;
	while (i < len) {
		n = p[i] < 0x80 ? 1 : p[i] < 0xe0 ? 2 : p[i] < 0xf0 ? 3 : 4;
		if (n > len - i)
			n = len - i;
		if (i + n > max) {
			*cut = 1;
			break;
		}
		cp = p[i];
		if (n == 2)
			cp = (p[i] & 0x1f) << 6 | (p[i + 1] & 0x3f);
		else if (n == 3)
			cp = (p[i] & 0x0f) << 12 | (p[i + 1] & 0x3f) << 6 |
			    (p[i + 2] & 0x3f);
		if (quotes && (cp == '"' || cp == '\\')) {
			esc[0] = '\\';
			esc[1] = cp;
			if (buf_add(b, esc, 2) == -1)
				return -1;
		} else if (cp == '\n' || cp == '\t' || cp == '\r') {
			esc[0] = '\\';
			esc[1] = cp == '\n' ? 'n' : cp == '\t' ? 't' : 'r';
			if (buf_add(b, esc, 2) == -1)
				return -1;
		} else if (cp < 0x20 || (cp >= 0x7f && cp < 0xa0) ||
		    cp == 0x2028 || cp == 0x2029 ||
		    (cp >= 0x202a && cp <= 0x202e) ||
		    (cp >= 0x2066 && cp <= 0x2069) || cp == 0x200e ||
		    cp == 0x200f || cp == 0xfeff) {
			snprintf(esc, sizeof(esc), "\\u%04x", cp);
			if (buf_add(b, esc, 6) == -1)
				return -1;
		} else if (buf_add(b, s + i, n) == -1)
			return -1;
		i += n;
	}
	return 0;
}

int
jvalue_quote_text(struct buf *b, const char *s, size_t len)
{
	int	 cut;

	if (buf_addc(b, '"') == -1 ||
	    jvalue_add_safe(b, s, len, JVALUE_QUOTE_MAX, 1, &cut) == -1 ||
	    (cut && buf_adds(b, "...") == -1) || buf_addc(b, '"') == -1)
		return -1;
	return 0;
}

int
jvalue_quote(struct buf *b, struct buf *tmp, const struct jvalues *vs,
    size_t i)
{
	const struct jvalue	*v = &vs->v[i];
	const char		*s;
	size_t			 len;
	int			 cut;

	buf_reset(tmp);
	switch (v->type) {
	case JSON_STRING:
		s = jvalue_string(vs, i, &len);
		if (len > 8 * JVALUE_QUOTE_MAX)
			len = 8 * JVALUE_QUOTE_MAX;
		while (len > 0 && json_decode_string(tmp, s, len) == 0 &&
		    !json_utf8_valid(tmp->data, tmp->len)) {
			/* A cut escape or sequence: cut less. */
			buf_reset(tmp);
			len--;
		}
		return jvalue_quote_text(b, tmp->data, tmp->len);
	case JSON_OBJECT:
	case JSON_ARRAY:
		len = v->len < 8 * JVALUE_QUOTE_MAX ? v->len :
		    8 * JVALUE_QUOTE_MAX;
		if (json_compact(tmp, vs->text + v->off, len, 0) == -1)
			return -1;
		if (!json_utf8_valid(tmp->data, tmp->len))
			tmp->len = 0;
		if (jvalue_add_safe(b, tmp->data, tmp->len, JVALUE_QUOTE_MAX,
		    0, &cut) == -1 ||
		    ((cut || len < v->len) && buf_adds(b, "...") == -1))
			return -1;
		return 0;
	default:
		if (jvalue_add_safe(b, vs->text + v->off, v->len,
		    JVALUE_QUOTE_MAX, 0, &cut) == -1 ||
		    (cut && buf_adds(b, "...") == -1))
			return -1;
		return 0;
	}
}

