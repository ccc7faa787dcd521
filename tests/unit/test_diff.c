/*
 * test_diff.c: the diff engine, rule by rule (design.md 6.2, 6.3) and by
 * randomised properties checked against a naive reference implementation.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "unit.h"
#include "csv.h"
#include "diff.h"
#include "parallel.h"
#include "strbuf.h"
#include "xmalloc.h"
#include "banned.h"

struct run {
	struct diff_options o;
	const char *key[4];
	const char *ignore[4];
};

static void
run_init(struct run *r)
{
	memset(r, 0, sizeof(*r));
	diff_options_init(&r->o);
}

static void
run_key(struct run *r, const char *k1, const char *k2)
{
	r->key[0] = k1;
	r->key[1] = k2;
	r->o.key = r->key;
	r->o.nkey = k2 ? 2 : 1;
	r->o.key_source = DIFF_KEY_OPTION;
}

static struct diff_result *
diff_str(const char *a, const char *b, const struct diff_options *o,
    struct diff_error *err)
{
	struct diff_table t[2] = {
	    {"old.csv", a, strlen(a), ','},
	    {"new.csv", b, strlen(b), ','},
	};

	return diff_run(&t[0], &t[1], o, err);
}

static struct diff_result *
must_diff(const char *a, const char *b, const struct diff_options *o)
{
	struct diff_error err;
	struct diff_result *res = diff_str(a, b, o, &err);

	if (!res)
		fail_msg("diff failed: side %d line %lu: %s", err.side,
		    err.line, err.msg);
	return res;
}

static void
res_free_or_fail(struct diff_result *res)
{
	assert_non_null(res);
	diff_result_free(res);
}

static uint64_t
colchg(const struct diff_result *res, const char *name)
{
	for (size_t i = 0; i < res->ncolumns; i++)
		if (strcmp(res->columns[i].name, name) == 0)
			return res->columns[i].changed;
	fail_msg("no compared column '%s'", name);
	return 0;
}

#define COUNTS(res, a, r, c, u)                          \
	do {                                             \
		assert_int_equal((res)->added, (a));     \
		assert_int_equal((res)->removed, (r));   \
		assert_int_equal((res)->changed, (c));   \
		assert_int_equal((res)->unchanged, (u)); \
	} while (0)

static void
test_keyed_counts(void **state)
{
	struct run r;
	struct diff_result *res;

	(void)state;
	run_init(&r);
	run_key(&r, "id", NULL);
	res = must_diff("id,name,price\n1,a,10\n2,b,20\n3,c,30\n4,d,40\n",
	    "id,name,price\n1,a,10\n2,B,21\n3,c,31\n5,e,50\n", &r.o);
	COUNTS(res, 1, 1, 2, 1);
	assert_int_equal(res->ncolumns, 2);
	assert_int_equal(colchg(res, "name"), 1);
	assert_int_equal(colchg(res, "price"), 2);
	assert_int_equal(res->key_source, DIFF_KEY_OPTION);
	assert_int_equal(res->old.rows, 4);
	assert_int_equal(res->new.rows, 4);
	assert_true(diff_has_differences(res));
	diff_result_free(res);
}

static void
test_composite_key_is_unambiguous(void **state)
{
	struct run r;
	struct diff_result *res;

	(void)state;
	run_init(&r);
	run_key(&r, "a", "b");
	/* "1"+"11" and "11"+"1" concatenate alike but are different keys */
	res = must_diff("a,b,v\n1,11,x\n", "a,b,v\n11,1,x\n", &r.o);
	COUNTS(res, 1, 1, 0, 0);
	diff_result_free(res);
	res =
	    must_diff("a,b,v\n1,11,x\n2,2,y\n", "a,b,v\n2,2,z\n1,11,x\n", &r.o);
	COUNTS(res, 0, 0, 1, 1);
	assert_int_equal(res->nkey, 2);
	diff_result_free(res);
}

