/*
 * STATE: a run's records replayed by the next; the settings checked (a
 * STATE of another prompt refused, naming it); a record cut by a kill;
 * records that are none; a STATE of the earlier format named.
 */
#include <sys/stat.h>

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bstate.h"
#include "check.h"

static char	 dir[] = "/tmp/test_bstate.XXXXXX";
static char	 path[64];

static const struct bstate_setting	 settings[] = {
	{ "model", "gpt-4o-mini", 11 },
	{ "prompt", "{{text}}", 8 },
	{ "system", NULL, 0 },
};

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

static void
mark(struct bstate_mark *m, uint64_t read, int fill)
{
	memset(m, 0, sizeof(*m));
	m->read = read;
	m->seq = read - 1;
	memset(m->hash, 'a', BSTATE_HASH_HEX);
	m->hash[BSTATE_HASH_HEX] = '\0';
	m->fill = fill;
	m->spool = 100;
	m->upload = 80;
	m->rows = 3;
	m->at = -1;
}

/* The life of a run, told to STATE and read back by the next. */
static void
test_replay(void)
{
	const struct bstate_file	*f;
	const struct bstate_mark	*l;
	struct bstate_mark		 m;
	struct bstate			*s, *t;
	struct stat			 sb;
	char				 e[256], d[80];

	unlink(path);
	CHECK((s = bstate_open(path, settings, 3, e, sizeof(e))) != NULL);
	CHECK(!bstate_resumed(s));
	snprintf(d, sizeof(d), "%s.d", path);
	CHECK(strcmp(bstate_dir(s), d) == 0);
	CHECK(stat(d, &sb) == 0 && S_ISDIR(sb.st_mode));
	CHECK(bstate_nfiles(s) == 0 && bstate_last(s)->at == -1 &&
	    bstate_last(s)->fill == 0);
	/* One run at a time. */
	CHECK(bstate_open(path, settings, 3, e, sizeof(e)) == NULL);
	CHECK(strstr(e, "another enrich") != NULL);
	/* Files 0 and 1 closed; 0 uploaded, made, got; 1 uploaded. */
	mark(&m, 10, 2);
	CHECK(bstate_mark(s, &m, e, sizeof(e)) == 0);
	CHECK(bstate_nfiles(s) == 2);
	CHECK(bstate_uploaded(s, 0, "file-1", 5, 0.25, e, sizeof(e)) == 0);
	CHECK(bstate_made(s, 0, "batch_1", e, sizeof(e)) == 0);
	CHECK(bstate_got(s, 0, e, sizeof(e)) == 0);
	CHECK(bstate_uploaded(s, 1, "file-2", 4, 0, e, sizeof(e)) == 0);
	/* Not twice, not out of order. */
	CHECK(bstate_uploaded(s, 1, "file-3", 4, 0, e, sizeof(e)) == -1);
	CHECK(bstate_got(s, 1, e, sizeof(e)) == -1);
	mark(&m, 20, 3);
	m.at = 0;
	m.line = 4;
	CHECK(bstate_mark(s, &m, e, sizeof(e)) == 0);
	CHECK(bstate_ended(s, 0, e, sizeof(e)) == 0);
	bstate_free(s);

	CHECK((t = bstate_open(path, settings, 3, e, sizeof(e))) != NULL);
	CHECK(bstate_resumed(t));
	CHECK(bstate_nfiles(t) == 2);
	CHECK((f = bstate_file(t, 0)) != NULL && f->k == 1 &&
	    strcmp(f->id, "file-2") == 0 && f->rows == 4 &&
	    f->batch[0] == '\0' && !f->got);
	CHECK((f = bstate_file(t, 1)) != NULL && f->k == 2 && f->id[0] == '\0');
	CHECK(bstate_find(t, 0) == NULL && bstate_find(t, 2) == f);
	l = bstate_last(t);
	CHECK(l->read == 20 && l->seq == 19 && l->fill == 3 &&
	    l->spool == 100 && l->upload == 80 && l->rows == 3 &&
	    l->at == 0 && l->line == 4 && l->hash[0] == 'a');
	/* A checkpoint does not go back. */
	mark(&m, 30, 2);
	CHECK(bstate_mark(t, &m, e, sizeof(e)) == -1);
	bstate_free(t);
}

