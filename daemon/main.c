/*
 * datadiffd: the data diff daemon (design.md 5.3, 7).
 *
 * Wiring and life cycle: options, configuration, the spool and its
 * workers, the HTTP listener (systemd's socket when activated), readiness,
 * status and watchdog notifications, SIGHUP reloads and an orderly
 * shutdown on SIGTERM. All signals are taken synchronously by the main
 * thread; the other threads never see one.
 */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <curl/curl.h>
#include <systemd/sd-daemon.h>

#include "bounds.h"
#include "config.h"
#include "event.h"
#include "ingress.h"
#include "job.h"
#include "liveconf.h"
#include "log.h"
#include "queue.h"
#include "strbuf.h"
#include "xmalloc.h"
#include "banned.h"

#ifndef DATADIFFD_VERSION
#define DATADIFFD_VERSION "0.1.0"
#endif

#define DEFAULT_CONFIG    "/etc/datadiffd/datadiffd.conf"
#define PROBE_INTERVAL_MS 10000 /* spool writability check */

static void
usage(FILE *f)
{
	fputs(
	    "usage: datadiffd [-c FILE] [--check-config] "
	    "[--replay EVENT.json [--dry-run]] [-v] [--version]\n"
	    "Receive Azure DevOps pull-request service hooks and post data "
	    "diffs.\n\n"
	    "  -c, --config FILE   configuration (default " DEFAULT_CONFIG ")\n"
	    "      --check-config  check the configuration, print "
	    "'configuration OK' or every error\n"
	    "      --replay FILE   run one saved service-hook payload through "
	    "the job, then exit\n"
	    "      --dry-run       with --replay: print the report, change "
	    "nothing anywhere\n"
	    "  -v, --verbose       debug logging\n"
	    "      --version       print the version\n",
	    f);
}

static void
print_errors(const struct config_errors *errs)
{
	for (size_t i = 0; i < errs->n; i++)
		fprintf(stderr, "%s\n", errs->msg[i]);
}

static int
check_config(const char *file)
{
	struct config cfg;
	struct config_errors errs;
	int ret;

	config_errors_init(&errs);
	ret = config_load(&cfg, file, 0, &errs);
	if (ret == 0)
		printf("configuration OK\n");
	else
		print_errors(&errs);
	config_release(&cfg);
	config_errors_release(&errs);
	return ret == 0 ? 0 : 1;
}

static int
read_file(const char *path, struct strbuf *sb)
{
	FILE *f = fopen(path, "rb");
	char buf[65536];
	size_t n;

	if (!f) {
		fprintf(stderr, "datadiffd: %s: %s\n", path, strerror(errno));
		return -1;
	}
	while ((n = fread(buf, 1, sizeof(buf), f)) > 0)
		if (strbuf_add(sb, buf, n) == -1)
			break;
	fclose(f);
	if (sb->overflow) {
		fprintf(stderr, "datadiffd: %s: larger than %u bytes\n", path,
		    INGRESS_MAX_BODY_BYTES);
		return -1;
	}
	return 0;
}

static int
replay(const char *file, const char *event_file, int dry_run)
{
	struct config cfg;
	struct config_errors errs;
	struct strbuf body;
	struct pr_event ev;
	char reason[256];
	long org;
	int ret = 1;

	config_errors_init(&errs);
	strbuf_init(&body, INGRESS_MAX_BODY_BYTES);
	if (config_load(&cfg, file, !dry_run, &errs) == -1) {
		print_errors(&errs);
		goto out;
	}
	if (read_file(event_file, &body) == -1)
		goto out;
	switch (event_parse(body.buf, body.len, &ev, reason, sizeof(reason))) {
	case EVENT_OK:
		break;
	case EVENT_IGNORE:
		fprintf(stderr, "datadiffd: %s: nothing to do: %s\n",
		    event_file, reason);
		goto out;
	case EVENT_BAD:
		fprintf(stderr, "datadiffd: %s: %s\n", event_file, reason);
		goto out;
	}
	org = config_find_org(&cfg, ev.org_url);
	if (org < 0) {
		fprintf(stderr,
		    "datadiffd: %s: organization '%s' is not configured\n",
		    event_file, ev.org_url);
		goto out;
	}
	curl_global_init(CURL_GLOBAL_DEFAULT);
	ret = job_replay(&cfg, &ev, cfg.orgs[org].canon, dry_run) == 0 ? 0 : 1;
	job_thread_done();
	curl_global_cleanup();
out:
	strbuf_release(&body);
	config_release(&cfg);
	config_errors_release(&errs);
	return ret;
}

