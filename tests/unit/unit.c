/*
 * unit.c: seed handling and the summary line of every unit test binary.
 */
#include "unit.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "banned.h"

static uint64_t seed;
static uint64_t state;

uint64_t
unit_seed(void)
{
	return seed;
}

uint64_t
unit_rand(void)
{
	uint64_t z = (state += UINT64_C(0x9e3779b97f4a7c15));

	z = (z ^ (z >> 30)) * UINT64_C(0xbf58476d1ce4e5b9);
	z = (z ^ (z >> 27)) * UINT64_C(0x94d049bb133111eb);
	return z ^ (z >> 31);
}

size_t
unit_rand_below(size_t n)
{
	return n ? (size_t)(unit_rand() % n) : 0;
}

static int
parse_seed(const char *s, uint64_t *out)
{
	char *end;
	unsigned long long v;

	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno || end == s || *end)
		return -1;
	*out = v;
	return 0;
}

void
unit_init(int argc, char **argv)
{
	const char *env = getenv("TEST_SEED");
	int ch;

	seed = (uint64_t)time(NULL) ^ ((uint64_t)getpid() << 16);
	if (env && parse_seed(env, &seed) == -1) {
		fprintf(stderr, "bad TEST_SEED '%s'\n", env);
		exit(2);
	}
	while ((ch = getopt(argc, argv, "s:")) != -1) {
		if (ch != 's' || parse_seed(optarg, &seed) == -1) {
			fprintf(stderr, "usage: %s [-s SEED]\n", argv[0]);
			exit(2);
		}
	}
	state = seed;
	printf("seed: %llu (replay with -s %llu or TEST_SEED)\n",
	    (unsigned long long)seed, (unsigned long long)seed);
	fflush(stdout);
}

int
unit_run(const char *name, const struct CMUnitTest *tests, size_t n)
{
	int failed = _cmocka_run_group_tests(name, tests, n, NULL, NULL);

	printf("%s: %zu passed, %d failed\n", name, n - (size_t)failed, failed);
	return failed ? 1 : 0;
}
