/*
 * event.c: an Azure DevOps service-hook body -> struct pr_event.
 *
 * Pure: no I/O, no logging, no globals. The body is checked by a small
 * scanner before cJSON sees it (nesting depth, NUL bytes, "\u0000" escapes),
 * then every member used is looked up by exact name and checked for its type
 * and shape (ado-reference.md 1.5-1.11).
 */
#include "event.h"

#include <arpa/inet.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "strbuf.h"
#include "xmalloc.h"
#include "banned.h"

#define PR_ID_MAX 2147483647.0

/* longest URL prefix taken from resource.url before normalising it */
#define URL_PREFIX_MAX (4 * EVENT_URL_MAX)

/* how much of an unknown event type a reason may quote */
#define REASON_TYPE_MAX 40

enum scan_result {
	SCAN_OK,
	SCAN_NUL,  /* a raw NUL byte: never valid JSON, and cJSON would cut */
	SCAN_DEEP, /* nesting deeper than EVENT_MAX_DEPTH */
};

static void set_reason(char *reason, size_t rlen, const char *fmt, ...)
    PRINTF_LIKE(3, 4);

static void
set_reason(char *reason, size_t rlen, const char *fmt, ...)
{
	va_list ap;

	if (!reason || rlen == 0)
		return;
	va_start(ap, fmt);
	(void)vsnprintf(reason, rlen, fmt, ap);
	va_end(ap);
}

static int
is_hex(int c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') ||
	    (c >= 'A' && c <= 'F');
}

static int
is_alnum(int c)
{
	/* ASCII only, whatever the locale */
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') ||
	    (c >= 'A' && c <= 'Z');
}

static char
lower(char c)
{
	return (c >= 'A' && c <= 'Z') ? (char)(c - 'A' + 'a') : c;
}

int
event_is_guid(const char *s)
{
	size_t i;

	if (!s)
		return 0;
	/* stops at the first mismatch, so never reads past the NUL */
	for (i = 0; i < EVENT_GUID_LEN; i++) {
		if (i == 8 || i == 13 || i == 18 || i == 23) {
			if (s[i] != '-')
				return 0;
		} else if (!is_hex((unsigned char)s[i])) {
			return 0;
		}
	}
	return s[i] == '\0';
}

int
event_is_sha1(const char *s)
{
	size_t i;

	if (!s)
		return 0;
	for (i = 0; i < EVENT_COMMIT_LEN; i++)
		if (!is_hex((unsigned char)s[i]))
			return 0;
	return s[i] == '\0';
}

/*
 * One pass over the raw body: the bracket depth outside strings, raw NUL
 * bytes anywhere, and "\u0000" escapes inside strings (keys included).
 * cJSON decodes "\u0000" into a NUL byte inside valuestring, which would
 * silently cut "guid\u0000junk" into a valid "guid" (and make the key
 * "id\u0000x" match "id"). When rw is not NULL (a copy of body), each such
 * escape is rewritten in place to "\ufffd", same length: the string then
 * keeps its full length, and an identifier holding it fails validation.
 * *nul_escapes counts the escapes found.
 */
static enum scan_result
scan_json(const char *body, size_t len, char *rw, size_t *nul_escapes)
{
	size_t depth = 0, i;
	int in_string = 0;

	*nul_escapes = 0;
	for (i = 0; i < len; i++) {
		char c = body[i];

		if (c == '\0')
			return SCAN_NUL;
		if (in_string) {
			if (c == '"') {
				in_string = 0;
			} else if (c == '\\' && i + 1 < len) {
				if (body[i + 1] == 'u' && len - i >= 6 &&
				    memcmp(body + i + 2, "0000", 4) == 0) {
					(*nul_escapes)++;
					if (rw)
						memcpy(rw + i + 2, "fffd", 4);
					i += 5;
				} else {
					/* skip the escaped byte ('"', '\\') */
					i++;
					if (body[i] == '\0')
						return SCAN_NUL;
				}
			}
			continue;
		}
		if (c == '"') {
			in_string = 1;
		} else if (c == '{' || c == '[') {
			if (++depth > EVENT_MAX_DEPTH)
				return SCAN_DEEP;
		} else if (c == '}' || c == ']') {
			/* unbalanced input is cJSON's to reject */
			if (depth > 0)
				depth--;
		}
	}
	return SCAN_OK;
}

