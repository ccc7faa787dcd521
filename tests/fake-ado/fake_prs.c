/*
 * fake_prs.c: comment threads and statuses of the fake Azure DevOps server
 * (see fake_prs.h).
 */
#include "fake_prs.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "xmalloc.h"
#include "banned.h"

#define TYPE_ARGUMENT      "System.ArgumentException, mscorlib"
#define TYPE_ARGUMENT_NULL "System.ArgumentNullException, mscorlib"
#define TYPE_THREAD_NOT_FOUND                         \
	"Microsoft.TeamFoundation.Discussion.Server." \
	"DiscussionThreadNotFoundException, "         \
	"Microsoft.TeamFoundation.Discussion.Server"
#define TYPE_COMMENT_NOT_FOUND                        \
	"Microsoft.TeamFoundation.Discussion.Server." \
	"DiscussionCommentNotFoundException, "        \
	"Microsoft.TeamFoundation.Discussion.Server"
#define TYPE_LIMIT                                   \
	"Microsoft.TeamFoundation.Framework.Server." \
	"LimitExceededException, Microsoft.TeamFoundation.Framework.Server"

struct fake_pr {
	char *repo;
	long id;
	cJSON *threads; /* array of threads in read form */
	long next_thread;
	cJSON *statuses; /* array of statuses, oldest first */
	long next_status;
	struct fake_pr *next;
};

struct fake_prs {
	struct fake_pr *head;
};

static const char *const thread_states[] = {
    "unknown", "active", "fixed", "wontFix", "closed", "byDesign", "pending"};
static const char *const comment_types[] = {
    "unknown", "text", "codeChange", "system"};
static const char *const status_states[] = {
    "notSet", "pending", "succeeded", "failed", "error", "notApplicable"};

struct fake_prs *
fake_prs_new(void)
{
	return xcalloc(1, sizeof(struct fake_prs));
}

void
fake_prs_clear(struct fake_prs *prs)
{
	struct fake_pr *p = prs->head, *next;

	while (p) {
		next = p->next;
		free(p->repo);
		cJSON_Delete(p->threads);
		cJSON_Delete(p->statuses);
		free(p);
		p = next;
	}
	prs->head = NULL;
}

void
fake_prs_free(struct fake_prs *prs)
{
	if (!prs)
		return;
	fake_prs_clear(prs);
	free(prs);
}

static void fake_prs_add_link(
    cJSON *links, const char *rel, const char *fmt, ...) PRINTF_LIKE(3, 4);

static void
fake_prs_add_link(cJSON *links, const char *rel, const char *fmt, ...)
{
	char href[2048];
	cJSON *link;
	va_list ap;

	va_start(ap, fmt);
	(void)vsnprintf(href, sizeof(href), fmt, ap);
	va_end(ap);
	link = cJSON_AddObjectToObject(links, rel);
	cJSON_AddStringToObject(link, "href", href);
}

/* IdentityRef of who: a PAT owner, or the service */
static cJSON *
fake_prs_identity(const struct fake_pr_ref *pr, const struct fake_identity *who)
{
	const char *id = who->id;
	cJSON *o = cJSON_CreateObject();
	char url[2048];
	cJSON *links;

	cJSON_AddStringToObject(o, "displayName", who->display_name);
	(void)snprintf(
	    url, sizeof(url), "%s/_apis/Identities/%s", pr->base_url, id);
	cJSON_AddStringToObject(o, "url", url);
	links = cJSON_AddObjectToObject(o, "_links");
	fake_prs_add_link(links, "avatar",
	    "%s/_apis/GraphProfile/MemberAvatars/%s", pr->base_url, id);
	cJSON_AddStringToObject(o, "id", id);
	cJSON_AddStringToObject(o, "uniqueName", who->unique_name);
	(void)snprintf(url, sizeof(url), "%s/_api/_common/identityImage?id=%s",
	    pr->base_url, id);
	cJSON_AddStringToObject(o, "imageUrl", url);
	return o;
}

/* Length in UTF-16 code units, the way .NET counts string length. */
static size_t
fake_prs_utf16_len(const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t n = 0;

	for (; *p; p++) {
		if ((*p & 0xC0) == 0x80)
			continue;
		n += *p >= 0xF0 ? 2 : 1;
	}
	return n;
}

