/*
 * The pool against the mock server (tests/mock, started here on
 * 127.0.0.1 port 0 and stopped at the end): answers come back to their
 * own transfers, the window is never passed, the kept headers fill their
 * slots, and each kind of failure is told apart.
 */
#include <sys/wait.h>

#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <curl/curl.h>

#include "check.h"
#include "clock.h"
#include "pool.h"

static pid_t	 mock = -1;
static char	 url[128];

static const char *const keep[XH_MAX] = {
	[XH_RETRY_AFTER] = "retry-after",
	[XH_REQUEST_ID] = "x-request-id",
	[XH_RL_LIMIT_REQUESTS] = "x-ratelimit-limit-requests",
	[XH_RL_REMAINING_REQUESTS] = "x-ratelimit-remaining-requests",
};

/* Start the mock (MOCK, else ./tests/mock) and read its port. */
static int
mock_start(const char *dir)
{
	const char	*bin = getenv("MOCK") ? getenv("MOCK") : "tests/mock";
	char		 pf[256], port[16] = "";
	FILE		*fp;
	int		 k;

	snprintf(pf, sizeof(pf), "%s/port", dir);
	if ((mock = fork()) == -1)
		return -1;
	if (mock == 0) {
		if (freopen("/dev/null", "w", stdout) == NULL)
			_exit(127);
		execl(bin, bin, "--port-file", pf, "--max-seconds", "60",
		    (char *)NULL);
		_exit(127);
	}
	for (k = 0; k < 500 && port[0] == '\0'; k++) {
		usleep(10000);
		if ((fp = fopen(pf, "r")) != NULL) {
			if (fgets(port, sizeof(port), fp) == NULL)
				port[0] = '\0';
			fclose(fp);
		}
	}
	port[strcspn(port, "\n")] = '\0';
	snprintf(url, sizeof(url), "http://127.0.0.1:%s/v1/chat/completions",
	    port);
	return port[0] != '\0' ? 0 : -1;
}

static void
mock_stop(void)
{
	if (mock > 0) {
		kill(mock, SIGTERM);
		waitpid(mock, NULL, 0);
	}
}

/* Run the pool until these transfers are all done, or 10 s pass; the
 * most in flight at once. */
static void	 body(struct xfer *, char *, size_t, const char *);

static int
drain(struct pool *p, int n)
{
	struct pollfd	 pfd;
	struct xfer	*x;
	long long	 end = clock_ms() + 10000, t;
	char		 e[256];
	int		 done = 0, most = 0;

	while (done < n && clock_ms() < end) {
		if (pool_active(p) > most)
			most = pool_active(p);
		pfd.fd = pool_fd(p);
		pfd.events = POLLIN;
		t = pool_timeout(p, clock_ms());
		poll(&pfd, 1, t < 0 || t > 100 ? 100 : (int)t);
		if (pool_work(p, clock_ms(), e, sizeof(e)) == -1)
			return -1;
		while ((x = pool_done(p)) != NULL)
			done++;
	}
	return done >= n ? most : -1;
}

/* A sink that keeps what it is given, in chunks; refuses past a cap. */
struct sunk {
	struct buf	 b;
	int		 chunks;
	size_t		 cap;
};

static int
sink(void *arg, const char *data, size_t len)
{
	struct sunk	*s = arg;

	s->chunks++;
	if (s->cap > 0 && s->b.len + len > s->cap)
		return -1;
	return buf_add(&s->b, data, len);
}

/* One transfer of its own, driven to its end. */
static int
one(struct pool *p, struct xfer *x)
{
	char	 e[256];

	if (pool_submit(p, x, e, sizeof(e)) == -1) {
		fprintf(stderr, "submit: %s\n", e);
		return -1;
	}
	return drain(p, 1) >= 0 ? 0 : -1;
}

/*
 * The Batch API's kinds of transfer on the same handles as the POSTs: an
 * upload read from disk, a GET, a result file through a sink, a sink's
 * transfer that fails to resp, a sink that refuses; a POST after them.
 */
