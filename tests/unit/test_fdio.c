#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check.h"
#include "fdio.h"

int
main(void)
{
	char		 dir[] = "/tmp/test_fdio.XXXXXX", path[128], err[256];
	char		 back[16];
	struct stat	 st;
	int		 fd, p[2];

	CHECK(mkdtemp(dir) != NULL);
	snprintf(path, sizeof(path), "%s/spool.0", dir);

	/* Made, written whole, and read back. */
	fd = fdio_open(path, O_WRONLY | O_CREAT, 0, err, sizeof(err));
	CHECK(fd != -1);
	CHECK(fcntl(fd, F_GETFD) & FD_CLOEXEC);
	CHECK(fdio_write(fd, "abcdefgh", 8) == 0);
	CHECK(fdio_write(fd, "", 0) == 0);
	close(fd);
	CHECK(stat(path, &st) == 0 && st.st_size == 8);

	/* Cut back to what was committed; a negative length leaves it. */
	fd = fdio_open(path, O_WRONLY, 3, err, sizeof(err));
	CHECK(fd != -1);
	close(fd);
	CHECK(stat(path, &st) == 0 && st.st_size == 3);
	fd = fdio_open(path, O_RDONLY, -1, err, sizeof(err));
	CHECK(fd != -1);
	CHECK(read(fd, back, sizeof(back)) == 3 && memcmp(back, "abc", 3) == 0);
	close(fd);

	/* A failure names the path and why. */
	snprintf(path, sizeof(path), "%s/none/spool.0", dir);
	CHECK(fdio_open(path, O_RDONLY, -1, err, sizeof(err)) == -1);
	CHECK(strstr(err, path) != NULL);
	CHECK(strstr(err, strerror(ENOENT)) != NULL);

	/* A write that cannot go anywhere is -1 with errno. */
	signal(SIGPIPE, SIG_IGN);
	CHECK(pipe(p) == 0);
	close(p[0]);
	errno = 0;
	CHECK(fdio_write(p[1], "x", 1) == -1 && errno == EPIPE);
	close(p[1]);

	snprintf(path, sizeof(path), "%s/spool.0", dir);
	unlink(path);
	rmdir(dir);
	return check_done("test_fdio");
}
