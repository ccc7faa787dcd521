/*
 * test_event.c: service-hook bodies -> struct pr_event (ado-reference.md
 * 1.5-1.11, design.md 5.4/5.5/8).
 *
 * Fixtures live in tests/data/events/; they are found from the current
 * directory (the repository root, as tests/check.sh runs us) or else from
 * the binary's own path (BUILD/tests/test_event).
 */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "unit.h"
#include "event.h"
#include "strbuf.h"
#include "xmalloc.h"
#include "banned.h"

#define FIXTURES "tests/data/events/"

/* a string literal and its length */
#define LIT(s) s, (sizeof(s) - 1)

static char fixture_dir[PATH_MAX];

static void
find_fixtures(const char *argv0)
{
	const char *slash;
	int n;

	if (access(FIXTURES "created.json", R_OK) == 0) {
		n = snprintf(fixture_dir, sizeof(fixture_dir), "%s", FIXTURES);
	} else {
		/* BUILD/tests/test_event -> BUILD/tests/../../tests/data/... */
		slash = strrchr(argv0, '/');
		n = snprintf(fixture_dir, sizeof(fixture_dir), "%.*s/../../%s",
		    slash ? (int)(slash - argv0) : 1, slash ? argv0 : ".",
		    FIXTURES);
	}
	if (n < 0 || (size_t)n >= sizeof(fixture_dir)) {
		fprintf(stderr, "fixture path too long\n");
		exit(2);
	}
}

/* The fixture's bytes in an allocation of exactly *lenp bytes (no NUL). */
static char *
load(const char *name, size_t *lenp)
{
	char path[PATH_MAX + 64];
	struct strbuf sb;
	char chunk[4096];
	FILE *f;
	size_t n;
	char *buf;

	(void)snprintf(path, sizeof(path), "%s%s", fixture_dir, name);
	f = fopen(path, "rb");
	if (!f)
		fail_msg("cannot open fixture '%s'", path);
	strbuf_init(&sb, 1 << 22);
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
		assert_int_equal(strbuf_add(&sb, chunk, n), 0);
	fclose(f);
	/* exact size, so ASan sees any read past len */
	buf = xmalloc(sb.len ? sb.len : 1);
	memcpy(buf, sb.buf, sb.len);
	*lenp = sb.len;
	strbuf_release(&sb);
	return buf;
}

/* Parse len bytes copied into an exact-size allocation. */
static enum event_result
parse_exact(const char *data, size_t len, struct pr_event *ev, char *reason,
    size_t rlen)
{
	char *buf = xmalloc(len ? len : 1);
	enum event_result res;

	memcpy(buf, data, len);
	res = event_parse(buf, len, ev, reason, rlen);
	free(buf);
	return res;
}

static int
nul_within(const char *s, size_t size)
{
	return memchr(s, '\0', size) != NULL;
}

/*
 * Every field of an EVENT_OK result is valid; returns NULL or the name of
 * the first bad field.
 */
static const char *
invalid_field(const struct pr_event *ev)
{
	char again[EVENT_URL_MAX];
	size_t n;

	if (!nul_within(ev->event_type, sizeof(ev->event_type)) ||
	    !nul_within(ev->event_id, sizeof(ev->event_id)) ||
	    !nul_within(ev->subscription_id, sizeof(ev->subscription_id)) ||
	    !nul_within(ev->org_url, sizeof(ev->org_url)) ||
	    !nul_within(ev->project_id, sizeof(ev->project_id)) ||
	    !nul_within(ev->project_name, sizeof(ev->project_name)) ||
	    !nul_within(ev->repo_id, sizeof(ev->repo_id)) ||
	    !nul_within(ev->repo_name, sizeof(ev->repo_name)) ||
	    !nul_within(ev->status, sizeof(ev->status)) ||
	    !nul_within(ev->source_ref, sizeof(ev->source_ref)) ||
	    !nul_within(ev->target_ref, sizeof(ev->target_ref)) ||
	    !nul_within(ev->source_commit, sizeof(ev->source_commit)) ||
	    !nul_within(ev->target_commit, sizeof(ev->target_commit)) ||
	    !nul_within(ev->merge_commit, sizeof(ev->merge_commit)) ||
	    !nul_within(ev->title, sizeof(ev->title)))
		return "unterminated string";
	if (ev->type > EVENT_PR_COMMENTED)
		return "type";
	if (ev->event_id[0] && !event_is_guid(ev->event_id))
		return "event_id";
	if (ev->subscription_id[0] && !event_is_guid(ev->subscription_id))
		return "subscription_id";
	if (!event_is_guid(ev->project_id))
		return "project_id";
	if (!event_is_guid(ev->repo_id))
		return "repo_id";
	if (ev->pr_id < 1 || ev->pr_id > 2147483647UL)
		return "pr_id";
	if (!ev->status[0])
		return "status";
	if (!event_is_sha1(ev->source_commit))
		return "source_commit";
	if (!event_is_sha1(ev->target_commit))
		return "target_commit";
	if (ev->merge_commit[0] && !event_is_sha1(ev->merge_commit))
		return "merge_commit";
	if (ev->is_draft != 0 && ev->is_draft != 1)
		return "is_draft";
	if (ev->is_test)
		return "is_test";
	if (strncmp(ev->org_url, "https://", 8) != 0 &&
	    strncmp(ev->org_url, "http://", 7) != 0)
		return "org_url scheme";
	n = strlen(ev->org_url);
	if (ev->org_url[n - 1] == '/')
		return "org_url trailing slash";
	/* normalised means a fixed point */
	if (event_normalize_url(ev->org_url, again, sizeof(again)) != 0 ||
	    strcmp(again, ev->org_url) != 0)
		return "org_url not normalised";
	for (const char *p = ev->project_id; *p; p++)
		if (*p >= 'A' && *p <= 'F')
			return "project_id case";
	for (const char *p = ev->source_commit; *p; p++)
		if (*p >= 'A' && *p <= 'F')
			return "source_commit case";
	return NULL;
}

/* ----------------------------------------------------------------------
 * Table: a fixture (optionally with one substring replaced) and what
 * event_parse must make of it. NULL/-1 fields are not checked.
 */
#define ANY (-1)

struct event_case {
	const char *file;
	const char *from, *to; /* replace the first "from" by "to" */
	enum event_result res;
	const char *reason; /* substring */
	int type;           /* enum event_type or ANY */
	const char *org_url;
	long pr_id;
	const char *status;
	const char *merge_commit;
	int is_draft;
	int is_test;
};

