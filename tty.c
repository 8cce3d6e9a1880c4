/*
 * enrich's terminal: the progress line and messages.
 */
#include <sys/ioctl.h>
#include <sys/stat.h>

#include <err.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <termios.h>
#include <unistd.h>

#include "lib/progress.h"
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

void
say(const char *fmt, ...)
{
	va_list	 ap;

	tty_clear();
	va_start(ap, fmt);
	vwarnx(fmt, ap);
	va_end(ap);
}

void
tty_free(void)
{
	progress_free(progress);
	progress = NULL;
}