/* A new comment by author in read form. */
static cJSON *
fake_prs_comment(const struct fake_pr_ref *pr, long thread_id, long id,
    long parent, const char *content, const char *type,
    const struct fake_identity *author, const char *now)
{
	cJSON *c = cJSON_CreateObject();
	cJSON *links;

	cJSON_AddNumberToObject(c, "id", (double)id);
	cJSON_AddNumberToObject(c, "parentCommentId", (double)parent);
	cJSON_AddItemToObject(c, "author", fake_prs_identity(pr, author));
	cJSON_AddStringToObject(c, "content", content);
	cJSON_AddStringToObject(c, "publishedDate", now);
	cJSON_AddStringToObject(c, "lastUpdatedDate", now);
	cJSON_AddStringToObject(c, "lastContentUpdatedDate", now);
	cJSON_AddStringToObject(c, "commentType", type);
	cJSON_AddFalseToObject(c, "isDeleted");
	cJSON_AddArrayToObject(c, "usersLiked");
	links = cJSON_AddObjectToObject(c, "_links");
	fake_prs_add_link(links, "self",
	    "%s/pullRequests/%ld/threads/%ld/comments/%ld", pr->repo_url,
	    pr->id, thread_id, id);
	fake_prs_add_link(links, "repository", "%s", pr->repo_url);
	fake_prs_add_link(links, "threads", "%s/pullRequests/%ld/threads/%ld",
	    pr->repo_url, pr->id, thread_id);
	fake_prs_add_link(
	    links, "pullRequests", "%s/pullRequests/%ld", pr->repo_url, pr->id);
	return c;
}

/* A property in read form: {"$type": type, "$value": value} */
static cJSON *
fake_prs_property(const char *type, cJSON *value)
{
	cJSON *p = cJSON_CreateObject();

	cJSON_AddStringToObject(p, "$type", type);
	cJSON_AddItemToObject(p, "$value", value);
	return p;
}

/* A new thread without comments; the caller adds them. */
static cJSON *
fake_prs_thread(const struct fake_pr_ref *pr, long id, const char *now)
{
	cJSON *t = cJSON_CreateObject();
	cJSON *links;

	cJSON_AddNullToObject(t, "pullRequestThreadContext");
	cJSON_AddNumberToObject(t, "id", (double)id);
	cJSON_AddStringToObject(t, "publishedDate", now);
	cJSON_AddStringToObject(t, "lastUpdatedDate", now);
	cJSON_AddArrayToObject(t, "comments");
	cJSON_AddNullToObject(t, "threadContext");
	cJSON_AddObjectToObject(t, "properties");
	cJSON_AddNullToObject(t, "identities");
	cJSON_AddFalseToObject(t, "isDeleted");
	links = cJSON_AddObjectToObject(t, "_links");
	fake_prs_add_link(links, "self", "%s/pullRequests/%ld/threads/%ld",
	    pr->repo_url, pr->id, id);
	fake_prs_add_link(links, "repository", "%s", pr->repo_url);
	return t;
}

/*
 * Set the thread's status; "unknown" (0) is the default, which the service
 * leaves out of its answers.
 */
static void
fake_prs_set_thread_status(cJSON *thread, size_t state)
{
	cJSON *s;

	if (state == 0) {
		cJSON_DeleteItemFromObjectCaseSensitive(thread, "status");
		return;
	}
	s = cJSON_CreateString(thread_states[state]);
	if (cJSON_GetObjectItemCaseSensitive(thread, "status")) {
		cJSON_ReplaceItemInObjectCaseSensitive(thread, "status", s);
	} else {
		cJSON_AddItemToObject(thread, "status", s);
	}
}

/* ADO's own reviewers-update thread every pull request starts with */
static cJSON *
fake_prs_system_thread(const struct fake_pr_ref *pr, const char *now)
{
	cJSON *t = fake_prs_thread(pr, 1, now);
	cJSON *props = cJSON_GetObjectItemCaseSensitive(t, "properties");

	cJSON_AddItemToArray(cJSON_GetObjectItemCaseSensitive(t, "comments"),
	    fake_prs_comment(pr, 1, 1, 0,
		FAKE_IDENTITY_MEMBER_NAME " added Data Reviewers as a reviewer",
		"system", &fake_identity_tfs, now));
	cJSON_AddItemToObject(props, "CodeReviewThreadType",
	    fake_prs_property(
		"System.String", cJSON_CreateString("ReviewersUpdate")));
	cJSON_AddItemToObject(props, "CodeReviewReviewersUpdatedNumAdded",
	    fake_prs_property("System.Int32", cJSON_CreateNumber(1)));
	cJSON_AddItemToObject(props, "CodeReviewReviewersUpdatedByIdentity",
	    fake_prs_property("System.String", cJSON_CreateString("1")));
	return t;
}

