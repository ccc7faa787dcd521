/*
 * fake_path: URL path segments, split for routing and escaped for links.
 */
#ifndef FAKE_PATH_H
#define FAKE_PATH_H

#include <stddef.h>

/*
 * Split path in place at '/', dropping empty segments, into seg (at most
 * max). Returns 0, or -1 when there are more than max segments.
 */
int fake_path_split(char *path, char **seg, size_t max, size_t *nseg);

/* A path segment percent-encoded for a link (truncated to fit size). */
void fake_path_escape(const char *in, char *out, size_t size);

#endif /* FAKE_PATH_H */
