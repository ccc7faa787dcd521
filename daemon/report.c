/*
 * report.c: JSON, Markdown and text renderings of a diff (see report.h).
 */
#include "report.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bounds.h"
#include "xmalloc.h"
#include "banned.h"

#define MD_TABLE_MAX_COLUMNS 12 /* columns of a sampled row in Markdown */

int
report_format_parse(const char *s, enum report_format *out)
{
	if (strcmp(s, "text") == 0)
		*out = REPORT_TEXT;
	else if (strcmp(s, "json") == 0)
		*out = REPORT_JSON;
	else if (strcmp(s, "markdown") == 0 || strcmp(s, "md") == 0)
		*out = REPORT_MARKDOWN;
	else
		return -1;
	return 0;
}

int
report_add_count(struct strbuf *sb, unsigned long long n)
{
	char digits[32];
	int len, ret = 0;

	len = snprintf(digits, sizeof(digits), "%llu", n);
	for (int i = 0; i < len; i++) {
		if (i > 0 && (len - i) % 3 == 0)
			ret |= strbuf_addch(sb, ',');
		ret |= strbuf_addch(sb, digits[i]);
	}
	return ret;
}

/* share of part in whole as "12.5%", "<0.1%" for a tiny non-zero share */
static int
add_percent(struct strbuf *sb, uint64_t part, uint64_t whole)
{
	double pct;

	if (whole == 0)
		return strbuf_addstr(sb, "–");
	pct = 100.0 * (double)part / (double)whole;
	if (part > 0 && pct < 0.1)
		return strbuf_addstr(sb, "<0.1%");
	return strbuf_addf(sb, "%.1f%%", pct);
}

/* ---- escapers ---- */

#define REPLACEMENT "\xef\xbf\xbd"

/*
 * Walk p as UTF-8 code points; emit(ch bytes) per character via the
 * format-specific callback, stop after max characters.
 */
typedef int escape_fn(struct strbuf *sb, const unsigned char *c, size_t n,
    const unsigned char *next, size_t *skip);

static int
escape_walk(struct strbuf *sb, const char *data, size_t len, size_t max,
    escape_fn *emit)
{
	const unsigned char *p = (const unsigned char *)data;
	const unsigned char *end = p + len;
	size_t chars = 0;
	int ret = 0;

	while (p < end) {
		size_t n = utf8_seq_len(p, (size_t)(end - p));
		size_t skip = 0;

		if (max && chars == max) {
			ret |= strbuf_addstr(sb, "\xe2\x80\xa6");
			break;
		}
		if (n == 0) {
			ret |= strbuf_addstr(sb, REPLACEMENT);
			p++;
		} else {
			ret |=
			    emit(sb, p, n, p + n < end ? p + n : NULL, &skip);
			p += n + skip;
		}
		chars++;
	}
	return ret;
}

/*
 * Bidirectional overrides and isolates reorder what a terminal or a
 * browser shows: a cell could display other digits than it holds.
 */
static int
is_bidi_control(const unsigned char *c, size_t n)
{
	unsigned int cp;

	if (n != 3)
		return 0;
	cp = ((c[0] & 0x0fu) << 12) | ((c[1] & 0x3fu) << 6) | (c[2] & 0x3fu);
	return (cp >= 0x202a && cp <= 0x202e) || (cp >= 0x2066 && cp <= 0x2069);
}

static int
md_char(struct strbuf *sb, const unsigned char *c, size_t n,
    const unsigned char *next, size_t *skip)
{
	if (n > 1) {
		/* C1 controls (U+0080..U+009F) are not text */
		if ((c[0] == 0xc2 && c[1] < 0xa0) || is_bidi_control(c, n))
			return strbuf_addstr(sb, REPLACEMENT);
		return strbuf_add(sb, c, n);
	}
	switch (c[0]) {
	case '\r':
		if (next && *next == '\n')
			*skip = 1;
		/* FALLTHROUGH */
	case '\n':
		return strbuf_addstr(sb, "\xe2\x86\xb5"); /* ↵ */
	case '\t':
		return strbuf_addch(sb, ' ');
	case '&':
		return strbuf_addstr(sb, "&amp;");
	case '<':
		return strbuf_addstr(sb, "&lt;");
	case '>':
		return strbuf_addstr(sb, "&gt;");
	case '@': /* mentions */
		return strbuf_addstr(sb, "&#64;");
	case '#': /* work item links */
		return strbuf_addstr(sb, "&#35;");
	case '!': /* pull request links, images */
		return strbuf_addstr(sb, "&#33;");
	case '\\':
	case '`':
	case '*':
	case '_':
	case '[':
	case ']':
	case '(':
	case ')':
	case '~':
	case '|':
	case '$':
	case '{':
	case '}':
		if (strbuf_addch(sb, '\\') == -1)
			return -1;
		return strbuf_addch(sb, c[0]);
	default:
		break;
	}
	if (c[0] < 0x20 || c[0] == 0x7f)
		return strbuf_addstr(sb, REPLACEMENT);
	return strbuf_addch(sb, c[0]);
}

