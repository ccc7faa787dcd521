/*
 * value.c: cell classification and numeric comparison (see value.h).
 */
#include "value.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "banned.h"

static const char *const value_type_names[] = {
    [VALUE_EMPTY] = "empty",
    [VALUE_INTEGER] = "integer",
    [VALUE_DECIMAL] = "decimal",
    [VALUE_BOOLEAN] = "boolean",
    [VALUE_DATE] = "date",
    [VALUE_TIMESTAMP] = "timestamp",
    [VALUE_TEXT] = "text",
};

const char *
value_type_name(enum value_type t)
{
	if ((size_t)t >= sizeof(value_type_names) / sizeof(value_type_names[0]))
		return "text";
	return value_type_names[t];
}

static int
is_digit(char c)
{
	return c >= '0' && c <= '9';
}

/* count of leading digits in p[0..len) */
static size_t
digits(const char *p, size_t len)
{
	size_t i = 0;

	while (i < len && is_digit(p[i]))
		i++;
	return i;
}

/*
 * Scan the number grammar. Returns VALUE_INTEGER, VALUE_DECIMAL, or
 * VALUE_TEXT when p is not a number.
 */
static enum value_type
number_kind(const char *p, size_t len)
{
	size_t i = 0, n, frac = 0;
	int decimal = 0;

	if (i < len && (p[i] == '+' || p[i] == '-'))
		i++;
	n = digits(p + i, len - i);
	i += n;
	if (i < len && p[i] == '.') {
		decimal = 1;
		i++;
		frac = digits(p + i, len - i);
		i += frac;
	}
	if (n == 0 && frac == 0)
		return VALUE_TEXT;
	if (i < len && (p[i] == 'e' || p[i] == 'E')) {
		size_t e;

		decimal = 1;
		i++;
		if (i < len && (p[i] == '+' || p[i] == '-'))
			i++;
		e = digits(p + i, len - i);
		if (e == 0)
			return VALUE_TEXT;
		i += e;
	}
	if (i != len)
		return VALUE_TEXT;
	return decimal ? VALUE_DECIMAL : VALUE_INTEGER;
}

/* exactly n digits at p */
static int
ndigits(const char *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!is_digit(p[i]))
			return 0;
	return 1;
}

static int
two(const char *p)
{
	return (p[0] - '0') * 10 + (p[1] - '0');
}

/* YYYY-MM-DD with a plausible month and day */
static int
is_date(const char *p, size_t len)
{
	int m, d;

	if (len < 10 || !ndigits(p, 4) || p[4] != '-' || !ndigits(p + 5, 2) ||
	    p[7] != '-' || !ndigits(p + 8, 2))
		return 0;
	m = two(p + 5);
	d = two(p + 8);
	return m >= 1 && m <= 12 && d >= 1 && d <= 31;
}

/* HH:MM[:SS[.fraction]] then optional Z or +-HH:MM, to the end */
static int
is_time_tail(const char *p, size_t len)
{
	size_t i;

	if (len < 5 || !ndigits(p, 2) || p[2] != ':' || !ndigits(p + 3, 2) ||
	    two(p) > 23 || two(p + 3) > 59)
		return 0;
	i = 5;
	if (i < len && p[i] == ':') {
		if (len - i < 3 || !ndigits(p + i + 1, 2) ||
		    two(p + i + 1) > 60)
			return 0;
		i += 3;
		if (i < len && p[i] == '.') {
			size_t f = digits(p + i + 1, len - i - 1);

			if (f == 0)
				return 0;
			i += 1 + f;
		}
	}
	if (i == len)
		return 1;
	if (p[i] == 'Z')
		return i + 1 == len;
	if (p[i] == '+' || p[i] == '-')
		return len - i == 6 && ndigits(p + i + 1, 2) &&
		    p[i + 3] == ':' && ndigits(p + i + 4, 2);
	return 0;
}

/* ASCII case-insensitive equality with a lower-case word */
static int
word_eq(const char *p, size_t len, const char *lower, size_t n)
{
	if (len != n)
		return 0;
	for (size_t i = 0; i < n; i++)
		if ((p[i] | 0x20) != lower[i])
			return 0;
	return 1;
}

enum value_type
value_classify(const char *p, size_t len)
{
	size_t n;

	if (len == 0)
		return VALUE_EMPTY;
	if (is_digit(p[0])) {
		/* the common shapes first: 123, 2024-01-31 */
		n = digits(p, len);
		if (n == len)
			return VALUE_INTEGER;
		if (n == 4 && p[4] == '-') {
			if (!is_date(p, len))
				return VALUE_TEXT;
			if (len == 10)
				return VALUE_DATE;
			if ((p[10] == 'T' || p[10] == ' ') &&
			    is_time_tail(p + 11, len - 11))
				return VALUE_TIMESTAMP;
			return VALUE_TEXT;
		}
		return number_kind(p, len);
	}
	if (p[0] == '+' || p[0] == '-' || p[0] == '.')
		return number_kind(p, len);
	if (word_eq(p, len, "true", 4) || word_eq(p, len, "false", 5))
		return VALUE_BOOLEAN;
	return VALUE_TEXT;
}

enum value_type
value_type_merge(enum value_type a, enum value_type b)
{
	if (a == b)
		return a;
	if (a == VALUE_EMPTY)
		return b;
	if (b == VALUE_EMPTY)
		return a;
	if ((a == VALUE_INTEGER && b == VALUE_DECIMAL) ||
	    (a == VALUE_DECIMAL && b == VALUE_INTEGER))
		return VALUE_DECIMAL;
	if ((a == VALUE_DATE && b == VALUE_TIMESTAMP) ||
	    (a == VALUE_TIMESTAMP && b == VALUE_DATE))
		return VALUE_TIMESTAMP;
	return VALUE_TEXT;
}

int
value_parse_number(const char *p, size_t len, double *out)
{
	char buf[128];
	char *end = NULL;

	if (len == 0 || len >= sizeof(buf) || number_kind(p, len) == VALUE_TEXT)
		return -1;
	memcpy(buf, p, len);
	buf[len] = '\0';
	*out = strtod(buf, &end);
	if (end != buf + len)
		return -1;
	return 0;
}

int
value_equal(
    const char *a, size_t alen, const char *b, size_t blen, double tolerance)
{
	double x, y;

	if (alen == blen && (alen == 0 || memcmp(a, b, alen) == 0))
		return 1;
	if (tolerance <= 0)
		return 0;
	if (value_parse_number(a, alen, &x) == -1 ||
	    value_parse_number(b, blen, &y) == -1)
		return 0;
	return fabs(x - y) <= tolerance;
}
