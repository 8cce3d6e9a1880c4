#include <stdlib.h>
#include <string.h>

#include "cache.h"
#include "check.h"
#include "input.h"
#include "text.h"

static struct rows	*rows;
static struct request	*chat;
static struct seen	*rig_seen;	/* the next rig's, or NULL */
static int		 rig_disk;	/* the next rig's disk_keys */

/* The parts a run makes, for one setting of the options. */
struct rig {
	struct record	*record;
	struct input	*input;
};

static struct rig
rig(const char *idfield, struct idset *skip, int dry_run,
    int batch_in, int batch_out)
{
	struct record_config	 rc = { 0 };
	struct input_config	 ic = { 0 };
	struct rig		 g;

	rc.request = chat;
	rc.idfield = idfield;
	rc.field = "answer";
	rc.errfield = "error";
	rc.batch_out = batch_out;
	ic.idfield = idfield;
	ic.errfield = "error";
	ic.request = chat;
	ic.skip = skip;
	ic.seen = rig_seen;
	ic.disk_keys = rig_disk;
	ic.dry_run = dry_run;
	ic.batch_in = batch_in;
	ic.batch_out = batch_out;
	ic.base = "http://127.0.0.1:9/v1";
	g.record = record_new(&rc);
	g.input = input_new(&ic, g.record);
	if (g.record == NULL || g.input == NULL)
		abort();
	return g;
}

static void
rig_free(struct rig *g)
{
	input_free(g->input);
	record_free(g->record);
}

/* Load line number n into a fresh row, left in *rp for the caller. */
static int
load(struct rig *g, const char *text, uint64_t n, struct row **rp)
{
	struct line	 ln = { text, strlen(text), n, 0 };

	*rp = rows_get(rows);
	return input_load(g->input, *rp, &ln);
}

static void
test_blank(void)
{
	struct rig	 g = rig("id", NULL, 0, 0, 0);
	struct line	 ln = { "", 0, 4, 1 };
	struct row	*r;

	CHECK(load(&g, "", 1, &r) == INPUT_BLANK);
	rows_put(rows, r);
	CHECK(load(&g, " \t\r ", 2, &r) == INPUT_BLANK);
	CHECK(r->lineno == 2);
	rows_put(rows, r);
	/* A line over the limit is never blank, whatever was kept of it. */
	r = rows_get(rows);
	CHECK(input_load(g.input, r, &ln) == INPUT_WRITE);
	CHECK(r->failed);
	CHECK_BUF(r->line, "{\"id\":4,\"error\":{\"type\":\"input\",\"status\":"
	    "null,\"message\":\"line longer than the limit; \\\"line\\\" holds "
	    "its first 1024 bytes\",\"attempts\":0},\"line\":\"\"}\n");
	ln = (struct line){ "{\"id\":1,\"te", 11, 5, 1 };
	CHECK(input_load(g.input, r, &ln) == INPUT_WRITE);
	CHECK_BUF(r->line, "{\"id\":5,\"error\":{\"type\":\"input\",\"status\":"
	    "null,\"message\":\"line longer than the limit; \\\"line\\\" holds "
	    "its first 1024 bytes\",\"attempts\":0},\"line\":"
	    "\"{\\\"id\\\":1,\\\"te\"}\n");
	rows_put(rows, r);
	rig_free(&g);
}

