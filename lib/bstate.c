#include <sys/file.h>
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bstate.h"
#include "buf.h"
#include "json.h"

#define FORMAT		"batch-2"
#define LINE_MAX_BYTES	(1024 * 1024)	/* a record, at most */

struct bstate {
	int			 fd;
	char			*dir;
	int			 resumed;
	struct bstate_mark	 mark;
	struct bstate_file	*files;
	size_t			 nfiles;
	struct bsettings	 settings;	/* the header's, replayed */
	int			 header;
	struct json		*json;
	struct buf		 line;		/* scratch: a record */
};

void
bstate_hex(const unsigned char *p, size_t n, char *out)
{
	static const char	 hex[] = "0123456789abcdef";
	size_t			 k;

	for (k = 0; k < n; k++) {
		out[2 * k] = hex[p[k] >> 4];
		out[2 * k + 1] = hex[p[k] & 15];
	}
	out[2 * n] = '\0';
}

static struct bstate_file *
find(const struct bstate *s, int k)
{
	size_t	 i;

	for (i = 0; i < s->nfiles; i++)
		if (s->files[i].k == k)
			return &s->files[i];
	return NULL;
}

const struct bstate_file *
bstate_find(const struct bstate *s, int k)
{
	return find(s, k);
}

/* An integer member in [lo, hi]: 0 and *v, or -1. */
static int
member_int(const struct json *j, const char *key, long long lo,
    long long hi, long long *v)
{
	const char	*raw;
	size_t		 off, len;
	char		 tmp[32];
	const char	*e = NULL;
	int		 t = json_get(j, 0, key, strlen(key));

	if (t == -1 || json_type(j, t) != JSON_NUMBER)
		return -1;
	json_span(j, t, &off, &len);
	raw = json_text(j) + off;
	if (len >= sizeof(tmp))
		return -1;
	memcpy(tmp, raw, len);
	tmp[len] = '\0';
	*v = strtonum(tmp, lo, hi, &e);
	return e == NULL ? 0 : -1;
}

/* A string member of at most max bytes (raw, no escapes): into out. */
static int
member_str(const struct json *j, const char *key, char *out, size_t max)
{
	const char	*raw;
	size_t		 len;
	int		 t = json_get(j, 0, key, strlen(key));

	if (t == -1 || json_type(j, t) != JSON_STRING)
		return -1;
	json_string_raw(j, t, &raw, &len);
	if (len >= max || memchr(raw, '\\', len) != NULL)
		return -1;
	memcpy(out, raw, len);
	out[len] = '\0';
	return 0;
}

static int
apply_header(struct bstate *s, char *err, size_t errlen)
{
	struct json		*j = s->json;
	int			 set;
	char			 fmt[32];

	if (member_str(j, "enrich", fmt, sizeof(fmt)) == -1 ||
	    strcmp(fmt, FORMAT) != 0 ||
	    json_type(j, (set = json_get(j, 0, "settings", 8))) !=
	    JSON_OBJECT) {
		snprintf(err, errlen, "not a STATE of this enrich");
		return -1;
	}
	if (bsettings_read(&s->settings, j, set) == -1) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	s->header = 1;
	return 0;
}