/* The member name of obj, or NULL when obj is not an object. */
static const cJSON *
member(const cJSON *obj, const char *name)
{
	if (!cJSON_IsObject(obj))
		return NULL;
	return cJSON_GetObjectItemCaseSensitive(obj, name);
}

/* The string value of member name, or NULL when absent or not a string. */
static const char *
member_string(const cJSON *obj, const char *name)
{
	const cJSON *item = member(obj, name);

	if (!cJSON_IsString(item) || !item->valuestring)
		return NULL;
	return item->valuestring;
}

/*
 * Copy s into dst[size], cut at a UTF-8 boundary so that a multi-byte
 * sequence is never split (bytes that are not valid UTF-8 count as one).
 */
static void
copy_cut(char *dst, size_t size, const char *s)
{
	size_t len, i = 0;

	if (size == 0)
		return;
	len = s ? strlen(s) : 0;
	while (i < len) {
		size_t n = utf8_seq_len((const unsigned char *)s + i, len - i);

		if (n == 0)
			n = 1;
		if (n > size - 1 - i)
			break;
		i += n;
	}
	if (i > 0)
		memcpy(dst, s, i);
	dst[i] = '\0';
}

/* Copy a validated GUID or commit id in lower case (len bytes + NUL). */
static void
copy_lower(char *dst, const char *s, size_t len)
{
	for (size_t i = 0; i < len; i++)
		dst[i] = lower(s[i]);
	dst[len] = '\0';
}

/* Case-insensitive search for needle in the first hlen bytes of hay. */
static const char *
find_nocase(const char *hay, size_t hlen, const char *needle)
{
	size_t nlen = strlen(needle);

	if (nlen > hlen)
		return NULL;
	for (size_t i = 0; i + nlen <= hlen; i++)
		if (strncasecmp(hay + i, needle, nlen) == 0)
			return hay + i;
	return NULL;
}

/* reg-name host: dot-separated labels of [a-z0-9-], not starting or
 * ending with '-' */
static int
valid_host(const char *h, size_t len)
{
	size_t label = 0;

	if (len == 0 || len > 253)
		return 0;
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)h[i];

		if (c == '.') {
			if (label == 0 || h[i - 1] == '-')
				return 0;
			label = 0;
			continue;
		}
		if (!is_alnum(c) && c != '-')
			return 0;
		if (c == '-' && label == 0)
			return 0;
		if (++label > 63)
			return 0;
	}
	return label > 0 && h[len - 1] != '-';
}

/* "[v6]" literal: brackets included in len */
static int
valid_ipv6(const char *h, size_t len)
{
	char buf[64];
	unsigned char addr[16];

	if (len < 4 || len - 2 >= sizeof(buf) || h[0] != '[' ||
	    h[len - 1] != ']')
		return 0;
	for (size_t i = 1; i + 1 < len; i++)
		if (!is_hex((unsigned char)h[i]) && h[i] != ':' && h[i] != '.')
			return 0;
	memcpy(buf, h + 1, len - 2);
	buf[len - 2] = '\0';
	return inet_pton(AF_INET6, buf, addr) == 1;
}

static int
path_char(unsigned char c)
{
	return is_alnum(c) ||
	    (c != '\0' && strchr("-._~!$&'()*+,;=:@/%", c) != NULL);
}

/* A path segment of "." or "..", also percent-encoded. */
static int
dot_segment(const char *seg, size_t len)
{
	size_t dots = 0, i = 0;

	while (i < len) {
		if (seg[i] == '.') {
			i++;
		} else if (len - i >= 3 && seg[i] == '%' && seg[i + 1] == '2' &&
		    lower(seg[i + 2]) == 'e') {
			i += 3;
		} else {
			return 0;
		}
		dots++;
	}
	return dots == 1 || dots == 2;
}

