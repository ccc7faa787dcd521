/*
 * fake_hooks.c: projects and service-hook subscriptions of the fake Azure
 * DevOps server (see fake_hooks.h).
 */
#include "fake_hooks.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/random.h>
#include <time.h>
#include <unistd.h>

#include "fake_file.h"
#include "fake_path.h"
#include "log.h"
#include "xmalloc.h"
#include "banned.h"

#define FAKE_HOOKS_MAX_SEGMENTS 8    /* path segments of a route */
#define FAKE_HOOKS_MAX_URL      2048 /* bytes of consumerInputs.url */
#define FAKE_HOOKS_GUID_LEN     36

#define TYPE_ARGUMENT      "System.ArgumentException, mscorlib"
#define TYPE_ARGUMENT_NULL "System.ArgumentNullException, mscorlib"
#define TYPE_CORE          "Microsoft.TeamFoundation.Core.WebApi."
#define ASM_CORE           ", Microsoft.TeamFoundation.Core.WebApi"
#define TYPE_NO_PROJECT    TYPE_CORE "ProjectDoesNotExistException" ASM_CORE
#define TYPE_NO_PROJECT_NAME \
	TYPE_CORE "ProjectDoesNotExistWithNameException" ASM_CORE
#define TYPE_NO_SUBSCRIPTION                                   \
	"Microsoft.VisualStudio.Services.ServiceHooks.WebApi." \
	"SubscriptionNotFoundException, "                      \
	"Microsoft.VisualStudio.Services.ServiceHooks.WebApi"
#define TYPE_LIMIT                                   \
	"Microsoft.TeamFoundation.Framework.Server." \
	"LimitExceededException, Microsoft.TeamFoundation.Framework.Server"
#define TYPE_ROUTE_NOT_FOUND                      \
	"Microsoft.VisualStudio.Services.WebApi." \
	"VssResourceNotFoundException, "          \
	"Microsoft.VisualStudio.Services.WebApi"
#define TYPE_METHOD                               \
	"Microsoft.VisualStudio.Services.WebApi." \
	"VssMethodNotAllowedException, "          \
	"Microsoft.VisualStudio.Services.WebApi"
#define TYPE_FIXTURE "FakeAdo.FixtureException, fake-ado"

/* the project collection every project belongs to */
#define FAKE_COLLECTION_ID "c1a5e2d4-7b3f-4e9a-9d8c-2f6b0e1a3c5d"

struct fake_hooks {
	char *fixtures;
	cJSON *subs;  /* array of subscriptions as received, oldest first */
	uint64_t rng; /* splitmix64 state for new GUIDs */
};

/* an event type and the publisherInputs (filters) it takes */
struct fake_hooks_event {
	const char *type;
	const char *description; /* for eventDescription */
	const char *const *inputs;
};

static const char *const inputs_pr[] = {"projectId", "repository", "branch",
    "pullrequestCreatedBy", "pullrequestReviewersContains", "tfsSubscriptionId",
    NULL};
static const char *const inputs_updated[] = {"projectId", "repository",
    "branch", "pullrequestCreatedBy", "pullrequestReviewersContains",
    "notificationType", "tfsSubscriptionId", NULL};
static const char *const inputs_merged[] = {"projectId", "repository", "branch",
    "pullrequestCreatedBy", "pullrequestReviewersContains", "mergeResult",
    "tfsSubscriptionId", NULL};
static const char *const inputs_comment[] = {
    "projectId", "repository", "branch", "tfsSubscriptionId", NULL};
static const char *const inputs_push[] = {
    "projectId", "repository", "branch", "pushedBy", "tfsSubscriptionId", NULL};

static const struct fake_hooks_event fake_hooks_events[] = {
    {"git.pullrequest.created", "Pull request created", inputs_pr},
    {"git.pullrequest.updated", "Pull request updated", inputs_updated},
    {"git.pullrequest.merged", "Pull request merge attempted", inputs_merged},
    {"ms.vss-code.git-pullrequest-comment-event", "Pull request commented on",
	inputs_comment},
    {"git.push", "Code pushed", inputs_push},
};

static const char *const consumer_inputs[] = {"url", "httpHeaders",
    "basicAuthUsername", "basicAuthPassword", "resourceDetailsToSend",
    "messagesToSend", "detailedMessagesToSend", "acceptUntrustedCerts", NULL};

static const char *const notification_types[] = {"PushNotification",
    "ReviewersUpdateNotification", "StatusUpdateNotification",
    "ReviewerVoteNotification", NULL};
static const char *const merge_results[] = {"Succeeded", "Unsuccessful",
    "Conflicts", "Failure", "RejectedByPolicy", NULL};
static const char *const resource_details[] = {"all", "minimal", "none", NULL};
static const char *const message_kinds[] = {
    "all", "text", "html", "markdown", "none", NULL};
