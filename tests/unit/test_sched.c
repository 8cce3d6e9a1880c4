/*
 * The scheduler driven by hand: a fake clock (now, passed to every call)
 * and a fake pool defined here, so the linker never takes lib/pool.o from
 * the archive.  The test decides when each request finishes and with what
 * status, body and headers.  Input comes through a pipe, output goes to a
 * temporary file read back at the end.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check.h"
#include "sched.h"

#define OUT_HIGH	(1024 * 1024)	/* sched.c's backlog mark */
#define MAX_STARTS	512

/* The fake clock. */
static long long	 now;

/* The fake pool: a window, what is in flight, what is done. */
struct pool {
	int			 window;
	int			 max;
	long long		 timeout;	/* what pool_timeout says */
	int			 active;
	int			 overflow;	/* submits past the window */
	TAILQ_HEAD(xfers, xfer)	 flight;
	struct xfers		 done;
	/* Every start: when, and which row. */
	size_t			 nstarts;
	long long		 start_at[MAX_STARTS];
	long			 start_id[MAX_STARTS];
};

static long	 xfer_id(const struct xfer *);

void
pool_set_window(struct pool *p, int w)
{
	p->window = w < 1 ? 1 : w > p->max ? p->max : w;
}

int
pool_window(const struct pool *p)
{
	return p->window;
}

int
pool_room(const struct pool *p)
{
	return p->active < p->window ? p->window - p->active : 0;
}

int
pool_active(const struct pool *p)
{
	return p->active;
}

long long
pool_timeout(const struct pool *p, long long t)
{
	(void)t;
	return p->timeout;
}

int
pool_submit(struct pool *p, struct xfer *x, char *err, size_t errlen)
{
	if (pool_room(p) == 0) {
		p->overflow++;
		snprintf(err, errlen, "no room in the window");
		return -1;
	}
	buf_reset(&x->resp);
	x->error[0] = '\0';
	x->status = 0;
	memset(x->header, 0, sizeof(x->header));
	TAILQ_INSERT_TAIL(&p->flight, x, link);
	p->active++;
	if (p->nstarts < MAX_STARTS) {
		p->start_at[p->nstarts] = now;
		p->start_id[p->nstarts] = xfer_id(x);
	}
	p->nstarts++;
	return 0;
}

struct xfer *
pool_done(struct pool *p)
{
	struct xfer	*x;

	if ((x = TAILQ_FIRST(&p->done)) != NULL)
		TAILQ_REMOVE(&p->done, x, link);
	return x;
}

/* The row's ID, a number in these tests. */
static long
xfer_id(const struct xfer *x)
{
	const struct row	*r = x->udata;
	char			 tmp[32];

	snprintf(tmp, sizeof(tmp), "%.*s", (int)r->id.len, r->id.data);
	return strtol(tmp, NULL, 10);
}

/* The request in flight for row id, or NULL. */
static struct xfer *
flying(struct pool *p, long id)
{
	struct xfer	*x;

	TAILQ_FOREACH(x, &p->flight, link)
		if (xfer_id(x) == id)
			return x;
	return NULL;
}

static void
finish(struct pool *p, struct xfer *x, enum xfer_result res, long status,
    const char *body)
{
	TAILQ_REMOVE(&p->flight, x, link);
	p->active--;
	x->result = res;
	x->status = status;
	x->elapsed_ms = 5;
	if (body != NULL && buf_adds(&x->resp, body) == -1)
		abort();
	if (res != XFER_RESPONSE)
		strlcpy(x->error, "Connection refused", sizeof(x->error));
	TAILQ_INSERT_TAIL(&p->done, x, link);
}

static void
header(struct xfer *x, enum xfer_header h, const char *v)
{
	strlcpy(x->header[h], v, sizeof(x->header[h]));
}

/* A 200 whose answer is "ans-ID" (and pad, if given, after it). */
static void
answer(struct pool *p, struct xfer *x, const char *pad)
{
	struct buf	 b = { 0 };

	if (buf_adds(&b, "{\"choices\":[{\"message\":{\"role\":\"assistant\","
	    "\"content\":\"ans-") == -1 || buf_addu(&b, xfer_id(x)) == -1 ||
	    buf_adds(&b, pad != NULL ? pad : "") == -1 ||
	    buf_adds(&b, "\"}}],\"usage\":{\"prompt_tokens\":2,"
	    "\"completion_tokens\":1}}") == -1 || buf_addc(&b, '\0') == -1)
		abort();
	finish(p, x, XFER_RESPONSE, 200, b.data);
	buf_free(&b);
}

/* Everything in flight answered, oldest first. */
static void
answer_all(struct pool *p)
{
	struct xfer	*x;

	while ((x = TAILQ_FIRST(&p->flight)) != NULL)
		answer(p, x, NULL);
}

/* What the scheduler said, in order. */
struct heard {
	enum sched_event	 what;
	long			 id;
	enum verdict_wait	 wait;
	long long		 delay;
	char			 msg[256];
	struct sched_waiting	 waiting;	/* SCHED_WAITING's */
	long long		 ms;
};

struct setup {
	double		 max_cost;	/* --max-cost at $1M/1M tokens */
	int		 window;
	long long	 rpm;
	int		 retries;
	int		 max_429;
	long long	 grace_ms;
	int		 dry;
	int		 ordered;
};