static void
test_duplicate_and_null_keys(void **state)
{
	struct run r;
	struct diff_result *res;

	(void)state;
	run_init(&r);
	run_key(&r, "id", NULL);
	/* the first occurrence takes part, later ones count as duplicates */
	res = must_diff(
	    "id,v\n1,a\n1,b\n2,c\n,z\n", "id,v\n1,a\n2,c\n2,d\n2,e\n", &r.o);
	COUNTS(res, 0, 0, 0, 2);
	assert_int_equal(res->dup_old, 1);
	assert_int_equal(res->dup_new, 2);
	assert_int_equal(res->null_old, 1);
	assert_int_equal(res->null_new, 0);
	assert_int_equal(res->ns_dup_new, 2);
	assert_string_equal(res->s_dup_new[0].key[0], "2");
	assert_int_equal(res->s_dup_new[0].line, 4);
	assert_int_equal(res->s_dup_new[1].line, 5);
	assert_int_equal(res->ns_null_old, 1);
	assert_int_equal(res->s_null_old[0].line, 5);
	assert_null(res->s_null_old[0].key);
	assert_true(diff_has_differences(res));
	diff_result_free(res);

	/* equal duplicate counts on both sides are not a difference */
	res = must_diff("id,v\n1,a\n1,b\n", "id,v\n1,a\n1,c\n", &r.o);
	COUNTS(res, 0, 0, 0, 1);
	assert_false(diff_has_differences(res));
	diff_result_free(res);

	/* composite: only a key whose columns are all empty is null */
	run_key(&r, "a", "b");
	res = must_diff("a,b,v\n,1,x\n,,y\n", "a,b,v\n,1,x\n", &r.o);
	COUNTS(res, 0, 0, 0, 1);
	assert_int_equal(res->null_old, 1);
	diff_result_free(res);
}

/* duplicates deep in a file carry their own line numbers */
static void
test_duplicate_lines_in_a_long_file(void **state)
{
	struct run r;
	struct diff_result *res;
	struct strbuf a;

	(void)state;
	run_init(&r);
	run_key(&r, "id", NULL);
	strbuf_init(&a, 1 << 16);
	strbuf_addstr(&a, "id,v\n");
	for (int i = 0; i < 200; i++)
		strbuf_addf(&a, "%d,x\n", i % 150 == 77 ? 5 : i);
	res = must_diff(a.buf, a.buf, &r.o);
	/* rows 5 and 77 both hold key 5: the header is line 1 */
	assert_int_equal(res->dup_old, 1);
	assert_int_equal(res->ns_dup_old, 1);
	assert_int_equal(res->s_dup_old[0].line, 79);
	assert_string_equal(res->s_dup_old[0].key[0], "5");
	diff_result_free(res);
	strbuf_release(&a);
}

static void
test_auto_key(void **state)
{
	struct run r;
	struct diff_result *res;

	(void)state;
	run_init(&r);
	/* a column named id in any case */
	res = must_diff("name,ID\nx,1\ny,2\n", "name,ID\nx,1\nz,2\n", &r.o);
	assert_int_equal(res->key_source, DIFF_KEY_AUTO);
	assert_string_equal(res->key[0], "ID");
	COUNTS(res, 0, 0, 1, 1);
	diff_result_free(res);

	/* id not unique: the old file's first column */
	res = must_diff(
	    "code,id,v\na,1,x\nb,1,y\n", "code,id,v\na,1,x\nb,1,z\n", &r.o);
	assert_string_equal(res->key[0], "code");
	assert_int_equal(res->dup_old, 0);
	COUNTS(res, 0, 0, 1, 1);
	diff_result_free(res);

	/* id empty in a row: not a key either */
	res = must_diff("code,id\na,1\nb,\n", "code,id\na,1\nb,\n", &r.o);
	assert_string_equal(res->key[0], "code");
	diff_result_free(res);

	/* first column not unique in the new file: unkeyed */
	res = must_diff("c,v\na,1\nb,2\n", "c,v\na,1\na,2\n", &r.o);
	assert_int_equal(res->key_source, DIFF_KEY_NONE);
	assert_int_equal(res->nkey, 0);
	COUNTS(res, 1, 1, 0, 1);
	diff_result_free(res);

	/* no rows at all: vacuously unique */
	res = must_diff("id,v\n", "id,v\n", &r.o);
	assert_int_equal(res->key_source, DIFF_KEY_AUTO);
	assert_string_equal(res->key[0], "id");
	assert_false(diff_has_differences(res));
	diff_result_free(res);

	/* "Id" in old and "id" in new are different columns */
	res = must_diff("Id,v\n1,a\n", "id,v\n1,a\n", &r.o);
	assert_int_equal(res->key_source, DIFF_KEY_NONE);
	assert_int_equal(res->ncols_added, 1);
	assert_int_equal(res->ncols_removed, 1);
	diff_result_free(res);
}

