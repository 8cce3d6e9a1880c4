/*
 * jsmn is a tokenizer, not a validator: even in strict mode it takes
 * {"a" "b"}, [1,], 01, tru and raw control characters in strings, and it
 * knows nothing of UTF-8.  Rows are copied to the output byte for byte, so
 * whatever a tokenizer accepts and JSON does not would leak out as invalid
 * JSON.  So the strict validator below makes the tokens itself, as it
 * goes: one pass over each row and each response instead of a validation
 * and then jsmn's, which between them cost 12,000 instructions a row of
 * the 96,000 a row took in all (bench/NOTES.md).  The tokens are what
 * jsmn's were (tests/unit/test_json.c compares the two on the same texts,
 * tests/fuzz/fuzz_json.c on any): a container's size counts its members
 * or elements, a key's is 1, a string's span is inside its quotes.  The
 * validator also bounds nesting; its stack is one byte per open container
 * (and its token's index), so no recursion can overflow.
 */
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "json.h"

/* Offsets are ints: json_parse refuses a text past INT_MAX - 2 bytes. */
struct token {
	enum json_type	 type;
	int		 start;		/* a string's first byte inside its
					 * quotes */
	int		 end;		/* one past the last; a string's
					 * closing quote */
	int		 size;		/* members or elements; a key's 1 */
	int		 next;		/* the token after it and all it
					 * holds */
	int		 escaped;	/* a string with a backslash */
};

struct json {
	const char	*text;
	size_t		 len;
	struct token	*tok;		/* ntok tokens, then a sentinel */
	unsigned int	 ntok;
	unsigned int	 cap;
};

struct json *
json_new(void)
{
	return calloc(1, sizeof(struct json));
}

void
json_shrink(struct json *j, size_t keep)
{
	if (j->cap <= keep)
		return;
	free(j->tok);
	j->tok = NULL;
	j->cap = j->ntok = 0;
}

void
json_free(struct json *j)
{
	if (j == NULL)
		return;
	free(j->tok);
	free(j);
}

