#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "template.h"
#include "text.h"

/*
 * A compiled template is a list of parts.  Literal text is kept twice, as
 * is and already JSON-escaped, so rendering a request body escapes nothing
 * but the fields.  A path keeps its components as offsets into the source.
 */
struct comp {
	size_t	 off;
	size_t	 len;
	long long index;	/* the component as an array index, or -1 */
};

struct part {
	int	 field;		/* 0: literal, 1: path */
	int	 instr;		/* TMPL_BODY: the path is inside a string */
	size_t	 text;		/* literal: offset into lit/esc */
	size_t	 textlen;
	size_t	 esc;
	size_t	 esclen;
	size_t	 comp;		/* path: first component in comps */
	size_t	 ncomp;		/* 0 for the whole row */
	size_t	 src;		/* path as written, for messages */
	size_t	 srclen;
};

struct tmpl {
	struct buf	 src;		/* the placeholders' text */
	struct buf	 lit;		/* literal text, unescaped */
	struct buf	 esc;		/* literal text, JSON-escaped */
	struct part	*parts;
	size_t		 nparts;
	struct comp	*comps;
	size_t		 ncomps;
	int		 fields;
	int		 flags;		/* TMPL_EMPTY */
};

static int
add_part(struct tmpl *t, struct part *p)
{
	struct part	*v;

	if ((v = reallocarray(t->parts, t->nparts + 1, sizeof(*v))) == NULL)
		return -1;
	t->parts = v;
	t->parts[t->nparts++] = *p;
	return 0;
}

/* Close the literal run that started at lit offset start. */
static int
end_literal(struct tmpl *t, size_t start)
{
	struct part	 p = { 0 };

	if (t->lit.len == start)
		return 0;
	p.text = start;
	p.textlen = t->lit.len - start;
	p.esc = t->esc.len;
	if (json_escape(&t->esc, t->lit.data + start, p.textlen) == -1)
		return -1;
	p.esclen = t->esc.len - p.esc;
	return add_part(t, &p);
}

static int
add_path(struct tmpl *t, const char *s, size_t len, int instr, char *err,
    size_t errlen)
{
	struct part	 p = { 0 };
	struct comp	*c;
	const char	*dot;
	size_t		 off, n, k;

	while (len > 0 && (*s == ' ' || *s == '\t'))
		s++, len--;
	while (len > 0 && (s[len - 1] == ' ' || s[len - 1] == '\t'))
		len--;
	if (len == 0) {
		snprintf(err, errlen, "empty placeholder {{}}");
		return -1;
	}
	p.field = 1;
	p.instr = instr;
	p.src = t->src.len;
	p.srclen = len;
	p.comp = t->ncomps;
	if (buf_add(&t->src, s, len) == -1)
		return -1;
	t->fields = 1;
	if (len == 1 && *s == '.')
		return add_part(t, &p);		/* the whole row */
	for (off = 0; off <= len; off = n + 1) {
		dot = memchr(s + off, '.', len - off);
		n = dot ? (size_t)(dot - s) : len;
		if (n == off) {
			snprintf(err, errlen, "empty name in placeholder "
			    "{{%.*s}}", (int)len, s);
			return -1;
		}
		if ((c = reallocarray(t->comps, t->ncomps + 1,
		    sizeof(*c))) == NULL)
			return -1;
		t->comps = c;
		c = &t->comps[t->ncomps++];
		c->off = p.src + off;
		c->len = n - off;
		c->index = -1;
		if (c->len <= 18 && (c->len == 1 || s[off] != '0')) {
			c->index = 0;
			for (k = off; k < n && s[k] >= '0' && s[k] <= '9'; k++)
				c->index = c->index * 10 + (s[k] - '0');
			if (k != n)
				c->index = -1;
		}
		p.ncomp++;
	}
	return add_part(t, &p);
}

/* Where a TMPL_BODY template's text stands: in a JSON string or not. */
static void
track(int *instr, int *esc, char c)
{
	if (!*instr)
		*instr = c == '"';
	else if (*esc)
		*esc = 0;
	else if (c == '\\')
		*esc = 1;
	else if (c == '"')
		*instr = 0;
}

static int check_body(const struct tmpl *, char *, size_t);

