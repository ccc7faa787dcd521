/*
 * csv.c: RFC 4180 reader (see csv.h).
 *
 * The common record has no quote at all: it is found with memchr for the
 * line break and split on the delimiter without copying. A record that holds
 * a quote takes the general path, which may span lines.
 */
#include "csv.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include "bounds.h"
#include "xmalloc.h"
#include "banned.h"

static const char csv_empty[1];

char
csv_delimiter_for_path(const char *path)
{
	const char *dot = strrchr(path, '.');

	if (dot && strcasecmp(dot, ".tsv") == 0)
		return '\t';
	if (dot && strcasecmp(dot, ".psv") == 0)
		return '|';
	return ',';
}

static int PRINTF_LIKE(3, 4)
    csv_error(struct csv_reader *r, unsigned long line, const char *fmt, ...)
{
	va_list ap;

	r->err_line = line;
	va_start(ap, fmt);
	vsnprintf(r->err, sizeof(r->err), fmt, ap);
	va_end(ap);
	return -1;
}

int
csv_reader_init(struct csv_reader *r, const char *buf, size_t len, char delim)
{
	const char *nul;

	memset(r, 0, sizeof(*r));
	r->buf = len ? buf : csv_empty;
	r->len = len;
	r->line = 1;
	r->delim = delim;
	nul = len ? memchr(buf, '\0', len) : NULL;
	if (nul)
		return csv_error(r,
		    1 +
			(unsigned long)csv_count_lines(
			    buf, (size_t)(nul - buf)),
		    "binary data (NUL byte), not a delimited text file");
	if (len >= 3 && memcmp(buf, "\xef\xbb\xbf", 3) == 0)
		r->pos = 3;
	return 0;
}

void
csv_reader_clone(struct csv_reader *r, const struct csv_reader *src)
{
	memset(r, 0, sizeof(*r));
	r->buf = src->buf;
	r->len = src->len;
	r->line = 0;
	r->delim = src->delim;
	r->ncols = src->ncols;
}

void
csv_reader_release(struct csv_reader *r)
{
	free(r->fields);
	free(r->soff);
	free(r->scratch);
	r->fields = NULL;
	r->soff = NULL;
	r->scratch = NULL;
	r->fields_alloc = 0;
	r->scratch_alloc = 0;
}

/* room for field index i; 0, or -1 past the column limit (count only) */
static int
csv_fields_reserve(struct csv_reader *r, size_t i)
{
	size_t n;

	if (i < r->fields_alloc)
		return 0;
	if (i >= CSV_MAX_COLUMNS + 1)
		return -1;
	n = r->fields_alloc ? r->fields_alloc * 2 : 16;
	if (r->ncols && n < r->ncols)
		n = r->ncols;
	if (n <= i)
		n = i + 1;
	if (n > CSV_MAX_COLUMNS + 1)
		n = CSV_MAX_COLUMNS + 1;
	r->fields = xreallocarray(r->fields, n, sizeof(*r->fields));
	r->soff = xreallocarray(r->soff, n, sizeof(*r->soff));
	r->fields_alloc = n;
	return 0;
}

static void
csv_set_field(
    struct csv_reader *r, size_t i, const char *p, size_t len, size_t soff)
{
	if (csv_fields_reserve(r, i) == -1)
		return;
	r->fields[i].ptr = p;
	r->fields[i].len = len;
	r->soff[i] = soff;
}

/* copy a quoted value with doubled quotes undone; returns scratch offset */
static size_t
csv_unescape(struct csv_reader *r, size_t *used, const char *p, size_t len,
    size_t *outlen)
{
	size_t start = *used, o = start;
	const char *end = p + len;

	if (len > r->scratch_alloc - start) {
		size_t n = r->scratch_alloc ? r->scratch_alloc : 256;

		while (n - start < len)
			n *= 2;
		r->scratch = xrealloc(r->scratch, n);
		r->scratch_alloc = n;
	}
	while (p < end) {
		r->scratch[o++] = *p;
		p += (*p == '"') ? 2 : 1;
	}
	*used = o;
	*outlen = o - start;
	return start;
}

/*
 * Finish a record of n fields: check the width, pad short records, point
 * unescaped fields into scratch (when the record has any).
 */