/*
 * The path (from its leading '/', up to a query or fragment): only URL
 * characters, complete %XX escapes, no empty, "." or ".." segment except
 * the empty ones trailing slashes leave (dropped by the caller).
 */
static int
valid_path(const char *p, size_t len)
{
	size_t seg = 0;

	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)p[i];

		if (!path_char(c))
			return 0;
		if (c == '%' &&
		    (len - i < 3 || !is_hex((unsigned char)p[i + 1]) ||
			!is_hex((unsigned char)p[i + 2])))
			return 0;
	}
	/* segments: p[0] is '/' */
	for (size_t i = 1; i <= len; i++) {
		if (i == len || p[i] == '/') {
			size_t n = i - seg - 1;

			if (n == 0 || dot_segment(p + seg + 1, n))
				return 0;
			seg = i;
		}
	}
	return 1;
}

int
event_normalize_url(const char *url, char *out, size_t outlen)
{
	const char *p, *auth, *auth_end, *host, *host_end, *at, *colon = NULL;
	const char *path, *path_end;
	const char *scheme;
	unsigned long port = 0;
	int https, n;
	char hostbuf[256];
	size_t hlen;

	if (out && outlen > 0)
		out[0] = '\0';
	if (!url || !out || outlen == 0)
		return -1;
	for (p = url; *p; p++) {
		unsigned char c = (unsigned char)*p;

		if (c <= 0x20 || c >= 0x7f || c == '\\')
			return -1;
	}
	if (strncasecmp(url, "https://", 8) == 0) {
		https = 1;
		auth = url + 8;
	} else if (strncasecmp(url, "http://", 7) == 0) {
		https = 0;
		auth = url + 7;
	} else {
		return -1;
	}
	scheme = https ? "https" : "http";
	auth_end = auth + strcspn(auth, "/?#");

	/* drop user-info: everything up to the last '@' of the authority */
	host = auth;
	for (at = auth; at < auth_end; at++)
		if (*at == '@')
			host = at + 1;

	/* port: after the last ':' that is not inside an IPv6 literal */
	host_end = auth_end;
	if (host < auth_end && *host == '[') {
		const char *rb = memchr(host, ']', (size_t)(auth_end - host));

		if (!rb)
			return -1;
		if (rb + 1 < auth_end) {
			if (rb[1] != ':')
				return -1;
			colon = rb + 1;
		}
	} else {
		colon = memchr(host, ':', (size_t)(auth_end - host));
	}
	if (colon) {
		const char *d;

		host_end = colon;
		if (colon + 1 == auth_end)
			return -1;
		for (d = colon + 1; d < auth_end; d++) {
			if (*d < '0' || *d > '9')
				return -1;
			port = port * 10 + (unsigned long)(*d - '0');
			if (port > 65535)
				return -1;
		}
		if (port == 0)
			return -1;
		if (port == (https ? 443UL : 80UL))
			port = 0;
	}
	hlen = (size_t)(host_end - host);
	if (hlen == 0 || hlen >= sizeof(hostbuf))
		return -1;
	if (*host == '[' ? !valid_ipv6(host, hlen) : !valid_host(host, hlen))
		return -1;
	for (size_t i = 0; i < hlen; i++)
		hostbuf[i] = lower(host[i]);
	hostbuf[hlen] = '\0';

	/* path up to a query or fragment, without trailing slashes */
	path = auth_end;
	path_end = path + strcspn(path, "?#");
	while (path_end > path && path_end[-1] == '/')
		path_end--;
	if (path_end > path && !valid_path(path, (size_t)(path_end - path)))
		return -1;
	if ((size_t)(path_end - path) > EVENT_URL_MAX)
		return -1;

	if (port)
		n = snprintf(out, outlen, "%s://%s:%lu%.*s", scheme, hostbuf,
		    port, (int)(path_end - path), path);
	else
		n = snprintf(out, outlen, "%s://%s%.*s", scheme, hostbuf,
		    (int)(path_end - path), path);
	if (n < 0 || (size_t)n >= outlen) {
		out[0] = '\0';
		return -1;
	}
	return 0;
}

