/*
 * job.c: one pull request from event to report (see job.h).
 *
 * The pipeline: find the iteration of the pushed commit (waiting a little
 * when Azure DevOps has not created it yet), post a pending status, list
 * the iteration's changes against the merge base, keep the data files,
 * download each file's old and new blob into the state directory and diff
 * them (one file at a time, its blobs deleted right after), render the
 * report, find-or-create our thread and edit its first comment in place,
 * and post the final status. Temporary files go whatever happens.
 */
#include "job.h"

#include <dirent.h>
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "ado.h"
#include "bounds.h"
#include "clock.h"
#include "csv.h"
#include "diff.h"
#include "liveconf.h"
#include "log.h"
#include "mapfile.h"
#include "metrics.h"
#include "parallel.h"
#include "prreport.h"
#include "seed.h"
#include "strbuf.h"
#include "xmalloc.h"
#include "banned.h"

#ifndef DATADIFFD_VERSION
#define DATADIFFD_VERSION "0.1.0"
#endif

#define LFS_POINTER "version https://git-lfs.github.com/spec/v1"

/* one data file of the pull request */
struct jfile {
	char *path; /* without the leading '/' */
	char *old_path;
	enum prreport_kind kind;
	char old_blob[EVENT_COMMIT_LEN + 1];
	char new_blob[EVENT_COMMIT_LEN + 1];
	struct diff_result *res;
	char skipped[320];
	const char *failed; /* fail_on condition hit, or NULL */
	int malformed;      /* the new version could not be read */
};

struct jctx {
	const struct config *cfg;
	const struct job *job;
	struct ado *ado;
	const volatile int *cancel;
	int dry_run;
	char workdir[4096];
	struct ado_iteration it;
	struct jfile *files;
	size_t nfiles;
	size_t nother;
	char *reason;
	size_t rlen;
};

static pthread_key_t ado_key;
static pthread_once_t ado_once = PTHREAD_ONCE_INIT;

static void
ado_destroy(void *p)
{
	ado_free(p);
}

static void
ado_key_init(void)
{
	pthread_key_create(&ado_key, ado_destroy);
}

/* this thread's client: one libcurl handle per worker, reused */
static struct ado *
thread_ado(void)
{
	struct ado *a;

	pthread_once(&ado_once, ado_key_init);
	a = pthread_getspecific(ado_key);
	if (!a) {
		a = ado_new();
		if (a)
			pthread_setspecific(ado_key, a);
	}
	return a;
}

void
job_thread_done(void)
{
	struct ado *a;

	pthread_once(&ado_once, ado_key_init);
	a = pthread_getspecific(ado_key);
	pthread_setspecific(ado_key, NULL);
	ado_free(a);
}

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

static enum job_result
stub_run(const struct job *job, const volatile int *cancel, long ms)
{
	for (long left = ms; left > 0; left -= 10) {
		struct timespec ts = {0, (left < 10 ? left : 10) * 1000000L};

		if (*cancel)
			return JOB_CANCELED;
		nanosleep(&ts, NULL);
	}
	log_info("job %s: stub run for pull request %lu at %s..%s", job->key,
	    job->ev.pr_id, job->ev.target_commit, job->ev.source_commit);
	return JOB_DONE;
}

/* ---- temporary files ---- */

static void
rm_tree(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	struct strbuf path;

	if (!d)
		return;
	strbuf_init(&path, 8192);
	while ((de = readdir(d))) {
		if (strcmp(de->d_name, ".") == 0 ||
		    strcmp(de->d_name, "..") == 0)
			continue;
		strbuf_reset(&path);
		strbuf_addf(&path, "%s/%s", dir, de->d_name);
		if (!path.overflow && unlink(path.buf) == -1 && errno == EISDIR)
			rm_tree(path.buf);
	}
	strbuf_release(&path);
	closedir(d);
	rmdir(dir);
}

static void
blob_path(
    const struct jctx *c, size_t i, const char *side, char *out, size_t len)
{
	snprintf(out, len, "%s/%zu.%s", c->workdir, i, side);
}

/* ---- results ---- */