int
report_md_escape(struct strbuf *sb, const char *p, size_t len, size_t max_chars)
{
	return escape_walk(sb, p, len, max_chars, md_char);
}

static int
text_char(struct strbuf *sb, const unsigned char *c, size_t n,
    const unsigned char *next, size_t *skip)
{
	(void)next;
	(void)skip;
	if (n == 2 && c[0] == 0xc2 && c[1] < 0xa0)
		return strbuf_addf(sb, "\\u{%x}", c[1]);
	if (is_bidi_control(c, n))
		return strbuf_addf(sb, "\\u{%x}",
		    ((c[0] & 0x0fu) << 12) | ((c[1] & 0x3fu) << 6) |
			(c[2] & 0x3fu));
	if (n > 1)
		return strbuf_add(sb, c, n);
	switch (c[0]) {
	case '\n':
		return strbuf_addstr(sb, "\\n");
	case '\r':
		return strbuf_addstr(sb, "\\r");
	case '\t':
		return strbuf_addstr(sb, "\\t");
	default:
		break;
	}
	if (c[0] < 0x20 || c[0] == 0x7f)
		return strbuf_addf(sb, "\\x%02x", c[0]);
	return strbuf_addch(sb, c[0]);
}

int
report_text_escape(
    struct strbuf *sb, const char *p, size_t len, size_t max_chars)
{
	return escape_walk(sb, p, len, max_chars, text_char);
}

static int
md_str(struct strbuf *sb, const char *s)
{
	return report_md_escape(sb, s, strlen(s), REPORT_MD_CELL_CHARS);
}

/* a value in a Markdown table: empty shows as *(empty)* */
static int
md_value(struct strbuf *sb, const char *s)
{
	if (!*s)
		return strbuf_addstr(sb, "*(empty)*");
	return md_str(sb, s);
}

static int
text_str(struct strbuf *sb, const char *s)
{
	return report_text_escape(sb, s, strlen(s), REPORT_TEXT_CELL_CHARS);
}

/*
 * A value on a terminal: quoted when it could be misread in a list of
 * name=value pairs (a comma, '=', a quote, space at either end).
 */
static int
text_value(struct strbuf *sb, const char *s)
{
	size_t n = strlen(s);
	int ret = 0;

	if (!n)
		return strbuf_addstr(sb, "(empty)");
	if (!strpbrk(s, ",=\"") && s[0] != ' ' && s[n - 1] != ' ')
		return text_str(sb, s);
	ret |= strbuf_addch(sb, '"');
	for (const char *p = s; *p; p++) {
		const char *q = strchr(p, '"');
		size_t len = q ? (size_t)(q - p) : strlen(p);

		ret |= report_text_escape(sb, p, len, REPORT_TEXT_CELL_CHARS);
		if (!q)
			break;
		ret |= strbuf_addstr(sb, "\\\"");
		p = q;
	}
	ret |= strbuf_addch(sb, '"');
	return ret;
}

/* ---- JSON (design.md 5.2) ---- */

static void
j_str(struct strbuf *sb, const char *s)
{
	strbuf_add_json_string(sb, s, strlen(s));
}

static void
j_strv(struct strbuf *sb, char *const *v, size_t n)
{
	strbuf_addch(sb, '[');
	for (size_t i = 0; i < n; i++) {
		if (i)
			strbuf_addstr(sb, ", ");
		j_str(sb, v[i]);
	}
	strbuf_addch(sb, ']');
}