static int
is_ws(unsigned char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

static int
is_hex(unsigned char c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') ||
	    (c >= 'A' && c <= 'F');
}

/* Length of the well-formed UTF-8 sequence at p, or 0. */
static size_t
utf8_len(const unsigned char *p, size_t n)
{
	unsigned char	 c = p[0];

	if (c < 0x80)
		return 1;
	if (c < 0xc2 || c > 0xf4)
		return 0;
	if (n < 2 || (p[1] & 0xc0) != 0x80)
		return 0;
	if (c < 0xe0)
		return 2;
	if (n < 3 || (p[2] & 0xc0) != 0x80)
		return 0;
	if ((c == 0xe0 && p[1] < 0xa0) || (c == 0xed && p[1] >= 0xa0))
		return 0;	/* overlong, or a surrogate */
	if (c < 0xf0)
		return 3;
	if (n < 4 || (p[3] & 0xc0) != 0x80)
		return 0;
	if ((c == 0xf0 && p[1] < 0x90) || (c == 0xf4 && p[1] >= 0x90))
		return 0;	/* overlong, or above U+10FFFF */
	return 4;
}

int
json_utf8_valid(const char *s, size_t len)
{
	size_t	 i, n;

	for (i = 0; i < len; i += n)
		if ((n = utf8_len((const unsigned char *)s + i, len - i)) == 0)
			return 0;
	return 1;
}

static int
fail(char *err, size_t errlen, size_t pos, const char *what)
{
	snprintf(err, errlen, "invalid JSON at byte %zu: %s", pos + 1, what);
	return -1;
}

/*
 * Bytes that stand for themselves inside a string: printable ASCII but the
 * quote and the backslash.  A table keeps the hot loop to one load and one
 * branch per byte; strings are most of what rows and responses hold.
 */
#define P8(c)	1, 1, 1, 1, 1, 1, 1, 1
static const unsigned char plain[256] = {
	[0x20] = 1, 1, 0, 1, 1, 1, 1, 1,	/* '"' is 0x22 */
	P8(0x28),
	P8(0x30), P8(0x38),
	P8(0x40), P8(0x48), P8(0x50),
	[0x58] = 1, 1, 1, 1, 0, 1, 1, 1,	/* '\\' is 0x5c */
	P8(0x60), P8(0x68), P8(0x70), P8(0x78),
};
#undef P8

/* Bytes of a word, each x: for the tests of eight bytes at once. */
#define BYTES(x)	(0x0101010101010101ULL * (x))

/*
 * Which of eight bytes stand for more than themselves: a control byte, a
 * quote, a backslash, or one of UTF-8's (Hacker's Delight's "has a byte
 * less than n" and "has a zero byte"), each flagged by its top bit; 0 if
 * none does.  About two operations a byte against the table's five.  A
 * byte above a flagged one may be flagged wrongly (a borrow runs
 * upward, to the bytes after it), but the first flagged is always
 * right, and that is the one first_special finds.
 */
static inline uint64_t
special8(const unsigned char *p)
{
	uint64_t	 w, q, b;

	memcpy(&w, p, sizeof(w));
#if __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
	w = __builtin_bswap64(w);	/* the first byte lowest */
#endif
	q = w ^ BYTES('"');
	b = w ^ BYTES('\\');
	return (((w - BYTES(0x20)) & ~w) | ((q - BYTES(1)) & ~q) |
	    ((b - BYTES(1)) & ~b) | w) & BYTES(0x80);
}

/* The place of the first byte special8 flagged. */
static inline size_t
first_special(uint64_t m)
{
	return __builtin_ctzll(m) / 8;
}

/*
 * Scan a string whose opening quote is at *pos; leave *pos after it.
 * 1 if it holds an escape, 0 if not (its raw bytes are its text), -1.
 */
static inline int
scan_string(const unsigned char *s, size_t len, size_t *pos, char *err,
    size_t errlen)
{
	size_t		 i = *pos + 1, n;
	uint64_t	 m = 0;
	int		 escaped = 0;

	for (;;) {
		while (i + 8 <= len && (m = special8(s + i)) == 0)
			i += 8;
		if (i + 8 <= len)
			i += first_special(m);
		else
			while (i < len && plain[s[i]])
				i++;
		if (i >= len)
			return fail(err, errlen, *pos, "unterminated string");
		if (s[i] == '"')
			break;
		if (s[i] == '\\') {
			escaped = 1;
			if (i + 1 >= len)
				return fail(err, errlen, i, "bad escape");
			switch (s[i + 1]) {
			case '"': case '\\': case '/': case 'b': case 'f':
			case 'n': case 'r': case 't':
				i += 2;
				continue;
			case 'u':
				if (i + 5 >= len || !is_hex(s[i + 2]) ||
				    !is_hex(s[i + 3]) || !is_hex(s[i + 4]) ||
				    !is_hex(s[i + 5]))
					return fail(err, errlen, i,
					    "bad \\u escape");
				i += 6;
				continue;
			default:
				return fail(err, errlen, i, "bad escape");
			}
		}
		if (s[i] < 0x20)
			return fail(err, errlen, i,
			    "control character in string");
		if ((n = utf8_len(s + i, len - i)) == 0)
			return fail(err, errlen, i, "invalid UTF-8");
		i += n;
	}
	*pos = i + 1;
	return escaped;
}

static int
scan_digits(const unsigned char *s, size_t len, size_t *i)
{
	size_t	 start = *i;

	while (*i < len && s[*i] >= '0' && s[*i] <= '9')
		(*i)++;
	return *i > start;
}

static int
scan_number(const unsigned char *s, size_t len, size_t *pos, char *err,
    size_t errlen)
{
	size_t	 i = *pos;

	if (s[i] == '-')
		i++;
	if (i < len && s[i] == '0')
		i++;
	else if (!scan_digits(s, len, &i))
		return fail(err, errlen, *pos, "bad number");
	if (i < len && s[i] == '.') {
		i++;
		if (!scan_digits(s, len, &i))
			return fail(err, errlen, *pos, "bad number");
	}
	if (i < len && (s[i] == 'e' || s[i] == 'E')) {
		i++;
		if (i < len && (s[i] == '+' || s[i] == '-'))
			i++;
		if (!scan_digits(s, len, &i))
			return fail(err, errlen, *pos, "bad number");
	}
	*pos = i;
	return 0;
}

static int
scan_word(const unsigned char *s, size_t len, size_t *pos, const char *w,
    char *err, size_t errlen)
{
	size_t	 n = strlen(w);

	if (len - *pos < n || memcmp(s + *pos, w, n) != 0)
		return fail(err, errlen, *pos, "unexpected character");
	*pos += n;
	return 0;
}

static size_t
skip_ws(const unsigned char *s, size_t len, size_t i)
{
	while (i < len && is_ws(s[i]))
		i++;
	return i;
}

/*
 * A token, when tokens are made (j is not NULL): its index, or -1 if out
 * of memory.  There is always room for one more after it, the sentinel.
 */
static inline int
token(struct json *j, enum json_type type, size_t start, size_t end)
{
	struct token	*t;
	unsigned int	 cap;

	if (__builtin_expect(j->ntok + 2 > j->cap, 0)) {
		cap = j->cap < 32 ? 64 : 2 * j->cap;
		if (j->cap > UINT_MAX / 2 ||
		    (t = reallocarray(j->tok, cap, sizeof(*t))) == NULL)
			return -1;
		j->tok = t;
		j->cap = cap;
	}
	t = &j->tok[j->ntok];
	t->type = type;
	t->start = start;
	t->end = end;
	t->size = 0;
	t->next = j->ntok + 1;	/* a container's is set when it closes */
	t->escaped = 0;
	return j->ntok++;
}

/* A container ends at end: all it holds are the tokens made since it. */
static inline void
close_token(struct json *j, int t, size_t end)
{
	j->tok[t].end = end;
	j->tok[t].next = j->ntok;
}

/*
 * An iterative descent over the grammar, making tokens when j is not
 * NULL: kind holds one byte per open container, open its token.
 */
static int
scan(struct json *j, const char *text, size_t len, char *err, size_t errlen)
{
	const unsigned char	*s = (const unsigned char *)text;
	char			 kind[JSON_MAX_DEPTH];
	int			 open[JSON_MAX_DEPTH];
	size_t			 i, at, depth = 0;
	enum json_type		 type;
	int			 t, esc, iskey;

	i = skip_ws(s, len, 0);
	if (i == len)
		return fail(err, errlen, i, "no value");
value:
	if (i >= len)
		return fail(err, errlen, i, "value expected");
	if (j != NULL && depth > 0 && kind[depth - 1] == '[')
		j->tok[open[depth - 1]].size++;
	at = i;
	switch (s[i]) {
	case '{':
	case '[':
		if (depth == JSON_MAX_DEPTH) {
			snprintf(err, errlen, "JSON nested deeper than %d "
			    "levels", JSON_MAX_DEPTH);
			return -1;
		}
		if (j != NULL && (open[depth] = token(j, s[i] == '{' ?
		    JSON_OBJECT : JSON_ARRAY, i, i)) == -1)
			goto nomem;
		kind[depth++] = s[i];
		i = skip_ws(s, len, i + 1);
		if (i < len && s[i] == (kind[depth - 1] == '{' ? '}' : ']')) {
			depth--;
			i++;
			if (j != NULL)
				close_token(j, open[depth], i);
			goto after;
		}
		if (kind[depth - 1] == '[')
			goto value;
		goto key;
	case '"':
		iskey = 0;
		goto string;
	case 't':
		if (scan_word(s, len, &i, "true", err, errlen) == -1)
			return -1;
		type = JSON_TRUE;
		break;
	case 'f':
		if (scan_word(s, len, &i, "false", err, errlen) == -1)
			return -1;
		type = JSON_FALSE;
		break;
	case 'n':
		if (scan_word(s, len, &i, "null", err, errlen) == -1)
			return -1;
		type = JSON_NULL;
		break;
	default:
		if (s[i] == '-' || (s[i] >= '0' && s[i] <= '9')) {
			if (scan_number(s, len, &i, err, errlen) == -1)
				return -1;
			type = JSON_NUMBER;
			break;
		}
		if (s[i] >= 0x80 || s[i] < 0x20)
			return fail(err, errlen, i, "unexpected byte");
		return fail(err, errlen, i, "unexpected character");
	}
	if (j != NULL && token(j, type, at, i) == -1)
		goto nomem;
	goto after;
key:
	if (i >= len || s[i] != '"')
		return fail(err, errlen, i, "object key expected");
	iskey = 1;
	at = i;
	/* Keys and values alike: one place that scans a string, which the
	 * compiler then puts inline. */
string:
	if ((esc = scan_string(s, len, &i, err, errlen)) == -1)
		return -1;
	if (j != NULL) {
		if ((t = token(j, JSON_STRING, at + 1, i - 1)) == -1)
			goto nomem;
		j->tok[t].escaped = esc;
		if (iskey) {
			j->tok[t].size = 1;
			j->tok[open[depth - 1]].size++;
		}
	}
	if (!iskey)
		goto after;
	i = skip_ws(s, len, i);
	if (i >= len || s[i] != ':')
		return fail(err, errlen, i, "':' expected");
	i = skip_ws(s, len, i + 1);
	goto value;
after:
	i = skip_ws(s, len, i);
	if (depth == 0) {
		if (i != len)
			return fail(err, errlen, i, "data after the value");
		return 0;
	}
	if (i >= len)
		return fail(err, errlen, i, "unexpected end");
	if (s[i] == ',') {
		i = skip_ws(s, len, i + 1);
		if (kind[depth - 1] == '{')
			goto key;
		goto value;
	}
	if (s[i] == (kind[depth - 1] == '{' ? '}' : ']')) {
		depth--;
		i++;
		if (j != NULL)
			close_token(j, open[depth], i);
		goto after;
	}
	return fail(err, errlen, i, kind[depth - 1] == '{' ?
	    "',' or '}' expected" : "',' or ']' expected");
nomem:
	snprintf(err, errlen, "out of memory for JSON tokens");
	return -1;
}

int
json_validate(const char *text, size_t len, char *err, size_t errlen)
{
	return scan(NULL, text, len, err, errlen);
}

int
json_parse(struct json *j, const char *text, size_t len, char *err,
    size_t errlen)
{
	j->ntok = 0;
	if (len > INT_MAX - 2) {
		snprintf(err, errlen, "JSON text longer than %d bytes",
		    INT_MAX - 2);
		return -1;
	}
	if (scan(j, text, len, err, errlen) == -1) {
		j->ntok = 0;
		return -1;
	}
	j->text = text;
	j->len = len;
	/* A sentinel that starts after everything ends subtree walks. */
	j->tok[j->ntok] = (struct token){ .type = JSON_NONE, .start = INT_MAX,
	    .end = INT_MAX, .size = 0, .next = j->ntok + 1, .escaped = 0 };
	return 0;
}

const char *
json_text(const struct json *j)
{
	return j->text;
}

enum json_type
json_type(const struct json *j, int t)
{
	if (t < 0 || (unsigned int)t >= j->ntok)
		return JSON_NONE;
	return j->tok[t].type;
}

void
json_span(const struct json *j, int t, size_t *off, size_t *len)
{
	size_t	 a = j->tok[t].start, b = j->tok[t].end;

	if (j->tok[t].type == JSON_STRING) {
		a--;
		b++;
	}
	*off = a;
	*len = b - a;
}

void
json_string_raw(const struct json *j, int t, const char **p, size_t *len)
{
	*p = j->text + j->tok[t].start;
	*len = j->tok[t].end - j->tok[t].start;
}

/* The token after t and everything inside it. */
int
json_next(const struct json *j, int t)
{
	return j->tok[t].next;
}

int
json_get(const struct json *j, int obj, const char *key, size_t keylen)
{
	const struct token	*k;
	int			 i, m, n, found = -1;

	if (json_type(j, obj) != JSON_OBJECT)
		return -1;
	n = j->tok[obj].size;
	for (i = obj + 1, m = 0; m < n; m++) {
		k = &j->tok[i];
		/* A key without escapes is its text (json_key_equal's
		 * question without its search for a backslash). */
		if (!k->escaped ? (size_t)(k->end - k->start) == keylen &&
		    memcmp(j->text + k->start, key, keylen) == 0 :
		    json_key_equal(j->text + k->start, k->end - k->start, key,
		    keylen))
			found = i + 1;
		i = j->tok[i + 1].next;
	}
	return found;
}

int
json_index(const struct json *j, int arr, size_t idx)
{
	size_t	 k;
	int	 i;

	if (json_type(j, arr) != JSON_ARRAY ||
	    idx >= (size_t)j->tok[arr].size)
		return -1;
	for (i = arr + 1, k = 0; k < idx; k++)
		i = json_next(j, i);
	return i;
}

/* Read by hand, not by strtonum: the grammar is checked already, and a
 * response's counts are read for every row. */
long long
json_get_count(const struct json *j, int obj, const char *key, long long max)
{
	const char	*p, *end;
	long long	 v = 0;
	int		 t, d, neg;

	t = json_get(j, obj, key, strlen(key));
	if (!json_is_integer(j, t))
		return -1;
	p = j->text + j->tok[t].start;
	end = j->text + j->tok[t].end;
	if ((neg = *p == '-'))
		p++;
	for (; p < end; p++) {
		d = *p - '0';
		if (d > max || v > (max - d) / 10)
			return -1;
		v = 10 * v + d;
	}
	/* -0 is 0; any other below 0 is out of range. */
	return neg && v != 0 ? -1 : v;
}

int
json_is_string(const struct json *j, int t, const char *s)
{
	const char	*raw;
	size_t		 n;

	if (json_type(j, t) != JSON_STRING)
		return 0;
	json_string_raw(j, t, &raw, &n);
	return n == strlen(s) && memcmp(raw, s, n) == 0;
}

size_t
json_len(const struct json *j, int t)
{
	enum json_type	 y = json_type(j, t);

	return y == JSON_ARRAY || y == JSON_OBJECT ? (size_t)j->tok[t].size : 0;
}

int
json_members(const struct json *j, int obj, struct json_members *m)
{
	struct json_member	*v;
	size_t			 off, len;
	int			 i, k, n;

	m->n = 0;
	if (json_type(j, obj) != JSON_OBJECT)
		return -1;
	n = j->tok[obj].size;
	if ((size_t)n > m->cap) {
		if ((v = reallocarray(m->v, n, sizeof(*v))) == NULL)
			return -1;
		m->v = v;
		m->cap = n;
	}
	for (i = obj + 1, k = 0; k < n; k++) {
		v = &m->v[k];
		v->key = j->tok[i].start;
		v->keylen = j->tok[i].end - j->tok[i].start;
		json_span(j, i + 1, &off, &len);
		v->val = off;
		v->valend = off + len;
		i = json_next(j, i + 1);
	}
	m->n = n;
	return 0;
}

void
json_members_free(struct json_members *m)
{
	free(m->v);
	m->v = NULL;
	m->n = m->cap = 0;
}

int
json_is_integer(const struct json *j, int t)
{
	const char	*p;
	size_t		 len;

	if (json_type(j, t) != JSON_NUMBER)
		return 0;
	p = j->text + j->tok[t].start;
	len = j->tok[t].end - j->tok[t].start;
	/* A number of the grammar: a sign and digits, or a fraction or
	 * an exponent too. */
	for (; len > 0; p++, len--)
		if (*p == '.' || *p == 'e' || *p == 'E')
			return 0;
	return 1;
}

int
json_splice(struct buf *b, const char *obj, size_t len,
    const struct json_members *m, const struct json_field *f, size_t nf)
{
	const struct json_member	*mb;
	unsigned char			 small[16], *used = small;
	size_t				 i, k, cur = 0;
	int				 comma, rv = -1;

	if (len < 2)
		return -1;
	if (nf > sizeof(small) && (used = calloc(nf, 1)) == NULL)
		return -1;
	memset(used, 0, nf < sizeof(small) ? sizeof(small) : nf);
	for (i = 0; i < m->n; i++) {
		mb = &m->v[i];
		for (k = 0; k < nf; k++)
			if (json_key_equal(obj + mb->key, mb->keylen,
			    f[k].name, f[k].namelen))
				break;
		if (k == nf)
			continue;
		if (!used[k]) {
			used[k] = 1;
			if (buf_add(b, obj + cur, mb->val - cur) == -1 ||
			    buf_add(b, f[k].value, f[k].valuelen) == -1)
				goto out;
		} else {
			/* A duplicate, never the first member: cut it from
			 * the end of the member before it. */
			if (buf_add(b, obj + cur, m->v[i - 1].valend - cur)
			    == -1)
				goto out;
		}
		cur = mb->valend;
	}
	if (buf_add(b, obj + cur, len - 1 - cur) == -1)
		goto out;
	comma = m->n > 0;
	for (k = 0; k < nf; k++) {
		if (used[k])
			continue;
		if ((comma && buf_addc(b, ',') == -1) ||
		    json_quote(b, f[k].name, f[k].namelen) == -1 ||
		    buf_addc(b, ':') == -1 ||
		    buf_add(b, f[k].value, f[k].valuelen) == -1)
			goto out;
		comma = 1;
	}
	rv = buf_addc(b, '}');
out:
	if (used != small)
		free(used);
	return rv;
}

/*
 * Keys are compared by length first: decoding only ever shortens a key,
 * so a raw key shorter than the name never matches, one of the same length
 * matches only byte for byte and unescaped, and only a longer one with a
 * backslash in it is decoded.
 */
int
json_key_equal(const char *raw, size_t rawlen, const char *name,
    size_t namelen)
{
	struct buf	 b = { 0 };
	int		 eq;

	if (rawlen < namelen)
		return 0;
	if (rawlen == namelen)
		return memcmp(raw, name, namelen) == 0 &&
		    memchr(raw, '\\', rawlen) == NULL;
	if (memchr(raw, '\\', rawlen) == NULL ||
	    json_decode_string(&b, raw, rawlen) == -1) {
		buf_free(&b);
		return 0;
	}
	eq = b.len == namelen && (namelen == 0 ||
	    memcmp(b.data, name, namelen) == 0);
	buf_free(&b);
	return eq;
}

static const char hexdigit[] = "0123456789abcdef";

int
json_escape(struct buf *b, const char *str, size_t len)
{
	const unsigned char	*s = (const unsigned char *)str;
	size_t			 i = 0, run, n;
	char			 esc[6] = { '\\', 'u', '0', '0', 0, 0 };

	/* Room for the common case in one step. */
	if (buf_reserve(b, len + 8) == -1)
		return -1;
	while (i < len) {
		run = i;
		while (i < len && s[i] >= 0x20 && s[i] < 0x80 && s[i] != '"' &&
		    s[i] != '\\')
			i++;
		if (buf_add(b, s + run, i - run) == -1)
			return -1;
		if (i == len)
			break;
		if (s[i] >= 0x80) {
			if ((n = utf8_len(s + i, len - i)) == 0) {
				if (buf_add(b, "\xef\xbf\xbd", 3) == -1)
					return -1;
				i++;
			} else {
				if (buf_add(b, s + i, n) == -1)
					return -1;
				i += n;
			}
			continue;
		}
		switch (s[i]) {
		case '"':
			n = buf_add(b, "\\\"", 2);
			break;
		case '\\':
			n = buf_add(b, "\\\\", 2);
			break;
		case '\n':
			n = buf_add(b, "\\n", 2);
			break;
		case '\r':
			n = buf_add(b, "\\r", 2);
			break;
		case '\t':
			n = buf_add(b, "\\t", 2);
			break;
		case '\b':
			n = buf_add(b, "\\b", 2);
			break;
		case '\f':
			n = buf_add(b, "\\f", 2);
			break;
		default:
			esc[4] = hexdigit[s[i] >> 4];
			esc[5] = hexdigit[s[i] & 0xf];
			n = buf_add(b, esc, 6);
			break;
		}
		if (n != 0)
			return -1;
		i++;
	}
	return 0;
}

int
json_quote(struct buf *b, const char *s, size_t len)
{
	if (buf_addc(b, '"') == -1 || json_escape(b, s, len) == -1 ||
	    buf_addc(b, '"') == -1)
		return -1;
	return 0;
}

static unsigned int
hex4(const char *p)
{
	unsigned int	 v = 0;
	int		 k;

	for (k = 0; k < 4; k++) {
		v <<= 4;
		if (p[k] >= '0' && p[k] <= '9')
			v |= p[k] - '0';
		else if (p[k] >= 'a' && p[k] <= 'f')
			v |= p[k] - 'a' + 10;
		else
			v |= p[k] - 'A' + 10;
	}
	return v;
}

static int
add_utf8(struct buf *b, unsigned int cp)
{
	char	 u[4];

	if (cp < 0x80) {
		u[0] = cp;
		return buf_add(b, u, 1);
	}
	if (cp < 0x800) {
		u[0] = 0xc0 | (cp >> 6);
		u[1] = 0x80 | (cp & 0x3f);
		return buf_add(b, u, 2);
	}
	if (cp < 0x10000) {
		u[0] = 0xe0 | (cp >> 12);
		u[1] = 0x80 | ((cp >> 6) & 0x3f);
		u[2] = 0x80 | (cp & 0x3f);
		return buf_add(b, u, 3);
	}
	u[0] = 0xf0 | (cp >> 18);
	u[1] = 0x80 | ((cp >> 12) & 0x3f);
	u[2] = 0x80 | ((cp >> 6) & 0x3f);
	u[3] = 0x80 | (cp & 0x3f);
	return buf_add(b, u, 4);
}

void
json_get_text(const struct json *j, int obj, const char *key, char *out,
    size_t outlen)
{
	struct buf	 b = { 0 };
	const char	*raw;
	size_t		 len;
	int		 t = json_get(j, obj, key, strlen(key));

	*out = '\0';
	if (json_type(j, t) != JSON_STRING)
		return;
	json_string_raw(j, t, &raw, &len);
	if (json_decode_string(&b, raw, len) == 0)
		snprintf(out, outlen, "%.*s", (int)b.len, b.data ? b.data : "");
	buf_free(&b);
}

/* Lone surrogates decode to U+FFFD, so the result is always UTF-8. */
int
json_decode_string(struct buf *b, const char *s, size_t len)
{
	size_t		 i = 0, run;
	unsigned int	 cp, lo;
	char		 c;

	if (buf_reserve(b, len) == -1)
		return -1;
	while (i < len) {
		run = i;
		while (i < len && s[i] != '\\')
			i++;
		if (buf_add(b, s + run, i - run) == -1)
			return -1;
		if (i + 1 >= len)
			break;
		c = s[i + 1];
		i += 2;
		switch (c) {
		case 'b': c = '\b'; break;
		case 'f': c = '\f'; break;
		case 'n': c = '\n'; break;
		case 'r': c = '\r'; break;
		case 't': c = '\t'; break;
		case 'u':
			if (i + 4 > len)
				return 0;
			cp = hex4(s + i);
			i += 4;
			if (cp >= 0xd800 && cp <= 0xdbff && i + 6 <= len &&
			    s[i] == '\\' && s[i + 1] == 'u' &&
			    (lo = hex4(s + i + 2)) >= 0xdc00 && lo <= 0xdfff) {
				cp = 0x10000 + ((cp - 0xd800) << 10) +
				    (lo - 0xdc00);
				i += 6;
			} else if (cp >= 0xd800 && cp <= 0xdfff)
				cp = 0xfffd;
			if (add_utf8(b, cp) == -1)
				return -1;
			continue;
		default:
			break;	/* '"', '\\', '/' stand for themselves */
		}
		if (buf_addc(b, c) == -1)
			return -1;
	}
	return 0;
}

int
json_compact(struct buf *b, const char *s, size_t len, int escape)
{
	size_t	 i = 0, run;

	if (buf_reserve(b, len) == -1)
		return -1;
	while (i < len) {
		if (is_ws((unsigned char)s[i])) {
			i++;
			continue;
		}
		if (s[i] != '"') {
			run = i;
			while (i < len && !is_ws((unsigned char)s[i]) &&
			    s[i] != '"')
				i++;
			if (buf_add(b, s + run, i - run) == -1)
				return -1;
			continue;
		}
		/* A string: copied as is, or with its quotes and escapes
		 * escaped once more.  Valid JSON has no control bytes here. */
		run = i;
		for (i++; i < len && s[i] != '"'; i++)
			if (s[i] == '\\')
				i++;
		if (++i > len)
			i = len;
		if (!escape) {
			if (buf_add(b, s + run, i - run) == -1)
				return -1;
			continue;
		}
		for (; run < i; run++) {
			if ((s[run] == '"' || s[run] == '\\') &&
			    buf_addc(b, '\\') == -1)
				return -1;
			if (buf_addc(b, s[run]) == -1)
				return -1;
		}
	}
	return 0;
}

/* The code unit of the \uXXXX escape at s, or -1. */
static long
escape_unit(const char *s, size_t left)
{
	size_t	 k;

	if (left < 6 || s[0] != '\\' || s[1] != 'u')
		return -1;
	for (k = 2; k < 6; k++)
		if (!isxdigit((unsigned char)s[k]))
			return -1;
	return hex4(s + 2);
}

void
json_fix_surrogates(char *s, size_t len)
{
	char	*p = s, *end = s + len;
	long	 u;

	while ((p = memchr(p, '\\', end - p)) != NULL) {
		if ((u = escape_unit(p, end - p)) < 0) {
			p += 2;		/* \" \\ \n ...: one escape */
			if (p >= end)
				break;
			continue;
		}
		if (u >= 0xd800 && u <= 0xdbff &&
		    (u = escape_unit(p + 6, end - p - 6)) >= 0xdc00 &&
		    u <= 0xdfff) {
			p += 12;	/* a pair: one character */
			continue;
		}
		if ((u = escape_unit(p, end - p)) >= 0xd800 && u <= 0xdfff)
			memcpy(p + 2, "fffd", 4);
		p += 6;
	}
}