/*
 * The organization URL: the first resourceContainers.*.baseUrl that is a
 * string, else resource.url or resource.repository.url cut before
 * "/{projectId}/_apis/" or "/_apis/" (ado-reference.md 1.8).
 */
static enum event_result
parse_org_url(const cJSON *root, const cJSON *pr, const char *project_id,
    struct pr_event *ev, char *reason, size_t rlen)
{
	static const char *const containers[] = {
	    "collection", "account", "project"};
	const cJSON *rc = member(root, "resourceContainers");
	const char *urls[2];
	char needle[EVENT_GUID_LEN + 9];
	char prefix[URL_PREFIX_MAX];

	for (size_t i = 0; i < ARRAY_SIZE(containers); i++) {
		const char *base =
		    member_string(member(rc, containers[i]), "baseUrl");

		if (!base)
			continue;
		if (event_normalize_url(
			base, ev->org_url, sizeof(ev->org_url)) == -1) {
			set_reason(reason, rlen,
			    "organization URL in "
			    "resourceContainers.%s.baseUrl is invalid",
			    containers[i]);
			return EVENT_BAD;
		}
		return EVENT_OK;
	}

	(void)snprintf(needle, sizeof(needle), "/%s/_apis/", project_id);
	urls[0] = member_string(pr, "url");
	urls[1] = member_string(member(pr, "repository"), "url");
	for (size_t i = 0; i < ARRAY_SIZE(urls); i++) {
		const char *u = urls[i], *cut;
		size_t ulen;

		if (!u)
			continue;
		ulen = strlen(u);
		cut = find_nocase(u, ulen, needle);
		if (!cut)
			cut = find_nocase(u, ulen, "/_apis/");
		if (!cut)
			continue;
		if ((size_t)(cut - u) >= sizeof(prefix)) {
			set_reason(
			    reason, rlen, "organization URL is too long");
			return EVENT_BAD;
		}
		memcpy(prefix, u, (size_t)(cut - u));
		prefix[cut - u] = '\0';
		if (event_normalize_url(
			prefix, ev->org_url, sizeof(ev->org_url)) == -1) {
			set_reason(reason, rlen,
			    "organization URL from %s is invalid",
			    i == 0 ? "resource.url" :
				     "resource.repository.url");
			return EVENT_BAD;
		}
		return EVENT_OK;
	}
	set_reason(reason, rlen,
	    "organization URL is missing (no baseUrl, no resource url)");
	return EVENT_BAD;
}

/* A required GUID member of obj into dst (lower case). */
static int
take_guid(const cJSON *obj, const char *name, char *dst)
{
	const char *s = member_string(obj, name);

	if (!event_is_guid(s))
		return -1;
	copy_lower(dst, s, EVENT_GUID_LEN);
	return 0;
}

/* commitId of member name of obj (a {commitId, url} object) into dst. */
static int
take_commit(const cJSON *obj, const char *name, char *dst)
{
	const char *s = member_string(member(obj, name), "commitId");

	if (!event_is_sha1(s))
		return -1;
	copy_lower(dst, s, EVENT_COMMIT_LEN);
	return 0;
}

/* resource.status: a short camelCase enum value, kept opaque */
static int
take_status(const cJSON *pr, char *dst, size_t size)
{
	const char *s = member_string(pr, "status");
	size_t len;

	if (!s)
		return -1;
	len = strlen(s);
	if (len == 0 || len >= size)
		return -1;
	for (size_t i = 0; i < len; i++)
		if (!is_alnum((unsigned char)s[i]))
			return -1;
	memcpy(dst, s, len + 1);
	return 0;
}

/* pullRequestId: a JSON number holding an integer in 1 .. 2^31-1 */
static int
take_pr_id(const cJSON *pr, unsigned long *id)
{
	const cJSON *item = member(pr, "pullRequestId");
	double d;

	if (!cJSON_IsNumber(item))
		return -1;
	d = item->valuedouble;
	if (!(d >= 1.0 && d <= PR_ID_MAX))
		return -1;
	if ((double)(long)d != d)
		return -1;
	*id = (unsigned long)(long)d;
	return 0;
}

