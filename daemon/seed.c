/*
 * seed.c: see seed.h.
 */
#include "seed.h"

#include <sys/random.h>
#include <sys/types.h>
#include <time.h>

#include "banned.h"

uint64_t
seed_random(void)
{
	uint64_t v;
	struct timespec ts;

	if (getrandom(&v, sizeof(v), GRND_NONBLOCK) == (ssize_t)sizeof(v))
		return v;
	/* the entropy pool is not ready this early in boot: good enough */
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_nsec * UINT64_C(0x9e3779b97f4a7c15) ^
	    (uint64_t)ts.tv_sec ^ (uint64_t)(uintptr_t)&v;
}
