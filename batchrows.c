/*
 * --batch-api's rows.  See batchrows.h.
 */
#include <err.h>
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "batchrows.h"
#include "lib/bresult.h"
#include "lib/json.h"
#include "lib/lines.h"
#include "tty.h"

struct brows {
	struct brows_config	 c;
	struct rows		*pool;
	struct json		*json;
	struct brow		*rows;		/* in input order */
	struct brow		**index;	/* by custom_id */
	size_t			 n;
};

struct brows *
brows_new(const struct brows_config *c)
{
	struct brows	*b;

	if ((b = calloc(1, sizeof(*b))) == NULL ||
	    (b->pool = rows_new()) == NULL || (b->json = json_new()) == NULL)
		err(2, NULL);
	b->c = *c;
	return b;
}

void
brows_free(struct brows *b)
{
	size_t	 k;

	if (b == NULL)
		return;
	for (k = 0; k < b->n; k++) {
		free(b->rows[k].key);
		free(b->rows[k].text);
	}
	free(b->rows);
	free(b->index);
	rows_free(b->pool);
	json_free(b->json);
	free(b);
}

size_t
brows_count(const struct brows *b)
{
	return b->n;
}

struct brow *
brows_at(struct brows *b, size_t k)
{
	return &b->rows[k];
}

static int
key_cmp(const struct brow *x, const struct brow *y)
{
	int	 c;

	c = memcmp(x->key, y->key, x->keylen < y->keylen ? x->keylen :
	    y->keylen);
	if (c != 0)
		return c;
	return x->keylen < y->keylen ? -1 : x->keylen > y->keylen;
}

static int
index_cmp(const void *a, const void *b)
{
	return key_cmp(*(struct brow *const *)a, *(struct brow *const *)b);
}

static int
key_line_cmp(const void *a, const void *c)
{
	const struct brow	*x = *(struct brow *const *)a;
	const struct brow	*y = *(struct brow *const *)c;
	int			 r = key_cmp(x, y);

	return r != 0 ? r : x->lineno < y->lineno ? -1 : x->lineno > y->lineno;
}

struct brow *
brows_find(struct brows *b, const char *key, size_t len)
{
	struct brow	 k = { (char *)key, len }, *kp = &k, **f;

	f = bsearch(&kp, b->index, b->n, sizeof(*b->index), index_cmp);
	return f != NULL ? *f : NULL;
}

struct row *
brows_load(struct brows *b, const struct brow *br)
{
	struct line	 ln = { br->text, br->len, br->lineno, 0 };
	struct row	*r;

	if ((r = rows_get(b->pool)) == NULL)
		err(1, NULL);
	if (input_load(b->c.input, r, &ln) != INPUT_SEND)
		errx(1, "internal error: row %llu changed its mind",
		    (unsigned long long)br->lineno);
	r->seq = br->seq;
	return r;
}

void
brows_put(struct brows *b, struct row *r)
{
	rows_put(b->pool, r);
}

/* The row's line is made: out it goes, and it is counted. */
static void
emit(struct brows *b, struct row *r)
{
	struct stats	*st = b->c.st;

	if (output_line(b->c.out, r->seq, r->failed, r->line.data,
	    r->line.len) == -1 || (st->expect != NULL &&
	    expect_count(st->expect, r) == -1))
		err(1, NULL);
	stats_add(&st->prompt_tokens, r->prompt_tokens);
	stats_add(&st->completion_tokens, r->completion_tokens);
	if (!r->failed) {
		st->ok++;
		return;
	}
	st->failed++;
	if (b->c.cfg->verbose > 0)
		say("row %.*s failed: %s: %.*s", (int)r->id.len, r->id.data,
		    rows_error_name(r->error), (int)r->msg.len,
		    r->msg.data != NULL ? r->msg.data : "");
}

void
brows_deliver(struct brows *b, struct brow *br, const struct bapi_result *res)
{
	struct row	*r = brows_load(b, br);

	if (bresult_write(b->c.record, b->json, r, res) == -1)
		err(1, NULL);
	emit(b, r);
	rows_put(b->pool, r);
	br->written = 1;
}

void
brows_give_up(struct brows *b, struct brow *br, int tries)
{
	struct row	*r = brows_load(b, br);

	if (bresult_give_up(b->c.record, r, tries) == -1)
		err(1, NULL);
	emit(b, r);
	rows_put(b->pool, r);
	br->written = 1;
}

void
brows_drain(struct brows *b)
{
	struct pollfd	 pfd = { STDOUT_FILENO, POLLOUT, 0 };

	for (;;) {
		if (output_flush(b->c.out) == -1) {
			/* A reader that went away (| head): quietly. */
			tty_clear();
			if (errno == EPIPE)
				exit(128 + SIGPIPE);
			err(5, "write");
		}
		if (output_pending(b->c.out) == 0)
			return;
		if (poll(&pfd, 1, -1) == -1 && errno != EINTR)
			err(1, "poll");
	}
}

/* The custom_id of a loaded row: its ID as a string, or its number. */
static void
set_key(struct brow *br, const struct row *r)
{
	struct buf	 k = { 0 };

	if (!r->idmissing && r->id.data[0] == '"') {
		if (json_decode_string(&k, r->id.data + 1, r->id.len - 2) == -1)
			err(1, NULL);
	} else if (buf_add(&k, r->id.data, r->id.len) == -1)
		err(1, NULL);
	if (buf_addc(&k, '\0') == -1)
		err(1, NULL);
	br->key = k.data;
	br->keylen = k.len - 1;
}

