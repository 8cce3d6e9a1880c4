/*
 * The Batch transport's state machine driven by hand, as test_sched
 * drives the scheduler: a fake clock (now, passed to every call), and
 * the fake pool and Batch API of batchkit.h.  The rows go in as sched
 * gives them (line, send, accounted) and come back from done, made
 * again from their spools.  Each part has its own test besides
 * (test_batchpark, test_batchcalls, test_batchanswer, test_batchinput);
 * here, how they work together: a life, duplicates, resumes at each
 * step, a batch that expires.
 */
#include <sys/stat.h>

#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "batchapi.h"
#include "batchkit.h"
#include "check.h"
#include "prov_openai.h"
#include "lines.h"
#include "request.h"
#include "template.h"

static long long	 now;

static char		 dir[] = "/tmp/test_batchapi.XXXXXX";
static char		 state[128];

struct harness {
	struct pool		 pool;
	struct api		*api;
	struct tmpl		*user;
	struct request		*req;
	struct record		*record;
	struct input		*input;
	struct rows		*rows;
	struct bstate		*st;
	struct batchapi		*b;
	struct transport	 t;
	uint64_t		 seq;
	char			 said[4096];
	/* What came back: answers, by seq. */
	int			 answers[256];
	int			 shared, written, failed;
	char			 lastmsg[256];
};

static void
heard(void *arg, int level, const char *text)
{
	struct harness	*h = arg;

	(void)level;
	strlcat(h->said, text, sizeof(h->said));
	strlcat(h->said, "\n", sizeof(h->said));
}

static const struct bstate_setting	 settings[] = {
	{ "prompt", "{{q}}", 5 },
};

static int
start(struct harness *h, struct api *a, int size, int retries,
    const char *prompt)
{
	struct record_config	 rc = { 0 };
	struct input_config	 ic = { 0 };
	struct batchapi_config	 bc = { 0 };
	struct batchapi_parts	 bp = { 0 };
	struct bstate_setting	 set = settings[0];
	char			 e[256];

	memset(h, 0, sizeof(*h));
	h->api = a;
	TAILQ_INIT(&h->pool.flight);
	TAILQ_INIT(&h->pool.done);
	h->user = tmpl_compile("{{q}}", 5, TMPL_ESCAPES, e, sizeof(e));
	h->req = request_new("m", NULL, h->user, NULL, 0, e, sizeof(e));
	rc.request = ic.request = h->req;
	rc.idfield = ic.idfield = "id";
	rc.field = "answer";
	rc.errfield = ic.errfield = "error";
	ic.base = "http://127.0.0.1:1/v1";
	/* As setup.c: parked rows' keys outlive the run. */
	ic.disk_keys = 1;
	h->record = record_new(&rc);
	h->input = input_new(&ic, h->record);
	h->rows = rows_new();
	if (prompt != NULL) {
		set.value = prompt;
		set.len = strlen(prompt);
	}
	if ((h->st = bstate_open(state, &set, 1, e, sizeof(e))) == NULL) {
		snprintf(h->lastmsg, sizeof(h->lastmsg), "%s", e);
		return -1;
	}
	bc.batch_size = size;
	bc.file_max = 1000000;
	bc.poll_ms = 1000;
	bc.retries = retries;
	bc.max_response = 1 << 20;
	bc.batch = &openai_batch;
	bc.base = "http://127.0.0.1:1/v1";
	bc.api_version = "x";
	bc.upload_target = 1;
	bc.key_hint = "OPENAI_API_KEY";
	bp.pool = &h->pool;
	bp.state = h->st;
	bp.rows = h->rows;
	bp.input = h->input;
	bp.record = h->record;
	bp.say = heard;
	bp.arg = h;
	if ((h->b = batchapi_new(&bc, &bp, now, e, sizeof(e))) == NULL) {
		snprintf(h->lastmsg, sizeof(h->lastmsg), "%s", e);
		return -1;
	}
	batchapi_transport(h->b, &h->t);
	return 0;
}

/* As if killed: nothing more is told to STATE. */
static void
stop(struct harness *h)
{
	struct xfer	*x;

	while ((x = TAILQ_FIRST(&h->pool.flight)) != NULL)
		TAILQ_REMOVE(&h->pool.flight, x, link);
	batchapi_free(h->b);
	bstate_free(h->st);
	rows_free(h->rows);
	input_free(h->input);
	record_free(h->record);
	request_free(h->req);
	tmpl_free(h->user);
}

