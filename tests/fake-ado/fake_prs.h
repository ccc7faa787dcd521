/*
 * fake_prs: the writable state of the fake Azure DevOps server, per pull
 * request: comment threads and statuses, kept in memory.
 *
 * Every pull request starts with one thread Azure DevOps itself wrote
 * (commentType "system", property CodeReviewThreadType = ReviewersUpdate),
 * so clients must tell their own threads from the service's. Objects are
 * kept in the form the REST API returns them: properties in read form
 * {"key":{"$type":...,"$value":...}}, enums as camelCase names.
 *
 * Each request function validates the request body like the service does
 * and fills reply (a 2xx answer or an Azure DevOps error). None of them
 * checks that the pull request exists: the caller does.
 *
 * Not thread-safe: the caller holds the server lock around every call.
 */
#ifndef FAKE_PRS_H
#define FAKE_PRS_H

#include <stddef.h>

#include "fake_identity.h"
#include "fake_reply.h"

#define FAKE_PRS_MAX_COMMENT_CHARS 150000 /* UTF-16 units, as the service */
#define FAKE_PRS_MAX_THREADS       10000  /* threads per pull request */
#define FAKE_PRS_MAX_STATUSES      10000  /* statuses per pull request */

struct fake_prs;

/* Which pull request, and the URLs its objects link to. */
struct fake_pr_ref {
	const char *repo; /* repository id as stored (lowercase) */
	long id;          /* pull request id */
	const char
	    *repo_url; /* "http://h:p/org/proj/_apis/git/repositories/r" */
	const char *base_url; /* "http://h:p/org" */
};

/* No pull requests yet. */
struct fake_prs *fake_prs_new(void);

/* Free every thread and status. NULL is accepted. */
void fake_prs_free(struct fake_prs *prs);

/* Forget every thread and status (pull requests are seeded again). */
void fake_prs_clear(struct fake_prs *prs);

/* GET .../threads: {"count":N,"value":[threads]} */
void fake_prs_list_threads(struct fake_prs *prs, const struct fake_pr_ref *pr,
    struct fake_reply *reply);

/* GET .../threads/{t} */
void fake_prs_get_thread(struct fake_prs *prs, const struct fake_pr_ref *pr,
    long thread_id, struct fake_reply *reply);

/*
 * POST .../threads with a GitPullRequestCommentThread body; caller (whose
 * PAT made the request) is the author of every comment.
 */
void fake_prs_create_thread(struct fake_prs *prs, const struct fake_pr_ref *pr,
    const struct fake_identity *caller, const char *body, size_t len,
    struct fake_reply *reply);

/* PATCH .../threads/{t}: status and properties */
void fake_prs_update_thread(struct fake_prs *prs, const struct fake_pr_ref *pr,
    long thread_id, const char *body, size_t len, struct fake_reply *reply);

/* GET .../threads/{t}/comments/{c} */
void fake_prs_get_comment(struct fake_prs *prs, const struct fake_pr_ref *pr,
    long thread_id, long comment_id, struct fake_reply *reply);

/* PATCH .../threads/{t}/comments/{c} with {"content": ...} */
void fake_prs_update_comment(struct fake_prs *prs, const struct fake_pr_ref *pr,
    long thread_id, long comment_id, const char *body, size_t len,
    struct fake_reply *reply);

/* GET .../statuses: {"count":N,"value":[statuses]} */
void fake_prs_list_statuses(struct fake_prs *prs, const struct fake_pr_ref *pr,
    struct fake_reply *reply);

/* POST .../statuses with a GitPullRequestStatus body; caller is createdBy */
void fake_prs_create_status(struct fake_prs *prs, const struct fake_pr_ref *pr,
    const struct fake_identity *caller, const char *body, size_t len,
    struct fake_reply *reply);

/* Control API: 200 with the bare JSON array of threads, or of statuses. */
void fake_prs_dump_threads(struct fake_prs *prs, const struct fake_pr_ref *pr,
    struct fake_reply *reply);
void fake_prs_dump_statuses(struct fake_prs *prs, const struct fake_pr_ref *pr,
    struct fake_reply *reply);

#endif /* FAKE_PRS_H */
