/*
 * strbuf.c: bounded growable string buffer (see strbuf.h).
 */
#include "strbuf.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "xmalloc.h"
#include "banned.h"

static char strbuf_empty[1];

void
strbuf_init(struct strbuf *sb, size_t max)
{
	sb->buf = strbuf_empty;
	sb->len = 0;
	sb->alloc = 0;
	sb->max = max > 0 ? max : 1;
	sb->overflow = 0;
}

void
strbuf_release(struct strbuf *sb)
{
	if (sb->alloc)
		free(sb->buf);
	strbuf_init(sb, sb->max);
}

void
strbuf_reset(struct strbuf *sb)
{
	sb->len = 0;
	if (sb->alloc)
		sb->buf[0] = '\0';
	sb->overflow = 0;
}

void
strbuf_truncate(struct strbuf *sb, size_t len)
{
	if (len >= sb->len)
		return;
	sb->len = len;
	sb->buf[len] = '\0';
}

/* Make room for extra more bytes plus the NUL; -1 past the ceiling. */
static int
strbuf_grow(struct strbuf *sb, size_t extra)
{
	size_t need, nalloc;

	/* sb->len < sb->max always holds, so this cannot wrap */
	if (extra >= sb->max - sb->len) {
		sb->overflow = 1;
		return -1;
	}
	need = sb->len + extra + 1;
	if (need <= sb->alloc)
		return 0;
	nalloc = sb->alloc ? sb->alloc : 64;
	while (nalloc < need)
		nalloc = nalloc > sb->max / 2 ? sb->max : nalloc * 2;
	if (nalloc > sb->max)
		nalloc = sb->max;
	if (sb->alloc) {
		sb->buf = xrealloc(sb->buf, nalloc);
	} else {
		sb->buf = xmalloc(nalloc);
		sb->buf[0] = '\0';
	}
	sb->alloc = nalloc;
	return 0;
}

int
strbuf_add(struct strbuf *sb, const void *data, size_t len)
{
	if (strbuf_grow(sb, len) == -1)
		return -1;
	if (len)
		memcpy(sb->buf + sb->len, data, len);
	sb->len += len;
	sb->buf[sb->len] = '\0';
	return 0;
}

int
strbuf_addstr(struct strbuf *sb, const char *s)
{
	return strbuf_add(sb, s, strlen(s));
}

int
strbuf_addch(struct strbuf *sb, int c)
{
	char ch = (char)c;

	return strbuf_add(sb, &ch, 1);
}

int
strbuf_vaddf(struct strbuf *sb, const char *fmt, va_list ap)
{
	va_list cp;
	int n;
	size_t need;

	va_copy(cp, ap);
	n = vsnprintf(
	    sb->buf + sb->len, sb->alloc ? sb->alloc - sb->len : 0, fmt, cp);
	va_end(cp);
	if (n < 0)
		return -1;
	need = (size_t)n;
	if (sb->alloc && need < sb->alloc - sb->len) {
		/* it fitted, and alloc <= max keeps it under the ceiling */
		sb->len += need;
		return 0;
	}
	if (strbuf_grow(sb, need) == -1) {
		if (sb->alloc)
			sb->buf[sb->len] = '\0';
		return -1;
	}
	n = vsnprintf(sb->buf + sb->len, sb->alloc - sb->len, fmt, ap);
	if (n < 0 || (size_t)n != need) {
		sb->buf[sb->len] = '\0';
		return -1;
	}
	sb->len += need;
	return 0;
}

int
strbuf_addf(struct strbuf *sb, const char *fmt, ...)
{
	va_list ap;
	int ret;

	va_start(ap, fmt);
	ret = strbuf_vaddf(sb, fmt, ap);
	va_end(ap);
	return ret;
}

size_t
utf8_seq_len(const unsigned char *s, size_t len)
{
	unsigned char c = s[0];
	size_t n, i;
	unsigned int cp;

	if (c < 0x80)
		return 1;
	if (c >= 0xc2 && c <= 0xdf) {
		n = 2;
		cp = c & 0x1fu;
	} else if (c >= 0xe0 && c <= 0xef) {
		n = 3;
		cp = c & 0x0fu;
	} else if (c >= 0xf0 && c <= 0xf4) {
		n = 4;
		cp = c & 0x07u;
	} else {
		return 0;
	}
	if (len < n)
		return 0;
	for (i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = (cp << 6) | (s[i] & 0x3fu);
	}
	/* overlong forms, surrogates and code points past U+10FFFF */
	if ((n == 3 && cp < 0x800) || (n == 4 && cp < 0x10000) ||
	    (cp >= 0xd800 && cp <= 0xdfff) || cp > 0x10ffff)
		return 0;
	return n;
}

int
strbuf_add_json_escaped(struct strbuf *sb, const char *data, size_t len)
{
	static const char hex[] = "0123456789abcdef";
	const unsigned char *p = (const unsigned char *)data;
	const unsigned char *end = p + len;
	const unsigned char *run = p;
	int ret = 0;

	while (p < end) {
		unsigned char c = *p;
		size_t n;
		char esc[7];
		const char *rep = NULL;
		size_t replen = 0;

		if (c >= 0x20 && c < 0x80 && c != '"' && c != '\\') {
			p++;
			continue;
		}
		if (c >= 0x80) {
			n = utf8_seq_len(p, (size_t)(end - p));
			if (n > 0) {
				p += n;
				continue;
			}
			rep = "\xef\xbf\xbd";
			replen = 3;
		} else if (c == '"') {
			rep = "\\\"";
			replen = 2;
		} else if (c == '\\') {
			rep = "\\\\";
			replen = 2;
		} else if (c == '\n') {
			rep = "\\n";
			replen = 2;
		} else if (c == '\r') {
			rep = "\\r";
			replen = 2;
		} else if (c == '\t') {
			rep = "\\t";
			replen = 2;
		} else {
			esc[0] = '\\';
			esc[1] = 'u';
			esc[2] = '0';
			esc[3] = '0';
			esc[4] = hex[c >> 4];
			esc[5] = hex[c & 15];
			esc[6] = '\0';
			rep = esc;
			replen = 6;
		}
		if (strbuf_add(sb, run, (size_t)(p - run)) == -1)
			ret = -1;
		if (strbuf_add(sb, rep, replen) == -1)
			ret = -1;
		p++;
		run = p;
	}
	if (strbuf_add(sb, run, (size_t)(p - run)) == -1)
		ret = -1;
	return ret;
}

int
strbuf_add_json_string(struct strbuf *sb, const char *data, size_t len)
{
	int ret = 0;

	if (strbuf_addch(sb, '"') == -1)
		ret = -1;
	if (strbuf_add_json_escaped(sb, data, len) == -1)
		ret = -1;
	if (strbuf_addch(sb, '"') == -1)
		ret = -1;
	return ret;
}

char *
strbuf_detach(struct strbuf *sb, size_t *lenp)
{
	char *res;

	if (lenp)
		*lenp = sb->len;
	if (!sb->alloc) {
		res = xmalloc(1);
		res[0] = '\0';
	} else {
		res = sb->buf;
	}
	strbuf_init(sb, sb->max);
	return res;
}
