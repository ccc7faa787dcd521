/*
 * queue.c: durable spool, coalescing, retries, workers (see queue.h).
 *
 * Locks: q->lock guards the maps, lists and counters; each entry's wlock
 * serialises everything that writes that PR's files and every change of
 * its state, so whoever holds wlock sees a state that cannot move under
 * it. Order: wlock before q->lock; a thread holding q->lock only ever
 * try-locks a wlock. File I/O happens under wlock, never under q->lock, so
 * accepting events for other PRs never waits on a disk flush.
 */
#include "queue.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/queue.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#define XXH_INLINE_ALL
#include <xxhash.h>

#include "bounds.h"
#include "clock.h"
#include "log.h"
#include "metrics.h"
#include "strbuf.h"
#include "xmalloc.h"
#include "banned.h"

enum qstate {
	Q_IDLE,    /* no job yet (a first event is being written) */
	Q_WAITING, /* on the waiting list */
	Q_RUNNING, /* a worker has it */
};

struct qentry {
	struct qentry *hnext; /* hash chain */
	char key[QUEUE_KEY_MAX];
	pthread_mutex_t wlock;
	enum qstate state;
	unsigned pins; /* submitters between their two critical sections */
	struct job job;
	int64_t not_before_ms;
	struct job *rerun; /* a newer event waiting in KEY.rerun, or NULL */
	TAILQ_ENTRY(qentry) link; /* waiting list, while Q_WAITING */
};

struct qdone {
	struct qdone *hnext;
	char key[QUEUE_KEY_MAX];
	char source[EVENT_COMMIT_LEN + 1];
	char target[EVENT_COMMIT_LEN + 1];
};

TAILQ_HEAD(qlist, qentry);

struct queue {
	struct queue_options opts;
	pthread_mutex_t lock;
	pthread_cond_t wake; /* a job became ready, or stop */
	pthread_cond_t idle; /* a job finished (queue_stop waits on it) */
	/*
	 * Directories are opened anew for every operation, so a spool that
	 * was recreated (or remounted) while running is found again.
	 */
	char *state_dir;
	char *dir_queue, *dir_done, *dir_failed;

	struct qentry **jobs; /* hash of entries by key */
	size_t njobs, jobs_buckets;
	struct qdone **done;
	size_t ndone, done_buckets;
	struct qlist waiting;

	pthread_t *threads;
	unsigned nthreads;
	int stopping;
	volatile int cancel;
	unsigned running, nwaiting;
	unsigned long long ndone_runs, nretried, nfailed, ncanceled;
	int writable;
	uint64_t rng;
};

const char *
job_result_name(enum job_result r)
{
	switch (r) {
	case JOB_DONE:
		return "done";
	case JOB_RETRY:
		return "retry";
	case JOB_FAILED:
		return "failed";
	case JOB_CANCELED:
		break;
	}
	return "canceled";
}

/* ---- the two maps: small chained hashes keyed by job key ---- */

static size_t
key_bucket(const char *key, size_t nbuckets)
{
	return (size_t)XXH3_64bits(key, strlen(key)) & (nbuckets - 1);
}

static struct qentry *
jobs_find(struct queue *q, const char *key)
{
	struct qentry *e = q->jobs[key_bucket(key, q->jobs_buckets)];

	while (e && strcmp(e->key, key) != 0)
		e = e->hnext;
	return e;
}

static struct qdone *
done_find(struct queue *q, const char *key)
{
	struct qdone *d = q->done[key_bucket(key, q->done_buckets)];

	while (d && strcmp(d->key, key) != 0)
		d = d->hnext;
	return d;
}

/* rehash when the chains grow; both maps share the shape */
static void
jobs_insert(struct queue *q, struct qentry *e)
{
	size_t b;

	if (q->njobs + 1 > 2 * q->jobs_buckets) {
		size_t nb = q->jobs_buckets * 2;
		struct qentry **nt = xcalloc(nb, sizeof(*nt));

		for (size_t i = 0; i < q->jobs_buckets; i++) {
			while (q->jobs[i]) {
				struct qentry *x = q->jobs[i];

				q->jobs[i] = x->hnext;
				x->hnext = nt[key_bucket(x->key, nb)];
				nt[key_bucket(x->key, nb)] = x;
			}
		}
		free(q->jobs);
		q->jobs = nt;
		q->jobs_buckets = nb;
	}
	b = key_bucket(e->key, q->jobs_buckets);
	e->hnext = q->jobs[b];
	q->jobs[b] = e;
	q->njobs++;
}

static void
jobs_remove(struct queue *q, struct qentry *e)
{
	struct qentry **pp = &q->jobs[key_bucket(e->key, q->jobs_buckets)];

	while (*pp && *pp != e)
		pp = &(*pp)->hnext;
	if (*pp) {
		*pp = e->hnext;
		q->njobs--;
	}
}

static void
done_set(
    struct queue *q, const char *key, const char *source, const char *target)
{
	struct qdone *d = done_find(q, key);
	size_t b;