static int
apply(struct bstate *s, const char *text, size_t len, char *err,
    size_t errlen)
{
	struct json		*j = s->json;
	struct bstate_file	*f, *v;
	struct bstate_mark	 m;
	long long		 n;
	char			 jerr[128], id[BAPI_ID_MAX];
	int			 k;

	if (json_parse(j, text, len, jerr, sizeof(jerr)) == -1) {
		snprintf(err, errlen, "not JSON: %s", jerr);
		return -1;
	}
	if (json_type(j, 0) != JSON_OBJECT)
		goto bad;
	if (!s->header) {
		/* The earlier release's first record. */
		if (json_get(j, 0, "ids", 3) != -1 ||
		    json_get(j, 0, "written", 7) != -1 ||
		    json_type(j, json_get(j, 0, "read", 4)) == JSON_TRUE) {
			snprintf(err, errlen, "a STATE of an earlier enrich "
			    "(one record a row): finish it with that "
			    "release, or start again with a new STATE");
			return -1;
		}
		return apply_header(s, err, errlen);
	}
	if (json_get(j, 0, "read", 4) != -1) {
		memset(&m, 0, sizeof(m));
		if (member_int(j, "read", 0, LLONG_MAX, &n) == -1)
			goto bad;
		m.read = n;
		if (member_int(j, "seq", 0, LLONG_MAX, &n) == -1)
			goto bad;
		m.seq = n;
		if (member_str(j, "hash", m.hash, sizeof(m.hash)) == -1 ||
		    strlen(m.hash) != BSTATE_HASH_HEX)
			goto bad;
		if (member_int(j, "fill", 0, INT_MAX, &n) == -1 ||
		    n < s->mark.fill)
			goto bad;
		m.fill = n;
		if (member_int(j, "spool", 0, LLONG_MAX, &n) == -1)
			goto bad;
		m.spool = n;
		if (member_int(j, "upload", 0, LLONG_MAX, &n) == -1)
			goto bad;
		m.upload = n;
		if (member_int(j, "rows", 0, LLONG_MAX, &n) == -1)
			goto bad;
		m.rows = n;
		if (member_int(j, "at", -1, INT_MAX, &n) == -1)
			goto bad;
		m.at = n;
		if (member_int(j, "line", 0, LLONG_MAX, &n) == -1)
			goto bad;
		m.line = n;
		/* The files filled since the last are closed. */
		for (k = s->mark.fill; k < m.fill; k++) {
			if ((v = reallocarray(s->files, s->nfiles + 1,
			    sizeof(*v))) == NULL)
				goto nomem;
			s->files = v;
			f = &s->files[s->nfiles++];
			memset(f, 0, sizeof(*f));
			f->k = k;
		}
		s->mark = m;
		return 0;
	}
	if (json_get(j, 0, "up", 2) != -1) {
		if (member_int(j, "up", 0, INT_MAX, &n) == -1 ||
		    (f = find(s, n)) == NULL || f->id[0] != '\0' ||
		    member_str(j, "file", id, sizeof(id)) == -1 ||
		    !bapi_id_ok(id) ||
		    member_int(j, "rows", 0, LLONG_MAX, &n) == -1)
			goto bad;
		strlcpy(f->id, id, sizeof(f->id));
		f->rows = n;
		k = json_get(j, 0, "reserved", 8);
		if (json_type(j, k) == JSON_NUMBER) {
			size_t	 off, l;

			json_span(j, k, &off, &l);
			f->reserved = strtod(json_text(j) + off, NULL);
		}
		return 0;
	}
	if (json_get(j, 0, "batch", 5) != -1) {
		if (member_int(j, "k", 0, INT_MAX, &n) == -1 ||
		    (f = find(s, n)) == NULL || f->id[0] == '\0' ||
		    f->batch[0] != '\0' ||
		    member_str(j, "batch", id, sizeof(id)) == -1 ||
		    !bapi_id_ok(id))
			goto bad;
		strlcpy(f->batch, id, sizeof(f->batch));
		return 0;
	}
	if (json_get(j, 0, "got", 3) != -1) {
		if (member_int(j, "got", 0, INT_MAX, &n) == -1 ||
		    (f = find(s, n)) == NULL || f->batch[0] == '\0')
			goto bad;
		f->got = 1;
		return 0;
	}
	if (json_get(j, 0, "ended", 5) != -1) {
		if (member_int(j, "ended", 0, INT_MAX, &n) == -1 ||
		    (f = find(s, n)) == NULL)
			goto bad;
		memmove(f, f + 1, (s->files + s->nfiles - f - 1) * sizeof(*f));
		s->nfiles--;
		return 0;
	}
bad:
	snprintf(err, errlen, "not a record of enrich --batch-api");
	return -1;
nomem:
	snprintf(err, errlen, "out of memory");
	return -1;
}

