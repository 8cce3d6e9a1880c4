/*
 * Rows parked in the Batch file being filled, checked on disk: each
 * leader's spool record and request line, followers recorded and never
 * uploaded (in the file being filled, or in one closed before), files
 * closed by rows and by bytes and taken once, the checkpoint's numbers,
 * a resume cut back to them with its leaders' keys read back (the file
 * being filled's, and a closed file's), and keys forgotten when a file
 * is written.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "batchpark.h"
#include "prov_azure.h"
#include "prov_openai.h"
#include "check.h"
#include "spool.h"
#include "transport.h"

static char	 dir[] = "/tmp/test_batchpark.XXXXXX";

/* A row: seq, its input object {"q":q}, keyed by q (distinct: no key). */
static void
row_of(struct row *r, uint64_t seq, int q, int keyed, double reserved)
{
	char	 text[64];

	buf_free(&r->text);
	buf_free(&r->body);
	memset(r, 0, sizeof(*r));
	r->seq = seq;
	r->lineno = seq + 1;
	snprintf(text, sizeof(text), "{\"q\":%d}", q);
	buf_adds(&r->text, text);
	snprintf(text, sizeof(text), "{\"model\":\"m\",  \"q\":%d}", q);
	buf_adds(&r->body, text);
	r->keyed = keyed;
	memset(r->key, 0, sizeof(r->key));
	memcpy(r->key, &q, sizeof(q));
	r->reserved = reserved;
}

static void
slurp(const char *name, int k, struct buf *b)
{
	char	 path[160], rd[4096];
	FILE	*fp;
	size_t	 n;

	buf_reset(b);
	snprintf(path, sizeof(path), "%s/%s.%d", dir, name, k);
	if ((fp = fopen(path, "r")) != NULL) {
		while ((n = fread(rd, 1, sizeof(rd), fp)) > 0)
			buf_add(b, rd, n);
		fclose(fp);
	}
	buf_addc(b, '\0');
	b->len--;
}

static int
lines(const struct buf *b)
{
	size_t	 k;
	int	 n = 0;

	for (k = 0; k < b->len; k++)
		n += b->data[k] == '\n';
	return n;
}

/* The records of spool k: their seqs and leads into out, how many. */
static int
spool_of(int k, uint64_t *seq, int64_t *lead, int max)
{
	struct spool_reader	 rd;
	struct spool_row	 sr;
	char			 path[160];
	FILE			*fp;
	int			 n = 0;

	snprintf(path, sizeof(path), "%s/spool.%d", dir, k);
	if ((fp = fopen(path, "r")) == NULL)
		return -1;
	spool_reader_init(&rd, fileno(fp));
	while (n < max && spool_next(&rd, &sr) == 1) {
		seq[n] = sr.seq;
		lead[n++] = sr.lead;
	}
	spool_reader_free(&rd);
	fclose(fp);
	return n;
}

static void
clean(void)
{
	char	 cmd[256];

	snprintf(cmd, sizeof(cmd), "rm -f '%s'/*", dir);
	if (system(cmd) != 0)
		abort();
}

/* Three rows asking two things, files of two rows: the first file holds
 * both leaders and a follower; the next row asking the same follows too,
 * recorded in the closed file's spool; the third thing leads file 1. */
