#include <sys/file.h>
#include <sys/stat.h>
#include <sys/tree.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bstate1.h"
#include "buf.h"
#include "json.h"

#define STATE_LINE_MAX	(64 * 1024 * 1024)	/* a file's IDs, at most */

struct node {
	RB_ENTRY(node)		 entry;
	struct bstate1_row	 row;
	size_t			 len;
	char			 key[];
};

RB_HEAD(nodes, node);

static int
node_cmp(const struct node *a, const struct node *b)
{
	int	 c;

	c = memcmp(a->key, b->key, a->len < b->len ? a->len : b->len);
	if (c != 0)
		return c;
	return a->len < b->len ? -1 : a->len > b->len;
}

/* libbsd leaves __unused undefined, which RB_GENERATE_STATIC needs. */
RB_GENERATE_INTERNAL(nodes, node, entry, node_cmp,
    static __attribute__((unused)))

struct bstate1 {
	int			 fd;		/* -1: in memory */
	struct nodes		 rows;
	struct bstate1_file	*files;
	size_t			 nfiles;
	int			 read;
	int			 complete;
	struct json		*json;
	struct buf		 line;		/* scratch: a record */
	struct buf		 key;		/* scratch: a decoded ID */
	struct node		*probe;		/* scratch: a key to look up */
	size_t			 probecap;
};

/* The node of a key, or NULL (also when out of memory). */
static struct node *
find(const struct bstate1 *cs, const char *key, size_t len)
{
	struct bstate1	*s = (struct bstate1 *)cs;	/* its scratch only */
	struct node	*n;

	/* The flexible member has no stack form: a probe kept for reuse. */
	if (s->probe == NULL || len > s->probecap) {
		if ((n = realloc(s->probe, sizeof(*n) + len)) == NULL)
			return NULL;
		s->probe = n;
		s->probecap = len;
	}
	s->probe->len = len;
	memcpy(s->probe->key, key, len);
	return RB_FIND(nodes, &s->rows, s->probe);
}

static struct node *
get(struct bstate1 *s, const char *key, size_t len)
{
	struct node	*n;

	if ((n = find(s, key, len)) != NULL)
		return n;
	if ((n = calloc(1, sizeof(*n) + len)) == NULL)
		return NULL;
	n->len = len;
	memcpy(n->key, key, len);
	n->row.file = -1;
	RB_INSERT(nodes, &s->rows, n);
	return n;
}

int
bstate1_find_file(const struct bstate1 *s, const char *id)
{
	size_t	 k;

	for (k = 0; k < s->nfiles; k++)
		if (strcmp(s->files[k].id, id) == 0)
			return (int)k;
	return -1;
}

/* A string member that is an ID, into out. */
static int
member_id(struct bstate1 *s, int t, char *out)
{
	const char	*raw;
	size_t		 len;

	if (json_type(s->json, t) != JSON_STRING)
		return -1;
	json_string_raw(s->json, t, &raw, &len);
	if (len >= BAPI_ID_MAX)
		return -1;
	memcpy(out, raw, len);
	out[len] = '\0';
	return bapi_id_ok(out) ? 0 : -1;
}

/* Each ID of the array at t: sent in this file, or written.  -1 if it
 * is no array of strings, -2 if out of memory. */
static int
each_id(struct bstate1 *s, int t, int file, int written)
{
	struct node	*n;
	const char	*raw;
	size_t		 k, len;
	int		 e;

	if (json_type(s->json, t) != JSON_ARRAY)
		return -1;
	for (k = 0; (e = json_index(s->json, t, k)) != -1; k++) {
		if (json_type(s->json, e) != JSON_STRING)
			return -1;
		json_string_raw(s->json, e, &raw, &len);
		buf_reset(&s->key);
		if (json_decode_string(&s->key, raw, len) == -1 ||
		    (n = get(s, s->key.data != NULL ? s->key.data : "",
		    s->key.len)) == NULL)
			return -2;
		if (written)
			n->row.written = 1;
		else {
			n->row.file = file;
			n->row.tries++;
			s->files[file].rows++;
		}
	}
	return 0;
}

