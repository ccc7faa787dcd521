/*
 * prreport.c: the pull-request report (see prreport.h).
 */
#include "prreport.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <xxhash.h>

#include "bounds.h"
#include "event.h"
#include "report.h"
#include "xmalloc.h"
#include "banned.h"

#define PATH_CHARS   120  /* of a file path in the table */
#define NOTE_RESERVE 1024 /* bytes kept for the "left out" note */

static const char *
short_ref(const char *ref)
{
	if (strncmp(ref, "refs/heads/", 11) == 0)
		return ref + 11;
	return ref;
}

static void
md(struct strbuf *sb, const char *s, size_t max)
{
	report_md_escape(sb, s, strlen(s), max);
}

static int
has_changes(const struct diff_result *r)
{
	return r && diff_has_differences(r);
}

/* "+qty; −b; price integer → decimal; reordered; ⚠️ 2 duplicate keys" */
static void
schema_cell(struct strbuf *sb, const struct prreport_file *f)
{
	const struct diff_result *r = f->res;
	size_t start = sb->len;

#define SEP()                                    \
	do {                                     \
		if (sb->len != start)            \
			strbuf_addstr(sb, "; "); \
	} while (0)
	if (f->kind != PRREPORT_ADD && f->kind != PRREPORT_DELETE) {
		for (size_t i = 0; i < r->ncols_added && i < 8; i++) {
			SEP();
			strbuf_addstr(sb, "+");
			md(sb, r->cols_added[i], 40);
		}
		for (size_t i = 0; i < r->ncols_removed && i < 8; i++) {
			SEP();
			strbuf_addstr(sb, "−");
			md(sb, r->cols_removed[i], 40);
		}
		if (r->ncols_added + r->ncols_removed > 16) {
			SEP();
			strbuf_addstr(sb, "…");
		}
		for (size_t i = 0; i < r->ntype_changes && i < 8; i++) {
			SEP();
			md(sb, r->type_changes[i].column, 40);
			strbuf_addf(sb, " %s → %s",
			    value_type_name(r->type_changes[i].old_type),
			    value_type_name(r->type_changes[i].new_type));
		}
		if (r->order_changed) {
			SEP();
			strbuf_addstr(sb, "columns reordered");
		}
	}
	if (r->dup_new || r->dup_old) {
		SEP();
		strbuf_addstr(sb, "⚠️ duplicate keys: ");
		report_add_count(sb, r->dup_old);
		strbuf_addstr(sb, " → ");
		report_add_count(sb, r->dup_new);
	}
	if (r->null_new || r->null_old) {
		SEP();
		strbuf_addstr(sb, "⚠️ rows without a key: ");
		report_add_count(sb, r->null_old);
		strbuf_addstr(sb, " → ");
		report_add_count(sb, r->null_new);
	}
	if (f->failed) {
		SEP();
		strbuf_addstr(sb, "❌ ");
		md(sb, f->failed, 60);
	}
#undef SEP
}

static void
file_cell(struct strbuf *sb, const struct prreport_file *f)
{
	md(sb, f->path, PATH_CHARS);
	switch (f->kind) {
	case PRREPORT_ADD:
		strbuf_addstr(sb, " *(new file)*");
		break;
	case PRREPORT_DELETE:
		strbuf_addstr(sb, " *(deleted)*");
		break;
	case PRREPORT_RENAME:
		strbuf_addstr(sb, " *(renamed from ");
		md(sb, f->old_path ? f->old_path : "?", PATH_CHARS);
		strbuf_addstr(sb, ")*");
		break;
	case PRREPORT_EDIT:
		break;
	}
}

