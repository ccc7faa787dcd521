/*
 * seed: an unpredictable 64-bit value, for the hash seed of a diff, so no
 * file can be crafted to make its keys collide in the index.
 */
#ifndef SEED_H
#define SEED_H

#include <stdint.h>

uint64_t seed_random(void);

#endif /* SEED_H */