struct harness {
	int			 in[2];		/* the input pipe */
	int			 outfd;		/* a temporary file */
	struct lines		*lines;
	struct output		*out;
	struct tmpl		*user;
	struct request		*req;
	struct record		*record;
	struct input		*input;
	struct verdicts		*verdicts;
	struct pool		 pool;
	struct pace		*pace;
	struct budget		 budget;
	struct stats		 st;
	struct sched		*s;
	int			 hold_output;	/* do not flush */
	struct heard		 heard[64];
	size_t			 nheard;
	struct buf		 text;		/* the output, read back */
};

static void
notified(void *arg, const struct sched_notice *n)
{
	struct harness	*h = arg;
	struct heard	*e;
	char		 tmp[32];

	if (h->nheard == sizeof(h->heard) / sizeof(h->heard[0]))
		return;
	e = &h->heard[h->nheard++];
	e->what = n->what;
	e->ms = n->ms;
	if (n->waiting != NULL)
		e->waiting = *n->waiting;
	e->wait = n->verdict != NULL ? n->verdict->wait : VERDICT_CHARGED;
	e->delay = n->verdict != NULL ? n->verdict->delay : -1;
	/* SCHED_WAITING is about the run: no row. */
	if (n->row == NULL)
		return;
	snprintf(tmp, sizeof(tmp), "%.*s", (int)n->row->id.len,
	    n->row->id.data);
	e->id = strtol(tmp, NULL, 10);
	snprintf(e->msg, sizeof(e->msg), "%.*s", (int)n->row->msg.len,
	    n->row->msg.data != NULL ? n->row->msg.data : "");
}

static char	*one_token[] = { "max_completion_tokens=1" };

static void
setup(struct harness *h, const struct setup *c)
{
	struct record_config	 rc = { 0 };
	struct input_config	 ic = { 0 };
	struct verdict_config	 vc = { 0 };
	struct pace_config	 pc = { 0 };
	struct sched_config	 sc = { 0 };
	struct sched_parts	 sp = { 0 };
	char			 path[] = "/tmp/test_sched.XXXXXX", e[256];

	memset(h, 0, sizeof(*h));
	now = 0;
	if (pipe(h->in) == -1 ||
	    fcntl(h->in[0], F_SETFL, O_NONBLOCK) == -1 ||
	    (h->outfd = mkstemp(path)) == -1)
		abort();
	unlink(path);
	h->user = tmpl_compile("{{q}}", 5, TMPL_ESCAPES, e, sizeof(e));
	h->req = request_new("m", NULL, h->user, c->max_cost > 0 ? one_token :
	    NULL, c->max_cost > 0, e, sizeof(e));
	rc.request = ic.request = h->req;
	rc.idfield = ic.idfield = "id";
	rc.field = "answer";
	rc.errfield = ic.errfield = "error";
	/* As setup.c has it: answers priced at the budget's rates. */
	if (c->max_cost > 0)
		rc.rates = &h->budget.rates;
	ic.dry_run = c->dry;
	ic.base = "http://127.0.0.1:1";
	vc.retries = c->retries;
	vc.max_429 = c->max_429;
	vc.max_wait_ms = 60000;
	vc.stall_ms = 600000;
	h->lines = lines_new(h->in[0], 1 << 20);
	h->out = output_new(h->outfd, -1, c->ordered ? 1024 : 0);
	h->record = record_new(&rc);
	h->input = input_new(&ic, h->record);
	h->verdicts = verdict_new(&vc, now);
	if (h->user == NULL || h->req == NULL || h->lines == NULL ||
	    h->out == NULL || h->record == NULL || h->input == NULL ||
	    h->verdicts == NULL)
		abort();
	h->pool.max = 1000;
	h->pool.timeout = -1;
	TAILQ_INIT(&h->pool.flight);
	TAILQ_INIT(&h->pool.done);
	if (!c->dry) {
		pc.rpm = c->rpm;
		pc.window = c->window;
		pc.max_window = h->pool.max;
		pc.max_wait_ms = 60000;
		if ((h->pace = pace_new(&pc, now)) == NULL)
			abort();
	}
	sc.ordered = c->ordered;
	sc.grace_ms = c->grace_ms;
	sp.in = h->lines;
	sp.out = h->out;
	sp.input = h->input;
	sp.record = h->record;
	sp.verdicts = h->verdicts;
	sp.pool = c->dry ? NULL : &h->pool;
	sp.pace = h->pace;
	sp.stats = &h->st;
	if (c->max_cost > 0) {
		h->budget.limit = c->max_cost;
		h->budget.rates = (struct price_rates){ 1e6, 1e6, 1e6 };
		sp.budget = &h->budget;
		sp.rates = &h->budget.rates;
	}
	if ((h->s = sched_new(&sc, &sp, notified, h)) == NULL)
		abort();
}

static void
teardown(struct harness *h)
{
	sched_free(h->s);
	pace_free(h->pace);
	verdict_free(h->verdicts);
	input_free(h->input);
	record_free(h->record);
	output_free(h->out);
	lines_free(h->lines);
	request_free(h->req);
	tmpl_free(h->user);
	buf_free(&h->text);
	if (h->in[1] != -1)
		close(h->in[1]);
	close(h->in[0]);
	close(h->outfd);
}

/* Rows first..last, {"id":N,"q":"qN"}, into the input pipe. */
static void
feed(struct harness *h, int first, int last)
{
	char	 line[64];
	int	 k, n;

	for (k = first; k <= last; k++) {
		n = snprintf(line, sizeof(line), "{\"id\":%d,\"q\":\"q%d\"}\n",
		    k, k);
		if (write(h->in[1], line, n) != n)
			abort();
	}
}

static void
feed_end(struct harness *h)
{
	close(h->in[1]);
	h->in[1] = -1;
}

