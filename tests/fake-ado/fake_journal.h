/*
 * fake_journal: the record of every REST request the fake Azure DevOps
 * server received, in arrival order, for GET /_fake/requests and --log.
 *
 * A record is added when a request has been read (its status still 0) and
 * finished when its answer is queued. The journal keeps what tests assert
 * on (method, path, raw query, auth outcome, status, Accept, Content-Type,
 * the first FAKE_JOURNAL_MAX_BODY bytes of a POST/PATCH/PUT body), never the
 * Authorization header.
 *
 * Not thread-safe: the caller holds the server lock around every call.
 */
#ifndef FAKE_JOURNAL_H
#define FAKE_JOURNAL_H

#include <stddef.h>
#include <stdint.h>

#include "strbuf.h"

#define FAKE_JOURNAL_MAX_BODY    (64u * 1024) /* bytes of a body kept */
#define FAKE_JOURNAL_MAX_RECORDS 100000       /* records kept */

struct fake_journal;

/* What a request looked like; strings are copied by fake_journal_add(). */
struct fake_journal_entry {
	const char *method;
	const char *path;         /* decoded path */
	const char *query;        /* raw query string without '?', or "" */
	const char *auth;         /* "ok", "member", "missing" or "bad" */
	const char *accept;       /* Accept header or NULL */
	const char *content_type; /* Content-Type header or NULL */
	const char *body;         /* body or NULL (then "body" is absent) */
	size_t body_len;
};

/*
 * A journal that also appends every finished record as one JSON line to
 * log_fd (when log_fd >= 0; the journal does not close it).
 */
struct fake_journal *fake_journal_new(int log_fd);

/* Free the journal and its records. NULL is accepted. */
void fake_journal_free(struct fake_journal *j);

/*
 * Record a new request and return its handle for fake_journal_finish(), or
 * 0 when FAKE_JOURNAL_MAX_RECORDS are kept already (logged once; the
 * request is then not recorded).
 */
uint64_t fake_journal_add(
    struct fake_journal *j, const struct fake_journal_entry *e);

/*
 * Set the status of the record behind handle (and whether a fault rule
 * answered it), then append it to the log file. A handle from before the
 * last fake_journal_clear() is ignored.
 */
void fake_journal_finish(
    struct fake_journal *j, uint64_t handle, unsigned int status, int fault);

/* Forget every record; sequence numbers start at 1 again. */
void fake_journal_clear(struct fake_journal *j);

/*
 * Append the records to out as a JSON array of
 * {"seq","method","path","query","auth","status","accept","content_type",
 *  "body"?,"fault"}; status is null while unanswered, accept and
 * content_type null when the header was absent. Returns 0, or -1 when out
 * hit its ceiling.
 */
int fake_journal_render(const struct fake_journal *j, struct strbuf *out);

#endif /* FAKE_JOURNAL_H */
