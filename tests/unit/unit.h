/*
 * unit: the shared main() support of the cmocka unit tests.
 *
 * Every test binary calls unit_init() first (it reads -s SEED or
 * $TEST_SEED, else picks one, and prints it so a failing randomised run can
 * be replayed) and ends with unit_run(), which prints the suite's closing
 * line "NAME: N passed, N failed".
 */
#ifndef UNIT_H
#define UNIT_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

/* Read the seed from argv/-s or $TEST_SEED, print it, seed unit_rand(). */
void unit_init(int argc, char **argv);

/* The seed of this run. */
uint64_t unit_seed(void);

/* A deterministic pseudo-random number (splitmix64 from the seed). */
uint64_t unit_rand(void);

/* A number in [0, n). */
size_t unit_rand_below(size_t n);

/* Run the tests and print "name: N passed, N failed"; returns exit status. */
int unit_run(const char *name, const struct CMUnitTest *tests, size_t n);

#define UNIT_RUN(name, tests) \
	unit_run(name, tests, sizeof(tests) / sizeof(tests[0]))

#endif /* UNIT_H */