static void
test_unkeyed_multiset(void **state)
{
	struct run r;
	struct diff_result *res;

	(void)state;
	run_init(&r);
	/* x,x,y -> x,y,y: one x removed, one y added */
	res = must_diff("v,w\nx,1\nx,1\ny,2\n", "v,w\nx,1\ny,2\ny,2\n", &r.o);
	assert_int_equal(res->key_source, DIFF_KEY_NONE);
	COUNTS(res, 1, 1, 0, 2);
	assert_int_equal(res->ns_removed, 1);
	assert_string_equal(res->s_removed[0].values[0], "x");
	assert_int_equal(res->ns_added, 1);
	assert_string_equal(res->s_added[0].values[0], "y");
	assert_int_equal(res->ns_changed, 0);
	diff_result_free(res);
}

static void
test_compare_rules(void **state)
{
	struct run r;
	struct diff_result *res;

	(void)state;
	run_init(&r);
	run_key(&r, "id", NULL);
	/* NULL to value and value to NULL are changes */
	res = must_diff("id,a,b\n1,,x\n", "id,a,b\n1,y,\n", &r.o);
	COUNTS(res, 0, 0, 1, 0);
	assert_int_equal(colchg(res, "a"), 1);
	assert_int_equal(colchg(res, "b"), 1);
	diff_result_free(res);

	/* ignored columns take no part in the comparison */
	r.ignore[0] = "b";
	r.o.ignore = r.ignore;
	r.o.nignore = 1;
	res = must_diff("id,a,b\n1,x,1\n", "id,a,b\n1,x,2\n", &r.o);
	COUNTS(res, 0, 0, 0, 1);
	assert_int_equal(res->ncolumns, 1);
	assert_false(diff_has_differences(res));
	diff_result_free(res);
	/* ...but still in the schema */
	res = must_diff("id,a,b\n1,x,1\n", "id,a\n1,x\n", &r.o);
	assert_int_equal(res->ncols_removed, 1);
	assert_true(diff_has_differences(res));
	diff_result_free(res);
	r.o.nignore = 0;

	/* tolerance: numbers within it are equal, text stays exact */
	r.o.tolerance = 0.005;
	res = must_diff("id,p,t\n1,10.00,a\n2,1e3,b\n3,5,c\n4,,d\n",
	    "id,p,t\n1,10.004,a\n2,1000,b\n3,5.01,c\n4,0,D\n", &r.o);
	COUNTS(res, 0, 0, 2, 2);
	assert_int_equal(colchg(res, "p"), 2);
	assert_int_equal(colchg(res, "t"), 1);
	diff_result_free(res);
	r.o.tolerance = 0;
	res = must_diff("id,p\n1,1.0\n", "id,p\n1,1\n", &r.o);
	COUNTS(res, 0, 0, 1, 0);
	diff_result_free(res);

	/* columns match by name whatever their order; quoting and line
	 * breaks are not values */
	res = must_diff("id,a,b\n1,x,y\n2,p,q\n",
	    "b,id,a\r\n\"y\",1,x\r\nq,2,\"p\"\r\n", &r.o);
	COUNTS(res, 0, 0, 0, 2);
	assert_true(res->order_changed);
	diff_result_free(res);
}

