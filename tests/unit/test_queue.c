/*
 * test_queue.c: the durable spool (design.md 7): coalescing, re-runs,
 * retries with a job function that fails on purpose, recovery of a spool
 * a killed process left, limits, cancellation.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "unit.h"
#include "log.h"
#include "queue.h"
#include "banned.h"

#define REPO "4bc14d40-c903-45e2-872e-0462c7748079"
#define ORGU "https://dev.azure.com/fabrikam"

struct runlog {
	pthread_mutex_t lock;
	pthread_cond_t cond;
	int runs;
	int concurrent, max_concurrent;
	char last_source[41];
	int fail_times; /* JOB_RETRY this many times */
	int fail_hard;  /* JOB_FAILED every time */
	int block;      /* wait until released */
	int released;
	int started; /* runs that started */
	int gave_up;
	char gave_up_reason[256];
	int honour_cancel;
	int per_pr[8];      /* running now, per PR id */
	int per_pr_overlap; /* a PR ran on two workers at once */
};

static char tmpdir[64];

static void
mkstate(void)
{
	char p[128];

	snprintf(tmpdir, sizeof(tmpdir), "/tmp/datadiffd-queue-XXXXXX");
	assert_non_null(mkdtemp(tmpdir));
	snprintf(p, sizeof(p), "%s/queue", tmpdir);
	assert_int_equal(mkdir(p, 0700), 0);
	snprintf(p, sizeof(p), "%s/done", tmpdir);
	assert_int_equal(mkdir(p, 0700), 0);
	snprintf(p, sizeof(p), "%s/failed", tmpdir);
	assert_int_equal(mkdir(p, 0700), 0);
}

static void
rmstate(void)
{
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
	assert_int_equal(system(cmd), 0);
}

/* number of files in state/sub whose name ends with suffix */
static int
count_files(const char *sub, const char *suffix)
{
	char p[128];
	DIR *d;
	struct dirent *de;
	int n = 0;

	snprintf(p, sizeof(p), "%s/%s", tmpdir, sub);
	d = opendir(p);
	assert_non_null(d);
	while ((de = readdir(d))) {
		size_t l = strlen(de->d_name), s = strlen(suffix);

		if (de->d_name[0] != '.' && l >= s &&
		    strcmp(de->d_name + l - s, suffix) == 0)
			n++;
	}
	closedir(d);
	return n;
}

static void
make_event(struct pr_event *ev, unsigned long pr, char src, char tgt)
{
	memset(ev, 0, sizeof(*ev));
	ev->type = EVENT_PR_UPDATED;
	snprintf(
	    ev->event_type, sizeof(ev->event_type), "git.pullrequest.updated");
	snprintf(ev->org_url, sizeof(ev->org_url), ORGU);
	snprintf(ev->project_id, sizeof(ev->project_id),
	    "6ce954b1-ce1f-45d1-b94d-e6bf2464ba2c");
	snprintf(ev->repo_id, sizeof(ev->repo_id), REPO);
	ev->pr_id = pr;
	snprintf(ev->status, sizeof(ev->status), "active");
	memset(ev->source_commit, src, 40);
	memset(ev->target_commit, tgt, 40);
}

static enum job_result
run_fn(void *ctx, const struct job *job, const volatile int *cancel,
    char *reason, size_t rlen)
{
	struct runlog *rl = ctx;
	enum job_result res = JOB_DONE;
	unsigned long pr = job->ev.pr_id % 8;

	pthread_mutex_lock(&rl->lock);
	rl->started++;
	if (rl->per_pr[pr]++)
		rl->per_pr_overlap = 1;
	if (++rl->concurrent > rl->max_concurrent)
		rl->max_concurrent = rl->concurrent;
	pthread_cond_broadcast(&rl->cond);
	while (rl->block && !rl->released) {
		if (rl->honour_cancel && *cancel) {
			res = JOB_CANCELED;
			break;
		}
		pthread_mutex_unlock(&rl->lock);
		usleep(2000);
		pthread_mutex_lock(&rl->lock);
	}
	if (res == JOB_DONE && rl->fail_hard) {
		snprintf(reason, rlen, "the repository is gone");
		res = JOB_FAILED;
	} else if (res == JOB_DONE && rl->fail_times > 0) {
		rl->fail_times--;
		snprintf(reason, rlen, "Azure DevOps answered 503");
		res = JOB_RETRY;
	}
	if (res == JOB_DONE) {
		rl->runs++;
		memcpy(rl->last_source, job->ev.source_commit, 40);
		rl->last_source[40] = '\0';
	}
	rl->concurrent--;
	rl->per_pr[pr]--;
	pthread_cond_broadcast(&rl->cond);
	pthread_mutex_unlock(&rl->lock);
	return res;
}

