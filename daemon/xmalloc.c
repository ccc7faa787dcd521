/*
 * xmalloc.c: allocation wrappers that are fatal on failure.
 */
#include "xmalloc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "banned.h"

static void
xmalloc_fail(size_t size)
{
	char msg[96];
	int n;

	/* no stdio allocation here: write(2) a fixed message and exit */
	n = snprintf(msg, sizeof(msg),
	    "fatal: out of memory allocating %zu bytes\n", size);
	if (n > 0)
		(void)!write(STDERR_FILENO, msg, (size_t)n);
	_exit(70);
}

void *
xmalloc(size_t size)
{
	void *p = malloc(size ? size : 1);

	if (!p)
		xmalloc_fail(size);
	return p;
}

void *
xcalloc(size_t nmemb, size_t size)
{
	void *p = calloc(nmemb ? nmemb : 1, size ? size : 1);

	if (!p)
		xmalloc_fail(nmemb * size);
	return p;
}

void *
xrealloc(void *ptr, size_t size)
{
	void *p = realloc(ptr, size ? size : 1);

	if (!p)
		xmalloc_fail(size);
	return p;
}

void *
xreallocarray(void *ptr, size_t nmemb, size_t size)
{
	if (size && nmemb > (size_t)-1 / size)
		xmalloc_fail((size_t)-1);
	return xrealloc(ptr, nmemb * size);
}

char *
xstrdup(const char *s)
{
	return xmemdup(s, strlen(s));
}

char *
xstrndup(const char *s, size_t n)
{
	return xmemdup(s, strnlen(s, n));
}

char *
xmemdup(const void *p, size_t len)
{
	char *r = xmalloc(len + 1);

	if (len)
		memcpy(r, p, len);
	r[len] = '\0';
	return r;
}

#define CACHE_LINE 64

void *
xcalloc_line(size_t nmemb, size_t size)
{
	size_t bytes;
	void *p;

	if (size && nmemb > ((size_t)-1 - CACHE_LINE) / size)
		xmalloc_fail((size_t)-1);
	bytes = (nmemb * size + CACHE_LINE) & ~(size_t)(CACHE_LINE - 1);
	p = aligned_alloc(CACHE_LINE, bytes);
	if (!p)
		xmalloc_fail(bytes);
	memset(p, 0, bytes);
	return p;
}

#define HUGE_PAGE ((size_t)2 << 20) /* alignment of large arrays */

void *
xhuge_calloc(size_t nmemb, size_t size)
{
	size_t bytes, rounded;
	void *p;

	if (size && nmemb > (size_t)-1 / size)
		xmalloc_fail((size_t)-1);
	bytes = nmemb * size;
	if (bytes < HUGE_PAGE)
		return xcalloc(nmemb ? nmemb : 1, size ? size : 1);
	rounded = (bytes + HUGE_PAGE - 1) & ~(HUGE_PAGE - 1);
	p = aligned_alloc(HUGE_PAGE, rounded);
	if (!p)
		xmalloc_fail(rounded);
	/*
	 * Write every page now, from this thread: pages first read while
	 * zero-mapped and written later cost a copy-on-write fault and a TLB
	 * shootdown on every other CPU running this process. No
	 * MADV_HUGEPAGE: with defrag=madvise its direct compaction stalled
	 * faults for tens of milliseconds.
	 */
	memset(p, 0, rounded);
	return p;
}
