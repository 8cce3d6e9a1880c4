#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "batchfile.h"
#include "cache.h"
#include "input.h"
#include "sample.h"
#include "siphash.h"
#include "text.h"

struct input {
	struct input_config	 cfg;
	struct record		*record;
	size_t			 idlen;
	size_t			 errlen;
	struct json		*json;
	struct buf		 key;		/* scratch: an ID's key */
	struct buf		 keybody;	/* scratch: a body with its
						 * files' hashes for bytes */
	uint64_t		 uncounted;	/* rows with files --estimate
						 * cannot count */
	struct input_counts	 counts;
	const char		*note;		/* to give, or NULL */
	char			 notebuf[256];
	unsigned char		 sipkey[SIPHASH_KEY_LEN];
	struct siphash		 urlhash;	/* cfg.url's hashed: where
						 * each row's key starts */
};

#define KEEP_TOKENS	65536

/* 2^53: jq, as every IEEE double, rounds integers beyond it. */
#define BIG_ID	"9007199254740992"

/* The first time of a kind of trouble: say it. */
static void
note(struct input *in, uint64_t *count, const char *fmt, const char *a,
    size_t alen)
{
	if ((*count)++ > 0)
		return;
	snprintf(in->notebuf, sizeof(in->notebuf), fmt, (int)alen, a);
	in->note = in->notebuf;
}

/* Notes on the row's ID and fields that a resume depends on. */
static void
check_row(struct input *in, struct row *r)
{
	const char	*k = in->key.data;
	size_t		 n = in->key.len, digits = n;

	if (n > 0 && *k == '-')
		digits--;
	/* The ID as written: a string starts with its quote. */
	if (!r->idmissing && r->id.data[0] != '"' &&
	    (digits > strlen(BIG_ID) || (digits == strlen(BIG_ID) &&
	    memcmp(k + n - digits, BIG_ID, digits) > 0)))
		note(in, &in->counts.big_ids, "ID %.*s is beyond 2^53: jq "
		    "rounds it, so resume with --skip-ids on enrich's own "
		    "output, not on jq -r .id", r->id.data, r->id.len);
	if (json_get(in->json, 0, in->cfg.errfield, in->errlen) != -1)
		note(in, &in->counts.own_errors, "rows hold a field \"%.*s\" "
		    "of their own: a failure replaces it (choose another "
		    "with --error-field)", in->cfg.errfield, in->errlen);
}

struct input *
input_new(const struct input_config *cfg, struct record *record)
{
	struct input	*in;

	if ((in = calloc(1, sizeof(*in))) == NULL)
		return NULL;
	in->cfg = *cfg;
	in->record = record;
	in->idlen = strlen(cfg->idfield);
	in->errlen = strlen(cfg->errfield);
	/* This run's own: no input can be made to collide with another. */
	arc4random_buf(in->sipkey, sizeof(in->sipkey));
	siphash_init(&in->urlhash, in->sipkey);
	siphash_add(&in->urlhash, cfg->url != NULL ? cfg->url : "",
	    cfg->url != NULL ? strlen(cfg->url) + 1 : 1);
	if ((in->json = json_new()) == NULL) {
		free(in);
		return NULL;
	}
	return in;
}

void
input_free(struct input *in)
{
	if (in == NULL)
		return;
	json_free(in->json);
	buf_free(&in->key);
	buf_free(&in->keybody);
	free(in);
}

/* Find the row's ID and its key: 0; 1 if the ID is of the wrong type;
 * -1 if out of memory. */
static int
load_id(struct input *in, struct row *r)
{
	struct json	*j = in->json;
	size_t		 off, len;
	int		 t;

	r->idmissing = 0;
	buf_reset(&in->key);
	if ((t = json_get(j, 0, in->cfg.idfield, in->idlen)) == -1) {
		r->idmissing = 1;
		if (buf_addu(&r->id, r->lineno) == -1 ||
		    buf_addu(&in->key, r->lineno) == -1)
			return -1;
		return 0;
	}
	if (idset_key(j, t, &in->key) == -1)
		return 1;
	json_span(j, t, &off, &len);
	return buf_add(&r->id, json_text(j) + off, len) == -1 ? -1 : 0;
}

