/*
 * queue: the durable job spool, coalescing per pull request, retries and
 * the worker threads (design.md 7).
 *
 * A job is one pull request: (organization, repository, PR). Its newest
 * event is kept in state_dir/queue/KEY.job, written durably (temporary
 * file, fsync, rename, fsync of the directory) before queue_submit()
 * returns QUEUE_ACCEPTED, so a 202 is only ever sent for an event that
 * survives a crash. A newer event replaces a waiting one; one that arrives
 * while the PR runs goes to KEY.rerun and runs once right after. A PR never
 * runs on two workers at once. When a run succeeds, the commit pair it
 * processed is recorded in state_dir/done/KEY (durably) and the job file
 * removed; a retryable failure is retried with exponential backoff and
 * jitter up to max_attempts, then the job moves to state_dir/failed/ with
 * its reason. A run counts as an attempt from its start (KEY.job records
 * it first), so a job that takes the daemon down with it fails for good
 * after max_attempts starts. queue_open() resumes everything a previous
 * process left.
 *
 * Threads: queue_submit() may be called from any thread (the HTTP threads);
 * the run callback is called on the worker threads, never two at once for
 * one PR. Opaque; create with queue_open(), free with queue_free().
 */
#ifndef QUEUE_H
#define QUEUE_H

#include <stddef.h>
#include <stdint.h>

#include "compat.h"
#include "event.h"

#define QUEUE_KEY_MAX 96

/* One unit of work, as the worker receives it (no secret in it). */
struct job {
	char key[QUEUE_KEY_MAX];     /* file name stem: ORGHASH-REPO-PR */
	char org_url[EVENT_URL_MAX]; /* the organization, canonical form */
	struct pr_event ev;          /* the newest event for the PR */
	unsigned attempts;           /* failed runs so far */
	int64_t enqueued_ms;         /* when the event was accepted (epoch) */
};

enum job_result {
	JOB_DONE,     /* processed: record the commit pair */
	JOB_RETRY,    /* failed for now (ADO down, ...): try again later */
	JOB_FAILED,   /* failed for good: move to failed/ at once */
	JOB_CANCELED, /* stopped by shutdown: leave it queued, no attempt used */
};

const char *job_result_name(enum job_result r);

/*
 * Runs one job. Write a short reason (no secrets) for a failure. *cancel
 * becomes non-zero when the daemon stops: return JOB_CANCELED soon after.
 */
typedef enum job_result queue_run_fn(void *ctx, const struct job *job,
    const volatile int *cancel, char *reason, size_t rlen);

/*
 * Called once when a job is given up (after queue_run_fn, on the worker),
 * unless a newer event for its PR is about to run.
 */
typedef void queue_gave_up_fn(
    void *ctx, const struct job *job, const char *reason);

struct queue_options {
	const char *state_dir;
	unsigned workers;
	unsigned max_attempts;
	unsigned max_jobs; /* jobs waiting or running; beyond: QUEUE_FULL */
	unsigned retry_base_ms; /* first backoff; doubles per attempt */
	unsigned retry_max_ms;  /* backoff ceiling */
	queue_run_fn *run;
	queue_gave_up_fn *gave_up; /* may be NULL */
	void *ctx;
};

enum queue_submit_result {
	QUEUE_ACCEPTED,  /* durably queued (or coalesced into a queued job) */
	QUEUE_UNCHANGED, /* that commit pair is already processed or queued */
	QUEUE_FULL,      /* max_jobs reached */
	QUEUE_IO_ERROR,  /* the spool could not be written */
};

struct queue_stats {
	unsigned waiting; /* queued, not running (including backing off) */
	unsigned running;
	unsigned workers; /* worker threads running */
	unsigned long long done, retried, failed, canceled;
	int writable; /* the last spool write worked */
};

struct queue;

/*
 * Open the spool under opts->state_dir (its queue/, done/ and failed/
 * subdirectories must exist), remove temporary files a crash left, and
 * load every waiting job and processed commit pair. Workers start with
 * queue_start(). Returns 0, or -1 with err set.
 */
int queue_open(struct queue **qp, const struct queue_options *opts, char *err,
    size_t errlen);

/* Start the worker threads. Returns 0 or -1 (err set). */
int queue_start(struct queue *q, char *err, size_t errlen);

/*
 * The job key of a pull request: a hash of the organization URL, the
 * repository id and the PR id. key must hold QUEUE_KEY_MAX bytes.
 */
void queue_job_key(
    const char *org_url, const char *repo_id, unsigned long pr_id, char *key);

/*
 * Queue the event ev for the configured organization org_url (its
 * canonical form, config_org.canon, so the key does not change with the
 * spelling of organization_url). Unless
 * always is set (a PR was created), an event whose commit pair equals the
 * last one processed, queued or running for its PR is QUEUE_UNCHANGED.
 * key receives the job key (QUEUE_KEY_MAX bytes).
 */
enum queue_submit_result queue_submit(struct queue *q,
    const struct pr_event *ev, const char *org_url, int always, char *key);

/*
 * Forget the processed commit pair of a PR (it was completed or
 * abandoned), so the done/ directory only holds open pull requests.
 */
void queue_forget(struct queue *q, const char *key);

void queue_get_stats(struct queue *q, struct queue_stats *st);

/*
 * Check that the spool takes writes (a probe file in queue/), and record
 * it in the stats. Returns 1 when writable.
 */
int queue_probe(struct queue *q);

/*
 * Stop: take no new job; let running ones finish for up to grace_ms, then
 * cancel them (their jobs stay queued for the next start); join the
 * workers. Submissions keep working until queue_free().
 */
void queue_stop(struct queue *q, unsigned grace_ms);

void queue_free(struct queue *q);

#endif /* QUEUE_H */