#define ORG      "https://dev.azure.com/fabrikam"
#define MERGE    "eef717f69257a6333f221566c1c987dc94cc0d72"
#define REPO_ID  "4bc14d40-c903-45e2-872e-0462c7748079"
#define PROJ_ID  "6ce954b1-ce1f-45d1-b94d-e6bf2464ba2c"
#define SRC      "53d54ac915144006c2c9e90d2c7d3880920db49c"
#define TGT      "a511f535b1ea495ee0c903badb68fbc83772c882"
#define COMMENTT "ms.vss-code.git-pullrequest-comment-event"

static const struct event_case cases[] = {
    /* the two verbatim samples (ado-reference.md 1.9, 1.10) */
    {"created.json", NULL, NULL, EVENT_OK, "", EVENT_PR_CREATED, ORG, 1,
	"active", MERGE, 0, 0},
    {"updated-push.json", NULL, NULL, EVENT_OK, "", EVENT_PR_UPDATED, ORG, 1,
	"active", "3e7d1f0c2b4a59687a8b9c0d1e2f3a4b5c6d7e8f", 0, 0},
    /* accepted variants */
    {"minimal.json", NULL, NULL, EVENT_OK, "", EVENT_PR_CREATED, ORG, 1,
	"active", MERGE, 0, 0},
    {"null-messages.json", NULL, NULL, EVENT_OK, "", EVENT_PR_CREATED, ORG, 1,
	"active", MERGE, 0, 0},
    {"no-description.json", NULL, NULL, EVENT_OK, "", EVENT_PR_CREATED, ORG, 1,
	"active", MERGE, 0, 0},
    {"no-baseurl.json", NULL, NULL, EVENT_OK, "", EVENT_PR_CREATED, ORG, 1,
	"active", MERGE, 0, 0},
    {"repo-url-only.json", NULL, NULL, EVENT_OK, "", EVENT_PR_CREATED, ORG, 1,
	"active", MERGE, 0, 0},
    {"legacy-baseurl.json", NULL, NULL, EVENT_OK, "", EVENT_PR_CREATED,
	"https://fabrikam.visualstudio.com", 1, "active", MERGE, 0, 0},
    {"legacy-collection-url.json", NULL, NULL, EVENT_OK, "", EVENT_PR_CREATED,
	"https://contoso.visualstudio.com/DefaultCollection", 7, "active",
	MERGE, 0, 0},
    {"baseurl-userinfo.json", NULL, NULL, EVENT_OK, "", EVENT_PR_CREATED, ORG,
	1, "active", MERGE, 0, 0},
    {"loopback-http.json", NULL, NULL, EVENT_OK, "", EVENT_PR_CREATED,
	"http://127.0.0.1:8080/org", 1, "active", MERGE, 0, 0},
    {"merge-queued.json", NULL, NULL, EVENT_OK, "", EVENT_PR_UPDATED, ORG, 1,
	"active", "", 0, 0},
    {"merged-conflicts.json", NULL, NULL, EVENT_OK, "", EVENT_PR_MERGED, ORG, 1,
	"active", "", 0, 0},
    {"merge-commit-null.json", NULL, NULL, EVENT_OK, "", EVENT_PR_CREATED, ORG,
	1, "active", "", 0, 0},
    {"draft.json", NULL, NULL, EVENT_OK, "", EVENT_PR_CREATED, ORG, 1, "active",
	MERGE, 1, 0},
    {"no-isdraft.json", NULL, NULL, EVENT_OK, "", EVENT_PR_CREATED, ORG, 1,
	"active", MERGE, 0, 0},
    {"minimal.json", "\"isDraft\": false", "\"isDraft\": null", EVENT_OK, "",
	EVENT_PR_CREATED, ORG, 1, "active", MERGE, 0, 0},
    {"abandoned.json", NULL, NULL, EVENT_OK, "", EVENT_PR_CREATED, ORG, 1,
	"abandoned", MERGE, 0, 0},
    {"uppercase-ids.json", NULL, NULL, EVENT_OK, "", EVENT_PR_CREATED, ORG, 1,
	"active", MERGE, 0, 0},
    {"unicode-title.json", NULL, NULL, EVENT_OK, "", EVENT_PR_CREATED, ORG, 1,
	"active", MERGE, 0, 0},
    {"optional-ids-invalid.json", NULL, NULL, EVENT_OK, "", EVENT_PR_CREATED,
	ORG, 1, "active", MERGE, 0, 0},
    {"comment-v2.json", NULL, NULL, EVENT_OK, "", EVENT_PR_COMMENTED, ORG, 1,
	"active", MERGE, 0, 0},
    {"minimal.json", "\"pullRequestId\": 1,", "\"pullRequestId\": 2147483647,",
	EVENT_OK, "", ANY, NULL, 2147483647, NULL, NULL, ANY, 0},
    {"minimal.json", "\"pullRequestId\": 1,", "\"pullRequestId\": 4.2e1,",
	EVENT_OK, "", ANY, NULL, 42, NULL, NULL, ANY, 0},
    {"minimal.json", "\"eventType\": \"git.pullrequest.created\"",
	"\"eventType\": \"git.pullrequest.merged\"", EVENT_OK, "",
	EVENT_PR_MERGED, NULL, 1, NULL, NULL, ANY, 0},
    /* the project id in the REST URL matches in any case */
    {"no-baseurl.json", "https://dev.azure.com/fabrikam/6ce954b1",
	"https://dev.azure.com/fabrikam/6CE954B1", EVENT_OK, "", ANY, ORG, 1,
	NULL, NULL, ANY, 0},
    /* the collection baseUrl is preferred over the others */
    {"minimal.json", "\"baseUrl\": \"https://dev.azure.com/fabrikam/\"",
	"\"baseUrl\": \"https://dev.azure.com/Other/\"", EVENT_OK, "", ANY,
	"https://dev.azure.com/Other", 1, NULL, NULL, ANY, 0},
    /* a non-string baseUrl is skipped */
    {"minimal.json", "\"baseUrl\": \"https://dev.azure.com/fabrikam/\"",
	"\"baseUrl\": 7", EVENT_OK, "", ANY, ORG, 1, NULL, NULL, ANY, 0},

    /* ignored */
    {"comment-v1.json", NULL, NULL, EVENT_IGNORE,
	"comment event without the pull request (resourceVersion 1.0)",
	EVENT_PR_COMMENTED, NULL, ANY, NULL, NULL, ANY, 0},
    {"git-push.json", NULL, NULL, EVENT_IGNORE,
	"event type 'git.push' is not handled", EVENT_OTHER, NULL, ANY, NULL,
	NULL, ANY, 0},
    {"portal-test.json", NULL, NULL, EVENT_IGNORE,
	"test event from the Azure DevOps portal", EVENT_PR_CREATED, NULL, ANY,
	NULL, NULL, ANY, 1},
    {"portal-test-bare.json", NULL, NULL, EVENT_IGNORE,
	"test event from the Azure DevOps portal", EVENT_PR_UPDATED, NULL, ANY,
	NULL, NULL, ANY, 1},
    {"nul-escape-eventtype.json", NULL, NULL, EVENT_IGNORE,
	"event type 'git.pullrequest.created?\?\?' is not handled", EVENT_OTHER,
	NULL, ANY, NULL, NULL, ANY, 0},
    {"minimal.json", "\"eventType\": \"git.pullrequest.created\"",
	"\"eventType\": \"Git.PullRequest.Created\"", EVENT_IGNORE,
	"is not handled", EVENT_OTHER, NULL, ANY, NULL, NULL, ANY, 0},
    {"minimal.json", "\"eventType\": \"git.pullrequest.created\"",
	"\"eventType\": \"<b>x</b>\\n\"", EVENT_IGNORE,
	"event type '?b?x?\?b?\?' is not handled", EVENT_OTHER, NULL, ANY, NULL,
	NULL, ANY, 0},

    /* rejected */
    {"bad-not-json.json", NULL, NULL, EVENT_BAD, "not JSON", ANY, NULL, ANY,
	NULL, NULL, ANY, 0},
    {"bad-array.json", NULL, NULL, EVENT_BAD, "not a JSON object", ANY, NULL,
	ANY, NULL, NULL, ANY, 0},
    {"bad-no-eventtype.json", NULL, NULL, EVENT_BAD, "no eventType", ANY, NULL,
	ANY, NULL, NULL, ANY, 0},
    {"bad-eventtype-number.json", NULL, NULL, EVENT_BAD, "no eventType", ANY,
	NULL, ANY, NULL, NULL, ANY, 0},
    {"minimal.json", "\"eventType\": \"git.pullrequest.created\"",
	"\"eventType\": \"\"", EVENT_BAD, "eventType is empty", ANY, NULL, ANY,
	NULL, NULL, ANY, 0},
    {"bad-no-resource.json", NULL, NULL, EVENT_BAD,
	"resource is missing or not an object", ANY, NULL, ANY, NULL, NULL, ANY,
	0},
    {"bad-prid-string.json", NULL, NULL, EVENT_BAD,
	"resource.pullRequestId is missing or invalid", ANY, NULL, ANY, NULL,
	NULL, ANY, 0},
    {"bad-prid-zero.json", NULL, NULL, EVENT_BAD,
	"resource.pullRequestId is missing or invalid", ANY, NULL, ANY, NULL,
	NULL, ANY, 0},
    {"bad-prid-fraction.json", NULL, NULL, EVENT_BAD,
	"resource.pullRequestId is missing or invalid", ANY, NULL, ANY, NULL,
	NULL, ANY, 0},
    {"bad-prid-2p31.json", NULL, NULL, EVENT_BAD,
	"resource.pullRequestId is missing or invalid", ANY, NULL, ANY, NULL,
	NULL, ANY, 0},
    {"bad-prid-negative.json", NULL, NULL, EVENT_BAD,
	"resource.pullRequestId is missing or invalid", ANY, NULL, ANY, NULL,
	NULL, ANY, 0},
    {"minimal.json", "\"pullRequestId\": 1,", "\"pullRequestId\": 1e999,",
	EVENT_BAD, "resource.pullRequestId is missing or invalid", ANY, NULL,
	ANY, NULL, NULL, ANY, 0},
    {"minimal.json", "\"pullRequestId\": 1,", "\"pullRequestId\": true,",
	EVENT_BAD, "resource.pullRequestId is missing or invalid", ANY, NULL,
	ANY, NULL, NULL, ANY, 0},
    {"bad-repo-id.json", NULL, NULL, EVENT_BAD,
	"resource.repository.id is missing or invalid", ANY, NULL, ANY, NULL,
	NULL, ANY, 0},
    {"minimal.json", "\"id\": \"4bc14d40-", "\"id\": \"{4bc14d40-", EVENT_BAD,
	"resource.repository.id is missing or invalid", ANY, NULL, ANY, NULL,
	NULL, ANY, 0},
    {"bad-nul-escape-repo-id.json", NULL, NULL, EVENT_BAD,
	"resource.repository.id is missing or invalid", ANY, NULL, ANY, NULL,
	NULL, ANY, 0},
    {"bad-project-id.json", NULL, NULL, EVENT_BAD,
	"resource.repository.project.id is missing or invalid", ANY, NULL, ANY,
	NULL, NULL, ANY, 0},
    {"minimal.json", "\"repository\": {", "\"repository\": 5, \"x\": {",
	EVENT_BAD, "resource.repository is missing or invalid", ANY, NULL, ANY,
	NULL, NULL, ANY, 0},
    {"bad-status.json", NULL, NULL, EVENT_BAD,
	"resource.status is missing or invalid", ANY, NULL, ANY, NULL, NULL,
	ANY, 0},
    {"minimal.json", "\"status\": \"active\"", "\"status\": \"active; x\"",
	EVENT_BAD, "resource.status is missing or invalid", ANY, NULL, ANY,
	NULL, NULL, ANY, 0},
    {"bad-commit-39.json", NULL, NULL, EVENT_BAD,
	"resource.lastMergeSourceCommit.commitId is missing or invalid", ANY,
	NULL, ANY, NULL, NULL, ANY, 0},
    {"bad-commit-nonhex.json", NULL, NULL, EVENT_BAD,
	"resource.lastMergeSourceCommit.commitId is missing or invalid", ANY,
	NULL, ANY, NULL, NULL, ANY, 0},
    {"minimal.json", SRC "\"", SRC "0\"", EVENT_BAD,
	"resource.lastMergeSourceCommit.commitId is missing or invalid", ANY,
	NULL, ANY, NULL, NULL, ANY, 0},
    {"bad-no-target-commit.json", NULL, NULL, EVENT_BAD,
	"resource.lastMergeTargetCommit.commitId is missing or invalid", ANY,
	NULL, ANY, NULL, NULL, ANY, 0},
    {"bad-merge-commit.json", NULL, NULL, EVENT_BAD,
	"resource.lastMergeCommit.commitId is invalid", ANY, NULL, ANY, NULL,
	NULL, ANY, 0},
    {"bad-baseurl-javascript.json", NULL, NULL, EVENT_BAD,
	"organization URL in resourceContainers.collection.baseUrl is invalid",
	ANY, NULL, ANY, NULL, NULL, ANY, 0},
    {"minimal.json", "\"baseUrl\": \"https://dev.azure.com/fabrikam/\"",
	"\"baseUrl\": \"ftp://dev.azure.com/fabrikam/\"", EVENT_BAD,
	"organization URL", ANY, NULL, ANY, NULL, NULL, ANY, 0},
    {"no-baseurl.json",
	"https://dev.azure.com/fabrikam/" PROJ_ID
	"/_apis/git/repositories/" REPO_ID "/pullRequests",
	"https://dev.azure.com\\\\evil.com/" PROJ_ID
	"/_apis/git/repositories/" REPO_ID "/pullRequests",
	EVENT_BAD, "organization URL from resource.url is invalid", ANY, NULL,
	ANY, NULL, NULL, ANY, 0},
    {"bad-no-org-url.json", NULL, NULL, EVENT_BAD,
	"organization URL is missing", ANY, NULL, ANY, NULL, NULL, ANY, 0},
    {"bad-isdraft-string.json", NULL, NULL, EVENT_BAD,
	"resource.isDraft is not a boolean", ANY, NULL, ANY, NULL, NULL, ANY,
	0},
    {"bad-nesting-100.json", NULL, NULL, EVENT_BAD,
	"JSON nested deeper than 64 levels", ANY, NULL, ANY, NULL, NULL, ANY,
	0},
    {"bad-trailing-data.json", NULL, NULL, EVENT_BAD, "not JSON", ANY, NULL,
	ANY, NULL, NULL, ANY, 0},
    {"comment-bad-pr.json", NULL, NULL, EVENT_BAD,
	"resource.pullRequest is not an object", ANY, NULL, ANY, NULL, NULL,
	ANY, 0},
    {"comment-bad-commit.json", NULL, NULL, EVENT_BAD,
	"resource.pullRequest.lastMergeTargetCommit.commitId is missing or "
	"invalid",
	ANY, NULL, ANY, NULL, NULL, ANY, 0},
};

