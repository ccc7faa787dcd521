/*
 * mapfile: a whole file in memory, read-only. Regular files are mapped
 * (and faulted in up front); anything else (a pipe, a process
 * substitution) is read, up to a limit.
 */
#ifndef MAPFILE_H
#define MAPFILE_H

#include <stddef.h>

struct mapfile {
	const char *buf; /* "" for an empty file */
	size_t len;
	int mapped;
};

/*
 * Open path into mf, refusing directories and more than max bytes.
 * Returns 0, or -1 with a message (no path in it) in err.
 */
int mapfile_open(
    struct mapfile *mf, const char *path, size_t max, char *err, size_t errlen);

void mapfile_close(struct mapfile *mf);

#endif /* MAPFILE_H */
