#include <sys/tree.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "idset.h"
#include "text.h"

/*
 * A red-black tree from sys/tree.h: resume files hold up to millions of
 * IDs, each looked up once per input row, and log n compares of short keys
 * cost well under a microsecond.
 */
struct id {
	RB_ENTRY(id)	 entry;
	size_t		 done;		/* occurrences done, not yet taken */
	size_t		 len;
	char		 key[];
};

RB_HEAD(idtree, id);

struct idset {
	struct idtree	 tree;
	size_t		 count;
};

static int
id_cmp(const struct id *a, const struct id *b)
{
	int	 c;

	if (a->len != b->len)
		return a->len < b->len ? -1 : 1;
	c = memcmp(a->key, b->key, a->len);
	return c < 0 ? -1 : c > 0;
}

/* libbsd leaves __unused undefined, which RB_GENERATE_STATIC needs. */
RB_GENERATE_INTERNAL(idtree, id, entry, id_cmp, static __attribute__((unused)))

struct idset *
idset_new(void)
{
	struct idset	*s;

	if ((s = calloc(1, sizeof(*s))) == NULL)
		return NULL;
	RB_INIT(&s->tree);
	return s;
}

void
idset_free(struct idset *s)
{
	struct id	*n, *next;

	if (s == NULL)
		return;
	RB_FOREACH_SAFE(n, idtree, &s->tree, next) {
		RB_REMOVE(idtree, &s->tree, n);
		free(n);
	}
	free(s);
}

static struct id *
find(const struct idset *s, const char *key, size_t len)
{
	struct id	*n;
	int		 c;

	/* RB_FIND wants a whole node; walking by hand avoids building one. */
	n = RB_ROOT(&s->tree);
	while (n != NULL) {
		if (len != n->len)
			c = len < n->len ? -1 : 1;
		else
			c = len > 0 ? memcmp(key, n->key, len) : 0;
		if (c == 0)
			return n;
		n = c < 0 ? RB_LEFT(n, entry) : RB_RIGHT(n, entry);
	}
	return NULL;
}

int
idset_add(struct idset *s, const char *key, size_t len)
{
	struct id	*n;

	if ((n = find(s, key, len)) != NULL) {
		n->done++;
		return 0;
	}
	if ((n = malloc(sizeof(*n) + len)) == NULL)
		return -1;
	n->done = 1;
	n->len = len;
	if (len > 0)		/* the empty ID may come as a NULL buffer */
		memcpy(n->key, key, len);
	RB_INSERT(idtree, &s->tree, n);
	s->count++;
	return 1;
}

int
idset_has(const struct idset *s, const char *key, size_t len)
{
	return find(s, key, len) != NULL;
}

int
idset_take(struct idset *s, const char *key, size_t len)
{
	struct id	*n;

	if ((n = find(s, key, len)) == NULL)
		return IDSET_NEW;
	if (n->done == 0)
		return IDSET_AGAIN;
	n->done--;
	return IDSET_DONE;
}

size_t
idset_count(const struct idset *s)
{
	return s->count;
}

int
idset_key(const struct json *j, int t, struct buf *key)
{
	const char	*raw;
	size_t		 off, len;

	buf_reset(key);
	if (json_type(j, t) == JSON_STRING) {
		json_string_raw(j, t, &raw, &len);
		return json_decode_string(key, raw, len);
	}
	if (!json_is_integer(j, t))
		return -1;
	json_span(j, t, &off, &len);
	return buf_add(key, json_text(j) + off, len);
}

/*
 * An OpenAI Batch output line reports an HTTP error as a response with
 * its status code and a null error: that row is not done either.
 */
static int
batch_failed(const struct json *j)
{
	char	 code[4];
	size_t	 off, len;
	int	 t;

	if (json_get(j, 0, "custom_id", 9) == -1)
		return 0;
	t = json_get(j, json_get(j, 0, "response", 8), "status_code", 11);
	if (!json_is_integer(j, t))
		return 0;
	json_span(j, t, &off, &len);
	if (len != 3)
		return 1;
	memcpy(code, json_text(j) + off, 3);
	return code[0] != '2';
}

