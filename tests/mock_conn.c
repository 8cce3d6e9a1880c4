/*
 * mock_conn.c: a connection's life, whichever protocol it speaks: reading
 * and writing its socket (edge-triggered), telling HTTP/1.1 from HTTP/2
 * by the first bytes, and closing, with a linger when the client may
 * still be sending.  conn_run drives it as far as it can go each time
 * epoll or a timer wakes it.
 */

#include <sys/epoll.h>
#include <sys/socket.h>

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <nghttp2/nghttp2.h>

#include "mock.h"

#define IN_INIT		(16 * 1024)
#define LINGER_NS	(2000 * MS)
#define H2_PREFACE	"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"
#define H2_PREFACE_LEN	24

void
conn_close(struct conn *c)
{
	struct stream *s;

	timer_del(&c->t);
	if (c->wait != W_NONE)
		inflight--;
	/* nghttp2_session_del calls no on_stream_close: free them here. */
	while ((s = LIST_FIRST(&c->streams)) != NULL)
		stream_free(s);
	nghttp2_session_del(c->h2);
	LIST_REMOVE(c, entry);
	close(c->fd);
	buf_free(&c->in);
	buf_free(&c->out);
	free(c);
}

/*
 * Read what there is.  With edge-triggered epoll a short read means the
 * socket is empty (nginx assumes so too), which saves a read() that
 * would fail with EAGAIN on every request.  The buffer grows only for
 * the request being read, so a client that pipelines without end is held
 * back by TCP, not by memory.
 */
static int
conn_read(struct conn *c)
{
	size_t room, have, want;
	ssize_t n;
	int progress = 0;

	for (;;) {
		if (c->in_off > 0 && c->in.len == c->in.cap) {
			memmove(c->in.p, c->in.p + c->in_off,
			    c->in.len - c->in_off);
			c->in.len -= c->in_off;
			c->in_off = 0;
		}
		if ((room = c->in.cap - c->in.len) == 0) {
			have = c->in.len - c->in_off;
			want = c->h.len != 0 ? c->h.len + c->h.body_len :
			    HEAD_MAX + 1;
			if (c->wait != W_NONE || have >= want)
				return progress;
			buf_reserve(&c->in, c->in.cap == 0 ? IN_INIT :
			    want - have);
			room = c->in.cap - c->in.len;
		}
		n = read(c->fd, c->in.p + c->in.len, room);
		if (n > 0) {
			c->in.len += (size_t)n;
			progress = 1;
			/* After a FIN, only read() returning 0 says so. */
			if ((size_t)n < room && !c->rdhup) {
				c->readable = 0;
				return 1;
			}
		} else if (n == 0) {
			c->eof = 1;
			c->readable = 0;
			return 1;
		} else if (errno == EAGAIN || errno == EWOULDBLOCK) {
			c->readable = 0;
			return progress;
		} else if (errno != EINTR)
			return -1;
	}
}

/* After shutdown(SHUT_WR): throw input away until the client's FIN. */
static int
conn_discard(struct conn *c)
{
	static char sink[65536];
	ssize_t n;

	for (;;) {
		n = read(c->fd, sink, sizeof(sink));
		if (n > 0)
			continue;
		if (n == 0) {
			c->eof = 1;
			return 0;
		}
		if (errno == EAGAIN || errno == EWOULDBLOCK) {
			c->readable = 0;
			return 0;
		}
		if (errno != EINTR)
			return -1;
	}
}

static int
conn_write(struct conn *c)
{
	size_t len;
	ssize_t n;
	int progress = 0;

	while (c->writable && c->out_off < c->out_ready) {
		len = c->out_ready - c->out_off;
		n = send(c->fd, c->out.p + c->out_off, len, MSG_NOSIGNAL);
		if (n > 0) {
			c->out_off += (size_t)n;
			progress = 1;
			if ((size_t)n < len)
				c->writable = 0;
		} else if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			c->writable = 0;
		else if (n < 0 && errno != EINTR)
			return -1;
	}
	if (c->out_off == c->out.len) {
		c->out_off = c->out_ready = c->out.len = 0;
		if (c->out.cap > BUF_KEEP)
			buf_free(&c->out);
	}
	return progress;
}

