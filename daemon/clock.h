/*
 * clock: the wall clock in milliseconds since the epoch. Job files keep
 * such times across restarts, and deadlines compare with them.
 */
#ifndef CLOCK_H
#define CLOCK_H

#include <stdint.h>

int64_t clock_ms(void);

#endif /* CLOCK_H */
