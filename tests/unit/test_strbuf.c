/*
 * test_strbuf.c: the bounded string buffer and its JSON escaper.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "unit.h"
#include "strbuf.h"
#include "banned.h"

static void
test_init_is_empty(void **state)
{
	struct strbuf sb;

	(void)state;
	strbuf_init(&sb, 16);
	assert_non_null(sb.buf);
	assert_int_equal(sb.len, 0);
	assert_string_equal(sb.buf, "");
	strbuf_release(&sb);
	assert_int_equal(sb.max, 16);
}

static void
test_add_and_ceiling(void **state)
{
	struct strbuf sb;

	(void)state;
	strbuf_init(&sb, 8); /* 7 bytes and the NUL */
	assert_int_equal(strbuf_addstr(&sb, "abc"), 0);
	assert_int_equal(strbuf_addstr(&sb, "defg"), 0);
	assert_string_equal(sb.buf, "abcdefg");
	assert_int_equal(sb.overflow, 0);
	/* one more byte does not fit: nothing appended, sticky flag set */
	assert_int_equal(strbuf_addch(&sb, 'h'), -1);
	assert_int_equal(sb.overflow, 1);
	assert_string_equal(sb.buf, "abcdefg");
	assert_int_equal(strbuf_addstr(&sb, ""), 0);
	assert_int_equal(sb.overflow, 1);
	strbuf_reset(&sb);
	assert_int_equal(sb.overflow, 0);
	assert_int_equal(sb.len, 0);
	strbuf_release(&sb);
}

static void
test_huge_length_does_not_wrap(void **state)
{
	struct strbuf sb;

	(void)state;
	strbuf_init(&sb, 64);
	strbuf_addstr(&sb, "x");
	assert_int_equal(strbuf_add(&sb, "y", (size_t)-1), -1);
	assert_int_equal(sb.len, 1);
	strbuf_release(&sb);
}

static void
test_addf(void **state)
{
	struct strbuf sb;

	(void)state;
	strbuf_init(&sb, 1024);
	assert_int_equal(strbuf_addf(&sb, "%d-%s", 42, "x"), 0);
	/* longer than the first allocation: forces the second vsnprintf */
	assert_int_equal(strbuf_addf(&sb, "%0200d", 7), 0);
	assert_int_equal(sb.len, 4 + 200);
	assert_memory_equal(sb.buf, "42-x000", 7);
	assert_int_equal(sb.buf[sb.len - 1], '7');
	strbuf_release(&sb);

	strbuf_init(&sb, 10);
	assert_int_equal(strbuf_addf(&sb, "%s", "0123456789"), -1);
	assert_int_equal(sb.len, 0);
	assert_string_equal(sb.buf, "");
	strbuf_release(&sb);
}

static void
test_binary_safe_and_detach(void **state)
{
	struct strbuf sb;
	char *p;
	size_t len;

	(void)state;
	strbuf_init(&sb, 100);
	strbuf_add(&sb, "a\0b", 3);
	assert_int_equal(sb.len, 3);
	p = strbuf_detach(&sb, &len);
	assert_int_equal(len, 3);
	assert_memory_equal(p, "a\0b", 3);
	assert_int_equal(sb.len, 0);
	free(p);
	p = strbuf_detach(&sb, &len);
	assert_int_equal(len, 0);
	assert_string_equal(p, "");
	free(p);
	strbuf_truncate(&sb, 5);
	strbuf_addstr(&sb, "hello");
	strbuf_truncate(&sb, 2);
	assert_string_equal(sb.buf, "he");
	strbuf_release(&sb);
}