/* {"name": "value", ...} */
static void
j_row(struct strbuf *sb, char *const *names, char *const *values, size_t n)
{
	strbuf_addch(sb, '{');
	for (size_t i = 0; i < n; i++) {
		if (i)
			strbuf_addstr(sb, ", ");
		j_str(sb, names[i]);
		strbuf_addstr(sb, ": ");
		j_str(sb, values[i]);
	}
	strbuf_addch(sb, '}');
}

static void
j_side(struct strbuf *sb, const char *name, const struct diff_side_info *s)
{
	strbuf_addf(sb, "  \"%s\": {\"path\": ", name);
	j_str(sb, s->path);
	strbuf_addf(
	    sb, ", \"rows\": %llu, \"columns\": ", (unsigned long long)s->rows);
	j_strv(sb, s->columns, s->ncolumns);
	strbuf_addstr(sb, "},\n");
}

/* "  \"name\": [\n    item,\n    item\n  ]" with items from a callback */
static void
j_rows(struct strbuf *sb, const char *name, const struct diff_row *rows,
    size_t n, const struct diff_side_info *side)
{
	strbuf_addf(sb, "    \"%s\": [", name);
	for (size_t i = 0; i < n; i++) {
		strbuf_addstr(sb, i ? ",\n      " : "\n      ");
		j_row(sb, side->columns, rows[i].values, rows[i].nvalues);
	}
	strbuf_addstr(sb, n ? "\n    ]" : "]");
}

static void
j_key_rows(struct strbuf *sb, const char *name, const struct diff_key_row *v,
    size_t n, const struct diff_result *res)
{
	strbuf_addf(sb, "    \"%s\": [", name);
	for (size_t i = 0; i < n; i++) {
		strbuf_addstr(sb, i ? ",\n      " : "\n      ");
		strbuf_addch(sb, '{');
		if (v[i].key) {
			strbuf_addstr(sb, "\"key\": ");
			j_row(sb, res->key, v[i].key, res->nkey);
			strbuf_addstr(sb, ", ");
		}
		strbuf_addf(sb, "\"line\": %lu}", v[i].line);
	}
	strbuf_addstr(sb, n ? "\n    ]" : "]");
}

int
report_json(struct strbuf *sb, const struct diff_result *res)
{
	strbuf_addstr(sb, "{\n");
	j_side(sb, "old", &res->old);
	j_side(sb, "new", &res->new);

	strbuf_addstr(sb, "  \"key\": {\"columns\": ");
	j_strv(sb, res->key, res->nkey);
	strbuf_addf(sb, ", \"source\": \"%s\"},\n",
	    diff_key_source_name(res->key_source));

	strbuf_addstr(sb, "  \"schema\": {\"added\": ");
	j_strv(sb, res->cols_added, res->ncols_added);
	strbuf_addstr(sb, ", \"removed\": ");
	j_strv(sb, res->cols_removed, res->ncols_removed);
	strbuf_addf(sb, ", \"order_changed\": %s, \"type_changes\": [",
	    res->order_changed ? "true" : "false");
	for (size_t i = 0; i < res->ntype_changes; i++) {
		const struct diff_type_change *tc = &res->type_changes[i];

		strbuf_addstr(sb, i ? ", {\"column\": " : "{\"column\": ");
		j_str(sb, tc->column);
		strbuf_addf(sb, ", \"old\": \"%s\", \"new\": \"%s\"}",
		    value_type_name(tc->old_type),
		    value_type_name(tc->new_type));
	}
	strbuf_addstr(sb, "]},\n");

	strbuf_addf(sb,
	    "  \"summary\": {\"added\": %llu, \"removed\": %llu, "
	    "\"changed\": %llu, \"unchanged\": %llu,\n"
	    "              \"duplicate_keys_old\": %llu, "
	    "\"duplicate_keys_new\": %llu,\n"
	    "              \"null_keys_old\": %llu, \"null_keys_new\": %llu},\n",
	    (unsigned long long)res->added, (unsigned long long)res->removed,
	    (unsigned long long)res->changed,
	    (unsigned long long)res->unchanged,
	    (unsigned long long)res->dup_old, (unsigned long long)res->dup_new,
	    (unsigned long long)res->null_old,
	    (unsigned long long)res->null_new);

	strbuf_addstr(sb, "  \"columns\": [");
	for (size_t i = 0; i < res->ncolumns; i++) {
		strbuf_addstr(sb, i ? ", {\"name\": " : "{\"name\": ");
		j_str(sb, res->columns[i].name);
		strbuf_addf(sb, ", \"changed\": %llu}",
		    (unsigned long long)res->columns[i].changed);
	}
	strbuf_addstr(sb, "],\n");

	strbuf_addstr(sb, "  \"samples\": {\n");
	j_rows(sb, "added", res->s_added, res->ns_added, &res->new);
	strbuf_addstr(sb, ",\n");
	j_rows(sb, "removed", res->s_removed, res->ns_removed, &res->old);
	strbuf_addstr(sb, ",\n    \"changed\": [");
	for (size_t i = 0; i < res->ns_changed; i++) {
		const struct diff_changed_row *cr = &res->s_changed[i];

		strbuf_addstr(sb, i ? ",\n      " : "\n      ");
		strbuf_addstr(sb, "{\"key\": ");
		j_row(sb, res->key, cr->key, res->nkey);
		strbuf_addstr(sb, ", \"changes\": {");
		for (size_t j = 0; j < cr->nchanges; j++) {
			const struct diff_change *ch = &cr->changes[j];

			if (j)
				strbuf_addstr(sb, ", ");
			j_str(sb, res->columns[ch->column].name);
			strbuf_addstr(sb, ": [");
			j_str(sb, ch->old_value);
			strbuf_addstr(sb, ", ");
			j_str(sb, ch->new_value);
			strbuf_addch(sb, ']');
		}
		strbuf_addstr(sb, "}}");
	}
	strbuf_addstr(sb, res->ns_changed ? "\n    ],\n" : "],\n");
	j_key_rows(
	    sb, "duplicate_keys_old", res->s_dup_old, res->ns_dup_old, res);
	strbuf_addstr(sb, ",\n");
	j_key_rows(
	    sb, "duplicate_keys_new", res->s_dup_new, res->ns_dup_new, res);
	strbuf_addstr(sb, ",\n");
	j_key_rows(sb, "null_keys_old", res->s_null_old, res->ns_null_old, res);
	strbuf_addstr(sb, ",\n");
	j_key_rows(sb, "null_keys_new", res->s_null_new, res->ns_null_new, res);
	strbuf_addstr(sb, "\n  }\n}\n");
	return sb->overflow ? -1 : 0;
}

