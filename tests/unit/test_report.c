/*
 * test_report.c: the JSON contract (design.md 5.2), the Markdown section
 * and its escaping (5.7), and the terminal escaping.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "unit.h"
#include "diff.h"
#include "report.h"
#include "strbuf.h"
#include "banned.h"

static struct diff_result *
diff_str(const char *a, const char *b, const char *key)
{
	struct diff_table t[2] = {
	    {"old.csv", a, strlen(a), ','},
	    {"new.csv", b, strlen(b), ','},
	};
	struct diff_options o;
	struct diff_error err;
	const char *keys[1] = {key};
	struct diff_result *res;

	diff_options_init(&o);
	if (key) {
		o.key = keys;
		o.nkey = 1;
		o.key_source = DIFF_KEY_OPTION;
	}
	res = diff_run(&t[0], &t[1], &o, &err);
	if (!res)
		fail_msg("diff: %s", err.msg);
	return res;
}

/* the names of an object's members, comma-joined */
static void
keys_of(const cJSON *o, char *out, size_t len)
{
	const cJSON *it;
	size_t n = 0;

	out[0] = '\0';
	cJSON_ArrayForEach (it, o) {
		int w = snprintf(
		    out + n, len - n, "%s%s", n ? "," : "", it->string);

		if (w > 0)
			n += (size_t)w;
	}
}

static const cJSON *
get(const cJSON *o, const char *path)
{
	char buf[128];
	char *p = buf, *dot;

	snprintf(buf, sizeof(buf), "%s", path);
	while (o && p) {
		dot = strchr(p, '.');
		if (dot)
			*dot = '\0';
		o = cJSON_GetObjectItemCaseSensitive(o, p);
		p = dot ? dot + 1 : NULL;
	}
	if (!o)
		fail_msg("no member '%s'", path);
	return o;
}

static void
test_json_contract(void **state)
{
	struct diff_result *res;
	struct strbuf sb;
	cJSON *j;
	char names[512];
	const cJSON *ch;

	(void)state;
	res = diff_str("id,name,price\n1,a,10\n4,b,10\n17,y,3\n",
	    "id,name,price,qty\n1,a,10,1\n4,b,12,1\n1001,x,5,1\n", "id");
	strbuf_init(&sb, 1 << 20);
	assert_int_equal(report_json(&sb, res), 0);
	j = cJSON_ParseWithLength(sb.buf, sb.len);
	assert_non_null(j);
	keys_of(j, names, sizeof(names));
	assert_string_equal(
	    names, "old,new,key,schema,summary,columns,samples");
	keys_of(get(j, "old"), names, sizeof(names));
	assert_string_equal(names, "path,rows,columns");
	assert_string_equal(get(j, "old.path")->valuestring, "old.csv");
	assert_int_equal(get(j, "new.rows")->valueint, 3);
	keys_of(get(j, "key"), names, sizeof(names));
	assert_string_equal(names, "columns,source");
	assert_string_equal(get(j, "key.source")->valuestring, "option");
	keys_of(get(j, "schema"), names, sizeof(names));
	assert_string_equal(names, "added,removed,order_changed,type_changes");
	assert_string_equal(
	    cJSON_GetArrayItem(get(j, "schema.added"), 0)->valuestring, "qty");
	assert_true(cJSON_IsFalse(get(j, "schema.order_changed")));
	keys_of(get(j, "summary"), names, sizeof(names));
	assert_string_equal(names,
	    "added,removed,changed,unchanged,duplicate_keys_old,"
	    "duplicate_keys_new,null_keys_old,null_keys_new");
	assert_int_equal(get(j, "summary.added")->valueint, 1);
	assert_int_equal(get(j, "summary.removed")->valueint, 1);
	assert_int_equal(get(j, "summary.changed")->valueint, 1);
	assert_int_equal(get(j, "summary.unchanged")->valueint, 1);
	/* every compared column, also with 0 changes, in the new order */
	assert_int_equal(cJSON_GetArraySize(get(j, "columns")), 2);
	keys_of(cJSON_GetArrayItem(get(j, "columns"), 0), names, sizeof(names));
	assert_string_equal(names, "name,changed");
	assert_int_equal(
	    cJSON_GetObjectItem(
		cJSON_GetArrayItem(get(j, "columns"), 1), "changed")
		->valueint,
	    1);
	assert_string_equal(
	    cJSON_GetObjectItem(
		cJSON_GetArrayItem(get(j, "samples.added"), 0), "qty")
		->valuestring,
	    "1");
	assert_string_equal(
	    cJSON_GetObjectItem(
		cJSON_GetArrayItem(get(j, "samples.removed"), 0), "id")
		->valuestring,
	    "17");
	ch = cJSON_GetArrayItem(get(j, "samples.changed"), 0);
	assert_string_equal(get(ch, "key.id")->valuestring, "4");
	assert_int_equal(cJSON_GetArraySize(get(ch, "changes")), 1);
	assert_string_equal(
	    cJSON_GetArrayItem(get(ch, "changes.price"), 0)->valuestring, "10");
	assert_string_equal(
	    cJSON_GetArrayItem(get(ch, "changes.price"), 1)->valuestring, "12");
	cJSON_Delete(j);
	strbuf_release(&sb);
	diff_result_free(res);
}