static void
gave_up_fn(void *ctx, const struct job *job, const char *reason)
{
	struct runlog *rl = ctx;

	(void)job;
	pthread_mutex_lock(&rl->lock);
	rl->gave_up++;
	snprintf(rl->gave_up_reason, sizeof(rl->gave_up_reason), "%s", reason);
	pthread_mutex_unlock(&rl->lock);
}

static void
runlog_init(struct runlog *rl)
{
	memset(rl, 0, sizeof(*rl));
	pthread_mutex_init(&rl->lock, NULL);
	pthread_cond_init(&rl->cond, NULL);
}

static struct queue *
open_queue(struct runlog *rl, unsigned workers, unsigned max_jobs)
{
	struct queue_options o;
	struct queue *q;
	char err[256];

	memset(&o, 0, sizeof(o));
	o.state_dir = tmpdir;
	o.workers = workers;
	o.max_attempts = 3;
	o.max_jobs = max_jobs;
	o.retry_base_ms = 5;
	o.retry_max_ms = 20;
	o.run = run_fn;
	o.gave_up = gave_up_fn;
	o.ctx = rl;
	if (queue_open(&q, &o, err, sizeof(err)) != 0)
		fail_msg("queue_open: %s", err);
	return q;
}

/* wait (bounded) until the queue is idle */
static void
drain(struct queue *q)
{
	struct queue_stats st;

	for (int i = 0; i < 5000; i++) {
		queue_get_stats(q, &st);
		if (st.waiting == 0 && st.running == 0)
			return;
		usleep(2000);
	}
	fail_msg("queue did not drain: %u waiting, %u running", st.waiting,
	    st.running);
}

static void
test_accept_run_done(void **state)
{
	struct runlog rl;
	struct queue *q;
	struct pr_event ev;
	char key[QUEUE_KEY_MAX], err[128];

	(void)state;
	mkstate();
	runlog_init(&rl);
	q = open_queue(&rl, 2, 100);
	make_event(&ev, 1, 'a', 'b');
	assert_int_equal(queue_submit(q, &ev, ORGU, 0, key), QUEUE_ACCEPTED);
	/* durable before the answer: the file is there */
	assert_int_equal(count_files("queue", ".job"), 1);
	assert_non_null(strstr(key, REPO "-1"));
	assert_int_equal(queue_start(q, err, sizeof(err)), 0);
	drain(q);
	assert_int_equal(rl.runs, 1);
	assert_int_equal(count_files("queue", ".job"), 0);
	assert_int_equal(count_files("done", ""), 1);
	/* the same pair again is nothing to do; a created event always is */
	assert_int_equal(queue_submit(q, &ev, ORGU, 0, key), QUEUE_UNCHANGED);
	assert_int_equal(queue_submit(q, &ev, ORGU, 1, key), QUEUE_ACCEPTED);
	drain(q);
	assert_int_equal(rl.runs, 2);
	/* a closed PR forgets its pair */
	queue_forget(q, key);
	assert_int_equal(count_files("done", ""), 0);
	assert_int_equal(queue_submit(q, &ev, ORGU, 0, key), QUEUE_ACCEPTED);
	drain(q);
	assert_int_equal(rl.runs, 3);
	queue_stop(q, 1000);
	queue_free(q);
	rmstate();
}

static void
test_coalescing(void **state)
{
	struct runlog rl;
	struct queue *q;
	struct pr_event ev;
	char key[QUEUE_KEY_MAX], err[128];

	(void)state;
	mkstate();
	runlog_init(&rl);
	q = open_queue(&rl, 2, 100);
	/* three pushes while nothing runs: one job, the newest event */
	make_event(&ev, 2, 'a', 'f');
	assert_int_equal(queue_submit(q, &ev, ORGU, 0, key), QUEUE_ACCEPTED);
	make_event(&ev, 2, 'b', 'f');
	assert_int_equal(queue_submit(q, &ev, ORGU, 0, key), QUEUE_ACCEPTED);
	make_event(&ev, 2, 'c', 'f');
	assert_int_equal(queue_submit(q, &ev, ORGU, 0, key), QUEUE_ACCEPTED);
	/* the waiting pair is the latest: a repeat is unchanged */
	assert_int_equal(queue_submit(q, &ev, ORGU, 0, key), QUEUE_UNCHANGED);
	assert_int_equal(count_files("queue", ".job"), 1);
	assert_int_equal(queue_start(q, err, sizeof(err)), 0);
	drain(q);
	assert_int_equal(rl.runs, 1);
	assert_int_equal(rl.last_source[0], 'c');
	queue_stop(q, 1000);
	queue_free(q);
	rmstate();
}

