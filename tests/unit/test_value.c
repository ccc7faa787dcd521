/*
 * test_value.c: cell types (design.md 6.4) and the number grammar (6.2).
 */
#include <string.h>

#include "unit.h"
#include "value.h"
#include "banned.h"

static const struct {
	const char *in;
	enum value_type t;
} classify_cases[] = {
    {"", VALUE_EMPTY},
    {"0", VALUE_INTEGER},
    {"-17", VALUE_INTEGER},
    {"+5", VALUE_INTEGER},
    {"007", VALUE_INTEGER},
    {"1.5", VALUE_DECIMAL},
    {".5", VALUE_DECIMAL},
    {"5.", VALUE_DECIMAL},
    {"-0.25", VALUE_DECIMAL},
    {"1e3", VALUE_DECIMAL},
    {"1E-3", VALUE_DECIMAL},
    {"2.5e+10", VALUE_DECIMAL},
    {"1,000", VALUE_TEXT},
    {"1e", VALUE_TEXT},
    {".", VALUE_TEXT},
    {"-", VALUE_TEXT},
    {"inf", VALUE_TEXT},
    {"NaN", VALUE_TEXT},
    {" 1", VALUE_TEXT},
    {"1 ", VALUE_TEXT},
    {"0x10", VALUE_TEXT},
    {"true", VALUE_BOOLEAN},
    {"FALSE", VALUE_BOOLEAN},
    {"True", VALUE_BOOLEAN},
    {"yes", VALUE_TEXT},
    {"2024-02-29", VALUE_DATE},
    {"2024-13-01", VALUE_TEXT},
    {"2024-1-01", VALUE_TEXT},
    {"2024-02-29T10:15", VALUE_TIMESTAMP},
    {"2024-02-29 10:15:30", VALUE_TIMESTAMP},
    {"2024-02-29T10:15:30.123456Z", VALUE_TIMESTAMP},
    {"2024-02-29T10:15:30+02:00", VALUE_TIMESTAMP},
    {"2024-02-29T10:15:30-05:30", VALUE_TIMESTAMP},
    {"2024-02-29T10:15:30+0200", VALUE_TEXT},
    {"2024-02-29T25:00", VALUE_TEXT},
    {"2024-02-29T10:15:30.Z", VALUE_TEXT},
    {"2024-02-29X10:15", VALUE_TEXT},
    {"hello", VALUE_TEXT},
};

static void
test_classify(void **state)
{
	(void)state;
	for (size_t i = 0;
	     i < sizeof(classify_cases) / sizeof(classify_cases[0]); i++) {
		const char *in = classify_cases[i].in;
		enum value_type t = value_classify(in, strlen(in));

		if (t != classify_cases[i].t)
			fail_msg("'%s': %s, expected %s", in,
			    value_type_name(t),
			    value_type_name(classify_cases[i].t));
	}
}

static void
test_merge(void **state)
{
	(void)state;
	assert_int_equal(value_type_merge(VALUE_EMPTY, VALUE_DATE), VALUE_DATE);
	assert_int_equal(
	    value_type_merge(VALUE_INTEGER, VALUE_EMPTY), VALUE_INTEGER);
	assert_int_equal(
	    value_type_merge(VALUE_INTEGER, VALUE_DECIMAL), VALUE_DECIMAL);
	assert_int_equal(
	    value_type_merge(VALUE_DECIMAL, VALUE_INTEGER), VALUE_DECIMAL);
	assert_int_equal(
	    value_type_merge(VALUE_DATE, VALUE_TIMESTAMP), VALUE_TIMESTAMP);
	assert_int_equal(
	    value_type_merge(VALUE_INTEGER, VALUE_DATE), VALUE_TEXT);
	assert_int_equal(
	    value_type_merge(VALUE_BOOLEAN, VALUE_INTEGER), VALUE_TEXT);
	assert_int_equal(
	    value_type_merge(VALUE_TEXT, VALUE_INTEGER), VALUE_TEXT);
	assert_string_equal(value_type_name(VALUE_TIMESTAMP), "timestamp");
}

static void
test_numbers_and_tolerance(void **state)
{
	double d;

	(void)state;
	assert_int_equal(value_parse_number("+1", 2, &d), 0);
	assert_true(d == 1.0);
	assert_int_equal(value_parse_number(".5", 2, &d), 0);
	assert_true(d == 0.5);
	assert_int_equal(value_parse_number("1e3", 3, &d), 0);
	assert_true(d == 1000.0);
	assert_int_equal(value_parse_number("1,5", 3, &d), -1);
	assert_int_equal(value_parse_number("inf", 3, &d), -1);
	assert_int_equal(value_parse_number("0x1p3", 5, &d), -1);
	assert_int_equal(value_parse_number("", 0, &d), -1);

	assert_true(value_equal("abc", 3, "abc", 3, 0));
	assert_false(value_equal("1.0", 3, "1", 1, 0));
	assert_true(value_equal("1.0", 3, "1", 1, 0.0001));
	assert_true(value_equal("10.00", 5, "10.004", 6, 0.005));
	assert_false(value_equal("10.00", 5, "10.006", 6, 0.005));
	assert_true(value_equal("1e3", 3, "1000", 4, 0.5));
	assert_false(value_equal("", 0, "0", 1, 1));
	assert_false(value_equal("abc", 3, "abd", 3, 1));
	/* overflowing numbers never compare equal by tolerance */
	assert_false(value_equal("1e999", 5, "2e999", 5, 1));
}

int
main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_classify),
	    cmocka_unit_test(test_merge),
	    cmocka_unit_test(test_numbers_and_tolerance),
	};

	unit_init(argc, argv);
	return UNIT_RUN("value", tests);
}
