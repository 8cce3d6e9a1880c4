#include <sys/stat.h>

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bstate1.h"
#include "check.h"

#define S(s)	s, strlen(s)

static char	 dir[] = "/tmp/test_bstate1.XXXXXX";
static char	 path[64];

static void
put(const char *text)
{
	FILE	*fp = fopen(path, "w");

	fputs(text, fp);
	fclose(fp);
}

static off_t
size(void)
{
	struct stat	 sb;

	return stat(path, &sb) == 0 ? sb.st_size : -1;
}

/* The life of a run, told to STATE and read back by the next. */
static void
test_replay(void)
{
	const char		*ids[] = { "1", "2", "a\"b" };
	size_t			 lens[] = { 1, 1, 3 };
	const struct bstate1_row	*r;
	struct bstate1		*s, *t;
	char			 e[256];

	unlink(path);
	CHECK((s = bstate1_open(path, e, sizeof(e))) != NULL);
	CHECK(bstate1_nfiles(s) == 0 && !bstate1_read(s) && !bstate1_complete(s));
	/* One run at a time. */
	CHECK(bstate1_open(path, e, sizeof(e)) == NULL);
	CHECK(strstr(e, "another enrich") != NULL);
	CHECK(bstate1_add_read(s, e, sizeof(e)) == 0);
	CHECK(bstate1_add_file(s, "file-1", ids, lens, 3, e, sizeof(e)) == 0);
	CHECK(bstate1_add_batch(s, "batch_1", "file-1", e, sizeof(e)) == 0);
	CHECK(bstate1_add_written(s, "batch_1", ids, lens, 1, e,
	    sizeof(e)) == 0);
	/* Rows 2 and a"b again, in a second file with no batch yet. */
	CHECK(bstate1_add_file(s, "file-2", ids + 1, lens + 1, 2, e,
	    sizeof(e)) == 0);
	bstate1_free(s);

	CHECK((t = bstate1_open(path, e, sizeof(e))) != NULL);
	CHECK(bstate1_read(t));
	CHECK(bstate1_nfiles(t) == 2);
	CHECK(strcmp(bstate1_file(t, 0)->batch, "batch_1") == 0);
	CHECK(bstate1_file(t, 0)->ended && bstate1_file(t, 0)->rows == 3);
	CHECK(bstate1_file(t, 1)->batch[0] == '\0' && !bstate1_file(t, 1)->ended);
	CHECK(bstate1_find_file(t, "file-2") == 1);
	CHECK(bstate1_find_file(t, "file-3") == -1);
	CHECK((r = bstate1_row(t, "1", 1)) != NULL && r->written &&
	    r->tries == 1 && r->file == 0);
	CHECK((r = bstate1_row(t, "a\"b", 3)) != NULL && !r->written &&
	    r->tries == 2 && r->file == 1);
	CHECK(bstate1_row(t, "3", 1) == NULL);
	CHECK(bstate1_add_complete(t, e, sizeof(e)) == 0);
	bstate1_free(t);
	CHECK((t = bstate1_open(path, e, sizeof(e))) != NULL);
	CHECK(bstate1_complete(t));
	bstate1_free(t);
}

/* Killed while writing a record: that record never was, and is cut. */
static void
test_torn(void)
{
	struct bstate1	*s;
	char		 e[256];
	off_t		 whole;

	put("{\"file\":\"file-1\",\"ids\":[\"1\"]}\n");
	whole = size();
	put("{\"file\":\"file-1\",\"ids\":[\"1\"]}\n"
	    "{\"batch\":\"batch_1\",\"fi");
	CHECK((s = bstate1_open(path, e, sizeof(e))) != NULL);
	CHECK(size() == whole);
	CHECK(bstate1_file(s, 0)->batch[0] == '\0');
	CHECK(bstate1_add_batch(s, "batch_1", "file-1", e, sizeof(e)) == 0);
	bstate1_free(s);
	CHECK((s = bstate1_open(path, e, sizeof(e))) != NULL);
	CHECK(strcmp(bstate1_file(s, 0)->batch, "batch_1") == 0);
	bstate1_free(s);
}

/* Anything else that is no record refuses the file, naming the line. */
static void
test_refused(void)
{
	static const char *const bad[] = {
		"{\"file\":\"file-1\",\"ids\":[\"1\"]}\nnot json\n",
		"{\"batch\":\"batch_1\",\"file\":\"file-9\"}\n",
		"{\"file\":\"../x\",\"ids\":[]}\n",
		"{\"file\":\"f\",\"ids\":[1]}\n",
		"{\"file\":\"f\",\"ids\":[]}\n{\"file\":\"f\",\"ids\":[]}\n",
		"{\"written\":[],\"ended\":\"batch_9\"}\n",
		"{\"what\":1}\n",
		"[]\n",
	};
	struct bstate1	*s;
	char		 e[256];
	size_t		 k;

	for (k = 0; k < sizeof(bad) / sizeof(bad[0]); k++) {
		put(bad[k]);
		s = bstate1_open(path, e, sizeof(e));
		CHECK(s == NULL);
		CHECK(strncmp(e, "line ", 5) == 0);
		bstate1_free(s);
	}
	put("\n{\"written\":[\"7\"]}\n");
	CHECK((s = bstate1_open(path, e, sizeof(e))) != NULL);
	CHECK(bstate1_row(s, "7", 1)->written);
	bstate1_free(s);
}

/* In memory only: the same records, no file. */
static void
test_memory(void)
{
	struct bstate1	*s;
	char		 e[256];

	CHECK((s = bstate1_open(NULL, e, sizeof(e))) != NULL);
	CHECK(bstate1_apply(s, S("{\"file\":\"f\",\"ids\":[\"x\"]}"), e,
	    sizeof(e)) == 0);
	CHECK(bstate1_apply(s, S("{\"batch\":\"b\",\"file\":\"f\"}"), e,
	    sizeof(e)) == 0);
	CHECK(bstate1_apply(s, S("{\"batch\":\"c\",\"file\":\"f\"}"), e,
	    sizeof(e)) == -1);
	CHECK(bstate1_add_written(s, NULL, NULL, NULL, 0, e, sizeof(e)) == 0);
	CHECK(!bstate1_file(s, 0)->ended);
	bstate1_free(s);
	bstate1_free(NULL);
}

int
main(void)
{
	if (mkdtemp(dir) == NULL)
		return 1;
	snprintf(path, sizeof(path), "%s/state", dir);
	test_replay();
	test_torn();
	test_refused();
	test_memory();
	unlink(path);
	rmdir(dir);
	return check_done("test_bstate1");
}