/* The state of pr, created (and seeded) on first use. */
static struct fake_pr *
fake_prs_get(struct fake_prs *prs, const struct fake_pr_ref *ref)
{
	struct fake_pr *p;
	char now[64];

	for (p = prs->head; p; p = p->next)
		if (p->id == ref->id && strcmp(p->repo, ref->repo) == 0)
			return p;
	p = xcalloc(1, sizeof(*p));
	p->repo = xstrdup(ref->repo);
	p->id = ref->id;
	fake_reply_now(now, sizeof(now));
	p->threads = cJSON_CreateArray();
	cJSON_AddItemToArray(p->threads, fake_prs_system_thread(ref, now));
	p->next_thread = 2;
	p->statuses = cJSON_CreateArray();
	p->next_status = 1;
	p->next = prs->head;
	prs->head = p;
	return p;
}

static cJSON *
fake_prs_find_id(cJSON *array, long id)
{
	cJSON *item;

	cJSON_ArrayForEach (item, array) {
		cJSON *v = cJSON_GetObjectItemCaseSensitive(item, "id");

		if (cJSON_IsNumber(v) && v->valuedouble == (double)id)
			return item;
	}
	return NULL;
}

static cJSON *
fake_prs_find_thread(
    struct fake_pr *p, long thread_id, struct fake_reply *reply)
{
	cJSON *t = fake_prs_find_id(p->threads, thread_id);

	if (!t)
		fake_reply_error(reply, 404, TYPE_THREAD_NOT_FOUND,
		    "The requested thread %ld of pull request %ld was not "
		    "found.",
		    thread_id, p->id);
	return t;
}

/* The request body as a JSON object, or NULL after a 400 answer. */
static cJSON *
fake_prs_parse(
    const char *body, size_t len, const char *param, struct fake_reply *reply)
{
	cJSON *doc = cJSON_ParseWithLength(body, len);

	if (!cJSON_IsObject(doc)) {
		cJSON_Delete(doc);
		fake_reply_error(reply, 400, TYPE_ARGUMENT_NULL,
		    "Value cannot be null.\r\nParameter name: %s", param);
		return NULL;
	}
	return doc;
}

/*
 * An enum given by name (any case) or number; returns its index, or -1
 * after a 400 answer. A missing or null value gives def.
 */
static long
fake_prs_enum(const cJSON *v, const char *const *names, size_t nnames, long def,
    int allow_number, const char *param, struct fake_reply *reply)
{
	if (!v || cJSON_IsNull(v))
		return def;
	if (cJSON_IsString(v)) {
		for (size_t i = 0; i < nnames; i++)
			if (strcasecmp(v->valuestring, names[i]) == 0)
				return (long)i;
	} else if (allow_number && cJSON_IsNumber(v)) {
		double d = v->valuedouble;

		if (d == floor(d) && d >= 0 && d < (double)nnames)
			return (long)d;
	}
	fake_reply_error(reply, 400, TYPE_ARGUMENT,
	    "The value given for %s is not valid.\r\nParameter name: %s", param,
	    param);
	return -1;
}

/* A whole number in [min, max], or -1 after a 400 answer. */
static int
fake_prs_long(const cJSON *v, long min, long max, const char *param, long *out,
    struct fake_reply *reply)
{
	if (cJSON_IsNumber(v) && v->valuedouble == floor(v->valuedouble) &&
	    v->valuedouble >= (double)min && v->valuedouble <= (double)max) {
		*out = (long)v->valuedouble;
		return 0;
	}
	fake_reply_error(reply, 400, TYPE_ARGUMENT,
	    "The value given for %s is not valid.\r\nParameter name: %s", param,
	    param);
	return -1;
}

/*
 * Merge a property bag given in write form ({"type","value"},
 * {"$type","$value"}, or a bare value) into props in read form. Returns 0,
 * or -1 after a 400 answer (props is then partly updated: the caller
 * works on a copy).
 */
