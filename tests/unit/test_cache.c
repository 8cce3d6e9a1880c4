#include <sys/stat.h>

#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cache.h"
#include "check.h"

static char	 dir[64] = "/tmp/test_cache.XXXXXX";
static char	 root[64];

/* The entry's file for a key, as cache_put places it. */
static void
entry_file(const unsigned char *key, char *path, size_t len)
{
	char	 hex[CACHE_HEX_LEN + 1];

	cache_hex(key, hex);
	snprintf(path, len, "%s/%.2s/%.2s/%s", dir, hex, hex + 2, hex);
}

static void
write_text(const char *path, const char *text, size_t len)
{
	FILE	*fp = fopen(path, "w");

	if (fp == NULL || fwrite(text, 1, len, fp) != len || fclose(fp) != 0)
		abort();
}

/* Files left in a directory whose names end in .tmp, recursively. */
static int
temp_files(const char *d)
{
	char		 sub[1024];
	struct dirent	*e;
	DIR		*dp;
	size_t		 n;
	int		 count = 0;

	if ((dp = opendir(d)) == NULL)
		return 0;
	while ((e = readdir(dp)) != NULL) {
		if (e->d_name[0] == '.' && (e->d_name[1] == '\0' ||
		    strcmp(e->d_name, "..") == 0))
			continue;
		n = strlen(e->d_name);
		if (n > 4 && strcmp(e->d_name + n - 4, ".tmp") == 0)
			count++;
		snprintf(sub, sizeof(sub), "%s/%s", d, e->d_name);
		count += temp_files(sub);
	}
	closedir(dp);
	return count;
}