/* One turn of filter.c's loop, at the fake time: the scheduler's turn,
 * the output written, stdin read if the scheduler wants it. */
static int
turn(struct harness *h)
{
	char	 err[256];
	int	 rv;

	if ((rv = sched_turn(h->s, now, err, sizeof(err))) == -1)
		fprintf(stderr, "sched_turn: %s\n", err);
	CHECK(rv == 0);
	CHECK(h->pool.active <= h->pool.window);
	if (!h->hold_output && output_flush(h->out) == -1)
		abort();
	if (sched_want_input(h->s))
		(void)lines_fill(h->lines);
	return rv;
}

/*
 * filter.c's loop until the run is over, answering everything in flight
 * each time round (newest first if lifo, with pad in each answer): a
 * turn, the sleep sched_timeout says, the answers.
 */
static void
run_loop(struct harness *h, int turns, const char *pad, int lifo)
{
	struct xfer	*x;
	long long	 t;

	while (turns-- > 0) {
		turn(h);
		if (sched_over(h->s, now))
			break;
		if ((t = sched_timeout(h->s, now)) > 0)
			now += t;
		while ((x = lifo ? TAILQ_LAST(&h->pool.flight, xfers) :
		    TAILQ_FIRST(&h->pool.flight)) != NULL)
			answer(&h->pool, x, pad);
	}
	CHECK(sched_over(h->s, now));
}

static void
run_answering(struct harness *h, int turns)
{
	run_loop(h, turns, NULL, 0);
}

/* The output so far, as a C string. */
static const char *
output_text(struct harness *h)
{
	char	 tmp[65536];
	off_t	 off = 0;
	ssize_t	 n;

	buf_reset(&h->text);
	while ((n = pread(h->outfd, tmp, sizeof(tmp), off)) > 0) {
		if (buf_add(&h->text, tmp, n) == -1)
			abort();
		off += n;
	}
	if (buf_addc(&h->text, '\0') == -1)
		abort();
	return h->text.data;
}

/* How many lines of the output are row id's. */
static int
lines_of(const char *out, int id)
{
	char		 want[32];
	const char	*p;
	int		 n = 0;

	snprintf(want, sizeof(want), "{\"id\":%d,", id);
	for (p = out; *p != '\0'; p = strchr(p, '\n') + 1) {
		n += strncmp(p, want, strlen(want)) == 0;
		if (strchr(p, '\n') == NULL)
			break;
	}
	return n;
}

static int
count_lines(const char *out)
{
	int	 n = 0;

	for (; *out != '\0'; out++)
		n += *out == '\n';
	return n;
}

static size_t
heard(const struct harness *h, enum sched_event what)
{
	size_t	 k, n = 0;

	for (k = 0; k < h->nheard; k++)
		n += h->heard[k].what == what;
	return n;
}

static const struct heard *
last_heard(const struct harness *h, enum sched_event what)
{
	size_t	 k;

	for (k = h->nheard; k > 0; k--)
		if (h->heard[k - 1].what == what)
			return &h->heard[k - 1];
	return NULL;
}

/* A window of 3 over 20 rows, answered in bursts: never more than 3 in
 * flight, every row written once with its own answer. */
static void
test_window(void)
{
	struct setup	 c = { .window = 3, .retries = 2 };
	struct harness	 h;
	const char	*out;
	int		 k, ok;

	setup(&h, &c);
	CHECK(pool_window(&h.pool) == 3);
	feed(&h, 1, 20);
	feed_end(&h);
	turn(&h);
	turn(&h);
	CHECK(h.pool.active == 3);
	CHECK(h.st.rows_read == 3);
	/* A full window reads no more. */
	CHECK(!sched_want_input(h.s));
	/* One answered: one more starts. */
	answer(&h.pool, TAILQ_FIRST(&h.pool.flight), NULL);
	turn(&h);
	CHECK(h.pool.active == 3 && h.pool.nstarts == 4);
	/* SIGUSR2: a window 10% narrower, at least one fewer. */
	CHECK(sched_scale(h.s, 1 / 1.1) == 2);
	answer_all(&h.pool);
	turn(&h);
	CHECK(pool_window(&h.pool) == 2);
	CHECK(h.pool.active == 2);
	run_answering(&h, 100);
	CHECK(h.pool.overflow == 0);
	CHECK(h.pool.nstarts == 20);
	out = output_text(&h);
	CHECK(count_lines(out) == 20);
	for (ok = 1, k = 1; k <= 20; k++)
		ok &= lines_of(out, k) == 1;
	CHECK(ok);
	CHECK(strstr(out, "{\"id\":7,\"q\":\"q7\",\"answer\":\"ans-7\"}\n") !=
	    NULL);
	CHECK(h.st.ok == 20 && h.st.failed == 0 && h.st.rows_read == 20);
	CHECK(h.st.prompt_tokens == 40 && h.st.completion_tokens == 20);
	CHECK(h.nheard == 0);
	teardown(&h);
}

/* A 500 waits out its backoff, then goes again; a 400 is an error
 * record at once. */
