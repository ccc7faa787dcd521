/*
 * fake_git: the Azure DevOps Git REST routes of the fake server.
 *
 * Routes, under B = /{org}[/{project}]/_apis/git/repositories/{repositoryId}
 * (path words compared case-insensitively, as the service does):
 *   GET   B/blobs/{sha1}                       raw bytes or metadata
 *   GET   B/pullRequests/{id}                  pr.json
 *   GET   B/pullRequests/{id}/iterations       {"count","value"}
 *   GET   B/pullRequests/{id}/iterations/{it}/changes   paged entries
 *   GET   B/pullRequests/{id}/threads          (POST creates one)
 *   GET   B/pullRequests/{id}/threads/{t}      (PATCH updates it)
 *   GET   B/pullRequests/{id}/threads/{t}/comments/{c}  (PATCH edits it)
 *   GET   B/pullRequests/{id}/statuses         (POST adds one)
 *
 * Read-only data comes from the fixture directory, read again on every
 * request so a test can add a push while the server runs:
 *   DIR/blobs/<sha1>                                raw blob bytes
 *   DIR/prs/<repo>/<pr>/iterations.json             array of iterations
 *   DIR/prs/<repo>/<pr>/changes/<it>.json           array of change entries
 *   DIR/prs/<repo>/<pr>/changes/<it>-<compareTo>.json   same, $compareTo=N
 *   DIR/prs/<repo>/<pr>/pr.json                     GitPullRequest
 * A repository exists when DIR/prs/<repo> does, a pull request when its
 * directory does. Repository ids are lowercased before the lookup.
 *
 * Threads, comments and statuses a request creates carry req->caller as
 * author or createdBy. Authentication, api-version and fault injection are
 * the caller's (fake_ado.c); so is the lock around the calls.
 */
#ifndef FAKE_GIT_H
#define FAKE_GIT_H

#include <stddef.h>

#include <microhttpd.h>

#include "fake_identity.h"
#include "fake_prs.h"
#include "fake_reply.h"

#define FAKE_GIT_MAX_FIXTURE (256u * 1024 * 1024) /* bytes of a JSON file */
#define FAKE_GIT_DEFAULT_TOP 100  /* $top of .../changes when not given */
#define FAKE_GIT_MAX_TOP     2000 /* larger $top values are clamped */

struct fake_git {
	const char *fixtures; /* fixture directory */
	const char *org;      /* organization name */
	struct fake_prs *prs; /* threads and statuses */
};

struct fake_git_request {
	struct MHD_Connection *conn; /* for query arguments and headers */
	const char *method;
	const char *path; /* decoded path, starting with /{org}/ */
	const char *body; /* request body (may hold NULs) */
	size_t body_len;
	const char *host_url; /* "http://127.0.0.1:PORT", for links */
	const struct fake_identity *caller; /* whose PAT it was; not NULL */
};

/* Answer one authenticated, versioned REST request. */
void fake_git_serve(const struct fake_git *g,
    const struct fake_git_request *req, struct fake_reply *reply);

/*
 * Control API: answer the bare JSON array of the threads (statuses = 0) or
 * statuses (statuses = 1) of pull request pr of repository repo, or a 400/404
 * {"error"} when the arguments are bad or the pull request has no fixture.
 */
void fake_git_dump(const struct fake_git *g, const char *host_url,
    const char *repo, const char *pr, int statuses, struct fake_reply *reply);

/*
 * The value of query argument key (compared case-insensitively, "%24top"
 * arrives as "$top"), or NULL when absent. A key without "=" gives "".
 */
const char *fake_git_arg(struct MHD_Connection *conn, const char *key);

/* Is method one of the comma-separated methods ("GET, POST")? */
int fake_git_allowed(const char *methods, const char *method);

#endif /* FAKE_GIT_H */