static void
test_skip(void)
{
	struct idset	*done = idset_new();
	struct rig	 g = rig("id", done, 0, 0, 0);
	struct row	*r;
	const char	*note;
	int		 k;

	/* Each ID comes three times below, and was done three times. */
	for (k = 0; k < 3; k++) {
		idset_add(done, "a", 1);
		idset_add(done, "7", 1);
	}
	CHECK(load(&g, "{\"id\":\"a\",\"text\":\"x\"}", 1, &r) == INPUT_SKIP);
	rows_put(rows, r);
	/* The number 7 and the string "7" are one ID. */
	CHECK(load(&g, "{\"id\":7,\"text\":\"x\"}", 2, &r) == INPUT_SKIP);
	rows_put(rows, r);
	CHECK(load(&g, "{\"id\":\"7\"}", 3, &r) == INPUT_SKIP);
	rows_put(rows, r);
	/* Decoded before it is looked up. */
	CHECK(load(&g, "{\"id\":\"\\u0061\"}", 4, &r) == INPUT_SKIP);
	rows_put(rows, r);
	CHECK(load(&g, "{\"id\":\"b\",\"text\":\"x\"}", 5, &r) == INPUT_SEND);
	rows_put(rows, r);
	/* A row without an ID is its line number. */
	CHECK(load(&g, "{\"text\":\"x\"}", 7, &r) == INPUT_SKIP);
	rows_put(rows, r);
	CHECK(load(&g, "{\"text\":\"x\"}", 8, &r) == INPUT_SEND);
	rows_put(rows, r);
	/* Skipping comes before the template: no error for a done row. */
	CHECK(load(&g, "{\"id\":\"a\"}", 9, &r) == INPUT_SKIP);
	rows_put(rows, r);
	CHECK(input_note(g.input) == NULL);
	/* A fourth "a": done three times only, so this one is sent; the
	 * duplicate is seen.h's to say, at the end. */
	CHECK(load(&g, "{\"id\":\"a\",\"text\":\"x\"}", 10, &r) == INPUT_SEND);
	rows_put(rows, r);
	note = input_note(g.input);
	CHECK(note == NULL);
	rig_free(&g);
	idset_free(done);
}

/* Every row's ID goes to seen.h, skipped or not; line numbers do not. */
static void
test_seen(void)
{
	struct idset		*done = idset_new();
	struct seen		*seen = seen_new(1024);
	struct rig		 g;
	const struct seen_dup	*d;
	struct row		*r;
	uint64_t		 ids, n;

	CHECK(done != NULL && seen != NULL);
	rig_seen = seen;
	g = rig("id", done, 0, 0, 0);
	rig_seen = NULL;
	idset_add(done, "7", 1);
	CHECK(load(&g, "{\"id\":7,\"text\":\"x\"}", 1, &r) == INPUT_SKIP);
	rows_put(rows, r);
	CHECK(load(&g, "{\"id\":\"7\",\"text\":\"x\"}", 2, &r) ==
	    INPUT_SEND);
	rows_put(rows, r);
	CHECK(load(&g, "{\"id\":8,\"text\":\"x\"}", 3, &r) == INPUT_SEND);
	rows_put(rows, r);
	CHECK(load(&g, "{\"text\":\"x\"}", 4, &r) == INPUT_SEND);
	rows_put(rows, r);
	CHECK(load(&g, "{\"text\":\"x\"}", 4, &r) == INPUT_SEND);
	rows_put(rows, r);
	/* A row that is a template error still has its ID. */
	CHECK(load(&g, "{\"id\":8}", 5, &r) == INPUT_WRITE);
	rows_put(rows, r);
	d = seen_dup(seen, 0);
	CHECK(d != NULL && d->len == 1 && d->id[0] == '7' && d->rows == 2 &&
	    d->skipped == 1);
	d = seen_dup(seen, 1);
	CHECK(d != NULL && d->len == 1 && d->id[0] == '8' && d->rows == 2 &&
	    d->skipped == 0);
	CHECK(seen_dup(seen, 2) == NULL);
	seen_more(seen, &ids, &n);
	CHECK(ids == 0 && n == 0);
	rig_free(&g);
	idset_free(done);
	seen_free(seen);
}