static void
test_json_is_valid_utf8(void **state)
{
	struct diff_result *res;
	struct strbuf sb;
	cJSON *j;

	(void)state;
	res = diff_str("id,v\n1,a\n", "id,v\n1,\xff\"\\\x01\n", "id");
	strbuf_init(&sb, 1 << 20);
	assert_int_equal(report_json(&sb, res), 0);
	j = cJSON_ParseWithLength(sb.buf, sb.len);
	assert_non_null(j);
	assert_string_equal(
	    cJSON_GetArrayItem(
		get(cJSON_GetArrayItem(get(j, "samples.changed"), 0),
		    "changes.v"),
		1)
		->valuestring,
	    "\xef\xbf\xbd\"\\\x01");
	cJSON_Delete(j);
	strbuf_release(&sb);
	diff_result_free(res);
}

static const struct {
	const char *in;
	size_t max;
	const char *out;
} md_cases[] = {
    {"plain text 1.5", 0, "plain text 1.5"},
    {"a|b", 0, "a\\|b"},
    {"`code`", 0, "\\`code\\`"},
    {"<img src=x>", 0, "&lt;img src=x&gt;"},
    {"@everyone", 0, "&#64;everyone"},
    {"#123 !45", 0, "&#35;123 &#33;45"},
    {"**bold** _i_ [l](u) ~s~", 0,
	"\\*\\*bold\\*\\* \\_i\\_ \\[l\\]\\(u\\) \\~s\\~"},
    {"a\r\nb\nc\rd", 0,
	"a\xe2\x86\xb5"
	"b\xe2\x86\xb5"
	"c\xe2\x86\xb5"
	"d"},
    {"&amp;", 0, "&amp;amp;"},
    {"back\\slash", 0, "back\\\\slash"},
    {"\x1b[31m", 0, "\xef\xbf\xbd\\[31m"},
    {"\xff", 0, "\xef\xbf\xbd"},
    {"\xc2\x9b", 0, "\xef\xbf\xbd"},
    {"abcdef", 3, "abc\xe2\x80\xa6"},
    {"\xc3\xa9\xc3\xa9\xc3\xa9", 2, "\xc3\xa9\xc3\xa9\xe2\x80\xa6"},
    {"abc", 3, "abc"},
    /* bidi overrides and isolates (U+202E, U+2066) would reorder a cell;
     * U+2067..U+2069 and U+202A..U+202D alike; U+2065 is not one */
    {"12\xe2\x80\xae"
     "34",
	0,
	"12\xef\xbf\xbd"
	"34"},
    {"\xe2\x81\xa6x\xe2\x81\xa9", 0, "\xef\xbf\xbdx\xef\xbf\xbd"},
    {"\xe2\x80\xaa\xe2\x81\xa5", 0, "\xef\xbf\xbd\xe2\x81\xa5"},
};

static void
test_md_escape(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(md_cases) / sizeof(md_cases[0]); i++) {
		struct strbuf sb;

		strbuf_init(&sb, 1024);
		report_md_escape(&sb, md_cases[i].in, strlen(md_cases[i].in),
		    md_cases[i].max);
		if (strcmp(sb.buf, md_cases[i].out) != 0)
			fail_msg("case %zu: got '%s'", i, sb.buf);
		strbuf_release(&sb);
	}
}

/* whatever the input, an escaped cell holds no byte that can end a table
 * cell, open HTML or mention anyone */
static void
test_md_escape_property(void **state)
{
	(void)state;
	for (int iter = 0; iter < 3000; iter++) {
		char in[48];
		size_t n = unit_rand_below(sizeof(in));
		struct strbuf sb;

		for (size_t i = 0; i < n; i++)
			in[i] = (char)unit_rand();
		strbuf_init(&sb, 4096);
		report_md_escape(&sb, in, n, 0);
		for (size_t i = 0; i < sb.len; i++) {
			unsigned char c = (unsigned char)sb.buf[i];

			assert_false(c == '<' || c == '>' || c == '@' ||
			    c == '\n' || c == '\r' || c < 0x20);
			if (c == '|' || c == '`')
				assert_true(i > 0 && sb.buf[i - 1] == '\\');
		}
		strbuf_release(&sb);
	}
}

static void
test_text_escape(void **state)
{
	struct strbuf sb;

	(void)state;
	strbuf_init(&sb, 1024);
	report_text_escape(&sb, "a\x1b[2Jb\n\t\x7f", 9, 0);
	assert_string_equal(sb.buf, "a\\x1b[2Jb\\n\\t\\x7f");
	strbuf_reset(&sb);
	/* U+202E RIGHT-TO-LEFT OVERRIDE and the C1 CSI */
	report_text_escape(&sb, "x\xe2\x80\xaey\xc2\x9b", 7, 0);
	assert_string_equal(sb.buf, "x\\u{202e}y\\u{9b}");
	strbuf_release(&sb);
}