static void
test_rerun_after_running(void **state)
{
	struct runlog rl;
	struct queue *q;
	struct pr_event ev;
	char key[QUEUE_KEY_MAX], err[128];

	(void)state;
	mkstate();
	runlog_init(&rl);
	rl.block = 1;
	q = open_queue(&rl, 2, 100);
	assert_int_equal(queue_start(q, err, sizeof(err)), 0);
	make_event(&ev, 3, 'a', 'f');
	assert_int_equal(queue_submit(q, &ev, ORGU, 0, key), QUEUE_ACCEPTED);
	pthread_mutex_lock(&rl.lock);
	while (rl.started == 0)
		pthread_cond_wait(&rl.cond, &rl.lock);
	pthread_mutex_unlock(&rl.lock);
	/* two pushes while it runs: exactly one re-run, on the newest */
	make_event(&ev, 3, 'b', 'f');
	assert_int_equal(queue_submit(q, &ev, ORGU, 0, key), QUEUE_ACCEPTED);
	make_event(&ev, 3, 'c', 'f');
	assert_int_equal(queue_submit(q, &ev, ORGU, 0, key), QUEUE_ACCEPTED);
	assert_int_equal(count_files("queue", ".rerun"), 1);
	pthread_mutex_lock(&rl.lock);
	rl.released = 1;
	pthread_mutex_unlock(&rl.lock);
	drain(q);
	assert_int_equal(rl.runs, 2);
	assert_int_equal(rl.last_source[0], 'c');
	assert_int_equal(rl.per_pr_overlap, 0);
	assert_int_equal(count_files("queue", ""), 0);
	queue_stop(q, 1000);
	queue_free(q);
	rmstate();
}

struct submitter {
	struct queue *q;
	int seed;
	int accepted;
};

static void *
submit_many(void *arg)
{
	struct submitter *s = arg;
	char key[QUEUE_KEY_MAX];

	for (int i = 0; i < 200; i++) {
		struct pr_event ev;

		make_event(&ev, (unsigned long)(1 + (i + s->seed) % 5),
		    (char)('a' + (i % 6)), 'f');
		if (queue_submit(s->q, &ev, ORGU, 0, key) == QUEUE_ACCEPTED)
			s->accepted++;
	}
	return NULL;
}

/* concurrent submitters: no PR ever runs on two workers at once, and the
 * last run of every PR sees its newest pair */
static void
test_concurrency(void **state)
{
	struct runlog rl;
	struct queue *q;
	struct submitter s[4];
	pthread_t th[4];
	char err[128];

	(void)state;
	mkstate();
	runlog_init(&rl);
	q = open_queue(&rl, 4, 100);
	assert_int_equal(queue_start(q, err, sizeof(err)), 0);
	for (int i = 0; i < 4; i++) {
		s[i].q = q;
		s[i].seed = i;
		s[i].accepted = 0;
		assert_int_equal(
		    pthread_create(&th[i], NULL, submit_many, &s[i]), 0);
	}
	for (int i = 0; i < 4; i++)
		pthread_join(th[i], NULL);
	drain(q);
	assert_int_equal(rl.per_pr_overlap, 0);
	assert_true(rl.runs >= 5);
	assert_int_equal(count_files("queue", ""), 0);
	assert_int_equal(count_files("done", ""), 5);
	queue_stop(q, 1000);
	queue_free(q);
	rmstate();
}

