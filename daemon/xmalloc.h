/*
 * xmalloc: allocation that cannot fail. Running out of memory is fatal
 * (logged, then exit), the only resource failure datadiffd does not recover
 * from.
 */
#ifndef XMALLOC_H
#define XMALLOC_H

#include <stddef.h>

void *xmalloc(size_t size);
void *xcalloc(size_t nmemb, size_t size);
void *xrealloc(void *ptr, size_t size);
/* realloc of nmemb * size bytes, fatal on multiplication overflow */
void *xreallocarray(void *ptr, size_t nmemb, size_t size);
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t n);
/* copy of len bytes plus a terminating NUL */
char *xmemdup(const void *p, size_t len);

/*
 * A zeroed array that starts on a cache line and fills whole lines, for
 * data one thread writes while another thread works next to it (no false
 * sharing). Free with free().
 */
void *xcalloc_line(size_t nmemb, size_t size);

/*
 * A large zeroed array for random access (hash tables, row indexes),
 * faulted in up front so that the threads working on it later take no page
 * faults. Free with free().
 */
void *xhuge_calloc(size_t nmemb, size_t size);

#endif /* XMALLOC_H */
