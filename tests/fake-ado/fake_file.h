/*
 * fake_file: read a fixture file whole.
 */
#ifndef FAKE_FILE_H
#define FAKE_FILE_H

#include "strbuf.h"

/*
 * Append the content of path to out (bounded by its ceiling). Returns 0,
 * or -1 with errno set (ENOENT for a missing file, EFBIG past the
 * ceiling).
 */
int fake_file_read(const char *path, struct strbuf *out);

#endif /* FAKE_FILE_H */