static void
test_retry(void)
{
	struct setup		 c = { .window = 2, .retries = 2 };
	struct harness		 h;
	const struct heard	*e;
	struct xfer		*x;
	const char		*out;
	long long		 due;

	setup(&h, &c);
	feed(&h, 1, 2);
	feed_end(&h);
	turn(&h);
	turn(&h);
	CHECK(h.pool.active == 2);
	finish(&h.pool, flying(&h.pool, 1), XFER_RESPONSE, 500,
	    "{\"error\":{\"message\":\"boom\",\"type\":\"server_error\"}}");
	finish(&h.pool, flying(&h.pool, 2), XFER_RESPONSE, 400,
	    "{\"error\":{\"message\":\"bad thing\",\"type\":"
	    "\"invalid_request_error\"}}");
	now = 100;
	turn(&h);
	CHECK(heard(&h, SCHED_RETRY) == 1 && heard(&h, SCHED_FAILED) == 1);
	e = last_heard(&h, SCHED_RETRY);
	CHECK(e != NULL && e->id == 1 && e->wait == VERDICT_CHARGED &&
	    e->delay >= 0 && e->delay <= VERDICT_BASE_MS);
	CHECK(e != NULL && strcmp(e->msg, "boom") == 0);
	e = last_heard(&h, SCHED_FAILED);
	CHECK(e != NULL && e->id == 2 && strcmp(e->msg, "bad thing") == 0);
	CHECK(h.st.retries == 1 && h.st.failed == 1);
	out = output_text(&h);
	CHECK(strcmp(out, "{\"id\":2,\"q\":\"q2\",\"error\":{\"type\":\"http\","
	    "\"status\":400,\"message\":\"bad thing\",\"attempts\":1}}\n") == 0);

	/* Not before its time, and the loop is told when that is. */
	due = 100 + last_heard(&h, SCHED_RETRY)->delay;
	if (due > now) {
		CHECK(h.pool.active == 0);
		CHECK(sched_timeout(h.s, now) == due - now);
		now = due - 1;
		turn(&h);
		CHECK(h.pool.active == 0 && h.pool.nstarts == 2);
		now = due;
	}
	turn(&h);
	CHECK(h.pool.nstarts == 3 && (x = flying(&h.pool, 1)) != NULL);
	answer(&h.pool, x, NULL);
	turn(&h);
	CHECK(sched_over(h.s, now));
	out = output_text(&h);
	CHECK(lines_of(out, 1) == 1 && lines_of(out, 2) == 1);
	CHECK(strstr(out, "{\"id\":1,\"q\":\"q1\",\"answer\":\"ans-1\"}\n") !=
	    NULL);
	CHECK(h.st.ok == 1 && h.st.failed == 1);

	/* Past -r: the row fails with its last error and its attempts. */
	teardown(&h);
	c.retries = 0;
	setup(&h, &c);
	feed(&h, 1, 1);
	feed_end(&h);
	turn(&h);
	turn(&h);
	finish(&h.pool, flying(&h.pool, 1), XFER_NETWORK, 0, NULL);
	turn(&h);
	CHECK(sched_over(h.s, now));
	CHECK(strcmp(output_text(&h), "{\"id\":1,\"q\":\"q1\",\"error\":"
	    "{\"type\":\"network\",\"status\":null,\"message\":\"Connection "
	    "refused\",\"attempts\":1}}\n") == 0);
	teardown(&h);
}

/* A 401: the run stops, the row is not written (it is to be resumed),
 * and nothing more is taken in or sent. */
static void
test_stop(void)
{
	struct setup		 c = { .window = 3, .retries = 2 };
	struct harness		 h;
	const struct heard	*e;
	const char		*out;
	uint64_t		 read;

	setup(&h, &c);
	feed(&h, 1, 10);
	feed_end(&h);
	turn(&h);
	turn(&h);
	CHECK(h.pool.active == 3);
	answer(&h.pool, flying(&h.pool, 1), NULL);
	finish(&h.pool, flying(&h.pool, 2), XFER_RESPONSE, 401,
	    "{\"error\":{\"message\":\"Incorrect API key provided\","
	    "\"type\":\"invalid_request_error\",\"code\":\"invalid_api_key\"}}");
	answer(&h.pool, flying(&h.pool, 3), NULL);
	read = h.st.rows_read;
	turn(&h);
	CHECK(sched_stopped(h.s));
	CHECK(heard(&h, SCHED_STOP) == 1);
	e = last_heard(&h, SCHED_STOP);
	CHECK(e != NULL && e->id == 2 && strcmp(e->msg, "Incorrect API key "
	    "provided (check OPENAI_API_KEY or --api-key-file)") == 0);
	out = output_text(&h);
	CHECK(lines_of(out, 1) == 1);
	CHECK(lines_of(out, 2) == 0);
	/* What finished after the 401 is not judged: it resumes too. */
	CHECK(lines_of(out, 3) == 0);
	CHECK(h.st.failed == 0 && h.st.ok == 1);
	/* A stopped run starts nothing more. */
	CHECK(h.pool.nstarts == 3);
	CHECK(h.st.rows_read == read);
	teardown(&h);
}

/* A 429 that names its wait: every request holds until it is over, and
 * the caller hears that the run is paced from now on. */
