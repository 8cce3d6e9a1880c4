/*
 * mock: a chat completions server for the tests and benchmarks of enrich;
 * mock.h says what it is and how its files divide the work.  This one
 * holds main, the options, the listener, the epoll loop with its timers,
 * and the --stats file.
 */

#include <sys/types.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/signalfd.h>
#include <sys/socket.h>

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <arpa/inet.h>

#include <err.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <limits.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "mock.h"

#define DRAIN_NS	(2000 * MS)
#define MAXEVENTS	512
#define ACCEPT_BATCH	256

struct config cfg = {
	.max_seconds = 900,
	.mode = A_ECHO,
	.seed = 1,
	.retry_after = "1",
	.h2_streams = 100,
};
struct stats	 st;
FILE		*logfp;
uint64_t	 now_ns, inflight;
int		 draining;

static int	 timer_cmp(struct timer *, struct timer *);
RB_HEAD(timers, timer);
/*
 * libbsd leaves __unused undefined, as it clashes with a field name in
 * Linux headers, but RB_GENERATE_STATIC needs it: define it after all
 * the system headers.
 */
#ifndef __unused
#define __unused	__attribute__((__unused__))
#endif
RB_GENERATE_STATIC(timers, timer, entry, timer_cmp)
static struct timers timers = RB_INITIALIZER(&timers);
static LIST_HEAD(, conn) conns = LIST_HEAD_INITIALIZER(conns);

static int	 ep = -1, lfd = -1, sfd = -1, spare_fd = -1;
static int	 listen_tag, signal_tag;	/* epoll cookies */
static uint64_t	 end_ns, drain_end;
static uint64_t	 timer_ids, answered;
static int	 quitting;

static void
usage(FILE *fp)
{
	fprintf(fp,
"usage: mock [-h] [-p port] [--port-file file] [--max-seconds n]\n"
"            [--max-requests n] [--latency ms] [--jitter ms]\n"
"            [--answer echo|hash|json|pick:A,B] [--seed n] [--fail-429 pct]\n"
"            [--fail-500 pct] [--drop pct] [--stall pct] [--garbage pct]\n"
"            [--retry-after s] [--rps n [--retry-after-ms]] [--tpm n]\n"
"            [--ratelimit-headers] [--require-key key]\n"
"            [--reject-model name] [--log file]\n"
"            [--stats file] [--path path] [--h2-streams n] [--slots n]\n"
"            [--frame-tokens n]\n"
"\n"
"Serves POST .../chat/completions (or exactly --path) on 127.0.0.1 and\n"
"prints the port.  Speaks HTTP/1.1, and HTTP/2 to a client that opens\n"
"with the HTTP/2 preface (h2c with prior knowledge); --h2-streams sets\n"
"its SETTINGS_MAX_CONCURRENT_STREAMS (default 100).\n"
"--rps is a wall of n requests a second with a second of burst; beyond it\n"
"the mock answers 429 at once, without --latency, as a gateway does.\n"
"--tpm is a wall of n tokens a minute with two seconds of burst, each\n"
"request charged its prompt (bytes / 4) and its max_completion_tokens\n"
"(or max_tokens); beyond it a 429 says so as OpenAI does, with no\n"
"Retry-After.  --ratelimit-headers announces what is left of either.\n"
"--fail-429 and --fail-500 are noise, not a wall: that share of requests,\n"
"drawn at random whatever the rate, get a 429 (with --retry-after's wait,\n"
"1 s by default) or a 500, 502 and 503 in turn.  Both given, a request\n"
"is drawn for the 429 first.\n"
"--slots n works on n answers at a time, as a GPU server does: the rest\n"
"wait their turn, and their latency grows with the queue.\n"
"--frame-tokens n counts a chat request's framing in its prompt_tokens (and\n"
"against --tpm) as OpenAI does (n = 3): n tokens a message and n for the\n"
"reply's start, on top of the contents' bytes / 4.\n"
"Directives in the row's user message: [[sleep:MS]] [[status:CODE]]\n"
"[[status-once:CODE]] [[retry-after:S]] [[retry-after-ms:MS]] [[drop]]\n"
"[[drop-once]] [[stall]] [[stall-once]] [[garbage]] [[garbage-once]]\n"
"[[nochoices]] [[null]] [[bytes:N]] [[header:NAME=VALUE]] [[quota]]\n"
"[[too-large]] [[try-again:644ms]] [[truncate]] [[gzip-file:PATH]]\n"
"[[message:TEXT]] (with [[status]]) [[error-200]] [[usage:N]]\n"
"[[finish:REASON]] [[answer:TEXT]] [[reask:FIRST|THEN]] [[refusal:TEXT]]\n"
"[[no-logprobs]] [[logprobs-of:TEXT]] (the logprobs of TEXT, not of the\n"
"answer) [[cached:N]] [[no-usage]] [[no-retry-after]] (a [[status:429]]\n"
"that names no wait) [[as:MODEL=ANSWER@P]]\n"
"(repeatable: the answer to a request for MODEL, its logprobs giving\n"
"probability P)\n"
"The row's message is the first user message; a request holding an\n"
"assistant message is a re-ask, answered THEN by [[reask:]] and counted as\n"
"\"reasks\" in --stats.  \"logprobs\": true gets made-up token logprobs,\n"
"with min(top_logprobs, 5) alternatives each.  TEXT may not hold \"]]\".\n"
"POST .../messages is Anthropic's Messages API (mock_messages.c):\n"
"x-api-key, anthropic-version, its error shape, [[finish:max_tokens]],\n"
"[[blocks]], cache usage for a long system prompt with cache_control.\n");
}