static const char *const booleans[] = {"true", "false", NULL};

/* ---- helpers ---- */

static uint64_t
fake_hooks_random(struct fake_hooks *h)
{
	uint64_t z;

	h->rng += 0x9e3779b97f4a7c15ULL;
	z = h->rng;
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

/* a new version 4 GUID, lowercase, into out[37] */
static void
fake_hooks_new_guid(struct fake_hooks *h, char *out, size_t size)
{
	unsigned char b[16];
	uint64_t r = 0;

	for (size_t i = 0; i < sizeof(b); i++) {
		if (i % 8 == 0)
			r = fake_hooks_random(h);
		b[i] = (unsigned char)(r >> (8 * (i % 8)));
	}
	b[6] = (unsigned char)((b[6] & 0x0f) | 0x40);
	b[8] = (unsigned char)((b[8] & 0x3f) | 0x80);
	(void)snprintf(out, size,
	    "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-"
	    "%02x%02x%02x%02x%02x%02x",
	    b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7], b[8], b[9], b[10],
	    b[11], b[12], b[13], b[14], b[15]);
}

/* xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx, hex digits in any case */
static int
fake_hooks_is_guid(const char *s)
{
	if (strlen(s) != FAKE_HOOKS_GUID_LEN)
		return 0;
	for (size_t i = 0; i < FAKE_HOOKS_GUID_LEN; i++) {
		if (i == 8 || i == 13 || i == 18 || i == 23) {
			if (s[i] != '-')
				return 0;
		} else if (!isxdigit((unsigned char)s[i])) {
			return 0;
		}
	}
	return 1;
}

static void fake_hooks_link(cJSON *links, const char *rel, const char *fmt, ...)
    PRINTF_LIKE(3, 4);

static void
fake_hooks_link(cJSON *links, const char *rel, const char *fmt, ...)
{
	char href[4096];
	va_list ap;

	va_start(ap, fmt);
	(void)vsnprintf(href, sizeof(href), fmt, ap);
	va_end(ap);
	cJSON_AddStringToObject(
	    cJSON_AddObjectToObject(links, rel), "href", href);
}

/* a 400 ArgumentException naming what is wrong */
static void fake_hooks_bad(struct fake_reply *reply, const char *fmt, ...)
    PRINTF_LIKE(2, 3);

static void
fake_hooks_bad(struct fake_reply *reply, const char *fmt, ...)
{
	char message[1024];
	va_list ap;

	va_start(ap, fmt);
	(void)vsnprintf(message, sizeof(message), fmt, ap);
	va_end(ap);
	fake_reply_error(reply, 400, TYPE_ARGUMENT, "%s", message);
}

/* the string member key of obj, or NULL */
static const char *
fake_hooks_string(const cJSON *obj, const char *key)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);

	return cJSON_IsString(v) ? v->valuestring : NULL;
}

/* the canonical spelling in list (NULL-terminated) of s, any case */
static const char *
fake_hooks_lookup(const char *const *list, const char *s)
{
	for (; *list; list++)
		if (strcasecmp(*list, s) == 0)
			return *list;
	return NULL;
}

/* ---- life cycle ---- */

struct fake_hooks *
fake_hooks_new(const char *fixtures)
{
	struct fake_hooks *h = xcalloc(1, sizeof(*h));
	struct timespec ts;

	h->fixtures = xstrdup(fixtures);
	h->subs = cJSON_CreateArray();
	if (getrandom(&h->rng, sizeof(h->rng), GRND_NONBLOCK) !=
	    (ssize_t)sizeof(h->rng)) {
		clock_gettime(CLOCK_REALTIME, &ts);
		h->rng = (uint64_t)ts.tv_nsec ^ ((uint64_t)ts.tv_sec << 20) ^
		    ((uint64_t)getpid() << 40);
	}
	return h;
}

void
fake_hooks_clear(struct fake_hooks *h)
{
	cJSON_Delete(h->subs);
	h->subs = cJSON_CreateArray();
}

void
fake_hooks_free(struct fake_hooks *h)
{
	if (!h)
		return;
	cJSON_Delete(h->subs);
	free(h->fixtures);
	free(h);
}

/* ---- projects ---- */

/*
 * Read a whole file into out. Returns 0, or -1 with errno set (EFBIG when
 * it is over the ceiling of out).
 */
/*
 * The projects of DIR/projects.json (an empty array when there is no such
 * file), or NULL after a 500 answer naming the broken fixture.
 */