/* Lines of the input, as sched gives them: line, then the row sent,
 * then accounted.  Rows q<n % distinct>; "" is a blank line.  The number
 * of lines an earlier run had accounted for, skipped. */
static int
feed(struct harness *h, int from, int to, int distinct, int end)
{
	const struct transport_ops	*o = h->t.ops;
	struct line			 ln;
	struct row			*r;
	char				 text[128], e[256];
	int				 k, rv, skipped = 0;

	for (k = from; k <= to; k++) {
		snprintf(text, sizeof(text), "{\"id\":%d,\"q\":\"q%d\"}", k,
		    distinct > 0 ? k % distinct : k);
		rv = o->line(h->b, text, strlen(text), 0, e, sizeof(e));
		if (rv == -1) {
			snprintf(h->lastmsg, sizeof(h->lastmsg), "%s", e);
			return -1;
		}
		h->seq++;
		if (rv == 1) {
			skipped++;
			continue;
		}
		memset(&ln, 0, sizeof(ln));
		ln.text = text;
		ln.len = strlen(text);
		ln.number = k;
		r = rows_get(h->rows);
		CHECK(input_load(h->input, r, &ln) == INPUT_SEND);
		r->seq = h->seq - 1;
		rv = o->send(h->b, r, now, e, sizeof(e));
		CHECK(rv == TRANSPORT_PARKED || rv == TRANSPORT_FOLLOWS);
		rows_put(h->rows, r);
		o->accounted(h->b);
	}
	if (end && o->input_end(h->b, e, sizeof(e)) == -1) {
		snprintf(h->lastmsg, sizeof(h->lastmsg), "%s", e);
		return -1;
	}
	return skipped;
}

/* Turns of the loop until over or steps pass; each turn the clock moves
 * to the transport's deadline, and what comes back is judged as sched
 * would (here: read for its answer). */
static int
run(struct harness *h, int steps, int serve_it)
{
	const struct transport_ops	*o = h->t.ops;
	struct row			*r;
	char				 e[256], why[256];
	long long			 t;
	int				 how, k;

	for (k = 0; k < steps; k++) {
		if (o->work(h->b, now, e, sizeof(e)) == -1) {
			snprintf(h->lastmsg, sizeof(h->lastmsg), "%s", e);
			return -1;
		}
		while ((r = o->done(h->b, now, &how)) != NULL) {
			if (how == TRANSPORT_WRITE) {
				h->failed++;
				snprintf(h->lastmsg, sizeof(h->lastmsg),
				    "%.*s", (int)r->msg.len, r->msg.data);
			} else if (r->xfer.status == 200 &&
			    record_response(h->record, r, why,
			    sizeof(why)) == RECORD_WRITTEN) {
				if (r->seq < 256)
					h->answers[r->seq]++;
				/* Its own answer: ans-<custom_id>. */
				snprintf(why, sizeof(why), "ans-%llu",
				    (unsigned long long)r->seq + 1);
				CHECK(r->shared || memmem(r->line.data,
				    r->line.len, why, strlen(why)) != NULL);
				h->shared += r->shared;
			} else
				h->failed++;
			h->written++;
			rows_put(h->rows, r);
		}
		if (o->quiet(h->b, now, 1, e, sizeof(e)) == -1) {
			snprintf(h->lastmsg, sizeof(h->lastmsg), "%s", e);
			return -1;
		}
		if (o->over(h->b, now) || o->stopped(h->b))
			return 0;
		if (getenv("DEBUG") != NULL)
			fprintf(stderr, "turn %d now %lld written %d: %s|%s\n",
			    k, now, h->written, h->lastmsg, h->said);
		if (serve_it)
			serve(&h->pool, h->api);
		t = o->timeout(h->b, now);
		if (t > 0)
			now += t;
		else if (t < 0 && TAILQ_EMPTY(&h->pool.done))
			now += 1000;
	}
	return 1;
}

static void
set_all(struct api *a, const char *status)
{
	int	 b;

	for (b = 1; b <= a->nbatches; b++)
		a->status[b] = status;
}

/* Files in STATE.d. */
static int
files_left(void)
{
	char		 d[160];
	DIR		*dp;
	struct dirent	*de;
	int		 n = 0;

	snprintf(d, sizeof(d), "%s.d", state);
	if ((dp = opendir(d)) == NULL)
		return -1;
	while ((de = readdir(dp)) != NULL)
		n += de->d_name[0] != '.';
	closedir(dp);
	return n;
}