/* ---- shared helpers for the human renderings ---- */

/* compared columns with changes, most changed first (ties: file order) */
static size_t *
changed_columns(const struct diff_result *res, size_t *n)
{
	size_t *idx = xcalloc(res->ncolumns ? res->ncolumns : 1, sizeof(*idx));
	size_t k = 0;

	for (size_t i = 0; i < res->ncolumns; i++)
		if (res->columns[i].changed)
			idx[k++] = i;
	/* insertion sort: stable, and k is at most the column count */
	for (size_t i = 1; i < k; i++) {
		size_t v = idx[i], j = i;

		while (j > 0 &&
		    res->columns[idx[j - 1]].changed <
			res->columns[v].changed) {
			idx[j] = idx[j - 1];
			j--;
		}
		idx[j] = v;
	}
	*n = k;
	return idx;
}

/* ---- Markdown ---- */

static void
md_key_names(struct strbuf *sb, const struct diff_result *res)
{
	for (size_t i = 0; i < res->nkey; i++) {
		if (i)
			strbuf_addstr(sb, ", ");
		strbuf_addstr(sb, "**");
		md_str(sb, res->key[i]);
		strbuf_addstr(sb, "**");
	}
}

static void
md_key_value(struct strbuf *sb, const struct diff_result *res, char **key)
{
	for (size_t i = 0; i < res->nkey; i++) {
		if (i)
			strbuf_addstr(sb, ", ");
		if (res->nkey > 1) {
			md_str(sb, res->key[i]);
			strbuf_addstr(sb, " = ");
		}
		md_value(sb, key[i]);
	}
}

static void
md_names(struct strbuf *sb, char *const *v, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (i)
			strbuf_addstr(sb, ", ");
		md_str(sb, v[i]);
	}
}

