/*
 * event: an Azure DevOps service-hook body -> struct pr_event (pure: no I/O,
 * no logging, no globals; fuzzed by tests/fuzz/fuzz_event.c).
 *
 * The body is parsed with cJSON from a length-capped buffer (nesting is
 * bounded by EVENT_MAX_DEPTH), every member's type is checked, and every
 * identifier that may later reach a URL is validated here: GUIDs, the
 * numeric pull request id, 40-hex commit ids, the organization URL. Shapes
 * follow ado-reference.md 1.5-1.11.
 */
#ifndef EVENT_H
#define EVENT_H

#include <stddef.h>

#include "compat.h"

#define EVENT_GUID_LEN   36  /* 8-4-4-4-12 hex digits */
#define EVENT_COMMIT_LEN 40  /* SHA-1 in hex */
#define EVENT_URL_MAX    512 /* organization base URL, bytes */
#define EVENT_NAME_MAX   256 /* project/repository names, refs, types */
#define EVENT_MAX_DEPTH  64  /* JSON nesting accepted */

enum event_type {
	EVENT_PR_CREATED,   /* git.pullrequest.created */
	EVENT_PR_UPDATED,   /* git.pullrequest.updated */
	EVENT_PR_MERGED,    /* git.pullrequest.merged (merge attempted) */
	EVENT_PR_COMMENTED, /* ms.vss-code.git-pullrequest-comment-event */
	EVENT_OTHER,        /* any other well-formed event type */
};

struct pr_event {
	enum event_type type;
	char event_type
	    [EVENT_NAME_MAX]; /* as sent, e.g. "git.pullrequest.created" */
	char event_id[EVENT_GUID_LEN + 1];        /* "id"; "" when absent */
	char subscription_id[EVENT_GUID_LEN + 1]; /* "" when absent */

	/*
	 * Organization (collection) base URL, normalised: scheme and host in
	 * lower case, no user-info, no trailing '/', e.g.
	 * "https://dev.azure.com/fabrikam" or "https://fabrikam.visualstudio.com".
	 * From resourceContainers.{collection,account,project}.baseUrl, else
	 * the part of resource.url (or resource.repository.url) before
	 * "/{projectId}/_apis/" or "/_apis/".
	 */
	char org_url[EVENT_URL_MAX];
	char project_id[EVENT_GUID_LEN + 1]; /* lower-case GUID */
	char project_name[EVENT_NAME_MAX];   /* "" when absent */
	char repo_id[EVENT_GUID_LEN + 1];    /* lower-case GUID */
	char repo_name[EVENT_NAME_MAX];      /* "" when absent */
	unsigned long pr_id;                 /* 1 .. 2^31-1 */
	char status[32]; /* "active", "abandoned", "completed", ... */
	int is_draft;    /* 0 when absent */
	char source_ref[EVENT_NAME_MAX]; /* "refs/heads/..." */
	char target_ref[EVENT_NAME_MAX];
	char source_commit[EVENT_COMMIT_LEN +
	    1]; /* lastMergeSourceCommit, lower case */
	char target_commit[EVENT_COMMIT_LEN +
	    1]; /* lastMergeTargetCommit, lower case */
	char merge_commit[EVENT_COMMIT_LEN +
	    1]; /* lastMergeCommit; "" when absent */
	char
	    title[EVENT_NAME_MAX]; /* cut at a UTF-8 boundary; "" when absent */
	int is_test; /* the portal's "Test" delivery (fabrikam sample) */
};

enum event_result {
	EVENT_OK,     /* a pull-request event, every field above valid */
	EVENT_IGNORE, /* well-formed, but nothing to do: reason says why */
	EVENT_BAD, /* not JSON, or not an Azure DevOps event: reason says why */
};

/* The repository URL of the portal's "Test" delivery (design.md 5.4). */
#define EVENT_TEST_REPO_URL                                              \
	"https://fabrikam.visualstudio.com/DefaultCollection/_apis/git/" \
	"repositories/4bc14d40-c903-45e2-872e-0462c7748079"

/*
 * Parse a service-hook body of len bytes (not NUL-terminated).
 *
 * EVENT_OK: a git.pullrequest.{created,updated,merged} event or a comment
 * event (PR under resource.pullRequest), with ev filled. Whether it needs
 * work (status, drafts, commit pairs, organizations) is the caller's call.
 * EVENT_IGNORE: a well-formed event of another type (ev->event_type set), or
 * the portal's Test delivery (ev->is_test set).
 * EVENT_BAD: not JSON, nesting deeper than EVENT_MAX_DEPTH, no eventType, or
 * a pull-request event with a missing or invalid required field.
 * reason (always NUL-terminated, at most rlen bytes) is a short lowercase
 * message without data from the body longer than a field name.
 */
enum event_result event_parse(const char *body, size_t len, struct pr_event *ev,
    char *reason, size_t rlen);

/* Whether s is a GUID (8-4-4-4-12 hex digits, any case). */
int event_is_guid(const char *s);

/* Whether s is a 40-hex commit or blob id (any case). */
int event_is_sha1(const char *s);

/*
 * Normalise an organization URL into out (at most outlen bytes): lower-case
 * scheme and host, drop user-info, a default port (443 for https, 80 for
 * http), a query or fragment and any trailing '/'. Only http and https.
 * Returns 0, or -1 when url is not such a URL or does not fit.
 */
int event_normalize_url(const char *url, char *out, size_t outlen);

#endif /* EVENT_H */
