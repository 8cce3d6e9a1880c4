/*
 * The command that resumes an interrupted run, from its argv: the same
 * command with --skip-ids naming the output file, and the same
 * redirections, so that a user can copy it.  What it shows is what
 * another user could see in a log: the values of -H headers whose names
 * speak of a secret hidden, and a URL's user:password@.  The options are
 * recognised as getopt_long took them (a long name cut short, "=value",
 * a value joined to its letter).  The standard descriptors' files are
 * found through /proc/self/fd.
 *
 * Program code, but it prints nothing: tty.c says it.
 */
#include <sys/stat.h>

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lib/buf.h"
#include "lib/provider.h"
#include "resume.h"

/* A word as sh(1) reads it back: bare if safe, else in single quotes. */
static int
quote(struct buf *b, const char *w)
{
	const char	*p;

	if (buf_addc(b, ' ') == -1)
		return -1;
	if (*w != '\0' && w[strspn(w, "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
	    "abcdefghijklmnopqrstuvwxyz0123456789_./:=,@%+-")] == '\0')
		return buf_adds(b, w);
	if (buf_addc(b, '\'') == -1)
		return -1;
	for (p = w; *p != '\0'; p++)
		if ((*p == '\'' ? buf_adds(b, "'\\''") : buf_addc(b, *p)) == -1)
			return -1;
	return buf_addc(b, '\'');
}

/*
 * An argument shown in the resume line: a -H header whose name speaks of
 * a secret keeps its name only, a URL loses its user:password@.  kind is
 * 'H' or 'u' for the value of those options, else 0.
 */
static int
shown(struct buf *b, int kind, const char *prefix, const char *v)
{
	static const char *const secret[] = { "auth", "key", "token",
	    "secret", "cookie", "password" };
	char		 w[4096], both[sizeof(w) + 64];
	const char	*colon;
	size_t		 k, n;

	if (kind == 'u')
		provider_redact(v, w, sizeof(w));
	else
		snprintf(w, sizeof(w), "%s", v);
	if (kind == 'H' && (colon = strchr(w, ':')) != NULL) {
		n = colon - w;
		for (k = 0; k < sizeof(secret) / sizeof(secret[0]); k++)
			if (strcasestr(w, secret[k]) != NULL &&
			    strcasestr(w, secret[k]) < w + n) {
				snprintf(w + n, sizeof(w) - n, ": ***");
				break;
			}
	}
	snprintf(both, sizeof(both), "%s%s", prefix, w);
	return quote(b, both);
}

/*
 * Is an argument -H, -u or --skip-ids (as getopt_long takes them: a long
 * name cut short where it is still the only one, "=value", or a short
 * one after -q and -v, its value joined)?  'H', 'u', 's' or 0; its value,
 * when joined, in *value.
 */
static int
valued(const char *a, const char **value)
{
	static const struct {
		const char	*name;
		size_t		 least;		/* the shortest unique */
		int		 kind;
	} longs[] = {
		{ "--header", 5, 'H' }, { "--url", 3, 'u' },
		{ "--skip-ids", 4, 's' }
	};
	const char	*p;
	size_t		 k, n;

	*value = NULL;
	if (strncmp(a, "--", 2) == 0) {
		n = strcspn(a, "=");
		for (k = 0; k < sizeof(longs) / sizeof(longs[0]); k++)
			if (n >= longs[k].least && n <= strlen(longs[k].name) &&
			    strncmp(a, longs[k].name, n) == 0) {
				if (a[n] == '=')
					*value = a + n + 1;
				return longs[k].kind;
			}
		return 0;
	}
	if (a[0] != '-')
		return 0;
	for (p = a + 1; *p == 'q' || *p == 'v'; p++)
		continue;
	if (*p != 'H' && *p != 'u')
		return 0;
	if (p[1] != '\0')
		*value = p + 1;
	return *p;
}

/* The file a standard descriptor is, if a regular file: its path. */
static int
std_file(int fd, char *path, size_t len)
{
	struct stat	 st;
	char		 link[32];
	ssize_t		 n;

	snprintf(link, sizeof(link), "/proc/self/fd/%d", fd);
	if (fstat(fd, &st) == -1 || !S_ISREG(st.st_mode) ||
	    (n = readlink(link, path, len - 1)) <= 0 || (size_t)n >= len - 1)
		return 0;
	path[n] = '\0';
	/* Gone since (rm while running): no name to give. */
	return strstr(path, " (deleted)") == NULL;
}

/* Is path one of the --skip-ids files already given? */
static int
skipped_already(int argc, char *const argv[], const char *path)
{
	char		 a[PATH_MAX], b[PATH_MAX];
	const char	*v;
	int		 k;

	if (realpath(path, a) == NULL)
		return 0;
	for (k = 1; k < argc; k++) {
		if (valued(argv[k], &v) != 's')
			continue;
		if (v == NULL && k + 1 < argc)
			v = argv[++k];
		if (v != NULL && realpath(v, b) != NULL && strcmp(a, b) == 0)
			return 1;
	}
	return 0;
}

int
resume_command(struct buf *b, int argc, char *const argv[])
{
	char		 out[PATH_MAX], in[PATH_MAX], opt[64];
	const char	*v;
	int		 k, kind, to_file, from_file;

	to_file = std_file(STDOUT_FILENO, out, sizeof(out));
	from_file = std_file(STDIN_FILENO, in, sizeof(in));
	if (buf_adds(b, argc > 0 ? argv[0] : "enrich") == -1)
		return -1;
	for (k = 1; k < argc; k++) {
		kind = valued(argv[k], &v);
		if (kind == 0 || kind == 's') {
			if (quote(b, argv[k]) == -1)
				return -1;
			continue;
		}
		if (v != NULL) {
			/* The option and its value in one word. */
			snprintf(opt, sizeof(opt), "%.*s", (int)(v - argv[k]),
			    argv[k]);
			if (shown(b, kind, opt, v) == -1)
				return -1;
		} else if (quote(b, argv[k]) == -1 ||
		    (k + 1 < argc && shown(b, kind, "", argv[++k]) == -1))
			return -1;
	}
	if (!to_file || !skipped_already(argc, argv, out)) {
		if (buf_adds(b, " --skip-ids") == -1 ||
		    (to_file ? quote(b, out) : buf_adds(b, " OUTPUT")) == -1)
			return -1;
	}
	if (from_file && (buf_adds(b, " <") == -1 || quote(b, in) == -1))
		return -1;
	if (to_file && (buf_adds(b, " >>") == -1 || quote(b, out) == -1))
		return -1;
	if (!to_file && buf_adds(b, ", OUTPUT being a file that holds the "
	    "lines written") == -1)
		return -1;
	return buf_addc(b, '\0');
}