/*
 * The key of what a row asks: the URL and the body.  Under --cache it
 * names a file every run must find again, and under --batch-api a
 * resumed run reads the parked rows' keys back from their spools, so
 * SHA-256 (cache.h); else it lives as long as the run, and SipHash under
 * the run's own key costs a tenth as much a row (the second half of the
 * key is left zero).
 */
static void
row_key(struct input *in, const char *url, const char *body, size_t bodylen,
    unsigned char key[CACHE_KEY_LEN])
{
	struct siphash	 h;

	if (body == NULL)
		body = "";
	if (in->cfg.disk_keys) {
		if (url == NULL)
			url = "";
		cache_key(url, strlen(url), body, bodylen, key);
		return;
	}
	/* With its NUL, as cache_key: "u" + "rlbody" is not "ur" + "lbody".
	 * The run's URL is hashed once, and each row goes on from there. */
	if (url == in->cfg.url)
		h = in->urlhash;
	else {
		siphash_init(&h, in->sipkey);
		siphash_add(&h, url, strlen(url) + 1);
	}
	siphash_add(&h, body, bodylen);
	memset(key, 0, CACHE_KEY_LEN);
	siphash_end(&h, key);
}

/*
 * The key of a row with files: its body rendered again with each file's
 * hash in place of its bytes, which cost nothing to hash twice.
 */
static int
key_body(struct input *in, const struct request *req, unsigned char *key)
{
	char	 err[256];
	int	 rv;

	buf_reset(&in->keybody);
	attach_key_mode(in->cfg.attach, 1);
	rv = request_body(req, in->json, &in->keybody, err, sizeof(err));
	attach_key_mode(in->cfg.attach, 0);
	if (rv == -1)
		return -1;
	row_key(in, in->cfg.url, in->keybody.data, in->keybody.len, key);
	return 0;
}

/*
 * The bytes of prompt in the row's body: its text, and its images'
 * tokens as the bytes of text that would cost as many (what cannot be
 * counted, a PDF's pages, is said once by --estimate, whose numbers it
 * makes low; a plain dry run counts nothing, so says nothing).  The row's files
 * are let go: the body holds them now.
 */
static size_t
prompt_bytes(struct input *in, const struct request *req,
    const struct row *r)
{
	static const char pages[] = "rows send PDFs or URLs whose tokens "
	    "are not counted: enrich cannot count pages";
	size_t		 n = r->body.len - request_overhead(req), uncounted;
	long long	 images;

	if (attach_count(in->cfg.attach) == 0)
		return n;
	n -= attach_written(in->cfg.attach);
	images = attach_tokens(in->cfg.attach, in->cfg.dialect, &uncounted);
	if (uncounted > 0 && in->cfg.estimate)
		note(in, &in->uncounted, "%.*s", pages, sizeof(pages) - 1);
	attach_clear(in->cfg.attach);
	return n + (size_t)images * TEXT_BYTES_PER_TOKEN;
}

/* --sample: is the row of this ID's key left out? */
static int
outside(const struct input *in, const char *key, size_t len)
{
	return in->cfg.sample > 0 && !sample_keep(in->cfg.sample, key, len);
}

/* The same for a line without an ID: by its number, as its key is. */
static int
outside_line(const struct input *in, uint64_t lineno)
{
	char	 num[24];

	if (in->cfg.sample == 0)
		return 0;
	snprintf(num, sizeof(num), "%llu", (unsigned long long)lineno);
	return outside(in, num, strlen(num));
}