static uint64_t
mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

/*
 * Timers: one per connection and one per HTTP/2 stream at most, in a
 * tree ordered by deadline.
 */

void
timer_init(struct timer *t, struct conn *c, struct stream *s)
{
	t->id = ++timer_ids;
	t->c = c;
	t->s = s;
}

static int
timer_cmp(struct timer *a, struct timer *b)
{
	if (a->deadline != b->deadline)
		return a->deadline < b->deadline ? -1 : 1;
	if (a->id != b->id)
		return a->id < b->id ? -1 : 1;
	return 0;
}

void
timer_del(struct timer *t)
{
	if (t->on) {
		RB_REMOVE(timers, &timers, t);
		t->on = 0;
	}
}

void
timer_set(struct timer *t, uint64_t deadline)
{
	timer_del(t);
	t->deadline = deadline;
	RB_INSERT(timers, &timers, t);
	t->on = 1;
}

static void
timer_fire(struct timer *t)
{
	struct conn *c = t->c;

	timer_del(t);
	if (t->s != NULL) {
		stream_release(t->s);
		conn_run(c);
		return;
	}
	if (c->lingering) {
		conn_close(c);
		return;
	}
	switch (c->wait) {
	case W_SEND:
		c->wait = W_NONE;
		c->out_ready = c->out.len;
		inflight--;
		count_answer();
		conn_run(c);
		break;
	case W_DROP:
		c->wait = W_NONE;
		inflight--;
		count_answer();
		conn_close(c);
		break;
	default:
		break;
	}
}

/* Stop taking new requests; quit once what is owed has been sent. */
static void
drain_start(void)
{
	if (draining)
		return;
	draining = 1;
	drain_end = now_ns + DRAIN_NS;
	if (lfd != -1) {
		epoll_ctl(ep, EPOLL_CTL_DEL, lfd, NULL);
		close(lfd);
		lfd = -1;
	}
}

void
count_answer(void)
{
	answered++;
	if (cfg.max_requests > 0 && answered >= (uint64_t)cfg.max_requests)
		drain_start();
}

/* The loop */