static void
test_park(void)
{
	struct batchpark_config	 pc = { 2, 1000000, &openai_batch };
	struct bstate_mark	 m = { 0 };
	struct batchpark	*p;
	struct batchpark_file	 f;
	struct row		 r = { 0 };
	struct buf		 b = { 0 };
	uint64_t		 seq[8];
	int64_t			 lead[8];
	char			 e[256];

	clean();
	CHECK((p = batchpark_new(&pc, dir, &m, e, sizeof(e))) != NULL);
	row_of(&r, 0, 1, 1, 0.5);
	CHECK(batchpark_row(p, &r, -1, e, sizeof(e)) == TRANSPORT_PARKED);
	row_of(&r, 1, 1, 1, 0.5);
	CHECK(batchpark_row(p, &r, -1, e, sizeof(e)) == TRANSPORT_FOLLOWS);
	CHECK(batchpark_rows(p) == 1 && batchpark_reserved(p) == 0.5);
	CHECK(batchpark_closed(p, &f) == 0);
	row_of(&r, 2, 2, 1, 0.25);
	CHECK(batchpark_row(p, &r, -1, e, sizeof(e)) == TRANSPORT_PARKED);
	/* Two rows to upload: closed, taken once. */
	CHECK(batchpark_closed(p, &f) == 1 && f.k == 0 && f.rows == 2 &&
	    f.reserved == 0.75);
	CHECK(batchpark_closed(p, &f) == 0);
	CHECK(batchpark_rows(p) == 0 && batchpark_reserved(p) == 0);
	/* A follower of a row in the closed file. */
	row_of(&r, 3, 2, 1, 0.25);
	CHECK(batchpark_row(p, &r, -1, e, sizeof(e)) == TRANSPORT_FOLLOWS);
	/* Unless that file's rows are being written. */
	row_of(&r, 4, 2, 1, 0.25);
	CHECK(batchpark_row(p, &r, 0, e, sizeof(e)) == TRANSPORT_PARKED);
	/* A row made again (a retry) leads as itself. */
	row_of(&r, 4, 2, 1, 0.25);
	CHECK(batchpark_row(p, &r, -1, e, sizeof(e)) == TRANSPORT_PARKED);
	CHECK(batchpark_closed(p, &f) == 1 && f.k == 1 && f.rows == 2 &&
	    f.reserved == 0.5);

	slurp("upload", 0, &b);
	CHECK(lines(&b) == 2);
	CHECK(strstr(b.data, "{\"custom_id\":\"1\",\"method\":\"POST\","
	    "\"url\":\"/v1/chat/completions\",\"body\":{\"model\":\"m\","
	    "\"q\":1}}\n") == b.data);
	CHECK(strstr(b.data, "\"custom_id\":\"3\"") != NULL &&
	    strstr(b.data, "\"custom_id\":\"2\"") == NULL);
	CHECK(spool_of(0, seq, lead, 8) == 4);
	CHECK(seq[0] == 0 && lead[0] == -1 && seq[1] == 1 && lead[1] == 0 &&
	    seq[2] == 2 && lead[2] == -1 && seq[3] == 3 && lead[3] == 2);
	batchpark_free(p);
	buf_free(&b);
	buf_free(&r.text);
	buf_free(&r.body);
}

/* A file closes before the line that would take its upload past the
 * byte limit; rows with no key never follow. */
static void
test_bytes(void)
{
	struct batchpark_config	 pc = { 100, 250, &azure_batch };
	struct bstate_mark	 m = { 0 };
	struct batchpark	*p;
	struct batchpark_file	 f;
	struct row		 r = { 0 };
	struct buf		 b = { 0 };
	char			 e[256];
	int			 k;

	clean();
	CHECK((p = batchpark_new(&pc, dir, &m, e, sizeof(e))) != NULL);
	for (k = 0; k < 5; k++) {
		row_of(&r, k, 7, 0, 0);
		CHECK(batchpark_row(p, &r, -1, e, sizeof(e)) ==
		    TRANSPORT_PARKED);
	}
	CHECK(batchpark_closed(p, &f) == 1 && f.k == 0 && f.rows == 2);
	CHECK(batchpark_closed(p, &f) == 1 && f.k == 1 && f.rows == 2);
	CHECK(batchpark_closed(p, &f) == 0);
	slurp("upload", 0, &b);
	CHECK(b.len <= 250 && lines(&b) == 2);
	/* Azure's URL in the line. */
	CHECK(strstr(b.data, "\"url\":\"/chat/completions\"") != NULL);
	/* The input's end: the last closes; an empty one does not. */
	CHECK(batchpark_close(p, e, sizeof(e)) == 0);
	CHECK(batchpark_closed(p, &f) == 1 && f.k == 2 && f.rows == 1);
	CHECK(batchpark_close(p, e, sizeof(e)) == 0);
	CHECK(batchpark_closed(p, &f) == 0);
	batchpark_free(p);
	buf_free(&b);
	buf_free(&r.text);
	buf_free(&r.body);
}

/* The checkpoint names the file being filled; a resume cuts it back to
 * what was named, and goes on filling it.  Keys are forgotten when their
 * file is written. */