static const struct {
	const char *in;
	size_t len;
	const char *out;
} json_cases[] = {
    {"plain", 5, "plain"},
    {"q\"b\\", 4, "q\\\"b\\\\"},
    {"a\nb\r\tc", 6, "a\\nb\\r\\tc"},
    {"\x01\x1f", 2, "\\u0001\\u001f"},
    {"caf\xc3\xa9", 5, "caf\xc3\xa9"},
    {"\xe2\x82\xac", 3, "\xe2\x82\xac"},
    {"\xf0\x9f\x98\x80", 4, "\xf0\x9f\x98\x80"},
    /* invalid: lone continuation, truncated sequence, overlong, surrogate */
    {"\x80", 1, "\xef\xbf\xbd"},
    {"a\xc3", 2, "a\xef\xbf\xbd"},
    {"\xc0\xaf", 2, "\xef\xbf\xbd\xef\xbf\xbd"},
    {"\xed\xa0\x80", 3, "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd"},
    {"\xf4\x90\x80\x80", 4, "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd"},
    {"\xff", 1, "\xef\xbf\xbd"},
};

static void
test_json_escape_table(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(json_cases) / sizeof(json_cases[0]);
	     i++) {
		struct strbuf sb;

		strbuf_init(&sb, 1024);
		assert_int_equal(strbuf_add_json_escaped(
				     &sb, json_cases[i].in, json_cases[i].len),
		    0);
		if (strcmp(sb.buf, json_cases[i].out) != 0)
			fail_msg("case %zu: got '%s'", i, sb.buf);
		strbuf_release(&sb);
	}
}

/* every output byte sequence of the escaper is valid UTF-8 without controls */
static void
test_json_escape_property(void **state)
{
	(void)state;
	for (int iter = 0; iter < 2000; iter++) {
		unsigned char in[64];
		size_t n = unit_rand_below(sizeof(in)), i;
		struct strbuf sb;

		for (i = 0; i < n; i++)
			in[i] = (unsigned char)unit_rand();
		strbuf_init(&sb, 4096);
		assert_int_equal(
		    strbuf_add_json_escaped(&sb, (char *)in, n), 0);
		for (i = 0; i < sb.len;) {
			size_t l = utf8_seq_len(
			    (unsigned char *)sb.buf + i, sb.len - i);

			assert_true(l > 0);
			if (l == 1)
				assert_true((unsigned char)sb.buf[i] >= 0x20);
			i += l;
		}
		strbuf_release(&sb);
	}
}

/* random appends against a plain reference copy, under a random ceiling */
static void
test_random_appends_property(void **state)
{
	(void)state;
	for (int iter = 0; iter < 500; iter++) {
		size_t max = 1 + unit_rand_below(300);
		char ref[400];
		size_t rlen = 0;
		struct strbuf sb;
		int over = 0;

		strbuf_init(&sb, max);
		for (int op = 0; op < 40; op++) {
			char chunk[32];
			size_t n = unit_rand_below(sizeof(chunk));
			int r;

			for (size_t i = 0; i < n; i++)
				chunk[i] = (char)('a' + unit_rand_below(26));
			r = strbuf_add(&sb, chunk, n);
			if (rlen + n + 1 <= max) {
				assert_int_equal(r, 0);
				memcpy(ref + rlen, chunk, n);
				rlen += n;
			} else {
				assert_int_equal(r, -1);
				over = 1;
			}
			assert_int_equal(sb.len, rlen);
			assert_memory_equal(sb.buf, ref, rlen);
			assert_int_equal(sb.buf[sb.len], '\0');
			assert_int_equal(sb.overflow, over);
		}
		strbuf_release(&sb);
	}
}

int
main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_init_is_empty),
	    cmocka_unit_test(test_add_and_ceiling),
	    cmocka_unit_test(test_huge_length_does_not_wrap),
	    cmocka_unit_test(test_addf),
	    cmocka_unit_test(test_binary_safe_and_detach),
	    cmocka_unit_test(test_json_escape_table),
	    cmocka_unit_test(test_json_escape_property),
	    cmocka_unit_test(test_random_appends_property),
	};

	unit_init(argc, argv);
	return UNIT_RUN("strbuf", tests);
}