/* Another prompt, another model: refused, naming them. */
static void
test_settings(void)
{
	struct bstate_setting	 other[3];
	struct bstate		*s;
	char			 e[512];

	memcpy(other, settings, sizeof(other));
	other[1].value = "{{text}} in French";
	other[1].len = strlen(other[1].value);
	CHECK(bstate_open(path, other, 3, e, sizeof(e)) == NULL);
	CHECK(strstr(e, "another prompt:") != NULL);
	other[0].value = "gpt-4o";
	other[0].len = 6;
	other[2].value = "be brief";
	other[2].len = 8;
	CHECK(bstate_open(path, other, 3, e, sizeof(e)) == NULL);
	CHECK(strstr(e, "another model, prompt, system:") != NULL);
	/* A setting the STATE never heard of is a difference too. */
	memcpy(other, settings, sizeof(other));
	other[2].name = "schema";
	CHECK(bstate_open(path, other, 3, e, sizeof(e)) == NULL);
	CHECK(strstr(e, "another schema") != NULL);
	CHECK((s = bstate_open(path, settings, 3, e, sizeof(e))) != NULL);
	bstate_free(s);
}

/* Killed while writing a record: that record never was, and is cut. */
static void
test_torn(void)
{
	struct bstate_mark	 m;
	struct bstate		*s;
	char			 e[256], text[512];
	off_t			 whole;
	FILE			*fp;

	unlink(path);
	CHECK((s = bstate_open(path, settings, 3, e, sizeof(e))) != NULL);
	mark(&m, 5, 1);
	CHECK(bstate_mark(s, &m, e, sizeof(e)) == 0);
	bstate_free(s);
	whole = size();
	CHECK((fp = fopen(path, "a")) != NULL);
	fputs("{\"up\":0,\"file\":\"fi", fp);
	fclose(fp);
	CHECK((s = bstate_open(path, settings, 3, e, sizeof(e))) != NULL);
	CHECK(size() == whole);
	CHECK(bstate_file(s, 0)->id[0] == '\0');
	CHECK(bstate_uploaded(s, 0, "file-1", 1, 0, e, sizeof(e)) == 0);
	bstate_free(s);
	CHECK((s = bstate_open(path, settings, 3, e, sizeof(e))) != NULL);
	CHECK(strcmp(bstate_file(s, 0)->id, "file-1") == 0);
	bstate_free(s);
	(void)text;
}

/* Anything else that is no record refuses the file, naming the line. */
static void
test_refused(void)
{
	static const char *const bad[] = {
		"not json\n",
		"{\"enrich\":\"batch-9\",\"settings\":{}}\n",
		"H\n{\"up\":0,\"file\":\"f\",\"rows\":1}\n",
		"H\n{\"read\":1}\n",
		"H\n{\"batch\":\"b\",\"k\":0}\n",
		"H\n{\"ended\":3}\n",
		"H\n{\"what\":1}\n",
		"H\n[]\n",
	};
	struct bstate	*s;
	char		 e[256], text[512];
	size_t		 k;

	for (k = 0; k < sizeof(bad) / sizeof(bad[0]); k++) {
		snprintf(text, sizeof(text), "%s", bad[k]);
		if (text[0] == 'H')
			snprintf(text, sizeof(text), "{\"enrich\":\"batch-2\","
			    "\"settings\":{}}%s", bad[k] + 1);
		put(text);
		s = bstate_open(path, NULL, 0, e, sizeof(e));
		CHECK(s == NULL);
		CHECK(strncmp(e, "line ", 5) == 0);
		bstate_free(s);
	}
	/* The same checks on a text in memory. */
	snprintf(text, sizeof(text), "{\"enrich\":\"batch-2\",\"settings\":"
	    "{}}\n{\"up\":0,\"file\":\"f\",\"rows\":1}\n");
	CHECK(bstate_check(text, strlen(text), e, sizeof(e)) == -1 &&
	    strncmp(e, "line 2", 6) == 0);
	CHECK(bstate_check(text, strchr(text, '\n') + 1 - text, e,
	    sizeof(e)) == 0);
	/* The earlier release's STATE, said as such. */
	put("{\"file\":\"file-1\",\"ids\":[\"1\"]}\n");
	CHECK(bstate_open(path, settings, 3, e, sizeof(e)) == NULL);
	CHECK(strstr(e, "earlier enrich") != NULL);
	put("{\"read\":true}\n");
	CHECK(bstate_open(path, settings, 3, e, sizeof(e)) == NULL);
	CHECK(strstr(e, "earlier enrich") != NULL);
}

int
main(void)
{
	char	 d[80];

	if (mkdtemp(dir) == NULL)
		return 1;
	snprintf(path, sizeof(path), "%s/state", dir);
	test_replay();
	test_settings();
	test_torn();
	test_refused();
	unlink(path);
	snprintf(d, sizeof(d), "%s.d", path);
	rmdir(d);
	rmdir(dir);
	bstate_free(NULL);
	return check_done("test_bstate");
}