/* data with the first "from" replaced by "to" (exact-size allocation) */
static char *
patch(const char *data, size_t len, const char *from, const char *to,
    size_t *outlen)
{
	struct strbuf sb;
	const char *hit;
	char *buf;
	size_t flen = strlen(from);

	hit = memmem(data, len, from, flen);
	if (!hit)
		fail_msg("patch: '%s' not in the fixture", from);
	strbuf_init(&sb, 1 << 22);
	strbuf_add(&sb, data, (size_t)(hit - data));
	strbuf_addstr(&sb, to);
	strbuf_add(&sb, hit + flen, len - (size_t)(hit - data) - flen);
	buf = xmalloc(sb.len);
	memcpy(buf, sb.buf, sb.len);
	*outlen = sb.len;
	strbuf_release(&sb);
	return buf;
}

static const char *const result_names[] = {
    "EVENT_OK", "EVENT_IGNORE", "EVENT_BAD"};

static void
run_case(const struct event_case *c)
{
	struct pr_event ev;
	char reason[256];
	char *body, *patched;
	size_t len;
	enum event_result res;
	const char *bad;

	body = load(c->file, &len);
	if (c->from) {
		patched = patch(body, len, c->from, c->to, &len);
		free(body);
		body = patched;
	}
	res = event_parse(body, len, &ev, reason, sizeof(reason));
	free(body);

	if (res != c->res)
		fail_msg("%s (%s): %s, expected %s: '%s'", c->file,
		    c->to ? c->to : "as is", result_names[res],
		    result_names[c->res], reason);
	if (!strstr(reason, c->reason))
		fail_msg("%s (%s): reason '%s' lacks '%s'", c->file,
		    c->to ? c->to : "as is", reason, c->reason);
	if (res != EVENT_OK && reason[0] == '\0')
		fail_msg("%s: empty reason", c->file);
	if (c->type != ANY && (int)ev.type != c->type)
		fail_msg(
		    "%s: type %d, expected %d", c->file, (int)ev.type, c->type);
	if (c->is_test != ev.is_test)
		fail_msg("%s: is_test %d", c->file, ev.is_test);
	if (res != EVENT_OK)
		return;
	bad = invalid_field(&ev);
	if (bad)
		fail_msg("%s: invalid field %s", c->file, bad);
	if (c->org_url && strcmp(ev.org_url, c->org_url) != 0)
		fail_msg("%s: org_url '%s', expected '%s'", c->file, ev.org_url,
		    c->org_url);
	if (c->pr_id != ANY && ev.pr_id != (unsigned long)c->pr_id)
		fail_msg(
		    "%s: pr_id %lu, expected %ld", c->file, ev.pr_id, c->pr_id);
	if (c->status && strcmp(ev.status, c->status) != 0)
		fail_msg("%s: status '%s'", c->file, ev.status);
	if (c->merge_commit && strcmp(ev.merge_commit, c->merge_commit) != 0)
		fail_msg("%s: merge_commit '%s'", c->file, ev.merge_commit);
	if (c->is_draft != ANY && ev.is_draft != c->is_draft)
		fail_msg("%s: is_draft %d", c->file, ev.is_draft);
	/* the ids are the same in every accepted fixture */
	if (c->pr_id == 1 &&
	    (strcmp(ev.repo_id, REPO_ID) != 0 ||
		strcmp(ev.project_id, PROJ_ID) != 0))
		fail_msg(
		    "%s: ids '%s' '%s'", c->file, ev.repo_id, ev.project_id);
}