	if (!d) {
		if (q->ndone + 1 > 2 * q->done_buckets) {
			size_t nb = q->done_buckets * 2;
			struct qdone **nt = xcalloc(nb, sizeof(*nt));

			for (size_t i = 0; i < q->done_buckets; i++) {
				while (q->done[i]) {
					struct qdone *x = q->done[i];

					q->done[i] = x->hnext;
					x->hnext = nt[key_bucket(x->key, nb)];
					nt[key_bucket(x->key, nb)] = x;
				}
			}
			free(q->done);
			q->done = nt;
			q->done_buckets = nb;
		}
		d = xcalloc(1, sizeof(*d));
		snprintf(d->key, sizeof(d->key), "%s", key);
		b = key_bucket(key, q->done_buckets);
		d->hnext = q->done[b];
		q->done[b] = d;
		q->ndone++;
	}
	snprintf(d->source, sizeof(d->source), "%s", source);
	snprintf(d->target, sizeof(d->target), "%s", target);
}

static void
done_remove(struct queue *q, const char *key)
{
	struct qdone **pp = &q->done[key_bucket(key, q->done_buckets)];

	while (*pp && strcmp((*pp)->key, key) != 0)
		pp = &(*pp)->hnext;
	if (*pp) {
		struct qdone *d = *pp;

		*pp = d->hnext;
		free(d);
		q->ndone--;
	}
}

/* ---- spool files ---- */

static int
dir_open(const char *path)
{
	return open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
}

/* fsync a directory by path; 0 or -1 */
static int
dir_sync(const char *path)
{
	int fd = dir_open(path), ret;

	if (fd == -1)
		return -1;
	ret = fsync(fd);
	close(fd);
	return ret;
}

static int spool_write_at(
    int dir, const char *name, const char *data, size_t len);

static int
unlink_in(const char *dirpath, const char *name)
{
	int dir = dir_open(dirpath), ret;

	if (dir == -1)
		return -1;
	ret = unlinkat(dir, name, 0);
	close(dir);
	return ret;
}

static int
rename_in(const char *dirpath, const char *from, const char *to)
{
	int dir = dir_open(dirpath), ret;

	if (dir == -1)
		return -1;
	ret = renameat(dir, from, dir, to);
	close(dir);
	return ret;
}

/*
 * Write data to dir/name durably: a temporary file, fsync, rename over
 * name, fsync of the directory. Returns 0, or -1 with errno set.
 */
static int
spool_write(const char *dirpath, const char *name, const char *data, size_t len)
{
	int dir = dir_open(dirpath), ret, saved;

	if (dir == -1)
		return -1;
	ret = spool_write_at(dir, name, data, len);
	saved = errno;
	close(dir);
	errno = saved;
	return ret;
}

static int
spool_write_at(int dir, const char *name, const char *data, size_t len)
{
	char tmp[QUEUE_KEY_MAX + 32];
	int fd, saved;
	size_t off = 0;

	snprintf(tmp, sizeof(tmp), "%s.tmp", name);
	fd = openat(dir, tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd == -1)
		return -1;
	while (off < len) {
		ssize_t n = write(fd, data + off, len - off);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			goto fail;
		off += (size_t)n;
	}
	if (fdatasync(fd) == -1)
		goto fail;
	if (close(fd) == -1) {
		fd = -1;
		goto fail;
	}
	fd = -1;
	if (renameat(dir, tmp, dir, name) == -1)
		goto fail;
	return fsync(dir);
fail:
	saved = errno ? errno : EIO;
	if (fd != -1)
		close(fd);
	unlinkat(dir, tmp, 0);
	errno = saved;
	return -1;
}

static void
job_file_name(char *out, size_t len, const char *key, const char *suffix)
{
	snprintf(out, len, "%s.%s", key, suffix);
}

static void
json_str(struct strbuf *sb, const char *name, const char *v, int comma)
{
	strbuf_addf(sb, "%s\"%s\": ", comma ? ",\n  " : "", name);
	strbuf_add_json_string(sb, v, strlen(v));
}

/* the spool format of a job: JSON, everything but secrets */
static void
job_to_json(struct strbuf *sb, const struct job *j, int64_t not_before,
    const char *reason)
{
	const struct pr_event *ev = &j->ev;

	strbuf_addstr(sb, "{\n  \"version\": 1");
	json_str(sb, "key", j->key, 1);
	json_str(sb, "org_url", j->org_url, 1);
	strbuf_addf(sb, ",\n  \"attempts\": %u", j->attempts);
	strbuf_addf(
	    sb, ",\n  \"enqueued_ms\": %lld", (long long)j->enqueued_ms);
	strbuf_addf(sb, ",\n  \"not_before_ms\": %lld", (long long)not_before);
	if (reason)
		json_str(sb, "reason", reason, 1);
	strbuf_addstr(sb, ",\n  \"event\": {\n  ");
	json_str(sb, "event_type", ev->event_type, 0);
	json_str(sb, "event_id", ev->event_id, 1);
	json_str(sb, "subscription_id", ev->subscription_id, 1);
	json_str(sb, "org_url", ev->org_url, 1);
	json_str(sb, "project_id", ev->project_id, 1);
	json_str(sb, "project_name", ev->project_name, 1);
	json_str(sb, "repo_id", ev->repo_id, 1);
	json_str(sb, "repo_name", ev->repo_name, 1);
	strbuf_addf(sb, ",\n  \"pr_id\": %lu", ev->pr_id);
	json_str(sb, "status", ev->status, 1);
	strbuf_addf(
	    sb, ",\n  \"is_draft\": %s", ev->is_draft ? "true" : "false");
	json_str(sb, "source_ref", ev->source_ref, 1);
	json_str(sb, "target_ref", ev->target_ref, 1);
	json_str(sb, "source_commit", ev->source_commit, 1);
	json_str(sb, "target_commit", ev->target_commit, 1);
	json_str(sb, "merge_commit", ev->merge_commit, 1);
	json_str(sb, "title", ev->title, 1);
	strbuf_addstr(sb, "}\n}\n");
}