static void
test_retry_then_give_up(void **state)
{
	struct runlog rl;
	struct queue *q;
	struct pr_event ev;
	struct queue_stats st;
	char key[QUEUE_KEY_MAX], err[128];

	(void)state;
	mkstate();
	runlog_init(&rl);
	/* fails twice, then works: max_attempts is 3 */
	rl.fail_times = 2;
	q = open_queue(&rl, 1, 100);
	assert_int_equal(queue_start(q, err, sizeof(err)), 0);
	make_event(&ev, 4, 'a', 'b');
	assert_int_equal(queue_submit(q, &ev, ORGU, 0, key), QUEUE_ACCEPTED);
	drain(q);
	queue_get_stats(q, &st);
	assert_int_equal(st.retried, 2);
	assert_int_equal(rl.runs, 1);
	assert_int_equal(rl.gave_up, 0);

	/* fails always: three attempts, then failed/ with the reason */
	rl.fail_times = 100;
	make_event(&ev, 5, 'a', 'b');
	assert_int_equal(queue_submit(q, &ev, ORGU, 0, key), QUEUE_ACCEPTED);
	drain(q);
	queue_get_stats(q, &st);
	assert_int_equal(st.failed, 1);
	assert_int_equal(rl.started, 3 + 3);
	assert_int_equal(rl.gave_up, 1);
	assert_string_equal(rl.gave_up_reason,
	    "gave up after 3 attempts: Azure DevOps answered 503");
	assert_int_equal(count_files("failed", ".json"), 1);
	assert_int_equal(count_files("queue", ""), 0);
	queue_stop(q, 1000);
	queue_free(q);
	rmstate();
}