static void
test_fixtures(void **state)
{
	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++)
		run_case(&cases[i]);
}

/* Every field of the verbatim "created" sample. */
static void
test_created_fields(void **state)
{
	struct pr_event ev;
	char reason[128];
	size_t len;
	char *body = load("created.json", &len);

	(void)state;
	assert_int_equal(
	    event_parse(body, len, &ev, reason, sizeof(reason)), EVENT_OK);
	free(body);
	assert_string_equal(reason, "");
	assert_int_equal(ev.type, EVENT_PR_CREATED);
	assert_string_equal(ev.event_type, "git.pullrequest.created");
	assert_string_equal(
	    ev.event_id, "2ab4e3d3-b7a6-425e-92b1-5a9982c1269e");
	assert_string_equal(
	    ev.subscription_id, "8d2a5c1e-3f44-4b7a-9a63-2f1d0c9e7b15");
	assert_string_equal(ev.org_url, ORG);
	assert_string_equal(ev.project_id, PROJ_ID);
	assert_string_equal(ev.project_name, "Fabrikam");
	assert_string_equal(ev.repo_id, REPO_ID);
	assert_string_equal(ev.repo_name, "Fabrikam");
	assert_int_equal(ev.pr_id, 1);
	assert_string_equal(ev.status, "active");
	assert_int_equal(ev.is_draft, 0);
	assert_string_equal(ev.source_ref, "refs/heads/mytopic");
	assert_string_equal(ev.target_ref, "refs/heads/main");
	assert_string_equal(ev.source_commit, SRC);
	assert_string_equal(ev.target_commit, TGT);
	assert_string_equal(ev.merge_commit, MERGE);
	assert_string_equal(ev.title, "Update Q3 sales data");
	assert_int_equal(ev.is_test, 0);
}

