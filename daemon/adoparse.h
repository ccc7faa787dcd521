/*
 * adoparse: Azure DevOps REST responses -> structs (pure: no I/O, no
 * logging; fuzzed by tests/fuzz/fuzz_ado_json.c). Shapes of
 * ado-reference.md 3-5: responses are checked member by member, ids are
 * validated, anything unexpected is an error with a short message, never
 * a crash.
 */
#ifndef ADOPARSE_H
#define ADOPARSE_H

#include <stddef.h>

#include "compat.h"
#include "event.h"
#include "prreport.h"

#define ADO_PATH_MAX 1024 /* bytes of a repository path we accept */

/* A pull request iteration (one per push). */
struct ado_iteration {
	unsigned id;
	char source[EVENT_COMMIT_LEN + 1]; /* sourceRefCommit: the PR head */
	char target[EVENT_COMMIT_LEN + 1]; /* targetRefCommit */
	char common[EVENT_COMMIT_LEN + 1]; /* commonRefCommit: merge base */
};

/* changeType flags (a comma-separated list in responses) */
enum ado_change_type {
	ADO_CHANGE_ADD = 1 << 0,
	ADO_CHANGE_EDIT = 1 << 1,
	ADO_CHANGE_DELETE = 1 << 2,
	ADO_CHANGE_RENAME = 1 << 3, /* rename, sourceRename, targetRename */
	ADO_CHANGE_OTHER = 1 << 4,  /* encoding, undelete, merge, ... */
};

/* One entry of an iteration's changes. */
struct ado_change {
	unsigned type;                        /* enum ado_change_type flags */
	char *path;                           /* "/data/x.csv" */
	char *original_path;                  /* rename source, or NULL */
	char object_id[EVENT_COMMIT_LEN + 1]; /* new blob, "" if none */
	char original_object_id[EVENT_COMMIT_LEN + 1]; /* old blob, "" */
	int is_folder;
};

/*
 * {"count":N,"value":[iteration...]}: every iteration with valid commit
 * ids, sorted by id. *out is malloc'd (free()). Returns 0 or -1 (err set).
 */
int adoparse_iterations(const char *json, size_t len,
    struct ado_iteration **out, size_t *n, char *err, size_t errlen);

/*
 * One page of {"changeEntries":[...],"nextSkip":N,"nextTop":N}: appends
 * its entries to *out (*n of them so far), refusing to go past max
 * entries; sets *next_skip and *next_top (0 and 0 on the last page).
 * Returns 0 or -1 (err set).
 */
int adoparse_changes(const char *json, size_t len, struct ado_change **out,
    size_t *n, size_t max, unsigned *next_skip, unsigned *next_top, char *err,
    size_t errlen);

void ado_changes_free(struct ado_change *c, size_t n);

/* Our report thread, as found in a pull request's threads. */
struct ado_thread {
	long id;
	long comment_id; /* its first comment: the report */
	int resolved;    /* status fixed, wontFix, closed or byDesign */
	char digest[PRREPORT_DIGEST_LEN + 1]; /* of the report, or "" */
};

/*
 * Find our report thread in {"count","value":[thread...]}: the first
 * thread not deleted that carries the property key (read form
 * {"$type","$value"}) and whose first comment, not deleted, was written by
 * author_id (our identity: anyone may set a property). Fills *out.
 * Returns 1 found, 0 not found, -1 malformed (err set).
 */
int adoparse_find_thread(const char *json, size_t len, const char *property,
    const char *author_id, struct ado_thread *out, char *err, size_t errlen);

/*
 * The identity the token authenticates as, from the answer of
 * _apis/connectionData: authenticatedUser.id, a GUID, copied into id
 * (EVENT_GUID_LEN + 1 bytes). Returns 0 or -1 (err set).
 */
int adoparse_identity(
    const char *json, size_t len, char *id, char *err, size_t errlen);

/* The ids of a created thread (its first comment). 0 or -1. */
int adoparse_thread_ids(const char *json, size_t len, long *thread_id,
    long *comment_id, char *err, size_t errlen);

/*
 * The "message" of an Azure DevOps error body, cut to outlen and with
 * control characters replaced; "" when there is none.
 */
void adoparse_error_message(
    const char *json, size_t len, char *out, size_t outlen);

#endif /* ADOPARSE_H */
