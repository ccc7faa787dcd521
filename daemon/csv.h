/*
 * csv: an RFC 4180 reader over a byte buffer (pure: no I/O, no globals).
 *
 * Rules (design.md 6.1): quoted fields may hold delimiters, line breaks and
 * doubled quotes; a line break is LF or CRLF (a lone CR is data); a UTF-8 BOM
 * is skipped; blank lines are skipped; the first record is the header; a
 * missing final newline is fine; a quote inside an unquoted field is literal,
 * text after a closing quote is an error. Records with fewer fields than the
 * header are padded with empty values, records with more are an error. A
 * buffer holding a NUL byte is binary and refused. Errors name the line on
 * which the offending record starts.
 *
 * Fields point into the buffer (or into the reader's scratch space for quoted
 * values holding doubled quotes) and stay valid until the next call on the
 * same reader.
 */
#ifndef CSV_H
#define CSV_H

#include <stddef.h>

#include "compat.h"

#define CSV_ERR_LEN 160

struct csv_field {
	const char *ptr;
	size_t len;
};

struct csv_record {
	size_t off;         /* first byte of the record in the buffer */
	size_t len;         /* bytes up to, not including, its line break */
	unsigned long line; /* line on which the record starts */
	size_t nfields;     /* == header width once the header is read */
	const struct csv_field *fields;
};

struct csv_reader {
	const char *buf;
	size_t len;
	size_t pos;         /* where the next record starts */
	unsigned long line; /* line number at pos */
	char delim;
	size_t ncols; /* header width, 0 before the header */
	struct csv_field *fields;
	size_t *soff; /* scratch offsets of unescaped fields, SIZE_MAX = none */
	size_t fields_alloc;
	char *scratch;
	size_t scratch_alloc;
	unsigned long err_line;
	char err[CSV_ERR_LEN];
};

/* Delimiter for a path by its extension: '\t' for .tsv, '|' for .psv, ','. */
char csv_delimiter_for_path(const char *path);

/*
 * Line breaks in buf[0..len): one more than this is an upper bound on the
 * records there, whatever the quoting.
 */
size_t csv_count_lines(const char *buf, size_t len);

/*
 * Start reading buf[0..len). The buffer must outlive the reader. Returns 0,
 * or -1 when the buffer holds a NUL byte (binary; err/err_line are set).
 */
int csv_reader_init(
    struct csv_reader *r, const char *buf, size_t len, char delim);

/*
 * A second reader over the same buffer and header width as src, for
 * re-parsing records by offset (csv_record_at) from another thread.
 */
void csv_reader_clone(struct csv_reader *r, const struct csv_reader *src);

void csv_reader_release(struct csv_reader *r);

/*
 * Read the header record. Returns 1 with the header in *rec, 0 when the
 * buffer holds no record at all (an empty table without columns), -1 on an
 * error (empty or duplicate column name, too many columns, malformed).
 */
int csv_read_header(struct csv_reader *r, struct csv_record *rec);

/* Read the next record: 1 with *rec filled, 0 at the end, -1 on error. */
int csv_next(struct csv_reader *r, struct csv_record *rec);

/*
 * Parse the single record that starts at off (an offset csv_next reported
 * before on a reader of the same buffer). Returns 1 or -1.
 */
int csv_record_at(struct csv_reader *r, size_t off, struct csv_record *rec);

#endif /* CSV_H */