static cJSON *
fake_hooks_projects(const struct fake_hooks *h, struct fake_reply *reply)
{
	const cJSON *p;
	char path[PATH_MAX];
	struct strbuf text;
	cJSON *doc = NULL;
	int n;

	strbuf_init(&text, FAKE_HOOKS_MAX_PROJECTS_FILE);
	n = snprintf(path, sizeof(path), "%s/projects.json", h->fixtures);
	if (n < 0 || (size_t)n >= sizeof(path)) {
		errno = ENAMETOOLONG;
		goto fail;
	}
	if (fake_file_read(path, &text) == -1) {
		if (errno == ENOENT) {
			doc = cJSON_CreateArray();
			goto out;
		}
		goto fail;
	}
	doc = cJSON_ParseWithLength(text.buf, text.len);
	if (!cJSON_IsArray(doc))
		goto broken;
	cJSON_ArrayForEach (p, doc) {
		const char *id = fake_hooks_string(p, "id");
		const char *name = fake_hooks_string(p, "name");

		if (!id || !fake_hooks_is_guid(id) || !name || !name[0])
			goto broken;
	}
	goto out;

broken:
	cJSON_Delete(doc);
	doc = NULL;
	log_warnx("fake-ado: fixture '%s' is not a JSON array of "
		  "{\"id\": GUID, \"name\": ...}",
	    path);
	fake_reply_error(reply, 500, TYPE_FIXTURE,
	    "fake-ado: fixture '%s' is not a JSON array of "
	    "{\"id\": GUID, \"name\": ...}",
	    path);
	goto out;
fail:
	log_warn("fake-ado: cannot read fixture '%s'", path);
	fake_reply_error(reply, 500, TYPE_FIXTURE,
	    "fake-ado: cannot read fixture '%s': %s", path, strerror(errno));
out:
	strbuf_release(&text);
	return doc;
}

/* the project named (any case) or identified by key, or NULL */
static const cJSON *
fake_hooks_find_project(const cJSON *projects, const char *key)
{
	const cJSON *p;

	cJSON_ArrayForEach (p, projects) {
		if (strcasecmp(fake_hooks_string(p, "id"), key) == 0 ||
		    strcasecmp(fake_hooks_string(p, "name"), key) == 0)
			return p;
	}
	return NULL;
}

/* a TeamProject as GET _apis/projects/{id} returns it */
static cJSON *
fake_hooks_project(const cJSON *p, const char *base_url)
{
	const char *id = fake_hooks_string(p, "id");
	const char *name = fake_hooks_string(p, "name");
	const char *description = fake_hooks_string(p, "description");
	const char *visibility = fake_hooks_string(p, "visibility");
	char lower[FAKE_HOOKS_GUID_LEN + 1], escaped[1024];
	cJSON *o = cJSON_CreateObject(), *links;
	char url[4096];

	for (size_t i = 0; i <= FAKE_HOOKS_GUID_LEN; i++)
		lower[i] = (char)tolower((unsigned char)id[i]);
	(void)snprintf(
	    url, sizeof(url), "%s/_apis/projects/%s", base_url, lower);
	cJSON_AddStringToObject(o, "id", lower);
	cJSON_AddStringToObject(o, "name", name);
	if (description)
		cJSON_AddStringToObject(o, "description", description);
	cJSON_AddStringToObject(o, "url", url);
	cJSON_AddStringToObject(o, "state", "wellFormed");
	cJSON_AddNumberToObject(o, "revision", 11);
	links = cJSON_AddObjectToObject(o, "_links");
	fake_hooks_link(links, "self", "%s", url);
	fake_hooks_link(links, "collection", "%s/_apis/projectCollections/%s",
	    base_url, FAKE_COLLECTION_ID);
	fake_path_escape(name, escaped, sizeof(escaped));
	fake_hooks_link(links, "web", "%s/%s", base_url, escaped);
	cJSON_AddStringToObject(
	    o, "visibility", visibility ? visibility : "private");
	cJSON_AddStringToObject(o, "lastUpdateTime", "2025-01-06T09:41:12.52Z");
	return o;
}

static void
fake_hooks_project_not_found(const char *key, struct fake_reply *reply)
{
	fake_reply_error(reply, 404,
	    fake_hooks_is_guid(key) ? TYPE_NO_PROJECT : TYPE_NO_PROJECT_NAME,
	    "TF200016: The following project does not exist: %s. Verify that "
	    "the name of the project is correct and that the project exists "
	    "on the specified Azure DevOps Server.",
	    key);
}

static void
fake_hooks_get_projects(const struct fake_hooks *h, const char *key,
    const char *base_url, struct fake_reply *reply)
{
	cJSON *projects, *out = NULL, *value;
	const cJSON *p;

	projects = fake_hooks_projects(h, reply);
	if (!projects)
		return;
	if (key) {
		p = fake_hooks_find_project(projects, key);
		if (!p) {
			fake_hooks_project_not_found(key, reply);
			goto out;
		}
		out = fake_hooks_project(p, base_url);
	} else {
		out = cJSON_CreateObject();
		cJSON_AddNumberToObject(
		    out, "count", cJSON_GetArraySize(projects));
		value = cJSON_AddArrayToObject(out, "value");
		cJSON_ArrayForEach (p, projects)
			cJSON_AddItemToArray(
			    value, fake_hooks_project(p, base_url));
	}
	(void)fake_reply_json(reply, 200, out);
out:
	cJSON_Delete(out);
	cJSON_Delete(projects);
}