static int
fake_prs_merge_properties(
    cJSON *props, const cJSON *in, struct fake_reply *reply)
{
	const cJSON *item;

	if (!in || cJSON_IsNull(in))
		return 0;
	if (!cJSON_IsObject(in))
		goto bad;
	cJSON_ArrayForEach (item, in) {
		const cJSON *type = NULL, *value = item;
		const char *type_name;

		if (!item->string || !item->string[0])
			goto bad;
		if (cJSON_IsObject(item)) {
			type = cJSON_GetObjectItemCaseSensitive(item, "$type");
			if (!type)
				type = cJSON_GetObjectItem(item, "type");
			value =
			    cJSON_GetObjectItemCaseSensitive(item, "$value");
			if (!value)
				value = cJSON_GetObjectItem(item, "value");
			if (!value)
				goto bad;
			if (type && !cJSON_IsString(type))
				goto bad;
		}
		if (type)
			type_name = type->valuestring;
		else if (cJSON_IsString(value))
			type_name = "System.String";
		else if (cJSON_IsBool(value))
			type_name = "System.Boolean";
		else if (cJSON_IsNumber(value) &&
		    value->valuedouble == floor(value->valuedouble) &&
		    fabs(value->valuedouble) <= 2147483647.0)
			type_name = "System.Int32";
		else if (cJSON_IsNumber(value))
			type_name = "System.Double";
		else
			goto bad;
		cJSON_DeleteItemFromObjectCaseSensitive(props, item->string);
		cJSON_AddItemToObject(props, item->string,
		    fake_prs_property(type_name, cJSON_Duplicate(value, 1)));
	}
	return 0;
bad:
	fake_reply_error(reply, 400, TYPE_ARGUMENT,
	    "The properties are not a valid property collection.\r\n"
	    "Parameter name: properties");
	return -1;
}

/* 400 when content is over the service's comment limit */
static int
fake_prs_check_content(const char *content, struct fake_reply *reply)
{
	if (fake_prs_utf16_len(content) <= FAKE_PRS_MAX_COMMENT_CHARS)
		return 0;
	fake_reply_error(reply, 400, TYPE_ARGUMENT,
	    "A discussion comment cannot be longer than %d characters.\r\n"
	    "Parameter name: comment.Content",
	    FAKE_PRS_MAX_COMMENT_CHARS);
	return -1;
}

static void
fake_prs_reply_list(struct fake_reply *reply, cJSON *array)
{
	cJSON *list = cJSON_CreateObject();

	cJSON_AddNumberToObject(list, "count", cJSON_GetArraySize(array));
	cJSON_AddItemReferenceToObject(list, "value", array);
	(void)fake_reply_json(reply, 200, list);
	cJSON_Delete(list);
}

void
fake_prs_list_threads(struct fake_prs *prs, const struct fake_pr_ref *pr,
    struct fake_reply *reply)
{
	fake_prs_reply_list(reply, fake_prs_get(prs, pr)->threads);
}

void
fake_prs_dump_threads(struct fake_prs *prs, const struct fake_pr_ref *pr,
    struct fake_reply *reply)
{
	(void)fake_reply_json(reply, 200, fake_prs_get(prs, pr)->threads);
}

void
fake_prs_get_thread(struct fake_prs *prs, const struct fake_pr_ref *pr,
    long thread_id, struct fake_reply *reply)
{
	cJSON *t =
	    fake_prs_find_thread(fake_prs_get(prs, pr), thread_id, reply);

	if (t)
		(void)fake_reply_json(reply, 200, t);
}

/*
 * Validate one comment of a new thread and build it with author, or NULL
 * after a 400 answer.
 */
static cJSON *
fake_prs_new_comment(const struct fake_pr_ref *pr, long thread_id, long id,
    const cJSON *in, const struct fake_identity *author, const char *now,
    struct fake_reply *reply)
{
	const cJSON *content, *parent;
	long type, parent_id = 0;

	if (!cJSON_IsObject(in)) {
		fake_reply_error(reply, 400, TYPE_ARGUMENT_NULL,
		    "Value cannot be null.\r\nParameter name: comment");
		return NULL;
	}
	content = cJSON_GetObjectItem(in, "content");
	if (!cJSON_IsString(content)) {
		fake_reply_error(reply, 400, TYPE_ARGUMENT_NULL,
		    "Value cannot be null.\r\nParameter name: comment.Content");
		return NULL;
	}
	if (fake_prs_check_content(content->valuestring, reply) == -1)
		return NULL;
	parent = cJSON_GetObjectItem(in, "parentCommentId");
	if (parent && !cJSON_IsNull(parent) &&
	    fake_prs_long(parent, 0, id - 1, "comment.ParentCommentId",
		&parent_id, reply) == -1)
		return NULL;
	type =
	    fake_prs_enum(cJSON_GetObjectItem(in, "commentType"), comment_types,
		ARRAY_SIZE(comment_types), 1, 1, "comment.CommentType", reply);
	if (type == -1)
		return NULL;
	return fake_prs_comment(pr, thread_id, id, parent_id,
	    content->valuestring, comment_types[type], author, now);
}