static void
srv_accept(void)
{
	struct epoll_event ev;
	struct conn *c;
	int fd, i, one = 1;

	for (i = 0; i < ACCEPT_BATCH && lfd != -1; i++) {
		fd = accept4(lfd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
		if (fd == -1) {
			if (errno == EINTR || errno == ECONNABORTED)
				continue;
			if (errno == EAGAIN || errno == EWOULDBLOCK)
				return;
			if ((errno == EMFILE || errno == ENFILE) &&
			    spare_fd != -1) {
				/*
				 * Out of descriptors: use the spare one to
				 * take the client and close it, or the
				 * listener would stay ready and spin.
				 */
				warnx("out of file descriptors");
				close(spare_fd);
				if ((fd = accept(lfd, NULL, NULL)) != -1)
					close(fd);
				spare_fd = open("/dev/null",
				    O_RDONLY | O_CLOEXEC);
				continue;
			}
			warn("accept");
			return;
		}
		setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
		if ((c = calloc(1, sizeof(*c))) == NULL)
			err(1, NULL);
		c->fd = fd;
		LIST_INIT(&c->streams);
		timer_init(&c->t, c, NULL);
		ev.events = EPOLLIN | EPOLLOUT | EPOLLRDHUP | EPOLLET;
		ev.data.ptr = c;
		if (epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev) == -1) {
			warn("epoll_ctl");
			close(fd);
			free(c);
			continue;
		}
		LIST_INSERT_HEAD(&conns, c, entry);
		st.connections++;
	}
}

/* True when every connection has sent all that was ready to go. */
static int
drain_done(void)
{
	struct conn *c;

	LIST_FOREACH(c, &conns, entry)
		if (c->out_off < c->out_ready)
			return 0;
	return 1;
}

static int
loop_timeout(void)
{
	struct timer *t;
	uint64_t next = end_ns, ms;

	if ((t = RB_MIN(timers, &timers)) != NULL && t->deadline < next)
		next = t->deadline;
	if (draining && drain_end < next)
		next = drain_end;
	if (next <= now_ns)
		return 0;
	ms = (next - now_ns + MS - 1) / MS;
	return ms > INT_MAX ? INT_MAX : (int)ms;
}

/* Write path via path.tmp and rename(2), so a reader sees all or none. */
static void
write_file(const char *path, const char *text)
{
	char tmp[PATH_MAX];
	FILE *fp;

	if ((size_t)snprintf(tmp, sizeof(tmp), "%s.tmp", path) >= sizeof(tmp))
		errx(1, "%s: path too long", path);
	if ((fp = fopen(tmp, "w")) == NULL) {
		warn("%s", tmp);
		return;
	}
	fputs(text, fp);
	if (fclose(fp) == EOF || rename(tmp, path) == -1)
		warn("%s", path);
}

static void
stats_write(void)
{
	char text[1024];

	snprintf(text, sizeof(text), "{\"requests\":%" PRIu64 ",\"ok\":%"
	    PRIu64 ",\"status_429\":%" PRIu64 ",\"status_5xx\":%" PRIu64
	    ",\"status_4xx\":%" PRIu64 ",\"dropped\":%" PRIu64 ",\"stalled\":%"
	    PRIu64 ",\"garbage\":%" PRIu64 ",\"connections\":%" PRIu64
	    ",\"max_concurrent\":%" PRIu64 ",\"h2_connections\":%" PRIu64
	    ",\"h2_streams\":%" PRIu64 ",\"reasks\":%" PRIu64 ",\"tokens\":%"
	    PRIu64 "}\n",
	    st.requests, st.ok, st.s429, st.s5xx, st.s4xx, st.dropped,
	    st.stalled, st.garbage, st.connections, st.max_concurrent,
	    st.h2_connections, st.h2_streams, st.reasks, st.tokens);
	write_file(cfg.stats_path, text);
}

/* Options and setup */