/* ---- subscriptions ---- */

/*
 * The host of an http(s) URL into host (size bytes). Returns 1 for https,
 * 0 for http, -1 when url is not an absolute http(s) URL with a host.
 */
static int
fake_hooks_url_host(const char *url, char *host, size_t size)
{
	const char *p, *end, *at, *h;
	size_t len;
	int https;

	for (p = url; *p; p++)
		if ((unsigned char)*p <= ' ' || *p == 0x7f)
			return -1;
	if (strncasecmp(url, "https://", 8) == 0)
		https = 1;
	else if (strncasecmp(url, "http://", 7) == 0)
		https = 0;
	else
		return -1;
	p = url + (https ? 8 : 7);
	end = p + strcspn(p, "/?#");
	/* user info is not a place for credentials: basicAuth* is */
	at = memchr(p, '@', (size_t)(end - p));
	if (at)
		return -1;
	h = p;
	if (*h == '[') {
		p = memchr(h, ']', (size_t)(end - h));
		if (!p)
			return -1;
		p++;
	} else {
		p = memchr(h, ':', (size_t)(end - h));
		if (!p)
			p = end;
	}
	len = (size_t)(p - h);
	if (len == 0 || len >= size ||
	    strspn(h,
		*h == '[' ? "[]:.0123456789abcdefABCDEF" :
			    "abcdefghijklmnopqrstuvwxyz"
			    "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.-") < len)
		return -1;
	if (p < end &&
	    (*p != ':' || p + 1 == end ||
		strspn(p + 1, "0123456789") != (size_t)(end - p - 1)))
		return -1;
	memcpy(host, h, len);
	host[len] = '\0';
	return https;
}

/* localhost, 127.x.y.z or [::1] */
static int
fake_hooks_is_loopback(const char *host)
{
	if (strcasecmp(host, "localhost") == 0 || strcmp(host, "[::1]") == 0)
		return 1;
	return strncmp(host, "127.", 4) == 0 &&
	    strspn(host + 4, "0123456789.") == strlen(host + 4);
}

/*
 * Copy the inputs object member of doc into a new object with the
 * canonical key names of allowed (keys match in any case; null values are
 * dropped). Returns it, or NULL after a 400 answer.
 */
static cJSON *
fake_hooks_inputs(const cJSON *doc, const char *member,
    const char *const *allowed, const char *event_type,
    struct fake_reply *reply)
{
	const cJSON *in = cJSON_GetObjectItemCaseSensitive(doc, member);
	cJSON *out = cJSON_CreateObject();
	const cJSON *item;
	const char *key;

	if (!cJSON_IsObject(in)) {
		fake_reply_error(reply, 400, TYPE_ARGUMENT_NULL,
		    "Value cannot be null.\r\nParameter name: subscription.%s",
		    member);
		goto fail;
	}
	cJSON_ArrayForEach (item, in) {
		if (cJSON_IsNull(item))
			continue;
		key = item->string ? fake_hooks_lookup(allowed, item->string) :
				     NULL;
		if (!key) {
			fake_hooks_bad(reply,
			    "The input '%s' is not supported by the event type "
			    "'%s' and consumer action 'webHooks/httpRequest'."
			    "\r\nParameter name: subscription.%s",
			    item->string ? item->string : "", event_type,
			    member);
			goto fail;
		}
		if (!cJSON_IsString(item) ||
		    strlen(item->valuestring) > FAKE_HOOKS_MAX_INPUT) {
			fake_hooks_bad(reply,
			    "The value of input '%s' must be a string of at "
			    "most %d characters.\r\nParameter name: "
			    "subscription.%s",
			    key, FAKE_HOOKS_MAX_INPUT, member);
			goto fail;
		}
		if (cJSON_GetObjectItemCaseSensitive(out, key)) {
			fake_hooks_bad(reply,
			    "The input '%s' is given twice.\r\nParameter name: "
			    "subscription.%s",
			    key, member);
			goto fail;
		}
		cJSON_AddStringToObject(out, key, item->valuestring);
	}
	return out;
fail:
	cJSON_Delete(out);
	return NULL;
}