static int
csv_finish(struct csv_reader *r, struct csv_record *rec, size_t n,
    const char *start, const char *rec_end, unsigned long line, int unescaped)
{
	size_t i, limit = r->ncols ? r->ncols : CSV_MAX_COLUMNS;

	if (n > limit) {
		if (r->ncols)
			return csv_error(r, line,
			    "record has %zu fields, the header has %zu", n,
			    r->ncols);
		return csv_error(
		    r, line, "more than %d columns", CSV_MAX_COLUMNS);
	}
	if ((size_t)(rec_end - start) > CSV_MAX_RECORD_BYTES)
		return csv_error(r, line, "record longer than %u bytes",
		    CSV_MAX_RECORD_BYTES);
	for (i = 0; unescaped && i < n; i++)
		if (r->soff[i] != SIZE_MAX)
			r->fields[i].ptr = r->scratch + r->soff[i];
	for (i = 0; (size_t)(rec_end - start) > CSV_MAX_FIELD_BYTES && i < n;
	     i++) {
		if (r->fields[i].len > CSV_MAX_FIELD_BYTES)
			return csv_error(r, line,
			    "field %zu is longer than %u bytes", i + 1,
			    CSV_MAX_FIELD_BYTES);
	}
	if (r->ncols && n < r->ncols) {
		csv_fields_reserve(r, r->ncols - 1);
		for (i = n; i < r->ncols; i++) {
			r->fields[i].ptr = csv_empty;
			r->fields[i].len = 0;
			r->soff[i] = SIZE_MAX;
		}
		n = r->ncols;
	}
	rec->off = (size_t)(start - r->buf);
	rec->len = (size_t)(rec_end - start);
	rec->line = line;
	rec->nfields = n;
	rec->fields = r->fields;
	return 1;
}

static void
csv_plain_field(struct csv_reader *r, size_t i, const char *p, const char *e)
{
	if (i < r->fields_alloc || csv_fields_reserve(r, i) == 0) {
		r->fields[i].ptr = p;
		r->fields[i].len = (size_t)(e - p);
	}
}

size_t
csv_count_lines(const char *buf, size_t len)
{
	const char *q = buf, *end = buf + len;
	size_t n = 0;

#if defined(__SSE2__)
	const __m128i vnl = _mm_set1_epi8('\n');

	for (; end - q >= 16; q += 16) {
		__m128i x = _mm_loadu_si128((const __m128i *)(const void *)q);

		n += (size_t)__builtin_popcount(
		    (unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(x, vnl)));
	}
#endif
	for (; q < end; q++)
		n += *q == '\n';
	return n;
}

/*
 * The common case: a record on one line without any quote, split in one
 * pass that looks for the line break, a quote and the delimiter at once
 * (16 bytes at a time where SSE2 is there). Returns 1 and sets *next, 0
 * when the line holds a quote (the general case must read it), or -1.
 */
static int
csv_parse_plain(struct csv_reader *r, struct csv_record *rec, const char *p,
    const char **next)
{
	const char *end = r->buf + r->len;
	const char *q = p, *f = p, *eol = NULL;
	const char delim = r->delim;
	size_t n = 0;

#if defined(__SSE2__)
	const __m128i vnl = _mm_set1_epi8('\n');
	const __m128i vq = _mm_set1_epi8('"');
	const __m128i vd = _mm_set1_epi8(delim);

	while (!eol && end - q >= 16) {
		__m128i x = _mm_loadu_si128((const __m128i *)(const void *)q);
		unsigned mnl =
		    (unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(x, vnl));
		unsigned mq =
		    (unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(x, vq));
		unsigned md =
		    (unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(x, vd));

		if (mnl) {
			/* only what precedes the line break belongs here */
			unsigned before = (1u << __builtin_ctz(mnl)) - 1;

			mq &= before;
			md &= before;
			eol = q + __builtin_ctz(mnl);
		}
		if (mq)
			return 0;
		while (md) {
			const char *d = q + __builtin_ctz(md);

			csv_plain_field(r, n++, f, d);
			f = d + 1;
			md &= md - 1;
		}
		if (!eol)
			q += 16;
	}
#endif
	for (; !eol && q < end; q++) {
		if (*q == '\n') {
			eol = q;
		} else if (*q == '"') {
			return 0;
		} else if (*q == delim) {
			csv_plain_field(r, n++, f, q);
			f = q + 1;
		}
	}
	*next = eol ? eol + 1 : end;
	if (!eol)
		eol = end;
	else if (eol > f && eol[-1] == '\r')
		eol--;
	csv_plain_field(r, n++, f, eol);
	return csv_finish(r, rec, n, p, eol, r->line, 0);
}

/*
 * The general case. Returns 1 and sets *next (where the following record
 * starts) and *lines (line breaks consumed), or -1.
 */