static void
notify_status(struct queue *q)
{
	struct queue_stats st;

	queue_get_stats(q, &st);
	sd_notifyf(0, "STATUS=%u waiting, %u running, %llu done, %llu failed%s",
	    st.waiting, st.running, st.done, st.failed,
	    st.writable ? "" : ", spool NOT writable");
}

/* SIGHUP: load the file again; a broken one leaves the running config */
static void
reload(const char *file, struct queue *q)
{
	struct config cfg;
	struct config_errors errs;
	const struct config *old;
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	sd_notifyf(0, "RELOADING=1\nMONOTONIC_USEC=%llu",
	    (unsigned long long)ts.tv_sec * 1000000ull +
		(unsigned long long)ts.tv_nsec / 1000);
	config_errors_init(&errs);
	if (config_load(&cfg, file, 1, &errs) == -1) {
		for (size_t i = 0; i < errs.n; i++)
			log_errx("reload: %s", errs.msg[i]);
		log_errx("reload: '%s' has errors: keeping the running "
			 "configuration",
		    file);
		config_release(&cfg);
	} else {
		old = liveconf_get();
		if (strcmp(old->listen, cfg.listen) != 0 ||
		    strcmp(old->state_dir, cfg.state_dir) != 0 ||
		    old->workers != cfg.workers ||
		    old->max_connections != cfg.max_connections ||
		    old->max_connections_per_ip != cfg.max_connections_per_ip ||
		    old->connection_timeout != cfg.connection_timeout ||
		    old->max_attempts != cfg.max_attempts ||
		    old->max_jobs != cfg.max_jobs)
			log_warnx(
			    "reload: listen, state_dir, workers, "
			    "connection limits, max_attempts and max_jobs "
			    "change at the next restart");
		liveconf_put(old);
		liveconf_set(&cfg);
		log_info("reload: configuration '%s' loaded", file);
	}
	config_errors_release(&errs);
	sd_notify(0, "READY=1");
	notify_status(q);
}