struct tmpl *
tmpl_compile(const char *s, size_t len, int flags, char *err, size_t errlen)
{
	struct tmpl	*t;
	const char	*close;
	size_t		 i = 0, start;
	int		 instr = 0, esc = 0;
	char		 c;

	if ((t = calloc(1, sizeof(*t))) == NULL)
		goto nomem;
	t->flags = flags;
	start = 0;
	while (i < len) {
		c = s[i];
		if (c == '\\' && i + 2 < len && s[i + 1] == '{' &&
		    s[i + 2] == '{') {
			if (buf_add(&t->lit, "{{", 2) == -1)
				goto nomem;
			i += 3;
			continue;
		}
		if (c == '\\' && (flags & TMPL_ESCAPES) && i + 1 < len &&
		    (s[i + 1] == 'n' || s[i + 1] == 't' || s[i + 1] == '\\')) {
			c = s[i + 1] == 'n' ? '\n' : s[i + 1] == 't' ? '\t' :
			    '\\';
			if (buf_addc(&t->lit, c) == -1)
				goto nomem;
			i += 2;
			continue;
		}
		if (c == '{' && i + 1 < len && s[i + 1] == '{') {
			close = NULL;
			if (i + 2 < len)
				close = memmem(s + i + 2, len - i - 2, "}}", 2);
			if (close == NULL) {
				snprintf(err, errlen, "unclosed {{ at byte %zu",
				    i + 1);
				goto fail;
			}
			if (end_literal(t, start) == -1)
				goto nomem;
			if (add_path(t, s + i + 2, close - (s + i + 2), instr,
			    err, errlen) == -1)
				goto fail;
			i = close + 2 - s;
			start = t->lit.len;
			continue;
		}
		if (buf_addc(&t->lit, c) == -1)
			goto nomem;
		track(&instr, &esc, c);
		i++;
	}
	if (end_literal(t, start) == -1)
		goto nomem;
	if ((flags & TMPL_BODY) && check_body(t, err, errlen) == -1)
		goto fail;
	return t;
nomem:
	snprintf(err, errlen, "out of memory");
fail:
	tmpl_free(t);
	return NULL;
}

void
tmpl_free(struct tmpl *t)
{
	if (t == NULL)
		return;
	buf_free(&t->src);
	buf_free(&t->lit);
	buf_free(&t->esc);
	free(t->parts);
	free(t->comps);
	free(t);
}

int
tmpl_has_fields(const struct tmpl *t)
{
	return t->fields;
}

static int
lookup(const struct tmpl *t, const struct part *p, const struct json *j,
    int root)
{
	const struct comp	*c;
	size_t			 k;
	int			 v = root;

	for (k = 0; k < p->ncomp && v != -1; k++) {
		c = &t->comps[p->comp + k];
		switch (json_type(j, v)) {
		case JSON_OBJECT:
			v = json_get(j, v, t->src.data + c->off, c->len);
			break;
		case JSON_ARRAY:
			v = c->index < 0 ? -1 : json_index(j, v, c->index);
			break;
		default:
			v = -1;
			break;
		}
	}
	return v;
}

static int
render_value(const struct json *j, int v, struct buf *out,
    enum tmpl_mode mode)
{
	const char	*raw;
	size_t		 off, len;

	switch (json_type(j, v)) {
	case JSON_STRING:
		json_string_raw(j, v, &raw, &len);
		/* Valid JSON string content is already escaped as needed. */
		if (mode == TMPL_JSON)
			return buf_add(out, raw, len);
		return json_decode_string(out, raw, len);
	case JSON_OBJECT:
	case JSON_ARRAY:
		json_span(j, v, &off, &len);
		return json_compact(out, json_text(j) + off, len,
		    mode == TMPL_JSON);
	default:
		json_span(j, v, &off, &len);
		return buf_add(out, json_text(j) + off, len);
	}
}

/*
 * A JSON string's raw text (escapes as written) that holds white space
 * only: blanks, their escapes, and the \u escapes of blanks and of the
 * no-break and zero-width spaces a copy from a web page brings.
 */