static void
table_row(struct strbuf *sb, const struct prreport_file *f)
{
	const struct diff_result *r = f->res;
	uint64_t matched = r->changed + r->unchanged;

	strbuf_addstr(sb, "| ");
	file_cell(sb, f);
	strbuf_addstr(sb, " | ");
	if (r->nkey) {
		for (size_t k = 0; k < r->nkey; k++) {
			if (k)
				strbuf_addstr(sb, ", ");
			md(sb, r->key[k], 40);
		}
		strbuf_addf(sb, " *(%s)*", diff_key_source_name(r->key_source));
	} else {
		strbuf_addstr(sb, "*none*");
	}
	strbuf_addstr(sb, " | ");
	if (f->kind == PRREPORT_ADD)
		strbuf_addstr(sb, "–");
	else
		report_add_count(sb, r->old.rows);
	strbuf_addstr(sb, " → ");
	if (f->kind == PRREPORT_DELETE)
		strbuf_addstr(sb, "–");
	else
		report_add_count(sb, r->new.rows);
	strbuf_addstr(sb, " | ");
	if (r->added) {
		strbuf_addstr(sb, "+");
		report_add_count(sb, r->added);
	}
	strbuf_addstr(sb, " | ");
	if (r->removed) {
		strbuf_addstr(sb, "−");
		report_add_count(sb, r->removed);
	}
	strbuf_addstr(sb, " | ");
	if (r->changed) {
		report_add_count(sb, r->changed);
		if (matched)
			strbuf_addf(sb, " (%.1f%%)",
			    100.0 * (double)r->changed / (double)matched);
	}
	strbuf_addstr(sb, " | ");
	if (!has_changes(r))
		strbuf_addstr(sb, "no data changes");
	else
		schema_cell(sb, f);
	strbuf_addstr(sb, " |\n");
}

struct totals {
	size_t diffed, changed, skipped, failed;
	uint64_t added, removed, rows_changed;
};

static void
totals_of(const struct prreport *pr, struct totals *t)
{
	memset(t, 0, sizeof(*t));
	for (size_t i = 0; i < pr->nfiles; i++) {
		const struct prreport_file *f = &pr->files[i];

		if (f->failed)
			t->failed++;
		if (!f->res) {
			t->skipped++;
			continue;
		}
		t->diffed++;
		if (has_changes(f->res))
			t->changed++;
		t->added += f->res->added;
		t->removed += f->res->removed;
		t->rows_changed += f->res->changed;
	}
}

static void
headline(struct strbuf *sb, const struct prreport *pr, const struct totals *t)
{
	strbuf_addstr(sb, "### 📊 Data diff\n\n");
	if (pr->nfiles == 0) {
		strbuf_addstr(
		    sb, "✅ No data files changed in this pull request");
		if (pr->nother)
			strbuf_addf(sb, " (%zu other file%s changed)",
			    pr->nother, pr->nother == 1 ? "" : "s");
		strbuf_addstr(sb, ". Data files are those matching ");
		md(sb, pr->includes ? pr->includes : "", 200);
		strbuf_addstr(sb, ".\n\n");
	} else if (t->changed == 0 && t->skipped == 0) {
		strbuf_addf(sb,
		    "✅ **No data changes**: %zu data file%s changed, and "
		    "their rows are identical (formatting only).\n\n",
		    t->diffed, t->diffed == 1 ? "" : "s");
	} else {
		strbuf_addf(sb, "**%zu data file%s** changed", pr->nfiles,
		    pr->nfiles == 1 ? "" : "s");
		strbuf_addstr(sb, " · **+");
		report_add_count(sb, t->added);
		strbuf_addstr(sb, "** rows added · **−");
		report_add_count(sb, t->removed);
		strbuf_addstr(sb, "** removed · **");
		report_add_count(sb, t->rows_changed);
		strbuf_addstr(sb, "** changed");
		if (t->skipped)
			strbuf_addf(
			    sb, " · ⚠️ %zu not diffed", t->skipped);
		if (t->failed)
			strbuf_addf(sb, " · ❌ %zu failing a check", t->failed);
		strbuf_addstr(sb, "\n\n");
	}
	strbuf_addstr(sb, "Compared ");
	if (pr->base_commit && *pr->base_commit)
		strbuf_addf(sb, "`%.7s` (merge base", pr->base_commit);
	else
		strbuf_addstr(sb, "the merge base (");
	if (pr->target_ref && *pr->target_ref) {
		strbuf_addstr(sb, " with ");
		md(sb, short_ref(pr->target_ref), 80);
	}
	strbuf_addstr(sb, ") → ");
	if (pr->head_commit && *pr->head_commit)
		strbuf_addf(sb, "`%.7s` (", pr->head_commit);
	else
		strbuf_addstr(sb, "the head (");
	if (pr->source_ref && *pr->source_ref) {
		md(sb, short_ref(pr->source_ref), 80);
		strbuf_addstr(sb, ", ");
	}
	strbuf_addf(sb, "iteration %u).\n\n", pr->iteration);
}