static void
test_bad(void)
{
	struct rig	 g = rig("id", NULL, 0, 0, 0), k = rig("key", NULL, 0,
			    0, 0);
	struct row	*r;

	CHECK(load(&g, " [1,2] ", 3, &r) == INPUT_WRITE);
	CHECK(r->failed);
	CHECK(r->error == ROW_ERR_INPUT);
	CHECK_BUF(r->line, "{\"id\":3,\"error\":{\"type\":\"input\",\"status\":"
	    "null,\"message\":\"not a JSON object\",\"attempts\":0},\"line\":"
	    "\" [1,2] \"}\n");
	CHECK_BUF(r->id, "3");
	rows_put(rows, r);
	CHECK(load(&g, "{\"id\":1,", 4, &r) == INPUT_WRITE);
	CHECK_BUF(r->line, "{\"id\":4,\"error\":{\"type\":\"input\",\"status\":"
	    "null,\"message\":\"invalid JSON at byte 9: object key "
	    "expected\",\"attempts\":0},\"line\":\"{\\\"id\\\":1,\"}\n");
	rows_put(rows, r);

	/* An ID is a string or an integer. */
	CHECK(load(&g, "{\"id\":1.5,\"text\":\"x\"}", 5, &r) == INPUT_WRITE);
	CHECK(r->failed);
	CHECK_BUF(r->line, "{\"id\":5,\"error\":{\"type\":\"input\",\"status\":"
	    "null,\"message\":\"ID field \\\"id\\\" is neither a string nor an "
	    "integer\",\"attempts\":0},\"line\":\"{\\\"id\\\":1.5,"
	    "\\\"text\\\":\\\"x\\\"}\"}\n");
	CHECK_BUF(r->id, "5");
	rows_put(rows, r);
	CHECK(load(&g, "{\"id\":null}", 6, &r) == INPUT_WRITE);
	rows_put(rows, r);
	CHECK(load(&g, "{\"id\":[1]}", 6, &r) == INPUT_WRITE);
	rows_put(rows, r);
	CHECK(load(&g, "{\"id\":true}", 6, &r) == INPUT_WRITE);
	rows_put(rows, r);
	CHECK(load(&g, "{\"id\":-3,\"text\":\"x\"}", 6, &r) == INPUT_SEND);
	CHECK_BUF(r->id, "-3");
	rows_put(rows, r);
	CHECK(load(&k, "{\"key\":{},\"text\":\"x\"}", 7, &r) == INPUT_WRITE);
	CHECK_BUF(r->line, "{\"key\":7,\"error\":{\"type\":\"input\","
	    "\"status\":null,\"message\":\"ID field \\\"key\\\" is neither a "
	    "string nor an integer\",\"attempts\":0},\"line\":"
	    "\"{\\\"key\\\":{},\\\"text\\\":\\\"x\\\"}\"}\n");
	rows_put(rows, r);

	/* A template that does not fit: the row itself, failed. */
	CHECK(load(&g, "{\"id\":\"x\",\"other\":1}", 8, &r) == INPUT_WRITE);
	CHECK(r->failed);
	CHECK(r->error == ROW_ERR_TEMPLATE);
	CHECK_BUF(r->line, "{\"id\":\"x\",\"other\":1,\"error\":{\"type\":"
	    "\"template\",\"status\":null,\"message\":\"no field "
	    "\\\"text\\\" in the row\",\"attempts\":0}}\n");
	rows_put(rows, r);
	CHECK(load(&g, "{\"other\":1}", 9, &r) == INPUT_WRITE);
	CHECK_BUF(r->line, "{\"other\":1,\"id\":9,\"error\":{\"type\":"
	    "\"template\",\"status\":null,\"message\":\"no field "
	    "\\\"text\\\" in the row\",\"attempts\":0}}\n");
	rows_put(rows, r);
	rig_free(&k);
	rig_free(&g);
}

