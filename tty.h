/*
 * The terminal: the progress line on stderr, and every message, which
 * first wipes the progress line so that it starts on a clean line.  This
 * is program code, the one place besides cli.c that writes to stderr.
 *
 * Not here: what the line says (lib/progress.h, lib/stats.h).
 */
#ifndef ENRICH_TTY_H
#define ENRICH_TTY_H

#include <signal.h>
#include <stdint.h>

#include "lib/sched.h"
#include "lib/seen.h"
#include "lib/stats.h"

/* A progress line is on the screen: a signal handler may wipe it. */
extern volatile sig_atomic_t tty_shown;

/*
 * Show progress if asked (1), or by default (-1) where someone watches:
 * stderr is a terminal and this process is in its foreground (not
 * `enrich ... &`), unless quiet.  Sets st->bytes_total when stdin is a
 * file, for an estimate of the rows to come.
 */
void		 tty_setup(int, int, struct stats *);
int		 tty_progress(void);
/* Draw the line, at most ten times a second; and when next. */
void		 tty_draw(const struct stats *, long long);
long long	 tty_next_draw(long long);
/* Draw this line instead (--batch-api's), as often. */
void		 tty_draw_text(const char *, long long);
/* warnx, on a clean line. */
void		 say(const char *, ...)
		    __attribute__((format(printf, 1, 2)));
/* What the scheduler has to say, said as -v or -q asked (1, -1). */
void		 tty_notice(const struct sched_notice *, int);
/*
 * The IDs that came more than once: a line for each of the first few,
 * "duplicate ID alrt-0011: 3 rows have it, each done and written on its
 * own", then one with how many more.
 */
void		 tty_duplicates(const struct seen *);
/* How an interrupted run ended, for its last line. */
struct tty_stop {
	int		 sig;		/* SIGINT, SIGTERM or SIGHUP */
	int		 twice;		/* a second signal: lines queued and
					 * rows in flight lost, uncounted */
	uint64_t	 lost;		/* rows in flight when the grace period
					 * ended: not written */
	int		 all_read;	/* the input was read to its end */
};
/*
 * The last line of an interrupted run, whatever -q says: what was written,
 * what was not, and the command that resumes it, from argv (the values of
 * -H headers that look secret, and user:password@ in a URL, hidden) with
 * --skip-ids naming the output file and the same redirections.
 */
void		 tty_interrupted(const struct tty_stop *, const struct stats *,
		    int, char *const []);
/* Wipe the line, for good or before writing elsewhere. */
void		 tty_clear(void);
void		 tty_free(void);

#endif