static void
test_hold(void)
{
	struct setup		 c = { .window = 4, .retries = 2 };
	struct harness		 h;
	const struct heard	*e;
	struct xfer		*x;
	const char		*out;
	long long		 hold;
	int			 k, ok;

	setup(&h, &c);
	feed(&h, 1, 8);
	feed_end(&h);
	turn(&h);
	turn(&h);
	CHECK(h.pool.active == 4);
	x = flying(&h.pool, 1);
	header(x, XH_RETRY_AFTER, "2");
	finish(&h.pool, x, XFER_RESPONSE, 429, "{\"error\":{\"message\":\"Rate "
	    "limit reached for requests\",\"type\":\"requests\",\"code\":"
	    "\"rate_limit_exceeded\"}}");
	now = 10;
	turn(&h);
	hold = 10 + 2000;
	CHECK(h.nheard == 2);
	CHECK(h.heard[0].what == SCHED_PACED && h.heard[0].id == 1);
	CHECK(h.heard[1].what == SCHED_RETRY && h.heard[1].id == 1 &&
	    h.heard[1].wait == VERDICT_HOLD && h.heard[1].delay == 2000);
	CHECK(h.st.http429 == 1 && h.st.retries == 0);
	/* The window has room, but nothing starts. */
	CHECK(h.pool.nstarts == 4);
	now = 100;
	answer_all(&h.pool);
	turn(&h);
	CHECK(lines_of(output_text(&h), 4) == 1);
	/* Closer and closer to the hold's end: nothing starts. */
	for (ok = 1; now < hold - 1; ) {
		ok &= sched_timeout(h.s, now) == hold - now;
		now += (hold - now) / 2;
		turn(&h);
		ok &= h.pool.nstarts == 4 && h.pool.active == 0;
	}
	CHECK(ok);
	/* At its end the run goes on at its rate, not a window at once. */
	now = hold;
	turn(&h);
	CHECK(h.pool.nstarts == 5);
	for (ok = 1, k = 4; k < (int)h.pool.nstarts; k++)
		ok &= h.pool.start_at[k] >= hold;
	CHECK(ok);
	run_answering(&h, 200);
	for (ok = 1, k = 4; k < (int)h.pool.nstarts; k++)
		ok &= h.pool.start_at[k] >= hold;
	CHECK(ok);
	out = output_text(&h);
	for (ok = 1, k = 1; k <= 8; k++)
		ok &= lines_of(out, k) == 1;
	CHECK(ok);
	CHECK(h.st.ok == 8);
	/* A second rate limit does not say "paced" again. */
	CHECK(heard(&h, SCHED_PACED) == 1);
	e = last_heard(&h, SCHED_RETRY);
	CHECK(e != NULL && e->id == 1);
	teardown(&h);
}

/* Rows due behind one the pace holds wait for it: the caller is told to
 * sleep until the pace allows it, not woken at once for each (a spin). */
static void
test_held_behind(void)
{
	struct setup		 c = { .window = 4, .retries = 2 };
	struct harness		 h;
	struct xfer		*x;
	long long		 t;
	int			 k, spins;

	setup(&h, &c);
	feed(&h, 1, 3);
	feed_end(&h);
	turn(&h);
	turn(&h);
	CHECK(h.pool.active == 3);
	for (k = 1; k <= 3; k++) {
		x = flying(&h.pool, k);
		header(x, XH_RETRY_AFTER, "2");
		finish(&h.pool, x, XFER_RESPONSE, 429, "{\"error\":{"
		    "\"message\":\"Rate limit reached for requests\","
		    "\"type\":\"requests\",\"code\":"
		    "\"rate_limit_exceeded\"}}");
	}
	now = 10;
	turn(&h);
	CHECK(h.pool.active == 0 && h.pool.nstarts == 3);
	/* After the hold the rows are all due, and go one at a time at
	 * the rate learned: between starts, no zero sleeps. */
	now = 2010 + 1;
	turn(&h);
	for (spins = 0, k = 0; k < 200 && h.pool.nstarts < 6; k++) {
		if ((t = sched_timeout(h.s, now)) == 0)
			spins++;
		now += t > 0 ? t : 1;
		turn(&h);
	}
	CHECK(h.pool.nstarts == 6);
	CHECK(spins == 0);
	teardown(&h);
}

/* A 429 without a named wait backs off that row alone. */
static void
test_ratelimit(void)
{
	struct setup		 c = { .window = 2, .retries = 0 };
	struct harness		 h;
	const struct heard	*e;

	setup(&h, &c);
	feed(&h, 1, 2);
	feed_end(&h);
	turn(&h);
	turn(&h);
	finish(&h.pool, flying(&h.pool, 1), XFER_RESPONSE, 429,
	    "{\"error\":{\"message\":\"Rate limit reached\",\"code\":"
	    "\"rate_limit_exceeded\"}}");
	turn(&h);
	CHECK(heard(&h, SCHED_PACED) == 1 && heard(&h, SCHED_RETRY) == 1);
	e = last_heard(&h, SCHED_RETRY);
	CHECK(e != NULL && e->wait == VERDICT_RATE && e->delay <= 500);
	/* Not charged to -r: with -r 0 it still goes again. */
	run_answering(&h, 100);
	CHECK(h.st.ok == 2 && h.st.failed == 0 && h.st.retries == 0);
	CHECK(h.pool.nstarts == 3);
	teardown(&h);
}

/*
 * A row always refused with 429 (a named wait of 2 s) while the others
 * succeed: after 5 s without a line written the wait is said, with what
 * it waits on; the row fails at its fifth refusal, as the last one left.
 */