/* The row fails with this error: a line of its own when it is no row. */
static int
fail(struct input *in, struct row *r, enum row_error type, const char *why,
    const struct line *ln)
{
	rows_set_error(r, type, 0);
	if (buf_adds(&r->msg, why) == -1 || (ln != NULL ?
	    record_input_error(in->record, r, ln) :
	    record_error(in->record, r)) == -1)
		return -1;
	return INPUT_WRITE;
}

const char *
input_note(struct input *in)
{
	const char	*n = in->note;

	in->note = NULL;
	return n;
}

const struct input_counts *
input_counts(const struct input *in)
{
	return &in->counts;
}

int
input_load(struct input *in, struct row *r, const struct line *ln)
{
	struct json	*j = in->json;
	const char	*p = ln->text;
	size_t		 len = ln->len;
	char		 err[256];
	int		 rv, skipped;

	r->lineno = ln->number;
	/* A row of a million elements must not pin 20 MB of tokens. */
	json_shrink(j, KEEP_TOKENS);
	text_trim(&p, &len);
	if (len == 0 && !ln->toolong)
		return INPUT_BLANK;
	/* A line that is no row is sampled by its number: a sample shows
	 * its share of the broken lines too. */
	if (ln->toolong) {
		if (outside_line(in, ln->number))
			return INPUT_OUTSIDE;
		snprintf(err, sizeof(err), "line longer than the limit; "
		    "\"line\" holds its first %d bytes", LINES_KEEP);
		return fail(in, r, ROW_ERR_INPUT, err, ln);
	}
	if (buf_add(&r->text, p, len) == -1)
		return -1;
	if (json_parse(j, r->text.data, r->text.len, err, sizeof(err)) == -1)
		return outside_line(in, ln->number) ? INPUT_OUTSIDE :
		    fail(in, r, ROW_ERR_INPUT, err, ln);
	if (json_type(j, 0) != JSON_OBJECT)
		return outside_line(in, ln->number) ? INPUT_OUTSIDE :
		    fail(in, r, ROW_ERR_INPUT, "not a JSON object", ln);
	if (json_members(j, 0, &r->members) == -1 ||
	    (rv = load_id(in, r)) == -1)
		return -1;
	if (rv == 1 ? outside_line(in, ln->number) : outside(in, in->key.data,
	    in->key.len))
		return INPUT_OUTSIDE;
	if (rv == 1) {
		snprintf(err, sizeof(err), "ID field \"%.100s\" is neither a "
		    "string nor an integer", in->cfg.idfield);
		return fail(in, r, ROW_ERR_INPUT, err, ln);
	}
	check_row(in, r);
	/* Done as often as it came before: a copy done again is another
	 * row of the same ID (idset.h), said with the rest (seen.h). */
	skipped = in->cfg.skip != NULL && idset_take(in->cfg.skip,
	    in->key.data, in->key.len) == IDSET_DONE;
	/* A line number is unique: only IDs given can come twice. */
	if (in->cfg.seen != NULL && !r->idmissing && seen_add(in->cfg.seen,
	    in->key.data, in->key.len, skipped) == -1)
		return -1;
	if (skipped)
		return INPUT_SKIP;
	if (in->cfg.batch_in) {
		if ((rv = batchfile_request(j, in->cfg.base, &r->url, &r->body,
		    err, sizeof(err))) == -1)
			return -1;
		/* With its custom_id known, a Batch error line can say so. */
		if (rv == 1)
			return fail(in, r, ROW_ERR_INPUT, err,
			    in->cfg.batch_out ? NULL : ln);
		r->xfer.url = r->url.data;
	} else {
		/* Read as the row is sent, never sent when one is bad. */
		if (in->cfg.attach != NULL && (rv = attach_load(in->cfg.attach,
		    j, err, sizeof(err))) != 0) {
			attach_clear(in->cfg.attach);
			return rv == -1 ? -1 : fail(in, r, ROW_ERR_ATTACH, err,
			    NULL);
		}
		if (request_body(in->cfg.request, j, &r->body, err,
		    sizeof(err)) == -1) {
			attach_clear(in->cfg.attach);
			return fail(in, r, ROW_ERR_TEMPLATE, err, NULL);
		}
	}
	/*
	 * The key of what the row asks, once, from the body as first
	 * rendered: a re-asked row's body grows, its key does not.  With
	 * files, from the body with their hashes for their bytes: the same
	 * picture under two names asks the same.
	 */
	if (attach_count(in->cfg.attach) > 0) {
		if (key_body(in, in->cfg.request, r->key) == -1)
			return -1;
	} else
		row_key(in, r->url.len > 0 ? r->url.data : in->cfg.url,
		    r->body.data, r->body.len, r->key);
	r->keyed = 1;
	/* The provider's estimate: bytes of prompt, plus the budget. */
	r->prompt_bytes = prompt_bytes(in, in->cfg.request, r);
	r->cached_bytes = request_cached_bytes(in->cfg.request, r->body.data,
	    r->body.len);
	r->cost = text_tokens(r->prompt_bytes) +
	    request_budget(in->cfg.request);
	if (in->cfg.dry_run)
		return record_dry_run(in->record, r) == -1 ? -1 : INPUT_WRITE;
	r->xfer.body = r->body.data;
	r->xfer.bodylen = r->body.len;
	return INPUT_SEND;
}

