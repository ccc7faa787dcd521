/*
 * fake_file.c: see fake_file.h.
 */
#include "fake_file.h"

#include <errno.h>
#include <fcntl.h>
#include <unistd.h>

#include "banned.h"

int
fake_file_read(const char *path, struct strbuf *out)
{
	char chunk[65536];
	int fd, ret = -1, saved;
	ssize_t n;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	for (;;) {
		n = read(fd, chunk, sizeof(chunk));
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			goto out;
		if (n == 0)
			break;
		if (strbuf_add(out, chunk, (size_t)n) == -1) {
			errno = EFBIG;
			goto out;
		}
	}
	ret = 0;
out:
	saved = errno;
	close(fd);
	errno = saved;
	return ret;
}
