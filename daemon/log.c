/*
 * log.c: stderr logging with journald priority prefixes (see log.h).
 */
#include "log.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "bounds.h"
#include "banned.h"

enum log_prio {
	LOG_PRIO_CRIT = 2,
	LOG_PRIO_ERR = 3,
	LOG_PRIO_WARNING = 4,
	LOG_PRIO_INFO = 6,
	LOG_PRIO_DEBUG = 7,
};

static int log_verbose;
static int log_journal;

/* $JOURNAL_STREAM is "DEV:INO" of the journal stream; compare with stderr */
static int
log_stderr_is_journal(void)
{
	const char *js = getenv("JOURNAL_STREAM");
	unsigned long long dev, ino;
	struct stat st;
	char tail;

	if (!js || sscanf(js, "%llu:%llu%c", &dev, &ino, &tail) != 2)
		return 0;
	if (fstat(STDERR_FILENO, &st) == -1)
		return 0;
	return (unsigned long long)st.st_dev == dev &&
	    (unsigned long long)st.st_ino == ino;
}

void
log_init(int verbose)
{
	log_verbose = verbose;
	log_journal = log_stderr_is_journal();
}

static const char *
log_prio_word(enum log_prio prio)
{
	switch (prio) {
	case LOG_PRIO_CRIT:
		return "fatal: ";
	case LOG_PRIO_ERR:
		return "error: ";
	case LOG_PRIO_WARNING:
		return "warning: ";
	case LOG_PRIO_DEBUG:
		return "debug: ";
	case LOG_PRIO_INFO:
		break;
	}
	return "";
}

static void
vlog(enum log_prio prio, int with_errno, const char *fmt, va_list ap)
{
	char line[LOG_MAX_LINE];
	size_t len = 0, room;
	int saved_errno = errno;
	int n;

	if (prio == LOG_PRIO_DEBUG && !log_verbose)
		return;
	if (log_journal)
		n = snprintf(line, sizeof(line), "<%d>", (int)prio);
	else
		n = snprintf(line, sizeof(line), "%s", log_prio_word(prio));
	if (n > 0)
		len = (size_t)n;
	/* keep two bytes for "\n" and the NUL */
	room = sizeof(line) - 2 - len;
	n = vsnprintf(line + len, room + 1, fmt, ap);
	if (n > 0)
		len += (size_t)n < room ? (size_t)n : room;
	if (with_errno) {
		room = sizeof(line) - 2 - len;
		n = snprintf(
		    line + len, room + 1, ": %s", strerror(saved_errno));
		if (n > 0)
			len += (size_t)n < room ? (size_t)n : room;
	}
	/* a message is one line: fold embedded line breaks */
	for (size_t i = 0; i < len; i++)
		if (line[i] == '\n' || line[i] == '\r')
			line[i] = ' ';
	line[len++] = '\n';
	(void)!write(STDERR_FILENO, line, len);
	errno = saved_errno;
}

void
log_warn(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vlog(LOG_PRIO_WARNING, 1, fmt, ap);
	va_end(ap);
}

void
log_warnx(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vlog(LOG_PRIO_WARNING, 0, fmt, ap);
	va_end(ap);
}

void
log_errx(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vlog(LOG_PRIO_ERR, 0, fmt, ap);
	va_end(ap);
}

void
log_info(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vlog(LOG_PRIO_INFO, 0, fmt, ap);
	va_end(ap);
}

void
log_debug(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vlog(LOG_PRIO_DEBUG, 0, fmt, ap);
	va_end(ap);
}

void
fatal(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vlog(LOG_PRIO_CRIT, 1, fmt, ap);
	va_end(ap);
	exit(1);
}

void
fatalx(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vlog(LOG_PRIO_CRIT, 0, fmt, ap);
	va_end(ap);
	exit(1);
}
