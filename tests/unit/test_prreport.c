/*
 * test_prreport.c: the report thread's Markdown (design.md 5.7), its
 * summary and the 150,000-character limit.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "unit.h"
#include "diff.h"
#include "prreport.h"
#include "strbuf.h"
#include "xmalloc.h"
#include "banned.h"

#define C40(c)                                                                \
	c c c c c c c c c c c c c c c c c c c c c c c c c c c c c c c c c c c \
	    c c c c c

static struct diff_result *
diff_str(const char *a, const char *b)
{
	struct diff_table t[2] = {
	    {"old.csv", a, strlen(a), ','},
	    {"new.csv", b, strlen(b), ','},
	};
	struct diff_options o;
	struct diff_error err;
	struct diff_result *res;

	diff_options_init(&o);
	res = diff_run(&t[0], &t[1], &o, &err);
	if (!res)
		fail_msg("diff: %s", err.msg);
	return res;
}

static void
pr_init(struct prreport *pr, const struct prreport_file *f, size_t n)
{
	memset(pr, 0, sizeof(*pr));
	pr->source_ref = "refs/heads/topic";
	pr->target_ref = "refs/heads/main";
	pr->base_commit = C40("a");
	pr->head_commit = C40("b");
	pr->iteration = 3;
	pr->files = f;
	pr->nfiles = n;
	pr->includes = "*.csv *.tsv";
	pr->footer = "datadiffd test";
}

static void
test_summary(void **state)
{
	struct diff_result *edit, *add, *del;
	struct prreport_file f[4];
	struct prreport pr;
	struct strbuf sb;

	(void)state;
	edit =
	    diff_str("id,v\n1,a\n2,b\n3,c\n", "id,v,w\n1,a,x\n2,B,y\n4,d,z\n");
	add = diff_str("", "id,v\n1,a\n2,b\n");
	del = diff_str("id,v\n1,a\n", "");
	memset(f, 0, sizeof(f));
	f[0] = (struct prreport_file){
	    "data/a.csv", NULL, PRREPORT_EDIT, edit, NULL, NULL};
	f[1] = (struct prreport_file){
	    "data/new|x.csv", NULL, PRREPORT_ADD, add, NULL, NULL};
	f[2] = (struct prreport_file){"old/b.csv", NULL, PRREPORT_DELETE, del,
	    NULL, "fail_on duplicate_keys"};
	f[3] = (struct prreport_file){"data/bad.csv", NULL, PRREPORT_EDIT, NULL,
	    "line 3 (new version): unterminated quoted field", NULL};
	pr_init(&pr, f, 4);
	strbuf_init(&sb, 200000);
	assert_int_equal(prreport_render(&sb, &pr, 150000), 0);
	assert_true(strncmp(sb.buf, PRREPORT_MARKER "\n" PRREPORT_DIGEST_OPEN,
			46) == 0);
	assert_non_null(strstr(sb.buf, " -->\n### 📊 Data diff\n"));
	assert_non_null(strstr(sb.buf,
	    "**4 data files** changed · **+3** rows added · **−2** removed · "
	    "**1** changed · ⚠️ 1 not diffed · ❌ 1 failing a check"));
	assert_non_null(strstr(sb.buf,
	    "Compared `aaaaaaa` (merge base with main) → `bbbbbbb` (topic, "
	    "iteration 3)."));
	assert_non_null(strstr(sb.buf,
	    "| data/a.csv | id *(auto)* | 3 → 3 | +1 | −1 | 1 (50.0%) | +w |"));
	/* data in a path is escaped too */
	assert_non_null(strstr(sb.buf,
	    "| data/new\\|x.csv *(new file)* | id *(auto)* | – → 2 | +2 |"));
	assert_non_null(strstr(sb.buf,
	    "| old/b.csv *(deleted)* | id *(auto)* | 1 → – |  | −1 |  | ❌ "
	    "fail\\_on duplicate\\_keys |"));
	assert_non_null(strstr(sb.buf,
	    "- ⚠️ data/bad.csv: line 3 \\(new version\\): unterminated quoted "
	    "field\n"));
	/* details of each changed file, after the summary */
	assert_true(strstr(sb.buf, "#### data/a.csv") >
	    strstr(sb.buf, "**Not diffed**"));
	assert_non_null(strstr(sb.buf, "New file: **2** rows"));
	assert_null(strstr(sb.buf, "Shortened"));
	assert_non_null(
	    strstr(sb.buf, "`datadiff <(git show aaaaaaa:PATH) PATH`"));
	assert_non_null(strstr(sb.buf, "---\n_datadiffd test_\n"));
	strbuf_release(&sb);
	diff_result_free(edit);
	diff_result_free(add);
	diff_result_free(del);
}