static void
fresh(void)
{
	char	 d[160], cmd[512];

	snprintf(d, sizeof(d), "%s.d", state);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s' '%s'", state, d);
	if (system(cmd) != 0)
		abort();
}

static void
api_free(struct api *a)
{
	int	 k;

	for (k = 0; k < MAXF; k++)
		buf_free(&a->file[k]);
	memset(a, 0, sizeof(*a));
}

/* Five rows in files of two: three uploads, three batches, polled until
 * over, every row back once with its own answer; the files go. */
static void
test_life(void)
{
	struct harness	 h;
	static struct api a;
	int		 k, ok = 1;

	fresh();
	now = 1000;
	CHECK(start(&h, &a, 2, 2, NULL) == 0);
	CHECK(feed(&h, 1, 5, 0, 1) == 0);
	/* Files 0 and 1 closed by size; 2 at the input's end.  A call a
	 * turn: three uploads, three batches made. */
	CHECK(run(&h, 8, 1) == 1);
	CHECK(a.uploads == 3 && a.creates == 3);
	CHECK(a.file[1].len > 0 && strstr(a.file[1].data, "\"custom_id\":\"1\"")
	    != NULL && strstr(a.file[1].data, "\"custom_id\":\"2\"") != NULL);
	CHECK(strstr(a.file[3].data, "\"custom_id\":\"5\"") != NULL);
	CHECK(run(&h, 5, 1) == 1);
	CHECK(h.written == 0 && a.polls >= 3);
	set_all(&a, "completed");
	CHECK(run(&h, 50, 1) == 0);
	CHECK(h.written == 5 && h.failed == 0 && h.shared == 0);
	for (k = 0; k < 5; k++)
		ok &= h.answers[k] == 1;
	CHECK(ok);
	CHECK(files_left() == 0);
	CHECK(bstate_nfiles(h.st) == 0);
	CHECK(bstate_last(h.st)->read == 5 && bstate_last(h.st)->seq == 5);
	stop(&h);
	api_free(&a);
}

/* 12 rows asking 3 things: 3 lines uploaded, 12 rows written, 9 of
 * them from another row's answer. */
static void
test_duplicates(void)
{
	struct harness	 h;
	static struct api a;
	const char	*p;
	int		 lines = 0;

	fresh();
	now = 1000;
	CHECK(start(&h, &a, 100, 2, NULL) == 0);
	CHECK(feed(&h, 1, 12, 3, 1) == 0);
	CHECK(run(&h, 4, 1) == 1);
	CHECK(a.uploads == 1);
	for (p = a.file[1].data; p != NULL && p < a.file[1].data +
	    a.file[1].len; p++)
		lines += *p == '\n';
	CHECK(lines == 3);
	set_all(&a, "completed");
	CHECK(run(&h, 50, 1) == 0);
	CHECK(h.written == 12 && h.shared == 9 && h.failed == 0);
	stop(&h);
	api_free(&a);
}

/*
 * Killed after the batches were made: the same input resumed makes no
 * other, writes each row once; a larger input sends only the new rows;
 * another input, or another prompt, is refused.
 */
static void
test_resume(void)
{
	struct harness	 h;
	static struct api a;

	fresh();
	now = 1000;
	CHECK(start(&h, &a, 3, 2, NULL) == 0);
	CHECK(feed(&h, 1, 6, 0, 1) == 0);
	CHECK(run(&h, 6, 1) == 1);
	CHECK(a.creates == 2);
	stop(&h);

	/* The same input: skipped, nothing sent again. */
	CHECK(start(&h, &a, 3, 2, NULL) == 0);
	CHECK(feed(&h, 1, 6, 0, 1) == 6);
	set_all(&a, "completed");
	CHECK(run(&h, 50, 1) == 0);
	CHECK(a.uploads == 2 && a.creates == 2);
	CHECK(h.written == 6 && h.failed == 0);
	stop(&h);

	/* Complete, then more input: only the new rows go. */
	CHECK(start(&h, &a, 3, 2, NULL) == 0);
	CHECK(feed(&h, 1, 8, 0, 1) == 6);
	CHECK(run(&h, 5, 1) == 1);
	CHECK(a.uploads == 3);
	CHECK(strstr(a.file[a.nfiles].data, "\"custom_id\":\"7\"") != NULL &&
	    strstr(a.file[a.nfiles].data, "\"custom_id\":\"6\"") == NULL);
	set_all(&a, "completed");
	CHECK(run(&h, 50, 1) == 0);
	CHECK(h.written == 2 && h.answers[6] == 1 && h.answers[7] == 1);
	stop(&h);

	/* Another input: refused at the line that differs. */
	CHECK(start(&h, &a, 3, 2, NULL) == 0);
	CHECK(feed(&h, 2, 9, 0, 1) == -1);
	CHECK(strstr(h.lastmsg, "first 8 lines are not") != NULL);
	stop(&h);
	/* A shorter one. */
	CHECK(start(&h, &a, 3, 2, NULL) == 0);
	CHECK(feed(&h, 1, 5, 0, 1) == -1);
	CHECK(strstr(h.lastmsg, "has 5 lines, fewer than the 8") != NULL);
	stop(&h);
	/* Another prompt: refused at the start, named. */
	CHECK(start(&h, &a, 3, 2, "{{q}} in French") == -1);
	CHECK(strstr(h.lastmsg, "another prompt") != NULL);
	rows_free(h.rows);
	input_free(h.input);
	record_free(h.record);
	request_free(h.req);
	tmpl_free(h.user);
	api_free(&a);
}

