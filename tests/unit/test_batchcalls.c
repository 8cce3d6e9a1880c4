/*
 * A closed Batch file's calls, driven by hand with a fake clock and the
 * fake pool and API of batchkit.h: the file is written as batchpark
 * would (upload.K), handed over, and each turn the due call starts, the
 * API answers it and the call's end is given back.  What STATE hears is
 * checked record by record, and what is said.
 */
#include <sys/stat.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "batchcalls.h"
#include "batchfile.h"
#include "batchkit.h"
#include "check.h"
#include "prov_openai.h"

static long long	 now;
static char		 dir[] = "/tmp/test_batchcalls.XXXXXX";
static char		 state[128];

struct harness {
	struct pool		 pool;
	struct api		*api;
	struct bstate		*st;
	struct batchcalls	*c;
	char			 said[4096];
	char			 err[256];
};

static void
heard(void *arg, int level, const char *text)
{
	struct harness	*h = arg;

	(void)level;
	strlcat(h->said, text, sizeof(h->said));
	strlcat(h->said, "\n", sizeof(h->said));
}

static void
fresh(void)
{
	char	 cmd[512];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s' '%s.d'", state, state);
	if (system(cmd) != 0)
		abort();
}

static int
start(struct harness *h, struct api *a, int retries)
{
	static const struct bstate_setting set = { "prompt", "x", 1 };
	struct batchcalls_config	 cc = { 0 };
	struct batchcalls_parts		 cp = { 0 };

	memset(h, 0, sizeof(*h));
	h->api = a;
	TAILQ_INIT(&h->pool.flight);
	TAILQ_INIT(&h->pool.done);
	if ((h->st = bstate_open(state, &set, 1, h->err, sizeof(h->err))) ==
	    NULL)
		return -1;
	cc.poll_ms = 1000;
	cc.retries = retries;
	cc.batch = &openai_batch;
	cc.base = "http://127.0.0.1:1/v1";
	cc.api_version = "x";
	cc.upload_target = 1;
	cc.key_hint = "OPENAI_API_KEY";
	cp.pool = &h->pool;
	cp.state = h->st;
	cp.say = heard;
	cp.arg = h;
	if ((h->c = batchcalls_new(&cc, &cp, h->err, sizeof(h->err))) ==
	    NULL)
		return -1;
	return 0;
}

/* As if killed: nothing more is told to STATE. */
static void
stop(struct harness *h)
{
	struct xfer	*x;

	while ((x = TAILQ_FIRST(&h->pool.flight)) != NULL)
		TAILQ_REMOVE(&h->pool.flight, x, link);
	while ((x = TAILQ_FIRST(&h->pool.done)) != NULL)
		TAILQ_REMOVE(&h->pool.done, x, link);
	batchcalls_free(h->c);
	bstate_free(h->st);
}

/* File k of n request lines, closed and checkpointed as batchapi does. */
static void
close_file(struct harness *h, int k, int n)
{
	struct bstate_mark	 m;
	struct buf		 b = { 0 };
	char			 path[160], id[16];
	FILE			*fp;
	int			 i;

	for (i = 1; i <= n; i++) {
		snprintf(id, sizeof(id), "%d", 10 * k + i);
		CHECK(batchfile_request_line(&b, id, strlen(id),
		    openai_batch.endpoint, "{\"model\":\"m\"}", 13) == 0);
	}
	snprintf(path, sizeof(path), "%s/upload.%d", bstate_dir(h->st), k);
	if ((fp = fopen(path, "w")) == NULL)
		abort();
	fwrite(b.data, 1, b.len, fp);
	fclose(fp);
	buf_free(&b);
	CHECK(batchcalls_add(h->c, k, n, 0.25 * n, h->err,
	    sizeof(h->err)) == 0);
	/* Not yet told: no call for it. */
	if (batchcalls_files(h->c) == 1)
		CHECK(batchcalls_timeout(h->c, now) == -1);
	m = *bstate_last(h->st);
	memset(m.hash, '0', BSTATE_HASH_HEX);
	m.hash[BSTATE_HASH_HEX] = '\0';
	m.fill = k + 1;
	CHECK(bstate_mark(h->st, &m, h->err, sizeof(h->err)) == 0);
	batchcalls_marked(h->c, k + 1);
}

/* Turns until a file's results are got, the run stops, or steps pass:
 * 0, 1 if the steps passed, -1 and h->err. */