static void
md_key_rows(struct strbuf *sb, const struct diff_result *res, const char *what,
    uint64_t n_old, uint64_t n_new, const struct diff_key_row *s_old,
    size_t ns_old, const struct diff_key_row *s_new, size_t ns_new)
{
	struct {
		const char *side;
		uint64_t n;
		const struct diff_key_row *s;
		size_t ns;
	} v[2] = {{"old", n_old, s_old, ns_old}, {"new", n_new, s_new, ns_new}};

	if (!n_old && !n_new)
		return;
	strbuf_addf(sb, "- ⚠️ %s: ", what);
	for (int k = 0; k < 2; k++) {
		if (k)
			strbuf_addstr(sb, "; ");
		report_add_count(sb, v[k].n);
		strbuf_addf(sb, " in the %s file", v[k].side);
		if (!v[k].ns)
			continue;
		strbuf_addstr(sb, " (");
		for (size_t i = 0; i < v[k].ns; i++) {
			if (i)
				strbuf_addstr(sb, ", ");
			if (v[k].s[i].key) {
				md_key_value(sb, res, v[k].s[i].key);
				strbuf_addstr(sb, " on ");
			}
			strbuf_addf(sb, "line %lu", v[k].s[i].line);
		}
		if (v[k].n > v[k].ns)
			strbuf_addstr(sb, ", …");
		strbuf_addch(sb, ')');
	}
	strbuf_addstr(sb, "\n");
}

static void
md_summary(struct strbuf *sb, const struct diff_result *res)
{
	/* a side without any header is a file that is new, or deleted */
	if (!res->old.has_header || !res->new.has_header) {
		int added = !res->old.has_header;

		strbuf_addstr(sb, added ? "New file: **" : "Deleted file: **");
		report_add_count(sb, added ? res->new.rows : res->old.rows);
		strbuf_addstr(sb, added ? "** rows" : "** rows removed");
		if (res->nkey) {
			strbuf_addstr(sb, ", key ");
			md_key_names(sb, res);
			strbuf_addf(
			    sb, " (%s)", diff_key_source_name(res->key_source));
		}
		strbuf_addstr(sb, "\n\n");
		return;
	}
	if (!diff_has_differences(res)) {
		strbuf_addstr(sb, "✅ No differences (");
		report_add_count(sb, res->new.rows);
		strbuf_addstr(sb, res->new.rows == 1 ? " row" : " rows");
		if (res->nkey) {
			strbuf_addstr(sb, ", key ");
			md_key_names(sb, res);
		}
		strbuf_addstr(sb, ").\n\n");
		return;
	}
	strbuf_addstr(sb, "**");
	report_add_count(sb, res->added);
	strbuf_addstr(sb, "** added · **");
	report_add_count(sb, res->removed);
	strbuf_addstr(sb, "** removed · **");
	report_add_count(sb, res->changed);
	strbuf_addstr(sb, "** changed · ");
	report_add_count(sb, res->unchanged);
	strbuf_addstr(sb, " unchanged — rows ");
	report_add_count(sb, res->old.rows);
	strbuf_addstr(sb, " → ");
	report_add_count(sb, res->new.rows);
	if (res->nkey) {
		strbuf_addstr(sb, ", key ");
		md_key_names(sb, res);
		strbuf_addf(sb, " (%s)", diff_key_source_name(res->key_source));
	} else {
		strbuf_addstr(sb, ", no key: rows compared as whole records");
	}
	strbuf_addstr(sb, "\n\n");
}

static void
md_schema(struct strbuf *sb, const struct diff_result *res)
{
	size_t before = sb->len;
	/* a new or deleted file has no schema change to speak of */
	int both = res->old.has_header && res->new.has_header;

	if (both && res->ncols_added) {
		strbuf_addstr(sb, "- Columns added: ");
		md_names(sb, res->cols_added, res->ncols_added);
		strbuf_addstr(sb, "\n");
	}
	if (both && res->ncols_removed) {
		strbuf_addstr(sb, "- Columns removed: ");
		md_names(sb, res->cols_removed, res->ncols_removed);
		strbuf_addstr(sb, "\n");
	}
	if (res->order_changed)
		strbuf_addstr(sb, "- Column order changed\n");
	for (size_t i = 0; i < res->ntype_changes; i++) {
		strbuf_addstr(sb, "- Type changed: ");
		md_str(sb, res->type_changes[i].column);
		strbuf_addf(sb, " %s → %s\n",
		    value_type_name(res->type_changes[i].old_type),
		    value_type_name(res->type_changes[i].new_type));
	}
	md_key_rows(sb, res, "Duplicate keys", res->dup_old, res->dup_new,
	    res->s_dup_old, res->ns_dup_old, res->s_dup_new, res->ns_dup_new);
	md_key_rows(sb, res, "Rows without a key", res->null_old, res->null_new,
	    res->s_null_old, res->ns_null_old, res->s_null_new,
	    res->ns_null_new);
	if (sb->len != before)
		strbuf_addstr(sb, "\n");
}