static enum job_result
from_ado(struct jctx *c, enum ado_result r, const char *what)
{
	switch (r) {
	case ADO_OK:
		return JOB_DONE;
	case ADO_CANCELED:
		return JOB_CANCELED;
	case ADO_RETRY:
	case ADO_UNSURE:
		snprintf(c->reason, c->rlen, "%s: %s", what, ado_error(c->ado));
		return JOB_RETRY;
	case ADO_AUTH:
		/* one clear line; retrying would only hammer a rejected PAT */
		log_errx("job %s: %s", c->job->key, ado_error(c->ado));
		snprintf(c->reason, c->rlen,
		    "%s: the personal access token was rejected", what);
		return JOB_FAILED;
	case ADO_NOT_FOUND:
	case ADO_FAILED:
	case ADO_TOO_LARGE:
		break;
	}
	snprintf(c->reason, c->rlen, "%s: %s", what, ado_error(c->ado));
	return JOB_FAILED;
}

/*
 * The iteration to diff: the newest one, once the pushed commit has one
 * (iterations appear a few seconds after a push); an event older than the
 * newest iteration simply diffs the newest.
 */
static enum job_result
find_iteration(struct jctx *c)
{
	int64_t give_up = clock_ms() + JOB_ITERATION_WAIT_MS;

	for (;;) {
		struct ado_iteration *its = NULL;
		size_t n = 0;
		enum ado_result r =
		    ado_iterations(c->ado, c->job->ev.pr_id, &its, &n);
		int seen = 0;

		if (r != ADO_OK)
			return from_ado(c, r, "listing iterations");
		for (size_t i = 0; i < n; i++)
			if (strcmp(its[i].source, c->job->ev.source_commit) ==
			    0)
				seen = 1;
		if (n && (seen || clock_ms() >= give_up)) {
			c->it = its[n - 1];
			if (!seen)
				log_warnx(
				    "job %s: commit %.7s is in no iteration "
				    "after %d s: diffing the newest, %u",
				    c->job->key, c->job->ev.source_commit,
				    JOB_ITERATION_WAIT_MS / 1000, c->it.id);
			free(its);
			return JOB_DONE;
		}
		free(its);
		if (clock_ms() >= give_up) {
			snprintf(c->reason, c->rlen,
			    "the pull request has no iteration yet");
			return JOB_RETRY;
		}
		log_info("job %s: commit %.7s has no iteration yet, waiting",
		    c->job->key, c->job->ev.source_commit);
		for (int64_t t = 0; t < JOB_ITERATION_POLL_MS; t += 100) {
			struct timespec ts = {0, 100 * 1000000L};

			if (*c->cancel)
				return JOB_CANCELED;
			nanosleep(&ts, NULL);
		}
	}
}

static int
jfile_cmp(const void *a, const void *b)
{
	return strcmp(
	    ((const struct jfile *)a)->path, ((const struct jfile *)b)->path);
}

/* keep the changes that are data files, as jfiles in path order */
static void
select_files(struct jctx *c, const struct ado_change *ch, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		const struct ado_change *e = &ch[i];
		struct jfile *f;
		const char *path = e->path + 1;

		if (e->is_folder)
			continue;
		if (!config_path_selected(c->cfg, path)) {
			c->nother++;
			continue;
		}
		c->files =
		    xreallocarray(c->files, c->nfiles + 1, sizeof(*c->files));
		f = &c->files[c->nfiles++];
		memset(f, 0, sizeof(*f));
		f->path = xstrdup(path);
		if (e->type & ADO_CHANGE_DELETE) {
			f->kind = PRREPORT_DELETE;
			/* a delete names the old blob in either field */
			snprintf(f->old_blob, sizeof(f->old_blob), "%s",
			    e->original_object_id[0] ? e->original_object_id :
						       e->object_id);
		} else if (e->type & ADO_CHANGE_ADD) {
			f->kind = PRREPORT_ADD;
			snprintf(f->new_blob, sizeof(f->new_blob), "%s",
			    e->object_id);
		} else {
			f->kind = (e->type & ADO_CHANGE_RENAME) ?
			    PRREPORT_RENAME :
			    PRREPORT_EDIT;
			snprintf(f->old_blob, sizeof(f->old_blob), "%s",
			    e->original_object_id);
			snprintf(f->new_blob, sizeof(f->new_blob), "%s",
			    e->object_id);
			if (e->original_path)
				f->old_path = xstrdup(e->original_path + 1);
		}
	}
	qsort(c->files, c->nfiles, sizeof(*c->files), jfile_cmp);
	for (size_t i = JOB_MAX_FILES; i < c->nfiles; i++)
		snprintf(c->files[i].skipped, sizeof(c->files[i].skipped),
		    "not diffed: more than %d data files in one pull request",
		    JOB_MAX_FILES);
}

