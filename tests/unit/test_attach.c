#include <sys/stat.h>

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "attach.h"
#include "base64.h"
#include "check.h"

static const unsigned char png[] = {
	0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n',
	0, 0, 0, 13, 'I', 'H', 'D', 'R',
	0, 0, 0x03, 0xe8, 0, 0, 0x02, 0x58,	/* 1000 x 600 */
	8, 2, 0, 0, 0, 0, 0, 0, 0
};

#define HAS(b, s)	(memmem((b).data, (b).len, (s), strlen(s)) != NULL)

/* The row's parts, a line each: kind, media type, data, URL, name. */
static int
views(struct attach *a, struct buf *b)
{
	struct attach_view	 v;
	size_t			 k;

	for (k = 0; k < attach_count(a); k++) {
		if (attach_view(a, k, &v) == -1)
			return -1;
		buf_adds(b, v.document ? "doc " : "img ");
		buf_adds(b, v.media_type != NULL ? v.media_type : "-");
		buf_addc(b, ' ');
		if (v.data != NULL)
			buf_add(b, v.data, v.len);
		else
			buf_addc(b, '-');
		buf_addc(b, ' ');
		buf_adds(b, v.url != NULL ? v.url : "-");
		buf_addc(b, ' ');
		buf_adds(b, v.filename != NULL ? v.filename : "-");
		buf_addc(b, '\n');
	}
	return 0;
}

static void
put(const char *path, const void *p, size_t n)
{
	FILE	*f = fopen(path, "wb");

	if (f == NULL || fwrite(p, 1, n, f) != n || fclose(f) != 0) {
		perror(path);
		exit(1);
	}
}

/* Load the attachments of a row given as JSON text: attach_load's. */
static int
load(struct attach *a, struct json *j, const char *row, char *err,
    size_t errlen)
{
	char	 e[128];

	if (json_parse(j, row, strlen(row), e, sizeof(e)) == -1) {
		fprintf(stderr, "bad row %s: %s\n", row, e);
		exit(1);
	}
	err[0] = '\0';
	return attach_load(a, j, err, errlen);
}

