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