/*
 * Text that a bare ID may be (jq -r .id prints one a line): UTF-8 without
 * control characters.  What is not is no ID file at all: gzip, binary.
 */
static int
text_line(const char *p, size_t len)
{
	size_t	 k;

	for (k = 0; k < len; k++)
		if (((unsigned char)p[k] < 0x20 && p[k] != '\t') ||
		    p[k] == 0x7f)
			return 0;
	return json_utf8_valid(p, len);
}

/*
 * Take one line of a resume file: an object (a row written before) is
 * done when it holds no error object of enrich's and, where the rules
 * name the answer's field, that field; anything else is a bare ID.
 * 0, or -1 with err when the file cannot be an ID file.
 */
static int
load_line(struct idset *s, struct json *j, struct buf *key, const char *p,
    size_t len, const struct idset_rules *rules, struct idset_stats *st,
    char *err, size_t errlen)
{
	char	 jerr[128];
	int	 t, e;

	if (json_parse(j, p, len, jerr, sizeof(jerr)) == -1) {
		if (!text_line(p, len)) {
			snprintf(err, errlen, "line %zu: neither JSON Lines nor "
			    "IDs", st->lines);
			return -1;
		}
		/* Unquoted text is a bare ID; a broken object is not. */
		if (*p == '{' || *p == '[' || *p == '"') {
			st->unusable++;
			return 0;
		}
		buf_reset(key);
		if (buf_add(key, p, len) == -1)
			goto nomem;
	} else if (json_type(j, 0) == JSON_OBJECT) {
		/* An error object is enrich's; a row's own "error": "disk
		 * full" column is data. */
		e = json_get(j, 0, rules->errfield, strlen(rules->errfield));
		if (json_type(j, e) == JSON_OBJECT || batch_failed(j)) {
			st->failed++;
			return 0;
		}
		if (rules->field != NULL && json_get(j, 0, rules->field,
		    strlen(rules->field)) == -1) {
			st->unanswered++;
			return 0;
		}
		t = json_get(j, 0, rules->idfield, strlen(rules->idfield));
		if (t == -1 || idset_key(j, t, key) == -1) {
			st->unusable++;
			return 0;
		}
	} else if (idset_key(j, 0, key) == -1) {
		st->unusable++;
		return 0;
	}
	if (idset_add(s, key->data, key->len) == -1)
		goto nomem;
	st->ids++;
	return 0;
nomem:
	snprintf(err, errlen, "out of memory");
	return -1;
}

int
idset_load(struct idset *s, FILE *fp, const struct idset_rules *rules,
    struct idset_stats *st, char *err, size_t errlen)
{
	struct json	*j;
	struct buf	 key = { 0 };
	char		*line = NULL;
	const char	*p;
	size_t		 cap = 0, len;
	ssize_t		 n;
	int		 rv = 0, first = 1;

	memset(st, 0, sizeof(*st));
	if ((j = json_new()) == NULL) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	while ((n = getline(&line, &cap, fp)) != -1) {
		p = line;
		len = n;
		if (first && len >= 3 && memcmp(p, "\xef\xbb\xbf", 3) == 0) {
			p += 3;
			len -= 3;
		}
		first = 0;
		text_trim(&p, &len);
		if (len == 0)
			continue;
		st->lines++;
		if (load_line(s, j, &key, p, len, rules, st, err,
		    errlen) == -1) {
			rv = -1;
			break;
		}
	}
	if (rv == 0 && ferror(fp)) {
		snprintf(err, errlen, "%s", strerror(errno));
		rv = -1;
	}
	free(line);
	buf_free(&key);
	json_free(j);
	return rv;
}
