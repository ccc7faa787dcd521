/*
 * job.c: the job pipeline (see job.h).
 */
#include "job.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "log.h"
#include "banned.h"

/* DATADIFFD_JOB_STUB: milliseconds a stub job takes, or -1 when unset */
static long
stub_ms(void)
{
	const char *s = getenv("DATADIFFD_JOB_STUB");
	char *end;
	long v;

	if (!s || !*s)
		return -1;
	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || *end || v < 0 || v > 600000)
		return -1;
	return v;
}

enum job_result
job_run(void *ctx, const struct job *job, const volatile int *cancel,
    char *reason, size_t rlen)
{
	long ms = stub_ms();
	struct timespec ts;

	(void)ctx;
	(void)reason;
	(void)rlen;
	if (ms < 0)
		ms = 0;
	for (long waited = 0; waited < ms; waited += 10) {
		if (*cancel)
			return JOB_CANCELED;
		ts.tv_sec = 0;
		ts.tv_nsec = 10 * 1000000L;
		nanosleep(&ts, NULL);
	}
	log_info("job %s: stub run for pull request %lu at %s..%s", job->key,
	    job->ev.pr_id, job->ev.target_commit, job->ev.source_commit);
	return JOB_DONE;
}

void
job_gave_up(void *ctx, const struct job *job, const char *reason)
{
	(void)ctx;
	log_warnx("job %s: gave up: %s", job->key, reason);
}

int
job_replay(const struct config *cfg, const struct pr_event *ev,
    const char *org_url, int dry_run)
{
	(void)cfg;
	(void)ev;
	(void)org_url;
	(void)dry_run;
	log_errx("replay: not available yet");
	return -1;
}

void
job_thread_done(void)
{
}