static void
test_updated_and_comment_fields(void **state)
{
	struct pr_event ev;
	char reason[128];
	size_t len;
	char *body;

	(void)state;
	body = load("updated-push.json", &len);
	assert_int_equal(
	    event_parse(body, len, &ev, reason, sizeof(reason)), EVENT_OK);
	free(body);
	assert_string_equal(
	    ev.event_id, "af07be1b-f3ad-44c8-a7f1-c4835f2df06b");
	assert_string_equal(
	    ev.subscription_id, "0b7e54f2-91c3-4d0e-8f6a-5d2c7a1e9b30");
	assert_string_equal(
	    ev.source_commit, "9f1c2b3a4d5e6f708192a3b4c5d6e7f809a1b2c3");
	assert_string_equal(ev.target_commit, TGT);

	body = load("comment-v2.json", &len);
	assert_int_equal(
	    event_parse(body, len, &ev, reason, sizeof(reason)), EVENT_OK);
	free(body);
	assert_int_equal(ev.type, EVENT_PR_COMMENTED);
	assert_string_equal(ev.event_type, COMMENTT);
	assert_string_equal(ev.repo_id, REPO_ID);
	assert_string_equal(ev.source_commit, SRC);
	assert_string_equal(ev.title, "Update Q3 sales data");

	body = load("uppercase-ids.json", &len);
	assert_int_equal(
	    event_parse(body, len, &ev, reason, sizeof(reason)), EVENT_OK);
	free(body);
	assert_string_equal(
	    ev.event_id, "2ab4e3d3-b7a6-425e-92b1-5a9982c1269e");
	assert_string_equal(ev.repo_id, REPO_ID);
	assert_string_equal(ev.project_id, PROJ_ID);
	assert_string_equal(ev.source_commit, SRC);
	assert_string_equal(ev.target_commit, TGT);
	assert_string_equal(ev.merge_commit, MERGE);

	body = load("optional-ids-invalid.json", &len);
	assert_int_equal(
	    event_parse(body, len, &ev, reason, sizeof(reason)), EVENT_OK);
	free(body);
	assert_string_equal(ev.event_id, "");
	assert_string_equal(ev.subscription_id, "");

	body = load("unicode-title.json", &len);
	assert_int_equal(
	    event_parse(body, len, &ev, reason, sizeof(reason)), EVENT_OK);
	free(body);
	assert_string_equal(ev.title,
	    "\xc3\x9cn\xc3\xaf"
	    "c\xc3\xb6"
	    "d\xc3\xa9 t\xc3\xadtle \xe2\x9c\x93");
	assert_string_equal(ev.repo_name,
	    "F\xc3\xa4"
	    "brikam");

	body = load("portal-test.json", &len);
	assert_int_equal(
	    event_parse(body, len, &ev, reason, sizeof(reason)), EVENT_IGNORE);
	free(body);
	assert_int_equal(ev.is_test, 1);
	assert_string_equal(ev.event_type, "git.pullrequest.created");

	body = load("git-push.json", &len);
	assert_int_equal(
	    event_parse(body, len, &ev, reason, sizeof(reason)), EVENT_IGNORE);
	free(body);
	assert_string_equal(ev.event_type, "git.push");
	assert_int_equal(ev.is_test, 0);
}

struct str_case {
	const char *in;
	int want;
};

static void
test_is_guid(void **state)
{
	static const struct str_case guids[] = {
	    {"4bc14d40-c903-45e2-872e-0462c7748079", 1},
	    {"4BC14D40-C903-45E2-872E-0462C7748079", 1},
	    {"00000000-0000-0000-0000-000000000000", 1},
	    {"4bc14d40-c903-45e2-872e-0462c774807", 0},
	    {"4bc14d40-c903-45e2-872e-0462c77480790", 0},
	    {"4bc14d40c903-45e2-872e-0462c7748079-", 0},
	    {"4bc14d40-c903-45e2-872e-0462c774807g", 0},
	    {"{4bc14d40-c903-45e2-872e-0462c7748079}", 0},
	    {"4bc14d40-c903-45e2-872e-0462c7748079 ", 0},
	    {" 4bc14d40-c903-45e2-872e-0462c7748079", 0},
	    {"4bc14d40_c903-45e2-872e-0462c7748079", 0},
	    {"4bc14d40-c903-45e2-872e-0462c7748079\n", 0},
	    {"", 0},
	    {"-", 0},
	};

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(guids); i++)
		if (event_is_guid(guids[i].in) != guids[i].want)
			fail_msg("event_is_guid('%s') != %d", guids[i].in,
			    guids[i].want);
	assert_int_equal(event_is_guid(NULL), 0);
}

static void
test_is_sha1(void **state)
{
	static const struct str_case shas[] = {
	    {"53d54ac915144006c2c9e90d2c7d3880920db49c", 1},
	    {"53D54AC915144006C2C9E90D2C7D3880920DB49C", 1},
	    {"0000000000000000000000000000000000000000", 1},
	    {"53d54ac915144006c2c9e90d2c7d3880920db49", 0},
	    {"53d54ac915144006c2c9e90d2c7d3880920db49c0", 0},
	    {"53d54ac915144006c2c9e90d2c7d3880920db49g", 0},
	    {"53d54ac915144006c2c9e90d2c7d3880920db49 ", 0},
	    {"53d54ac9-5144006c2c9e90d2c7d3880920db49c", 0},
	    {"53d54ac915144006c2c9e90d2c7d3880920db49c0000000000000000000000",
		0},
	    {"", 0},
	};

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(shas); i++)
		if (event_is_sha1(shas[i].in) != shas[i].want)
			fail_msg("event_is_sha1('%s') != %d", shas[i].in,
			    shas[i].want);
	assert_int_equal(event_is_sha1(NULL), 0);
}

struct url_case {
	const char *in;
	const char *want; /* NULL: -1 expected */
};