static int
json_copy(const cJSON *o, const char *name, char *out, size_t len)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, name);

	if (!cJSON_IsString(v) || strlen(v->valuestring) >= len)
		return -1;
	memcpy(out, v->valuestring, strlen(v->valuestring) + 1);
	return 0;
}

static int
json_number(const cJSON *o, const char *name, double lo, double hi, double *out)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, name);

	if (!cJSON_IsNumber(v) || v->valuedouble < lo || v->valuedouble > hi)
		return -1;
	*out = v->valuedouble;
	return 0;
}

static enum event_type
event_type_of(const char *s)
{
	if (strcmp(s, "git.pullrequest.created") == 0)
		return EVENT_PR_CREATED;
	if (strcmp(s, "git.pullrequest.updated") == 0)
		return EVENT_PR_UPDATED;
	if (strcmp(s, "git.pullrequest.merged") == 0)
		return EVENT_PR_MERGED;
	if (strcmp(s, "ms.vss-code.git-pullrequest-comment-event") == 0)
		return EVENT_PR_COMMENTED;
	return EVENT_OTHER;
}

/* parse and re-validate a spooled job (a disk may hand back anything) */
static int
job_from_json(const char *text, size_t len, struct job *j, int64_t *not_before)
{
	cJSON *root = cJSON_ParseWithLength(text, len);
	const cJSON *ev;
	double d;
	int ret = -1;

	memset(j, 0, sizeof(*j));
	if (!root)
		return -1;
	ev = cJSON_GetObjectItemCaseSensitive(root, "event");
	if (json_copy(root, "key", j->key, sizeof(j->key)) == -1 ||
	    json_copy(root, "org_url", j->org_url, sizeof(j->org_url)) == -1 ||
	    json_number(root, "attempts", 0, 1e6, &d) == -1)
		goto out;
	j->attempts = (unsigned)d;
	if (json_number(root, "enqueued_ms", 0, 1e15, &d) == -1)
		goto out;
	j->enqueued_ms = (int64_t)d;
	if (json_number(root, "not_before_ms", 0, 1e15, &d) == -1)
		goto out;
	*not_before = (int64_t)d;
	if (!cJSON_IsObject(ev) ||
	    json_copy(ev, "event_type", j->ev.event_type,
		sizeof(j->ev.event_type)) == -1 ||
	    json_copy(ev, "event_id", j->ev.event_id, sizeof(j->ev.event_id)) ==
		-1 ||
	    json_copy(ev, "subscription_id", j->ev.subscription_id,
		sizeof(j->ev.subscription_id)) == -1 ||
	    json_copy(ev, "org_url", j->ev.org_url, sizeof(j->ev.org_url)) ==
		-1 ||
	    json_copy(ev, "project_id", j->ev.project_id,
		sizeof(j->ev.project_id)) == -1 ||
	    json_copy(ev, "project_name", j->ev.project_name,
		sizeof(j->ev.project_name)) == -1 ||
	    json_copy(ev, "repo_id", j->ev.repo_id, sizeof(j->ev.repo_id)) ==
		-1 ||
	    json_copy(ev, "repo_name", j->ev.repo_name,
		sizeof(j->ev.repo_name)) == -1 ||
	    json_number(ev, "pr_id", 1, 2147483647.0, &d) == -1 ||
	    json_copy(ev, "status", j->ev.status, sizeof(j->ev.status)) == -1 ||
	    json_copy(ev, "source_ref", j->ev.source_ref,
		sizeof(j->ev.source_ref)) == -1 ||
	    json_copy(ev, "target_ref", j->ev.target_ref,
		sizeof(j->ev.target_ref)) == -1 ||
	    json_copy(ev, "source_commit", j->ev.source_commit,
		sizeof(j->ev.source_commit)) == -1 ||
	    json_copy(ev, "target_commit", j->ev.target_commit,
		sizeof(j->ev.target_commit)) == -1 ||
	    json_copy(ev, "merge_commit", j->ev.merge_commit,
		sizeof(j->ev.merge_commit)) == -1 ||
	    json_copy(ev, "title", j->ev.title, sizeof(j->ev.title)) == -1)
		goto out;
	j->ev.pr_id = (unsigned long)d;
	j->ev.is_draft =
	    cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(ev, "is_draft"));
	j->ev.type = event_type_of(j->ev.event_type);
	if (!event_is_guid(j->ev.project_id) || !event_is_guid(j->ev.repo_id) ||
	    !event_is_sha1(j->ev.source_commit) ||
	    !event_is_sha1(j->ev.target_commit) ||
	    (j->ev.merge_commit[0] && !event_is_sha1(j->ev.merge_commit)))
		goto out;
	ret = 0;
