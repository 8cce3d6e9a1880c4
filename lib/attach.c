#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sha2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "attach.h"
#include "base64.h"
#include "template.h"

struct part {
	enum media_kind	 kind;
	int			 url;		/* bytes hold a URL, sent as
						 * it is */
	struct buf		 bytes;		/* the file's, or the URL (a
						 * NUL past its end) */
	struct buf		 b64;		/* attach_view's, made once */
	char			 hex[2 * ATTACH_HASH_LEN + 1];
	char			 name[128];	/* a document's file name */
	unsigned char		 hash[ATTACH_HASH_LEN];
	uint32_t		 w, h;		/* an image's, from its
						 * header */
};

struct attach {
	struct attach_config	 cfg;
	struct tmpl		**paths;	/* one per field */
	struct part		*parts;
	size_t			 nparts;
	size_t			 cap;
	int			 key_mode;
	size_t			 written;	/* bytes attach_view gave to
						 * be sent */
	struct buf		 path;		/* scratch: a decoded value */
};

struct attach *
attach_new(const struct attach_config *cfg, char *err, size_t errlen)
{
	struct attach	*a;
	struct buf	 src = { 0 };
	char		 e[128];
	size_t		 k;

	if ((a = calloc(1, sizeof(*a))) == NULL ||
	    (a->paths = calloc(cfg->nfields + 1, sizeof(*a->paths))) == NULL)
		goto nomem;
	a->cfg = *cfg;
	if (a->cfg.max <= 0)
		a->cfg.max = ATTACH_MAX;
	/* A field is a template's path: one parser for both, and a.b or
	 * items.0 reach into the row as a prompt's {{...}} does. */
	for (k = 0; k < cfg->nfields; k++) {
		buf_reset(&src);
		if (buf_adds(&src, "{{") == -1 ||
		    buf_adds(&src, cfg->fields[k]) == -1 ||
		    buf_adds(&src, "}}") == -1)
			goto nomem;
		if (cfg->fields[k][0] == '\0' ||
		    strstr(cfg->fields[k], "{{") != NULL ||
		    strstr(cfg->fields[k], "}}") != NULL ||
		    (a->paths[k] = tmpl_compile(src.data, src.len, 0, e,
		    sizeof(e))) == NULL) {
			snprintf(err, errlen, "--attach %s: not a field name "
			    "or a path like a.b", cfg->fields[k]);
			buf_free(&src);
			attach_free(a);
			return NULL;
		}
	}
	buf_free(&src);
	return a;
nomem:
	buf_free(&src);
	attach_free(a);
	snprintf(err, errlen, "out of memory");
	return NULL;
}

void
attach_clear(struct attach *a)
{
	size_t	 k;

	if (a == NULL)
		return;
	for (k = 0; k < a->nparts; k++) {
		buf_free(&a->parts[k].bytes);
		buf_free(&a->parts[k].b64);
	}
	a->nparts = 0;
	a->written = 0;
}

void
attach_free(struct attach *a)
{
	size_t	 k;

	if (a == NULL)
		return;
	attach_clear(a);
	for (k = 0; a->paths != NULL && k < a->cfg.nfields; k++)
		tmpl_free(a->paths[k]);
	free(a->paths);
	free(a->parts);
	buf_free(&a->path);
	free(a);
}

size_t
attach_count(const struct attach *a)
{
	return a != NULL ? a->nparts : 0;
}

void
attach_key_mode(struct attach *a, int on)
{
	a->key_mode = on;
}

static void
hex(const unsigned char *h, char *out)
{
	static const char	 digits[] = "0123456789abcdef";
	size_t			 i;

	for (i = 0; i < ATTACH_HASH_LEN; i++) {
		out[2 * i] = digits[h[i] >> 4];
		out[2 * i + 1] = digits[h[i] & 15];
	}
	out[2 * ATTACH_HASH_LEN] = '\0';
}

/* Say what is wrong with a value of the field: 1. */
static int
problem(const struct attach *a, size_t f, const char *value, size_t vlen,
    char *err, size_t errlen, const char *fmt, const char *why)
{
	char	 what[160];

	snprintf(what, sizeof(what), fmt, why);
	snprintf(err, errlen, "-a %s: %s%.*s%s%s", a->cfg.fields[f],
	    value != NULL ? "\"" : "", (int)(vlen > 200 ? 200 : vlen),
	    value != NULL ? value : "", value != NULL ? "\": " : "", what);
	return 1;
}

static struct part *
new_part(struct attach *a)
{
	struct part	*p;
	size_t		 cap;

	if (a->nparts == a->cap) {
		cap = a->cap > 0 ? a->cap * 2 : 4;
		if ((p = reallocarray(a->parts, cap, sizeof(*p))) == NULL)
			return NULL;
		a->parts = p;
		a->cap = cap;
	}
	p = &a->parts[a->nparts++];
	memset(p, 0, sizeof(*p));
	return p;
}