static void
test_nothing_to_report(void **state)
{
	struct diff_result *same;
	struct prreport_file f[1];
	struct prreport pr;
	struct strbuf sb;

	(void)state;
	pr_init(&pr, NULL, 0);
	pr.nother = 3;
	strbuf_init(&sb, 200000);
	assert_int_equal(prreport_render(&sb, &pr, 150000), 0);
	assert_non_null(strstr(sb.buf,
	    "✅ No data files changed in this pull request (3 other files "
	    "changed). Data files are those matching \\*.csv \\*.tsv."));
	strbuf_reset(&sb);
	/* CRLF to LF and quoting: a changed file with identical rows */
	same = diff_str("id,v\n1,a\n", "\"id\",\"v\"\r\n1,\"a\"\r\n");
	f[0] = (struct prreport_file){
	    "d.csv", NULL, PRREPORT_EDIT, same, NULL, NULL};
	pr_init(&pr, f, 1);
	assert_int_equal(prreport_render(&sb, &pr, 150000), 0);
	assert_non_null(strstr(sb.buf,
	    "✅ **No data changes**: 1 data file "
	    "changed, and their rows are identical"));
	assert_non_null(strstr(sb.buf, "| no data changes |"));
	assert_null(strstr(sb.buf, "#### d.csv"));
	strbuf_release(&sb);
	diff_result_free(same);
}

/* a changed file with long values in every sampled row */
static struct diff_result *
wide_diff(size_t rows)
{
	struct strbuf a, b;
	struct diff_result *res;

	strbuf_init(&a, 1 << 22);
	strbuf_init(&b, 1 << 22);
	strbuf_addstr(&a, "id,c1,c2,c3,c4,c5,c6,c7,c8\n");
	strbuf_addstr(&b, "id,c1,c2,c3,c4,c5,c6,c7,c8\n");
	for (size_t i = 0; i < rows; i++) {
		strbuf_addf(&a, "%zu", i);
		strbuf_addf(&b, "%zu", i);
		for (int c = 0; c < 8; c++) {
			strbuf_addf(&a,
			    ",old value %d of row %zu padded out "
			    "to be long enough to be cut",
			    c, i);
			strbuf_addf(&b,
			    ",new value %d of row %zu padded out "
			    "to be long enough to be cut",
			    c, i);
		}
		strbuf_addch(&a, '\n');
		strbuf_addch(&b, '\n');
	}
	res = diff_str(a.buf, b.buf);
	strbuf_release(&a);
	strbuf_release(&b);
	return res;
}

static void
test_details_cut_first(void **state)
{
	struct diff_result *r = wide_diff(20);
	struct prreport_file f[30];
	char names[30][32];
	struct prreport pr;
	struct strbuf sb;

	(void)state;
	for (int i = 0; i < 30; i++) {
		snprintf(names[i], sizeof(names[i]), "data/file%02d.csv", i);
		f[i] = (struct prreport_file){
		    names[i], NULL, PRREPORT_EDIT, r, NULL, NULL};
	}
	pr_init(&pr, f, 30);
	strbuf_init(&sb, 1 << 20);
	assert_int_equal(prreport_render(&sb, &pr, 40000), 0);
	assert_true(sb.len <= 40000);
	/* the summary keeps every file; details were cut with a note */
	for (int i = 0; i < 30; i++) {
		char row[64];

		snprintf(row, sizeof(row), "| data/file%02d.csv | id", i);
		assert_non_null(strstr(sb.buf, row));
	}
	assert_non_null(strstr(sb.buf, "✂️ **Shortened**"));
	assert_non_null(strstr(sb.buf, "#### data/file00.csv"));
	assert_non_null(strstr(sb.buf, "---\n_datadiffd test_\n"));
	strbuf_release(&sb);
	diff_result_free(r);
}

static void
test_summary_rows_cut_last(void **state)
{
	struct diff_result *r = wide_diff(1);
	struct prreport_file *f = xcalloc(3000, sizeof(*f));
	char(*names)[32] = xcalloc(3000, sizeof(*names));
	struct prreport pr;
	struct strbuf sb;

	(void)state;
	for (int i = 0; i < 3000; i++) {
		snprintf(names[i], sizeof(names[i]), "data/f%04d.csv", i);
		f[i] = (struct prreport_file){
		    names[i], NULL, PRREPORT_EDIT, r, NULL, NULL};
	}
	pr_init(&pr, f, 3000);
	strbuf_init(&sb, 1 << 22);
	assert_int_equal(prreport_render(&sb, &pr, 150000), 0);
	assert_true(sb.len <= 150000);
	/* the totals count every file even when the table cannot list them */
	assert_non_null(strstr(sb.buf, "**3000 data files** changed"));
	assert_non_null(strstr(sb.buf, "more files, counted in the totals"));
	assert_non_null(strstr(sb.buf,
	    "The summary table lists only the "
	    "first files"));
	strbuf_release(&sb);
	free(f);
	free(names);
	diff_result_free(r);
}

