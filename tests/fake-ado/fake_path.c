/*
 * fake_path.c: see fake_path.h.
 */
#include "fake_path.h"

#include <ctype.h>
#include <string.h>

#include "banned.h"

int
fake_path_split(char *path, char **seg, size_t max, size_t *nseg)
{
	char *p = path;

	*nseg = 0;
	while (*p) {
		while (*p == '/')
			*p++ = '\0';
		if (!*p)
			break;
		if (*nseg == max)
			return -1;
		seg[(*nseg)++] = p;
		while (*p && *p != '/')
			p++;
	}
	return 0;
}

void
fake_path_escape(const char *in, char *out, size_t size)
{
	static const char hex[] = "0123456789ABCDEF";
	size_t o = 0;

	for (; *in && o + 4 <= size; in++) {
		unsigned char ch = (unsigned char)*in;

		if (isalnum(ch) || strchr("-._~", ch)) {
			out[o++] = (char)ch;
		} else {
			out[o++] = '%';
			out[o++] = hex[ch >> 4];
			out[o++] = hex[ch & 15];
		}
	}
	out[o] = '\0';
}