/* Read the file at path (a C string) into p->bytes: 0, 1 with why, -1. */
static int
read_file(const struct attach *a, const char *path, struct part *p,
    const char **why, char *num, size_t numlen)
{
	struct stat	 sb;
	ssize_t		 n;
	size_t		 want;
	int		 fd, rv = 1;

	/* O_NONBLOCK: a FIFO or a device named by a row must not hang the
	 * run before fstat can tell it is no regular file. */
	if ((fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY)) ==
	    -1) {
		*why = errno == ENOENT ? "no such file" : strerror(errno);
		return 1;
	}
	if (fstat(fd, &sb) == -1) {
		*why = strerror(errno);
		goto out;
	}
	if (!S_ISREG(sb.st_mode)) {
		*why = "not a regular file";
		goto out;
	}
	if (sb.st_size > a->cfg.max) {
		snprintf(num, numlen, "too big: %lld bytes, more than "
		    "--attach-max %lld", (long long)sb.st_size, a->cfg.max);
		*why = num;
		goto out;
	}
	/* The file may grow between fstat and read: one byte past the
	 * limit says so. */
	want = (size_t)a->cfg.max + 1;
	/* Exactly its size and the byte that tells it grew: buf_reserve
	 * would round a 2.4 MB picture up to 4 MB. */
	p->bytes.cap = sb.st_size > 0 ? (size_t)sb.st_size + 1 : 4096;
	if ((p->bytes.data = malloc(p->bytes.cap)) == NULL) {
		p->bytes.cap = 0;
		rv = -1;
		goto out;
	}
	for (;;) {
		if (p->bytes.len == p->bytes.cap && buf_reserve(&p->bytes,
		    p->bytes.cap) == -1) {
			rv = -1;
			goto out;
		}
		n = read(fd, p->bytes.data + p->bytes.len, (want -
		    p->bytes.len < p->bytes.cap - p->bytes.len ? want -
		    p->bytes.len : p->bytes.cap - p->bytes.len));
		if (n == -1 && (errno == EINTR || errno == EAGAIN))
			continue;
		if (n == -1) {
			*why = strerror(errno);
			goto out;
		}
		if (n == 0)
			break;
		p->bytes.len += (size_t)n;
		if (p->bytes.len >= want) {
			snprintf(num, numlen, "too big: more than "
			    "--attach-max %lld bytes", a->cfg.max);
			*why = num;
			goto out;
		}
	}
	if (p->bytes.len == 0) {
		*why = "empty";
		goto out;
	}
	rv = 0;
out:
	close(fd);
	return rv;
}

static int
is_url(const char *s, size_t n)
{
	return (n > 7 && strncasecmp(s, "http://", 7) == 0) ||
	    (n > 8 && strncasecmp(s, "https://", 8) == 0);
}

/* Does the URL's path end in .pdf?  All that is known of it unfetched. */
static int
url_is_pdf(const char *s, size_t n)
{
	size_t	 end = strcspn(s, "?#");

	if (end > n)
		end = n;
	return end >= 4 && strncasecmp(s + end - 4, ".pdf", 4) == 0;
}