int
main(void)
{
	struct cache	*c;
	struct buf	 b = { 0 }, t = { 0 };
	unsigned char	 k1[CACHE_KEY_LEN], k2[CACHE_KEY_LEN], k3[CACHE_KEY_LEN];
	char		 hex[CACHE_HEX_LEN + 1], err[256], path[1024];
	const char	*body = "{\"choices\":[{\"message\":{\"content\":\"x\"}}]}";
	size_t		 off, len;

	if (mkdtemp(dir) == NULL)
		abort();

	/* SHA-256 of "" + NUL + "": the test vector of one zero byte. */
	cache_key("", 0, "", 0, k1);
	cache_hex(k1, hex);
	CHECK(strcmp(hex, "6e340b9cffb37a989ca544e6bb780a2c"
	    "78901d3fb33738768511a30617afa01d") == 0);

	/* The key changes with the URL and with any byte of the body, and
	 * the two are not run together. */
	cache_key("http://a/v1", 11, "{\"model\":\"m\"}", 13, k1);
	cache_key("http://a/v1", 11, "{\"model\":\"n\"}", 13, k2);
	CHECK(memcmp(k1, k2, CACHE_KEY_LEN) != 0);
	cache_key("http://b/v1", 11, "{\"model\":\"m\"}", 13, k2);
	CHECK(memcmp(k1, k2, CACHE_KEY_LEN) != 0);
	cache_key("ab", 2, "c", 1, k2);
	cache_key("a", 1, "bc", 2, k3);
	CHECK(memcmp(k2, k3, CACHE_KEY_LEN) != 0);
	cache_key("http://a/v1", 11, "{\"model\":\"m\"}", 13, k2);
	CHECK(memcmp(k1, k2, CACHE_KEY_LEN) == 0);

	/* A directory that is a file, or cannot be made. */
	snprintf(path, sizeof(path), "%s/file", dir);
	write_text(path, "x", 1);
	CHECK(cache_new(path, err, sizeof(err)) == NULL &&
	    strstr(err, "not a directory") != NULL);
	snprintf(path, sizeof(path), "%s/no/such", dir);
	CHECK(cache_new(path, err, sizeof(err)) == NULL && err[0] != '\0');
	CHECK(cache_new("", err, sizeof(err)) == NULL);

	/* Made when missing; a miss, then a hit of the same bytes. */
	snprintf(path, sizeof(path), "%s/c", dir);
	c = cache_new(path, err, sizeof(err));
	snprintf(root, sizeof(root), "%s", dir);
	strlcat(dir, "/c", sizeof(dir));
	CHECK(c != NULL);
	if (c == NULL)
		return check_done("test_cache");
	CHECK(cache_get(c, k1, &b) == 0);
	CHECK(cache_put(c, k1, body, strlen(body), err, sizeof(err)) == 0);
	CHECK(cache_get(c, k1, &b) == 1);
	CHECK_BUF(b, body);
	CHECK(cache_get(c, k3, &b) == 0);
	/* In the fan-out, and no temporary file left behind. */
	entry_file(k1, path, sizeof(path));
	CHECK(access(path, R_OK) == 0);
	CHECK(temp_files(dir) == 0);
	/* Written again: replaced whole. */
	CHECK(cache_put(c, k1, "{}", 2, err, sizeof(err)) == 0);
	CHECK(cache_get(c, k1, &b) == 1);
	CHECK_BUF(b, "{}");
	/* An empty body is an entry too. */
	CHECK(cache_put(c, k3, "", 0, err, sizeof(err)) == 0);
	CHECK(cache_get(c, k3, &b) == 1 && b.len == 0);

	/* Corrupt entries are misses, and the next put overwrites them. */
	CHECK(cache_entry(k1, body, strlen(body), &t) == 0);
	write_text(path, t.data, t.len - 1);		/* cut short */
	CHECK(cache_get(c, k1, &b) == 0);
	t.data[t.len - 2] ^= 1;				/* a byte changed */
	write_text(path, t.data, t.len);
	CHECK(cache_get(c, k1, &b) == 0);
	write_text(path, "", 0);			/* empty */
	CHECK(cache_get(c, k1, &b) == 0);
	CHECK(cache_entry(k3, body, strlen(body), &t) == 0);
	write_text(path, t.data, t.len);		/* another key's */
	CHECK(cache_get(c, k1, &b) == 0);
	CHECK(cache_put(c, k1, body, strlen(body), err, sizeof(err)) == 0);
	CHECK(cache_get(c, k1, &b) == 1);
	CHECK_BUF(b, body);
	/* A directory where the entry should be: a miss, not a read. */
	unlink(path);
	mkdir(path, 0777);
	CHECK(cache_get(c, k1, &b) == 0);
	CHECK(cache_put(c, k1, body, strlen(body), err, sizeof(err)) == -1 &&
	    err[0] != '\0');
	CHECK(temp_files(dir) == 0);
	rmdir(path);

	/*
	 * Garbage of 64 MiB (sparse: no disk) where an entry goes: the
	 * header is read and refused, never the rest, so the buffer does
	 * not grow to the file's size.
	 */
	{
		int	 fd;

		buf_free(&b);
		CHECK((fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0666)) !=
		    -1 && ftruncate(fd, 64 << 20) == 0 && close(fd) == 0);
		CHECK(cache_get(c, k1, &b) == 0);
		CHECK(b.cap < 1 << 20);
		/* The same with a good header that lies about the length. */
		CHECK(cache_entry(k1, body, strlen(body), &t) == 0);
		CHECK((fd = open(path, O_WRONLY | O_TRUNC)) != -1 &&
		    write(fd, t.data, t.len) == (ssize_t)t.len &&
		    ftruncate(fd, 64 << 20) == 0 && close(fd) == 0);
		CHECK(cache_get(c, k1, &b) == 0);
		CHECK(b.cap < 1 << 20);
	}
	/* A whole entry larger than cache_set_max allows: a miss, its body
	 * unread; within it, a hit. */
	buf_free(&b);
	CHECK(cache_put(c, k1, body, strlen(body), err, sizeof(err)) == 0);
	cache_set_max(c, strlen(body) - 1);
	CHECK(cache_get(c, k1, &b) == 0);
	CHECK(b.cap < strlen(body));
	cache_set_max(c, strlen(body));
	CHECK(cache_get(c, k1, &b) == 1);
	CHECK_BUF(b, body);
	/* A FIFO at the entry's path: a miss at once, not a wait for a
	 * writer (alarm: a hang fails the test rather than the suite). */
	unlink(path);
	CHECK(mkfifo(path, 0666) == 0);
	alarm(10);
	CHECK(cache_get(c, k1, &b) == 0);
	alarm(0);
	/* A symbolic link to a good entry: the cache owns the path, and
	 * does not follow one. */
	unlink(path);
	{
		char	 good[1100];

		snprintf(good, sizeof(good), "%s.good", path);
		CHECK(cache_entry(k1, body, strlen(body), &t) == 0);
		write_text(good, t.data, t.len);
		CHECK(symlink(good, path) == 0);
		CHECK(cache_get(c, k1, &b) == 0);
		unlink(path);
		unlink(good);
	}

	/* The parser alone: each line of the header matters. */
	CHECK(cache_entry(k1, "ab", 2, &t) == 0);
	CHECK(cache_parse(k1, t.data, t.len, &off, &len) == 0 && len == 2 &&
	    memcmp(t.data + off, "ab", 2) == 0);
	CHECK(cache_parse(k3, t.data, t.len, &off, &len) == -1);
	CHECK(cache_parse(k1, t.data + 1, t.len - 1, &off, &len) == -1);
	CHECK(cache_parse(k1, "", 0, &off, &len) == -1);
	{
		char	*p = strstr(t.data, "length 2");

		p[7] = '3';
		CHECK(cache_parse(k1, t.data, t.len, &off, &len) == -1);
		p[7] = '-';
		CHECK(cache_parse(k1, t.data, t.len, &off, &len) == -1);
	}

	cache_free(c);
	cache_free(NULL);
	snprintf(path, sizeof(path), "rm -rf '%s'", root);
	if (system(path) != 0)
		CHECK(!"the directory removed");
	buf_free(&b);
	buf_free(&t);
	return check_done("test_cache");
}
