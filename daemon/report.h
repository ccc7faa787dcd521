/*
 * report: render diff results (pure). JSON is the contract of design.md 5.2;
 * Markdown is the per-file section a pull-request report embeds; text is for
 * a terminal. Every value that comes from data (cells, column names, paths)
 * goes through an escaper here: Markdown cannot be injected into a pull
 * request (5.7) and control characters never reach a terminal.
 *
 * Renderers append to a strbuf and return 0, or -1 when the strbuf hit its
 * ceiling (the output is then incomplete).
 */
#ifndef REPORT_H
#define REPORT_H

#include <stddef.h>

#include "compat.h"
#include "diff.h"
#include "strbuf.h"

enum report_format {
	REPORT_TEXT,
	REPORT_JSON,
	REPORT_MARKDOWN,
};

/* Parse "text", "json" or "markdown" (or "md"); -1 when unknown. */
int report_format_parse(const char *s, enum report_format *out);

/* The JSON object of design.md 5.2, pretty-printed, ending in a newline. */
int report_json(struct strbuf *sb, const struct diff_result *res);

/* How much of a file's section report_markdown writes. */
enum report_detail {
	REPORT_DETAIL_FULL,    /* summary, schema, columns, samples */
	REPORT_DETAIL_COLUMNS, /* summary, schema, columns; no samples */
	REPORT_DETAIL_SUMMARY, /* the summary line and schema only */
};

/*
 * The Markdown section for one file: a heading naming title (the path the
 * reader knows the file by), a summary line, schema changes, duplicate and
 * null keys, the changed columns with counts and percentages, and samples.
 */
int report_markdown(struct strbuf *sb, const struct diff_result *res,
    const char *title, enum report_detail detail);

/* A plain text report for a terminal. */
int report_text(struct strbuf *sb, const struct diff_result *res);

/* Render in the given format (title used by Markdown). */
int report_render(struct strbuf *sb, const struct diff_result *res,
    enum report_format fmt, const char *title);

/*
 * Append data as inert Markdown text for a table cell or a line: escapes
 * Markdown punctuation, pipes, backticks and HTML, defuses @mentions, shows
 * line breaks as a visible mark, replaces control characters and invalid
 * UTF-8 with U+FFFD, and cuts the text at max_chars characters with an
 * ellipsis (0: no cut).
 */
int report_md_escape(
    struct strbuf *sb, const char *p, size_t len, size_t max_chars);

/*
 * Append data for a terminal: control characters as \n, \t, \xNN escapes,
 * invalid UTF-8 as U+FFFD, cut at max_chars characters (0: no cut).
 */
int report_text_escape(
    struct strbuf *sb, const char *p, size_t len, size_t max_chars);

/* Append n with thousands separators ("1,234,567"). */
int report_add_count(struct strbuf *sb, unsigned long long n);

#endif /* REPORT_H */
