/*
 * The floor for any libcurl client: a minimal multi loop that POSTs
 * pre-built bodies (one per input line) with a window of W, using the
 * same socket-callback-and-epoll design as enrich, and discards the
 * answers.  No JSON, no templates, no output: what is left is libcurl and
 * the kernel.
 *
 * usage: curl_multi URL W < bodies
 */
#include <sys/epoll.h>

#include <err.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <curl/curl.h>

static int		 epfd;
static long long	 deadline = -1;

static long long
now_ms(void)
{
	struct timespec	 ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int
sock_cb(CURL *e, curl_socket_t s, int what, void *u, void *sp)
{
	struct epoll_event	 ev = { 0 };

	(void)e;
	(void)u;
	if (what == CURL_POLL_REMOVE) {
		epoll_ctl(epfd, EPOLL_CTL_DEL, s, NULL);
		return 0;
	}
	ev.events = (what & CURL_POLL_IN ? EPOLLIN : 0) |
	    (what & CURL_POLL_OUT ? EPOLLOUT : 0);
	ev.data.fd = s;
	if (epoll_ctl(epfd, EPOLL_CTL_MOD, s, &ev) == -1)
		epoll_ctl(epfd, EPOLL_CTL_ADD, s, &ev);
	(void)sp;
	return 0;
}

static int
timer_cb(CURLM *m, long t, void *u)
{
	(void)m;
	(void)u;
	deadline = t < 0 ? -1 : now_ms() + t;
	return 0;
}

static size_t
discard(char *p, size_t s, size_t n, void *u)
{
	(void)p;
	(void)u;
	return s * n;
}

int
main(int argc, char *argv[])
{
	struct epoll_event	 ev[256];
	struct curl_slist	*h = NULL;
	struct CURLMsg		*msg;
	CURLM			*m;
	CURL			**idle;
	char			**bodies = NULL, *line = NULL;
	size_t			 nb = 0, cap = 0, next = 0, done = 0, lcap = 0;
	ssize_t			 len;
	long long		 t;
	int			 w, nidle, i, n, running;

	if (argc != 3)
		errx(2, "usage: curl_multi URL W < bodies");
	w = atoi(argv[2]);
	while ((len = getline(&line, &lcap, stdin)) > 0) {
		if (nb == cap && (bodies = reallocarray(bodies,
		    cap = cap ? 2 * cap : 1024, sizeof(*bodies))) == NULL)
			err(1, NULL);
		line[len - 1] = '\0';
		bodies[nb++] = strdup(line);
	}
	curl_global_init(CURL_GLOBAL_DEFAULT);
	epfd = epoll_create1(0);
	m = curl_multi_init();
	curl_multi_setopt(m, CURLMOPT_SOCKETFUNCTION, sock_cb);
	curl_multi_setopt(m, CURLMOPT_TIMERFUNCTION, timer_cb);
	curl_multi_setopt(m, CURLMOPT_MAXCONNECTS, (long)w);
	h = curl_slist_append(h, "Content-Type: application/json");
	h = curl_slist_append(h, "Expect:");
	idle = calloc(w, sizeof(*idle));
	for (nidle = 0; nidle < w; nidle++) {
		idle[nidle] = curl_easy_init();
		curl_easy_setopt(idle[nidle], CURLOPT_URL, argv[1]);
		curl_easy_setopt(idle[nidle], CURLOPT_HTTPHEADER, h);
		curl_easy_setopt(idle[nidle], CURLOPT_WRITEFUNCTION, discard);
		curl_easy_setopt(idle[nidle], CURLOPT_NOSIGNAL, 1L);
	}
	while (done < nb) {
		while (nidle > 0 && next < nb) {
			CURL *e = idle[--nidle];

			curl_easy_setopt(e, CURLOPT_POSTFIELDS, bodies[next++]);
			curl_multi_add_handle(m, e);
		}
		t = deadline < 0 ? 1000 : deadline - now_ms();
		n = epoll_wait(epfd, ev, 256, t < 0 ? 0 : (int)t);
		for (i = 0; i < n; i++)
			curl_multi_socket_action(m, ev[i].data.fd,
			    (ev[i].events & EPOLLIN ? CURL_CSELECT_IN : 0) |
			    (ev[i].events & EPOLLOUT ? CURL_CSELECT_OUT : 0),
			    &running);
		if (deadline >= 0 && now_ms() >= deadline) {
			deadline = -1;
			curl_multi_socket_action(m, CURL_SOCKET_TIMEOUT, 0,
			    &running);
		}
		while ((msg = curl_multi_info_read(m, &n)) != NULL) {
			if (msg->msg != CURLMSG_DONE)
				continue;
			curl_multi_remove_handle(m, msg->easy_handle);
			idle[nidle++] = msg->easy_handle;
			done++;
		}
	}
	printf("%zu requests\n", done);
	return 0;
}