out:
	cJSON_Delete(root);
	return ret;
}

static int
job_write(const char *dir, const char *name, const struct job *j,
    int64_t not_before, const char *reason)
{
	struct strbuf sb;
	int ret;

	strbuf_init(&sb, QUEUE_MAX_JOB_BYTES);
	job_to_json(&sb, j, not_before, reason);
	if (sb.overflow) {
		strbuf_release(&sb);
		errno = EFBIG;
		return -1;
	}
	ret = spool_write(dir, name, sb.buf, sb.len);
	strbuf_release(&sb);
	return ret;
}

static int
read_small(
    const char *dirpath, const char *name, char *buf, size_t size, size_t *len)
{
	int dir = dir_open(dirpath), fd;
	ssize_t n;

	if (dir == -1)
		return -1;
	fd = openat(dir, name, O_RDONLY | O_CLOEXEC);
	close(dir);

	if (fd == -1)
		return -1;
	n = read(fd, buf, size - 1);
	close(fd);
	if (n < 0)
		return -1;
	buf[n] = '\0';
	*len = (size_t)n;
	return 0;
}

/* ---- public API ---- */

void
queue_job_key(
    const char *org_url, const char *repo_id, unsigned long pr_id, char *key)
{
	char lower[EVENT_URL_MAX];
	size_t n = strlen(org_url);

	if (n >= sizeof(lower))
		n = sizeof(lower) - 1;
	for (size_t i = 0; i < n; i++)
		lower[i] = (char)((org_url[i] >= 'A' && org_url[i] <= 'Z') ?
			org_url[i] + 32 :
			org_url[i]);
	snprintf(key, QUEUE_KEY_MAX, "%016llx-%s-%lu",
	    (unsigned long long)XXH3_64bits(lower, n), repo_id, pr_id);
}

static uint64_t
queue_random(struct queue *q)
{
	uint64_t x = q->rng;

	x ^= x << 13;
	x ^= x >> 7;
	x ^= x << 17;
	q->rng = x;
	return x;
}

/* the wait before retry number attempts (1 = first), with +-20% jitter */
static int64_t
backoff_ms(struct queue *q, unsigned attempts)
{
	double ms = q->opts.retry_base_ms;
	double jitter;

	for (unsigned i = 1; i < attempts && ms < q->opts.retry_max_ms; i++)
		ms *= 2;
	if (ms > q->opts.retry_max_ms)
		ms = q->opts.retry_max_ms;
	jitter = 0.8 + 0.4 * (double)(queue_random(q) % 10001) / 10000.0;
	return (int64_t)(ms * jitter);
}

static int64_t
backoff_ms_locked(struct queue *q, unsigned attempts)
{
	int64_t ms;

	pthread_mutex_lock(&q->lock);
	ms = backoff_ms(q, attempts);
	pthread_mutex_unlock(&q->lock);
	return ms;
}

static struct qentry *
entry_new(const char *key)
{
	struct qentry *e = xcalloc(1, sizeof(*e));

	snprintf(e->key, sizeof(e->key), "%s", key);
	pthread_mutex_init(&e->wlock, NULL);
	e->state = Q_IDLE;
	return e;
}

static void
entry_free(struct qentry *e)
{
	pthread_mutex_destroy(&e->wlock);
	free(e->rerun);
	free(e);
}

/* put e on the waiting list (q->lock held) */
static void
entry_wait(struct queue *q, struct qentry *e, int64_t not_before)
{
	if (e->state != Q_WAITING) {
		TAILQ_INSERT_TAIL(&q->waiting, e, link);
		q->nwaiting++;
	}
	e->state = Q_WAITING;
	e->not_before_ms = not_before;
	pthread_cond_broadcast(&q->wake);
}

/* base/sub, checked to be a directory; NULL with err set */
static char *
dir_path(const char *base, const char *sub, char *err, size_t errlen)
{
	struct strbuf sb;
	int fd;

	strbuf_init(&sb, 4096);
	strbuf_addf(&sb, "%s/%s", base, sub);
	fd = dir_open(sb.buf);
	if (fd == -1 || sb.overflow) {
		snprintf(err, errlen, "cannot open '%s': %s", sb.buf,
		    strerror(errno));
		if (fd != -1)
			close(fd);
		strbuf_release(&sb);
		return NULL;
	}
	close(fd);
	return strbuf_detach(&sb, NULL);
}

/* move an unreadable spool file aside, so it is kept but never retried */
static void
quarantine(struct queue *q, int dq, const char *name)
{
	char dst[NAME_MAX + 64];
	int df = dir_open(q->dir_failed);

	snprintf(dst, sizeof(dst), "%s.unreadable-%lld", name,
	    (long long)clock_ms());
	if (df != -1 && renameat(dq, name, df, dst) == 0)
		log_warnx(
		    "queue: unreadable spool file '%s' moved to failed/%s",
		    name, dst);
	else
		log_warn("queue: cannot move unreadable spool file '%s'", name);
	if (df != -1)
		close(df);
}