static long long
opt_num(const char *s, long long min, long long max, const char *name)
{
	const char *errstr;
	long long v;

	v = strtonum(s, min, max, &errstr);
	if (errstr != NULL)
		errx(1, "--%s: %s is %s", name, s, errstr);
	return v;
}

/* A percentage, 0 to 100, fractions allowed (0.5 is one in 200). */
static uint32_t
opt_pct(const char *s, const char *name)
{
	char *end;
	double v;

	errno = 0;
	v = strtod(s, &end);
	if (end == s || *end != '\0' || errno != 0 || !(v >= 0 && v <= 100))
		errx(1, "--%s: %s is not a percentage from 0 to 100", name, s);
	return (uint32_t)(v * (PPM / 100) + 0.5);
}

enum {
	O_PORT_FILE = 256, O_MAX_SECONDS, O_MAX_REQUESTS, O_LATENCY, O_JITTER,
	O_ANSWER, O_SEED, O_FAIL429, O_FAIL500, O_DROP, O_STALL, O_GARBAGE,
	O_RETRY_AFTER, O_RPS, O_RL_HEADERS, O_REQUIRE_KEY, O_REJECT_MODEL,
	O_LOG, O_STATS, O_SERVE_PATH, O_H2_STREAMS, O_RPS_MS, O_SLOTS, O_TPM,
	O_FRAME
};

static const struct option longopts[] = {
	{ "port",		required_argument, NULL, 'p' },
	{ "port-file",		required_argument, NULL, O_PORT_FILE },
	{ "max-seconds",	required_argument, NULL, O_MAX_SECONDS },
	{ "max-requests",	required_argument, NULL, O_MAX_REQUESTS },
	{ "latency",		required_argument, NULL, O_LATENCY },
	{ "jitter",		required_argument, NULL, O_JITTER },
	{ "answer",		required_argument, NULL, O_ANSWER },
	{ "seed",		required_argument, NULL, O_SEED },
	{ "fail-429",		required_argument, NULL, O_FAIL429 },
	{ "fail-500",		required_argument, NULL, O_FAIL500 },
	{ "drop",		required_argument, NULL, O_DROP },
	{ "stall",		required_argument, NULL, O_STALL },
	{ "garbage",		required_argument, NULL, O_GARBAGE },
	{ "retry-after",	required_argument, NULL, O_RETRY_AFTER },
	{ "rps",		required_argument, NULL, O_RPS },
	{ "tpm",		required_argument, NULL, O_TPM },
	{ "ratelimit-headers",	no_argument,	   NULL, O_RL_HEADERS },
	{ "require-key",	required_argument, NULL, O_REQUIRE_KEY },
	{ "reject-model",	required_argument, NULL, O_REJECT_MODEL },
	{ "log",		required_argument, NULL, O_LOG },
	{ "stats",		required_argument, NULL, O_STATS },
	{ "path",		required_argument, NULL, O_SERVE_PATH },
	{ "retry-after-ms",	no_argument,	   NULL, O_RPS_MS },
	{ "h2-streams",		required_argument, NULL, O_H2_STREAMS },
	{ "slots",		required_argument, NULL, O_SLOTS },
	{ "frame-tokens",	required_argument, NULL, O_FRAME },
	{ "help",		no_argument,	   NULL, 'h' },
	{ NULL,			0,		   NULL, 0 }
};

