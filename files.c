/*
 * The files a run reads besides its input, whole and at the start: the
 * templates, the schema, the labels, the price table and STATE's settings
 * (files_read, each at most 16 MiB: -f /dev/zero is no template), and the
 * outputs of earlier runs that --skip-ids names.  Program code: a file
 * that cannot be used stops the run with status 2, naming the option.
 *
 * Not here: what the text read means (the caller's), or the files the
 * run writes (setup.c opens them).
 */
#include <sys/stat.h>

#include <err.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <unistd.h>

#include "files.h"

/* A template file larger than this is no template (-f /dev/zero). */
#define TEMPLATE_MAX	(16 * 1024 * 1024)

void
files_read(const char *path, struct buf *b, const char *what)
{
	char	 tmp[65536];
	ssize_t	 n;
	int	 fd;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1)
		err(2, "%s %s", what, path);
	while ((n = read(fd, tmp, sizeof(tmp))) != 0) {
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1)
			err(2, "%s %s", what, path);
		if (buf_add(b, tmp, n) == -1)
			err(2, NULL);
		if (b->len > TEMPLATE_MAX)
			errx(2, "%s %s: larger than %d MiB", what, path,
			    TEMPLATE_MAX / 1024 / 1024);
	}
	close(fd);
}

/*
 * A checkpoint cut off mid-line (kill -9 while `tee -a` wrote) would glue
 * the next run's first row to its last line: when enrich appends to that
 * same file it ends the line first; otherwise it says how to.
 */
static void
check_last_line(FILE *fp, const char *path)
{
	struct stat	 st, out;
	char		 c;

	if (fstat(fileno(fp), &st) == -1 || !S_ISREG(st.st_mode) ||
	    st.st_size == 0 || pread(fileno(fp), &c, 1, st.st_size - 1) != 1 ||
	    c == '\n')
		return;
	if (fstat(STDOUT_FILENO, &out) == 0 && out.st_dev == st.st_dev &&
	    out.st_ino == st.st_ino) {
		if (write(STDOUT_FILENO, "\n", 1) != 1)
			err(5, "write");
		return;
	}
	warnx("--skip-ids %s does not end in a newline (a run was cut off): "
	    "the next row appended to it would join its last line; run "
	    "'echo >> %s' first", path, path);
}

struct idset *
files_skip(const struct config *c)
{
	struct idset_rules	 rules = { c->idfield, c->errfield,
				    c->json || c->batch_out ? NULL : c->field };
	struct idset_stats	 st;
	struct idset		*s;
	struct stat		 sb, in;
	const char		*path;
	FILE			*fp;
	char			 e[256];
	size_t			 k;

	if (c->skipfiles.n == 0)
		return NULL;
	if ((s = idset_new()) == NULL)
		err(2, NULL);
	for (k = 0; k < c->skipfiles.n; k++) {
		path = c->skipfiles.v[k];
		if ((fp = fopen(path, "re")) == NULL)
			err(2, "--skip-ids %s", path);
		if (fstat(fileno(fp), &sb) == 0 && fstat(STDIN_FILENO,
		    &in) == 0 && sb.st_dev == in.st_dev &&
		    sb.st_ino == in.st_ino && S_ISREG(sb.st_mode))
			errx(2, "--skip-ids %s is the input itself", path);
		if (idset_load(s, fp, &rules, &st, e, sizeof(e)) == -1)
			errx(2, "--skip-ids %s: %s", path, e);
		check_last_line(fp, path);
		fclose(fp);
		if (st.ids == 0 && st.unanswered > 0 && c->verbose >= 0)
			warnx("%s: no line holds \"%s\": not an output of "
			    "enrich with these options", path, c->field);
		if (st.unusable > 0 && c->verbose >= 0)
			warnx("%s: ignored %zu line%s without a usable ID",
			    path, st.unusable, st.unusable == 1 ? "" : "s");
		if (c->verbose > 0)
			warnx("%s: %zu done, %zu failed (to redo)", path,
			    st.ids, st.failed);
	}
	return s;
}