static int
csv_parse_quoted(struct csv_reader *r, struct csv_record *rec, const char *p,
    const char **next, unsigned long *lines)
{
	const char *end = r->buf + r->len;
	const char *s = p, *rec_end;
	const char delim = r->delim;
	unsigned long nl = 0, line = r->line;
	size_t n = 0, used = 0;

	for (;;) {
		if (s < end && *s == '"') {
			const char *c = s + 1, *q;
			int doubled = 0;

			for (;;) {
				q = memchr(c, '"', (size_t)(end - c));
				if (!q)
					return csv_error(r, line,
					    "unterminated quoted field");
				if (q + 1 < end && q[1] == '"') {
					doubled = 1;
					c = q + 2;
					continue;
				}
				break;
			}
			nl += csv_count_lines(s + 1, (size_t)(q - s - 1));
			if (doubled) {
				size_t vlen, off;

				off = csv_unescape(r, &used, s + 1,
				    (size_t)(q - s - 1), &vlen);
				csv_set_field(r, n++, NULL, vlen, off);
			} else {
				csv_set_field(r, n++, s + 1,
				    (size_t)(q - s - 1), SIZE_MAX);
			}
			s = q + 1;
			if (s == end) {
				rec_end = end;
				*next = end;
				break;
			}
			if (*s == delim) {
				s++;
				continue;
			}
			if (*s == '\n') {
				rec_end = s;
				*next = s + 1;
				nl++;
				break;
			}
			if (*s == '\r' && s + 1 < end && s[1] == '\n') {
				rec_end = s;
				*next = s + 2;
				nl++;
				break;
			}
			return csv_error(r, line,
			    "unexpected text after the closing quote of field %zu",
			    n);
		} else {
			const char *f = s, *fe;

			while (s < end && *s != delim && *s != '\n')
				s++;
			fe = s;
			if (s < end && *s == '\n' && fe > f && fe[-1] == '\r')
				fe--;
			csv_set_field(r, n++, f, (size_t)(fe - f), SIZE_MAX);
			if (s == end) {
				rec_end = end;
				*next = end;
				break;
			}
			if (*s == delim) {
				s++;
				continue;
			}
			rec_end = fe;
			*next = s + 1;
			nl++;
			break;
		}
	}
	*lines = nl;
	return csv_finish(r, rec, n, p, rec_end, line, used > 0);
}

/* parse the record at r->pos (not a blank line) and advance past it */
static int
csv_parse_record(struct csv_reader *r, struct csv_record *rec)
{
	const char *p = r->buf + r->pos;
	const char *next = NULL;
	unsigned long lines = 1;
	int ret;

	ret = csv_parse_plain(r, rec, p, &next);
	if (ret == 0)
		ret = csv_parse_quoted(r, rec, p, &next, &lines);
	if (ret == 1) {
		r->pos = (size_t)(next - r->buf);
		r->line += lines;
	}
	return ret;
}

int
csv_next(struct csv_reader *r, struct csv_record *rec)
{
	const char *buf = r->buf;

	/* blank lines: nothing before the line break */
	for (;;) {
		if (r->pos >= r->len)
			return 0;
		if (buf[r->pos] == '\n') {
			r->pos++;
			r->line++;
		} else if (buf[r->pos] == '\r' && r->pos + 1 < r->len &&
		    buf[r->pos + 1] == '\n') {
			r->pos += 2;
			r->line++;
		} else {
			break;
		}
	}
	return csv_parse_record(r, rec);
}

int
csv_record_at(struct csv_reader *r, size_t off, struct csv_record *rec)
{
	if (off >= r->len)
		return csv_error(r, 0, "record offset out of range");
	r->pos = off;
	return csv_parse_record(r, rec);
}

static int
csv_name_cmp(const void *a, const void *b)
{
	const struct csv_field *x = *(const struct csv_field *const *)a;
	const struct csv_field *y = *(const struct csv_field *const *)b;
	size_t n = x->len < y->len ? x->len : y->len;
	int c = n ? memcmp(x->ptr, y->ptr, n) : 0;

	if (c)
		return c;
	return (x->len > y->len) - (x->len < y->len);
}

int
csv_read_header(struct csv_reader *r, struct csv_record *rec)
{
	const struct csv_field **sorted = NULL;
	int ret;
	size_t i;

	ret = csv_next(r, rec);
	if (ret != 1)
		return ret;
	for (i = 0; i < rec->nfields; i++)
		if (rec->fields[i].len == 0)
			return csv_error(r, rec->line,
			    "empty column name (column %zu of the header)",
			    i + 1);
	sorted = xreallocarray(NULL, rec->nfields, sizeof(*sorted));
	for (i = 0; i < rec->nfields; i++)
		sorted[i] = &rec->fields[i];
	qsort(sorted, rec->nfields, sizeof(*sorted), csv_name_cmp);
	for (i = 1; i < rec->nfields; i++) {
		if (csv_name_cmp(&sorted[i - 1], &sorted[i]) == 0) {
			int len =
			    sorted[i]->len > 64 ? 64 : (int)sorted[i]->len;

			csv_error(r, rec->line, "duplicate column name '%.*s'",
			    len, sorted[i]->ptr);
			free(sorted);
			return -1;
		}
	}
	free(sorted);
	r->ncols = rec->nfields;
	return 1;
}