static void
skipped_list(struct strbuf *sb, const struct prreport *pr, size_t max)
{
	size_t shown = 0, n = 0;

	for (size_t i = 0; i < pr->nfiles; i++)
		if (!pr->files[i].res)
			n++;
	if (!n)
		return;
	strbuf_addstr(sb, "**Not diffed**\n\n");
	for (size_t i = 0; i < pr->nfiles && shown < max; i++) {
		const struct prreport_file *f = &pr->files[i];

		if (f->res)
			continue;
		strbuf_addstr(sb, "- ⚠️ ");
		file_cell(sb, f);
		strbuf_addstr(sb, ": ");
		md(sb, f->skipped ? f->skipped : "not diffed", 300);
		if (f->failed) {
			strbuf_addstr(sb, " ❌ ");
			md(sb, f->failed, 60);
		}
		strbuf_addstr(sb, "\n");
		shown++;
	}
	if (shown < n)
		strbuf_addf(sb, "- … and %zu more\n", n - shown);
	strbuf_addstr(sb, "\n");
}

/* the summary: headline, table (at most max_rows rows), skipped files */
static void
summary(struct strbuf *sb, const struct prreport *pr, size_t max_rows)
{
	struct totals t;
	size_t rows = 0, diffed = 0;

	totals_of(pr, &t);
	headline(sb, pr, &t);
	for (size_t i = 0; i < pr->nfiles; i++)
		diffed += pr->files[i].res != NULL;
	if (diffed) {
		strbuf_addstr(sb,
		    "| File | Key | Rows | Added | Removed | "
		    "Changed | Schema and checks |\n"
		    "|---|---|---:|---:|---:|---:|---|\n");
		for (size_t i = 0; i < pr->nfiles && rows < max_rows; i++) {
			if (!pr->files[i].res)
				continue;
			table_row(sb, &pr->files[i]);
			rows++;
		}
		if (rows < diffed)
			strbuf_addf(sb,
			    "| … %zu more files, counted in the totals above "
			    "| | | | | | |\n",
			    diffed - rows);
		strbuf_addstr(sb, "\n");
	}
	skipped_list(sb, pr, max_rows);
}

