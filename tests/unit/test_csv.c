/*
 * test_csv.c: the RFC 4180 reader, rule by rule (design.md 6.1).
 *
 * Expected tables are written with "\x1f" between fields and "\x1e" between
 * records, header first.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "unit.h"
#include "csv.h"
#include "strbuf.h"
#include "banned.h"

#define FS "\x1f"
#define RS "\x1e"

struct csv_case {
	const char *name;
	const char *in;
	size_t len; /* 0: strlen(in) */
	char delim;
	const char *table;   /* expected, or NULL when an error is expected */
	const char *lines;   /* expected start line of each record, "1,2,4" */
	unsigned long eline; /* expected error line */
	const char *emsg;    /* substring of the expected error */
};

static const struct csv_case cases[] = {
    {"simple", "a,b\n1,2\n", 0, ',', "a" FS "b" RS "1" FS "2", "1,2", 0, NULL},
    {"crlf", "a,b\r\n1,2\r\n3,4\r\n", 0, ',',
	"a" FS "b" RS "1" FS "2" RS "3" FS "4", "1,2,3", 0, NULL},
    {"no final newline", "a,b\n1,2", 0, ',', "a" FS "b" RS "1" FS "2", "1,2", 0,
	NULL},
    {"bom",
	"\xef\xbb\xbf"
	"id,x\n1,2\n",
	0, ',', "id" FS "x" RS "1" FS "2", "1,2", 0, NULL},
    {"quoted delimiter", "a,b\n\"x,y\",2\n", 0, ',', "a" FS "b" RS "x,y" FS "2",
	"1,2", 0, NULL},
    {"doubled quotes", "a\n\"he said \"\"hi\"\"\"\n", 0, ',',
	"a" RS "he said \"hi\"", "1,2", 0, NULL},
    {"line break in quotes", "a,b\n\"l1\nl2\",x\n3,4\n", 0, ',',
	"a" FS "b" RS "l1\nl2" FS "x" RS "3" FS "4", "1,2,4", 0, NULL},
    {"crlf kept inside quotes", "a\r\n\"x\r\ny\"\r\n", 0, ',', "a" RS "x\r\ny",
	"1,2", 0, NULL},
    {"blank lines skipped", "a\n\n1\r\n\r\n2\n\n", 0, ',', "a" RS "1" RS "2",
	"1,3,5", 0, NULL},
    {"leading blank lines", "\n\na,b\n1,2\n", 0, ',', "a" FS "b" RS "1" FS "2",
	"3,4", 0, NULL},
    {"lone cr is data", "a,b\n1\r2,3\n", 0, ',', "a" FS "b" RS "1\r2" FS "3",
	"1,2", 0, NULL},
    {"lone cr at end is data", "a\nx\r", 0, ',', "a" RS "x\r", "1,2", 0, NULL},
    {"quote inside unquoted is literal", "a,b\nx\"y,2\n", 0, ',',
	"a" FS "b" RS "x\"y" FS "2", "1,2", 0, NULL},
    {"fewer fields are padded", "a,b,c\n1\n", 0, ',',
	"a" FS "b" FS "c" RS "1" FS "" FS "", "1,2", 0, NULL},
    {"trailing delimiter", "a,b\n1,\n", 0, ',', "a" FS "b" RS "1" FS "", "1,2",
	0, NULL},
    {"quoted empty", "a,b\n\"\",\"\"\n", 0, ',', "a" FS "b" RS "" FS "", "1,2",
	0, NULL},
    {"tab delimiter", "a\tb\n1,5\t2\n", 0, '\t', "a" FS "b" RS "1,5" FS "2",
	"1,2", 0, NULL},
    {"pipe delimiter", "a|b\n1|2\n", 0, '|', "a" FS "b" RS "1" FS "2", "1,2", 0,
	NULL},
    {"only a header", "a,b\n", 0, ',', "a" FS "b", "1", 0, NULL},
    {"quoted last field at eof", "a\n\"x\"", 0, ',', "a" RS "x", "1,2", 0,
	NULL},
    {"crlf after unquoted field in quoted record", "a,b\n\"x\",y\r\nz,w\n", 0,
	',', "a" FS "b" RS "x" FS "y" RS "z" FS "w", "1,2,3", 0, NULL},
    {"quoted header", "\"my id\",\"a,b\"\n1,2\n", 0, ',',
	"my id" FS "a,b" RS "1" FS "2", "1,2", 0, NULL},
    {"invalid utf-8 is data", "a\n\xff\xfe\n", 0, ',', "a" RS "\xff\xfe", "1,2",
	0, NULL},
    /* errors: the line where the record starts */
    {"text after closing quote", "a,b\n1,2\n\"x\"y,2\n", 0, ',', NULL, NULL, 3,
	"after the closing quote"},
    {"lone cr after closing quote", "a\n\"x\"\r", 0, ',', NULL, NULL, 2,
	"after the closing quote"},
    {"unterminated quote", "a,b\n1,2\n\"open,3\n4,5\n", 0, ',', NULL, NULL, 3,
	"unterminated"},
    {"too many fields", "a,b\n1,2\n1,2,3\n", 0, ',', NULL, NULL, 3,
	"3 fields, the header has 2"},
    {"too many fields in a quoted record", "a\n\"x\n\",2\n", 0, ',', NULL, NULL,
	2, "2 fields, the header has 1"},
    {"duplicate header", "id,x,id\n", 0, ',', NULL, NULL, 1,
	"duplicate column name 'id'"},
    {"empty header name", "id,,x\n1,2,3\n", 0, ',', NULL, NULL, 1,
	"empty column name (column 2"},
    {"empty quoted header name", "\n\"\",a\n", 0, ',', NULL, NULL, 2,
	"empty column name"},
    {"nul byte", "a,b\n1,2\n3,\0\n", 12, ',', NULL, NULL, 3, "binary"},
};

