/*
 * job: one pull request from event to report (design.md 5.6, 5.7): post
 * a pending status, list the PR's changes, fetch and diff each data file,
 * publish the report thread, post the final status.
 *
 * job_run() is the queue's run function: it runs on a worker thread, uses
 * that thread's Azure DevOps client, and takes the configuration current
 * when it starts. With DATADIFFD_JOB_STUB=MS in the environment (tests and
 * benchmarks of the daemon core) a job touches nothing: it waits MS
 * milliseconds, logs and succeeds.
 */
#ifndef JOB_H
#define JOB_H

#include <stddef.h>

#include "compat.h"
#include "config.h"
#include "queue.h"

/* queue_run_fn: run one job. ctx is unused. */
enum job_result job_run(void *ctx, const struct job *job,
    const volatile int *cancel, char *reason, size_t rlen);

/* queue_gave_up_fn: set the PR status to error after the last attempt. */
void job_gave_up(void *ctx, const struct job *job, const char *reason);

/*
 * --replay: run the job for event ev of organization org_url (a configured
 * URL) once, on this thread. With dry_run nothing is written anywhere: the
 * Markdown report goes to stdout. Returns 0 when published (or printed).
 */
int job_replay(const struct config *cfg, const struct pr_event *ev,
    const char *org_url, int dry_run);

/* Release this thread's Azure DevOps client (worker threads do at exit). */
void job_thread_done(void);

/* Remove what killed runs left in state_dir/work (at start). */
void job_clean_workdirs(const char *state_dir);

#endif /* JOB_H */