void
fake_prs_create_thread(struct fake_prs *prs, const struct fake_pr_ref *pr,
    const struct fake_identity *caller, const char *body, size_t len,
    struct fake_reply *reply)
{
	struct fake_pr *p = fake_prs_get(prs, pr);
	const cJSON *comments, *item, *v;
	cJSON *doc = NULL, *thread = NULL, *list, *comment;
	long state, n = 0;
	char now[64];

	doc = fake_prs_parse(body, len, "newThread", reply);
	if (!doc)
		goto out;
	if (cJSON_GetArraySize(p->threads) >= FAKE_PRS_MAX_THREADS) {
		fake_reply_error(reply, 400, TYPE_LIMIT,
		    "fake-ado: pull request %ld has %d threads already", pr->id,
		    FAKE_PRS_MAX_THREADS);
		goto out;
	}
	comments = cJSON_GetObjectItem(doc, "comments");
	if (!cJSON_IsArray(comments) || cJSON_GetArraySize(comments) == 0) {
		fake_reply_error(reply, 400, TYPE_ARGUMENT,
		    "The thread must contain at least one comment.\r\n"
		    "Parameter name: newThread.Comments");
		goto out;
	}
	fake_reply_now(now, sizeof(now));
	thread = fake_prs_thread(pr, p->next_thread, now);
	list = cJSON_GetObjectItemCaseSensitive(thread, "comments");
	cJSON_ArrayForEach (item, comments) {
		comment = fake_prs_new_comment(
		    pr, p->next_thread, ++n, item, caller, now, reply);
		if (!comment)
			goto out;
		cJSON_AddItemToArray(list, comment);
	}
	state = fake_prs_enum(cJSON_GetObjectItem(doc, "status"), thread_states,
	    ARRAY_SIZE(thread_states), 0, 1, "newThread.Status", reply);
	if (state == -1)
		goto out;
	fake_prs_set_thread_status(thread, (size_t)state);
	if (fake_prs_merge_properties(
		cJSON_GetObjectItemCaseSensitive(thread, "properties"),
		cJSON_GetObjectItem(doc, "properties"), reply) == -1)
		goto out;
	v = cJSON_GetObjectItem(doc, "threadContext");
	if (cJSON_IsObject(v))
		cJSON_ReplaceItemInObjectCaseSensitive(
		    thread, "threadContext", cJSON_Duplicate(v, 1));
	v = cJSON_GetObjectItem(doc, "pullRequestThreadContext");
	if (cJSON_IsObject(v))
		cJSON_ReplaceItemInObjectCaseSensitive(
		    thread, "pullRequestThreadContext", cJSON_Duplicate(v, 1));

	(void)fake_reply_json(reply, 200, thread);
	cJSON_AddItemToArray(p->threads, thread);
	thread = NULL;
	p->next_thread++;
out:
	cJSON_Delete(thread);
	cJSON_Delete(doc);
}

void
fake_prs_update_thread(struct fake_prs *prs, const struct fake_pr_ref *pr,
    long thread_id, const char *body, size_t len, struct fake_reply *reply)
{
	struct fake_pr *p = fake_prs_get(prs, pr);
	cJSON *doc = NULL, *thread, *copy = NULL;
	const cJSON *v;
	long state;
	char now[64];

	thread = fake_prs_find_thread(p, thread_id, reply);
	if (!thread)
		goto out;
	doc = fake_prs_parse(body, len, "thread", reply);
	if (!doc)
		goto out;
	/* validate on a copy so a bad request changes nothing */
	copy = cJSON_Duplicate(thread, 1);
	v = cJSON_GetObjectItem(doc, "status");
	if (v && !cJSON_IsNull(v)) {
		state = fake_prs_enum(v, thread_states,
		    ARRAY_SIZE(thread_states), 0, 1, "thread.Status", reply);
		if (state == -1)
			goto out;
		fake_prs_set_thread_status(copy, (size_t)state);
	}
	if (fake_prs_merge_properties(
		cJSON_GetObjectItemCaseSensitive(copy, "properties"),
		cJSON_GetObjectItem(doc, "properties"), reply) == -1)
		goto out;
	fake_reply_now(now, sizeof(now));
	cJSON_ReplaceItemInObjectCaseSensitive(
	    copy, "lastUpdatedDate", cJSON_CreateString(now));

	(void)fake_reply_json(reply, 200, copy);
	cJSON_ReplaceItemViaPointer(p->threads, thread, copy);
	copy = NULL;
out:
	cJSON_Delete(copy);
	cJSON_Delete(doc);
}