static int
render(struct strbuf *sb, const struct prreport *pr, size_t max_bytes)
{
	static const enum report_detail levels[] = {
	    REPORT_DETAIL_FULL, REPORT_DETAIL_COLUMNS, REPORT_DETAIL_SUMMARY};
	struct strbuf head, foot, sec, hint;
	size_t max_rows = pr->nfiles, used, left_out = 0, cut = 0;
	size_t start = sb->len;
	int ret = -1;

	strbuf_init(&head, max_bytes + 1);
	strbuf_init(&foot, 4096);
	strbuf_init(&hint, 512);
	strbuf_init(&sec, max_bytes + 1);
	strbuf_addstr(&foot, "---\n_");
	md(&foot, pr->footer ? pr->footer : "datadiffd", 200);
	strbuf_addstr(&foot, "_\n");
	/* how to see everything: the commit is hex, the path a placeholder */
	if (pr->nfiles && pr->base_commit && event_is_sha1(pr->base_commit))
		strbuf_addf(&hint,
		    "Every row of a file, in a checkout of the pull request: "
		    "`datadiff <(git show %.7s:PATH) PATH`\n\n",
		    pr->base_commit);

	/* the summary must fit with room for a note: fewer rows if need be */
	for (;;) {
		strbuf_reset(&head);
		summary(&head, pr, max_rows);
		if (!head.overflow &&
		    head.len + foot.len + hint.len + NOTE_RESERVE <= max_bytes)
			break;
		if (max_rows == 0)
			goto out;
		max_rows = max_rows > 20 ? max_rows / 2 : max_rows - 1;
	}
	used = head.len + foot.len + hint.len + NOTE_RESERVE;
	strbuf_add(sb, head.buf, head.len);

	for (size_t i = 0; i < pr->nfiles; i++) {
		const struct prreport_file *f = &pr->files[i];
		int placed = 0;

		if (!has_changes(f->res))
			continue;
		for (size_t l = 0; l < ARRAY_SIZE(levels) && !placed; l++) {
			strbuf_reset(&sec);
			report_markdown(&sec, f->res, f->path, levels[l]);
			if (sec.overflow || used + sec.len > max_bytes)
				continue;
			strbuf_add(sb, sec.buf, sec.len);
			used += sec.len;
			placed = 1;
			if (l > 0)
				cut++;
		}
		if (!placed)
			left_out++;
	}
	if (cut || left_out) {
		strbuf_addstr(sb,
		    "> ✂️ **Shortened** to stay within Azure "
		    "DevOps' 150,000-character comment limit: ");
		if (cut)
			strbuf_addf(sb,
			    "%zu file%s shown without samples or "
			    "columns",
			    cut, cut == 1 ? "" : "s");
		if (cut && left_out)
			strbuf_addstr(sb, ", ");
		if (left_out)
			strbuf_addf(sb, "details of %zu file%s left out",
			    left_out, left_out == 1 ? "" : "s");
		strbuf_addstr(sb,
		    ". Run `datadiff` on the files for the full "
		    "picture.\n\n");
	}
	if (max_rows < pr->nfiles)
		strbuf_addstr(sb,
		    "> ✂️ The summary table lists only the first "
		    "files; the totals count them all.\n\n");
	strbuf_add(sb, hint.buf, hint.len);
	strbuf_add(sb, foot.buf, foot.len);
	ret = sb->overflow || sb->len - start > max_bytes ? -1 : 0;
out:
	strbuf_release(&head);
	strbuf_release(&foot);
	strbuf_release(&hint);
	strbuf_release(&sec);
	return ret;
}

/* the marker, then the digest line: "<!-- datadiffd:data HEX -->" */
#define HEAD_LEN                                                          \
	(sizeof(PRREPORT_MARKER "\n" PRREPORT_DIGEST_OPEN " -->\n") - 1 + \
	    PRREPORT_DIGEST_LEN)

int
prreport_render(struct strbuf *sb, const struct prreport *pr, size_t max_bytes)
{
	struct prreport blank = *pr;
	struct strbuf data;
	unsigned long long digest;

	if (max_bytes < HEAD_LEN)
		return -1;
	/*
	 * The digest covers what the data says, not where it was found: the
	 * report rendered without commits, refs, iteration and footer.
	 */
	blank.source_ref = blank.target_ref = "";
	blank.base_commit = blank.head_commit = "";
	blank.iteration = 0;
	blank.footer = "";
	strbuf_init(&data, max_bytes + 1);
	if (render(&data, &blank, max_bytes - HEAD_LEN) == -1) {
		strbuf_release(&data);
		return -1;
	}
	digest = (unsigned long long)XXH3_64bits(data.buf, data.len);
	strbuf_release(&data);
	strbuf_addf(sb,
	    PRREPORT_MARKER "\n" PRREPORT_DIGEST_OPEN "%0*llx -->\n",
	    PRREPORT_DIGEST_LEN, digest);
	return render(sb, pr, max_bytes - HEAD_LEN);
}

int
prreport_digest(
    const char *content, size_t len, char out[PRREPORT_DIGEST_LEN + 1])
{
	static const char open[] = PRREPORT_DIGEST_OPEN;
	const size_t olen = sizeof(open) - 1;
	const char *p;

	/* it is the second line; never search a whole comment */
	if (len > 4096)
		len = 4096;
	p = memmem(content, len, open, olen);
	if (!p || (size_t)(p - content) + olen + PRREPORT_DIGEST_LEN > len)
		return -1;
	p += olen;
	for (size_t i = 0; i < PRREPORT_DIGEST_LEN; i++) {
		if (!strchr("0123456789abcdef", p[i]) || p[i] == '\0')
			return -1;
		out[i] = p[i];
	}
	out[PRREPORT_DIGEST_LEN] = '\0';
	return 0;
}