/* a directory listing and a descriptor of the directory, or NULL */
static DIR *
dir_list(const char *path, int *fd)
{
	DIR *d;
	int dfd;

	*fd = dir_open(path);
	if (*fd == -1)
		return NULL;
	dfd = dup(*fd);
	d = dfd == -1 ? NULL : fdopendir(dfd);
	if (!d) {
		if (dfd != -1)
			close(dfd);
		close(*fd);
	}
	return d;
}

/* resume what the last process left: tmp files go, rerun wins over job */
static int
queue_load(struct queue *q)
{
	DIR *d;
	struct dirent *de;
	char buf[QUEUE_MAX_JOB_BYTES];
	int dq;

	d = dir_list(q->dir_queue, &dq);
	if (!d)
		return -1;
	while ((de = readdir(d))) {
		size_t n = strlen(de->d_name);

		if (n > 4 && strcmp(de->d_name + n - 4, ".tmp") == 0)
			unlinkat(dq, de->d_name, 0);
	}
	rewinddir(d);
	while ((de = readdir(d))) {
		char name[QUEUE_KEY_MAX + 16], key[QUEUE_KEY_MAX];
		size_t n = strlen(de->d_name);

		if (n <= 6 || n - 6 >= sizeof(key) ||
		    strcmp(de->d_name + n - 6, ".rerun") != 0)
			continue;
		memcpy(key, de->d_name, n - 6);
		key[n - 6] = '\0';
		job_file_name(name, sizeof(name), key, "job");
		if (renameat(dq, de->d_name, dq, name) == -1)
			log_warn("queue: cannot resume '%s'", de->d_name);
	}
	fsync(dq);
	rewinddir(d);
	while ((de = readdir(d))) {
		size_t n = strlen(de->d_name), len;
		struct job j;
		int64_t not_before;
		struct qentry *e;

		if (n <= 4 || strcmp(de->d_name + n - 4, ".job") != 0)
			continue;
		if (read_small(q->dir_queue, de->d_name, buf, sizeof(buf),
			&len) == -1 ||
		    job_from_json(buf, len, &j, &not_before) == -1 ||
		    strlen(j.key) + 4 != n ||
		    strncmp(j.key, de->d_name, n - 4)) {
			quarantine(q, dq, de->d_name);
			continue;
		}
		if (jobs_find(q, j.key))
			continue;
		e = entry_new(j.key);
		e->job = j;
		jobs_insert(q, e);
		entry_wait(q, e, not_before);
	}
	closedir(d);
	close(dq);

	d = dir_list(q->dir_done, &dq);
	if (!d)
		return -1;
	while ((de = readdir(d))) {
		size_t len;
		char src[EVENT_COMMIT_LEN + 1], tgt[EVENT_COMMIT_LEN + 1];

		if (de->d_name[0] == '.' || strlen(de->d_name) >= QUEUE_KEY_MAX)
			continue;
		if (strstr(de->d_name, ".tmp")) {
			unlinkat(dq, de->d_name, 0);
			continue;
		}
		if (read_small(q->dir_done, de->d_name, buf, sizeof(buf),
			&len) == -1 ||
		    len < 2 * EVENT_COMMIT_LEN + 1)
			continue;
		memcpy(src, buf, EVENT_COMMIT_LEN);
		src[EVENT_COMMIT_LEN] = '\0';
		memcpy(tgt, buf + EVENT_COMMIT_LEN + 1, EVENT_COMMIT_LEN);
		tgt[EVENT_COMMIT_LEN] = '\0';
		if (event_is_sha1(src) && event_is_sha1(tgt))
			done_set(q, de->d_name, src, tgt);
	}
	closedir(d);
	close(dq);
	return 0;
}

int
queue_open(struct queue **qp, const struct queue_options *opts, char *err,
    size_t errlen)
{
	struct queue *q = xcalloc(1, sizeof(*q));

	q->opts = *opts;
	/* the caller's string may not outlive the queue (a reload frees it) */
	q->state_dir = xstrdup(opts->state_dir);
	q->opts.state_dir = q->state_dir;
	if (!q->opts.retry_base_ms)
		q->opts.retry_base_ms = QUEUE_RETRY_BASE_MS;
	if (!q->opts.retry_max_ms)
		q->opts.retry_max_ms = QUEUE_RETRY_MAX_MS;
	pthread_mutex_init(&q->lock, NULL);
	pthread_cond_init(&q->wake, NULL);
	pthread_cond_init(&q->idle, NULL);
	TAILQ_INIT(&q->waiting);
	q->jobs_buckets = q->done_buckets = 256;
	q->jobs = xcalloc(q->jobs_buckets, sizeof(*q->jobs));
	q->done = xcalloc(q->done_buckets, sizeof(*q->done));
	q->writable = 1;
	q->rng = (uint64_t)clock_ms() * 2654435761u ^ (uint64_t)getpid() ^ 1;
	q->dir_queue = dir_path(opts->state_dir, "queue", err, errlen);
	if (q->dir_queue)
		q->dir_done = dir_path(opts->state_dir, "done", err, errlen);
	if (q->dir_done)
		q->dir_failed =
		    dir_path(opts->state_dir, "failed", err, errlen);
	if (!q->dir_failed)
		goto fail;
	if (queue_load(q) == -1) {
		snprintf(err, errlen, "cannot read the spool in '%s': %s",
		    opts->state_dir, strerror(errno));
		goto fail;
	}
	*qp = q;
	return 0;
fail:
	queue_free(q);
	*qp = NULL;
	return -1;
}