/* Replay the file a line at a time; a last line cut short is cut off. */
static int
replay(struct bstate *s, char *err, size_t errlen)
{
	struct buf	 b = { 0 };
	char		 why[200];
	off_t		 pos = 0;	/* of b.data[0] */
	size_t		 start, line = 0;
	char		*nl;
	ssize_t		 n;

	for (;;) {
		if (buf_reserve(&b, 65536) == -1)
			goto nomem;
		n = read(s->fd, b.data + b.len, b.cap - b.len);
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1) {
			snprintf(err, errlen, "%s", strerror(errno));
			goto fail;
		}
		b.len += n;
		for (start = 0; (nl = memchr(b.data + start, '\n', b.len -
		    start)) != NULL; start = nl - b.data + 1) {
			line++;
			if (nl == b.data + start)
				continue;
			if (apply(s, b.data + start, nl - b.data - start, why,
			    sizeof(why)) == -1) {
				snprintf(err, errlen, "line %zu: %s", line,
				    why);
				goto fail;
			}
			s->resumed = 1;
		}
		memmove(b.data, b.data + start, b.len - start);
		b.len -= start;
		pos += start;
		if (n == 0)
			break;
		if (b.len > LINE_MAX_BYTES) {
			snprintf(err, errlen, "line %zu: longer than any "
			    "record", line + 1);
			goto fail;
		}
	}
	/* Killed while writing: that record never was. */
	if (b.len > 0 && ftruncate(s->fd, pos) == -1) {
		snprintf(err, errlen, "%s", strerror(errno));
		goto fail;
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

/* Write s->line whole, then fsync, then apply it. */
static int
commit(struct bstate *s, char *err, size_t errlen)
{
	size_t	 off = 0;
	ssize_t	 n;

	if (buf_addc(&s->line, '\n') == -1) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	while (off < s->line.len) {
		n = write(s->fd, s->line.data + off, s->line.len - off);
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1) {
			snprintf(err, errlen, "%s", strerror(errno));
			return -1;
		}
		off += n;
	}
	if (fsync(s->fd) == -1) {
		snprintf(err, errlen, "fsync: %s", strerror(errno));
		return -1;
	}
	return apply(s, s->line.data, s->line.len - 1, err, errlen);
}

static int
add_header(struct bstate *s, const struct bstate_setting *set, size_t n,
    char *err, size_t errlen)
{
	buf_reset(&s->line);
	if (buf_adds(&s->line, "{\"enrich\":\"" FORMAT "\",\"settings\":") ==
	    -1 || bsettings_write(&s->line, set, n) == -1 ||
	    buf_addc(&s->line, '}') == -1)
		goto nomem;
	return commit(s, err, errlen);
nomem:
	snprintf(err, errlen, "out of memory");
	return -1;
}

struct bstate *
bstate_open(const char *path, const struct bstate_setting *set, size_t n,
    char *err, size_t errlen)
{
	struct bstate	*s;

	if ((s = calloc(1, sizeof(*s))) == NULL) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	s->fd = -1;
	s->mark.at = -1;
	if ((s->json = json_new()) == NULL ||
	    asprintf(&s->dir, "%s.d", path) == -1) {
		s->dir = NULL;
		snprintf(err, errlen, "out of memory");
		goto fail;
	}
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
	if (replay(s, err, errlen) == -1)
		goto fail;
	if (s->header && bsettings_compare(&s->settings, set, n, err,
	    errlen) == -1)
		goto fail;
	if (mkdir(s->dir, 0777) == -1 && errno != EEXIST) {
		snprintf(err, errlen, "%s: %s", s->dir, strerror(errno));
		goto fail;
	}
	if (!s->header && (add_header(s, set, n, err, errlen) == -1 ||
	    sync_dir(path, err, errlen) == -1))
		goto fail;
	return s;
fail:
	bstate_free(s);
	return NULL;
}

void
bstate_free(struct bstate *s)
{
	if (s == NULL)
		return;
	if (s->fd != -1)
		close(s->fd);
	json_free(s->json);
	buf_free(&s->line);
	free(s->files);
	free(s->dir);
	free(s);
}

const char *
bstate_dir(const struct bstate *s)
{
	return s->dir;
}

int
bstate_resumed(const struct bstate *s)
{
	return s->resumed;
}

static int
nomem(char *err, size_t errlen)
{
	snprintf(err, errlen, "out of memory");
	return -1;
}

/* A record that would not apply is not written: said, as a bug. */
static int
out_of_order(const char *what, int k, char *err, size_t errlen)
{
	snprintf(err, errlen, "internal error: %s of file %d out of order",
	    what, k);
	return -1;
}