int
bstate1_apply(struct bstate1 *s, const char *text, size_t len, char *err,
    size_t errlen)
{
	struct bstate1_file	 f, *v;
	struct json		*j = s->json;
	char			 jerr[128], id[BAPI_ID_MAX];
	int			 t, e, rv, k;

	if (json_parse(j, text, len, jerr, sizeof(jerr)) == -1) {
		snprintf(err, errlen, "not JSON: %s", jerr);
		return -1;
	}
	if (json_type(j, 0) != JSON_OBJECT)
		goto bad;
	if ((t = json_get(j, 0, "file", 4)) != -1 &&
	    json_get(j, 0, "batch", 5) == -1) {
		memset(&f, 0, sizeof(f));
		if (member_id(s, t, f.id) == -1 ||
		    bstate1_find_file(s, f.id) != -1)
			goto bad;
		if ((v = reallocarray(s->files, s->nfiles + 1,
		    sizeof(*v))) == NULL)
			goto nomem;
		s->files = v;
		s->files[s->nfiles++] = f;
		rv = each_id(s, json_get(j, 0, "ids", 3), s->nfiles - 1, 0);
		if (rv == -2)
			goto nomem;
		if (rv == -1)
			goto bad;
		return 0;
	}
	if ((t = json_get(j, 0, "batch", 5)) != -1) {
		if (member_id(s, t, id) == -1 ||
		    member_id(s, json_get(j, 0, "file", 4),
		    f.id) == -1 || (k = bstate1_find_file(s, f.id)) == -1 ||
		    s->files[k].batch[0] != '\0')
			goto bad;
		memcpy(s->files[k].batch, id, sizeof(id));
		return 0;
	}
	if ((t = json_get(j, 0, "written", 7)) != -1) {
		/* "ended": the batch's rows are written, or free again. */
		k = -1;
		if ((e = json_get(j, 0, "ended", 5)) != -1) {
			if (member_id(s, e, id) == -1)
				goto bad;
			for (k = 0; k < (int)s->nfiles; k++)
				if (strcmp(s->files[k].batch, id) == 0)
					break;
			if (k == (int)s->nfiles)
				goto bad;
		}
		if ((rv = each_id(s, t, 0, 1)) == -2)
			goto nomem;
		if (rv == -1)
			goto bad;
		if (k >= 0)
			s->files[k].ended = 1;
		return 0;
	}
	if (json_type(j, json_get(j, 0, "read", 4)) == JSON_TRUE) {
		s->read = 1;
		return 0;
	}
	if (json_type(j, json_get(j, 0, "complete", 8)) == JSON_TRUE) {
		s->complete = 1;
		return 0;
	}
bad:
	snprintf(err, errlen, "not a record of enrich --batch-api");
	return -1;
nomem:
	snprintf(err, errlen, "out of memory");
	return -1;
}

/* Replay the file; a last line cut short is cut off. */
static int
replay(struct bstate1 *s, char *err, size_t errlen)
{
	struct buf	 b = { 0 };
	char		 tmp[65536], why[200];
	size_t		 start, line = 0;
	char		*nl;
	ssize_t		 n;

	while ((n = read(s->fd, tmp, sizeof(tmp))) != 0) {
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1) {
			snprintf(err, errlen, "%s", strerror(errno));
			goto fail;
		}
		if (buf_add(&b, tmp, n) == -1 || b.len > STATE_LINE_MAX * 16LL)
			goto nomem;
	}
	for (start = 0; start < b.len; start = nl - b.data + 1) {
		line++;
		nl = memchr(b.data + start, '\n', b.len - start);
		if (nl == NULL) {
			/* Killed while writing: that record never was. */
			if (ftruncate(s->fd, start) == -1) {
				snprintf(err, errlen, "%s", strerror(errno));
				goto fail;
			}
			break;
		}
		if (nl == b.data + start)
			continue;
		if (bstate1_apply(s, b.data + start, nl - b.data - start, why,
		    sizeof(why)) == -1) {
			snprintf(err, errlen, "line %zu: %s", line, why);
			goto fail;
		}
	}
	buf_free(&b);
	return 0;
nomem:
	snprintf(err, errlen, "out of memory");
fail:
	buf_free(&b);
	return -1;
}

/* A STATE just made must survive a crash as a name, too. */
static int
sync_dir(const char *path, char *err, size_t errlen)
{
	char	*copy, *slash;
	int	 fd, rv = 0;

	if ((copy = strdup(path)) == NULL) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	if ((slash = strrchr(copy, '/')) != NULL)
		slash[slash == copy ? 1 : 0] = '\0';
	if ((fd = open(slash != NULL ? copy : ".", O_RDONLY | O_DIRECTORY |
	    O_CLOEXEC)) != -1) {
		if (fsync(fd) == -1 && errno != EINVAL) {
			snprintf(err, errlen, "fsync: %s", strerror(errno));
			rv = -1;
		}
		close(fd);
	}
	free(copy);
	return rv;
}

struct bstate1 *
bstate1_open(const char *path, char *err, size_t errlen)
{
	struct bstate1	*s;

	if ((s = calloc(1, sizeof(*s))) == NULL) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	s->fd = -1;
	RB_INIT(&s->rows);
	if ((s->json = json_new()) == NULL) {
		snprintf(err, errlen, "out of memory");
		goto fail;
	}
	if (path == NULL)
		return s;
	if ((s->fd = open(path, O_RDWR | O_CREAT | O_APPEND | O_CLOEXEC,
	    0666)) == -1) {
		snprintf(err, errlen, "%s", strerror(errno));
		goto fail;
	}
	if (flock(s->fd, LOCK_EX | LOCK_NB) == -1) {
		snprintf(err, errlen, errno == EWOULDBLOCK ? "another enrich "
		    "is using it" : "%s", strerror(errno));
		goto fail;
	}
	if (replay(s, err, errlen) == -1 || sync_dir(path, err, errlen) == -1)
		goto fail;
	return s;
fail:
	bstate1_free(s);
	return NULL;
}