static void
human_size(uint64_t n, char *out, size_t len)
{
	if (n >= (1ull << 30))
		snprintf(
		    out, len, "%.1f GiB", (double)n / (double)(1ull << 30));
	else if (n >= (1ull << 20))
		snprintf(
		    out, len, "%.1f MiB", (double)n / (double)(1ull << 20));
	else
		snprintf(out, len, "%llu bytes", (unsigned long long)n);
}

/* download one side; 1 fetched, 0 skipped (reason set), -1 job result */
static int
fetch(struct jctx *c, struct jfile *f, const char *blob, const char *path,
    enum job_result *res)
{
	uint64_t size = 0;
	enum ado_result r;
	char limit[32];

	if (!blob[0]) {
		snprintf(f->skipped, sizeof(f->skipped),
		    "Azure DevOps gave no blob id for this change");
		return 0;
	}
	r = ado_blob(c->ado, blob, path, c->cfg->max_file_bytes, &size);
	if (r == ADO_TOO_LARGE) {
		human_size(c->cfg->max_file_bytes, limit, sizeof(limit));
		snprintf(f->skipped, sizeof(f->skipped),
		    "larger than max_file_bytes (%s)", limit);
		return 0;
	}
	if (r == ADO_NOT_FOUND) {
		snprintf(f->skipped, sizeof(f->skipped),
		    "blob %.7s not found in the repository", blob);
		return 0;
	}
	if (r != ADO_OK) {
		*res = from_ado(c, r, "downloading a blob");
		return -1;
	}
	return 1;
}

static int
is_lfs_pointer(const struct mapfile *m)
{
	size_t n = strlen(LFS_POINTER);

	return m->len >= n && m->len < 1024 &&
	    memcmp(m->buf, LFS_POINTER, n) == 0;
}

/* the options of the first matching rule, else the defaults */
static void
rule_options(const struct jctx *c, const struct jfile *f,
    struct diff_options *o, char *delim)
{
	const struct config_rule *r = config_rule_for(c->cfg, f->path);

	diff_options_init(o);
	o->samples = c->cfg->samples;
	o->max_rows = c->cfg->max_rows;
	o->hash_seed = seed_random();
	o->parallel = parallel_run;
	*delim = csv_delimiter_for_path(f->path);
	if (!r)
		return;
	if (r->nkey) {
		o->key = (const char *const *)r->key;
		o->nkey = r->nkey;
		o->key_source = DIFF_KEY_CONFIG;
	}
	o->ignore = (const char *const *)r->ignore;
	o->nignore = r->nignore;
	if (r->has_tolerance)
		o->tolerance = r->tolerance;
	if (r->delimiter)
		*delim = r->delimiter;
	if (r->has_samples)
		o->samples = r->samples;
}

static unsigned
fail_on_for(const struct jctx *c, const struct jfile *f)
{
	const struct config_rule *r = config_rule_for(c->cfg, f->path);

	return r && r->has_fail_on ? r->fail_on : c->cfg->fail_on;
}

/* which fail_on condition the file hits, or NULL */
static const char *
failed_check(const struct jctx *c, const struct jfile *f)
{
	unsigned fo = fail_on_for(c, f);
	const struct diff_result *r = f->res;

	if ((fo & FAIL_ON_MALFORMED) && f->malformed)
		return "fail_on malformed";
	if (!r)
		return NULL;
	if ((fo & FAIL_ON_DUPLICATE_KEYS) && r->dup_new)
		return "fail_on duplicate_keys";
	if ((fo & FAIL_ON_NULL_KEYS) && r->null_new)
		return "fail_on null_keys";
	if ((fo & FAIL_ON_SCHEMA_CHANGE) && f->kind != PRREPORT_ADD &&
	    f->kind != PRREPORT_DELETE &&
	    (r->ncols_added || r->ncols_removed || r->ntype_changes))
		return "fail_on schema_change";
	return NULL;
}