static void
test_waiting(void)
{
	struct setup		 c = { .window = 3, .retries = 1,
				    .max_429 = 5 };
	struct harness		 h;
	const struct heard	*e;
	struct xfer		*x;
	const char		*out;
	long long		 t;
	int			 k;

	setup(&h, &c);
	feed(&h, 1, 3);
	feed_end(&h);
	turn(&h);
	turn(&h);
	CHECK(h.pool.active == 3);
	answer(&h.pool, flying(&h.pool, 2), NULL);
	answer(&h.pool, flying(&h.pool, 3), NULL);
	for (k = 0; k < 200 && !sched_over(h.s, now); k++) {
		if ((x = flying(&h.pool, 1)) != NULL) {
			header(x, XH_RETRY_AFTER, "2");
			finish(&h.pool, x, XFER_RESPONSE, 429, "{\"error\":"
			    "{\"message\":\"Rate limit reached\",\"code\":"
			    "\"rate_limit_exceeded\"}}");
		}
		turn(&h);
		if ((t = sched_timeout(h.s, now)) > 0)
			now += t;
	}
	CHECK(sched_over(h.s, now));
	CHECK(h.st.ok == 2 && h.st.failed == 1 && h.st.http429 == 5);
	out = output_text(&h);
	CHECK(strstr(out, "{\"id\":1,\"q\":\"q1\",\"error\":{\"type\":"
	    "\"http\",\"status\":429,\"message\":\"Rate limit reached "
	    "(refused 5 times while other rows succeeded: --max-429)\","
	    "\"attempts\":5}}\n") != NULL);
	/* Said once in the 8 s it waited: at 5 s, then not before 15 s. */
	CHECK(heard(&h, SCHED_WAITING) == 1);
	e = last_heard(&h, SCHED_WAITING);
	CHECK(e != NULL && e->ms >= 5000 && e->ms < 6000);
	CHECK(e != NULL && e->waiting.rows == 1 && e->waiting.refused == 1 &&
	    e->waiting.retrying == 0 && e->waiting.max_429 == 5 &&
	    e->waiting.refusals >= 2 && e->waiting.refusals <= 3 &&
	    e->waiting.stall_end == 600000 && e->waiting.held == -1 &&
	    e->waiting.grace_end == -1 && e->waiting.max_retries == 1);
	CHECK(e != NULL && e->waiting.next > 5000 && e->waiting.next <= 7000);
	teardown(&h);

	/* Rows written all along: nothing waits in silence, nothing said. */
	setup(&h, &c);
	feed(&h, 1, 30);
	feed_end(&h);
	for (k = 0; k < 400; k++) {
		turn(&h);
		if (sched_over(h.s, now))
			break;
		if ((x = TAILQ_FIRST(&h.pool.flight)) != NULL && xfer_id(x) % 2)
			finish(&h.pool, x, XFER_RESPONSE, 503, "{}");
		else if (x != NULL)
			answer(&h.pool, x, NULL);
		now += 1000;
	}
	CHECK(sched_over(h.s, now) && h.st.ok + h.st.failed == 30);
	CHECK(heard(&h, SCHED_WAITING) == 0);
	teardown(&h);
}

/* --rpm 60: one start a second, in fake time. */
static void
test_rpm(void)
{
	struct setup	 c = { .window = 4, .rpm = 60, .retries = 2 };
	struct harness	 h;
	int		 k, ok;

	setup(&h, &c);
	feed(&h, 1, 5);
	feed_end(&h);
	turn(&h);
	turn(&h);
	CHECK(h.pool.nstarts == 1);
	/* The next row waits for its slot; the loop is told how long. */
	CHECK(sched_timeout(h.s, now) == 1000);
	now = 999;
	turn(&h);
	CHECK(h.pool.nstarts == 1);
	run_answering(&h, 100);
	CHECK(h.pool.nstarts == 5);
	for (ok = 1, k = 1; k < 5; k++)
		ok &= h.pool.start_at[k] - h.pool.start_at[k - 1] >= 1000;
	CHECK(ok);
	CHECK(h.pool.start_at[4] == 4000);
	CHECK(h.st.ok == 5);
	teardown(&h);
}

/* An interrupt: no more input; rows in flight get the grace period;
 * rows waiting then fail; a retry that would end after it fails now. */
static void
test_interrupt(void)
{
	struct setup		 c = { .window = 3, .retries = 3,
				    .grace_ms = 1000 };
	struct harness		 h;
	const char		*out;
	struct xfer		*x;
	uint64_t		 read;
	char			 err[256];

	setup(&h, &c);
	feed(&h, 1, 10);
	feed_end(&h);
	turn(&h);
	turn(&h);
	CHECK(h.pool.active == 3);
	x = flying(&h.pool, 1);
	header(x, XH_RETRY_AFTER, "5");
	finish(&h.pool, x, XFER_RESPONSE, 503, "{\"error\":{\"message\":"
	    "\"busy\"}}");
	turn(&h);
	CHECK(heard(&h, SCHED_RETRY) == 1 && last_heard(&h,
	    SCHED_RETRY)->delay == 5000);
	CHECK(h.pool.active == 3 && flying(&h.pool, 4) != NULL);
	read = h.st.rows_read;

	now = 10;
	CHECK(sched_interrupt(h.s, now, err, sizeof(err)) == 0);
	CHECK(!sched_want_input(h.s));
	now = 100;
	answer(&h.pool, flying(&h.pool, 2), NULL);
	turn(&h);
	CHECK(h.st.rows_read == read && h.pool.nstarts == 4);
	CHECK(!sched_want_input(h.s));
	CHECK(!sched_over(h.s, now));
	/* A retry that would come after the grace period: failed now. */
	now = 200;
	x = flying(&h.pool, 3);
	header(x, XH_RETRY_AFTER, "5");
	finish(&h.pool, x, XFER_RESPONSE, 503, "{\"error\":{\"message\":"
	    "\"busy\"}}");
	turn(&h);
	CHECK(lines_of(output_text(&h), 3) == 1);
	CHECK(strstr(output_text(&h), "\"message\":\"busy (not retried: "
	    "interrupted)\"") != NULL);
	/* The loop wakes for the grace period's end. */
	CHECK(sched_timeout(h.s, now) == 1010 - now);
	now = 1009;
	turn(&h);
	CHECK(!sched_over(h.s, now) && lines_of(output_text(&h), 1) == 0);
	now = 1010;
	turn(&h);
	CHECK(sched_over(h.s, now));
	out = output_text(&h);
	CHECK(strstr(out, "{\"id\":1,\"q\":\"q1\",\"error\":{\"type\":\"http\","
	    "\"status\":503,\"message\":\"busy (not retried: interrupted)\","
	    "\"attempts\":1}}\n") != NULL);
	CHECK(lines_of(out, 2) == 1);
	/* Row 4, in flight, is lost: --skip-ids resumes it. */
	CHECK(lines_of(out, 4) == 0);
	CHECK(count_lines(out) == 3);
	CHECK(h.st.ok == 1 && h.st.failed == 2 && h.st.rows_read == read);
	teardown(&h);
}

