#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "fdio.h"

int
fdio_open(const char *path, int flags, off_t len, char *err, size_t errlen)
{
	int	 fd;

	if ((fd = open(path, flags | O_CLOEXEC, 0666)) == -1 ||
	    (len >= 0 && ftruncate(fd, len) == -1)) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		if (fd != -1)
			close(fd);
		return -1;
	}
	return fd;
}

int
fdio_write(int fd, const char *p, size_t len)
{
	ssize_t	 n;

	while (len > 0) {
		if ((n = write(fd, p, len)) == -1) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		p += n;
		len -= n;
	}
	return 0;
}