/* download both sides of file i and diff them */
static enum job_result
diff_file(struct jctx *c, size_t i)
{
	struct jfile *f = &c->files[i];
	char oldp[4200], newp[4200], err[256], delim;
	struct mapfile m[2] = {{"", 0, 0}, {"", 0, 0}};
	struct diff_table t[2];
	struct diff_options o;
	struct diff_error derr;
	enum job_result res = JOB_DONE;
	int r;

	blob_path(c, i, "old", oldp, sizeof(oldp));
	blob_path(c, i, "new", newp, sizeof(newp));
	if (f->kind != PRREPORT_ADD) {
		r = fetch(c, f, f->old_blob, oldp, &res);
		if (r <= 0)
			goto out;
		if (mapfile_open(&m[0], oldp, c->cfg->max_file_bytes, err,
			sizeof(err)) == -1) {
			snprintf(f->skipped, sizeof(f->skipped), "%s", err);
			goto out;
		}
	}
	if (f->kind != PRREPORT_DELETE) {
		r = fetch(c, f, f->new_blob, newp, &res);
		if (r <= 0)
			goto out;
		if (mapfile_open(&m[1], newp, c->cfg->max_file_bytes, err,
			sizeof(err)) == -1) {
			snprintf(f->skipped, sizeof(f->skipped), "%s", err);
			goto out;
		}
	}
	if (is_lfs_pointer(&m[0]) || is_lfs_pointer(&m[1])) {
		snprintf(f->skipped, sizeof(f->skipped),
		    "a Git LFS pointer whose content Azure DevOps did not "
		    "resolve");
		goto out;
	}
	rule_options(c, f, &o, &delim);
	t[0].path = f->old_path ? f->old_path : f->path;
	t[0].buf = m[0].buf;
	t[0].len = m[0].len;
	t[0].delim = delim;
	t[1].path = f->path;
	t[1].buf = m[1].buf;
	t[1].len = m[1].len;
	t[1].delim = delim;
	f->res = diff_run(&t[0], &t[1], &o, &derr);
	if (!f->res) {
		const char *side = derr.side == 0 ? " (old version)" :
		    derr.side == 1                ? " (new version)" :
						    "";

		if (derr.line)
			snprintf(f->skipped, sizeof(f->skipped),
			    "line %lu%s: %s", derr.line, side, derr.msg);
		else
			snprintf(f->skipped, sizeof(f->skipped), "%s%s",
			    derr.msg, side);
		f->malformed = derr.side == 1 && !derr.too_large;
	} else {
		metrics_rows(f->res->old.rows + f->res->new.rows);
	}
out:
	mapfile_close(&m[0]);
	mapfile_close(&m[1]);
	unlink(oldp);
	unlink(newp);
	if (res == JOB_DONE)
		f->failed = failed_check(c, f);
	return res;
}

/* "3 data files: +53 −21 ~7 rows" or the first failing check */
static void
status_description(const struct jctx *c, char *out, size_t len)
{
	uint64_t added = 0, removed = 0, changed = 0;
	size_t skipped = 0;

	for (size_t i = 0; i < c->nfiles; i++) {
		const struct jfile *f = &c->files[i];

		if (f->failed) {
			snprintf(out, len, "%s: %.120s", f->failed, f->path);
			return;
		}
		if (!f->res) {
			skipped++;
			continue;
		}
		added += f->res->added;
		removed += f->res->removed;
		changed += f->res->changed;
	}
	if (c->nfiles == 0) {
		snprintf(out, len, "no data files changed");
		return;
	}
	snprintf(out, len, "%zu data file%s: +%llu -%llu ~%llu rows%s",
	    c->nfiles, c->nfiles == 1 ? "" : "s", (unsigned long long)added,
	    (unsigned long long)removed, (unsigned long long)changed,
	    skipped ? ", some not diffed" : "");
}