/* What a row's body costs, as the provider will count it. */
static void
measure(struct input *in, const struct request *req, struct row *r)
{
	r->prompt_bytes = prompt_bytes(in, req, r);
	r->cost = text_tokens(r->prompt_bytes) + request_budget(req);
	r->xfer.body = r->body.data;
	r->xfer.bodylen = r->body.len;
}

int
input_escalate(struct input *in, struct row *r, unsigned char *key)
{
	const struct request	*req = in->cfg.escalate;
	char			 err[256];

	/* Parsed and rendered once already: neither can fail now but for
	 * memory. */
	json_shrink(in->json, KEEP_TOKENS);
	if (json_parse(in->json, r->text.data, r->text.len, err,
	    sizeof(err)) == -1)
		return -1;
	buf_reset(&r->body);
	if (request_body(req, in->json, &r->body, err, sizeof(err)) == -1)
		return -1;
	row_key(in, in->cfg.url, r->body.data, r->body.len, key);
	r->cached_bytes = request_cached_bytes(req, r->body.data, r->body.len);
	measure(in, req, r);
	return 0;
}

int
input_reload(struct input *in, struct row *r, const struct line *ln)
{
	struct idset	*skip = in->cfg.skip;
	struct seen	*seen = in->cfg.seen;
	int		 dry = in->cfg.dry_run, rv;

	/* The row was counted when first read: its ID is no duplicate. */
	in->cfg.skip = NULL;
	in->cfg.seen = NULL;
	in->cfg.dry_run = 0;
	rv = input_load(in, r, ln);
	in->cfg.skip = skip;
	in->cfg.seen = seen;
	in->cfg.dry_run = dry;
	/* Said when the row was first read. */
	in->note = NULL;
	return rv;
}

int
input_reask(struct input *in, struct row *r, const char *why)
{
	const struct request	*req = r->escalated ? in->cfg.escalate :
				    in->cfg.request;
	size_t			 before = r->body.len, prompt = r->prompt_bytes;
	int			 rv;

	json_shrink(in->json, KEEP_TOKENS);
	if ((rv = request_reask(req, in->json, &r->body, r->kept.data,
	    r->kept.len, why)) != 0)
		return rv;
	/* The conversation grew: so did what it costs. */
	measure(in, req, r);
	/* Its files are in the body, counted as their tokens when it was
	 * made: what grew since is text. */
	if (in->cfg.attach != NULL) {
		r->prompt_bytes = prompt + (r->body.len - before);
		r->cost = text_tokens(r->prompt_bytes) + request_budget(req);
	}
	return 0;
}