static void
test_schema(void **state)
{
	struct run r;
	struct diff_result *res;

	(void)state;
	run_init(&r);
	run_key(&r, "id", NULL);
	res = must_diff("id,a,b,c\n1,1,x,2024-01-01\n2,,y,\n",
	    "id,a,c,d\n1,1.5,2024-01-01T10:00,z\n2,2,,w\n", &r.o);
	assert_int_equal(res->ncols_added, 1);
	assert_string_equal(res->cols_added[0], "d");
	assert_int_equal(res->ncols_removed, 1);
	assert_string_equal(res->cols_removed[0], "b");
	/* removing a column is not a reorder */
	assert_false(res->order_changed);
	assert_int_equal(res->ntype_changes, 2);
	assert_string_equal(res->type_changes[0].column, "a");
	assert_int_equal(res->type_changes[0].old_type, VALUE_INTEGER);
	assert_int_equal(res->type_changes[0].new_type, VALUE_DECIMAL);
	assert_string_equal(res->type_changes[1].column, "c");
	assert_int_equal(res->type_changes[1].new_type, VALUE_TIMESTAMP);
	diff_result_free(res);

	/* an all-empty column has no type to change */
	res = must_diff("id,a\n1,\n", "id,a\n1,x\n", &r.o);
	assert_int_equal(res->ntype_changes, 0);
	assert_int_equal(res->old.types[1], VALUE_EMPTY);
	assert_int_equal(res->new.types[1], VALUE_TEXT);
	diff_result_free(res);

	/* reorder of shared columns */
	res = must_diff("id,a,b\n", "id,b,a\n", &r.o);
	assert_true(res->order_changed);
	assert_true(diff_has_differences(res));
	diff_result_free(res);
}

static void
test_empty_sides(void **state)
{
	struct run r;
	struct diff_result *res;

	(void)state;
	run_init(&r);
	/* an added file: the old side is an empty table without columns */
	res = must_diff("", "id,v\n1,a\n2,b\n", &r.o);
	assert_int_equal(res->key_source, DIFF_KEY_AUTO);
	COUNTS(res, 2, 0, 0, 0);
	assert_int_equal(res->old.has_header, 0);
	diff_result_free(res);
	/* a deleted file */
	run_key(&r, "id", NULL);
	res = must_diff("id,v\n1,a\n", "", &r.o);
	COUNTS(res, 0, 1, 0, 0);
	diff_result_free(res);
	res = must_diff("", "", &r.o);
	assert_false(diff_has_differences(res));
	diff_result_free(res);
}

static void
test_errors(void **state)
{
	struct run r;
	struct diff_error err;

	(void)state;
	run_init(&r);
	run_key(&r, "nope", NULL);
	/* a missing key column names the old file first */
	assert_null(diff_str("id,v\n", "id,v\n", &r.o, &err));
	assert_int_equal(err.side, 0);
	assert_int_equal(err.line, 1);
	assert_non_null(strstr(err.msg, "'nope'"));
	run_key(&r, "v", NULL);
	assert_null(diff_str("id,v\n", "id\n", &r.o, &err));
	assert_int_equal(err.side, 1);

	run_init(&r);
	assert_null(diff_str("a,b\n1,2\n", "a,b\n1,2\n3,4,5\n", &r.o, &err));
	assert_int_equal(err.side, 1);
	assert_int_equal(err.line, 3);
	assert_null(diff_str("a,a\n", "a\n", &r.o, &err));
	assert_int_equal(err.side, 0);
	assert_non_null(strstr(err.msg, "duplicate"));
	run_key(&r, "a", "a");
	assert_null(diff_str("a\n", "a\n", &r.o, &err));
	assert_non_null(strstr(err.msg, "twice"));
	assert_int_equal(err.too_large, 0);

	/* the row limit: a named error on the side that passes it */
	run_init(&r);
	r.o.max_rows = 2;
	res_free_or_fail(diff_str("a\n1\n2\n", "a\n1\n2\n", &r.o, &err));
	assert_null(diff_str("a\n1\n2\n", "a\n1\n2\n3\n", &r.o, &err));
	assert_int_equal(err.side, 1);
	assert_int_equal(err.line, 4);
	assert_int_equal(err.too_large, 1);
	assert_string_equal(err.msg, "more than 2 rows (the limit)");
}