/* the commit pair a PR is at: rerun, else queued or running, else done */
static int
same_pair_as_latest(struct queue *q, const struct qentry *e, const char *key,
    const struct pr_event *ev)
{
	const char *src = NULL, *tgt = NULL;
	const struct qdone *d;

	if (e && e->rerun) {
		src = e->rerun->ev.source_commit;
		tgt = e->rerun->ev.target_commit;
	} else if (e && e->state != Q_IDLE) {
		src = e->job.ev.source_commit;
		tgt = e->job.ev.target_commit;
	} else {
		d = done_find(q, key);
		if (d) {
			src = d->source;
			tgt = d->target;
		}
	}
	return src && strcmp(src, ev->source_commit) == 0 &&
	    strcmp(tgt, ev->target_commit) == 0;
}

enum queue_submit_result
queue_submit(struct queue *q, const struct pr_event *ev, const char *org_url,
    int always, char *key)
{
	struct qentry *e;
	struct job j;
	enum qstate state;
	char name[QUEUE_KEY_MAX + 16];
	int ok;

	queue_job_key(org_url, ev->repo_id, ev->pr_id, key);
	pthread_mutex_lock(&q->lock);
	e = jobs_find(q, key);
	if (!always && same_pair_as_latest(q, e, key, ev)) {
		pthread_mutex_unlock(&q->lock);
		return QUEUE_UNCHANGED;
	}
	if (!e) {
		if (q->njobs >= q->opts.max_jobs) {
			pthread_mutex_unlock(&q->lock);
			return QUEUE_FULL;
		}
		e = entry_new(key);
		jobs_insert(q, e);
	}
	e->pins++;
	pthread_mutex_unlock(&q->lock);

	memset(&j, 0, sizeof(j));
	snprintf(j.key, sizeof(j.key), "%s", key);
	snprintf(j.org_url, sizeof(j.org_url), "%s", org_url);
	j.ev = *ev;
	j.enqueued_ms = clock_ms();

	pthread_mutex_lock(&e->wlock);
	pthread_mutex_lock(&q->lock);
	state = e->state;
	pthread_mutex_unlock(&q->lock);
	job_file_name(
	    name, sizeof(name), key, state == Q_RUNNING ? "rerun" : "job");
	ok = job_write(q->dir_queue, name, &j, j.enqueued_ms, NULL) == 0;
	if (!ok)
		log_warn("queue: cannot write '%s' to the spool", name);
	pthread_mutex_lock(&q->lock);
	e->pins--;
	q->writable = ok;
	if (ok && state == Q_RUNNING) {
		/* only PRs that run get this second copy of a job */
		if (!e->rerun)
			e->rerun = xmalloc(sizeof(*e->rerun));
		*e->rerun = j;
	} else if (ok) {
		e->job = j;
		entry_wait(q, e, j.enqueued_ms);
	} else if (e->state == Q_IDLE && e->pins == 0) {
		jobs_remove(q, e);
		pthread_mutex_unlock(&e->wlock);
		pthread_mutex_unlock(&q->lock);
		entry_free(e);
		return QUEUE_IO_ERROR;
	}
	/* wlock first: a worker woken by entry_wait() must find it free */
	pthread_mutex_unlock(&e->wlock);
	pthread_mutex_unlock(&q->lock);
	return ok ? QUEUE_ACCEPTED : QUEUE_IO_ERROR;
}

void
queue_forget(struct queue *q, const char *key)
{
	pthread_mutex_lock(&q->lock);
	done_remove(q, key);
	pthread_mutex_unlock(&q->lock);
	if (unlink_in(q->dir_done, key) == 0)
		dir_sync(q->dir_done);
}

void
queue_get_stats(struct queue *q, struct queue_stats *st)
{
	pthread_mutex_lock(&q->lock);
	st->waiting = q->nwaiting;
	st->running = q->running;
	st->done = q->ndone_runs;
	st->retried = q->nretried;
	st->failed = q->nfailed;
	st->canceled = q->ncanceled;
	st->writable = q->writable;
	st->workers = q->stopping ? 0 : q->nthreads;
	pthread_mutex_unlock(&q->lock);
}

int
queue_probe(struct queue *q)
{
	int ok = spool_write(q->dir_queue, ".probe", "probe\n", 6) == 0;

	unlink_in(q->dir_queue, ".probe");
	pthread_mutex_lock(&q->lock);
	q->writable = ok;
	pthread_mutex_unlock(&q->lock);
	return ok;
}

/*
 * The first waiting job whose time has come and whose files nobody is
 * writing, its wlock taken; or NULL and *wait_ms until the next one.
 */