static void
test_kinds(struct pool *p, const char *dir)
{
	struct xfer		 x;
	struct xfer_part	 parts[2] = {
		{ "purpose", "batch", NULL, NULL, NULL },
		{ "file", NULL, NULL, "in.jsonl", "application/jsonl" } };
	struct sunk		 s = { { 0 }, 0, 0 };
	const char *const	 h[] = { "Content-Type: multipart/form-data" };
	char			 path[256], u[256], id[64], bodybuf[200], e[256];
	const char		*q;
	FILE			*fp;
	size_t			 k, base = strstr(url, "/v1") - url;
	int			 t;

	/* A file of 3000 request lines, about 400 kB. */
	snprintf(path, sizeof(path), "%s/upload", dir);
	if ((fp = fopen(path, "w")) == NULL)
		return;
	for (k = 0; k < 3000; k++)
		fprintf(fp, "{\"custom_id\":\"%zu\",\"method\":\"POST\","
		    "\"url\":\"/v1/chat/completions\",\"body\":{\"model\":"
		    "\"m\",\"messages\":[{\"role\":\"user\",\"content\":"
		    "\"line %zu of the file, long enough to make it big\"}]}}\n",
		    k, k);
	fclose(fp);
	parts[1].path = path;
	CHECK((t = pool_add_target(p, url, h, 1, e, sizeof(e))) > 0);

	memset(&x, 0, sizeof(x));
	x.method = XFER_UPLOAD;
	x.parts = parts;
	x.nparts = 2;
	x.target = t;
	snprintf(u, sizeof(u), "%.*s/v1/files", (int)base, url);
	x.url = u;
	CHECK(one(p, &x) == 0);
	CHECK(x.result == XFER_RESPONSE && x.status == 200);
	id[0] = '\0';
	if (x.resp.data != NULL && (q = memmem(x.resp.data, x.resp.len,
	    "\"id\":\"", 6)) != NULL)
		sscanf(q + 6, "%63[^\"]", id);
	CHECK(strncmp(id, "file-", 5) == 0);
	buf_free(&x.resp);

	/* The file back, through a sink: in many chunks, whole. */
	memset(&x, 0, sizeof(x));
	x.method = XFER_GET;
	snprintf(u, sizeof(u), "%.*s/v1/files/%s/content", (int)base, url, id);
	x.url = u;
	x.sink = sink;
	x.sink_arg = &s;
	CHECK(one(p, &x) == 0);
	CHECK(x.result == XFER_RESPONSE && x.status == 200);
	CHECK(x.resp.len == 0);
	if ((fp = fopen(path, "r")) != NULL) {
		char	*all = malloc(1 << 20);
		size_t	 n = all != NULL ? fread(all, 1, 1 << 20, fp) : 0;

		CHECK(n > 300000 && n == s.b.len && memcmp(all, s.b.data,
		    n) == 0);
		free(all);
		fclose(fp);
	}
	CHECK(s.chunks > 1);

	/* No such file: the error's body goes to resp, not the sink. */
	buf_reset(&s.b);
	s.chunks = 0;
	memset(&x, 0, sizeof(x));
	x.method = XFER_GET;
	snprintf(u, sizeof(u), "%.*s/v1/files/nope/content", (int)base, url);
	x.url = u;
	x.sink = sink;
	x.sink_arg = &s;
	CHECK(one(p, &x) == 0);
	CHECK(x.result == XFER_RESPONSE && x.status == 404);
	CHECK(s.chunks == 0 && x.resp.len > 0);
	buf_free(&x.resp);

	/* A sink that refuses ends the transfer. */
	s.cap = 1000;
	memset(&x, 0, sizeof(x));
	x.method = XFER_GET;
	snprintf(u, sizeof(u), "%.*s/v1/files/%s/content", (int)base, url, id);
	x.url = u;
	x.sink = sink;
	x.sink_arg = &s;
	CHECK(one(p, &x) == 0);
	CHECK(x.result == XFER_NETWORK);
	buf_free(&s.b);

	/* A GET of a list, with a timeout of its own. */
	memset(&x, 0, sizeof(x));
	x.method = XFER_GET;
	x.timeout_ms = 5000;
	snprintf(u, sizeof(u), "%.*s/v1/batches?limit=100", (int)base, url);
	x.url = u;
	CHECK(one(p, &x) == 0);
	CHECK(x.result == XFER_RESPONSE && x.status == 200 &&
	    x.resp.data != NULL && memmem(x.resp.data, x.resp.len, "\"data\"",
	    6) != NULL);
	buf_free(&x.resp);

	/* A missing file is said at the submit. */
	memset(&x, 0, sizeof(x));
	parts[1].path = "/nonexistent/enrich";
	x.method = XFER_UPLOAD;
	x.parts = parts;
	x.nparts = 2;
	x.target = t;
	snprintf(u, sizeof(u), "%.*s/v1/files", (int)base, url);
	x.url = u;
	if (pool_submit(p, &x, e, sizeof(e)) == 0) {
		CHECK(drain(p, 1) >= 0);
		CHECK(x.result != XFER_RESPONSE || x.status != 200);
	} else
		CHECK(strstr(e, "nonexistent") != NULL);
	buf_free(&x.resp);

	/* And a plain POST again, on handles that did all that. */
	for (k = 0; k < 3; k++) {
		memset(&x, 0, sizeof(x));
		body(&x, bodybuf, sizeof(bodybuf), "after");
		CHECK(one(p, &x) == 0);
		CHECK(x.result == XFER_RESPONSE && x.status == 200 &&
		    x.resp.data != NULL && memmem(x.resp.data, x.resp.len,
		    "after", 5) != NULL);
		buf_free(&x.resp);
	}
	unlink(path);
}

