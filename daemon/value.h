/*
 * value: what a table cell means (pure). Column types of design.md 6.4 and
 * the number grammar of 6.2, shared by the diff engine and its reports.
 */
#ifndef VALUE_H
#define VALUE_H

#include <stddef.h>

#include "compat.h"

/* Ordered so that the widening rules below read naturally. */
enum value_type {
	VALUE_EMPTY = 0, /* no non-empty value seen */
	VALUE_INTEGER,
	VALUE_DECIMAL,
	VALUE_BOOLEAN,
	VALUE_DATE,
	VALUE_TIMESTAMP,
	VALUE_TEXT,
};

/* "empty", "integer", ... as in the JSON contract. */
const char *value_type_name(enum value_type t);

/*
 * Classify one value: VALUE_EMPTY for "", else integer (optional sign,
 * digits), decimal (optional sign, digits with '.' and/or an exponent),
 * boolean (true/false, any case), date (YYYY-MM-DD), timestamp (a date, 'T'
 * or ' ', HH:MM[:SS[.fraction]], optional 'Z' or +-HH:MM), else text.
 */
enum value_type value_classify(const char *p, size_t len);

/*
 * The type of a column holding values of types a and b: integer widens to
 * decimal, date to timestamp, empty takes the other, any other mix is text.
 */
enum value_type value_type_merge(enum value_type a, enum value_type b);

/*
 * Parse a number of the grammar of design.md 6.2: optional sign, digits,
 * optional fraction, optional exponent ("+1", ".5", "1e3"); no thousands
 * separators, no inf or nan, no surrounding space. Returns 0 and sets *out,
 * or -1 when the text is not such a number.
 */
int value_parse_number(const char *p, size_t len, double *out);

/*
 * Whether two values compare equal: same bytes, or, when tolerance > 0 and
 * both are numbers, |a - b| <= tolerance.
 */
int value_equal(
    const char *a, size_t alen, const char *b, size_t blen, double tolerance);

#endif /* VALUE_H */