/* Killed after its batch was made: rows of the resumed run that ask
 * what a row parked before the kill asks follow it, not uploaded twice
 * (the parked rows' keys are read back from their spools). */
static void
test_resume_duplicates(void)
{
	struct harness	 h;
	static struct api a;
	const char	*p;
	int		 lines = 0;

	fresh();
	now = 1000;
	CHECK(start(&h, &a, 100, 2, NULL) == 0);
	CHECK(feed(&h, 1, 6, 3, 1) == 0);
	CHECK(run(&h, 4, 1) == 1);
	CHECK(a.uploads == 1 && a.creates == 1);
	stop(&h);

	CHECK(start(&h, &a, 100, 2, NULL) == 0);
	CHECK(feed(&h, 1, 9, 3, 1) == 6);
	set_all(&a, "completed");
	CHECK(run(&h, 50, 1) == 0);
	CHECK(a.uploads == 1 && a.creates == 1);
	for (p = a.file[1].data; p != NULL && p < a.file[1].data +
	    a.file[1].len; p++)
		lines += *p == '\n';
	CHECK(lines == 3);
	CHECK(h.written == 9 && h.shared == 6 && h.failed == 0);
	stop(&h);
	api_free(&a);
}

/* Killed while a batch's rows were written, after a checkpoint: the
 * rows after it come again, the rows before it do not. */
static void
test_cut_in_writing(void)
{
	struct harness	 h;
	static struct api a;
	const struct transport_ops *o;
	struct row	*r;
	char		 e[256];
	int		 how, n, k;

	fresh();
	now = 1000;
	CHECK(start(&h, &a, 10, 2, NULL) == 0);
	o = h.t.ops;
	CHECK(feed(&h, 1, 10, 0, 1) == 0);
	CHECK(run(&h, 3, 1) == 1);
	set_all(&a, "completed");
	/* Poll, download, index: until the first row comes. */
	for (k = 0, r = NULL; k < 20 && r == NULL; k++) {
		CHECK(o->work(h.b, now, e, sizeof(e)) == 0);
		r = o->done(h.b, now, &how);
		serve(&h.pool, &a);
		now += 1000;
	}
	CHECK(r != NULL);
	rows_put(h.rows, r);
	for (n = 1; n < 4 && (r = o->done(h.b, now, &how)) != NULL; n++)
		rows_put(h.rows, r);
	/* Four rows written and told; then two more, not told. */
	CHECK(o->quiet(h.b, now + 5000, 1, e, sizeof(e)) == 0);
	CHECK(bstate_last(h.st)->at == 0 && bstate_last(h.st)->line == 4);
	for (n = 0; n < 2 && (r = o->done(h.b, now, &how)) != NULL; n++)
		rows_put(h.rows, r);
	stop(&h);
	CHECK(start(&h, &a, 10, 2, NULL) == 0);
	CHECK(feed(&h, 1, 10, 0, 1) == 10);
	CHECK(run(&h, 50, 1) == 0);
	CHECK(h.written == 6);
	for (k = 0, n = 1; k < 4; k++)
		n &= h.answers[k] == 0;
	for (; k < 10; k++)
		n &= h.answers[k] == 1;
	CHECK(n);
	CHECK(a.uploads == 1 && a.creates == 1);
	stop(&h);
	api_free(&a);
}