static void
body(struct xfer *x, char *buf, size_t len, const char *prompt)
{
	snprintf(buf, len, "{\"model\":\"m\",\"messages\":[{\"role\":\"user\","
	    "\"content\":\"%s\"}]}", prompt);
	x->body = buf;
	x->bodylen = strlen(buf);
}

int
main(void)
{
	struct pool_config	 pc = { 0 };
	struct pool		*p;
	struct xfer		 x[40];
	char			 dir[] = "/tmp/test_pool.XXXXXX", e[256];
	char			 bodies[40][200], want[128];
	int			 k, ok, most;

	if (mkdtemp(dir) == NULL || curl_global_init(CURL_GLOBAL_DEFAULT) != 0 ||
	    mock_start(dir) == -1) {
		fprintf(stderr, "test_pool: no mock server\n");
		mock_stop();
		return check_done("test_pool") || 1;
	}
	memset(x, 0, sizeof(x));
	pc.url = url;
	pc.timeout_ms = 1500;
	pc.max_response = 1 << 20;
	pc.window = 40;
	pc.http = POOL_HTTP_1_1;
	pc.keep_headers = keep;
	CHECK((p = pool_new(&pc, e, sizeof(e))) != NULL);
	pool_set_window(p, 8);
	CHECK(pool_window(p) == 8);

	/* 40 rows through a window of 8: each gets its own answer. */
	for (k = 0; k < 40; k++) {
		snprintf(want, sizeof(want), k == 0 ? "[[header:x-ratelimit-"
		    "limit-requests=7]] [[header:x-request-id=r0]] row %d" :
		    "[[sleep:20]] row %d", k);
		body(&x[k], bodies[k], sizeof(bodies[k]), want);
		x[k].udata = &x[k];
	}
	for (k = 0, ok = 1; k < 40; ) {
		while (k < 40 && pool_room(p) > 0)
			ok &= pool_submit(p, &x[k++], e, sizeof(e)) == 0;
		if (k < 40 && (most = drain(p, 1)) == -1)
			break;
	}
	most = drain(p, pool_active(p));
	CHECK(ok);
	CHECK(most >= 0 && most <= 8);
	for (k = 0, ok = 1; k < 40; k++) {
		snprintf(want, sizeof(want), "row %d\"", k);
		if (!(x[k].result == XFER_RESPONSE && x[k].status == 200 &&
		    x[k].resp.data != NULL && memmem(x[k].resp.data,
		    x[k].resp.len, want, strlen(want)) != NULL)) {
			fprintf(stderr, "row %d: %d %ld %.*s\n", k,
			    x[k].result, x[k].status, (int)x[k].resp.len,
			    x[k].resp.data);
			ok = 0;
		}
	}
	CHECK(ok);
	/* The kept headers, in their slots; the others empty. */
	CHECK(strcmp(x[0].header[XH_RL_LIMIT_REQUESTS], "7") == 0);
	CHECK(strcmp(x[0].header[XH_REQUEST_ID], "r0") == 0);
	CHECK(x[0].header[XH_RL_REMAINING_REQUESTS][0] == '\0');
	CHECK(x[1].header[XH_RL_LIMIT_REQUESTS][0] == '\0');
	CHECK(pool_connections(p) >= 1 && pool_connections(p) <= 8);

	/* A status, a drop, a response over the cap, a timeout. */
	for (k = 0; k < 4; k++) {
		buf_free(&x[k].resp);
		memset(&x[k], 0, sizeof(x[k]));
	}
	body(&x[0], bodies[0], sizeof(bodies[0]), "[[status:503]]");
	body(&x[1], bodies[1], sizeof(bodies[1]), "[[drop]]");
	body(&x[2], bodies[2], sizeof(bodies[2]), "[[bytes:2000000]]");
	body(&x[3], bodies[3], sizeof(bodies[3]), "[[sleep:3000]]");
	for (k = 0; k < 4; k++)
		CHECK(pool_submit(p, &x[k], e, sizeof(e)) == 0);
	CHECK(drain(p, 4) >= 0);
	CHECK(x[0].result == XFER_RESPONSE && x[0].status == 503);
	CHECK(x[1].result == XFER_NETWORK && x[1].error[0] != '\0');
	CHECK(x[2].result == XFER_TOOBIG);
	CHECK(x[3].result == XFER_TIMEOUT);

	/* A URL of the transfer's own. */
	buf_free(&x[0].resp);
	memset(&x[0], 0, sizeof(x[0]));
	body(&x[0], bodies[0], sizeof(bodies[0]), "own");
	snprintf(want, sizeof(want), "%.*s/nope", (int)(strstr(url, "/v1") -
	    url), url);
	x[0].url = want;
	CHECK(pool_submit(p, &x[0], e, sizeof(e)) == 0);
	CHECK(drain(p, 1) >= 0);
	CHECK(x[0].result == XFER_RESPONSE && x[0].status == 404);

	/* Targets: another URL with headers of its own, and the pool's
	 * own again on the same handles. */
	{
		const char *const h[] = { "X-Target: two" };
		char u2[160];

		snprintf(u2, sizeof(u2), "%.*s/other", (int)(strstr(url,
		    "/v1") - url), url);
		CHECK(pool_add_target(p, u2, h, 1, e, sizeof(e)) == 1);
		for (k = 0; k < 8; k++) {
			buf_free(&x[k].resp);
			memset(&x[k], 0, sizeof(x[k]));
			body(&x[k], bodies[k], sizeof(bodies[k]), "t");
			x[k].target = k % 2;
			CHECK(pool_submit(p, &x[k], e, sizeof(e)) == 0);
		}
		CHECK(drain(p, 8) >= 0);
		for (k = 0; k < 8; k++)
			CHECK(x[k].result == XFER_RESPONSE &&
			    x[k].status == (k % 2 ? 404 : 200));
		x[8].target = 2;
		body(&x[8], bodies[8], sizeof(bodies[8]), "t");
		CHECK(pool_submit(p, &x[8], e, sizeof(e)) == -1);
		x[8].target = 0;
	}

	for (k = 0; k < 40; k++)
		buf_free(&x[k].resp);
	pool_free(p);
	pc.timeout_ms = 5000;
	CHECK((p = pool_new(&pc, e, sizeof(e))) != NULL);
	if (p != NULL)
		test_kinds(p, dir);
	pool_free(p);
	pool_free(NULL);
	mock_stop();
	curl_global_cleanup();
	snprintf(e, sizeof(e), "%s/port", dir);
	unlink(e);
	rmdir(dir);
	return check_done("test_pool");
}
