/*
 * enrich's process: the descriptors it was given, its limits, and what
 * it lets others see of it.
 */
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>

#include <err.h>
#include <errno.h>
#include <fcntl.h>
#include <unistd.h>

#include "cli.h"
#include "proc.h"

/*
 * Descriptors 0, 1 and 2 that are closed would be taken by the first
 * files opened (stdin by the signal pipe, stdout by --errors): /dev/null
 * takes their place, and a closed stdout, where the rows would go, stops
 * the run.
 */
void
proc_std(void)
{
	int	 fd, closed[3], k;

	for (k = 0; k < 3; k++)
		closed[k] = fcntl(k, F_GETFD) == -1 && errno == EBADF;
	for (k = 0; k < 3; k++)
		if (closed[k] && ((fd = open("/dev/null", O_RDWR)) == -1 ||
		    fd != k))
			_exit(2);	/* nowhere to say why */
	if (closed[STDOUT_FILENO])
		errx(2, "stdout is closed: nowhere to write the rows");
}

/*
 * Writes to a pipe or terminal must not block the loop, but O_NONBLOCK
 * on the descriptor enrich was given would change it for every process
 * that shares it (2>&1 into the same pipe, the shell after enrich exits).
 * So stdout is opened again through /proc: a description of its own,
 * non-blocking.  Where that cannot be done (a socket), writes block.
 */
int
proc_stdout(void)
{
	struct stat	 st, err2;
	int		 fd, flags = 0;

	if (fstat(STDOUT_FILENO, &st) == -1)
		err(2, "stdout");
	if (S_ISREG(st.st_mode))
		return 0;
	if (S_ISFIFO(st.st_mode) && fstat(STDERR_FILENO, &err2) == 0 &&
	    err2.st_dev == st.st_dev && err2.st_ino == st.st_ino)
		flags |= PROC_SHARED;
	if ((fd = open("/proc/self/fd/1", O_WRONLY | O_NONBLOCK | O_NOCTTY |
	    O_CLOEXEC)) == -1) {
		return flags | PROC_BLOCKING;	/* see output_blocking */
	}
	if (dup2(fd, STDOUT_FILENO) == -1)
		err(2, "stdout");
	close(fd);
	return flags;
}

/*
 * Each request in flight may need a socket: raise the open-file limit to
 * what the system allows, and say how many requests that leaves room for
 * (a few descriptors are enrich's own, and libcurl keeps a few spare).
 */
int
proc_nofile(void)
{
	struct rlimit	 rl;
	rlim_t		 n;

	if (getrlimit(RLIMIT_NOFILE, &rl) == -1)
		return MAX_JOBS;
	if (rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max;
		(void)setrlimit(RLIMIT_NOFILE, &rl);
		(void)getrlimit(RLIMIT_NOFILE, &rl);
	}
	n = rl.rlim_cur == RLIM_INFINITY ? MAX_JOBS : rl.rlim_cur;
	n = n > 64 ? n - 64 : 1;
	return n < MAX_JOBS ? (int)n : MAX_JOBS;
}

void
proc_private(void)
{
	/* No core file, nor ptrace by others of this user: the key is in
	 * this process's memory. */
	(void)prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
}
