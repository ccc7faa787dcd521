/*
 * prreport: the pull-request report thread's Markdown (design.md 5.7;
 * pure, fuzzed through tests/fuzz/fuzz_diff.c).
 *
 * Starts with the hidden marker and data digest, then a headline with the
 * totals and the compared commits, a summary table (file, key, rows old -> new, added,
 * removed, changed, schema and key checks), the files that could not be
 * diffed with the reason, then each changed file's section (report.h) and
 * a footer. The whole stays within max_bytes (Azure DevOps takes 150,000
 * characters; bytes bound every way of counting them): per-file details
 * are cut first (samples, then columns, then the section), with a visible
 * note of what was left out; the summary table is never cut below its
 * totals. Only Markdown Azure DevOps renders (tables, headings, emphasis,
 * code spans, emoji); no HTML but the two hidden comments.
 */
#ifndef PRREPORT_H
#define PRREPORT_H

#include <stddef.h>

#include "compat.h"
#include "diff.h"
#include "strbuf.h"

#define PRREPORT_MARKER "<!-- datadiffd:report -->"

/*
 * The second line, "<!-- datadiffd:data HEX -->", a digest of what the
 * report says about the data (commits, refs, iteration and footer left
 * out): a new push that leaves it unchanged changed no data.
 */
#define PRREPORT_DIGEST_OPEN "<!-- datadiffd:data "
#define PRREPORT_DIGEST_LEN  16

enum prreport_kind {
	PRREPORT_EDIT,
	PRREPORT_ADD,
	PRREPORT_DELETE,
	PRREPORT_RENAME,
};

struct prreport_file {
	const char *path;     /* repository path, without its leading '/' */
	const char *old_path; /* a rename's source, or NULL */
	enum prreport_kind kind;
	const struct diff_result *res; /* NULL when not diffed */
	const char *skipped;           /* why it was not diffed, or NULL */
	const char *failed; /* the fail_on condition it hit, or NULL */
};

struct prreport {
	const char *source_ref; /* "refs/heads/topic" or "" */
	const char *target_ref;
	const char *base_commit; /* merge base (40 hex) */
	const char *head_commit;
	unsigned iteration;
	const struct prreport_file *files;
	size_t nfiles;
	size_t nother;        /* changed files that are not data files */
	const char *includes; /* the include globs, for the "none" line */
	const char *footer;   /* "datadiffd 0.1.0 · updated ..." */
};

/*
 * Render the report into sb (which must allow at least max_bytes + 1).
 * Returns 0, or -1 when even the shortest form does not fit.
 */
int prreport_render(
    struct strbuf *sb, const struct prreport *pr, size_t max_bytes);

/*
 * The data digest of a rendered report (the hex between
 * PRREPORT_DIGEST_OPEN and " -->"), copied into out. Returns 0, or -1
 * when content has none.
 */
int prreport_digest(
    const char *content, size_t len, char out[PRREPORT_DIGEST_LEN + 1]);

#endif /* PRREPORT_H */