void
bstate1_free(struct bstate1 *s)
{
	struct node	*n, *next;

	if (s == NULL)
		return;
	RB_FOREACH_SAFE(n, nodes, &s->rows, next) {
		RB_REMOVE(nodes, &s->rows, n);
		free(n);
	}
	if (s->fd != -1)
		close(s->fd);
	json_free(s->json);
	buf_free(&s->line);
	buf_free(&s->key);
	free(s->probe);
	free(s->files);
	free(s);
}

/* Write s->line whole, then fsync, then apply it. */
static int
commit(struct bstate1 *s, char *err, size_t errlen)
{
	size_t	 off = 0;
	ssize_t	 n;

	if (s->line.data == NULL || buf_addc(&s->line, '\n') == -1) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	while (s->fd != -1 && off < s->line.len) {
		n = write(s->fd, s->line.data + off, s->line.len - off);
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1) {
			snprintf(err, errlen, "%s", strerror(errno));
			return -1;
		}
		off += n;
	}
	if (s->fd != -1 && fsync(s->fd) == -1) {
		snprintf(err, errlen, "fsync: %s", strerror(errno));
		return -1;
	}
	return bstate1_apply(s, s->line.data, s->line.len - 1, err, errlen);
}

static int
add_ids(struct buf *b, const char *const *keys, const size_t *lens, size_t n)
{
	size_t	 k;

	if (buf_addc(b, '[') == -1)
		return -1;
	for (k = 0; k < n; k++)
		if ((k > 0 && buf_addc(b, ',') == -1) ||
		    json_quote(b, keys[k], lens[k]) == -1)
			return -1;
	return buf_addc(b, ']');
}

int
bstate1_add_file(struct bstate1 *s, const char *file, const char *const *keys,
    const size_t *lens, size_t n, char *err, size_t errlen)
{
	buf_reset(&s->line);
	if (buf_adds(&s->line, "{\"file\":") == -1 ||
	    json_quote(&s->line, file, strlen(file)) == -1 ||
	    buf_adds(&s->line, ",\"ids\":") == -1 ||
	    add_ids(&s->line, keys, lens, n) == -1 ||
	    buf_addc(&s->line, '}') == -1) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	return commit(s, err, errlen);
}

int
bstate1_add_batch(struct bstate1 *s, const char *batch, const char *file,
    char *err, size_t errlen)
{
	buf_reset(&s->line);
	if (buf_adds(&s->line, "{\"batch\":") == -1 ||
	    json_quote(&s->line, batch, strlen(batch)) == -1 ||
	    buf_adds(&s->line, ",\"file\":") == -1 ||
	    json_quote(&s->line, file, strlen(file)) == -1 ||
	    buf_addc(&s->line, '}') == -1) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	return commit(s, err, errlen);
}

int
bstate1_add_written(struct bstate1 *s, const char *batch,
    const char *const *keys, const size_t *lens, size_t n, char *err,
    size_t errlen)
{
	buf_reset(&s->line);
	if (buf_adds(&s->line, "{\"written\":") == -1 ||
	    add_ids(&s->line, keys, lens, n) == -1 ||
	    (batch != NULL && (buf_adds(&s->line, ",\"ended\":") == -1 ||
	    json_quote(&s->line, batch, strlen(batch)) == -1)) ||
	    buf_addc(&s->line, '}') == -1) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	return commit(s, err, errlen);
}

int
bstate1_add_read(struct bstate1 *s, char *err, size_t errlen)
{
	buf_reset(&s->line);
	if (buf_adds(&s->line, "{\"read\":true}") == -1) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	return commit(s, err, errlen);
}

int
bstate1_add_complete(struct bstate1 *s, char *err, size_t errlen)
{
	buf_reset(&s->line);
	if (buf_adds(&s->line, "{\"complete\":true}") == -1) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	return commit(s, err, errlen);
}

const struct bstate1_row *
bstate1_row(const struct bstate1 *s, const char *key, size_t len)
{
	struct node	*n = find(s, key, len);

	return n != NULL ? &n->row : NULL;
}

size_t
bstate1_nfiles(const struct bstate1 *s)
{
	return s->nfiles;
}

const struct bstate1_file *
bstate1_file(const struct bstate1 *s, size_t k)
{
	return k < s->nfiles ? &s->files[k] : NULL;
}

int
bstate1_read(const struct bstate1 *s)
{
	return s->read;
}

int
bstate1_complete(const struct bstate1 *s)
{
	return s->complete;
}
