/*
 * mapfile.c: map or read a file (see mapfile.h).
 */
#include "mapfile.h"

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "xmalloc.h"
#include "banned.h"

static int
read_all(int fd, struct mapfile *mf, size_t max, char *err, size_t errlen)
{
	size_t alloc = 1 << 16, len = 0;
	char *buf = xmalloc(alloc);

	for (;;) {
		ssize_t n;

		if (len == alloc) {
			if (alloc > max) {
				snprintf(
				    err, errlen, "larger than %zu bytes", max);
				free(buf);
				return -1;
			}
			alloc *= 2;
			buf = xrealloc(buf, alloc);
		}
		n = read(fd, buf + len, alloc - len);
		if (n == 0)
			break;
		if (n < 0) {
			if (errno == EINTR)
				continue;
			snprintf(err, errlen, "%s", strerror(errno));
			free(buf);
			return -1;
		}
		len += (size_t)n;
	}
	if (len > max) {
		snprintf(err, errlen, "larger than %zu bytes", max);
		free(buf);
		return -1;
	}
	if (len == 0) {
		free(buf);
		return 0;
	}
	mf->buf = buf;
	mf->len = len;
	return 0;
}

int
mapfile_open(
    struct mapfile *mf, const char *path, size_t max, char *err, size_t errlen)
{
	struct stat st;
	int fd, ret = -1;
	void *p;

	mf->buf = "";
	mf->len = 0;
	mf->mapped = 0;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd == -1) {
		snprintf(err, errlen, "%s", strerror(errno));
		return -1;
	}
	if (fstat(fd, &st) == -1) {
		snprintf(err, errlen, "%s", strerror(errno));
		goto out;
	}
	if (S_ISDIR(st.st_mode)) {
		snprintf(err, errlen, "is a directory");
		goto out;
	}
	if (!S_ISREG(st.st_mode)) {
		ret = read_all(fd, mf, max, err, errlen);
		goto out;
	}
	if ((uint64_t)st.st_size > max) {
		snprintf(err, errlen, "larger than %zu bytes", max);
		goto out;
	}
	if (st.st_size == 0) {
		ret = 0;
		goto out;
	}
	p = mmap(NULL, (size_t)st.st_size, PROT_READ,
	    MAP_PRIVATE | MAP_POPULATE, fd, 0);
	if (p == MAP_FAILED) {
		snprintf(err, errlen, "cannot map: %s", strerror(errno));
		goto out;
	}
	mf->buf = p;
	mf->len = (size_t)st.st_size;
	mf->mapped = 1;
	ret = 0;
out:
	close(fd);
	return ret;
}

void
mapfile_close(struct mapfile *mf)
{
	if (mf->mapped)
		munmap((void *)(uintptr_t)mf->buf, mf->len);
	else if (mf->len)
		free((void *)(uintptr_t)mf->buf);
	mf->buf = "";
	mf->len = 0;
	mf->mapped = 0;
}