/* input key of inputs, when given and not "", must be one of values */
static int
fake_hooks_check_enum(const cJSON *inputs, const char *key,
    const char *const *values, struct fake_reply *reply)
{
	const char *v = fake_hooks_string(inputs, key);
	struct strbuf list;

	if (!v || !v[0] || fake_hooks_lookup(values, v))
		return 0;
	strbuf_init(&list, 1024);
	for (const char *const *p = values; *p; p++)
		(void)strbuf_addf(&list, "%s%s", p == values ? "" : ", ", *p);
	fake_hooks_bad(reply,
	    "The value '%s' of input '%s' is not valid: expected one of %s.", v,
	    key, list.buf);
	strbuf_release(&list);
	return -1;
}

static const struct fake_hooks_event *
fake_hooks_find_event(const char *type)
{
	for (size_t i = 0; type && i < ARRAY_SIZE(fake_hooks_events); i++)
		if (strcasecmp(fake_hooks_events[i].type, type) == 0)
			return &fake_hooks_events[i];
	return NULL;
}

/* 1.0, 2.0, 1.0-preview.1, latest */
static int
fake_hooks_resource_version_ok(const char *v)
{
	size_t n;

	if (strcasecmp(v, "latest") == 0)
		return 1;
	n = strspn(v, "0123456789");
	if (n == 0 || v[n] != '.')
		return 0;
	v += n + 1;
	n = strspn(v, "0123456789");
	if (n == 0)
		return 0;
	v += n;
	if (*v == '\0')
		return 1;
	if (strncmp(v, "-preview", 8) != 0)
		return 0;
	v += 8;
	if (*v == '\0')
		return 1;
	return v[0] == '.' && v[1] &&
	    strspn(v + 1, "0123456789") == strlen(v + 1);
}

/*
 * Check the values of publisherInputs: a known projectId, a GUID for
 * repository, known notificationType and mergeResult values.
 * Returns 0, or -1 after a 400 (or 500 for a broken fixture) answer.
 */
static int
fake_hooks_check_publisher(
    const struct fake_hooks *h, const cJSON *pin, struct fake_reply *reply)
{
	const char *project = fake_hooks_string(pin, "projectId");
	const char *repo = fake_hooks_string(pin, "repository");
	cJSON *projects = NULL;
	int ret = -1;

	if (!project || !project[0]) {
		fake_reply_error(reply, 400, TYPE_ARGUMENT_NULL,
		    "Value cannot be null.\r\nParameter name: "
		    "subscription.PublisherInputs.projectId");
		goto out;
	}
	if (!fake_hooks_is_guid(project)) {
		fake_hooks_bad(reply,
		    "The value '%s' of input 'projectId' is not a GUID.",
		    project);
		goto out;
	}
	projects = fake_hooks_projects(h, reply);
	if (!projects)
		goto out;
	if (!fake_hooks_find_project(projects, project)) {
		fake_hooks_bad(reply,
		    "TF200016: The following project does not exist: %s. "
		    "Verify that the name of the project is correct and that "
		    "the project exists on the specified Azure DevOps Server.",
		    project);
		goto out;
	}
	if (repo && repo[0] && !fake_hooks_is_guid(repo)) {
		fake_hooks_bad(reply,
		    "The value '%s' of input 'repository' is not a repository "
		    "id (a GUID).",
		    repo);
		goto out;
	}
	if (fake_hooks_check_enum(
		pin, "notificationType", notification_types, reply) == -1 ||
	    fake_hooks_check_enum(pin, "mergeResult", merge_results, reply) ==
		-1)
		goto out;
	ret = 0;
out:
	cJSON_Delete(projects);
	return ret;
}

/*
 * Check consumerInputs; the host of the url goes to host. Returns 0, or
 * -1 after a 400 answer.
 */
static int
fake_hooks_check_consumer(
    const cJSON *cin, char *host, size_t size, struct fake_reply *reply)
{
	const char *url = fake_hooks_string(cin, "url");
	const char *user = fake_hooks_string(cin, "basicAuthUsername");
	const char *pass = fake_hooks_string(cin, "basicAuthPassword");
	int https;

	if (!url || !url[0]) {
		fake_reply_error(reply, 400, TYPE_ARGUMENT_NULL,
		    "Value cannot be null.\r\nParameter name: "
		    "subscription.ConsumerInputs.url");
		return -1;
	}
	https = strlen(url) > FAKE_HOOKS_MAX_URL ?
	    -1 :
	    fake_hooks_url_host(url, host, size);
	if (https == -1) {
		fake_hooks_bad(reply,
		    "The value '%s' of input 'url' is not an absolute http or "
		    "https URL.",
		    url);
		return -1;
	}
	if (!https && ((user && user[0]) || (pass && pass[0])) &&
	    !fake_hooks_is_loopback(host)) {
		fake_hooks_bad(reply,
		    "Basic authentication requires an https URL; '%s' is "
		    "http.",
		    url);
		return -1;
	}
	if (fake_hooks_check_enum(
		cin, "resourceDetailsToSend", resource_details, reply) == -1 ||
	    fake_hooks_check_enum(
		cin, "messagesToSend", message_kinds, reply) == -1 ||
	    fake_hooks_check_enum(
		cin, "detailedMessagesToSend", message_kinds, reply) == -1 ||
	    fake_hooks_check_enum(
		cin, "acceptUntrustedCerts", booleans, reply) == -1)
		return -1;
	return 0;
}