static void
test_counts(void **state)
{
	struct strbuf sb;

	(void)state;
	strbuf_init(&sb, 64);
	report_add_count(&sb, 0);
	strbuf_addch(&sb, ' ');
	report_add_count(&sb, 999);
	strbuf_addch(&sb, ' ');
	report_add_count(&sb, 1000);
	strbuf_addch(&sb, ' ');
	report_add_count(&sb, 1234567);
	assert_string_equal(sb.buf, "0 999 1,000 1,234,567");
	strbuf_release(&sb);
}

static const char golden_md[] =
    "#### data/prices.csv\n"
    "\n"
    "**1** added · **1** removed · **1** changed · 1 unchanged — rows 3 → 3, "
    "key **id** (option)\n"
    "\n"
    "- Columns added: qty\n"
    "\n"
    "| Column | Rows changed | Of matched rows |\n"
    "|---|---:|---:|\n"
    "| price | 1 | 50.0% |\n"
    "\n"
    "1 other compared column unchanged.\n"
    "\n"
    "**Changed rows** (1)\n"
    "\n"
    "| id | Column | Old | New |\n"
    "|---|---|---|---|\n"
    "| 4 | price | 10 | *(empty)* |\n"
    "\n"
    "**Added rows** (1)\n"
    "\n"
    "| id | name | price | qty |\n"
    "|---|---|---|---|\n"
    "| 1001 | x \\| &#64;everyone &lt;img src=x&gt; | 5 | 1 |\n"
    "\n"
    "**Removed rows** (1)\n"
    "\n"
    "| id | name | price |\n"
    "|---|---|---|\n"
    "| 17 | y | 3 |\n"
    "\n";

static void
test_markdown_golden(void **state)
{
	struct diff_result *res;
	struct strbuf sb;

	(void)state;
	res = diff_str("id,name,price\n1,a,10\n4,b,10\n17,y,3\n",
	    "id,name,price,qty\n1,a,10,1\n4,b,,1\n"
	    "1001,\"x | @everyone <img src=x>\",5,1\n",
	    "id");
	strbuf_init(&sb, 1 << 20);
	assert_int_equal(
	    report_markdown(&sb, res, "data/prices.csv", REPORT_DETAIL_FULL),
	    0);
	if (strcmp(sb.buf, golden_md) != 0)
		fail_msg("markdown differs:\n%s", sb.buf);
	/* less detail drops the samples, then the columns */
	strbuf_reset(&sb);
	report_markdown(&sb, res, "x", REPORT_DETAIL_COLUMNS);
	assert_null(strstr(sb.buf, "Changed rows"));
	assert_non_null(strstr(sb.buf, "| price | 1 |"));
	strbuf_reset(&sb);
	report_markdown(&sb, res, "x", REPORT_DETAIL_SUMMARY);
	assert_null(strstr(sb.buf, "| Column |"));
	assert_non_null(strstr(sb.buf, "Columns added"));
	strbuf_release(&sb);
	diff_result_free(res);
}

static void
test_no_differences_line(void **state)
{
	struct diff_result *res;
	struct strbuf sb;

	(void)state;
	res = diff_str("id,v\n1,a\n", "id,v\n1,a\n", NULL);
	strbuf_init(&sb, 1 << 16);
	report_markdown(&sb, res, "a.csv", REPORT_DETAIL_FULL);
	assert_non_null(strstr(sb.buf, "No differences (1 row, key **id**)"));
	strbuf_reset(&sb);
	report_text(&sb, res);
	assert_non_null(strstr(sb.buf, "no differences"));
	strbuf_release(&sb);
	diff_result_free(res);
}

static void
test_ceiling_reported(void **state)
{
	struct diff_result *res;
	struct strbuf sb;

	(void)state;
	res = diff_str("id,v\n1,a\n", "id,v\n1,b\n2,c\n", NULL);
	strbuf_init(&sb, 64);
	assert_int_equal(report_json(&sb, res), -1);
	assert_true(sb.len < 64);
	strbuf_release(&sb);
	diff_result_free(res);
}

int
main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_json_contract),
	    cmocka_unit_test(test_json_is_valid_utf8),
	    cmocka_unit_test(test_md_escape),
	    cmocka_unit_test(test_md_escape_property),
	    cmocka_unit_test(test_text_escape),
	    cmocka_unit_test(test_counts),
	    cmocka_unit_test(test_markdown_golden),
	    cmocka_unit_test(test_no_differences_line),
	    cmocka_unit_test(test_ceiling_reported),
	};

	unit_init(argc, argv);
	return UNIT_RUN("report", tests);
}