static void
test_send(void)
{
	struct rig	 g = rig("id", NULL, 0, 0, 0);
	struct row	*r;

	CHECK(load(&g, " {\"id\":\"x\",\"text\":\"hi \\\"you\\\"\"}\t", 3,
	    &r) == INPUT_SEND);
	CHECK(!r->failed);
	CHECK(r->lineno == 3);
	CHECK_BUF(r->text, "{\"id\":\"x\",\"text\":\"hi \\\"you\\\"\"}");
	CHECK(r->members.n == 2);
	CHECK_BUF(r->id, "\"x\"");
	CHECK(!r->idmissing);
	CHECK(r->xfer.url == NULL);
	CHECK(r->xfer.body == r->body.data);
	CHECK_MEM(r->xfer.body, r->xfer.bodylen, "{\"model\":\"m\","
	    "\"messages\":[{\"role\":\"user\",\"content\":"
	    "\"hi \\\"you\\\"\"}]}");
	/* The prompt is the rendered message, as sent: 10 bytes. */
	CHECK(r->prompt_bytes == 10);
	CHECK(r->cost == text_tokens(10) && r->cost > 0);
	CHECK(r->line.len == 0);
	rows_put(rows, r);

	/* The ID from the line number. */
	CHECK(load(&g, "{\"text\":\"q\"}", 12, &r) == INPUT_SEND);
	CHECK(r->idmissing);
	CHECK_BUF(r->id, "12");
	rows_put(rows, r);
	rig_free(&g);
}

/* What a row asks, as a key: the same body the same key, within a run. */
static void
test_keys(void)
{
	struct rig	 g = rig("id", NULL, 0, 0, 0), h;
	struct row	*a, *b, *c, *d;
	unsigned char	 zero[CACHE_KEY_LEN / 2] = { 0 };
	unsigned char	 sha[CACHE_KEY_LEN];

	CHECK(load(&g, "{\"id\":1,\"text\":\"x\"}", 1, &a) == INPUT_SEND);
	CHECK(load(&g, "{\"id\":2,\"text\":\"x\",\"y\":0}", 2, &b) ==
	    INPUT_SEND);
	CHECK(load(&g, "{\"id\":3,\"text\":\"z\"}", 3, &c) == INPUT_SEND);
	CHECK(a->keyed && b->keyed && c->keyed);
	CHECK(memcmp(a->key, b->key, CACHE_KEY_LEN) == 0);
	CHECK(memcmp(a->key, c->key, CACHE_KEY_LEN) != 0);
	/* The run's SipHash, not SHA-256: 16 bytes, then zeros. */
	cache_key("", 0, a->body.data, a->body.len, sha);
	CHECK(memcmp(a->key, sha, CACHE_KEY_LEN) != 0);
	CHECK(memcmp(a->key + CACHE_KEY_LEN / 2, zero, sizeof(zero)) == 0);
	/* Another run, another key for the same body. */
	h = rig("id", NULL, 0, 0, 0);
	CHECK(load(&h, "{\"id\":1,\"text\":\"x\"}", 1, &d) == INPUT_SEND);
	CHECK(memcmp(a->key, d->key, CACHE_KEY_LEN) != 0);
	rows_put(rows, d);
	rig_free(&h);
	/* Under --cache, the SHA-256 that names its files in every run. */
	rig_disk = 1;
	h = rig("id", NULL, 0, 0, 0);
	rig_disk = 0;
	CHECK(load(&h, "{\"id\":1,\"text\":\"x\"}", 1, &d) == INPUT_SEND);
	CHECK(memcmp(d->key, sha, CACHE_KEY_LEN) == 0);
	rows_put(rows, d);
	rig_free(&h);
	rows_put(rows, a);
	rows_put(rows, b);
	rows_put(rows, c);
	rig_free(&g);
}