static void
test_normalize_url(void **state)
{
	static const struct url_case urls[] = {
	    {"https://dev.azure.com/fabrikam/", ORG},
	    {"https://dev.azure.com/fabrikam", ORG},
	    {"https://dev.azure.com/fabrikam///", ORG},
	    {"https://Fabrikam@DEV.Azure.com:443/fabrikam/", ORG},
	    {"https://user:pa%40ss@dev.azure.com/fabrikam", ORG},
	    {"HTTPS://DEV.AZURE.COM/Fabrikam/",
		"https://dev.azure.com/Fabrikam"},
	    {"https://fabrikam.visualstudio.com/",
		"https://fabrikam.visualstudio.com"},
	    {"https://fabrikam.visualstudio.com",
		"https://fabrikam.visualstudio.com"},
	    {"https://fabrikam.visualstudio.com/DefaultCollection",
		"https://fabrikam.visualstudio.com/DefaultCollection"},
	    {"http://127.0.0.1:8080/org", "http://127.0.0.1:8080/org"},
	    {"http://127.0.0.1:80/org/", "http://127.0.0.1/org"},
	    {"https://127.0.0.1:80/org/", "https://127.0.0.1:80/org"},
	    {"http://localhost:08080", "http://localhost:8080"},
	    {"https://ado.example.com/tfs/Default%20Collection/",
		"https://ado.example.com/tfs/Default%20Collection"},
	    {"https://dev.azure.com/fabrikam/?x=1#y", ORG},
	    {"https://dev.azure.com/fabrikam#frag", ORG},
	    {"https://dev.azure.com?x", "https://dev.azure.com"},
	    {"http://[::1]:8080/org", "http://[::1]:8080/org"},
	    {"http://[::1]/org", "http://[::1]/org"},
	    {"http://[2001:DB8::1]:443/", "http://[2001:db8::1]:443"},
	    {"https://a-b.c0/x", "https://a-b.c0/x"},
	    /* rejected */
	    {"ftp://dev.azure.com/fabrikam", NULL},
	    {"javascript:alert(1)", NULL},
	    {"https:/dev.azure.com/fabrikam", NULL},
	    {"//dev.azure.com/fabrikam", NULL},
	    {"dev.azure.com/fabrikam", NULL},
	    {"https://", NULL},
	    {"https:///fabrikam", NULL},
	    {"https://user@/fabrikam", NULL},
	    {"https://dev.azure.com /fabrikam", NULL},
	    {"https://dev.azure.com/fab rikam", NULL},
	    {"https://dev.azure.com/fabrikam\n", NULL},
	    {"https://dev.azure.com/fab\trikam", NULL},
	    {"https://dev.azure.com\\@evil.com/", NULL},
	    {"https://dev.azure.com/fab\\rikam", NULL},
	    {"https://dev_azure.com/fabrikam", NULL},
	    {"https://dev.azure.com:/fabrikam", NULL},
	    {"https://dev.azure.com:0/fabrikam", NULL},
	    {"https://dev.azure.com:65536/fabrikam", NULL},
	    {"https://dev.azure.com:99999999999999999999/x", NULL},
	    {"https://dev.azure.com:44a/fabrikam", NULL},
	    {"https://dev..azure.com/fabrikam", NULL},
	    {"https://.dev.azure.com/fabrikam", NULL},
	    {"https://dev.azure.com./fabrikam", NULL},
	    {"https://-dev.azure.com/fabrikam", NULL},
	    {"https://dev-.azure.com/fabrikam", NULL},
	    {"https://d\xc3\xa9v.azure.com/fabrikam", NULL},
	    {"https://dev.azure.com/fabr\xc3\xafkam", NULL},
	    {"https://dev.azure.com/fabrikam/../other", NULL},
	    {"https://dev.azure.com/./fabrikam", NULL},
	    {"https://dev.azure.com/%2e%2E/fabrikam", NULL},
	    {"https://dev.azure.com//fabrikam", NULL},
	    {"https://dev.azure.com/fab%2", NULL},
	    {"https://dev.azure.com/fab%zzrikam", NULL},
	    {"https://dev.azure.com/fab<rikam>", NULL},
	    {"https://dev.azure.com/fab\"rikam", NULL},
	    {"http://[::1", NULL},
	    {"http://[::1]x/org", NULL},
	    {"http://[::g]/org", NULL},
	    {"http://[fe80::1%25eth0]/org", NULL},
	    {"http://[]/org", NULL},
	    {"http://::1/org", NULL},
	    {"", NULL},
	};
	char out[EVENT_URL_MAX];

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(urls); i++) {
		int ret = event_normalize_url(urls[i].in, out, sizeof(out));

		if (urls[i].want) {
			if (ret != 0)
				fail_msg("normalize('%s') failed", urls[i].in);
			if (strcmp(out, urls[i].want) != 0)
				fail_msg("normalize('%s') = '%s', expected "
					 "'%s'",
				    urls[i].in, out, urls[i].want);
		} else {
			if (ret != -1)
				fail_msg("normalize('%s') = '%s', expected "
					 "-1",
				    urls[i].in, out);
			if (out[0] != '\0')
				fail_msg("normalize('%s') left '%s'",
				    urls[i].in, out);
		}
	}
	assert_int_equal(event_normalize_url(NULL, out, sizeof(out)), -1);
	assert_int_equal(event_normalize_url(ORG, NULL, 10), -1);
	assert_int_equal(event_normalize_url(ORG, out, 0), -1);
}

/* The output must fit outlen bytes, NUL included. */
static void
test_normalize_url_fit(void **state)
{
	char out[sizeof(ORG) + 8];
	struct strbuf sb;

	(void)state;
	memset(out, 'x', sizeof(out));
	assert_int_equal(event_normalize_url(ORG "/", out, sizeof(ORG)), 0);
	assert_string_equal(out, ORG);
	assert_int_equal(out[sizeof(ORG)], 'x');
	assert_int_equal(
	    event_normalize_url(ORG "/", out, sizeof(ORG) - 1), -1);
	assert_string_equal(out, "");

	/* a path longer than EVENT_URL_MAX never fits an org_url */
	strbuf_init(&sb, 4096);
	strbuf_addstr(&sb, "https://dev.azure.com/");
	for (size_t i = 0; i < EVENT_URL_MAX; i++)
		strbuf_addch(&sb, 'a');
	{
		char big[EVENT_URL_MAX];

		assert_int_equal(
		    event_normalize_url(sb.buf, big, sizeof(big)), -1);
	}
	strbuf_release(&sb);
}

/* {"x":{"k":{"k":...1}}}: objects nested depth levels in total */
static void
nested_objects(struct strbuf *sb, size_t depth)
{
	strbuf_reset(sb);
	strbuf_addstr(sb, "{\"x\":");
	for (size_t i = 1; i < depth; i++)
		strbuf_addstr(sb, "{\"k\":");
	strbuf_addch(sb, '1');
	for (size_t i = 0; i < depth; i++)
		strbuf_addch(sb, '}');
}

