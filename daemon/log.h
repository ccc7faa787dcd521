/*
 * log: one line per message on stderr.
 *
 * When stderr is connected to the journal ($JOURNAL_STREAM names it), every
 * line starts with a sd-daemon priority prefix ("<3>" ...), which journald
 * turns into the message priority; otherwise lines are plain text with the
 * priority as a word. Each line is written with a single write(2), so lines
 * from different threads never interleave. errno is preserved.
 *
 * Style: lowercase, no trailing period, what failed first, the subject in
 * quotes, a module prefix ("ingress: ..."). Never log a secret.
 */
#ifndef LOG_H
#define LOG_H

#include <stdarg.h>

#include "compat.h"

/* Set the verbosity (debug lines only when verbose) and detect journald. */
void log_init(int verbose);

/* Warning with ": strerror(errno)" appended. */
void log_warn(const char *fmt, ...) PRINTF_LIKE(1, 2);
/* Warning without errno. */
void log_warnx(const char *fmt, ...) PRINTF_LIKE(1, 2);
/* Error (journald priority 3) without errno. */
void log_errx(const char *fmt, ...) PRINTF_LIKE(1, 2);
void log_info(const char *fmt, ...) PRINTF_LIKE(1, 2);
void log_debug(const char *fmt, ...) PRINTF_LIKE(1, 2);
/* Log as critical with strerror(errno), then exit(1). */
void fatal(const char *fmt, ...) PRINTF_LIKE(1, 2) NORETURN;
/* Log as critical, then exit(1). */
void fatalx(const char *fmt, ...) PRINTF_LIKE(1, 2) NORETURN;

#endif /* LOG_H */
