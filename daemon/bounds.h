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
#define DIFF_DEFAULT_SAMPLES    5     /* sample rows per category */
#define DIFF_MAX_SAMPLES        1000  /* -s / samples upper bound */
#define DIFF_MAX_KEY_COLUMNS    16    /* columns in a composite key */
#define DIFF_MAX_SAMPLE_VALUE   65536 /* bytes kept of one sampled value */
#define DIFF_MAX_IGNORE_COLUMNS 256   /* --ignore / ignore = entries */

/* ---- report rendering ---- */
#define REPORT_MAX_BYTES       (256u * 1024 * 1024) /* one rendered CLI report */
#define REPORT_MD_CELL_CHARS   60 /* characters of a value in a Markdown table */
#define REPORT_TEXT_CELL_CHARS 60 /* characters of a value on a terminal */

#endif /* BOUNDS_H */