static void
test_depth_limit(void **state)
{
	struct strbuf sb, arr;
	struct pr_event ev;
	char reason[128];
	size_t len;
	char *body = load("minimal.json", &len);

	(void)state;
	strbuf_init(&sb, 1 << 20);
	strbuf_init(&arr, 4096);
	/* arrays nested inside the event object: root counts as level 1 */
	for (size_t depth = EVENT_MAX_DEPTH - 1; depth <= EVENT_MAX_DEPTH + 1;
	     depth++) {
		strbuf_reset(&arr);
		for (size_t i = 1; i < depth; i++)
			strbuf_addch(&arr, '[');
		for (size_t i = 1; i < depth; i++)
			strbuf_addch(&arr, ']');
		strbuf_reset(&sb);
		strbuf_addstr(&sb, "{\"deep\": ");
		strbuf_addstr(&sb, arr.buf);
		strbuf_addch(&sb, ',');
		strbuf_add(&sb, body + 1, len - 1);
		if (depth <= EVENT_MAX_DEPTH) {
			assert_int_equal(parse_exact(sb.buf, sb.len, &ev,
					     reason, sizeof(reason)),
			    EVENT_OK);
		} else {
			assert_int_equal(parse_exact(sb.buf, sb.len, &ev,
					     reason, sizeof(reason)),
			    EVENT_BAD);
			assert_non_null(strstr(reason, "deeper than 64"));
		}
	}
	/* brackets inside strings do not count, escaped quotes do not end
	 * the string */
	strbuf_reset(&sb);
	strbuf_addstr(&sb, "{\"deep\": \"\\\"");
	for (size_t i = 0; i < 200; i++)
		strbuf_addstr(&sb, "[{");
	strbuf_addstr(&sb, "\\\\\",");
	strbuf_add(&sb, body + 1, len - 1);
	assert_int_equal(
	    parse_exact(sb.buf, sb.len, &ev, reason, sizeof(reason)), EVENT_OK);
	/* objects count as well as arrays */
	nested_objects(&sb, EVENT_MAX_DEPTH);
	assert_int_equal(
	    parse_exact(sb.buf, sb.len, &ev, reason, sizeof(reason)),
	    EVENT_BAD);
	assert_string_equal(reason, "no eventType");
	nested_objects(&sb, EVENT_MAX_DEPTH + 1);
	assert_int_equal(
	    parse_exact(sb.buf, sb.len, &ev, reason, sizeof(reason)),
	    EVENT_BAD);
	assert_non_null(strstr(reason, "deeper than 64"));
	free(body);
	strbuf_release(&sb);
	strbuf_release(&arr);
}

/* Small bodies, NUL bytes and the reason buffer itself. */
static void
test_edges(void **state)
{
	struct pr_event ev;
	char reason[128], tiny[8];
	size_t len;
	char *body = load("minimal.json", &len);
	char *copy;
	const char *hit;

	(void)state;
	assert_int_equal(
	    event_parse(NULL, 0, &ev, reason, sizeof(reason)), EVENT_BAD);
	assert_non_null(strstr(reason, "not JSON"));
	assert_int_equal(
	    event_parse("", 0, &ev, reason, sizeof(reason)), EVENT_BAD);
	assert_int_equal(
	    parse_exact(LIT("{"), &ev, reason, sizeof(reason)), EVENT_BAD);
	assert_int_equal(
	    parse_exact(LIT("{}"), &ev, reason, sizeof(reason)), EVENT_BAD);
	assert_string_equal(reason, "no eventType");
	assert_int_equal(
	    parse_exact(LIT("null"), &ev, reason, sizeof(reason)), EVENT_BAD);
	assert_int_equal(
	    parse_exact(LIT("\"git.push\""), &ev, reason, sizeof(reason)),
	    EVENT_BAD);
	assert_int_equal(parse_exact(LIT("{\"eventType\":\"git.push\"}"), &ev,
			     reason, sizeof(reason)),
	    EVENT_IGNORE);
	/* the length is honoured: the same bytes cut short are not JSON */
	assert_int_equal(parse_exact("{\"eventType\":\"git.push\"}", 23, &ev,
			     reason, sizeof(reason)),
	    EVENT_BAD);

	/* a UTF-8 BOM and trailing white space are fine */
	{
		struct strbuf sb;

		strbuf_init(&sb, 1 << 20);
		strbuf_addstr(&sb, "\xef\xbb\xbf");
		strbuf_add(&sb, body, len);
		strbuf_addstr(&sb, " \r\n\t\n");
		assert_int_equal(
		    parse_exact(sb.buf, sb.len, &ev, reason, sizeof(reason)),
		    EVENT_OK);
		strbuf_release(&sb);
	}

	/* a raw NUL byte inside the repository id: not JSON, never cut */
	copy = xmalloc(len);
	memcpy(copy, body, len);
	hit = memmem(copy, len, REPO_ID "\"", sizeof(REPO_ID));
	assert_non_null(hit);
	copy[hit - copy + 36] = '\0';
	assert_int_equal(
	    event_parse(copy, len, &ev, reason, sizeof(reason)), EVENT_BAD);
	assert_non_null(strstr(reason, "nul byte"));
	free(copy);

	/* a key with an escaped NUL is another key ("id\u0000x" != "id") */
	{
		size_t plen;
		char *p = patch(body, len, "\"id\": \"4bc14d40",
		    "\"id\\u0000x\": \"4bc14d40", &plen);

		assert_int_equal(
		    event_parse(p, plen, &ev, reason, sizeof(reason)),
		    EVENT_BAD);
		assert_non_null(strstr(reason, "resource.repository.id"));
		free(p);
	}

	/* reason: always terminated, cut to rlen */
	memset(tiny, 'x', sizeof(tiny));
	assert_int_equal(
	    parse_exact(LIT("[]"), &ev, tiny, sizeof(tiny)), EVENT_BAD);
	assert_int_equal(strlen(tiny), sizeof(tiny) - 1);
	assert_int_equal(parse_exact(LIT("[]"), &ev, NULL, 0), EVENT_BAD);
	assert_int_equal(parse_exact(LIT("[]"), &ev, tiny, 1), EVENT_BAD);
	assert_string_equal(tiny, "");
	free(body);
}

