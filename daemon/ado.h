/*
 * ado: the Azure DevOps REST client (design.md 5.6, ado-reference.md 3-6)
 * on libcurl: one easy handle per worker thread, reused across requests.
 *
 * Every URL is built here from the configured organization URL and
 * identifiers that were validated before (GUIDs, numbers, 40-hex ids), so
 * the personal access token only ever goes to a configured host. It is
 * sent as Basic auth with an empty user through libcurl options, never in
 * a URL and never logged. Redirects are not followed, certificates are
 * verified, https is the only protocol (plain http only for a loopback
 * organization URL).
 *
 * Failures: a 203, an HTML body, 401 or 403 mean the PAT was rejected
 * (ADO_AUTH, never retried); 429 and 503 wait for Retry-After (at least
 * 1 s); other 5xx and network errors retry with exponential backoff (1 s
 * doubling to 60 s, +-20% jitter) while the job's deadline allows
 * (ADO_RETRY after that); other 4xx fail with the response's message
 * (ADO_FAILED). Creating a thread is not repeated after a 5xx or a
 * network error that may have followed its delivery (ADO_UNSURE): the
 * caller looks for the thread before it tries again.
 */
#ifndef ADO_H
#define ADO_H

#include <stddef.h>
#include <stdint.h>

#include "adoparse.h"
#include "compat.h"

enum ado_result {
	ADO_OK,
	ADO_AUTH,      /* the PAT was rejected: fix it, do not retry */
	ADO_RETRY,     /* Azure DevOps unavailable within the deadline */
	ADO_NOT_FOUND, /* 404 */
	ADO_FAILED,    /* another 4xx, or an answer we cannot read */
	ADO_TOO_LARGE, /* a blob over the size cap */
	ADO_UNSURE,    /* a create failed after it may have been carried out */
	ADO_CANCELED,  /* the daemon is stopping */
};

const char *ado_result_name(enum ado_result r);

/* Where and how the calls of one job go. Strings must outlive the job. */
struct ado_target {
	const char *org_url; /* a configured organization URL */
	const char *project; /* project id (GUID) */
	const char *repo;    /* repository id (GUID) */
	const char *pat;
	const char *api_version;
	unsigned timeout_s;         /* per request */
	int64_t deadline_ms;        /* no retry after this (epoch ms) */
	const volatile int *cancel; /* non-zero: stop at once */
};

struct ado;

/* A client (one libcurl handle). NULL when libcurl fails to give one. */
struct ado *ado_new(void);
void ado_free(struct ado *a);

/* Point the client at a job's organization and repository. */
void ado_set_target(struct ado *a, const struct ado_target *t);

/*
 * Wait before try number attempt (1 = the first again) as the retries of
 * a request do: ADO_OK, ADO_CANCELED, or ADO_RETRY when the wait would end
 * past the deadline (no wait then).
 */
enum ado_result ado_pause(struct ado *a, unsigned attempt);

/* What went wrong with the last call: one line, no secret. */
const char *ado_error(const struct ado *a);

/* The iterations of pull request pr, sorted by id (*its: free()). */
enum ado_result ado_iterations(
    struct ado *a, unsigned long pr, struct ado_iteration **its, size_t *n);

/*
 * Every change of iteration it against the merge base, paging with
 * $top/$skip until nextSkip is 0; at most max entries. Free with
 * ado_changes_free().
 */
enum ado_result ado_changes(struct ado *a, unsigned long pr, unsigned it,
    size_t max, struct ado_change **changes, size_t *n);

/*
 * Download blob sha (raw bytes, LFS resolved) into the file path,
 * stopping at max_bytes (ADO_TOO_LARGE). *size gets the bytes written.
 */
enum ado_result ado_blob(struct ado *a, const char *sha, const char *path,
    uint64_t max_bytes, uint64_t *size);

/*
 * The identity (GUID) the token authenticates as, from
 * {org}/_apis/connectionData; asked once per organization and token.
 * *id stays valid until the next call on a.
 */
enum ado_result ado_identity(struct ado *a, const char **id);

/*
 * Our report thread of pull request pr: the one that carries the property
 * and whose first comment we wrote (see ado_identity). *found is 0 when
 * there is none yet.
 */
enum ado_result ado_find_thread(struct ado *a, unsigned long pr,
    const char *property, int *found, struct ado_thread *thread);

/* Create a thread whose first comment is content, with the property. */
enum ado_result ado_create_thread(struct ado *a, unsigned long pr,
    const char *content, const char *property, const char *status,
    long *thread_id, long *comment_id);

/* Set a thread's status: active, closed, ... */
enum ado_result ado_set_thread_status(
    struct ado *a, unsigned long pr, long thread_id, const char *status);

/* Replace the content of a comment. */
enum ado_result ado_update_comment(struct ado *a, unsigned long pr,
    long thread_id, long comment_id, const char *content);

/*
 * Post the PR status of context genre/name for iteration it (0: none):
 * state is pending, succeeded, failed or error.
 */
enum ado_result ado_post_status(struct ado *a, unsigned long pr, unsigned it,
    const char *genre, const char *name, const char *state,
    const char *description);

#endif /* ADO_H */