static void
join_record(struct strbuf *sb, const struct csv_record *rec)
{
	for (size_t i = 0; i < rec->nfields; i++) {
		if (i)
			strbuf_addstr(sb, FS);
		strbuf_add(sb, rec->fields[i].ptr, rec->fields[i].len);
	}
}

static void
run_case(const struct csv_case *c)
{
	struct csv_reader r;
	struct csv_record rec;
	struct strbuf table, lines;
	size_t len = c->len ? c->len : strlen(c->in);
	int ret, err = 0;

	strbuf_init(&table, 4096);
	strbuf_init(&lines, 4096);
	if (csv_reader_init(&r, c->in, len, c->delim) == -1) {
		err = 1;
	} else {
		ret = csv_read_header(&r, &rec);
		if (ret == 1) {
			join_record(&table, &rec);
			strbuf_addf(&lines, "%lu", rec.line);
			while ((ret = csv_next(&r, &rec)) == 1) {
				strbuf_addstr(&table, RS);
				join_record(&table, &rec);
				strbuf_addf(&lines, ",%lu", rec.line);
			}
		}
		err = ret == -1;
	}
	if (c->table) {
		if (err)
			fail_msg("%s: unexpected error at line %lu: %s",
			    c->name, r.err_line, r.err);
		if (strcmp(table.buf, c->table) != 0)
			fail_msg("%s: table differs", c->name);
		if (strcmp(lines.buf, c->lines) != 0)
			fail_msg("%s: lines '%s', expected '%s'", c->name,
			    lines.buf, c->lines);
	} else {
		if (!err)
			fail_msg("%s: expected an error", c->name);
		if (r.err_line != c->eline)
			fail_msg("%s: error on line %lu, expected %lu (%s)",
			    c->name, r.err_line, c->eline, r.err);
		if (!strstr(r.err, c->emsg))
			fail_msg("%s: error '%s' lacks '%s'", c->name, r.err,
			    c->emsg);
	}
	csv_reader_release(&r);
	strbuf_release(&table);
	strbuf_release(&lines);
}

static void
test_rules(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		run_case(&cases[i]);
}

static void
test_empty_input_has_no_header(void **state)
{
	struct csv_reader r;
	struct csv_record rec;

	(void)state;
	assert_int_equal(csv_reader_init(&r, "", 0, ','), 0);
	assert_int_equal(csv_read_header(&r, &rec), 0);
	assert_int_equal(r.ncols, 0);
	csv_reader_release(&r);
	assert_int_equal(csv_reader_init(&r, "\n\r\n", 3, ','), 0);
	assert_int_equal(csv_read_header(&r, &rec), 0);
	csv_reader_release(&r);
}