/* "Repository R, branch B, notification type N" or "Any repository" */
static void
fake_hooks_event_description(const cJSON *pin, char *buf, size_t size)
{
	static const char *const parts[][2] = {{"repository", "Repository "},
	    {"branch", "branch "}, {"notificationType", "notification type "},
	    {"mergeResult", "merge result "}};
	struct strbuf sb;

	strbuf_init(&sb, size);
	for (size_t i = 0; i < ARRAY_SIZE(parts); i++) {
		const char *v = fake_hooks_string(pin, parts[i][0]);

		if (i == 0 && (!v || !v[0]))
			(void)strbuf_addstr(&sb, "Any repository");
		else if (v && v[0])
			(void)strbuf_addf(
			    &sb, "%s%s%s", i ? ", " : "", parts[i][1], v);
	}
	(void)snprintf(buf, size, "%s", sb.buf);
	strbuf_release(&sb);
}

/* IdentityRef of who, the creator or modifier of a subscription */
static cJSON *
fake_hooks_identity(const char *base_url, const struct fake_identity *who)
{
	cJSON *o = cJSON_CreateObject();
	char url[4096];

	cJSON_AddStringToObject(o, "displayName", who->display_name);
	(void)snprintf(
	    url, sizeof(url), "%s/_apis/Identities/%s", base_url, who->id);
	cJSON_AddStringToObject(o, "url", url);
	cJSON_AddStringToObject(o, "id", who->id);
	cJSON_AddStringToObject(o, "uniqueName", who->unique_name);
	return o;
}

/* a copy of sub as the REST API shows it: the Basic password masked */
static cJSON *
fake_hooks_masked(const cJSON *sub)
{
	cJSON *copy = cJSON_Duplicate(sub, 1);
	cJSON *cin = cJSON_GetObjectItemCaseSensitive(copy, "consumerInputs");

	if (fake_hooks_string(cin, "basicAuthPassword"))
		cJSON_ReplaceItemInObjectCaseSensitive(cin, "basicAuthPassword",
		    cJSON_CreateString(FAKE_HOOKS_MASK));
	return copy;
}