static void
test_samples(void **state)
{
	struct run r;
	struct diff_result *res;
	struct strbuf a, b;

	(void)state;
	run_init(&r);
	run_key(&r, "id", NULL);
	r.o.samples = 2;
	strbuf_init(&a, 1 << 16);
	strbuf_init(&b, 1 << 16);
	strbuf_addstr(&a, "id,x,y\n");
	strbuf_addstr(&b, "id,x,y\n");
	for (int i = 0; i < 10; i++) {
		strbuf_addf(&a, "%d,%d,same\n", i, i);
		strbuf_addf(&b, "%d,%d,same\n", 9 - i, i % 2 ? 9 - i : 100 + i);
	}
	for (int i = 0; i < 3; i++) {
		strbuf_addf(&a, "r%d,1,2\n", i);
		strbuf_addf(&b, "n%d,1,2\n", i);
	}
	res = must_diff(a.buf, b.buf, &r.o);
	COUNTS(res, 3, 3, 5, 5);
	assert_int_equal(res->ns_added, 2);
	assert_int_equal(res->ns_removed, 2);
	assert_int_equal(res->ns_changed, 2);
	/* file order: removed by the old file, changed/added by the new */
	assert_string_equal(res->s_removed[0].values[0], "r0");
	assert_string_equal(res->s_removed[1].values[0], "r1");
	assert_string_equal(res->s_added[0].values[0], "n0");
	assert_string_equal(res->s_changed[0].key[0], "9");
	assert_int_equal(res->s_changed[0].nchanges, 1);
	assert_string_equal(
	    res->columns[res->s_changed[0].changes[0].column].name, "x");
	assert_string_equal(res->s_changed[0].changes[0].old_value, "9");
	assert_string_equal(res->s_changed[0].changes[0].new_value, "100");
	assert_string_equal(res->s_changed[1].key[0], "7");
	diff_result_free(res);

	r.o.samples = 0;
	res = must_diff(a.buf, b.buf, &r.o);
	assert_int_equal(res->ns_added + res->ns_removed + res->ns_changed, 0);
	COUNTS(res, 3, 3, 5, 5);
	diff_result_free(res);
	strbuf_release(&a);
	strbuf_release(&b);
}

/* ---- properties against a naive reference ---- */

struct table {
	size_t nrows;
	char cells[64][3][4]; /* id, a, b */
};

static void
table_random(struct table *t, size_t nrows, size_t nkeys)
{
	t->nrows = nrows;
	for (size_t i = 0; i < nrows; i++) {
		size_t k = unit_rand_below(nkeys + 1);

		if (k == nkeys)
			t->cells[i][0][0] = '\0'; /* a null key */
		else
			snprintf(t->cells[i][0], 4, "%zu", k);
		snprintf(
		    t->cells[i][1], 4, "%c", (char)('p' + unit_rand_below(3)));
		snprintf(t->cells[i][2], 4, "%zu", unit_rand_below(3));
	}
}

static void
table_csv(const struct table *t, struct strbuf *sb)
{
	strbuf_reset(sb);
	strbuf_addstr(sb, "id,a,b\n");
	for (size_t i = 0; i < t->nrows; i++)
		strbuf_addf(sb, "%s,%s,\"%s\"\n", t->cells[i][0],
		    t->cells[i][1], t->cells[i][2]);
}

/* first participating row of key k in t, or -1; counts dups and nulls */
static long
ref_find(const struct table *t, const char *k)
{
	for (size_t i = 0; i < t->nrows; i++)
		if (strcmp(t->cells[i][0], k) == 0)
			return (long)i;
	return -1;
}