static void
test_record_at_reparses(void **state)
{
	const char *in = "k,v\n1,\"a\"\"b\"\n2,\"x\ny\"\n3,plain\n";
	struct csv_reader r, r2;
	struct csv_record rec, again;
	size_t offs[3], n = 0;

	(void)state;
	assert_int_equal(csv_reader_init(&r, in, strlen(in), ','), 0);
	assert_int_equal(csv_read_header(&r, &rec), 1);
	while (csv_next(&r, &rec) == 1)
		offs[n++] = rec.off;
	assert_int_equal(n, 3);
	csv_reader_clone(&r2, &r);
	assert_int_equal(csv_record_at(&r2, offs[1], &again), 1);
	assert_int_equal(again.nfields, 2);
	assert_memory_equal(again.fields[1].ptr, "x\ny", 3);
	assert_int_equal(csv_record_at(&r2, offs[0], &again), 1);
	assert_memory_equal(again.fields[1].ptr, "a\"b", 3);
	assert_int_equal(csv_record_at(&r2, offs[2], &again), 1);
	assert_int_equal(again.len, strlen("3,plain"));
	csv_reader_release(&r);
	csv_reader_release(&r2);
}

static void
test_delimiter_by_extension(void **state)
{
	(void)state;
	assert_int_equal(csv_delimiter_for_path("data/x.csv"), ',');
	assert_int_equal(csv_delimiter_for_path("x.TSV"), '\t');
	assert_int_equal(csv_delimiter_for_path("a.b/x.psv"), '|');
	assert_int_equal(csv_delimiter_for_path("/dev/fd/63"), ',');
}

static void
test_column_limit(void **state)
{
	struct strbuf sb;
	struct csv_reader r;
	struct csv_record rec;

	(void)state;
	strbuf_init(&sb, 1 << 20);
	for (int i = 0; i <= 4096; i++)
		strbuf_addf(&sb, "%sc%d", i ? "," : "", i);
	strbuf_addch(&sb, '\n');
	assert_int_equal(csv_reader_init(&r, sb.buf, sb.len, ','), 0);
	assert_int_equal(csv_read_header(&r, &rec), -1);
	assert_non_null(strstr(r.err, "more than 4096 columns"));
	csv_reader_release(&r);
	strbuf_release(&sb);
}

/*
 * Property: a random table written out with random quoting reads back
 * equal, whatever the line breaks.
 */
static void
test_roundtrip_property(void **state)
{
	static const char alphabet[] = "ab,\"\n\r x1";

	(void)state;
	for (int iter = 0; iter < 300; iter++) {
		size_t ncols = 1 + unit_rand_below(5),
		       nrows = unit_rand_below(8);
		char cells[9][5][8];
		struct strbuf in, got, want;
		struct csv_reader r;
		struct csv_record rec;
		const char *eol = unit_rand_below(2) ? "\r\n" : "\n";

		strbuf_init(&in, 1 << 16);
		strbuf_init(&got, 1 << 16);
		strbuf_init(&want, 1 << 16);
		for (size_t i = 0; i <= nrows; i++) {
			for (size_t j = 0; j < ncols; j++) {
				size_t len = 1 + unit_rand_below(6);

				for (size_t k = 0; k < len; k++)
					cells[i][j][k] =
					    alphabet[unit_rand_below(
						sizeof(alphabet) - 1)];
				cells[i][j][len] = '\0';
				if (i == 0) /* unique header names */
					cells[i][j][0] = (char)('A' + j);
			}
		}
		for (size_t i = 0; i <= nrows; i++) {
			for (size_t j = 0; j < ncols; j++) {
				const char *v = cells[i][j];

				if (j)
					strbuf_addch(&in, ',');
				strbuf_addch(&in, '"');
				for (; *v; v++) {
					if (*v == '"')
						strbuf_addch(&in, '"');
					strbuf_addch(&in, *v);
				}
				strbuf_addch(&in, '"');
				if (j)
					strbuf_addstr(&want, FS);
				strbuf_addstr(&want, cells[i][j]);
			}
			strbuf_addstr(&want, RS);
			strbuf_addstr(&in, eol);
		}
		assert_int_equal(csv_reader_init(&r, in.buf, in.len, ','), 0);
		assert_int_equal(csv_read_header(&r, &rec), 1);
		join_record(&got, &rec);
		strbuf_addstr(&got, RS);
		while (csv_next(&r, &rec) == 1) {
			join_record(&got, &rec);
			strbuf_addstr(&got, RS);
		}
		assert_int_equal(r.err_line, 0);
		assert_string_equal(got.buf, want.buf);
		csv_reader_release(&r);
		strbuf_release(&in);
		strbuf_release(&got);
		strbuf_release(&want);
	}
}

int
main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_rules),
	    cmocka_unit_test(test_empty_input_has_no_header),
	    cmocka_unit_test(test_record_at_reparses),
	    cmocka_unit_test(test_delimiter_by_extension),
	    cmocka_unit_test(test_column_limit),
	    cmocka_unit_test(test_roundtrip_property),
	};

	unit_init(argc, argv);
	return UNIT_RUN("csv", tests);
}
