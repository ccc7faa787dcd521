/*
 * metrics.c: process-wide counters (see metrics.h).
 */
#include "metrics.h"

#include <stdatomic.h>

#include "banned.h"

static const char *const hook_names[HOOK_RESULTS] = {
    [HOOK_ACCEPTED] = "accepted",
    [HOOK_IGNORED] = "ignored",
    [HOOK_UNAUTHORIZED] = "unauthorized",
    [HOOK_FORBIDDEN] = "forbidden",
    [HOOK_BAD_REQUEST] = "bad_request",
    [HOOK_TOO_LARGE] = "too_large",
    [HOOK_UNAVAILABLE] = "unavailable",
};

#define NJOBRES 4
#define NSTATUS 600

/* job duration histogram bounds, seconds */
static const double job_buckets[] = {
    0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600};
#define NBUCKETS (sizeof(job_buckets) / sizeof(job_buckets[0]))

static atomic_ullong hooks[HOOK_RESULTS];
static atomic_ullong jobs[NJOBRES];
static atomic_ullong job_bucket[NBUCKETS + 1];
static atomic_ullong job_ms_sum;
static atomic_ullong ado_status[NSTATUS];
static atomic_ullong rows;

void
metrics_hook(enum metric_hook r)
{
	if ((unsigned)r < HOOK_RESULTS)
		atomic_fetch_add_explicit(&hooks[r], 1, memory_order_relaxed);
}

void
metrics_job(enum job_result r, int64_t ms)
{
	double s = (double)ms / 1000.0;
	size_t b = 0;

	if ((unsigned)r < NJOBRES)
		atomic_fetch_add_explicit(&jobs[r], 1, memory_order_relaxed);
	while (b < NBUCKETS && s > job_buckets[b])
		b++;
	atomic_fetch_add_explicit(&job_bucket[b], 1, memory_order_relaxed);
	atomic_fetch_add_explicit(&job_ms_sum,
	    ms > 0 ? (unsigned long long)ms : 0, memory_order_relaxed);
}

void
metrics_ado(long status)
{
	if (status < 0 || status >= NSTATUS)
		status = 0;
	atomic_fetch_add_explicit(&ado_status[status], 1, memory_order_relaxed);
}

void
metrics_rows(uint64_t n)
{
	atomic_fetch_add_explicit(&rows, n, memory_order_relaxed);
}

static unsigned long long
get(atomic_ullong *v)
{
	return atomic_load_explicit(v, memory_order_relaxed);
}

void
metrics_render(struct strbuf *sb, const struct queue_stats *st)
{
	unsigned long long cum = 0, count = 0;

	strbuf_addstr(sb,
	    "# HELP datadiffd_hooks_total Service-hook deliveries by result.\n"
	    "# TYPE datadiffd_hooks_total counter\n");
	for (int i = 0; i < HOOK_RESULTS; i++)
		strbuf_addf(sb, "datadiffd_hooks_total{result=\"%s\"} %llu\n",
		    hook_names[i], get(&hooks[i]));

	strbuf_addstr(sb,
	    "# HELP datadiffd_jobs_total Job runs by result.\n"
	    "# TYPE datadiffd_jobs_total counter\n");
	for (int i = 0; i < NJOBRES; i++)
		strbuf_addf(sb, "datadiffd_jobs_total{result=\"%s\"} %llu\n",
		    job_result_name((enum job_result)i), get(&jobs[i]));

	strbuf_addf(sb,
	    "# HELP datadiffd_queue_jobs Jobs on the spool by state.\n"
	    "# TYPE datadiffd_queue_jobs gauge\n"
	    "datadiffd_queue_jobs{state=\"waiting\"} %u\n"
	    "datadiffd_queue_jobs{state=\"running\"} %u\n"
	    "# HELP datadiffd_spool_writable 1 while the spool accepts writes.\n"
	    "# TYPE datadiffd_spool_writable gauge\n"
	    "datadiffd_spool_writable %d\n"
	    "# HELP datadiffd_workers Worker threads running.\n"
	    "# TYPE datadiffd_workers gauge\n"
	    "datadiffd_workers %u\n",
	    st->waiting, st->running, st->writable ? 1 : 0, st->workers);

	strbuf_addstr(sb,
	    "# HELP datadiffd_job_duration_seconds Time a job run took.\n"
	    "# TYPE datadiffd_job_duration_seconds histogram\n");
	for (size_t b = 0; b <= NBUCKETS; b++) {
		cum += get(&job_bucket[b]);
		if (b < NBUCKETS)
			strbuf_addf(sb,
			    "datadiffd_job_duration_seconds_bucket{le=\"%g\"} "
			    "%llu\n",
			    job_buckets[b], cum);
		else
			strbuf_addf(sb,
			    "datadiffd_job_duration_seconds_bucket{le=\"+Inf\"} "
			    "%llu\n",
			    cum);
	}
	count = cum;
	strbuf_addf(sb,
	    "datadiffd_job_duration_seconds_sum %.3f\n"
	    "datadiffd_job_duration_seconds_count %llu\n",
	    (double)get(&job_ms_sum) / 1000.0, count);

	strbuf_addstr(sb,
	    "# HELP datadiffd_ado_requests_total Azure DevOps requests by HTTP "
	    "status (0: no answer).\n"
	    "# TYPE datadiffd_ado_requests_total counter\n");
	for (int s = 0; s < NSTATUS; s++)
		if (get(&ado_status[s]))
			strbuf_addf(sb,
			    "datadiffd_ado_requests_total{status=\"%d\"} %llu\n",
			    s, get(&ado_status[s]));

	strbuf_addf(sb,
	    "# HELP datadiffd_rows_diffed_total Rows read by the diff engine, "
	    "both sides.\n"
	    "# TYPE datadiffd_rows_diffed_total counter\n"
	    "datadiffd_rows_diffed_total %llu\n",
	    get(&rows));
}