/*
 * The index by custom_id.  An ID that comes again gets its line number
 * after it, as custom_ids must be unique in a file.
 */
static void
make_index(struct brows *b)
{
	struct brow	*br;
	char		*k;
	size_t		 i;

	if ((b->index = reallocarray(NULL, b->n + 1,
	    sizeof(*b->index))) == NULL)
		err(1, NULL);
	for (i = 0; i < b->n; i++)
		b->index[i] = &b->rows[i];
	qsort(b->index, b->n, sizeof(*b->index), key_line_cmp);
	for (i = 1; i < b->n; i++) {
		br = b->index[i];
		if (key_cmp(br, b->index[i - 1]) != 0)
			continue;
		if (asprintf(&k, "%.*s#%llu", (int)br->keylen, br->key,
		    (unsigned long long)br->lineno) == -1)
			err(1, NULL);
		free(br->key);
		br->key = k;
		br->keylen = strlen(k);
	}
	qsort(b->index, b->n, sizeof(*b->index), index_cmp);
}

/* Keep the row just loaded from this line. */
static struct brow *
keep(struct brows *b, const struct row *r, const struct line *ln,
    size_t *cap)
{
	struct brow	*v, *br;

	if (b->n == *cap) {
		*cap = *cap ? 2 * *cap : 1024;
		if ((v = reallocarray(b->rows, *cap, sizeof(*v))) == NULL)
			err(1, NULL);
		b->rows = v;
	}
	br = &b->rows[b->n++];
	memset(br, 0, sizeof(*br));
	set_key(br, r);
	br->lineno = ln->number;
	br->seq = r->seq;
	if ((br->text = malloc(ln->len + 1)) == NULL)
		err(1, NULL);
	memcpy(br->text, ln->text, ln->len);
	br->len = ln->len;
	return br;
}

/* A dry run: the request line that would be uploaded. */
static void
dry_run(struct brows *b, struct row *r, const struct brow *br)
{
	buf_reset(&r->line);
	if (bapi_request_line(&r->line, br->key, br->keylen,
	    bapi_endpoint(b->c.cfg->azure), r->body.data, r->body.len) == -1 ||
	    output_line(b->c.out, r->seq, 0, r->line.data, r->line.len) == -1)
		err(1, NULL);
}

int
brows_read(struct brows *b, int first)
{
	struct pollfd	 pfd[2] = { { STDIN_FILENO, POLLIN, 0 },
			    { b->c.sigfd, POLLIN, 0 } };
	struct stats	*st = b->c.st;
	struct lines	*in;
	struct line	 ln;
	struct row	*r;
	size_t		 cap = 0;
	ssize_t		 n;
	int		 rv;
	char		 sig;

	if ((in = lines_new(STDIN_FILENO, b->c.cfg->max_line)) == NULL)
		err(2, NULL);
	for (;;) {
		while (lines_next(in, &ln)) {
			if ((r = rows_get(b->pool)) == NULL ||
			    (rv = input_load(b->c.input, r, &ln)) == -1)
				err(1, NULL);
			if (rv == INPUT_OUTSIDE)
				st->outside++;
			else if (rv != INPUT_BLANK)
				r->seq = st->rows_read - st->outside;
			if (rv != INPUT_BLANK) {
				st->rows_read++;
				st->bytes_read = lines_consumed(in);
			}
			if (rv == INPUT_SKIP)
				st->skipped++;
			else if (rv == INPUT_WRITE && first)
				emit(b, r);
			else if (rv == INPUT_SEND && b->c.cfg->dry_run)
				dry_run(b, r, keep(b, r, &ln, &cap));
			else if (rv == INPUT_SEND)
				keep(b, r, &ln, &cap);
			rows_put(b->pool, r);
			if (output_pending(b->c.out) > 0)
				brows_drain(b);
		}
		if (lines_done(in))
			break;
		n = lines_fill(in);
		if (n == -1 && errno != EAGAIN && errno != EINTR)
			err(1, "stdin");
		if (n == -1 && poll(pfd, 2, -1) == -1 && errno != EINTR)
			err(1, "poll");
		/* SIGUSR1 and SIGUSR2 tune a window this mode has not. */
		while ((pfd[1].revents & POLLIN) &&
		    read(b->c.sigfd, &sig, 1) == 1)
			if (sig != SIGUSR1 && sig != SIGUSR2) {
				lines_free(in);
				return sig;
			}
	}
	lines_free(in);
	make_index(b);
	brows_drain(b);
	return 0;
}

void
bkeys_add(struct bkeys *k, const struct brow *br)
{
	const char	**v;
	size_t		 *l;

	if ((v = reallocarray(k->v, k->n + 1, sizeof(*v))) == NULL)
		err(1, NULL);
	k->v = v;
	if ((l = reallocarray(k->len, k->n + 1, sizeof(*l))) == NULL)
		err(1, NULL);
	k->len = l;
	k->v[k->n] = br->key;
	k->len[k->n++] = br->keylen;
}

void
bkeys_free(struct bkeys *k)
{
	free(k->v);
	free(k->len);
	memset(k, 0, sizeof(*k));
}