static void
md_columns(struct strbuf *sb, const struct diff_result *res)
{
	size_t n, *idx = changed_columns(res, &n);
	uint64_t matched = res->changed + res->unchanged;

	if (n) {
		strbuf_addstr(sb,
		    "| Column | Rows changed | Of matched rows |\n"
		    "|---|---:|---:|\n");
		for (size_t i = 0; i < n; i++) {
			const struct diff_column *c = &res->columns[idx[i]];

			strbuf_addstr(sb, "| ");
			md_str(sb, c->name);
			strbuf_addstr(sb, " | ");
			report_add_count(sb, c->changed);
			strbuf_addstr(sb, " | ");
			add_percent(sb, c->changed, matched);
			strbuf_addstr(sb, " |\n");
		}
		if (res->ncolumns > n)
			strbuf_addf(sb,
			    "\n%zu other compared column%s unchanged.\n",
			    res->ncolumns - n,
			    res->ncolumns - n == 1 ? "" : "s");
		strbuf_addstr(sb, "\n");
	}
	free(idx);
}

static void
md_shown(struct strbuf *sb, const char *what, size_t shown, uint64_t total)
{
	strbuf_addf(sb, "**%s** (", what);
	if (shown < total) {
		strbuf_addf(sb, "first %zu of ", shown);
		report_add_count(sb, total);
	} else {
		report_add_count(sb, total);
	}
	strbuf_addstr(sb, ")\n\n");
}

static void
md_row_table(struct strbuf *sb, const char *what, const struct diff_row *rows,
    size_t n, uint64_t total, const struct diff_side_info *side)
{
	size_t ncols = side->ncolumns;

	if (!n)
		return;
	if (ncols > MD_TABLE_MAX_COLUMNS)
		ncols = MD_TABLE_MAX_COLUMNS;
	md_shown(sb, what, n, total);
	strbuf_addstr(sb, "|");
	for (size_t c = 0; c < ncols; c++) {
		strbuf_addstr(sb, " ");
		md_str(sb, side->columns[c]);
		strbuf_addstr(sb, " |");
	}
	if (ncols < side->ncolumns)
		strbuf_addstr(sb, " … |");
	strbuf_addstr(sb, "\n|");
	for (size_t c = 0; c < ncols; c++)
		strbuf_addstr(sb, "---|");
	if (ncols < side->ncolumns)
		strbuf_addstr(sb, "---|");
	strbuf_addstr(sb, "\n");
	for (size_t i = 0; i < n; i++) {
		strbuf_addstr(sb, "|");
		for (size_t c = 0; c < ncols && c < rows[i].nvalues; c++) {
			strbuf_addstr(sb, " ");
			md_value(sb, rows[i].values[c]);
			strbuf_addstr(sb, " |");
		}
		if (ncols < side->ncolumns)
			strbuf_addf(
			    sb, " +%zu columns |", side->ncolumns - ncols);
		strbuf_addstr(sb, "\n");
	}
	strbuf_addstr(sb, "\n");
}

static void
md_changed_table(struct strbuf *sb, const struct diff_result *res)
{
	if (!res->ns_changed)
		return;
	md_shown(sb, "Changed rows", res->ns_changed, res->changed);
	strbuf_addstr(sb, "|");
	for (size_t k = 0; k < res->nkey; k++) {
		strbuf_addstr(sb, " ");
		md_str(sb, res->key[k]);
		strbuf_addstr(sb, " |");
	}
	strbuf_addstr(sb, " Column | Old | New |\n|");
	for (size_t k = 0; k < res->nkey + 3; k++)
		strbuf_addstr(sb, "---|");
	strbuf_addstr(sb, "\n");
	for (size_t i = 0; i < res->ns_changed; i++) {
		const struct diff_changed_row *cr = &res->s_changed[i];

		for (size_t j = 0; j < cr->nchanges; j++) {
			const struct diff_change *ch = &cr->changes[j];

			strbuf_addstr(sb, "|");
			for (size_t k = 0; k < res->nkey; k++) {
				strbuf_addstr(sb, " ");
				md_value(sb, cr->key[k]);
				strbuf_addstr(sb, " |");
			}
			strbuf_addstr(sb, " ");
			md_str(sb, res->columns[ch->column].name);
			strbuf_addstr(sb, " | ");
			md_value(sb, ch->old_value);
			strbuf_addstr(sb, " | ");
			md_value(sb, ch->new_value);
			strbuf_addstr(sb, " |\n");
		}
	}
	strbuf_addstr(sb, "\n");
}