/* The PR object (resource, or resource.pullRequest) into ev. */
static enum event_result
parse_pr(const cJSON *root, const cJSON *pr, const char *where,
    struct pr_event *ev, char *reason, size_t rlen)
{
	const cJSON *repo = member(pr, "repository");
	const cJSON *project = member(repo, "project");
	const cJSON *item;
	const char *field = NULL;

	if (take_pr_id(pr, &ev->pr_id) == -1)
		field = "pullRequestId";
	else if (!cJSON_IsObject(repo))
		field = "repository";
	else if (take_guid(repo, "id", ev->repo_id) == -1)
		field = "repository.id";
	else if (!cJSON_IsObject(project))
		field = "repository.project";
	else if (take_guid(project, "id", ev->project_id) == -1)
		field = "repository.project.id";
	else if (take_status(pr, ev->status, sizeof(ev->status)) == -1)
		field = "status";
	else if (take_commit(pr, "lastMergeSourceCommit", ev->source_commit) ==
	    -1)
		field = "lastMergeSourceCommit.commitId";
	else if (take_commit(pr, "lastMergeTargetCommit", ev->target_commit) ==
	    -1)
		field = "lastMergeTargetCommit.commitId";
	if (field) {
		set_reason(
		    reason, rlen, "%s%s is missing or invalid", where, field);
		return EVENT_BAD;
	}

	/* absent (or null) while a merge is queued or after conflicts */
	item = member(pr, "lastMergeCommit");
	if (item && !cJSON_IsNull(item) &&
	    take_commit(pr, "lastMergeCommit", ev->merge_commit) == -1) {
		set_reason(reason, rlen,
		    "%slastMergeCommit.commitId is invalid", where);
		return EVENT_BAD;
	}

	item = member(pr, "isDraft");
	if (cJSON_IsBool(item)) {
		ev->is_draft = cJSON_IsTrue(item) ? 1 : 0;
	} else if (item && !cJSON_IsNull(item)) {
		set_reason(reason, rlen, "%sisDraft is not a boolean", where);
		return EVENT_BAD;
	}

	copy_cut(ev->source_ref, sizeof(ev->source_ref),
	    member_string(pr, "sourceRefName"));
	copy_cut(ev->target_ref, sizeof(ev->target_ref),
	    member_string(pr, "targetRefName"));
	copy_cut(ev->title, sizeof(ev->title), member_string(pr, "title"));
	copy_cut(
	    ev->repo_name, sizeof(ev->repo_name), member_string(repo, "name"));
	copy_cut(ev->project_name, sizeof(ev->project_name),
	    member_string(project, "name"));

	return parse_org_url(root, pr, ev->project_id, ev, reason, rlen);
}

/* Quote at most REASON_TYPE_MAX safe characters of an event type. */
static void
reason_type(char *dst, size_t size, const char *s)
{
	size_t i = 0;

	for (; s[i] && i < REASON_TYPE_MAX && i + 1 < size; i++) {
		unsigned char c = (unsigned char)s[i];

		dst[i] = (is_alnum(c) || c == '.' || c == '-' || c == '_') ?
		    (char)c :
		    '?';
	}
	if (s[i] && i + 4 <= size) {
		memcpy(dst + i, "...", 3);
		i += 3;
	}
	dst[i] = '\0';
}