/* One value of the field (decoded, in a->path as a C string). */
static int
load_one(struct attach *a, size_t f, char *err, size_t errlen)
{
	struct part	*p;
	const char	*v = a->path.data, *why = NULL, *comma, *base;
	size_t		 n = a->path.len - 1;
	char		 num[128];
	SHA2_CTX	 ctx;
	int		 rv;

	if (n == 0 || memchr(v, '\0', n) != NULL)
		return problem(a, f, v, n, err, errlen, "%s",
		    n == 0 ? "an empty path" : "a path holding a NUL");
	if ((p = new_part(a)) == NULL)
		return -1;
	if (is_url(v, n)) {
		p->url = 1;
		p->kind = url_is_pdf(v, n) ? MEDIA_PDF : MEDIA_UNKNOWN;
		if (p->kind == MEDIA_PDF && a->cfg.dialect == ATTACH_CHAT)
			return problem(a, f, v, n, err, errlen, "%s", "a PDF "
			    "goes to the chat API as file data only: give "
			    "a path or a data: URL");
		if (buf_add(&p->bytes, v, n) == -1 ||
		    buf_addc(&p->bytes, '\0') == -1)
			return -1;
		p->bytes.len--;
	} else if (n > 5 && strncasecmp(v, "data:", 5) == 0) {
		/* Its bytes are checked as a file's would be: the media
		 * type it claims is not believed. */
		if ((comma = memchr(v, ',', n)) == NULL ||
		    comma - v < 12 || strncasecmp(comma - 7, ";base64", 7) != 0)
			return problem(a, f, v, n > 40 ? 40 : n, err, errlen,
			    "%s", "a data: URL that is not ;base64,");
		if ((size_t)(v + n - comma - 1) / 4 * 3 > (size_t)a->cfg.max +
		    3) {
			snprintf(num, sizeof(num), "too big: more than "
			    "--attach-max %lld bytes", a->cfg.max);
			return problem(a, f, v, 40, err, errlen, "%s", num);
		}
		if (base64_decode(&p->bytes, comma + 1, v + n - comma - 1) ==
		    -1) {
			if (errno == ENOMEM)
				return -1;
			return problem(a, f, v, 40, err, errlen, "%s",
			    "not base64");
		}
		if (p->bytes.len == 0)
			return problem(a, f, v, 40, err, errlen, "%s",
			    "empty");
		strlcpy(p->name, "attachment.pdf", sizeof(p->name));
	} else {
		if ((rv = read_file(a, v, p, &why, num, sizeof(num))) != 0)
			return rv == -1 ? -1 : problem(a, f, v, n, err, errlen,
			    "%s", why);
		base = strrchr(v, '/') != NULL ? strrchr(v, '/') + 1 : v;
		strlcpy(p->name, *base != '\0' ? base : "attachment.pdf",
		    sizeof(p->name));
	}
	if (!p->url) {
		p->kind = media_sniff((unsigned char *)p->bytes.data,
		    p->bytes.len);
		if (p->kind == MEDIA_UNKNOWN)
			return problem(a, f, v, n > 200 && v[0] == 'd' ? 40 :
			    n, err, errlen, "%s", "not a PNG, JPEG, GIF, WebP "
			    "or PDF file (by its first bytes)");
		if (p->kind != MEDIA_PDF && media_size((unsigned char *)
		    p->bytes.data, p->bytes.len, p->kind, &p->w, &p->h) == -1)
			return problem(a, f, v, n > 200 && v[0] == 'd' ? 40 :
			    n, err, errlen, "a damaged %s: its header gives "
			    "no size", media_type(p->kind));
	}
	SHA256Init(&ctx);
	SHA256Update(&ctx, (const unsigned char *)(p->url ? "u" : "f"), 1);
	SHA256Update(&ctx, (const unsigned char *)p->bytes.data,
	    p->bytes.len);
	SHA256Final(p->hash, &ctx);
	hex(p->hash, p->hex);
	return 0;
}

int
attach_load(struct attach *a, const struct json *j, char *err,
    size_t errlen)
{
	const char	*raw;
	size_t		 f, k, n;
	int		 t, e, rv;

	attach_clear(a);
	for (f = 0; f < a->cfg.nfields; f++) {
		if ((t = tmpl_lookup(a->paths[f], j, 0)) == -1)
			return problem(a, f, NULL, 0, err, errlen, "%s",
			    "no such field in the row");
		if (json_type(j, t) == JSON_NULL)
			continue;
		for (k = 0; ; k++) {
			if (json_type(j, t) == JSON_ARRAY) {
				if ((e = json_index(j, t, k)) == -1)
					break;
			} else if (k > 0)
				break;
			else
				e = t;
			if (json_type(j, e) != JSON_STRING)
				return problem(a, f, NULL, 0, err, errlen,
				    "%s", "not a path, a URL or an array of "
				    "them");
			buf_reset(&a->path);
			json_string_raw(j, e, &raw, &n);
			if (json_decode_string(&a->path, raw, n) == -1 ||
			    buf_addc(&a->path, '\0') == -1)
				return -1;
			if ((rv = load_one(a, f, err, errlen)) != 0)
				return rv;
		}
	}
	return 0;
}

int
attach_view(struct attach *a, size_t k, struct attach_view *v)
{
	struct part	*p = &a->parts[k];

	memset(v, 0, sizeof(*v));
	v->document = p->kind == MEDIA_PDF;
	if (a->key_mode) {
		v->media_type = "sha256";
		v->data = p->hex;
		v->len = strlen(p->hex);
		return 0;
	}
	if (p->url) {
		v->url = p->bytes.data;
		a->written += p->bytes.len;
		return 0;
	}
	if (p->b64.len == 0 && base64_encode(&p->b64,
	    (const unsigned char *)p->bytes.data, p->bytes.len) == -1)
		return -1;
	v->media_type = media_type(p->kind);
	v->data = p->b64.data;
	v->len = p->b64.len;
	v->filename = v->document ? p->name : NULL;
	a->written += v->len;
	return 0;
}

size_t
attach_written(const struct attach *a)
{
	return a != NULL ? a->written : 0;
}

long long
attach_tokens(const struct attach *a, enum attach_dialect d,
    size_t *uncounted)
{
	const struct part	*p;
	long long		 sum = 0;
	size_t			 k;

	*uncounted = 0;
	for (k = 0; a != NULL && k < a->nparts; k++) {
		p = &a->parts[k];
		if (p->url || p->kind == MEDIA_PDF)
			(*uncounted)++;
		else
			sum += d == ATTACH_MESSAGES ?
			    media_tokens_messages(p->w, p->h) :
			    media_tokens_chat(p->w, p->h);
	}
	return sum;
}