struct ref {
	uint64_t added, removed, changed, unchanged, dup[2], null[2], col[2];
};

static int
ref_first(const struct table *t, size_t i)
{
	return t->cells[i][0][0] && ref_find(t, t->cells[i][0]) == (long)i;
}

static void
ref_diff(const struct table *o, const struct table *n, struct ref *r)
{
	const struct table *t[2] = {o, n};

	memset(r, 0, sizeof(*r));
	for (int s = 0; s < 2; s++)
		for (size_t i = 0; i < t[s]->nrows; i++) {
			if (!t[s]->cells[i][0][0])
				r->null[s]++;
			else if (!ref_first(t[s], i))
				r->dup[s]++;
		}
	for (size_t i = 0; i < n->nrows; i++) {
		long j;
		int d = 0;

		if (!ref_first(n, i))
			continue;
		j = ref_find(o, n->cells[i][0]);
		if (j < 0) {
			r->added++;
			continue;
		}
		for (int c = 1; c < 3; c++)
			if (strcmp(o->cells[j][c], n->cells[i][c]) != 0) {
				r->col[c - 1]++;
				d = 1;
			}
		if (d)
			r->changed++;
		else
			r->unchanged++;
	}
	for (size_t i = 0; i < o->nrows; i++)
		if (ref_first(o, i) && ref_find(n, o->cells[i][0]) < 0)
			r->removed++;
}

static void
check_against_ref(const struct table *o, const struct table *n, int parallel)
{
	struct strbuf a, b;
	struct run r;
	struct ref want;
	struct diff_result *res;

	strbuf_init(&a, 1 << 16);
	strbuf_init(&b, 1 << 16);
	table_csv(o, &a);
	table_csv(n, &b);
	run_init(&r);
	run_key(&r, "id", NULL);
	if (parallel)
		r.o.parallel = parallel_run;
	/* whatever the seed of the hashes, the same answer */
	r.o.hash_seed = unit_rand();
	res = must_diff(a.buf, b.buf, &r.o);
	ref_diff(o, n, &want);
	COUNTS(res, want.added, want.removed, want.changed, want.unchanged);
	assert_int_equal(res->dup_old, want.dup[0]);
	assert_int_equal(res->dup_new, want.dup[1]);
	assert_int_equal(res->null_old, want.null[0]);
	assert_int_equal(res->null_new, want.null[1]);
	assert_int_equal(colchg(res, "a"), want.col[0]);
	assert_int_equal(colchg(res, "b"), want.col[1]);
	diff_result_free(res);
	strbuf_release(&a);
	strbuf_release(&b);
}

static void
test_property_reference(void **state)
{
	(void)state;
	for (int iter = 0; iter < 400; iter++) {
		struct table o, n;

		table_random(&o, unit_rand_below(40), 1 + unit_rand_below(30));
		table_random(&n, unit_rand_below(40), 1 + unit_rand_below(30));
		check_against_ref(&o, &n, iter % 2);
	}
}

static void
shuffle_lines(char **lines, size_t n)
{
	for (size_t i = n; i > 1; i--) {
		size_t j = unit_rand_below(i);
		char *t = lines[i - 1];

		lines[i - 1] = lines[j];
		lines[j] = t;
	}
}

/* a large random pair: diff(A, A) is empty, shuffling changes nothing,
 * counts add up; big enough for the two-task match */