static struct qentry *
pick(struct queue *q, int64_t now, int64_t *wait_ms)
{
	struct qentry *e;

	*wait_ms = 3600 * 1000;
	TAILQ_FOREACH (e, &q->waiting, link) {
		if (e->not_before_ms > now) {
			if (e->not_before_ms - now < *wait_ms)
				*wait_ms = e->not_before_ms - now;
			continue;
		}
		if (pthread_mutex_trylock(&e->wlock) != 0) {
			/*
			 * A writer holds it; it broadcasts once done, and a
			 * short wait covers any path that does not
			 */
			if (*wait_ms > QUEUE_BUSY_WAIT_MS)
				*wait_ms = QUEUE_BUSY_WAIT_MS;
			continue;
		}
		return e;
	}
	return NULL;
}

/*
 * After a run: update the files (under e->wlock), then the state. A
 * pending rerun always becomes the next job, with a fresh attempt count.
 */
static void
finish(struct queue *q, struct qentry *e, const struct job *ran,
    enum job_result res, const char *reason)
{
	char name[QUEUE_KEY_MAX + 16], rerun[QUEUE_KEY_MAX + 16];
	struct job next = *ran;
	int64_t not_before = clock_ms();
	int requeue = 0, gave_up = 0, free_it = 0, superseded = 0;
	char why[512];

	job_file_name(name, sizeof(name), e->key, "job");
	job_file_name(rerun, sizeof(rerun), e->key, "rerun");
	snprintf(why, sizeof(why), "%s", reason);

	pthread_mutex_lock(&e->wlock);
	if (res == JOB_RETRY && ran->attempts + 1 >= q->opts.max_attempts) {
		snprintf(why, sizeof(why), "gave up after %u attempts: %.400s",
		    ran->attempts + 1, reason);
		res = JOB_FAILED;
	}
	if (res == JOB_DONE) {
		char pair[2 * EVENT_COMMIT_LEN + 3];

		snprintf(pair, sizeof(pair), "%s %s\n", ran->ev.source_commit,
		    ran->ev.target_commit);
		if (spool_write(q->dir_done, e->key, pair, strlen(pair)) == -1)
			log_warn("queue: job %s: cannot record the processed "
				 "commit pair",
			    e->key);
	} else if (res == JOB_FAILED) {
		char failed[QUEUE_KEY_MAX + 32];

		snprintf(failed, sizeof(failed), "%s-%lld.json", e->key,
		    (long long)clock_ms());
		next.attempts = ran->attempts + 1;
		if (job_write(q->dir_failed, failed, &next, 0, why) == -1)
			log_warn("queue: job %s: cannot write failed/%s",
			    e->key, failed);
		gave_up = 1;
	}
	/* e->rerun only changes under e->wlock, which we hold */
	if (e->rerun) {
		if (rename_in(q->dir_queue, rerun, name) == -1 ||
		    dir_sync(q->dir_queue) == -1)
			log_warn("queue: job %s: cannot promote '%s'", e->key,
			    rerun);
		next = *e->rerun;
		requeue = 1;
		superseded = 1;
	} else if (res == JOB_RETRY) {
		next.attempts = ran->attempts + 1;
		not_before += backoff_ms_locked(q, next.attempts);
		if (job_write(q->dir_queue, name, &next, not_before, NULL) ==
		    -1)
			log_warn(
			    "queue: job %s: cannot record the attempt", e->key);
		requeue = 1;
	} else if (res == JOB_CANCELED) {
		/* stopped by us: the attempt mark_started() counted is void */
		if (job_write(q->dir_queue, name, &next, 0, NULL) == -1)
			log_warn(
			    "queue: job %s: cannot record the attempt", e->key);
		requeue = 1;
	} else {
		if (unlink_in(q->dir_queue, name) == -1 ||
		    dir_sync(q->dir_queue) == -1)
			log_warn(
			    "queue: job %s: cannot remove '%s'", e->key, name);
	}
	pthread_mutex_lock(&q->lock);
	free(e->rerun);
	e->rerun = NULL;
	q->running--;
	switch (res) {
	case JOB_DONE:
		q->ndone_runs++;
		done_set(
		    q, e->key, ran->ev.source_commit, ran->ev.target_commit);
		break;
	case JOB_RETRY:
		q->nretried++;
		break;
	case JOB_FAILED:
		q->nfailed++;
		break;
	case JOB_CANCELED:
		q->ncanceled++;
		break;
	}
	if (requeue) {
		e->job = next;
		entry_wait(q, e, not_before);
	} else if (e->pins) {
		/* a submitter is about to write a new event: it takes over */
		e->state = Q_IDLE;
	} else {
		jobs_remove(q, e);
		free_it = 1;
	}
	pthread_cond_broadcast(&q->idle);
	pthread_mutex_unlock(&e->wlock);
	pthread_mutex_unlock(&q->lock);
	if (free_it)
		entry_free(e);
	if (gave_up) {
		log_errx("queue: job %s: pull request %lu failed for good: %s",
		    ran->key, ran->ev.pr_id, why);
		/* a newer push runs next: its result is what the PR shows */
		if (q->opts.gave_up && !superseded)
			q->opts.gave_up(q->opts.ctx, ran, why);
	}
}

/*
 * Before a run (e->wlock held): count the attempt in KEY.job, so a run
 * that takes the daemon down with it (a crash, the OOM killer) uses up
 * attempts like any failure instead of being retried for ever.
 */