/* A batch that expires halfway: its unanswered rows go in a later batch;
 * with -r 0, they are written as errors. */
static void
test_expired(void)
{
	struct harness	 h;
	static struct api a;

	fresh();
	now = 1000;
	CHECK(start(&h, &a, 10, 2, NULL) == 0);
	CHECK(feed(&h, 1, 6, 0, 1) == 0);
	CHECK(run(&h, 3, 1) == 1);
	a.expire_half = 1;
	set_all(&a, "expired");
	CHECK(run(&h, 10, 1) == 1);
	CHECK(h.written == 3);
	CHECK(a.uploads == 2);
	CHECK(strstr(a.file[a.nfiles].data, "\"custom_id\":\"4\"") != NULL ||
	    strstr(a.file[a.nfiles - 1].data, "\"custom_id\":\"4\"") != NULL);
	a.expire_half = 0;
	set_all(&a, "completed");
	CHECK(run(&h, 50, 1) == 0);
	CHECK(h.written == 6 && h.failed == 0);
	CHECK(strstr(h.said, "batch_1 expired: 3 of 6 rows answered") != NULL);
	stop(&h);
	api_free(&a);

	fresh();
	CHECK(start(&h, &a, 10, 0, NULL) == 0);
	CHECK(feed(&h, 1, 4, 0, 1) == 0);
	CHECK(run(&h, 3, 1) == 1);
	a.expire_half = 1;
	set_all(&a, "expired");
	CHECK(run(&h, 50, 1) == 0);
	CHECK(h.written == 4 && h.failed == 2);
	CHECK(strcmp(h.lastmsg, "no answer from 1 batch (expired, failed or "
	    "cancelled)") == 0);
	CHECK(a.uploads == 1);
	stop(&h);
	api_free(&a);
}

/* A status never heard of: said once, asked again, given up after a
 * few polls as failed, its rows sent again. */
static void
test_unknown_status(void)
{
	struct harness	 h;
	static struct api a;
	const char	*p;
	int		 n = 0;

	fresh();
	now = 1000;
	CHECK(start(&h, &a, 10, 2, NULL) == 0);
	CHECK(feed(&h, 1, 3, 0, 1) == 0);
	CHECK(run(&h, 3, 1) == 1);
	set_all(&a, "pondering");
	CHECK(run(&h, 20, 1) == 1);
	for (p = h.said; (p = strstr(p, "\"pondering\" is not")) != NULL; p++)
		n++;
	CHECK(n == 1);
	CHECK(strstr(h.said, "\"pondering\" 5 times: given up") != NULL);
	CHECK(a.uploads == 2);
	a.status[2] = "completed";
	CHECK(run(&h, 50, 1) == 0);
	CHECK(h.written == 3 && h.failed == 0);
	stop(&h);
	api_free(&a);
}

/* A download that breaks is tried again; a 400 in the results is the
 * row's to judge; a 401 at the upload stops the run, said. */
static void
test_failures(void)
{
	struct harness	 h;
	static struct api a;

	fresh();
	now = 1000;
	CHECK(start(&h, &a, 10, 2, NULL) == 0);
	CHECK(feed(&h, 1, 3, 0, 1) == 0);
	CHECK(run(&h, 3, 1) == 1);
	a.drop_content = 1;
	a.bad_status = 1;
	set_all(&a, "completed");
	CHECK(run(&h, 50, 1) == 0);
	CHECK(h.written == 3 && h.failed == 1);
	CHECK(strstr(h.said, "download: reset; trying again") != NULL);
	CHECK(a.downloads >= 3);
	stop(&h);
	api_free(&a);

	fresh();
	CHECK(start(&h, &a, 10, 2, NULL) == 0);
	a.upload_status = 401;
	CHECK(feed(&h, 1, 3, 0, 1) == 0);
	CHECK(run(&h, 10, 1) == 0);
	CHECK(h.t.ops->stopped(h.b));
	CHECK(strstr(h.said, "upload: HTTP 401: no key (check "
	    "OPENAI_API_KEY") != NULL);
	stop(&h);
	api_free(&a);
}

int
main(void)
{
	if (mkdtemp(dir) == NULL)
		return 1;
	snprintf(state, sizeof(state), "%s/state", dir);
	test_life();
	test_duplicates();
	test_resume();
	test_resume_duplicates();
	test_cut_in_writing();
	test_expired();
	test_unknown_status();
	test_failures();
	fresh();
	rmdir(dir);
	return check_done("test_batchapi");
}