/* Long names are cut at a UTF-8 boundary; a long type is quoted short. */
static void
test_cuts(void **state)
{
	struct strbuf title, type, sb;
	struct pr_event ev;
	char reason[256];
	size_t len, plen;
	char *body = load("minimal.json", &len), *p;

	(void)state;
	strbuf_init(&title, 4096);
	strbuf_init(&type, 4096);
	strbuf_init(&sb, 4096);
	strbuf_addstr(&title, "\"title\": \"a");
	for (int i = 0; i < 300; i++)
		strbuf_addstr(&title, "\xc3\xa9"); /* 2 bytes each */
	strbuf_addch(&title, '"');
	p = patch(
	    body, len, "\"title\": \"Update Q3 sales data\"", title.buf, &plen);
	assert_int_equal(
	    event_parse(p, plen, &ev, reason, sizeof(reason)), EVENT_OK);
	free(p);
	/* "a" + 127 * 2 bytes = 255: the 128th "é" would split */
	assert_int_equal(strlen(ev.title), 255);
	assert_int_equal((unsigned char)ev.title[253], 0xc3);
	assert_int_equal((unsigned char)ev.title[254], 0xa9);

	/* "ab" + 126 * 2 bytes = 254: one byte stays free */
	strbuf_reset(&sb);
	strbuf_addstr(&sb, "\"title\": \"ab");
	strbuf_addstr(&sb, title.buf + strlen("\"title\": \"a"));
	p = patch(
	    body, len, "\"title\": \"Update Q3 sales data\"", sb.buf, &plen);
	assert_int_equal(
	    event_parse(p, plen, &ev, reason, sizeof(reason)), EVENT_OK);
	free(p);
	assert_int_equal(strlen(ev.title), 254);
	assert_int_equal((unsigned char)ev.title[253], 0xa9);

	strbuf_reset(&sb);
	strbuf_addstr(&type, "\"eventType\": \"");
	for (int i = 0; i < 400; i++)
		strbuf_addch(&type, (char)('a' + i % 26));
	strbuf_addch(&type, '"');
	p = patch(body, len, "\"eventType\": \"git.pullrequest.created\"",
	    type.buf, &plen);
	assert_int_equal(
	    event_parse(p, plen, &ev, reason, sizeof(reason)), EVENT_IGNORE);
	free(p);
	assert_int_equal(strlen(ev.event_type), EVENT_NAME_MAX - 1);
	assert_int_equal(ev.type, EVENT_OTHER);
	strbuf_addstr(&sb, "event type '");
	strbuf_add(&sb, type.buf + 14, 40);
	strbuf_addstr(&sb, "...' is not handled");
	assert_string_equal(reason, sb.buf);

	strbuf_release(&title);
	strbuf_release(&type);
	strbuf_release(&sb);
	free(body);
}

/*
 * Property: random mutations and truncations of created.json never crash,
 * never read past len (exact-size buffers under ASan), and never yield
 * EVENT_OK with an invalid field.
 */
static void
test_mutation_property(void **state)
{
	static const char *const tokens[] = {"\"", "{", "}", "[", "]", ",", ":",
	    "null", "true", "0", "-1", "1.5", "\\u0000", "\\", "\"\"",
	    "2147483648", "A", "/", "/_apis/", "@", " "};
	static const char hexish[] = "0123456789abcdefABCDEF-g/ ";
	size_t len, n_ok = 0, n_ignore = 0, n_bad = 0;
	char *orig = load("created.json", &len);
	struct strbuf sb;

	(void)state;
	strbuf_init(&sb, 1 << 20);
	for (int iter = 0; iter < 3000; iter++) {
		struct pr_event ev;
		char reason[128];
		size_t nmut = 1 + unit_rand_below(6);
		enum event_result res;
		const char *bad;

		strbuf_reset(&sb);
		strbuf_add(&sb, orig, len);
		for (size_t m = 0; m < nmut && sb.len > 0; m++) {
			size_t pos = unit_rand_below(sb.len);

			switch (unit_rand_below(6)) {
			case 0: /* flip a bit */
				sb.buf[pos] = (char)(sb.buf[pos] ^
				    (1 << unit_rand_below(8)));
				break;
			case 1: /* any byte */
				sb.buf[pos] = (char)unit_rand_below(256);
				break;
			case 2: /* a printable byte, mostly hex-ish */
				sb.buf[pos] =
				    hexish[unit_rand_below(sizeof(hexish) - 1)];
				break;
			case 3: { /* delete a range */
				size_t n = 1 + unit_rand_below(16);
				size_t rest;

				if (n > sb.len - pos)
					n = sb.len - pos;
				rest = sb.len - pos - n;
				memmove(sb.buf + pos, sb.buf + pos + n, rest);
				strbuf_truncate(&sb, sb.len - n);
				break;
			}
			case 4: { /* insert a JSON token */
				const char *t =
				    tokens[unit_rand_below(ARRAY_SIZE(tokens))];
				struct strbuf tmp;

				strbuf_init(&tmp, 1 << 20);
				strbuf_add(&tmp, sb.buf, pos);
				strbuf_addstr(&tmp, t);
				strbuf_add(&tmp, sb.buf + pos, sb.len - pos);
				strbuf_reset(&sb);
				strbuf_add(&sb, tmp.buf, tmp.len);
				strbuf_release(&tmp);
				break;
			}
			default: /* truncate */
				strbuf_truncate(&sb, pos);
				break;
			}
		}
		memset(reason, 'x', sizeof(reason));
		res = parse_exact(sb.buf, sb.len, &ev, reason, sizeof(reason));
		if (!memchr(reason, '\0', sizeof(reason)))
			fail_msg("iteration %d: reason not terminated", iter);
		if (res == EVENT_OK) {
			n_ok++;
			bad = invalid_field(&ev);
			if (bad)
				fail_msg("iteration %d: EVENT_OK with invalid "
					 "%s",
				    iter, bad);
		} else {
			if (reason[0] == '\0')
				fail_msg("iteration %d: no reason", iter);
			if (res == EVENT_IGNORE)
				n_ignore++;
			else
				n_bad++;
		}
	}
	printf(
	    "mutations: %zu ok, %zu ignored, %zu bad\n", n_ok, n_ignore, n_bad);
	/* both sides of the parser are exercised */
	assert_true(n_ok > 100);
	assert_true(n_bad > 100);
	strbuf_release(&sb);
	free(orig);
}

int
main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_fixtures),
	    cmocka_unit_test(test_created_fields),
	    cmocka_unit_test(test_updated_and_comment_fields),
	    cmocka_unit_test(test_is_guid),
	    cmocka_unit_test(test_is_sha1),
	    cmocka_unit_test(test_normalize_url),
	    cmocka_unit_test(test_normalize_url_fit),
	    cmocka_unit_test(test_depth_limit),
	    cmocka_unit_test(test_edges),
	    cmocka_unit_test(test_cuts),
	    cmocka_unit_test(test_mutation_property),
	};

	find_fixtures(argv[0]);
	unit_init(argc, argv);
	return UNIT_RUN("event", tests);
}