static void
mark_started(struct queue *q, const struct job *job)
{
	char name[QUEUE_KEY_MAX + 16];
	struct job started = *job;

	job_file_name(name, sizeof(name), job->key, "job");
	started.attempts++;
	if (job_write(q->dir_queue, name, &started, 0, NULL) == -1)
		log_warn("queue: job %s: cannot record the attempt: %s",
		    job->key, strerror(errno));
}

static void *
worker(void *arg)
{
	struct queue *q = arg;

	pthread_mutex_lock(&q->lock);
	while (!q->stopping) {
		int64_t wait_ms, t0;
		struct qentry *e = pick(q, clock_ms(), &wait_ms);
		struct job job;
		char reason[512] = "";
		enum job_result res;

		if (!e) {
			struct timespec ts;

			clock_gettime(CLOCK_REALTIME, &ts);
			ts.tv_sec += wait_ms / 1000;
			ts.tv_nsec += (wait_ms % 1000) * 1000000;
			if (ts.tv_nsec >= 1000000000) {
				ts.tv_sec++;
				ts.tv_nsec -= 1000000000;
			}
			pthread_cond_timedwait(&q->wake, &q->lock, &ts);
			continue;
		}
		TAILQ_REMOVE(&q->waiting, e, link);
		q->nwaiting--;
		e->state = Q_RUNNING;
		q->running++;
		job = e->job;
		pthread_mutex_unlock(&q->lock);

		if (job.attempts >= q->opts.max_attempts) {
			/* every attempt ended with the daemon: never again */
			pthread_mutex_unlock(&e->wlock);
			snprintf(reason, sizeof(reason),
			    "gave up after %u attempts: the daemon stopped "
			    "(crashed or was killed) during the last one",
			    job.attempts);
			job.attempts--; /* that attempt is already counted */
			finish(q, e, &job, JOB_FAILED, reason);
			pthread_mutex_lock(&q->lock);
			continue;
		}
		mark_started(q, &job);
		pthread_mutex_unlock(&e->wlock);

		log_info("queue: job %s: pull request %lu started (attempt %u)",
		    job.key, job.ev.pr_id, job.attempts + 1);
		t0 = clock_ms();
		res = q->opts.run(
		    q->opts.ctx, &job, &q->cancel, reason, sizeof(reason));
		t0 = clock_ms() - t0;
		metrics_job(res, t0);
		log_info("queue: job %s: pull request %lu %s in %lld ms%s%s",
		    job.key, job.ev.pr_id, job_result_name(res), (long long)t0,
		    reason[0] ? ": " : "", reason);
		finish(q, e, &job, res, reason);
		pthread_mutex_lock(&q->lock);
	}
	pthread_mutex_unlock(&q->lock);
	return NULL;
}

int
queue_start(struct queue *q, char *err, size_t errlen)
{
	q->threads = xcalloc(q->opts.workers, sizeof(*q->threads));
	for (unsigned i = 0; i < q->opts.workers; i++) {
		int rc = pthread_create(&q->threads[i], NULL, worker, q);

		if (rc != 0) {
			snprintf(err, errlen, "cannot start worker %u: %s", i,
			    strerror(rc));
			return -1;
		}
		q->nthreads++;
	}
	return 0;
}

void
queue_stop(struct queue *q, unsigned grace_ms)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	ts.tv_sec += grace_ms / 1000;
	ts.tv_nsec += (long)(grace_ms % 1000) * 1000000;
	if (ts.tv_nsec >= 1000000000) {
		ts.tv_sec++;
		ts.tv_nsec -= 1000000000;
	}
	pthread_mutex_lock(&q->lock);
	q->stopping = 1;
	pthread_cond_broadcast(&q->wake);
	while (q->running > 0)
		if (pthread_cond_timedwait(&q->idle, &q->lock, &ts) ==
		    ETIMEDOUT)
			break;
	if (q->running > 0) {
		log_warnx(
		    "queue: %u job(s) still running after %u ms: canceled, "
		    "they stay queued",
		    q->running, grace_ms);
		q->cancel = 1;
	}
	pthread_mutex_unlock(&q->lock);
	for (unsigned i = 0; i < q->nthreads; i++)
		pthread_join(q->threads[i], NULL);
	q->nthreads = 0;
}

void
queue_free(struct queue *q)
{
	if (!q)
		return;
	if (q->nthreads)
		queue_stop(q, 0);
	for (size_t i = 0; q->jobs && i < q->jobs_buckets; i++)
		while (q->jobs[i]) {
			struct qentry *e = q->jobs[i];

			q->jobs[i] = e->hnext;
			entry_free(e);
		}
	for (size_t i = 0; q->done && i < q->done_buckets; i++)
		while (q->done[i]) {
			struct qdone *d = q->done[i];

			q->done[i] = d->hnext;
			free(d);
		}
	free(q->jobs);
	free(q->done);
	free(q->threads);
	free(q->dir_queue);
	free(q->dir_done);
	free(q->dir_failed);
	free(q->state_dir);
	pthread_mutex_destroy(&q->lock);
	pthread_cond_destroy(&q->wake);
	pthread_cond_destroy(&q->idle);
	free(q);
}
