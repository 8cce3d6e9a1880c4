/*
 * enrich's terminal: the progress line and messages (the command that
 * resumes an interrupted run is resume.c's).
 */
#include <sys/ioctl.h>

#include <err.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>
#define LIBBSD_OPENBSD_VIS	/* strnvis as OpenBSD has it; unused */
#include <vis.h>

#include "lib/buf.h"
#include "lib/clock.h"
#include "lib/progress.h"
#include "lib/rows.h"
#include "lib/sched.h"
#include "lib/verdict.h"
#include "resume.h"
#include "tty.h"

#define REDRAW_MS	100	/* the progress line, at most 10 times a second */

volatile sig_atomic_t	 tty_shown;

static struct progress	*progress;	/* NULL: none shown */
static int		 width = 80;
static long long	 next_draw;

void
tty_setup(int want, int verbose, struct stats *st)
{
	struct winsize	 ws;
	struct stat	 sb;
	off_t		 at;

	if (want == 0 || (want < 0 && (verbose < 0 ||
	    !isatty(STDERR_FILENO) ||
	    tcgetpgrp(STDERR_FILENO) != getpgrp())))
		return;
	if ((progress = progress_new()) == NULL)
		err(2, NULL);
	if (ioctl(STDERR_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 20)
		width = ws.ws_col;
	/* From a file, the total can be estimated from bytes read. */
	if (fstat(STDIN_FILENO, &sb) == 0 && S_ISREG(sb.st_mode) &&
	    (at = lseek(STDIN_FILENO, 0, SEEK_CUR)) != -1 && sb.st_size > at)
		st->bytes_total = sb.st_size - at;
}

int
tty_progress(void)
{
	return progress != NULL;
}

void
tty_draw(const struct stats *st, long long now)
{
	char	 line[512];

	if (progress == NULL || now < next_draw)
		return;
	next_draw = now + REDRAW_MS;
	progress_line(progress, st, now, line, sizeof(line), width - 1);
	fprintf(stderr, "\r%s\033[K", line);
	tty_shown = 1;
}

void
tty_draw_text(const char *line, long long now)
{
	if (progress == NULL || now < next_draw)
		return;
	next_draw = now + REDRAW_MS;
	fprintf(stderr, "\r%.*s\033[K", width - 1, line);
	tty_shown = 1;
}

long long
tty_next_draw(long long now)
{
	if (progress == NULL)
		return -1;
	return next_draw > now ? next_draw - now : 0;
}

void
tty_clear(void)
{
	if (progress != NULL && tty_shown) {
		fputs("\r\033[K", stderr);
		tty_shown = 0;
	}
}

/*
 * Control characters, C0 and C1, as vis(3) writes them (\033, \r): a
 * server's message must not retitle the terminal or forge a status line.
 * Other bytes stay, so UTF-8 text reads as it was written.
 */
static void
defang(char *dst, size_t len, const char *src)
{
	const unsigned char	*s = (const unsigned char *)src;
	char			 v[16];
	size_t			 n = 0, k;
	int			 c1;

	for (; *s != '\0' && n + 1 < len; s++) {
		c1 = s[0] == 0xc2 && s[1] >= 0x80 && s[1] <= 0x9f;
		if (*s >= 0x20 && *s != 0x7f && !c1) {
			dst[n++] = *s;
			continue;
		}
		vis(v, c1 ? *++s : *s, VIS_CSTYLE | VIS_OCTAL | VIS_TAB | VIS_NL,
		    0);
		for (k = 0; v[k] != '\0' && n + 1 < len; k++)
			dst[n++] = v[k];
	}
	dst[n] = '\0';
}

/*
 * As warnx, but in one write(2): with 2>&1 the rows share the pipe, and
 * stdio's three writes (name, message, newline) would let a row in
 * between.
 */
void
say(const char *fmt, ...)
{
	char	 msg[2048], safe[4 * sizeof(msg)], line[sizeof(safe) + 64];
	va_list	 ap;
	int	 n;

	tty_clear();
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	defang(safe, sizeof(safe), msg);
	n = snprintf(line, sizeof(line), "%s: %s\n", getprogname(), safe);
	if (n > (int)sizeof(line) - 1)
		n = sizeof(line) - 1;
	fflush(stderr);
	(void)write(STDERR_FILENO, line, n);
}

/* As say, for a message of any length (a command line to copy). */
static void
say_all(const char *msg)
{
	size_t	 len = strlen(getprogname()) + 4 * strlen(msg) + 4;
	char	*line;
	int	 n;

	if ((line = malloc(len)) == NULL) {
		say("%s", msg);
		return;
	}
	tty_clear();
	n = snprintf(line, len, "%s: ", getprogname());
	defang(line + n, len - n - 1, msg);
	n = strlen(line);
	line[n++] = '\n';
	fflush(stderr);
	(void)write(STDERR_FILENO, line, n);
	free(line);
}

void
tty_free(void)
{
	progress_free(progress);
	progress = NULL;
}

/* What went wrong with a row, as "HTTP 400: message" or "timeout: ...". */
static const char *
cause(const struct row *r, char *buf, size_t len)
{
	if (r->error == ROW_ERR_HTTP)
		snprintf(buf, len, "HTTP %ld: %.*s", r->status, (int)r->msg.len,
		    r->msg.data);
	else
		snprintf(buf, len, "%s: %.*s", rows_error_name(r->error),
		    (int)r->msg.len, r->msg.data);
	return buf;
}

/* What the row's last attempt brought: "HTTP 503" or libcurl's words. */
static const char *
attempt(const struct row *r, char *buf, size_t len)
{
	if (r->xfer.result == XFER_RESPONSE)
		snprintf(buf, len, "HTTP %ld", r->xfer.status);
	else
		snprintf(buf, len, "%s", r->xfer.error);
	return buf;
}

/* A time of the monotonic clock (clock_ms) as the wall clock's HH:MM:SS. */
static const char *
wall(long long when, char *buf, size_t len)
{
	time_t		 t = time(NULL) + (when - clock_ms() + 500) / 1000;
	struct tm	 tm;

	if (localtime_r(&t, &tm) == NULL || strftime(buf, len, "%H:%M:%S",
	    &tm) == 0)
		snprintf(buf, len, "?");
	return buf;
}

/* Append to a message, after a separator unless it is the first part. */
static void
part(char *buf, size_t len, const char *sep, const char *fmt, ...)
{
	size_t	 n = strlen(buf);
	va_list	 ap;

	if (n >= len - 1)
		return;
	if (n > 0 && sep != NULL)
		n += strlcpy(buf + n, sep, len - n);
	if (n >= len - 1)
		return;
	va_start(ap, fmt);
	vsnprintf(buf + n, len - n, fmt, ap);
	va_end(ap);
}

/*
 * "2 rows waiting, nothing written for 5 s: 1 refused with 429 (refusals
 * 3 of --max-429 10; all given up at 14:12:05 by --stall-timeout unless a
 * row succeeds first); 1 to retry after an error (retries 2 of -r 5);
 * next try in 0.8 s".
 */
static void
say_waiting(const struct sched_waiting *w, long long quiet)
{
	char		 msg[1024] = "", at[16];
	long long	 now = clock_ms();

	if (w->refused > 0 && w->max_429 > 0)
		part(msg, sizeof(msg), "; ", "%zu refused with 429 (refusals "
		    "%d of --max-429 %d; all given up at %s by --stall-timeout "
		    "unless a row succeeds first)", w->refused, w->refusals,
		    w->max_429, wall(w->stall_end, at, sizeof(at)));
	else if (w->refused > 0)
		part(msg, sizeof(msg), "; ", "%zu refused with 429 (all given "
		    "up at %s by --stall-timeout unless a row succeeds first)",
		    w->refused, wall(w->stall_end, at, sizeof(at)));
	if (w->retrying > 0)
		part(msg, sizeof(msg), "; ", "%zu to retry after an error "
		    "(retries %d of -r %d)", w->retrying, w->retries,
		    w->max_retries);
	if (w->held >= 0)
		part(msg, sizeof(msg), "; ", "the next request held by pacing "
		    "until %s (the server's announced limits, or --rpm/--tpm)",
		    wall(w->held, at, sizeof(at)));
	if (w->budget)
		part(msg, sizeof(msg), "; ", "the next request waits for "
		    "the requests in flight to settle what they cost "
		    "(--max-cost)");
	if (w->grace_end >= 0)
		part(msg, sizeof(msg), "; ", "interrupted: all given up at %s "
		    "(--grace)", wall(w->grace_end, at, sizeof(at)));
	if (w->next >= 0 && w->next > now + 50)
		part(msg, sizeof(msg), "; ", "next try in %.1f s",
		    (w->next - now) / 1000.0);
	else if (w->next >= 0)
		part(msg, sizeof(msg), "; ", "next try now");
	if (w->rows > 0)
		say("%zu row%s waiting, nothing written for %lld s: %s",
		    w->rows, w->rows == 1 ? "" : "s", quiet / 1000, msg);
	else
		say("waiting, nothing written for %lld s: %s", quiet / 1000,
		    msg);
}

void
tty_notice(const struct sched_notice *n, int v)
{
	const struct row	*r = n->row;
	char			 buf[1024];

	switch (n->what) {
	case SCHED_FAILED:
		if (v >= 0)
			say("row %.*s: %s", (int)r->id.len, r->id.data,
			    cause(r, buf, sizeof(buf)));
		break;
	case SCHED_RETRY:
		if (v > 0 && n->verdict->wait == VERDICT_REASK)
			say("row %.*s: %.*s; asking again", (int)r->id.len,
			    r->id.data, (int)r->msg.len, r->msg.data);
		else if (v > 0)
			say("row %.*s: %s; %s %.1f s", (int)r->id.len,
			    r->id.data, cause(r, buf, sizeof(buf)),
			    n->verdict->wait == VERDICT_HOLD ?
			    "rate limited, all wait" :
			    n->verdict->wait == VERDICT_RATE ?
			    "rate limited, retry in" : "retry in",
			    n->verdict->delay / 1000.0);
		break;
	case SCHED_PACED:
		if (v > 0 && n->verdict->tokens)
			say("rate limited on tokens a minute: pacing new "
			    "requests by their tokens from now on");
		else if (v > 0)
			say("rate limited: pacing new requests from now on");
		break;
	case SCHED_STOP:
		/* About the run, not the row: no row ID. */
		say("%s", cause(r, buf, sizeof(buf)));
		say("stopped; the rows not written can be resumed with "
		    "--skip-ids");
		break;
	case SCHED_HELD:
		if (v >= 0)
			say("pacing holds the next request for %.0f s (the "
			    "server's announced limits, or --rpm/--tpm)",
			    n->ms / 1000.0);
		break;
	case SCHED_INPUT:
		if (v >= 0)
			say("row %.*s: %s", (int)r->id.len, r->id.data, n->text);
		break;
	case SCHED_ASIDE:
		if (v > 0)
			say("%s set aside for %.1f s: %s", n->text, n->ms / 1000.0,
			    attempt(r, buf, sizeof(buf)));
		break;
	case SCHED_BACK:
		if (v > 0)
			say("%s taken back", n->text);
		break;
	case SCHED_GONE:
		/* Not a passing failure: someone has a key to fix. */
		if (v >= 0)
			say("%s: HTTP 401, the API key refused: set aside for "
			    "the rest of the run; the other endpoints go on",
			    n->text);
		break;
	case SCHED_CACHE:
		/* Once: the answers are still written, only not kept. */
		if (v >= 0)
			say("--cache: %s: answers are not kept", n->text);
		break;
	case SCHED_ANSWER:
		if (v > 0)
			say("%s", n->text);
		break;
	case SCHED_ESCALATE:
		if (v > 0)
			say("row %.*s: %s", (int)r->id.len, r->id.data,
			    n->text);
		break;
	case SCHED_WAITING:
		if (v >= 0)
			say_waiting(n->waiting, n->ms);
		break;
	case SCHED_STALLED:
		say("the server's rate limit budget is spent and comes back "
		    "in %.0f s, more than --max-wait", n->ms / 1000.0);
		say("stopped; the rows not written can be resumed with "
		    "--skip-ids");
		break;
	}
}

void
tty_interrupted(const struct tty_stop *stop, const struct stats *st,
    int argc, char *const argv[])
{
	struct buf	 b = { 0 };
	char		 head[512];
	const char	*sig = stop->sig == SIGINT ? "SIGINT" :
			    stop->sig == SIGTERM ? "SIGTERM" : "SIGHUP";

	if (stop->twice)
		snprintf(head, sizeof(head), "interrupted twice (%s): rows "
		    "in flight and lines not yet written are lost; resume "
		    "with:", sig);
	else {
		snprintf(head, sizeof(head), "interrupted (%s): %llu row%s "
		    "written", sig, (unsigned long long)(st->ok + st->failed),
		    st->ok + st->failed == 1 ? "" : "s");
		if (st->failed > 0)
			part(head, sizeof(head), NULL, " (%llu answered, %llu "
			    "failed: a resume does those again)",
			    (unsigned long long)st->ok,
			    (unsigned long long)st->failed);
		if (stop->lost > 0)
			part(head, sizeof(head), "; ", "%llu in flight not "
			    "written", (unsigned long long)stop->lost);
		part(head, sizeof(head), "; ", "%s; resume with:",
		    stop->all_read ? "all the input read" :
		    "the rest of the input not read");
	}
	if (buf_adds(&b, head) == -1 || buf_addc(&b, ' ') == -1 ||
	    resume_command(&b, argc, argv) == -1) {
		say("%s --skip-ids on the output", head);
		buf_free(&b);
		return;
	}
	say_all(b.data);
	buf_free(&b);
}

void
tty_duplicates(const struct seen *s)
{
	const struct seen_dup	*d;
	uint64_t		 ids, rows, done;
	size_t			 k;
	int			 n;

	for (k = 0; (d = seen_dup(s, k)) != NULL; k++) {
		n = d->len > 100 ? 100 : (int)d->len;
		done = d->rows - d->skipped;
		if (d->skipped == 0)
			say("duplicate ID %.*s: %llu rows have it, each done "
			    "and written on its own", n, d->id,
			    (unsigned long long)d->rows);
		else if (done == 0)
			say("duplicate ID %.*s: %llu rows have it, all done "
			    "before (--skip-ids)", n, d->id,
			    (unsigned long long)d->rows);
		else
			say("duplicate ID %.*s: %llu rows have it; %llu done "
			    "before (--skip-ids), %s done and written on its "
			    "own", n, d->id, (unsigned long long)d->rows,
			    (unsigned long long)d->skipped, done == 1 ?
			    "the other" : "each other");
	}
	seen_more(s, &ids, &rows);
	if (ids > 0)
		say("and %llu more duplicate ID%s, %llu rows in all",
		    (unsigned long long)ids, ids == 1 ? "" : "s",
		    (unsigned long long)rows);
	if (seen_full(s) > 0)
		say("duplicate IDs: the last %llu rows were checked only "
		    "against the first %d IDs", (unsigned long long)seen_full(s),
		    SEEN_SLOTS / 4 * 3);
}