int
report_markdown(struct strbuf *sb, const struct diff_result *res,
    const char *title, enum report_detail detail)
{
	strbuf_addstr(sb, "#### ");
	md_str(sb, title ? title : res->new.path);
	strbuf_addstr(sb, "\n\n");
	md_summary(sb, res);
	md_schema(sb, res);
	if (detail != REPORT_DETAIL_SUMMARY)
		md_columns(sb, res);
	if (detail == REPORT_DETAIL_FULL) {
		md_changed_table(sb, res);
		md_row_table(sb, "Added rows", res->s_added, res->ns_added,
		    res->added, &res->new);
		md_row_table(sb, "Removed rows", res->s_removed,
		    res->ns_removed, res->removed, &res->old);
	}
	return sb->overflow ? -1 : 0;
}

/* ---- text ---- */

static void
text_names(struct strbuf *sb, char *const *v, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (i)
			strbuf_addstr(sb, ", ");
		text_str(sb, v[i]);
	}
}

static void
text_key_value(struct strbuf *sb, const struct diff_result *res, char **key)
{
	for (size_t i = 0; i < res->nkey; i++) {
		if (i)
			strbuf_addstr(sb, ", ");
		text_str(sb, res->key[i]);
		strbuf_addch(sb, '=');
		text_value(sb, key[i]);
	}
}

static void
text_row(struct strbuf *sb, const struct diff_row *row,
    const struct diff_side_info *side)
{
	for (size_t c = 0; c < row->nvalues && c < side->ncolumns; c++) {
		if (c)
			strbuf_addstr(sb, ", ");
		text_str(sb, side->columns[c]);
		strbuf_addch(sb, '=');
		text_value(sb, row->values[c]);
	}
}

static void
text_shown(struct strbuf *sb, const char *what, size_t shown, uint64_t total)
{
	strbuf_addf(sb, "\n%s (", what);
	if (shown < total) {
		strbuf_addf(sb, "first %zu of ", shown);
		report_add_count(sb, total);
	} else {
		report_add_count(sb, total);
	}
	strbuf_addstr(sb, "):\n");
}

static void
text_key_rows(struct strbuf *sb, const struct diff_result *res,
    const char *what, uint64_t n, const struct diff_key_row *s, size_t ns)
{
	if (!n)
		return;
	strbuf_addf(sb, "%s: ", what);
	report_add_count(sb, n);
	for (size_t i = 0; i < ns; i++) {
		strbuf_addstr(sb, i ? ", " : " (");
		if (s[i].key) {
			text_key_value(sb, res, s[i].key);
			strbuf_addstr(sb, " on ");
		}
		strbuf_addf(sb, "line %lu", s[i].line);
	}
	if (ns)
		strbuf_addstr(sb, n > ns ? ", ...)" : ")");
	strbuf_addstr(sb, "\n");
}