/* Output not drained past the high mark: no more input is read until it
 * is written. */
static void
test_backpressure(void)
{
	struct setup	 c = { .window = 2, .retries = 2 };
	struct harness	 h;
	struct xfer	*x;
	const char	*out;
	char		*pad;
	uint64_t	 read;
	int		 k, ok;

	if ((pad = malloc(200 * 1024 + 1)) == NULL)
		abort();
	memset(pad, 'x', 200 * 1024);
	pad[200 * 1024] = '\0';
	setup(&h, &c);
	h.hold_output = 1;
	feed(&h, 1, 20);
	feed_end(&h);
	for (k = 0; k < 20 && output_pending(h.out) < OUT_HIGH; k++) {
		turn(&h);
		while ((x = TAILQ_FIRST(&h.pool.flight)) != NULL)
			answer(&h.pool, x, pad);
	}
	turn(&h);
	CHECK(output_pending(h.out) >= OUT_HIGH);
	CHECK(!sched_want_input(h.s));
	read = h.st.rows_read;
	CHECK(read < 20);
	for (k = 0; k < 5; k++) {
		now += 100;
		turn(&h);
	}
	CHECK(h.st.rows_read == read && h.pool.active == 0);
	CHECK(sched_timeout(h.s, now) == -1);
	/* Written: reading goes on. */
	h.hold_output = 0;
	CHECK(output_flush(h.out) == 0 && output_pending(h.out) == 0);
	turn(&h);
	CHECK(h.st.rows_read > read);
	run_loop(&h, 100, pad, 0);
	out = output_text(&h);
	for (ok = 1, k = 1; k <= 20; k++)
		ok &= lines_of(out, k) == 1;
	CHECK(ok);
	free(pad);
	teardown(&h);
}

/* A dry run: no pool, no pace; each row is written as it is read. */
static void
test_dry_run(void)
{
	struct setup	 c = { .dry = 1 };
	struct harness	 h;
	int		 k;

	setup(&h, &c);
	CHECK(sched_want_input(h.s));
	for (k = 1; k <= 3; k++) {
		feed(&h, k, k);
		CHECK(lines_fill(h.lines) > 0);
		turn(&h);
		CHECK(count_lines(output_text(&h)) == k);
	}
	CHECK(strcmp(output_text(&h), "{\"id\":1,\"request\":{\"model\":\"m\","
	    "\"messages\":[{\"role\":\"user\",\"content\":\"q1\"}]}}\n"
	    "{\"id\":2,\"request\":{\"model\":\"m\",\"messages\":[{\"role\":"
	    "\"user\",\"content\":\"q2\"}]}}\n{\"id\":3,\"request\":{\"model\":"
	    "\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"q3\"}]}}\n") ==
	    0);
	CHECK(!sched_over(h.s, now));
	CHECK(sched_timeout(h.s, now) == -1);
	CHECK(sched_scale(h.s, 1.1) == 0);
	feed_end(&h);
	CHECK(lines_fill(h.lines) == 0);
	turn(&h);
	CHECK(sched_over(h.s, now));
	CHECK(h.st.ok == 3 && h.st.rows_read == 3);
	teardown(&h);
}

/* sched_timeout: 0 with work to do now; else the nearest of the pool's
 * timer and a waiting retry. */
static void
test_timeout(void)
{
	struct setup	 c = { .window = 100, .retries = 2 };
	struct harness	 h;
	long long	 due;

	setup(&h, &c);
	/* Lines read and not yet taken: go round at once. */
	feed(&h, 1, 70);
	CHECK(lines_fill(h.lines) > 0);
	CHECK(sched_timeout(h.s, now) == 0);
	/* Started in batches: the rest of the batch is ready now. */
	turn(&h);
	CHECK(h.pool.nstarts == 64);
	CHECK(sched_timeout(h.s, now) == 0);
	turn(&h);
	CHECK(h.pool.nstarts == 70);
	/* Nothing to do but wait: the pool's timer, or none. */
	CHECK(sched_timeout(h.s, now) == -1);
	h.pool.timeout = 250;
	CHECK(sched_timeout(h.s, now) == 250);
	teardown(&h);

	/* A retry waiting: when it is due. */
	c.window = 1;
	setup(&h, &c);
	feed(&h, 1, 1);
	feed_end(&h);
	turn(&h);
	turn(&h);
	finish(&h.pool, flying(&h.pool, 1), XFER_TIMEOUT, 0, NULL);
	now = 1000;
	turn(&h);
	CHECK(heard(&h, SCHED_RETRY) == 1);
	due = 1000 + last_heard(&h, SCHED_RETRY)->delay;
	if (due > now) {
		CHECK(sched_timeout(h.s, now) == due - now);
		h.pool.timeout = due - now + 50;
		CHECK(sched_timeout(h.s, now) == due - now);
		h.pool.timeout = 1;
		CHECK(sched_timeout(h.s, now) == 1);
		h.pool.timeout = -1;
	} else
		CHECK(h.pool.active == 1);
	CHECK(sched_timeout(h.s, due + 5) == 0 || h.pool.active == 1);
	teardown(&h);
}