static void
write_raw(const char *name, const char *text)
{
	char p[256];
	FILE *f;

	snprintf(p, sizeof(p), "%s/queue/%s", tmpdir, name);
	f = fopen(p, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

/* the text of state/sub/name, in buf */
static void
read_spool(const char *sub, const char *name, char *buf, size_t len)
{
	char p[256];
	FILE *f;
	size_t n;

	snprintf(p, sizeof(p), "%s/%s/%s", tmpdir, sub, name);
	f = fopen(p, "r");
	if (!f)
		fail_msg("cannot open %s", p);
	n = fread(buf, 1, len - 1, f);
	fclose(f);
	buf[n] = '\0';
}

static void
wait_started(struct runlog *rl, int n)
{
	pthread_mutex_lock(&rl->lock);
	while (rl->started < n)
		pthread_cond_wait(&rl->cond, &rl->lock);
	pthread_mutex_unlock(&rl->lock);
}

/*
 * A run counts as an attempt from its start: a job whose runs keep taking
 * the process down fails for good after max_attempts starts.
 */
static void
test_crash_during_run_counts(void **state)
{
	struct runlog rl;
	struct queue *q;
	struct pr_event ev;
	struct queue_stats st;
	char key[QUEUE_KEY_MAX], name[QUEUE_KEY_MAX + 8], err[128];
	char buf[8192], *p;

	(void)state;
	mkstate();
	runlog_init(&rl);
	rl.block = 1;
	q = open_queue(&rl, 1, 100);
	assert_int_equal(queue_start(q, err, sizeof(err)), 0);
	make_event(&ev, 10, 'a', 'b');
	assert_int_equal(queue_submit(q, &ev, ORGU, 0, key), QUEUE_ACCEPTED);
	wait_started(&rl, 1);
	snprintf(name, sizeof(name), "%s.job", key);
	/* while it runs, the spool already counts this attempt */
	read_spool("queue", name, buf, sizeof(buf));
	assert_non_null(strstr(buf, "\"attempts\": 1,"));
	pthread_mutex_lock(&rl.lock);
	rl.released = 1;
	pthread_mutex_unlock(&rl.lock);
	drain(q);
	queue_stop(q, 1000);
	queue_free(q);

	/* the spool after the third start died with the process */
	q = open_queue(&rl, 1, 100);
	make_event(&ev, 11, 'a', 'b');
	assert_int_equal(queue_submit(q, &ev, ORGU, 0, key), QUEUE_ACCEPTED);
	queue_free(q);
	snprintf(name, sizeof(name), "%s.job", key);
	read_spool("queue", name, buf, sizeof(buf));
	p = strstr(buf, "\"attempts\": 0,");
	assert_non_null(p);
	p[strlen("\"attempts\": ")] = '3';
	write_raw(name, buf);

	runlog_init(&rl);
	q = open_queue(&rl, 1, 100);
	assert_int_equal(queue_start(q, err, sizeof(err)), 0);
	drain(q);
	queue_get_stats(q, &st);
	assert_int_equal(rl.started, 0);
	assert_int_equal(st.failed, 1);
	assert_int_equal(rl.gave_up, 1);
	assert_non_null(strstr(
	    rl.gave_up_reason, "gave up after 3 attempts: the daemon stopped"));
	assert_int_equal(count_files("failed", ".json"), 1);
	assert_int_equal(count_files("queue", ""), 0);
	queue_stop(q, 1000);
	queue_free(q);
	rmstate();
}

/* a job that fails for good while a newer push waits: no error status for
 * the old one, the newer one decides */
static void
test_failure_superseded(void **state)
{
	struct runlog rl;
	struct queue *q;
	struct pr_event ev;
	struct queue_stats st;
	char key[QUEUE_KEY_MAX], err[128];

	(void)state;
	mkstate();
	runlog_init(&rl);
	rl.block = 1;
	rl.fail_hard = 1;
	q = open_queue(&rl, 1, 100);
	assert_int_equal(queue_start(q, err, sizeof(err)), 0);
	make_event(&ev, 12, 'a', 'b');
	assert_int_equal(queue_submit(q, &ev, ORGU, 0, key), QUEUE_ACCEPTED);
	wait_started(&rl, 1);
	make_event(&ev, 12, 'c', 'b');
	assert_int_equal(queue_submit(q, &ev, ORGU, 0, key), QUEUE_ACCEPTED);
	pthread_mutex_lock(&rl.lock);
	rl.released = 1;
	pthread_mutex_unlock(&rl.lock);
	drain(q);
	queue_get_stats(q, &st);
	assert_int_equal(rl.started, 2);
	assert_int_equal(st.failed, 2);
	assert_int_equal(rl.gave_up, 1);
	assert_int_equal(count_files("failed", ".json"), 2);
	queue_stop(q, 1000);
	queue_free(q);
	rmstate();
}

/* a spool as a kill -9 leaves it: a job, a job with a newer rerun, a
 * half-written temporary file and a damaged job */
static void
test_recovery(void **state)
{
	struct runlog rl;
	struct queue *q;
	struct pr_event ev;
	struct queue_stats st;
	char key[QUEUE_KEY_MAX], key2[QUEUE_KEY_MAX], err[128];

	(void)state;
	mkstate();
	runlog_init(&rl);
	q = open_queue(&rl, 1, 100);
	make_event(&ev, 6, 'a', 'b');
	assert_int_equal(queue_submit(q, &ev, ORGU, 0, key), QUEUE_ACCEPTED);
	make_event(&ev, 7, 'a', 'b');
	assert_int_equal(queue_submit(q, &ev, ORGU, 0, key2), QUEUE_ACCEPTED);
	queue_free(q); /* the process dies without running anything */

	/* PR 7 was running and a newer event (source 'e') had come in */
	{
		char path[256], buf[8192], *p;
		FILE *f;
		size_t n;

		snprintf(path, sizeof(path), "%s/queue/%s.job", tmpdir, key2);
		f = fopen(path, "r");
		assert_non_null(f);
		n = fread(buf, 1, sizeof(buf) - 1, f);
		fclose(f);
		buf[n] = '\0';
		p = strstr(buf, "\"source_commit\": \"");
		assert_non_null(p);
		memset(p + strlen("\"source_commit\": \""), 'e', 40);
		snprintf(path, sizeof(path), "%s.rerun", key2);
		write_raw(path, buf);
	}
	write_raw("x-1.job.tmp", "{\"version\": 1, \"key\"");
	write_raw("broken.job", "{ not json");
	q = open_queue(&rl, 1, 100);
	assert_int_equal(count_files("queue", ".tmp"), 0);
	assert_int_equal(count_files("queue", ".rerun"), 0);
	assert_int_equal(count_files("failed", ""), 1);
	queue_get_stats(q, &st);
	assert_int_equal(st.waiting, 2);
	assert_int_equal(queue_start(q, err, sizeof(err)), 0);
	drain(q);
	assert_int_equal(rl.runs, 2);
	queue_stop(q, 1000);
	queue_free(q);
	/* the rerun (newer) event was the one run for PR 7 */
	assert_int_equal(count_files("done", ""), 2);
	{
		char path[256], buf[128];
		FILE *f;

		snprintf(path, sizeof(path), "%s/done/%s", tmpdir, key2);
		f = fopen(path, "r");
		assert_non_null(f);
		assert_non_null(fgets(buf, sizeof(buf), f));
		fclose(f);
		assert_int_equal(buf[0], 'e');
	}

	/* after the restart the processed pairs are remembered */
	q = open_queue(&rl, 1, 100);
	make_event(&ev, 6, 'a', 'b');
	assert_int_equal(queue_submit(q, &ev, ORGU, 0, key), QUEUE_UNCHANGED);
	queue_free(q);
	rmstate();
}

static void
test_full_and_unwritable(void **state)
{
	struct runlog rl;
	struct queue *q;
	struct pr_event ev;
	struct queue_stats st;
	char key[QUEUE_KEY_MAX], p[128];

	(void)state;
	mkstate();
	runlog_init(&rl);
	q = open_queue(&rl, 1, 2);
	make_event(&ev, 1, 'a', 'b');
	assert_int_equal(queue_submit(q, &ev, ORGU, 0, key), QUEUE_ACCEPTED);
	make_event(&ev, 2, 'a', 'b');
	assert_int_equal(queue_submit(q, &ev, ORGU, 0, key), QUEUE_ACCEPTED);
	make_event(&ev, 3, 'a', 'b');
	assert_int_equal(queue_submit(q, &ev, ORGU, 0, key), QUEUE_FULL);
	/* coalescing into a queued PR still works when full */
	make_event(&ev, 2, 'c', 'b');
	assert_int_equal(queue_submit(q, &ev, ORGU, 0, key), QUEUE_ACCEPTED);
	queue_free(q);

	/* a spool directory that is gone cannot be written: an I/O error */
	q = open_queue(&rl, 1, 100);
	snprintf(p, sizeof(p), "rm -rf '%s/queue'", tmpdir);
	assert_int_equal(system(p), 0);
	make_event(&ev, 4, 'a', 'b');
	assert_int_equal(queue_submit(q, &ev, ORGU, 0, key), QUEUE_IO_ERROR);
	queue_get_stats(q, &st);
	assert_int_equal(st.writable, 0);
	assert_int_equal(st.waiting, 2);
	queue_free(q);
	rmstate();
}

static void
test_cancel_keeps_the_job(void **state)
{
	struct runlog rl;
	struct queue *q;
	struct pr_event ev;
	struct queue_stats st;
	char key[QUEUE_KEY_MAX], err[128];

	(void)state;
	mkstate();
	runlog_init(&rl);
	rl.block = 1;
	rl.honour_cancel = 1;
	q = open_queue(&rl, 1, 100);
	assert_int_equal(queue_start(q, err, sizeof(err)), 0);
	make_event(&ev, 8, 'a', 'b');
	assert_int_equal(queue_submit(q, &ev, ORGU, 0, key), QUEUE_ACCEPTED);
	wait_started(&rl, 1);
	queue_stop(q, 50);
	queue_get_stats(q, &st);
	assert_int_equal(st.canceled, 1);
	assert_int_equal(count_files("queue", ".job"), 1);
	/* a canceled run is no attempt */
	{
		char name[QUEUE_KEY_MAX + 8], buf[8192];

		snprintf(name, sizeof(name), "%s.job", key);
		read_spool("queue", name, buf, sizeof(buf));
		assert_non_null(strstr(buf, "\"attempts\": 0,"));
	}
	queue_free(q);
	rmstate();
}

static void
test_job_key(void **state)
{
	char a[QUEUE_KEY_MAX], b[QUEUE_KEY_MAX], c[QUEUE_KEY_MAX];

	(void)state;
	queue_job_key("https://dev.azure.com/Fabrikam", REPO, 1, a);
	queue_job_key("https://dev.azure.com/fabrikam", REPO, 1, b);
	queue_job_key("https://dev.azure.com/contoso", REPO, 1, c);
	assert_string_equal(a, b);
	assert_string_not_equal(a, c);
	assert_int_equal(strlen(a), 16 + 1 + 36 + 1 + 1);
}

int
main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_accept_run_done),
	    cmocka_unit_test(test_coalescing),
	    cmocka_unit_test(test_rerun_after_running),
	    cmocka_unit_test(test_concurrency),
	    cmocka_unit_test(test_retry_then_give_up),
	    cmocka_unit_test(test_crash_during_run_counts),
	    cmocka_unit_test(test_failure_superseded),
	    cmocka_unit_test(test_recovery),
	    cmocka_unit_test(test_full_and_unwritable),
	    cmocka_unit_test(test_cancel_keeps_the_job),
	    cmocka_unit_test(test_job_key),
	};

	unit_init(argc, argv);
	log_init(0);
	return UNIT_RUN("queue", tests);
}