static void
test_dry_run(void)
{
	struct rig	 g = rig("id", NULL, 1, 0, 0);
	struct row	*r;

	CHECK(load(&g, "{\"id\":\"x\",\"text\":\"a\\nb\"}", 1, &r) ==
	    INPUT_WRITE);
	CHECK(!r->failed);
	CHECK_BUF(r->line, "{\"id\":\"x\",\"request\":{\"model\":\"m\","
	    "\"messages\":[{\"role\":\"user\",\"content\":\"a\\nb\"}]}}\n");
	CHECK(r->prompt_bytes == 4);
	rows_put(rows, r);
	CHECK(load(&g, "{\"text\":\"q\"}", 4, &r) == INPUT_WRITE);
	CHECK_BUF(r->line, "{\"id\":4,\"request\":{\"model\":\"m\","
	    "\"messages\":[{\"role\":\"user\",\"content\":\"q\"}]}}\n");
	rows_put(rows, r);
	/* What cannot be sent still fails. */
	CHECK(load(&g, "{\"id\":1}", 5, &r) == INPUT_WRITE);
	CHECK(r->failed);
	rows_put(rows, r);
	rig_free(&g);
}

static void
test_batch(void)
{
	struct rig	 g = rig("custom_id", NULL, 0, 1, 0),
			 o = rig("custom_id", NULL, 0, 1, 1);
	struct row	*r;
	const char	*get = "{\"custom_id\":\"c2\",\"method\":\"GET\","
			    "\"url\":\"/v1/models\",\"body\":{}}";

	CHECK(load(&g, "{\"custom_id\":\"c1\",\"method\":\"POST\",\"url\":"
	    "\"/v1/chat/completions\",\"body\":{\"model\":\"m\", \"messages\":"
	    "[]}}", 1, &r) == INPUT_SEND);
	CHECK(r->xfer.url != NULL && strcmp(r->xfer.url,
	    "http://127.0.0.1:9/v1/chat/completions") == 0);
	CHECK_MEM(r->xfer.body, r->xfer.bodylen,
	    "{\"model\":\"m\",\"messages\":[]}");
	CHECK_BUF(r->id, "\"c1\"");
	rows_put(rows, r);
	/* The URL of the last row is not the next one's. */
	CHECK(load(&g, "{\"custom_id\":\"c3\",\"url\":\"/v1/embeddings\","
	    "\"body\":{}}", 3, &r) == INPUT_SEND);
	CHECK(strcmp(r->xfer.url, "http://127.0.0.1:9/v1/embeddings") == 0);
	rows_put(rows, r);

	/* A bad line is an input error, in the output's format. */
	CHECK(load(&g, get, 2, &r) == INPUT_WRITE);
	CHECK(r->failed);
	CHECK_BUF(r->line, "{\"custom_id\":2,\"error\":{\"type\":\"input\","
	    "\"status\":null,\"message\":\"batch line: only method POST is "
	    "sent\",\"attempts\":0},\"line\":\"{\\\"custom_id\\\":\\\"c2\\\","
	    "\\\"method\\\":\\\"GET\\\",\\\"url\\\":\\\"/v1/models\\\","
	    "\\\"body\\\":{}}\"}\n");
	rows_put(rows, r);
	CHECK(load(&o, get, 2, &r) == INPUT_WRITE);
	CHECK(r->failed);
	CHECK_BUF(r->line, "{\"id\":\"batch_req_2\",\"custom_id\":\"c2\","
	    "\"response\":null,\"error\":{\"code\":\"input\",\"message\":"
	    "\"batch line: only method POST is sent\"}}\n");
	rows_put(rows, r);
	CHECK(load(&o, "{\"url\":\"/v1/x\"}", 6, &r) == INPUT_WRITE);
	CHECK_BUF(r->line, "{\"id\":\"batch_req_6\",\"custom_id\":6,"
	    "\"response\":null,\"error\":{\"code\":\"input\",\"message\":"
	    "\"batch line: no \\\"body\\\" object\"}}\n");
	rows_put(rows, r);
	/* A line that is no object has no custom_id to name. */
	CHECK(load(&o, "nope", 7, &r) == INPUT_WRITE);
	CHECK(strncmp(r->line.data, "{\"custom_id\":7,\"error\":{\"type\":"
	    "\"input\"", 38) == 0);
	rows_put(rows, r);
	rig_free(&o);
	rig_free(&g);
}