static int
render(struct jctx *c, struct strbuf *out)
{
	struct prreport pr;
	struct prreport_file *pf = xcalloc(c->nfiles + 1, sizeof(*pf));
	struct strbuf inc;
	char footer[256], when[64];
	time_t now = time(NULL);
	struct tm tm;
	int ret;

	strbuf_init(&inc, 4096);
	for (size_t i = 0; i < c->cfg->ninclude; i++)
		strbuf_addf(&inc, "%s%s", i ? " " : "", c->cfg->include[i]);
	gmtime_r(&now, &tm);
	strftime(when, sizeof(when), "%Y-%m-%d %H:%M UTC", &tm);
	snprintf(footer, sizeof(footer),
	    "datadiffd %s · iteration %u · updated %s", DATADIFFD_VERSION,
	    c->it.id, when);
	for (size_t i = 0; i < c->nfiles; i++) {
		pf[i].path = c->files[i].path;
		pf[i].old_path = c->files[i].old_path;
		pf[i].kind = c->files[i].kind;
		pf[i].res = c->files[i].res;
		pf[i].skipped = c->files[i].res ? NULL : c->files[i].skipped;
		pf[i].failed = c->files[i].failed;
	}
	memset(&pr, 0, sizeof(pr));
	pr.source_ref = c->job->ev.source_ref;
	pr.target_ref = c->job->ev.target_ref;
	pr.base_commit = c->it.common[0] ? c->it.common : c->it.target;
	pr.head_commit = c->it.source;
	pr.iteration = c->it.id;
	pr.files = pf;
	pr.nfiles = c->nfiles;
	pr.nother = c->nother;
	pr.includes = inc.buf;
	pr.footer = footer;
	ret = prreport_render(out, &pr, JOB_COMMENT_MAX_BYTES);
	free(pf);
	strbuf_release(&inc);
	return ret;
}

/*
 * Edit our thread in place. With thread_status active, a thread a reviewer
 * resolved is made active again when the data diff differs from the one
 * resolved (a new push that changes no data leaves it resolved); with
 * closed, its status is the reviewers' alone. The status goes first: when
 * the edit then fails, the retry still sees the old digest.
 */
static enum job_result
update(struct jctx *c, const struct ado_thread *t, const char *content)
{
	char digest[PRREPORT_DIGEST_LEN + 1];
	enum ado_result r;
	int reopen;

	reopen = t->resolved && strcmp(c->cfg->thread_status, "active") == 0 &&
	    prreport_digest(content, strlen(content), digest) == 0 &&
	    strcmp(digest, t->digest) != 0;
	if (reopen) {
		r = ado_set_thread_status(
		    c->ado, c->job->ev.pr_id, t->id, "active");
		if (r != ADO_OK)
			return from_ado(c, r, "reopening the report thread");
	}
	r = ado_update_comment(
	    c->ado, c->job->ev.pr_id, t->id, t->comment_id, content);
	if (r != ADO_OK)
		return from_ado(c, r, "updating the report");
	log_info("job %s: report thread %ld updated%s", c->job->key, t->id,
	    reopen ? " and reopened: the data diff changed since it was "
		     "resolved" :
		     "");
	return JOB_DONE;
}

/*
 * Find our thread and edit it in place, or create it. A create that failed
 * after it may have reached Azure DevOps is never sent again blindly: we
 * look for the thread first, so a PR never gets two reports.
 */
static enum job_result
publish(struct jctx *c, const char *content, int any_data)
{
	struct ado_thread t;
	enum ado_result r;

	for (unsigned tries = 1;; tries++) {
		int found = 0;

		memset(&t, 0, sizeof(t));
		r = ado_find_thread(
		    c->ado, c->job->ev.pr_id, JOB_THREAD_PROPERTY, &found, &t);
		if (r != ADO_OK)
			return from_ado(c, r, "listing threads");
		if (found)
			return update(c, &t, content);
		if (!any_data) {
			/* no data file, no thread yet: no comment noise */
			return JOB_DONE;
		}
		r = ado_create_thread(c->ado, c->job->ev.pr_id, content,
		    JOB_THREAD_PROPERTY, c->cfg->thread_status, &t.id,
		    &t.comment_id);
		if (r == ADO_OK)
			break;
		if (r != ADO_UNSURE || tries == JOB_CREATE_TRIES)
			return from_ado(c, r, "creating the report thread");
		log_warnx("job %s: creating the report thread: %s; looking "
			  "for it before trying again",
		    c->job->key, ado_error(c->ado));
		switch (ado_pause(c->ado, tries)) {
		case ADO_OK:
			continue;
		case ADO_CANCELED:
			return JOB_CANCELED;
		default:
			return from_ado(c, r, "creating the report thread");
		}
	}
	log_info("job %s: report thread %ld created", c->job->key, t.id);
	return JOB_DONE;
}