/* Rows that ask the same wait for the one in flight, holding no place
 * in the window, and are written from its answer; later rows of it are
 * answered from the answers kept, with no request. */
static void
test_duplicates(void)
{
	struct setup	 c = { .window = 2, .retries = 2 };
	struct harness	 h;
	const char	*out;
	char		 line[64];
	int		 k, n;

	setup(&h, &c);
	for (k = 1; k <= 8; k++) {
		n = snprintf(line, sizeof(line), "{\"id\":%d,\"q\":\"%s\"}\n",
		    k, k <= 5 ? "same" : k == 6 ? "other" : "third");
		if (write(h.in[1], line, n) != n)
			abort();
	}
	turn(&h);
	turn(&h);
	/* 1 leads, 2-5 follow it, 6 takes the second place. */
	CHECK(h.pool.active == 2 && h.pool.nstarts == 2);
	CHECK(h.pool.start_id[0] == 1 && h.pool.start_id[1] == 6);
	CHECK(h.st.rows_read == 6);
	answer_all(&h.pool);
	turn(&h);
	out = output_text(&h);
	for (k = 1; k <= 5; k++) {
		snprintf(line, sizeof(line), "{\"id\":%d,\"q\":\"same\","
		    "\"answer\":\"ans-1\"}", k);
		CHECK(strstr(out, line) != NULL);
	}
	CHECK(h.st.shared == 4 && h.st.ok == 6);
	/* Tokens: the requests', not each row's. */
	CHECK(h.st.prompt_tokens == 4);
	/* A later row of an answered prompt: no request. */
	snprintf(line, sizeof(line), "{\"id\":9,\"q\":\"same\"}\n");
	if (write(h.in[1], line, strlen(line)) != (ssize_t)strlen(line))
		abort();
	feed_end(&h);
	run_answering(&h, 50);
	CHECK(h.pool.nstarts == 3);	/* 1, 6, 7 */
	out = output_text(&h);
	CHECK(strstr(out, "{\"id\":9,\"q\":\"same\",\"answer\":\"ans-1\"}") !=
	    NULL);
	/* 8 waited on 7, 9 was answered from what 1 got. */
	CHECK(count_lines(out) == 9 && h.st.shared == 6);
	teardown(&h);
}

/*
 * --max-cost at $1 a token: each request holds its worst case: its
 * prompt's estimate (8 bytes: 2 tokens, and 16 of framing) and
 * max_completion_tokens 1.  Before any answer has said what a prompt
 * comes to, the estimate is doubled, $37; after, it is scaled by what the
 * answers said (2 tokens of 18: never below the estimate), $19.  One that
 * does not fit waits for those in flight, then the run stops: rows not
 * sent are not written.
 */
static void
test_budget(void)
{
	struct setup	 c = { .window = 5, .retries = 2, .max_cost = 45 };
	struct harness	 h;
	char		 line[64];
	int		 k, n;

	setup(&h, &c);
	for (k = 1; k <= 20; k++) {
		n = snprintf(line, sizeof(line), "{\"id\":%d,\"q\":\"%08d\"}\n",
		    k, k);
		if (write(h.in[1], line, n) != n)
			abort();
	}
	feed_end(&h);
	turn(&h);
	turn(&h);
	/* One fits in $45 before any answer, though the window holds
	 * five. */
	CHECK(h.pool.active == 1);
	CHECK(h.budget.reserved > 36.9 && h.budget.reserved < 37.1);
	CHECK(!sched_want_input(h.s));
	/* Each answer costs its usage, $3; then $19 is held for each:
	 * when $27 is spent, the next does not fit in the $18 left. */
	run_answering(&h, 50);
	CHECK(sched_broke(h.s));
	CHECK(h.budget.ratio == 1);
	CHECK(h.budget.spent > 26.9 && h.budget.spent < 27.1 &&
	    h.budget.reserved == 0);
	CHECK(h.st.ok == 9 && h.pool.nstarts == 9);
	CHECK(count_lines(output_text(&h)) == 9);
	CHECK(h.st.unsent == 1);
	CHECK(h.st.cost_usd > 26.9 && h.st.cost_usd < 27.1);
	teardown(&h);
}

/* --ordered: lines come out in input order, whatever order the answers
 * came in. */
static void
test_ordered(void)
{
	struct setup	 c = { .window = 3, .retries = 2, .ordered = 1 };
	struct harness	 h;
	const char	*out;

	setup(&h, &c);
	feed(&h, 1, 9);
	feed_end(&h);
	run_loop(&h, 50, NULL, 1);
	out = output_text(&h);
	CHECK(strncmp(out, "{\"id\":1,", 8) == 0);
	CHECK(strstr(out, "\"ans-1\"}\n{\"id\":2,") != NULL);
	CHECK(strstr(out, "\"ans-8\"}\n{\"id\":9,") != NULL);
	CHECK(count_lines(out) == 9);
	teardown(&h);
}

int
main(void)
{
	test_window();
	test_retry();
	test_stop();
	test_hold();
	test_held_behind();
	test_ratelimit();
	test_waiting();
	test_rpm();
	test_interrupt();
	test_backpressure();
	test_dry_run();
	test_timeout();
	test_ordered();
	test_duplicates();
	test_budget();
	return check_done("test_sched");
}
