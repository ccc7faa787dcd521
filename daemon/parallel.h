/*
 * parallel: run a few tasks at once on threads, for the diff engine
 * (diff_parallel_fn). The engine itself stays free of threads.
 */
#ifndef PARALLEL_H
#define PARALLEL_H

#include <stddef.h>

/*
 * Run fn(args[i]) for every i < n, each on its own thread (the first on the
 * calling thread), and return when all are done. When a thread cannot be
 * created, its task runs on the calling thread instead. ctx is unused.
 */
void parallel_run(void *ctx, void (*fn)(void *), void *const *args, size_t n);

#endif /* PARALLEL_H */