static void
fake_hooks_create(struct fake_hooks *h, const struct fake_git_request *req,
    const char *base_url, struct fake_reply *reply)
{
	const struct fake_hooks_event *ev;
	const char *publisher, *consumer, *action, *version;
	cJSON *doc = NULL, *sub = NULL, *pin = NULL, *cin = NULL, *links;
	cJSON *masked = NULL;
	char id[FAKE_HOOKS_GUID_LEN + 1], tfs_id[FAKE_HOOKS_GUID_LEN + 1];
	char host[FAKE_HOOKS_MAX_URL + 1], url[4096], now[64], text[4200];
	const cJSON *v;

	doc = cJSON_ParseWithLength(req->body, req->body_len);
	if (!cJSON_IsObject(doc)) {
		fake_reply_error(reply, 400, TYPE_ARGUMENT_NULL,
		    "Value cannot be null.\r\nParameter name: subscription");
		goto out;
	}
	if (cJSON_GetArraySize(h->subs) >= FAKE_HOOKS_MAX_SUBSCRIPTIONS) {
		fake_reply_error(reply, 400, TYPE_LIMIT,
		    "fake-ado: there are %d subscriptions already",
		    FAKE_HOOKS_MAX_SUBSCRIPTIONS);
		goto out;
	}
	publisher = fake_hooks_string(doc, "publisherId");
	if (!publisher || strcasecmp(publisher, "tfs") != 0) {
		fake_hooks_bad(reply,
		    "The publisher '%s' does not exist (this server has "
		    "'tfs').\r\nParameter name: subscription.PublisherId",
		    publisher ? publisher : "");
		goto out;
	}
	ev = fake_hooks_find_event(fake_hooks_string(doc, "eventType"));
	if (!ev) {
		v = cJSON_GetObjectItemCaseSensitive(doc, "eventType");
		fake_hooks_bad(reply,
		    "The event type '%s' is not supported by publisher "
		    "'tfs'.\r\nParameter name: subscription.EventType",
		    cJSON_IsString(v) ? v->valuestring : "");
		goto out;
	}
	consumer = fake_hooks_string(doc, "consumerId");
	action = fake_hooks_string(doc, "consumerActionId");
	if (!consumer || strcasecmp(consumer, "webHooks") != 0 || !action ||
	    strcasecmp(action, "httpRequest") != 0) {
		fake_hooks_bad(reply,
		    "The consumer action '%s/%s' does not exist (this server "
		    "has 'webHooks/httpRequest').\r\nParameter name: "
		    "subscription.ConsumerActionId",
		    consumer ? consumer : "", action ? action : "");
		goto out;
	}
	v = cJSON_GetObjectItemCaseSensitive(doc, "resourceVersion");
	version = "latest";
	if (v && !cJSON_IsNull(v)) {
		if (!cJSON_IsString(v) ||
		    !fake_hooks_resource_version_ok(v->valuestring)) {
			fake_hooks_bad(reply,
			    "The resource version is not valid.\r\nParameter "
			    "name: subscription.ResourceVersion");
			goto out;
		}
		version = v->valuestring;
	}
	pin = fake_hooks_inputs(
	    doc, "publisherInputs", ev->inputs, ev->type, reply);
	if (!pin || fake_hooks_check_publisher(h, pin, reply) == -1)
		goto out;
	cin = fake_hooks_inputs(
	    doc, "consumerInputs", consumer_inputs, ev->type, reply);
	if (!cin ||
	    fake_hooks_check_consumer(cin, host, sizeof(host), reply) == -1)
		goto out;

	/* what the service adds */
	fake_hooks_new_guid(h, id, sizeof(id));
	fake_hooks_new_guid(h, tfs_id, sizeof(tfs_id));
	cJSON_DeleteItemFromObjectCaseSensitive(pin, "tfsSubscriptionId");
	cJSON_AddStringToObject(pin, "tfsSubscriptionId", tfs_id);
	fake_reply_now(now, sizeof(now));
	(void)snprintf(
	    url, sizeof(url), "%s/_apis/hooks/subscriptions/%s", base_url, id);

	sub = cJSON_CreateObject();
	cJSON_AddStringToObject(sub, "id", id);
	cJSON_AddStringToObject(sub, "url", url);
	cJSON_AddStringToObject(sub, "status", "enabled");
	cJSON_AddStringToObject(sub, "publisherId", "tfs");
	cJSON_AddStringToObject(sub, "eventType", ev->type);
	fake_hooks_event_description(pin, text, sizeof(text));
	cJSON_AddStringToObject(sub, "eventDescription", text);
	cJSON_AddStringToObject(sub, "resourceVersion", version);
	cJSON_AddStringToObject(sub, "consumerId", "webHooks");
	cJSON_AddStringToObject(sub, "consumerActionId", "httpRequest");
	(void)snprintf(text, sizeof(text), "To host %s", host);
	cJSON_AddStringToObject(sub, "actionDescription", text);
	cJSON_AddItemToObject(
	    sub, "createdBy", fake_hooks_identity(base_url, req->caller));
	cJSON_AddStringToObject(sub, "createdDate", now);
	cJSON_AddItemToObject(
	    sub, "modifiedBy", fake_hooks_identity(base_url, req->caller));
	cJSON_AddStringToObject(sub, "modifiedDate", now);
	cJSON_AddItemToObject(sub, "publisherInputs", pin);
	pin = NULL;
	cJSON_AddItemToObject(sub, "consumerInputs", cin);
	cin = NULL;
	links = cJSON_AddObjectToObject(sub, "_links");
	fake_hooks_link(links, "self", "%s", url);
	fake_hooks_link(
	    links, "consumer", "%s/_apis/hooks/consumers/webHooks", base_url);
	fake_hooks_link(links, "actions",
	    "%s/_apis/hooks/consumers/webHooks/actions", base_url);
	fake_hooks_link(links, "notifications", "%s/notifications", url);
	fake_hooks_link(
	    links, "publisher", "%s/_apis/hooks/publishers/tfs", base_url);

	cJSON_AddItemToArray(h->subs, sub);
	masked = fake_hooks_masked(sub);
	sub = NULL;
	(void)fake_reply_json(reply, 200, masked);
out:
	cJSON_Delete(masked);
	cJSON_Delete(cin);
	cJSON_Delete(pin);
	cJSON_Delete(sub);
	cJSON_Delete(doc);
}

/* the stored subscription with id (any case), or NULL */
static cJSON *
fake_hooks_find(const struct fake_hooks *h, const char *id)
{
	cJSON *sub;

	cJSON_ArrayForEach (sub, h->subs)
		if (strcasecmp(fake_hooks_string(sub, "id"), id) == 0)
			return sub;
	return NULL;
}

static void
fake_hooks_not_found(const char *id, struct fake_reply *reply)
{
	fake_reply_error(reply, 404, TYPE_NO_SUBSCRIPTION,
	    "The subscription with id '%s' does not exist.", id);
}