static enum job_result
post_status(struct jctx *c, const char *state, const char *description)
{
	enum ado_result r;

	if (c->dry_run)
		return JOB_DONE;
	r = ado_post_status(c->ado, c->job->ev.pr_id, c->it.id,
	    JOB_STATUS_GENRE, JOB_STATUS_NAME, state, description);
	return r == ADO_OK ? JOB_DONE : from_ado(c, r, "posting the status");
}

static enum job_result
pipeline(struct jctx *c, FILE *dry_out)
{
	struct ado_change *changes = NULL;
	size_t nchanges = 0;
	struct strbuf content;
	enum job_result res;
	enum ado_result r;
	char desc[256];
	int failed = 0;

	strbuf_init(&content, JOB_COMMENT_MAX_BYTES + 1);
	res = find_iteration(c);
	if (res != JOB_DONE)
		goto out;
	res = post_status(c, "pending", "computing the data diff");
	if (res != JOB_DONE)
		goto out;
	r = ado_changes(c->ado, c->job->ev.pr_id, c->it.id, ADO_MAX_CHANGES,
	    &changes, &nchanges);
	if (r != ADO_OK) {
		res = from_ado(c, r, "listing changes");
		goto out;
	}
	select_files(c, changes, nchanges);
	if (!c->dry_run && mkdir(c->workdir, 0700) == -1 && errno != EEXIST) {
		snprintf(c->reason, c->rlen, "cannot create '%s': %s",
		    c->workdir, strerror(errno));
		res = JOB_RETRY;
		goto out;
	}
	for (size_t i = 0; i < c->nfiles && i < JOB_MAX_FILES; i++) {
		res = diff_file(c, i);
		if (res != JOB_DONE)
			goto out;
		failed |= c->files[i].failed != NULL;
	}
	if (render(c, &content) == -1) {
		snprintf(c->reason, c->rlen, "the report does not fit");
		res = JOB_FAILED;
		goto out;
	}
	log_info("job %s: pull request %lu iteration %u: %zu data file%s, "
		 "%zu other file%s",
	    c->job->key, c->job->ev.pr_id, c->it.id, c->nfiles,
	    c->nfiles == 1 ? "" : "s", c->nother, c->nother == 1 ? "" : "s");
	if (c->dry_run) {
		fwrite(content.buf, 1, content.len, dry_out);
		res = JOB_DONE;
		goto out;
	}
	res = publish(c, content.buf, c->nfiles > 0);
	if (res != JOB_DONE)
		goto out;
	status_description(c, desc, sizeof(desc));
	res = post_status(c, failed ? "failed" : "succeeded", desc);
out:
	ado_changes_free(changes, nchanges);
	strbuf_release(&content);
	return res;
}

static void
jctx_release(struct jctx *c)
{
	for (size_t i = 0; i < c->nfiles; i++) {
		free(c->files[i].path);
		free(c->files[i].old_path);
		diff_result_free(c->files[i].res);
	}
	free(c->files);
	if (c->workdir[0])
		rm_tree(c->workdir);
}

static enum job_result
run(const struct config *cfg, const struct job *job, const volatile int *cancel,
    int dry_run, FILE *dry_out, char *reason, size_t rlen)
{
	struct jctx c;
	struct ado_target t;
	enum job_result res;
	long org;

	memset(&c, 0, sizeof(c));
	c.cfg = cfg;
	c.job = job;
	c.dry_run = dry_run;
	c.cancel = cancel;
	c.reason = reason;
	c.rlen = rlen;
	c.ado = thread_ado();
	if (!c.ado) {
		snprintf(reason, rlen, "cannot create a libcurl handle");
		return JOB_RETRY;
	}
	org = config_find_org(cfg, job->org_url);
	if (org < 0) {
		snprintf(reason, rlen,
		    "organization '%s' is no longer configured", job->org_url);
		return JOB_FAILED;
	}
	if (dry_run)
		snprintf(c.workdir, sizeof(c.workdir),
		    "%s/datadiffd-replay-%ld",
		    getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp",
		    (long)getpid());
	else
		snprintf(c.workdir, sizeof(c.workdir), "%s/work/%s",
		    cfg->state_dir, job->key);
	/* what a killed run left behind */
	rm_tree(c.workdir);
	if (dry_run && mkdir(c.workdir, 0700) == -1) {
		snprintf(reason, rlen, "cannot create '%s': %s", c.workdir,
		    strerror(errno));
		return JOB_FAILED;
	}
	memset(&t, 0, sizeof(t));
	t.org_url = cfg->orgs[org].url; /* as configured now */
	t.project = job->ev.project_id;
	t.repo = job->ev.repo_id;
	t.pat = cfg->pat;
	t.api_version = cfg->api_version;
	t.timeout_s = cfg->timeout_seconds;
	t.deadline_ms = clock_ms() + JOB_BUDGET_MS;
	t.cancel = cancel;
	ado_set_target(c.ado, &t);
	res = pipeline(&c, dry_out);
	jctx_release(&c);
	return res;
}