int
bstate_mark(struct bstate *s, const struct bstate_mark *m, char *err,
    size_t errlen)
{
	char	 tmp[512];
	int	 len;

	if (m->fill < s->mark.fill)
		return out_of_order("a checkpoint", m->fill, err, errlen);
	len = snprintf(tmp, sizeof(tmp), "{\"read\":%llu,\"seq\":%llu,"
	    "\"hash\":\"%s\",\"fill\":%d,\"spool\":%lld,\"upload\":%lld,"
	    "\"rows\":%zu,\"at\":%d,\"line\":%llu}",
	    (unsigned long long)m->read, (unsigned long long)m->seq, m->hash,
	    m->fill, (long long)m->spool, (long long)m->upload, m->rows, m->at,
	    (unsigned long long)m->line);
	buf_reset(&s->line);
	if (buf_add(&s->line, tmp, len) == -1)
		return nomem(err, errlen);
	return commit(s, err, errlen);
}

int
bstate_uploaded(struct bstate *s, int k, const char *id, size_t rows,
    double reserved, char *err, size_t errlen)
{
	char	 tmp[64 + BAPI_ID_MAX];
	int	 len;

	const struct bstate_file	*f = find(s, k);

	if (f == NULL || f->id[0] != '\0' || !bapi_id_ok(id))
		return out_of_order("the upload", k, err, errlen);
	len = snprintf(tmp, sizeof(tmp), "{\"up\":%d,\"file\":\"%s\","
	    "\"rows\":%zu,\"reserved\":%.17g}", k, id, rows, reserved);
	buf_reset(&s->line);
	if (buf_add(&s->line, tmp, len) == -1)
		return nomem(err, errlen);
	return commit(s, err, errlen);
}

int
bstate_made(struct bstate *s, int k, const char *batch, char *err,
    size_t errlen)
{
	char	 tmp[64 + BAPI_ID_MAX];
	int	 len;

	const struct bstate_file	*f = find(s, k);

	if (f == NULL || f->id[0] == '\0' || f->batch[0] != '\0' ||
	    !bapi_id_ok(batch))
		return out_of_order("the batch", k, err, errlen);
	len = snprintf(tmp, sizeof(tmp), "{\"batch\":\"%s\",\"k\":%d}", batch,
	    k);
	buf_reset(&s->line);
	if (buf_add(&s->line, tmp, len) == -1)
		return nomem(err, errlen);
	return commit(s, err, errlen);
}

static int
number_record(struct bstate *s, const char *name, int k, char *err,
    size_t errlen)
{
	char	 tmp[64];
	int	 len;

	len = snprintf(tmp, sizeof(tmp), "{\"%s\":%d}", name, k);
	buf_reset(&s->line);
	if (buf_add(&s->line, tmp, len) == -1)
		return nomem(err, errlen);
	return commit(s, err, errlen);
}

int
bstate_got(struct bstate *s, int k, char *err, size_t errlen)
{
	const struct bstate_file	*f = find(s, k);

	if (f == NULL || f->batch[0] == '\0')
		return out_of_order("the results", k, err, errlen);
	return number_record(s, "got", k, err, errlen);
}

int
bstate_ended(struct bstate *s, int k, char *err, size_t errlen)
{
	if (find(s, k) == NULL)
		return out_of_order("the end", k, err, errlen);
	return number_record(s, "ended", k, err, errlen);
}

const struct bstate_mark *
bstate_last(const struct bstate *s)
{
	return &s->mark;
}

size_t
bstate_nfiles(const struct bstate *s)
{
	return s->nfiles;
}

const struct bstate_file *
bstate_file(const struct bstate *s, size_t i)
{
	return i < s->nfiles ? &s->files[i] : NULL;
}

int
bstate_check(const char *text, size_t len, char *err, size_t errlen)
{
	struct bstate	 s;
	const char	*nl, *p = text, *end = text + len;
	char		 why[200];
	size_t		 line = 0;
	int		 rv = 0;

	memset(&s, 0, sizeof(s));
	s.fd = -1;
	s.mark.at = -1;
	if ((s.json = json_new()) == NULL) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	for (; p < end && (nl = memchr(p, '\n', end - p)) != NULL; p = nl + 1) {
		line++;
		if (nl > p && apply(&s, p, nl - p, why, sizeof(why)) == -1) {
			snprintf(err, errlen, "line %zu: %s", line, why);
			rv = -1;
			break;
		}
	}
	json_free(s.json);
	free(s.files);
	return rv;
}