/* does member key of sub equal the query argument key (when given)? */
static int
fake_hooks_filter(
    const cJSON *sub, struct MHD_Connection *conn, const char *key)
{
	const char *want = fake_git_arg(conn, key);
	const char *have = fake_hooks_string(sub, key);

	return !want || !want[0] || (have && strcasecmp(want, have) == 0);
}

static void
fake_hooks_list(const struct fake_hooks *h, struct MHD_Connection *conn,
    struct fake_reply *reply)
{
	static const char *const filters[] = {
	    "publisherId", "eventType", "consumerId", "consumerActionId"};
	cJSON *out = cJSON_CreateObject(), *value;
	const cJSON *sub;
	int count = 0;
	size_t i;

	value = cJSON_CreateArray();
	cJSON_ArrayForEach (sub, h->subs) {
		for (i = 0; i < ARRAY_SIZE(filters); i++)
			if (!fake_hooks_filter(sub, conn, filters[i]))
				break;
		if (i < ARRAY_SIZE(filters))
			continue;
		cJSON_AddItemToArray(value, fake_hooks_masked(sub));
		count++;
	}
	cJSON_AddNumberToObject(out, "count", count);
	cJSON_AddItemToObject(out, "value", value);
	(void)fake_reply_json(reply, 200, out);
	cJSON_Delete(out);
}

static void
fake_hooks_one(struct fake_hooks *h, const char *method, const char *id,
    struct fake_reply *reply)
{
	cJSON *sub = fake_hooks_find(h, id), *masked;

	if (!sub) {
		fake_hooks_not_found(id, reply);
		return;
	}
	if (strcmp(method, "DELETE") == 0) {
		cJSON_Delete(cJSON_DetachItemViaPointer(h->subs, sub));
		fake_reply_raw(reply, 204, NULL, "", 0);
		return;
	}
	masked = fake_hooks_masked(sub);
	(void)fake_reply_json(reply, 200, masked);
	cJSON_Delete(masked);
}

/* 405 unless method is one of the comma-separated allowed; -1 then */
static int
fake_hooks_method(const char *method, const char *allowed,
    const struct fake_git_request *req, struct fake_reply *reply)
{
	if (fake_git_allowed(allowed, method))
		return 0;
	fake_reply_error(reply, 405, TYPE_METHOD,
	    "The requested resource does not support http method '%s'.",
	    req->method);
	(void)fake_reply_header(reply, "Allow", "%s", allowed);
	return -1;
}

int
fake_hooks_serve(struct fake_hooks *h, const struct fake_git_request *req,
    struct fake_reply *reply)
{
	char *seg[FAKE_HOOKS_MAX_SEGMENTS], *path;
	char org[256], base_url[1024];
	const char *method;
	size_t nseg;
	int ret = 0;

	method = strcmp(req->method, "HEAD") == 0 ? "GET" : req->method;
	path = xstrdup(req->path);
	if (fake_path_split(path, seg, ARRAY_SIZE(seg), &nseg) == -1 ||
	    nseg < 3 || strcasecmp(seg[1], "_apis") != 0)
		goto out;
	fake_path_escape(seg[0], org, sizeof(org));
	(void)snprintf(base_url, sizeof(base_url), "%s/%s", req->host_url, org);
	if (strcasecmp(seg[2], "projects") == 0 && nseg <= 4) {
		ret = 1;
		if (fake_hooks_method(method, "GET", req, reply) == 0)
			fake_hooks_get_projects(
			    h, nseg == 4 ? seg[3] : NULL, base_url, reply);
	} else if (strcasecmp(seg[2], "hooks") == 0 && nseg == 4 &&
	    strcasecmp(seg[3], "subscriptions") == 0) {
		ret = 1;
		if (fake_hooks_method(method, "GET, POST", req, reply) == -1)
			goto out;
		if (strcmp(method, "GET") == 0)
			fake_hooks_list(h, req->conn, reply);
		else
			fake_hooks_create(h, req, base_url, reply);
	} else if (strcasecmp(seg[2], "hooks") == 0 && nseg == 5 &&
	    strcasecmp(seg[3], "subscriptions") == 0) {
		ret = 1;
		if (fake_hooks_method(method, "GET, DELETE", req, reply) == 0)
			fake_hooks_one(h, method, seg[4], reply);
	} else if (strcasecmp(seg[2], "hooks") == 0 ||
	    strcasecmp(seg[2], "projects") == 0) {
		ret = 1;
		fake_reply_error(reply, 404, TYPE_ROUTE_NOT_FOUND,
		    "The resource '%s' was not found: no %s route for it.",
		    req->path, req->method);
	}
out:
	free(path);
	return ret;
}

void
fake_hooks_dump(struct fake_hooks *h, struct fake_reply *reply)
{
	(void)fake_reply_json(reply, 200, h->subs);
}