int
main(int argc, char **argv)
{
	static const struct option longopts[] = {
	    {"config", required_argument, NULL, 'c'},
	    {"check-config", no_argument, NULL, 'C'},
	    {"replay", required_argument, NULL, 'R'},
	    {"dry-run", no_argument, NULL, 'D'},
	    {"verbose", no_argument, NULL, 'v'},
	    {"version", no_argument, NULL, 'V'},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0},
	};
	const char *file = DEFAULT_CONFIG, *replay_file = NULL;
	int check = 0, dry_run = 0, verbose = 0, ch, fd = -1, nfds;
	struct config cfg;
	struct config_errors errs;
	struct queue_options qo;
	char *spool;
	struct queue *q = NULL;
	struct ingress *in = NULL;
	char err[512], addr[128];
	sigset_t set;
	uint64_t watchdog_usec = 0;
	int64_t tick_ms, since_probe = 0;
	unsigned grace_ms;

	while ((ch = getopt_long(argc, argv, "c:vh", longopts, NULL)) != -1) {
		switch (ch) {
		case 'c':
			file = optarg;
			break;
		case 'C':
			check = 1;
			break;
		case 'R':
			replay_file = optarg;
			break;
		case 'D':
			dry_run = 1;
			break;
		case 'v':
			verbose = 1;
			break;
		case 'V':
			printf("datadiffd %s\n", DATADIFFD_VERSION);
			return 0;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (optind != argc || (dry_run && !replay_file)) {
		usage(stderr);
		return 2;
	}
	log_init(verbose);
	if (check)
		return check_config(file);
	if (replay_file)
		return replay(file, replay_file, dry_run);

	config_errors_init(&errs);
	if (config_load(&cfg, file, 1, &errs) == -1) {
		for (size_t i = 0; i < errs.n; i++)
			log_errx("%s", errs.msg[i]);
		fatalx("not starting: the configuration has errors");
	}
	config_errors_release(&errs);

	/* every thread inherits this mask: signals come to sigtimedwait */
	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGHUP);
	pthread_sigmask(SIG_BLOCK, &set, NULL);
	signal(SIGPIPE, SIG_IGN);
	if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
		fatalx("cannot initialise libcurl");

	nfds = sd_listen_fds(1);
	if (nfds > 1)
		fatalx("systemd passed %d sockets, expected one", nfds);
	if (nfds == 1) {
		fd = SD_LISTEN_FDS_START;
	} else {
		fd = ingress_listen(cfg.listen, err, sizeof(err));
		if (fd == -1)
			fatalx("%s", err);
	}
	ingress_local_address(fd, addr, sizeof(addr));

	memset(&qo, 0, sizeof(qo));
	qo.state_dir = cfg.state_dir;
	qo.workers = cfg.workers;
	qo.max_attempts = cfg.max_attempts;
	qo.max_jobs = cfg.max_jobs;
	qo.run = job_run;
	qo.gave_up = job_gave_up;
	job_clean_workdirs(cfg.state_dir);
	if (queue_open(&q, &qo, err, sizeof(err)) == -1)
		fatalx("%s", err);
	log_info("datadiffd %s: listening on %s%s, %u workers, spool '%s'",
	    DATADIFFD_VERSION, addr, nfds == 1 ? " (socket activation)" : "",
	    cfg.workers, cfg.state_dir);
	spool = xstrdup(cfg.state_dir); /* fixed until a restart */
	liveconf_set(&cfg); /* cfg is moved: use liveconf from here on */
	if (queue_start(q, err, sizeof(err)) == -1)
		fatalx("%s", err);
	if (ingress_start(&in, fd, q, err, sizeof(err)) == -1)
		fatalx("%s", err);

	sd_notify(0, "READY=1");
	notify_status(q);
	if (sd_watchdog_enabled(0, &watchdog_usec) <= 0)
		watchdog_usec = 0;
	tick_ms = watchdog_usec ? (int64_t)(watchdog_usec / 2000) : 1000;
	if (tick_ms > 1000)
		tick_ms = 1000;
	if (tick_ms < 1)
		tick_ms = 1;

	for (;;) {
		struct timespec ts = {
		    tick_ms / 1000, (tick_ms % 1000) * 1000000};
		int sig = sigtimedwait(&set, NULL, &ts);

		if (sig == SIGTERM || sig == SIGINT)
			break;
		if (sig == SIGHUP) {
			reload(file, q);
			continue;
		}
		if (watchdog_usec)
			sd_notify(0, "WATCHDOG=1");
		since_probe += tick_ms;
		if (since_probe >= PROBE_INTERVAL_MS) {
			since_probe = 0;
			if (!queue_probe(q))
				log_errx("queue: the spool in '%s' is not "
					 "writable: hooks are answered 503",
				    spool);
		}
		notify_status(q);
	}

	grace_ms = QUEUE_STOP_GRACE_S * 1000;
	log_info("datadiffd: stopping: no new connections, running jobs get "
		 "%u s",
	    QUEUE_STOP_GRACE_S);
	sd_notify(0, "STOPPING=1\nSTATUS=stopping");
	ingress_quiesce(in);
	queue_stop(q, grace_ms);
	ingress_stop(in);
	queue_free(q);
	liveconf_clear();
	free(spool);
	curl_global_cleanup();
	log_info("datadiffd: stopped");
	return 0;
}