static void
test_resume(void)
{
	struct batchpark_config	 pc = { 10, 1000000, &openai_batch };
	struct bstate_mark	 m = { 0 };
	struct batchpark	*p;
	struct row		 r = { 0 };
	struct buf		 b = { 0 };
	uint64_t		 seq[8];
	int64_t			 lead[8];
	char			 e[256];

	clean();
	CHECK((p = batchpark_new(&pc, dir, &m, e, sizeof(e))) != NULL);
	row_of(&r, 0, 1, 1, 0.5);
	CHECK(batchpark_row(p, &r, -1, e, sizeof(e)) == TRANSPORT_PARKED);
	CHECK(batchpark_sync(p, e, sizeof(e)) == 0);
	batchpark_mark(p, &m);
	CHECK(m.fill == 0 && m.rows == 1 && m.spool > 0 && m.upload > 0);
	/* Parked after the checkpoint, then killed. */
	row_of(&r, 1, 2, 1, 0);
	CHECK(batchpark_row(p, &r, -1, e, sizeof(e)) == TRANSPORT_PARKED);
	batchpark_free(p);

	CHECK((p = batchpark_new(&pc, dir, &m, e, sizeof(e))) != NULL);
	slurp("upload", 0, &b);
	CHECK(lines(&b) == 1 && (off_t)b.len == m.upload);
	/* What row 0 holds, read back with it. */
	CHECK(batchpark_rows(p) == 1 && batchpark_reserved(p) == 0.5);
	/* Row 0, parked before the kill, is followed (its key read back);
	 * row 1, parked after the checkpoint, is gone. */
	row_of(&r, 5, 1, 1, 0);
	CHECK(batchpark_row(p, &r, -1, e, sizeof(e)) == TRANSPORT_FOLLOWS);
	row_of(&r, 1, 2, 1, 0);
	CHECK(batchpark_row(p, &r, -1, e, sizeof(e)) == TRANSPORT_PARKED);
	CHECK(spool_of(0, seq, lead, 8) == 3 && seq[1] == 5 && lead[1] == 0 &&
	    seq[2] == 1);
	/* Asking the same as row 1: follows; after file 0 is written, not. */
	row_of(&r, 2, 2, 1, 0);
	CHECK(batchpark_row(p, &r, -1, e, sizeof(e)) == TRANSPORT_FOLLOWS);
	batchpark_forget(p, 0);
	row_of(&r, 3, 2, 1, 0);
	CHECK(batchpark_row(p, &r, -1, e, sizeof(e)) == TRANSPORT_PARKED);
	/* File 0 closed; a new run recalls it as STATE names it. */
	CHECK(batchpark_close(p, e, sizeof(e)) == 0);
	batchpark_free(p);
	memset(&m, 0, sizeof(m));
	m.fill = 1;
	CHECK((p = batchpark_new(&pc, dir, &m, e, sizeof(e))) != NULL);
	row_of(&r, 9, 2, 1, 0);
	CHECK(batchpark_row(p, &r, -1, e, sizeof(e)) == TRANSPORT_PARKED);
	CHECK(batchpark_recall(p, 0, e, sizeof(e)) == 0);
	row_of(&r, 10, 1, 1, 0);
	CHECK(batchpark_row(p, &r, -1, e, sizeof(e)) == TRANSPORT_FOLLOWS);
	CHECK(batchpark_recall(p, 7, e, sizeof(e)) == -1 &&
	    strstr(e, "spool.7: No such file") != NULL);
	batchpark_free(p);
	buf_free(&b);
	buf_free(&r.text);
	buf_free(&r.body);
}

/* A spool that cannot be written: said, with its path. */
static void
test_unwritable(void)
{
	struct batchpark_config	 pc = { 10, 1000000, &openai_batch };
	struct bstate_mark	 m = { 0 };
	struct batchpark	*p;
	struct row		 r = { 0 };
	char			 e[256] = "";

	CHECK((p = batchpark_new(&pc, "/nonexistent/dir", &m, e,
	    sizeof(e))) != NULL);
	row_of(&r, 0, 1, 1, 0);
	CHECK(batchpark_row(p, &r, -1, e, sizeof(e)) == -1);
	CHECK(strstr(e, "/nonexistent/dir/spool.0: No such file") != NULL);
	batchpark_free(p);
	buf_free(&r.text);
	buf_free(&r.body);
}

int
main(void)
{
	char	 cmd[256];

	if (mkdtemp(dir) == NULL)
		return 1;
	test_park();
	test_bytes();
	test_resume();
	test_unwritable();
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	if (system(cmd) != 0)
		return 1;
	return check_done("test_batchpark");
}