static int
run(struct harness *h, int steps)
{
	struct xfer	*x;
	long long	 t;
	int		 k;

	for (k = 0; k < steps; k++) {
		if (batchcalls_start(h->c, now, h->err, sizeof(h->err)) ==
		    -1)
			return -1;
		serve(&h->pool, h->api);
		while ((x = pool_done(&h->pool)) != NULL)
			if (batchcalls_done(h->c, x, now, h->err,
			    sizeof(h->err)) != 1)
				return -1;
		if (batchcalls_got(h->c) != NULL ||
		    batchcalls_stopped(h->c))
			return 0;
		t = batchcalls_timeout(h->c, now);
		now += t > 0 ? t : 1000;
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

static void
api_free(struct api *a)
{
	int	 k;

	for (k = 0; k < MAXF; k++)
		buf_free(&a->file[k]);
	memset(a, 0, sizeof(*a));
}

/* results.K's bytes. */
static void
results_of(struct harness *h, int k, struct buf *b)
{
	char	 path[160], rd[4096];
	FILE	*fp;
	size_t	 n;

	buf_reset(b);
	snprintf(path, sizeof(path), "%s/results.%d", bstate_dir(h->st), k);
	if ((fp = fopen(path, "r")) == NULL)
		return;
	while ((n = fread(rd, 1, sizeof(rd), fp)) > 0)
		buf_add(b, rd, n);
	buf_addc(b, '\0');
	b->len--;
	fclose(fp);
}

/* Upload, batch, polls until over, the output file on disk: each step
 * told to STATE; the file's accounting until it ends. */
static void
test_life(void)
{
	struct harness			 h;
	static struct api		 a;
	const struct batchcalls_file	*f;
	struct buf			 b = { 0 };

	fresh();
	now = 1000;
	CHECK(start(&h, &a, 2) == 0);
	close_file(&h, 0, 2);
	CHECK(batchcalls_files(h.c) == 1 && batchcalls_rows(h.c) == 2 &&
	    batchcalls_reserved(h.c) == 0.5 && batchcalls_pending(h.c) == 0);
	CHECK(run(&h, 5) == 1);
	CHECK(a.uploads == 1 && a.creates == 1 && a.polls >= 2);
	CHECK(strcmp(bstate_file(h.st, 0)->id, "file-1") == 0);
	CHECK(strcmp(bstate_file(h.st, 0)->batch, "batch_1") == 0);
	CHECK(bstate_file(h.st, 0)->reserved == 0.5);
	CHECK(batchcalls_pending(h.c) == 1);
	/* A poll each poll_ms while it runs, and nothing between. */
	CHECK(batchcalls_start(h.c, now, h.err, sizeof(h.err)) == 0);
	serve(&h.pool, &a);
	CHECK(batchcalls_done(h.c, pool_done(&h.pool), now, h.err,
	    sizeof(h.err)) == 1);
	CHECK(batchcalls_timeout(h.c, now) == 1000);
	CHECK(batchcalls_start(h.c, now + 999, h.err, sizeof(h.err)) == 0 &&
	    !batchcalls_flying(h.c));
	set_all(&a, "completed");
	CHECK(run(&h, 10) == 0);
	CHECK((f = batchcalls_got(h.c)) != NULL && f->k == 0 &&
	    f->status == BAPI_COMPLETED);
	CHECK(bstate_file(h.st, 0)->got);
	results_of(&h, 0, &b);
	CHECK(b.len > 0 && strstr(b.data, "\"custom_id\":\"1\"") != NULL &&
	    strstr(b.data, "ans-2") != NULL);
	/* Nothing more to call for it. */
	CHECK(batchcalls_timeout(h.c, now) == -1);
	batchcalls_end(h.c, 0);
	CHECK(batchcalls_files(h.c) == 0 && batchcalls_got(h.c) == NULL);
	buf_free(&b);
	stop(&h);
	api_free(&a);
}

/* A status never heard of: said once, asked again, given up after a
 * few polls as failed, with no results. */
static void
test_unknown_status(void)
{
	struct harness			 h;
	static struct api		 a;
	const struct batchcalls_file	*f;
	const char			*p;
	int				 n = 0;

	fresh();
	now = 1000;
	CHECK(start(&h, &a, 2) == 0);
	close_file(&h, 0, 1);
	CHECK(run(&h, 3) == 1);
	set_all(&a, "pondering");
	CHECK(run(&h, 20) == 0);
	for (p = h.said; (p = strstr(p, "\"pondering\" is not")) != NULL; p++)
		n++;
	CHECK(n == 1);
	CHECK(strstr(h.said, "\"pondering\" 5 times: given up") != NULL);
	CHECK(a.polls == BATCHCALLS_UNKNOWN_POLLS + 1);
	CHECK((f = batchcalls_got(h.c)) != NULL && f->status == BAPI_FAILED);
	stop(&h);
	api_free(&a);
}

/* A download that breaks is tried again, after a backoff; a 401 at the
 * upload stops the run, said with where the key came from; with -r 0 a
 * failed create is the run's end. */
static void
test_failures(void)
{
	struct harness	 h;
	static struct api a;
	struct buf	 b = { 0 };

	fresh();
	now = 1000;
	CHECK(start(&h, &a, 2) == 0);
	close_file(&h, 0, 3);
	CHECK(run(&h, 3) == 1);
	a.drop_content = 1;
	set_all(&a, "completed");
	CHECK(run(&h, 20) == 0);
	CHECK(strstr(h.said, "download: reset; trying again") != NULL);
	CHECK(a.downloads == 2);
	/* Whole, once: the broken download left nothing behind. */
	results_of(&h, 0, &b);
	CHECK(strstr(b.data, "ans-3") != NULL &&
	    strstr(strstr(b.data, "ans-3") + 1, "\"custom_id\":\"1\"") == NULL);
	stop(&h);
	api_free(&a);
	buf_free(&b);

	fresh();
	CHECK(start(&h, &a, 2) == 0);
	a.upload_status = 401;
	close_file(&h, 0, 1);
	CHECK(run(&h, 10) == 0);
	CHECK(batchcalls_stopped(h.c));
	CHECK(strstr(h.said, "upload: HTTP 401: no key (check "
	    "OPENAI_API_KEY or --api-key-file)") != NULL);
	CHECK(a.uploads == 1);
	/* Stopped: no call, no deadline. */
	CHECK(batchcalls_timeout(h.c, now) == -1);
	stop(&h);
	api_free(&a);

	fresh();
	CHECK(start(&h, &a, 1) == 0);
	a.upload_status = 500;
	close_file(&h, 0, 1);
	CHECK(run(&h, 10) == -1);
	CHECK(strstr(h.err, "upload: HTTP 500") != NULL);
	CHECK(a.uploads == 2);
	stop(&h);
	api_free(&a);
}

/* Killed between the upload and STATE hearing of its batch: the batch
 * is looked for among the provider's, and made only if it is not. */
static void
test_killed_in_create(void)
{
	struct harness	 h;
	static struct api a;

	fresh();
	now = 1000;
	CHECK(start(&h, &a, 2) == 0);
	close_file(&h, 0, 2);
	CHECK(run(&h, 1) == 1);
	CHECK(a.uploads == 1 && a.creates == 0);
	/* The create goes out and the API makes it; then the kill. */
	CHECK(batchcalls_start(h.c, now, h.err, sizeof(h.err)) == 0);
	serve(&h.pool, &a);
	CHECK(a.creates == 1);
	stop(&h);
	CHECK(start(&h, &a, 2) == 0);
	CHECK(batchcalls_files(h.c) == 1);
	set_all(&a, "completed");
	CHECK(run(&h, 10) == 0);
	CHECK(a.lists == 1 && a.creates == 1 && a.uploads == 1);
	CHECK(strstr(h.said, "batch_1: found at the provider") != NULL);
	CHECK(batchcalls_got(h.c) != NULL);
	stop(&h);

	/* Killed before the create went: the list has none, so it is made. */
	api_free(&a);
	fresh();
	CHECK(start(&h, &a, 2) == 0);
	close_file(&h, 0, 2);
	CHECK(run(&h, 1) == 1);
	stop(&h);
	CHECK(start(&h, &a, 2) == 0);
	CHECK(run(&h, 3) == 1);
	CHECK(a.lists == 1 && a.creates == 1 && a.uploads == 1);
	stop(&h);
	api_free(&a);
}

/* --batch-cancel: the batches made are cancelled, the files not
 * uploaded are left; then it is over. */
static void
test_cancel(void)
{
	struct harness	 h;
	static struct api a;
	int		 failed = -1;

	fresh();
	now = 1000;
	CHECK(start(&h, &a, 2) == 0);
	close_file(&h, 0, 1);
	CHECK(run(&h, 3) == 1);
	stop(&h);
	CHECK(start(&h, &a, 2) == 0);
	close_file(&h, 1, 1);
	batchcalls_cancel(h.c, now);
	CHECK(!batchcalls_cancel_over(h.c));
	CHECK(run(&h, 5) == 1);
	CHECK(a.cancels == 1 && a.uploads == 1);
	CHECK(batchcalls_cancel_over(h.c));
	CHECK(batchcalls_cancelled(h.c, &failed) == 1 && failed == 0);
	CHECK(strstr(h.said, "batch batch_1: cancelling") != NULL);
	stop(&h);
	api_free(&a);
}

/* The first interrupt: the call in flight ends, no other starts. */
static void
test_interrupt(void)
{
	struct harness	 h;
	static struct api a;

	fresh();
	now = 1000;
	CHECK(start(&h, &a, 2) == 0);
	close_file(&h, 0, 1);
	CHECK(batchcalls_start(h.c, now, h.err, sizeof(h.err)) == 0);
	CHECK(batchcalls_flying(h.c));
	batchcalls_interrupt(h.c);
	CHECK(run(&h, 5) == 1);
	CHECK(!batchcalls_flying(h.c));
	CHECK(a.uploads == 1 && a.creates == 0);
	CHECK(batchcalls_timeout(h.c, now) == -1);
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
	test_unknown_status();
	test_failures();
	test_killed_in_create();
	test_cancel();
	test_interrupt();
	fresh();
	rmdir(dir);
	return check_done("test_batchcalls");
}
