/*
 * bounds.h: every limit and default of datadiffd, in one place.
 *
 * *_MAX_* are hard limits; *_DEFAULT_* are defaults an operator may change
 * in the configuration within the *_MIN_* / *_MAX_* range given next to them.
 * Hitting a limit is an error reported to the user (or a logged and counted
 * rejection in the daemon), never a crash or a silent cut.
 */
#ifndef BOUNDS_H
#define BOUNDS_H

/* ---- logging ---- */
#define LOG_MAX_LINE 2048 /* bytes per log line, longer lines are cut */

/* ---- CSV reader ---- */
#define CSV_MAX_COLUMNS     4096                /* fields per record */
#define CSV_MAX_FIELD_BYTES (16u * 1024 * 1024) /* one unquoted value */
#define CSV_MAX_RECORD_BYTES \
	(64u * 1024 * 1024)      /* one record, quoted lines too */
#define CSV_MAX_ROWS 2000000000u /* data records per file */

/* ---- diff engine ---- */
#define DIFF_DEFAULT_SAMPLES    5        /* sample rows per category */
#define DIFF_MAX_SAMPLES        1000     /* -s / samples upper bound */
#define DIFF_MAX_KEY_COLUMNS    16       /* columns in a composite key */
#define DIFF_MAX_SAMPLE_VALUE   65536    /* bytes kept of one sampled value */
#define DIFF_MAX_IGNORE_COLUMNS 256      /* --ignore / ignore = entries */
#define DIFF_DEFAULT_MAX_ROWS   10000000 /* max_rows: records per file */

/* ---- report rendering ---- */
#define REPORT_MAX_BYTES       (256u * 1024 * 1024) /* one rendered CLI report */
#define REPORT_MD_CELL_CHARS   60 /* characters of a value in a Markdown table */
#define REPORT_TEXT_CELL_CHARS 60 /* characters of a value on a terminal */

/* ---- configuration ---- */
#define CONFIG_MAX_FILE_BYTES (1024 * 1024) /* the configuration file */

/* ---- ingress (HTTP) ---- */
#define INGRESS_MIN_BODY_BYTES      4096
#define INGRESS_MAX_BODY_BYTES      (16u * 1024 * 1024)
#define INGRESS_MAX_CONNECTIONS     10000
#define INGRESS_DEFAULT_CONNECTIONS 256 /* max_connections */
#define INGRESS_DEFAULT_PER_IP      64  /* max_connections_per_ip */
#define INGRESS_DEFAULT_TIMEOUT     30  /* connection_timeout, seconds */
#define INGRESS_THREADS             4   /* libmicrohttpd thread pool */
#define INGRESS_CONNECTION_MEMORY   (32 * 1024) /* per connection */
#define INGRESS_RETRY_AFTER         "5"         /* seconds, with a 503 */

/* ---- queue ---- */
#define QUEUE_MAX_WORKERS       64
#define QUEUE_MAX_JOBS          100000 /* about 3 KB of memory each */
#define QUEUE_DEFAULT_JOBS      10000  /* max_jobs: waiting jobs on the spool */
#define QUEUE_DEFAULT_STATE_DIR "/var/lib/datadiffd"
#define QUEUE_MAX_JOB_BYTES     (64 * 1024) /* one spooled job file */
#define QUEUE_RETRY_BASE_MS     5000        /* first retry of a failed job */
#define QUEUE_RETRY_MAX_MS      600000      /* backoff ceiling: 10 minutes */
#define QUEUE_STOP_GRACE_S      20 /* running jobs may finish on SIGTERM */
#define QUEUE_BUSY_WAIT_MS      50 /* a job whose files are being written */

/* ---- Azure DevOps client ---- */
#define ADO_MAX_RESPONSE_BYTES \
	(128u * 1024 * 1024) /* one JSON answer: a PR's threads */
#define ADO_CONNECT_TIMEOUT_MS 10000
#define ADO_RETRY_BASE_MS      1000   /* 5xx, network: first wait */
#define ADO_RETRY_MAX_MS       60000  /* the longest wait between tries */
#define ADO_MAX_RETRY_AFTER_S  300    /* a larger Retry-After is capped */
#define ADO_PAGE_SIZE          2000   /* $top of iteration changes (max) */
#define ADO_MAX_CHANGES        200000 /* entries of one PR's changes */
#define ADO_LOW_SPEED_BYTES    1024   /* a blob slower than this per second */
				      /* for timeout_seconds is aborted */

/* ---- jobs ---- */
#define JOB_MAX_FILE_BYTES    (64ull << 30) /* max_file_bytes upper bound */
#define REPORT_MAX_SAMPLES    100           /* samples = upper bound */
#define JOB_MAX_FILES         500 /* data files diffed in one pull request */
#define JOB_BUDGET_MS         (15 * 60 * 1000) /* retries inside one run */
#define JOB_ITERATION_WAIT_MS 60000 /* for the pushed commit's iteration */
#define JOB_CREATE_TRIES      4     /* creating the thread, looking between */
#define JOB_ITERATION_POLL_MS 3000
#define JOB_COMMENT_MAX_BYTES 149000 /* Azure DevOps takes 150,000 chars */
#define JOB_STATUS_GENRE      "datadiffd"
#define JOB_STATUS_NAME       "data-diff"
#define JOB_THREAD_PROPERTY   "datadiffd.report"

/* a number macro as a string, for the configuration table's defaults */
#define BOUNDS_STR(x)  BOUNDS_STR2(x)
#define BOUNDS_STR2(x) #x

#endif /* BOUNDS_H */