int
report_text(struct strbuf *sb, const struct diff_result *res)
{
	size_t n, *idx;
	uint64_t matched = res->changed + res->unchanged;

	text_str(sb, res->old.path);
	strbuf_addstr(sb, " -> ");
	text_str(sb, res->new.path);
	strbuf_addstr(sb, "\nrows: ");
	report_add_count(sb, res->old.rows);
	strbuf_addstr(sb, " -> ");
	report_add_count(sb, res->new.rows);
	strbuf_addstr(sb, "   key: ");
	if (res->nkey) {
		text_names(sb, res->key, res->nkey);
		strbuf_addf(sb, " (%s)", diff_key_source_name(res->key_source));
	} else {
		strbuf_addstr(sb, "none (rows compared as whole records)");
	}
	strbuf_addstr(sb, "\n");
	if (!diff_has_differences(res)) {
		strbuf_addstr(sb, "no differences\n");
		return sb->overflow ? -1 : 0;
	}
	strbuf_addstr(sb, "added ");
	report_add_count(sb, res->added);
	strbuf_addstr(sb, ", removed ");
	report_add_count(sb, res->removed);
	strbuf_addstr(sb, ", changed ");
	report_add_count(sb, res->changed);
	strbuf_addstr(sb, ", unchanged ");
	report_add_count(sb, res->unchanged);
	strbuf_addstr(sb, "\n");
	if (res->ncols_added) {
		strbuf_addstr(sb, "columns added: ");
		text_names(sb, res->cols_added, res->ncols_added);
		strbuf_addstr(sb, "\n");
	}
	if (res->ncols_removed) {
		strbuf_addstr(sb, "columns removed: ");
		text_names(sb, res->cols_removed, res->ncols_removed);
		strbuf_addstr(sb, "\n");
	}
	if (res->order_changed)
		strbuf_addstr(sb, "column order changed\n");
	for (size_t i = 0; i < res->ntype_changes; i++) {
		strbuf_addstr(sb, "type changed: ");
		text_str(sb, res->type_changes[i].column);
		strbuf_addf(sb, " %s -> %s\n",
		    value_type_name(res->type_changes[i].old_type),
		    value_type_name(res->type_changes[i].new_type));
	}
	text_key_rows(sb, res, "duplicate keys in old", res->dup_old,
	    res->s_dup_old, res->ns_dup_old);
	text_key_rows(sb, res, "duplicate keys in new", res->dup_new,
	    res->s_dup_new, res->ns_dup_new);
	text_key_rows(sb, res, "rows without a key in old", res->null_old,
	    res->s_null_old, res->ns_null_old);
	text_key_rows(sb, res, "rows without a key in new", res->null_new,
	    res->s_null_new, res->ns_null_new);

	idx = changed_columns(res, &n);
	if (n) {
		strbuf_addstr(sb, "\nchanged columns:\n");
		for (size_t i = 0; i < n; i++) {
			const struct diff_column *c = &res->columns[idx[i]];
			size_t start = sb->len;

			strbuf_addstr(sb, "  ");
			text_str(sb, c->name);
			while (sb->len - start < 24 && !sb->overflow)
				strbuf_addch(sb, ' ');
			strbuf_addch(sb, ' ');
			report_add_count(sb, c->changed);
			strbuf_addstr(sb, " (");
			add_percent(sb, c->changed, matched);
			strbuf_addstr(sb, ")\n");
		}
	}
	free(idx);
	if (res->ns_changed) {
		text_shown(sb, "changed rows", res->ns_changed, res->changed);
		for (size_t i = 0; i < res->ns_changed; i++) {
			const struct diff_changed_row *cr = &res->s_changed[i];

			strbuf_addstr(sb, "  ~ ");
			text_key_value(sb, res, cr->key);
			strbuf_addstr(sb, ":");
			for (size_t j = 0; j < cr->nchanges; j++) {
				const struct diff_change *ch = &cr->changes[j];

				strbuf_addstr(sb, j ? "; " : " ");
				text_str(sb, res->columns[ch->column].name);
				strbuf_addch(sb, ' ');
				text_value(sb, ch->old_value);
				strbuf_addstr(sb, " -> ");
				text_value(sb, ch->new_value);
			}
			strbuf_addstr(sb, "\n");
		}
	}
	if (res->ns_added) {
		text_shown(sb, "added rows", res->ns_added, res->added);
		for (size_t i = 0; i < res->ns_added; i++) {
			strbuf_addstr(sb, "  + ");
			text_row(sb, &res->s_added[i], &res->new);
			strbuf_addstr(sb, "\n");
		}
	}
	if (res->ns_removed) {
		text_shown(sb, "removed rows", res->ns_removed, res->removed);
		for (size_t i = 0; i < res->ns_removed; i++) {
			strbuf_addstr(sb, "  - ");
			text_row(sb, &res->s_removed[i], &res->old);
			strbuf_addstr(sb, "\n");
		}
	}
	return sb->overflow ? -1 : 0;
}

int
report_render(struct strbuf *sb, const struct diff_result *res,
    enum report_format fmt, const char *title)
{
	switch (fmt) {
	case REPORT_JSON:
		return report_json(sb, res);
	case REPORT_MARKDOWN:
		return report_markdown(sb, res, title, REPORT_DETAIL_FULL);
	case REPORT_TEXT:
		break;
	}
	return report_text(sb, res);
}
