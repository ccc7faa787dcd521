/*
 * parallel.c: a tiny fork-join helper on POSIX threads (see parallel.h).
 */
#include "parallel.h"

#include <pthread.h>
#include <stdlib.h>

#include "xmalloc.h"
#include "banned.h"

struct parallel_task {
	void (*fn)(void *);
	void *arg;
};

static void *
parallel_thread(void *p)
{
	struct parallel_task *t = p;

	t->fn(t->arg);
	return NULL;
}

void
parallel_run(void *ctx, void (*fn)(void *), void *const *args, size_t n)
{
	pthread_t *th;
	struct parallel_task *tasks;
	int *started;

	(void)ctx;
	if (n == 0)
		return;
	th = xcalloc(n, sizeof(*th));
	tasks = xcalloc(n, sizeof(*tasks));
	started = xcalloc(n, sizeof(*started));
	for (size_t i = 1; i < n; i++) {
		tasks[i].fn = fn;
		tasks[i].arg = args[i];
		started[i] = pthread_create(
				 &th[i], NULL, parallel_thread, &tasks[i]) == 0;
	}
	fn(args[0]);
	for (size_t i = 1; i < n; i++) {
		if (started[i])
			pthread_join(th[i], NULL);
		else
			fn(args[i]);
	}
	free(th);
	free(tasks);
	free(started);
}