static void
test_property_large(void **state)
{
	size_t nrows = 20000;
	char **ol = xcalloc(nrows, sizeof(char *));
	char **nl = xcalloc(nrows, sizeof(char *));
	struct strbuf a, b, s;
	struct run r;
	struct diff_result *res, *res2;
	size_t nn = 0;

	(void)state;
	strbuf_init(&a, 1 << 24);
	strbuf_init(&b, 1 << 24);
	strbuf_init(&s, 1 << 24);
	for (size_t i = 0; i < nrows; i++) {
		char line[64];
		unsigned v = (unsigned)unit_rand_below(1000);

		snprintf(line, sizeof(line), "%zu,%u,x%u\n", i * 7919 % 1000003,
		    v, v % 7);
		ol[i] = xstrdup(line);
		if (unit_rand_below(100) == 0)
			continue; /* removed */
		if (unit_rand_below(50) == 0)
			snprintf(line, sizeof(line), "%zu,%u,y\n",
			    i * 7919 % 1000003, v);
		nl[nn++] = xstrdup(line);
	}
	for (size_t i = 0; i < 100; i++) {
		char line[64];

		snprintf(line, sizeof(line), "n%zu,1,2\n", i);
		nl[nn++] = xstrdup(line);
	}
	strbuf_addstr(&a, "id,v,w\n");
	for (size_t i = 0; i < nrows; i++)
		strbuf_addstr(&a, ol[i]);
	shuffle_lines(nl, nn);
	strbuf_addstr(&b, "id,v,w\n");
	for (size_t i = 0; i < nn; i++)
		strbuf_addstr(&b, nl[i]);
	shuffle_lines(ol, nrows);
	strbuf_addstr(&s, "id,v,w\n");
	for (size_t i = 0; i < nrows; i++)
		strbuf_addstr(&s, ol[i]);

	run_init(&r);
	r.o.parallel = parallel_run;
	res = must_diff(a.buf, a.buf, &r.o);
	assert_false(diff_has_differences(res));
	assert_int_equal(res->unchanged, nrows);
	diff_result_free(res);
	res = must_diff(a.buf, s.buf, &r.o);
	assert_false(diff_has_differences(res));
	diff_result_free(res);

	res = must_diff(a.buf, b.buf, &r.o);
	assert_string_equal(res->key[0], "id");
	assert_int_equal(res->unchanged + res->changed + res->removed, nrows);
	assert_int_equal(res->unchanged + res->changed + res->added, nn);
	assert_int_equal(res->added, 100);
	res2 = must_diff(s.buf, b.buf, &r.o);
	COUNTS(res2, res->added, res->removed, res->changed, res->unchanged);
	diff_result_free(res2);
	r.o.parallel = NULL;
	res2 = must_diff(a.buf, b.buf, &r.o);
	COUNTS(res2, res->added, res->removed, res->changed, res->unchanged);
	assert_int_equal(res2->columns[0].changed, res->columns[0].changed);
	assert_int_equal(res2->columns[1].changed, res->columns[1].changed);
	/* samples come in file order whatever the task split */
	assert_int_equal(res2->ns_added, res->ns_added);
	for (size_t i = 0; i < res->ns_added; i++)
		assert_string_equal(
		    res->s_added[i].values[0], res2->s_added[i].values[0]);
	diff_result_free(res2);
	diff_result_free(res);

	for (size_t i = 0; i < nrows; i++)
		free(ol[i]);
	for (size_t i = 0; i < nn; i++)
		free(nl[i]);
	free(ol);
	free(nl);
	strbuf_release(&a);
	strbuf_release(&b);
	strbuf_release(&s);
}

int
main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_keyed_counts),
	    cmocka_unit_test(test_composite_key_is_unambiguous),
	    cmocka_unit_test(test_duplicate_and_null_keys),
	    cmocka_unit_test(test_duplicate_lines_in_a_long_file),
	    cmocka_unit_test(test_auto_key),
	    cmocka_unit_test(test_unkeyed_multiset),
	    cmocka_unit_test(test_compare_rules),
	    cmocka_unit_test(test_schema),
	    cmocka_unit_test(test_empty_sides),
	    cmocka_unit_test(test_errors),
	    cmocka_unit_test(test_samples),
	    cmocka_unit_test(test_property_reference),
	    cmocka_unit_test(test_property_large),
	};

	unit_init(argc, argv);
	return UNIT_RUN("diff", tests);
}