static cJSON *
fake_prs_find_comment(struct fake_prs *prs, const struct fake_pr_ref *pr,
    long thread_id, long comment_id, cJSON **threadp, struct fake_reply *reply)
{
	cJSON *thread, *c;

	thread = fake_prs_find_thread(fake_prs_get(prs, pr), thread_id, reply);
	if (!thread)
		return NULL;
	c = fake_prs_find_id(
	    cJSON_GetObjectItemCaseSensitive(thread, "comments"), comment_id);
	if (!c) {
		fake_reply_error(reply, 404, TYPE_COMMENT_NOT_FOUND,
		    "The requested comment %ld of thread %ld was not found.",
		    comment_id, thread_id);
		return NULL;
	}
	if (threadp)
		*threadp = thread;
	return c;
}

void
fake_prs_get_comment(struct fake_prs *prs, const struct fake_pr_ref *pr,
    long thread_id, long comment_id, struct fake_reply *reply)
{
	cJSON *c =
	    fake_prs_find_comment(prs, pr, thread_id, comment_id, NULL, reply);

	if (c)
		(void)fake_reply_json(reply, 200, c);
}

void
fake_prs_update_comment(struct fake_prs *prs, const struct fake_pr_ref *pr,
    long thread_id, long comment_id, const char *body, size_t len,
    struct fake_reply *reply)
{
	cJSON *doc = NULL, *thread = NULL, *c;
	const cJSON *content;
	char now[64];

	c = fake_prs_find_comment(
	    prs, pr, thread_id, comment_id, &thread, reply);
	if (!c)
		goto out;
	doc = fake_prs_parse(body, len, "comment", reply);
	if (!doc)
		goto out;
	content = cJSON_GetObjectItem(doc, "content");
	if (!cJSON_IsString(content)) {
		fake_reply_error(reply, 400, TYPE_ARGUMENT_NULL,
		    "Value cannot be null.\r\nParameter name: comment.Content");
		goto out;
	}
	if (fake_prs_check_content(content->valuestring, reply) == -1)
		goto out;
	fake_reply_now(now, sizeof(now));
	cJSON_ReplaceItemInObjectCaseSensitive(
	    c, "content", cJSON_CreateString(content->valuestring));
	cJSON_ReplaceItemInObjectCaseSensitive(
	    c, "lastUpdatedDate", cJSON_CreateString(now));
	cJSON_ReplaceItemInObjectCaseSensitive(
	    c, "lastContentUpdatedDate", cJSON_CreateString(now));
	cJSON_ReplaceItemInObjectCaseSensitive(
	    thread, "lastUpdatedDate", cJSON_CreateString(now));
	(void)fake_reply_json(reply, 200, c);
out:
	cJSON_Delete(doc);
}

void
fake_prs_list_statuses(struct fake_prs *prs, const struct fake_pr_ref *pr,
    struct fake_reply *reply)
{
	fake_prs_reply_list(reply, fake_prs_get(prs, pr)->statuses);
}

void
fake_prs_dump_statuses(struct fake_prs *prs, const struct fake_pr_ref *pr,
    struct fake_reply *reply)
{
	(void)fake_reply_json(reply, 200, fake_prs_get(prs, pr)->statuses);
}

/* an optional string member; -1 after a 400 answer */
static int
fake_prs_opt_string(const cJSON *doc, const char *key, const char *param,
    const char **out, struct fake_reply *reply)
{
	const cJSON *v = cJSON_GetObjectItem(doc, key);

	*out = NULL;
	if (!v || cJSON_IsNull(v))
		return 0;
	if (cJSON_IsString(v)) {
		*out = v->valuestring;
		return 0;
	}
	fake_reply_error(reply, 400, TYPE_ARGUMENT,
	    "The value given for %s is not valid.\r\nParameter name: %s", param,
	    param);
	return -1;
}

