#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sha2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cache.h"
#include "fdio.h"

#define MAGIC		"enrich-cache 1\n"
#define ENTRY_MAX	(1LL << 30)	/* --max-response-bytes' ceiling */
/* The longest header: MAGIC, "key " HEX, "length " and 10 digits, "sha256 "
 * HEX, the newlines; with room to spare. */
#define HEADER_MAX	256

struct cache {
	char		*dir;
	size_t		 max;		/* the largest body taken */
	struct buf	 path;		/* scratch */
	struct buf	 tmp;		/* scratch */
	struct buf	 text;		/* scratch: an entry being written */
};

struct cache *
cache_new(const char *dir, char *err, size_t errlen)
{
	struct cache	*c;
	struct stat	 st;

	if (*dir == '\0') {
		snprintf(err, errlen, "an empty directory name");
		return NULL;
	}
	if (mkdir(dir, 0777) == -1 && errno != EEXIST) {
		snprintf(err, errlen, "%s", strerror(errno));
		return NULL;
	}
	if (stat(dir, &st) == 0 && !S_ISDIR(st.st_mode)) {
		snprintf(err, errlen, "not a directory");
		return NULL;
	}
	if (stat(dir, &st) == -1 || access(dir, R_OK | W_OK | X_OK) == -1) {
		snprintf(err, errlen, "%s", strerror(errno));
		return NULL;
	}
	if ((c = calloc(1, sizeof(*c))) == NULL ||
	    (c->dir = strdup(dir)) == NULL) {
		free(c);
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	c->max = ENTRY_MAX;
	return c;
}

void
cache_set_max(struct cache *c, size_t max)
{
	c->max = max;
}

void
cache_free(struct cache *c)
{
	if (c == NULL)
		return;
	buf_free(&c->path);
	buf_free(&c->tmp);
	buf_free(&c->text);
	free(c->dir);
	free(c);
}

void
cache_key(const char *url, size_t urllen, const char *body, size_t bodylen,
    unsigned char key[CACHE_KEY_LEN])
{
	SHA2_CTX	 ctx;

	SHA256Init(&ctx);
	SHA256Update(&ctx, (const unsigned char *)url, urllen);
	/* A NUL no URL holds: "u" + "rlbody" is not "ur" + "lbody". */
	SHA256Update(&ctx, (const unsigned char *)"", 1);
	SHA256Update(&ctx, (const unsigned char *)body, bodylen);
	SHA256Final(key, &ctx);
}

void
cache_hex(const unsigned char key[CACHE_KEY_LEN], char hex[CACHE_HEX_LEN + 1])
{
	static const char	 digits[] = "0123456789abcdef";
	size_t			 i;

	for (i = 0; i < CACHE_KEY_LEN; i++) {
		hex[2 * i] = digits[key[i] >> 4];
		hex[2 * i + 1] = digits[key[i] & 15];
	}
	hex[CACHE_HEX_LEN] = '\0';
}

static void
body_sum(const char *body, size_t len, char hex[CACHE_HEX_LEN + 1])
{
	SHA2_CTX	 ctx;
	unsigned char	 sum[CACHE_KEY_LEN];

	SHA256Init(&ctx);
	SHA256Update(&ctx, (const unsigned char *)body, len);
	SHA256Final(sum, &ctx);
	cache_hex(sum, hex);
}

/*
 * MAGIC, "key HEX\n", "length N\n", "sha256 HEX\n", "\n", then the body:
 * text, so that `head` on an entry says what it is.
 */
int
cache_entry(const unsigned char key[CACHE_KEY_LEN], const char *body,
    size_t len, struct buf *out)
{
	char	 hex[CACHE_HEX_LEN + 1], sum[CACHE_HEX_LEN + 1], num[32];

	cache_hex(key, hex);
	body_sum(body, len, sum);
	snprintf(num, sizeof(num), "%zu", len);
	buf_reset(out);
	if (buf_adds(out, MAGIC "key ") == -1 || buf_adds(out, hex) == -1 ||
	    buf_adds(out, "\nlength ") == -1 || buf_adds(out, num) == -1 ||
	    buf_adds(out, "\nsha256 ") == -1 || buf_adds(out, sum) == -1 ||
	    buf_adds(out, "\n\n") == -1 || buf_add(out, body, len) == -1)
		return -1;
	return 0;
}

/* The line at *p that starts with word, its rest up to the newline. */
static int
field(const char **p, const char *end, const char *word, const char **val,
    size_t *vlen)
{
	size_t		 n = strlen(word);
	const char	*nl;

	if ((size_t)(end - *p) < n || memcmp(*p, word, n) != 0 ||
	    (nl = memchr(*p + n, '\n', end - *p - n)) == NULL)
		return -1;
	*val = *p + n;
	*vlen = nl - *val;
	*p = nl + 1;
	return 0;
}

/*
 * The header of an entry for the key, from the start of text: 0 with the
 * body's place (*off) and length (*bodylen) and its sum (sum, hex), or -1
 * if it is not one.  Only the header's bytes are read: it comes whole in
 * the first HEADER_MAX bytes.
 */
static int
header_parse(const unsigned char key[CACHE_KEY_LEN], const char *text,
    size_t len, size_t *off, size_t *bodylen, const char **sum)
{
	const char	*p = text, *end = text + len, *v, *errstr;
	char		 hex[CACHE_HEX_LEN + 1], num[32];
	size_t		 vlen;
	long long	 n;

	cache_hex(key, hex);
	if (len < strlen(MAGIC) || memcmp(p, MAGIC, strlen(MAGIC)) != 0)
		return -1;
	p += strlen(MAGIC);
	if (field(&p, end, "key ", &v, &vlen) == -1 ||
	    vlen != CACHE_HEX_LEN || memcmp(v, hex, vlen) != 0)
		return -1;
	if (field(&p, end, "length ", &v, &vlen) == -1 || vlen == 0 ||
	    vlen >= sizeof(num))
		return -1;
	memcpy(num, v, vlen);
	num[vlen] = '\0';
	n = strtonum(num, 0, ENTRY_MAX, &errstr);
	if (errstr != NULL)
		return -1;
	if (field(&p, end, "sha256 ", &v, &vlen) == -1 ||
	    vlen != CACHE_HEX_LEN || p == end || *p++ != '\n')
		return -1;
	*sum = v;
	*off = p - text;
	*bodylen = n;
	return 0;
}

/* The body's sum against the header's. */
static int
body_check(const char *body, size_t len, const char *sum)
{
	char	 hex[CACHE_HEX_LEN + 1];

	body_sum(body, len, hex);
	return memcmp(sum, hex, CACHE_HEX_LEN) == 0 ? 0 : -1;
}

int
cache_parse(const unsigned char key[CACHE_KEY_LEN], const char *text,
    size_t len, size_t *off, size_t *bodylen)
{
	const char	*sum;
	size_t		 o, n;

	if (header_parse(key, text, len, &o, &n, &sum) == -1 ||
	    len - o != n || body_check(text + o, n, sum) == -1)
		return -1;
	*off = o;
	*bodylen = n;
	return 0;
}

/* DIR/ab/cd/HEX into c->path, NUL-terminated; levels: how many of the
 * directories to name (0: the whole path). */
static int
entry_path(struct cache *c, const char *hex, int levels)
{
	buf_reset(&c->path);
	if (buf_adds(&c->path, c->dir) == -1 || buf_addc(&c->path, '/') == -1 ||
	    buf_add(&c->path, hex, 2) == -1)
		return -1;
	if (levels != 1 && (buf_addc(&c->path, '/') == -1 ||
	    buf_add(&c->path, hex + 2, 2) == -1))
		return -1;
	if (levels == 0 && (buf_addc(&c->path, '/') == -1 ||
	    buf_adds(&c->path, hex) == -1))
		return -1;
	return buf_addc(&c->path, '\0');
}

/* Read len bytes at off into p: 0, or -1 if the file ends sooner. */
static int
read_at(int fd, char *p, size_t len, off_t off)
{
	ssize_t	 n;

	while (len > 0) {
		if ((n = pread(fd, p, len, off)) == -1 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		p += n;
		len -= n;
		off += n;
	}
	return 0;
}

int
cache_get(struct cache *c, const unsigned char key[CACHE_KEY_LEN],
    struct buf *out)
{
	char		 hex[CACHE_HEX_LEN + 1], head[HEADER_MAX];
	char		 sum[CACHE_HEX_LEN];
	const char	*s;
	struct stat	 st;
	size_t		 off, len, n;
	int		 fd, rv = 0;

	cache_hex(key, hex);
	if (entry_path(c, hex, 0) == -1)
		return -1;
	/*
	 * Without blocking: a FIFO someone put there would hold open(2)
	 * until a writer came, and the run with it.  Not through a link:
	 * the cache owns the path.  What was opened is checked after.
	 */
	if ((fd = open(c->path.data, O_RDONLY | O_NONBLOCK | O_NOFOLLOW |
	    O_CLOEXEC)) == -1)
		return 0;
	if (fstat(fd, &st) == -1 || !S_ISREG(st.st_mode))
		goto out;
	/*
	 * The header first, and the size it says against the file's and
	 * --max-response-bytes: a gigabyte of garbage is never read.  The
	 * size of now: another process may rename a new one in, but never
	 * write into this one.
	 */
	n = st.st_size < HEADER_MAX ? (size_t)st.st_size : HEADER_MAX;
	if (read_at(fd, head, n, 0) == -1 ||
	    header_parse(key, head, n, &off, &len, &s) == -1 ||
	    (size_t)st.st_size - off != len || len > c->max)
		goto out;
	memcpy(sum, s, sizeof(sum));
	buf_reset(out);
	if (buf_reserve(out, len + 1) == -1) {
		rv = -1;
		goto out;
	}
	if (read_at(fd, out->data, len, off) == -1 ||
	    body_check(out->data, len, sum) == -1)
		goto out;
	out->len = len;
	rv = 1;
out:
	close(fd);
	return rv;
}

/* DIR/ab and DIR/ab/cd, made as needed.  c->path is left as it was. */
static int
make_dirs(struct cache *c, const char *hex, char *err, size_t errlen)
{
	struct buf	 keep = c->path;
	int		 level, rv = 0;

	c->path = (struct buf){ 0 };
	for (level = 1; level <= 2 && rv == 0; level++) {
		if (entry_path(c, hex, level) == -1) {
			snprintf(err, errlen, "out of memory");
			rv = -1;
		} else if (mkdir(c->path.data, 0777) == -1 && errno != EEXIST) {
			snprintf(err, errlen, "%s: %s", c->path.data,
			    strerror(errno));
			rv = -1;
		}
	}
	buf_free(&c->path);
	c->path = keep;
	return rv;
}

int
cache_put(struct cache *c, const unsigned char key[CACHE_KEY_LEN],
    const char *body, size_t len, char *err, size_t errlen)
{
	char	 hex[CACHE_HEX_LEN + 1], tail[64];
	int	 fd, level;

	cache_hex(key, hex);
	if (cache_entry(key, body, len, &c->text) == -1)
		goto nomem;
	if (entry_path(c, hex, 0) == -1)
		goto nomem;
	/* Unique among processes and among this one's entries. */
	snprintf(tail, sizeof(tail), ".%ld.%08x.tmp", (long)getpid(),
	    arc4random());
	buf_reset(&c->tmp);
	if (buf_add(&c->tmp, c->path.data, c->path.len - 1) == -1 ||
	    buf_adds(&c->tmp, tail) == -1 || buf_addc(&c->tmp, '\0') == -1)
		goto nomem;
	/*
	 * The directories are made when the file cannot be: a mkdir costs
	 * as much as the write on a busy disk, and after the first few
	 * hundred entries they are all there.  Two levels of 256: a million
	 * entries are 16 a directory.
	 */
	for (level = 1; (fd = open(c->tmp.data, O_WRONLY | O_CREAT | O_EXCL |
	    O_CLOEXEC, 0666)) == -1 && errno == ENOENT && level <= 2;
	    level++)
		if (make_dirs(c, hex, err, errlen) == -1)
			return -1;
	if (fd == -1) {
		snprintf(err, errlen, "%s: %s", c->tmp.data, strerror(errno));
		return -1;
	}
	/*
	 * No fsync: an entry cut short by a crash fails its length or its
	 * sum and is a miss, and one fsync a row would cost more than the
	 * cache saves on a fast server.
	 */
	if (fdio_write(fd, c->text.data, c->text.len) == -1) {
		snprintf(err, errlen, "%s: %s", c->tmp.data, strerror(errno));
		close(fd);
		unlink(c->tmp.data);
		return -1;
	}
	if (close(fd) == -1 || rename(c->tmp.data, c->path.data) == -1) {
		snprintf(err, errlen, "%s: %s", c->path.data, strerror(errno));
		unlink(c->tmp.data);
		return -1;
	}
	return 0;
nomem:
	snprintf(err, errlen, "out of memory");
	return -1;
}