static enum event_result
parse_root(const cJSON *root, struct pr_event *ev, char *reason, size_t rlen)
{
	const char *type = member_string(root, "eventType");
	const cJSON *resource, *pr;
	const char *where = "resource.";
	const char *repo_url;

	if (!cJSON_IsObject(root)) {
		set_reason(reason, rlen, "not a JSON object");
		return EVENT_BAD;
	}
	if (!type) {
		set_reason(reason, rlen, "no eventType");
		return EVENT_BAD;
	}
	if (type[0] == '\0') {
		set_reason(reason, rlen, "eventType is empty");
		return EVENT_BAD;
	}
	copy_cut(ev->event_type, sizeof(ev->event_type), type);
	if (event_is_guid(member_string(root, "id")))
		copy_lower(
		    ev->event_id, member_string(root, "id"), EVENT_GUID_LEN);
	if (event_is_guid(member_string(root, "subscriptionId")))
		copy_lower(ev->subscription_id,
		    member_string(root, "subscriptionId"), EVENT_GUID_LEN);

	if (strcmp(type, "git.pullrequest.created") == 0) {
		ev->type = EVENT_PR_CREATED;
	} else if (strcmp(type, "git.pullrequest.updated") == 0) {
		ev->type = EVENT_PR_UPDATED;
	} else if (strcmp(type, "git.pullrequest.merged") == 0) {
		ev->type = EVENT_PR_MERGED;
	} else if (strcmp(type, "ms.vss-code.git-pullrequest-comment-event") ==
	    0) {
		ev->type = EVENT_PR_COMMENTED;
	} else {
		char quoted[REASON_TYPE_MAX + 4];

		ev->type = EVENT_OTHER;
		reason_type(quoted, sizeof(quoted), type);
		set_reason(
		    reason, rlen, "event type '%s' is not handled", quoted);
		return EVENT_IGNORE;
	}

	resource = member(root, "resource");
	if (!cJSON_IsObject(resource)) {
		set_reason(
		    reason, rlen, "resource is missing or not an object");
		return EVENT_BAD;
	}
	pr = resource;
	if (ev->type == EVENT_PR_COMMENTED) {
		pr = member(resource, "pullRequest");
		if (!pr || cJSON_IsNull(pr)) {
			set_reason(reason, rlen,
			    "comment event without the pull request "
			    "(resourceVersion 1.0)");
			return EVENT_IGNORE;
		}
		if (!cJSON_IsObject(pr)) {
			set_reason(reason, rlen,
			    "resource.pullRequest is not an object");
			return EVENT_BAD;
		}
		where = "resource.pullRequest.";
	}

	/* before any other check: the Test delivery lacks baseUrl and more */
	repo_url = member_string(member(pr, "repository"), "url");
	if (repo_url && strcasecmp(repo_url, EVENT_TEST_REPO_URL) == 0) {
		ev->is_test = 1;
		set_reason(reason, rlen,
		    "test event from the Azure DevOps portal received");
		return EVENT_IGNORE;
	}
	return parse_pr(root, pr, where, ev, reason, rlen);
}

enum event_result
event_parse(const char *body, size_t len, struct pr_event *ev, char *reason,
    size_t rlen)
{
	enum event_result res = EVENT_BAD;
	cJSON *root = NULL;
	char *copy = NULL;
	const char *src = body, *end = NULL;
	size_t nul_escapes = 0;

	memset(ev, 0, sizeof(*ev));
	set_reason(reason, rlen, "%s", "");
	if (!body || len == 0) {
		set_reason(reason, rlen, "not JSON (empty body)");
		goto out;
	}
	switch (scan_json(body, len, NULL, &nul_escapes)) {
	case SCAN_NUL:
		set_reason(reason, rlen, "not JSON (nul byte)");
		goto out;
	case SCAN_DEEP:
		set_reason(reason, rlen, "JSON nested deeper than %d levels",
		    EVENT_MAX_DEPTH);
		goto out;
	case SCAN_OK:
		break;
	}
	if (nul_escapes > 0) {
		copy = xmalloc(len);
		memcpy(copy, body, len);
		(void)scan_json(body, len, copy, &nul_escapes);
		src = copy;
	}

	root = cJSON_ParseWithLengthOpts(src, len, &end, 0);
	if (!root) {
		set_reason(reason, rlen, "not JSON");
		goto out;
	}
	/* cJSON stops after the first value: only whitespace may follow */
	for (; end && end < src + len; end++) {
		if (*end != ' ' && *end != '\t' && *end != '\n' &&
		    *end != '\r') {
			set_reason(
			    reason, rlen, "not JSON (data after the end)");
			goto out;
		}
	}
	res = parse_root(root, ev, reason, rlen);
out:
	cJSON_Delete(root);
	free(copy);
	return res;
}