void
fake_prs_create_status(struct fake_prs *prs, const struct fake_pr_ref *pr,
    const struct fake_identity *caller, const char *body, size_t len,
    struct fake_reply *reply)
{
	struct fake_pr *p = fake_prs_get(prs, pr);
	const char *description, *target_url, *name, *genre;
	const cJSON *state, *context, *v;
	cJSON *doc = NULL, *status = NULL, *ctx, *links, *props;
	long iteration = 0;
	size_t st = 0;
	char now[64];

	doc = fake_prs_parse(body, len, "status", reply);
	if (!doc)
		goto out;
	if (cJSON_GetArraySize(p->statuses) >= FAKE_PRS_MAX_STATUSES) {
		fake_reply_error(reply, 400, TYPE_LIMIT,
		    "fake-ado: pull request %ld has %d statuses already",
		    pr->id, FAKE_PRS_MAX_STATUSES);
		goto out;
	}
	context = cJSON_GetObjectItem(doc, "context");
	v = cJSON_IsObject(context) ? cJSON_GetObjectItem(context, "name") :
				      NULL;
	if (!cJSON_IsString(v) || v->valuestring[0] == '\0') {
		fake_reply_error(reply, 400, TYPE_ARGUMENT_NULL,
		    "Value cannot be null.\r\nParameter name: "
		    "status.Context.Name");
		goto out;
	}
	name = v->valuestring;
	if (fake_prs_opt_string(
		context, "genre", "status.Context.Genre", &genre, reply) == -1)
		goto out;
	/* the state must be one of the names (any case); numbers are refused */
	state = cJSON_GetObjectItem(doc, "state");
	while (cJSON_IsString(state) && st < ARRAY_SIZE(status_states) &&
	    strcasecmp(state->valuestring, status_states[st]) != 0)
		st++;
	if (!cJSON_IsString(state) || st == ARRAY_SIZE(status_states)) {
		fake_reply_error(reply, 400, TYPE_ARGUMENT,
		    "The value given for status.State is not valid: expected "
		    "one of notSet, pending, succeeded, failed, error, "
		    "notApplicable.\r\nParameter name: status.State");
		goto out;
	}
	if (fake_prs_opt_string(doc, "description", "status.Description",
		&description, reply) == -1 ||
	    fake_prs_opt_string(
		doc, "targetUrl", "status.TargetUrl", &target_url, reply) == -1)
		goto out;
	v = cJSON_GetObjectItem(doc, "iterationId");
	if (v && !cJSON_IsNull(v) &&
	    fake_prs_long(v, 1, 2147483647L, "status.IterationId", &iteration,
		reply) == -1)
		goto out;

	fake_reply_now(now, sizeof(now));
	status = cJSON_CreateObject();
	cJSON_AddNumberToObject(status, "id", (double)p->next_status);
	cJSON_AddStringToObject(status, "state", status_states[st]);
	if (description)
		cJSON_AddStringToObject(status, "description", description);
	ctx = cJSON_AddObjectToObject(status, "context");
	cJSON_AddStringToObject(ctx, "name", name);
	if (genre)
		cJSON_AddStringToObject(ctx, "genre", genre);
	cJSON_AddStringToObject(status, "creationDate", now);
	cJSON_AddStringToObject(status, "updatedDate", now);
	cJSON_AddItemToObject(
	    status, "createdBy", fake_prs_identity(pr, caller));
	if (target_url)
		cJSON_AddStringToObject(status, "targetUrl", target_url);
	if (iteration)
		cJSON_AddNumberToObject(
		    status, "iterationId", (double)iteration);
	v = cJSON_GetObjectItem(doc, "properties");
	if (v && !cJSON_IsNull(v)) {
		props = cJSON_AddObjectToObject(status, "properties");
		if (fake_prs_merge_properties(props, v, reply) == -1)
			goto out;
	}
	links = cJSON_AddObjectToObject(status, "_links");
	fake_prs_add_link(links, "self", "%s/pullRequests/%ld/statuses/%ld",
	    pr->repo_url, pr->id, p->next_status);
	fake_prs_add_link(links, "repository", "%s", pr->repo_url);

	(void)fake_reply_json(reply, 200, status);
	cJSON_AddItemToArray(p->statuses, status);
	status = NULL;
	p->next_status++;
out:
	cJSON_Delete(status);
	cJSON_Delete(doc);
}