/*
 * --sample 50%: by the SHA-256 of the ID's key (sample.h), whatever its
 * spelling; else of the line number, rows or not.  Keys' hashes modulo
 * 10^6: "1" 162913, "3" 856843, "9" 23040, "a" 962250, "b" 87946, "\u00e9"
 * 772051.
 */
static void
test_sample(void)
{
	struct record_config	 rc = { 0 };
	struct input_config	 ic = { 0 };
	struct record		*rec;
	struct input		*in;
	struct line		 ln;
	struct row		*r;
	size_t			 k;
	int			 rv;
	static const struct {
		const char	*text;
		uint64_t	 lineno;
		int		 want;
	} cases[] = {
		{ "{\"id\":\"b\",\"text\":\"x\"}", 1, INPUT_SEND },
		{ "{\"id\":\"\\u0062\",\"text\":\"x\"}", 2, INPUT_SEND },
		{ "{\"id\":\"a\"}", 3, INPUT_OUTSIDE },
		{ "{\"id\":1,\"text\":\"x\"}", 3, INPUT_SEND },
		{ "{\"id\":\"1\",\"text\":\"x\"}", 3, INPUT_SEND },
		{ "{\"id\":3}", 1, INPUT_OUTSIDE },
		{ "{\"id\":\"\u00e9\"}", 1, INPUT_OUTSIDE },
		{ "{\"id\":\"\\u00e9\"}", 1, INPUT_OUTSIDE },
		/* Without an ID, or with one of no use: the line number. */
		{ "{\"text\":\"x\"}", 9, INPUT_SEND },
		{ "{\"text\":\"x\"}", 3, INPUT_OUTSIDE },
		{ "{\"id\":1.5}", 3, INPUT_OUTSIDE },
		{ "{\"id\":1.5}", 9, INPUT_WRITE },
		{ "not json", 3, INPUT_OUTSIDE },
		{ "not json", 1, INPUT_WRITE },
		{ "[1]", 3, INPUT_OUTSIDE },
		{ "", 3, INPUT_BLANK },
	};

	rc.request = ic.request = chat;
	rc.idfield = ic.idfield = "id";
	rc.field = "answer";
	rc.errfield = ic.errfield = "error";
	ic.base = "http://127.0.0.1:9/v1";
	ic.sample = 500000;
	rec = record_new(&rc);
	in = input_new(&ic, rec);
	for (k = 0; k < sizeof(cases) / sizeof(cases[0]); k++) {
		ln = (struct line){ cases[k].text, strlen(cases[k].text),
		    cases[k].lineno, 0 };
		r = rows_get(rows);
		if ((rv = input_load(in, r, &ln)) != cases[k].want)
			fprintf(stderr, "sample case %zu: %d\n", k, rv);
		CHECK(rv == cases[k].want);
		rows_put(rows, r);
	}
	/* A line too long is no row: by its number too. */
	ln = (struct line){ "{\"id\":\"b\"", 9, 3, 1 };
	r = rows_get(rows);
	CHECK(input_load(in, r, &ln) == INPUT_OUTSIDE);
	rows_put(rows, r);
	input_free(in);
	record_free(rec);
}

int
main(void)
{
	struct tmpl	*t;
	char		 err[128];

	rows = rows_new();
	t = tmpl_compile("{{text}}", 8, 0, err, sizeof(err));
	chat = request_new("m", NULL, t, NULL, 0, err, sizeof(err));
	CHECK(rows != NULL && chat != NULL);
	test_blank();
	test_skip();
	test_seen();
	test_bad();
	test_send();
	test_keys();
	test_dry_run();
	test_batch();
	test_sample();
	input_free(NULL);
	request_free(chat);
	tmpl_free(t);
	rows_free(rows);
	return check_done("test_input");
}
