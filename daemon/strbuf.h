/*
 * strbuf: a bounded, growable, binary-safe string buffer.
 *
 * Every buffer states its ceiling at init (a limit from bounds.h). An append
 * that would take len + 1 past the ceiling appends nothing, returns -1 and
 * sets the sticky "overflow" flag; the contents stay valid, so a renderer may
 * append freely and check the flag once at the end. Only allocation failure
 * is fatal (through xmalloc).
 *
 * Invariants after strbuf_init(): buf is never NULL, buf[len] == '\0',
 * len < max. The buffer may hold NUL bytes: never rely on strlen(buf).
 */
#ifndef STRBUF_H
#define STRBUF_H

#include <stdarg.h>
#include <stddef.h>

#include "compat.h"

struct strbuf {
	char *buf;    /* never NULL after init; always NUL-terminated */
	size_t len;   /* bytes used, excluding the NUL */
	size_t alloc; /* bytes allocated; 0 = buf points at a static "" */
	size_t max;   /* hard ceiling for len + 1, fixed at init */
	int overflow; /* sticky: set once an append hit max */
};

/* Initialise an empty buffer that may hold at most max - 1 bytes. */
void strbuf_init(struct strbuf *sb, size_t max);

/* Free the memory and return to the state strbuf_init() left (same max). */
void strbuf_release(struct strbuf *sb);

/* Empty the buffer, keep its memory, clear the overflow flag. */
void strbuf_reset(struct strbuf *sb);

/* Shorten to len bytes (no-op when len >= sb->len). */
void strbuf_truncate(struct strbuf *sb, size_t len);

/*
 * Append. Each returns 0, or -1 (and sets overflow) when the result would not
 * fit under the ceiling; then nothing is appended.
 */
int strbuf_add(struct strbuf *sb, const void *data, size_t len);
int strbuf_addstr(struct strbuf *sb, const char *s);
int strbuf_addch(struct strbuf *sb, int c);
int strbuf_addf(struct strbuf *sb, const char *fmt, ...) PRINTF_LIKE(2, 3);
int strbuf_vaddf(struct strbuf *sb, const char *fmt, va_list ap)
    PRINTF_LIKE(2, 0);

/*
 * Append data as the body of a JSON string (without the quotes): escapes
 * quote, backslash and control characters, and writes every byte sequence
 * that is not valid UTF-8 as U+FFFD, so the output is always valid UTF-8.
 */
int strbuf_add_json_escaped(struct strbuf *sb, const char *data, size_t len);

/* Same, with the surrounding quotes. */
int strbuf_add_json_string(struct strbuf *sb, const char *data, size_t len);

/*
 * Hand the contents to the caller, who must free() them; *lenp (if not NULL)
 * receives the length. The buffer is left as after strbuf_init().
 */
char *strbuf_detach(struct strbuf *sb, size_t *lenp);

/*
 * Length in bytes of the valid UTF-8 sequence starting at s (at most len
 * bytes available), or 0 when s does not start a valid sequence.
 */
size_t utf8_seq_len(const unsigned char *s, size_t len);

#endif /* STRBUF_H */