/* property: whatever the limit, the output fits or the call says so */
static void
test_limit_property(void **state)
{
	struct diff_result *r = wide_diff(5);
	struct prreport_file f[12];
	char names[12][32];
	struct prreport pr;

	(void)state;
	for (int i = 0; i < 12; i++) {
		snprintf(names[i], sizeof(names[i]), "f%d.csv", i);
		f[i] = (struct prreport_file){names[i], NULL, PRREPORT_EDIT, r,
		    (i % 5 == 4) ? "skipped for a reason" : NULL, NULL};
		if (i % 5 == 4)
			f[i].res = NULL;
	}
	for (int iter = 0; iter < 200; iter++) {
		size_t max = 1500 + unit_rand_below(60000);
		struct strbuf sb;
		int ret;

		pr_init(&pr, f, 1 + unit_rand_below(12));
		strbuf_init(&sb, 1 << 20);
		ret = prreport_render(&sb, &pr, max);
		if (ret == 0) {
			assert_true(sb.len <= max);
			assert_true(strncmp(sb.buf, PRREPORT_MARKER, 25) == 0);
		}
		strbuf_release(&sb);
	}
	diff_result_free(r);
}

static void
render_digest(const struct prreport *pr, char *digest)
{
	struct strbuf sb;

	strbuf_init(&sb, 200000);
	assert_int_equal(prreport_render(&sb, pr, 150000), 0);
	assert_int_equal(prreport_digest(sb.buf, sb.len, digest), 0);
	assert_int_equal(strlen(digest), PRREPORT_DIGEST_LEN);
	strbuf_release(&sb);
}

/* the digest follows the data, not the commits it was found in */
static void
test_digest(void **state)
{
	struct diff_result *a, *b;
	struct prreport_file f;
	struct prreport pr;
	char d1[PRREPORT_DIGEST_LEN + 1], d2[PRREPORT_DIGEST_LEN + 1];
	char got[PRREPORT_DIGEST_LEN + 1];

	(void)state;
	a = diff_str("id,v\n1,a\n2,b\n", "id,v\n1,a\n2,c\n");
	b = diff_str("id,v\n1,a\n2,b\n", "id,v\n1,a\n2,d\n");
	f = (struct prreport_file){
	    "data/a.csv", NULL, PRREPORT_EDIT, a, NULL, NULL};
	pr_init(&pr, &f, 1);
	render_digest(&pr, d1);
	/* a new push, a new merge base, another footer: the same data */
	pr.base_commit = C40("c");
	pr.head_commit = C40("d");
	pr.iteration = 4;
	pr.source_ref = "refs/heads/other";
	pr.footer = "datadiffd updated later";
	render_digest(&pr, d2);
	assert_string_equal(d1, d2);
	/* another value changed: another digest */
	f.res = b;
	render_digest(&pr, d2);
	assert_string_not_equal(d1, d2);
	/* the same data under another path is another report */
	f.res = a;
	f.path = "data/b.csv";
	render_digest(&pr, d2);
	assert_string_not_equal(d1, d2);

	/* reading it back: only 16 lower-case hex digits are a digest */
	assert_int_equal(prreport_digest("x", 1, got), -1);
	assert_int_equal(
	    prreport_digest(
		PRREPORT_DIGEST_OPEN "0123456789abcde -->", 35, got),
	    -1);
	assert_int_equal(
	    prreport_digest(
		PRREPORT_DIGEST_OPEN "0123456789ABCDEF -->", 36, got),
	    -1);
	assert_int_equal(
	    prreport_digest(PRREPORT_DIGEST_OPEN "0123456789abcdef", 36, got),
	    0);
	assert_string_equal(got, "0123456789abcdef");
	/* cut by len: not there */
	assert_int_equal(
	    prreport_digest(PRREPORT_DIGEST_OPEN "0123456789abcdef", 35, got),
	    -1);
	diff_result_free(a);
	diff_result_free(b);
}

int
main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_summary),
	    cmocka_unit_test(test_nothing_to_report),
	    cmocka_unit_test(test_details_cut_first),
	    cmocka_unit_test(test_summary_rows_cut_last),
	    cmocka_unit_test(test_limit_property),
	    cmocka_unit_test(test_digest),
	};

	unit_init(argc, argv);
	return UNIT_RUN("prreport", tests);
}