static void
parse_options(int argc, char *argv[])
{
	int ch;

	while ((ch = getopt_long(argc, argv, "hp:", longopts, NULL)) != -1) {
		switch (ch) {
		case 'p':
			cfg.port = (int)opt_num(optarg, 0, 65535, "port");
			break;
		case O_PORT_FILE:
			cfg.port_file = optarg;
			break;
		case O_MAX_SECONDS:
			cfg.max_seconds = opt_num(optarg, 1, 365LL * 86400,
			    "max-seconds");
			break;
		case O_MAX_REQUESTS:
			cfg.max_requests = opt_num(optarg, 0, LLONG_MAX,
			    "max-requests");
			break;
		case O_LATENCY:
			cfg.latency_ms = opt_num(optarg, 0, DELAY_MAX,
			    "latency");
			break;
		case O_JITTER:
			cfg.jitter_ms = opt_num(optarg, 0, DELAY_MAX, "jitter");
			break;
		case O_ANSWER:
			if (strcmp(optarg, "echo") == 0)
				cfg.mode = A_ECHO;
			else if (strcmp(optarg, "hash") == 0)
				cfg.mode = A_HASH;
			else if (strcmp(optarg, "json") == 0)
				cfg.mode = A_JSON;
			else if (strncmp(optarg, "pick:", 5) == 0) {
				cfg.mode = A_PICK;
				cfg.pick = optarg + 5;
			}
			else
				errx(1, "--answer: %s is not echo, hash, json "
				    "or pick:A,B,...", optarg);
			break;
		case O_SEED:
			cfg.seed = (uint64_t)opt_num(optarg, 0, LLONG_MAX,
			    "seed");
			break;
		case O_FAIL429:
			cfg.p429 = opt_pct(optarg, "fail-429");
			break;
		case O_FAIL500:
			cfg.p500 = opt_pct(optarg, "fail-500");
			break;
		case O_DROP:
			cfg.pdrop = opt_pct(optarg, "drop");
			break;
		case O_STALL:
			cfg.pstall = opt_pct(optarg, "stall");
			break;
		case O_GARBAGE:
			cfg.pgarbage = opt_pct(optarg, "garbage");
			break;
		case O_RETRY_AFTER:
			if (!valid_seconds(optarg, strlen(optarg)))
				errx(1, "--retry-after: %s is not a number of "
				    "seconds", optarg);
			cfg.retry_after = optarg;
			break;
		case O_RPS:
			cfg.rps = opt_num(optarg, 1, 100000000, "rps");
			break;
		case O_TPM:
			cfg.tpm = opt_num(optarg, 60, 100000000000LL, "tpm");
			break;
		case O_FRAME:
			cfg.frame = opt_num(optarg, 0, 1000, "frame-tokens");
			break;
		case O_RPS_MS:
			cfg.rps_ms = 1;
			break;
		case O_RL_HEADERS:
			cfg.rl_headers = 1;
			break;
		case O_REQUIRE_KEY:
			cfg.key = optarg;
			break;
		case O_REJECT_MODEL:
			cfg.reject_model = optarg;
			break;
		case O_SERVE_PATH:
			cfg.path = optarg;
			break;
		case O_LOG:
			cfg.log_path = optarg;
			break;
		case O_STATS:
			cfg.stats_path = optarg;
			break;
		case O_H2_STREAMS:
			cfg.h2_streams = (uint32_t)opt_num(optarg, 1, 1000000,
			    "h2-streams");
			break;
		case O_SLOTS:
			cfg.slots = (int)opt_num(optarg, 1, 100000, "slots");
			break;
		case 'h':
			usage(stdout);
			exit(0);
		default:
			usage(stderr);
			exit(1);
		}
	}
	if (optind != argc) {
		usage(stderr);
		exit(1);
	}
	if (cfg.rl_headers && cfg.rps == 0 && cfg.tpm == 0)
		errx(1, "--ratelimit-headers needs --rps or --tpm");
}