/*
 * Close in two steps, so that a client still sending (a head too large,
 * pipelined requests) gets the answer rather than a reset that would
 * destroy it: shut our side, then read until its FIN or a timeout.
 */
static void
conn_linger(struct conn *c)
{
	if (c->eof || shutdown(c->fd, SHUT_WR) == -1) {
		conn_close(c);
		return;
	}
	c->lingering = 1;
	c->in_off = c->in.len = 0;
	timer_set(&c->t, now_ns + LINGER_NS);
	if (conn_discard(c) == -1 || c->eof)
		conn_close(c);
}

/*
 * Tell the protocol by the first bytes: the HTTP/2 preface, or anything
 * else, which is HTTP/1.1.  Returns 1 once it is known, 0 while the bytes
 * so far are a prefix of the preface, -1 if HTTP/2 failed at once.
 */
static int
conn_detect(struct conn *c)
{
	size_t n = c->in.len < H2_PREFACE_LEN ? c->in.len : H2_PREFACE_LEN;

	if (n == 0 && !c->eof)
		return 0;
	if (n == 0 || memcmp(c->in.p, H2_PREFACE, n) != 0 ||
	    (n < H2_PREFACE_LEN && c->eof)) {
		c->proto = P_H1;
		return 1;
	}
	if (n < H2_PREFACE_LEN)
		return 0;
	return h2_start(c) == -1 ? -1 : 1;
}

/* Move c as far as it can go now, then see whether it is finished. */
void
conn_run(struct conn *c)
{
	int progress, r;

	if (c->lingering) {
		if (c->readable && (conn_discard(c) == -1 || c->eof))
			conn_close(c);
		return;
	}
	do {
		progress = 0;
		if (c->proto == P_H2) {
			if (c->readable && !c->eof && !c->closing) {
				if ((r = h2_read(c)) == -1) {
					conn_close(c);
					return;
				}
				progress |= r;
			}
			if ((r = h2_flush(c)) == -1) {
				conn_close(c);
				return;
			}
			progress |= r;
		} else {
			if (c->readable && !c->eof && !c->closing) {
				if ((r = conn_read(c)) == -1) {
					conn_close(c);
					return;
				}
				progress |= r;
			}
			if (c->proto == P_NEW) {
				if ((r = conn_detect(c)) == -1) {
					conn_close(c);
					return;
				}
				progress |= r;
			}
			while (c->proto == P_H1 && conn_parse(c))
				progress = 1;
		}
		if (c->writable && c->out_off < c->out_ready) {
			if ((r = conn_write(c)) == -1) {
				conn_close(c);
				return;
			}
			progress |= r;
		}
	} while (progress);

	if (c->proto == P_H2) {
		if (c->out_off < c->out.len)
			return;
		/* Both off: GOAWAY was sent or received and all is done. */
		if (c->closing || (!nghttp2_session_want_read(c->h2) &&
		    !nghttp2_session_want_write(c->h2)))
			conn_linger(c);
		else if (c->eof && !h2_waiting(c))
			conn_close(c);
		return;
	}
	if (c->wait == W_STALL) {
		if (c->eof || c->rdhup)
			conn_close(c);
		return;
	}
	if (c->wait != W_NONE || c->out_off < c->out.len)
		return;
	if (c->closing)
		conn_linger(c);
	else if (c->eof)
		conn_close(c);
}

void
conn_event(struct conn *c, uint32_t ev)
{
	/* A reset, or both ways shut: nothing can reach the client now. */
	if (ev & (EPOLLERR | EPOLLHUP)) {
		conn_close(c);
		return;
	}
	if (ev & EPOLLIN)
		c->readable = 1;
	if (ev & EPOLLOUT)
		c->writable = 1;
	if (ev & EPOLLRDHUP)
		c->rdhup = 1;
	conn_run(c);
}