static int
raw_blank(const char *s, size_t len)
{
	static const char *const u[] = { "0009", "000a", "000d", "0020",
	    "00a0", "200b", "feff" };
	size_t		 i, k;

	for (i = 0; i < len;) {
		if (text_is_blank(s[i])) {
			i++;
			continue;
		}
		if (s[i] != '\\' || i + 1 >= len)
			return 0;
		if (strchr("ntrf", s[i + 1]) != NULL) {
			i += 2;
			continue;
		}
		if (s[i + 1] != 'u' || i + 6 > len)
			return 0;
		for (k = 0; k < sizeof(u) / sizeof(u[0]); k++)
			if (strncasecmp(s + i + 2, u[k], 4) == 0)
				break;
		if (k == sizeof(u) / sizeof(u[0]))
			return 0;
		i += 6;
	}
	return 1;
}

/* Why the value at v may not fill a placeholder, or NULL if it may. */
static const char *
empty(const struct json *j, int v)
{
	const char	*raw;
	size_t		 len;

	switch (json_type(j, v)) {
	case JSON_NULL:
		return "null";
	case JSON_STRING:
		json_string_raw(j, v, &raw, &len);
		return len == 0 ? "empty" : raw_blank(raw, len) ? "blank" :
		    NULL;
	default:
		return NULL;
	}
}

int
tmpl_render(const struct tmpl *t, const struct json *j, int root,
    struct buf *out, enum tmpl_mode mode, char *err, size_t errlen)
{
	const struct part	*p;
	const char		*why;
	size_t			 k, off, len;
	int			 v;

	for (k = 0; k < t->nparts; k++) {
		p = &t->parts[k];
		if (!p->field) {
			if ((mode == TMPL_JSON ? buf_add(out, t->esc.data +
			    p->esc, p->esclen) : buf_add(out, t->lit.data +
			    p->text, p->textlen)) == -1)
				goto nomem;
			continue;
		}
		if ((v = lookup(t, p, j, root)) == -1) {
			snprintf(err, errlen, "no field \"%.*s\" in the row",
			    (int)(p->srclen > 200 ? 200 : p->srclen),
			    t->src.data + p->src);
			return -1;
		}
		if (!(t->flags & TMPL_EMPTY) && (why = empty(j, v)) != NULL) {
			snprintf(err, errlen, "field \"%.*s\" is %s: not sent "
			    "(--allow-empty sends it)",
			    (int)(p->srclen > 200 ? 200 : p->srclen),
			    t->src.data + p->src, why);
			return -1;
		}
		if (mode == TMPL_VALUES && !p->instr) {
			json_span(j, v, &off, &len);
			if (json_compact(out, json_text(j) + off, len, 0) == -1)
				goto nomem;
		} else if (render_value(j, v, out, mode == TMPL_VALUES ?
		    TMPL_JSON : mode) == -1)
			goto nomem;
	}
	return 0;
nomem:
	snprintf(err, errlen, "out of memory");
	return -1;
}

int
tmpl_lookup(const struct tmpl *t, const struct json *j, int root)
{
	if (t->nparts != 1 || !t->parts[0].field)
		return -1;
	return lookup(t, &t->parts[0], j, root);
}

/*
 * A body template must be a JSON object whatever the rows hold: try it
 * with null for each value placeholder and nothing in the strings.
 */
static int
check_body(const struct tmpl *t, char *err, size_t errlen)
{
	const struct part	*p;
	struct buf		 b = { 0 };
	char			 jerr[128];
	size_t			 k, i;
	int			 rv = 0;

	for (k = 0; k < t->nparts; k++) {
		p = &t->parts[k];
		if (!p->field)
			rv |= buf_add(&b, t->lit.data + p->text, p->textlen);
		else if (!p->instr)
			rv |= buf_adds(&b, "null");
	}
	if (rv == -1) {
		snprintf(err, errlen, "out of memory");
		rv = -1;
	} else if (json_validate(b.data ? b.data : "", b.len, jerr,
	    sizeof(jerr)) == -1) {
		snprintf(err, errlen, "not a JSON template: %s", jerr);
		rv = -1;
	} else {
		for (i = 0; i < b.len && text_is_blank(b.data[i]); i++)
			;
		if (b.data[i] != '{') {
			snprintf(err, errlen, "not a JSON object");
			rv = -1;
		}
	}
	buf_free(&b);
	return rv;
}