static void
srv_listen(void)
{
	struct sockaddr_in sin;
	struct epoll_event ev;
	socklen_t len = sizeof(sin);
	char text[32];
	int one = 1;

	lfd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (lfd == -1)
		err(1, "socket");
	setsockopt(lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_port = htons((uint16_t)cfg.port);
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (bind(lfd, (struct sockaddr *)&sin, sizeof(sin)) == -1)
		err(1, "bind 127.0.0.1:%d", cfg.port);
	/* The kernel caps this at net.core.somaxconn. */
	if (listen(lfd, 65535) == -1)
		err(1, "listen");
	if (getsockname(lfd, (struct sockaddr *)&sin, &len) == -1)
		err(1, "getsockname");
	cfg.port = ntohs(sin.sin_port);

	/* Level-triggered: srv_accept takes a batch and comes back. */
	ev.events = EPOLLIN;
	ev.data.ptr = &listen_tag;
	if (epoll_ctl(ep, EPOLL_CTL_ADD, lfd, &ev) == -1)
		err(1, "epoll_ctl");

	snprintf(text, sizeof(text), "%d\n", cfg.port);
	if (cfg.port_file != NULL)
		write_file(cfg.port_file, text);
	fputs(text, stdout);
	fflush(stdout);
}

static void
srv_setup(void)
{
	struct epoll_event ev;
	struct rlimit rl;
	sigset_t mask;

	/* 10,000 clients need more descriptors than the usual 1024. */
	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max;
		if (setrlimit(RLIMIT_NOFILE, &rl) == -1)
			warn("setrlimit");
	}
	signal(SIGPIPE, SIG_IGN);

	if ((ep = epoll_create1(EPOLL_CLOEXEC)) == -1)
		err(1, "epoll_create1");

	/* Signals come through the loop like any event: no races. */
	sigemptyset(&mask);
	sigaddset(&mask, SIGINT);
	sigaddset(&mask, SIGTERM);
	if (sigprocmask(SIG_BLOCK, &mask, NULL) == -1)
		err(1, "sigprocmask");
	if ((sfd = signalfd(-1, &mask, SFD_NONBLOCK | SFD_CLOEXEC)) == -1)
		err(1, "signalfd");
	ev.events = EPOLLIN;
	ev.data.ptr = &signal_tag;
	if (epoll_ctl(ep, EPOLL_CTL_ADD, sfd, &ev) == -1)
		err(1, "epoll_ctl");

	spare_fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
	h2_callbacks();
	if (cfg.log_path != NULL && (logfp = fopen(cfg.log_path, "a")) == NULL)
		err(1, "%s", cfg.log_path);
}

static void
srv_cleanup(void)
{
	struct conn *c;

	while ((c = LIST_FIRST(&conns)) != NULL) {
		c->wait = W_NONE;
		conn_close(c);
	}
	if (lfd != -1)
		close(lfd);
	close(sfd);
	close(ep);
	if (spare_fd != -1)
		close(spare_fd);
	if (logfp != NULL)
		fclose(logfp);
	h2_cleanup();
	json_cleanup();
	fault_cleanup();
	chat_cleanup();
	messages_free();
	batches_cleanup();
}

int
main(int argc, char *argv[])
{
	struct epoll_event evs[MAXEVENTS];
	struct signalfd_siginfo si;
	struct timer *t;
	int i, n;

	parse_options(argc, argv);
	srv_setup();
	srv_listen();

	now_ns = mono_ns();
	end_ns = now_ns + (uint64_t)cfg.max_seconds * 1000 * MS;
	fault_init();

	while (!quitting) {
		n = epoll_wait(ep, evs, MAXEVENTS, loop_timeout());
		if (n == -1 && errno != EINTR)
			err(1, "epoll_wait");
		now_ns = mono_ns();
		for (i = 0; i < n; i++) {
			if (evs[i].data.ptr == &listen_tag)
				srv_accept();
			else if (evs[i].data.ptr == &signal_tag) {
				while (read(sfd, &si, sizeof(si)) > 0)
					;
				quitting = 1;
			} else
				conn_event(evs[i].data.ptr, evs[i].events);
		}
		while ((t = RB_MIN(timers, &timers)) != NULL &&
		    t->deadline <= now_ns)
			timer_fire(t);
		if (now_ns >= end_ns)
			quitting = 1;
		if (draining && (drain_done() || now_ns >= drain_end))
			quitting = 1;
	}

	srv_cleanup();
	if (cfg.stats_path != NULL)
		stats_write();
	return 0;
}