enum job_result
job_run(void *ctx, const struct job *job, const volatile int *cancel,
    char *reason, size_t rlen)
{
	const struct config *cfg;
	enum job_result res;
	long ms = stub_ms();

	(void)ctx;
	if (ms >= 0)
		return stub_run(job, cancel, ms);
	cfg = liveconf_get();
	res = run(cfg, job, cancel, 0, NULL, reason, rlen);
	liveconf_put(cfg);
	return res;
}

void
job_gave_up(void *ctx, const struct job *job, const char *reason)
{
	const struct config *cfg;
	struct ado *a;
	struct ado_target t;
	char desc[256];
	static const volatile int never = 0;
	enum ado_result r;
	long org;

	(void)ctx;
	if (stub_ms() >= 0)
		return;
	cfg = liveconf_get();
	a = thread_ado();
	org = config_find_org(cfg, job->org_url);
	if (a && org >= 0) {
		memset(&t, 0, sizeof(t));
		t.org_url = cfg->orgs[org].url;
		t.project = job->ev.project_id;
		t.repo = job->ev.repo_id;
		t.pat = cfg->pat;
		t.api_version = cfg->api_version;
		t.timeout_s = cfg->timeout_seconds;
		t.deadline_ms = clock_ms() + 30000;
		t.cancel = &never;
		ado_set_target(a, &t);
		snprintf(desc, sizeof(desc),
		    "datadiffd could not finish: %.200s", reason);
		r = ado_post_status(a, job->ev.pr_id, 0, JOB_STATUS_GENRE,
		    JOB_STATUS_NAME, "error", desc);
		if (r != ADO_OK)
			log_warnx("job %s: cannot post the error status: %s",
			    job->key, ado_error(a));
		else
			log_info("job %s: status error posted", job->key);
	}
	liveconf_put(cfg);
}

int
job_replay(const struct config *cfg, const struct pr_event *ev,
    const char *org_url, int dry_run)
{
	struct job job;
	static const volatile int never = 0;
	char reason[512] = "";
	enum job_result res;

	memset(&job, 0, sizeof(job));
	queue_job_key(org_url, ev->repo_id, ev->pr_id, job.key);
	snprintf(job.org_url, sizeof(job.org_url), "%s", org_url);
	job.ev = *ev;
	res = run(cfg, &job, &never, dry_run, stdout, reason, sizeof(reason));
	if (res != JOB_DONE) {
		log_errx("replay: pull request %lu: %s%s%s", ev->pr_id,
		    job_result_name(res), reason[0] ? ": " : "", reason);
		return -1;
	}
	if (!dry_run)
		log_info(
		    "replay: pull request %lu: report published", ev->pr_id);
	return 0;
}

void
job_clean_workdirs(const char *state_dir)
{
	struct strbuf path;
	DIR *d;
	struct dirent *de;

	strbuf_init(&path, 8192);
	strbuf_addf(&path, "%s/work", state_dir);
	d = opendir(path.buf);
	while (d && (de = readdir(d))) {
		size_t len = path.len;

		if (de->d_name[0] == '.')
			continue;
		strbuf_addf(&path, "/%s", de->d_name);
		if (!path.overflow)
			rm_tree(path.buf);
		strbuf_truncate(&path, len);
	}
	if (d)
		closedir(d);
	strbuf_release(&path);
}