static void
test_rows(void)
{
	struct attach_config	 ac = { 0 };
	struct attach		*a, *m;
	struct json		*j = json_new();
	struct buf		 b = { 0 }, k1 = { 0 }, k2 = { 0 };
	char			*fields[] = { "photo", "more.docs" };
	char			 err[256], dir[] = "/tmp/test_attach.XXXXXX";
	size_t			 unc;

	if (mkdtemp(dir) == NULL || chdir(dir) == -1) {
		perror(dir);
		exit(1);
	}
	put("p.png", png, sizeof(png));
	put("copy.png", png, sizeof(png));
	put("d.pdf", "%PDF-1.4\n%%EOF\n", 15);
	put("text.png", "just text\n", 10);
	put("empty.png", "", 0);
	CHECK(mkfifo("fifo.png", 0600) == 0);
	CHECK(mkdir("dir.png", 0700) == 0);

	ac.fields = fields;
	ac.nfields = 2;
	ac.max = 1000;
	ac.dialect = ATTACH_CHAT;
	CHECK((a = attach_new(&ac, err, sizeof(err))) != NULL);
	ac.dialect = ATTACH_MESSAGES;
	CHECK((m = attach_new(&ac, err, sizeof(err))) != NULL);

	/* Good rows: one part, an array, nothing (null, []), nested. */
	CHECK(load(a, j, "{\"photo\":\"p.png\",\"more\":{\"docs\":null}}",
	    err, sizeof(err)) == 0 && attach_count(a) == 1);
	CHECK(attach_tokens(a, ATTACH_CHAT, &unc) == 765 && unc == 0);
	CHECK(attach_tokens(a, ATTACH_MESSAGES, &unc) == 800 && unc == 0);
	CHECK(views(a, &b) == 0);
	CHECK(HAS(b, "img image/png iVBORw0KGgo") && HAS(b, " - -\n"));
	CHECK(attach_written(a) == (sizeof(png) + 2) / 3 * 4);
	CHECK(load(a, j, "{\"photo\":[\"p.png\",\"d.pdf\"],\"more\":{\"docs\":"
	    "[\"https://x.test/a.jpg\"]}}", err, sizeof(err)) == 0 &&
	    attach_count(a) == 3);
	CHECK(attach_tokens(a, ATTACH_CHAT, &unc) == 765 && unc == 2);
	/* The parts as a body builder lays them out. */
	{
		struct attach_view	 v;
		struct buf		 e = { 0 };

		CHECK(attach_view(a, 0, &v) == 0 && !v.document &&
		    strcmp(v.media_type, "image/png") == 0 &&
		    v.url == NULL && v.filename == NULL);
		CHECK(base64_encode(&e, png, sizeof(png)) == 0);
		CHECK(v.len == e.len && memcmp(v.data, e.data, e.len) == 0);
		CHECK(attach_view(a, 1, &v) == 0 && v.document &&
		    strcmp(v.media_type, "application/pdf") == 0 &&
		    strcmp(v.filename, "d.pdf") == 0 &&
		    memcmp(v.data, "JVBERi0x", 8) == 0);
		CHECK(attach_view(a, 2, &v) == 0 && !v.document &&
		    v.data == NULL && v.media_type == NULL &&
		    strcmp(v.url, "https://x.test/a.jpg") == 0);
		attach_key_mode(a, 1);
		CHECK(attach_view(a, 0, &v) == 0 &&
		    strcmp(v.media_type, "sha256") == 0 && v.len == 64 &&
		    v.filename == NULL);
		CHECK(attach_view(a, 1, &v) == 0 && v.filename == NULL);
		attach_key_mode(a, 0);
		buf_free(&e);
	}
	CHECK(load(m, j, "{\"photo\":[\"p.png\",\"d.pdf\"],\"more\":{\"docs\":"
	    "[\"https://x.test/b.pdf?x=1\"]}}", err, sizeof(err)) == 0);
	buf_reset(&b);
	CHECK(views(m, &b) == 0);
	CHECK(HAS(b, "doc - - https://x.test/b.pdf?x=1 -\n"));
	CHECK(HAS(b, "doc application/pdf JVBER"));
	CHECK(load(a, j, "{\"photo\":null,\"more\":{\"docs\":[]}}", err,
	    sizeof(err)) == 0 && attach_count(a) == 0);
	/* A data: URL: its bytes are sniffed, not its claim. */
	CHECK(load(a, j, "{\"photo\":\"data:image/gif;base64,JVBERi0xLjQK\","
	    "\"more\":{\"docs\":null}}", err, sizeof(err)) == 0 &&
	    attach_count(a) == 1);
	buf_reset(&b);
	CHECK(views(a, &b) == 0 && HAS(b, "doc application/pdf JVBERi0xLjQK "));

	/* The key: the same bytes under two names are the same. */
	attach_key_mode(a, 1);
	CHECK(load(a, j, "{\"photo\":[\"p.png\",\"d.pdf\"],\"more\":{\"docs\":"
	    "null}}", err, sizeof(err)) == 0);
	CHECK(views(a, &k1) == 0);
	CHECK(load(a, j, "{\"photo\":[\"copy.png\",\"./d.pdf\"],\"more\":{"
	    "\"docs\":null}}", err, sizeof(err)) == 0);
	CHECK(views(a, &k2) == 0);
	CHECK(k1.len > 128 && k1.len == k2.len &&
	    memcmp(k1.data, k2.data, k1.len) == 0);
	CHECK(memcmp(k1.data, "img sha256 ", 11) == 0);
	buf_reset(&k2);
	CHECK(load(a, j, "{\"photo\":[\"d.pdf\",\"p.png\"],\"more\":{\"docs\":"
	    "null}}", err, sizeof(err)) == 0);
	CHECK(views(a, &k2) == 0);
	CHECK(k1.len == k2.len && memcmp(k1.data, k2.data, k1.len) != 0);
	attach_key_mode(a, 0);

	/* What a row cannot send: field, path and problem said. */
#define BAD(row, want) do {						\
	CHECK(load(a, j, row, err, sizeof(err)) == 1);			\
	CHECK_MEM(err, strlen(err), want);				\
} while (0)
	BAD("{\"more\":{\"docs\":null}}", "-a photo: no such field in the row");
	BAD("{\"photo\":\"p.png\",\"more\":{}}",
	    "-a more.docs: no such field in the row");
	BAD("{\"photo\":\"nope.png\",\"more\":{\"docs\":null}}",
	    "-a photo: \"nope.png\": no such file");
	BAD("{\"photo\":\"text.png\",\"more\":{\"docs\":null}}",
	    "-a photo: \"text.png\": not a PNG, JPEG, GIF, WebP or PDF file "
	    "(by its first bytes)");
	BAD("{\"photo\":\"empty.png\",\"more\":{\"docs\":null}}",
	    "-a photo: \"empty.png\": empty");
	BAD("{\"photo\":\"fifo.png\",\"more\":{\"docs\":null}}",
	    "-a photo: \"fifo.png\": not a regular file");
	BAD("{\"photo\":\"dir.png\",\"more\":{\"docs\":null}}",
	    "-a photo: \"dir.png\": not a regular file");
	BAD("{\"photo\":\"\",\"more\":{\"docs\":null}}",
	    "-a photo: \"\": an empty path");
	BAD("{\"photo\":7,\"more\":{\"docs\":null}}",
	    "-a photo: not a path, a URL or an array of them");
	BAD("{\"photo\":[\"p.png\",{}],\"more\":{\"docs\":null}}",
	    "-a photo: not a path, a URL or an array of them");
	BAD("{\"photo\":\"https://x.test/a.pdf\",\"more\":{\"docs\":null}}",
	    "-a photo: \"https://x.test/a.pdf\": a PDF goes to the chat API "
	    "as file data only: give a path or a data: URL");
	BAD("{\"photo\":\"data:image/png,abc\",\"more\":{\"docs\":null}}",
	    "-a photo: \"data:image/png,abc\": a data: URL that is not "
	    ";base64,");
	BAD("{\"photo\":\"data:image/png;base64,!!!!\",\"more\":{\"docs\":"
	    "null}}", "-a photo: \"data:image/png;base64,!!!!\": not base64");
	/* Too big, by its size or by what it grew to. */
	ac.max = 20;
	ac.dialect = ATTACH_CHAT;
	attach_free(m);
	CHECK((m = attach_new(&ac, err, sizeof(err))) != NULL);
	CHECK(load(m, j, "{\"photo\":\"p.png\",\"more\":{\"docs\":null}}",
	    err, sizeof(err)) == 1);
	CHECK_MEM(err, strlen(err), "-a photo: \"p.png\": too big: 33 bytes, "
	    "more than --attach-max 20");
	/* A header too short to hold the size: damaged. */
	put("short.png", png, 20);
	ac.max = 1000;
	CHECK(load(a, j, "{\"photo\":\"short.png\",\"more\":{\"docs\":null}}",
	    err, sizeof(err)) == 1);
	CHECK_MEM(err, strlen(err), "-a photo: \"short.png\": a damaged "
	    "image/png: its header gives no size");
	attach_clear(a);
	CHECK(attach_count(a) == 0);

	/* Fields that are no paths. */
	fields[0] = "a{{b}}";
	CHECK(attach_new(&ac, err, sizeof(err)) == NULL &&
	    strstr(err, "--attach a{{b}}") != NULL);
	fields[0] = "";
	CHECK(attach_new(&ac, err, sizeof(err)) == NULL);
	attach_free(NULL);

	unlink("p.png");
	unlink("copy.png");
	unlink("d.pdf");
	unlink("text.png");
	unlink("empty.png");
	unlink("short.png");
	unlink("fifo.png");
	rmdir("dir.png");
	if (chdir("/") == 0)
		rmdir(dir);
	attach_free(a);
	attach_free(m);
	json_free(j);
	buf_free(&b);
	buf_free(&k1);
	buf_free(&k2);
}

int
main(void)
{
	test_rows();
	return check_done("test_attach");
}
