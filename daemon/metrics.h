/*
 * metrics: counters of the daemon, rendered for GET /metrics in the
 * Prometheus text format 0.0.4. Every function may be called from any
 * thread (lock-free atomics). No label ever carries data from a request.
 */
#ifndef METRICS_H
#define METRICS_H

#include <stdint.h>

#include "queue.h"
#include "strbuf.h"

enum metric_hook {
	HOOK_ACCEPTED,     /* 202 */
	HOOK_IGNORED,      /* 200 */
	HOOK_UNAUTHORIZED, /* 401 */
	HOOK_FORBIDDEN,    /* 403 */
	HOOK_BAD_REQUEST,  /* 400 */
	HOOK_TOO_LARGE,    /* 413 */
	HOOK_UNAVAILABLE,  /* 503 */
	HOOK_RESULTS,
};

void metrics_hook(enum metric_hook r);

/* A job run ended with r after ms milliseconds. */
void metrics_job(enum job_result r, int64_t ms);

/* An Azure DevOps request got HTTP status (0: no answer at all). */
void metrics_ado(long status);

/* Rows read by the diff engine (both sides). */
void metrics_rows(uint64_t n);

/* Append the exposition; st is the queue's state right now. */
void metrics_render(struct strbuf *sb, const struct queue_stats *st);

#endif /* METRICS_H */
