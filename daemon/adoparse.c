/*
 * adoparse.c: Azure DevOps response parsing (see adoparse.h).
 */
#include "adoparse.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <cjson/cJSON.h>

#include "xmalloc.h"
#include "banned.h"

static int PRINTF_LIKE(3, 4)
    perr(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
	return -1;
}

static cJSON *
parse(const char *json, size_t len, char *err, size_t errlen)
{
	cJSON *root = cJSON_ParseWithLength(json, len);

	if (!root)
		perr(err, errlen, "the answer is not JSON");
	else if (!cJSON_IsObject(root)) {
		perr(err, errlen, "the answer is not a JSON object");
		cJSON_Delete(root);
		root = NULL;
	}
	return root;
}

/* a commit id from {"commitId": "..."} under name, lower-cased */
static int
commit_of(const cJSON *o, const char *name, char *out)
{
	const cJSON *c = cJSON_GetObjectItemCaseSensitive(o, name);
	const cJSON *id = cJSON_GetObjectItemCaseSensitive(c, "commitId");

	if (!cJSON_IsString(id) || !event_is_sha1(id->valuestring))
		return -1;
	for (size_t i = 0; i < EVENT_COMMIT_LEN; i++) {
		char ch = id->valuestring[i];

		out[i] = (char)(ch >= 'A' && ch <= 'F' ? ch + 32 : ch);
	}
	out[EVENT_COMMIT_LEN] = '\0';
	return 0;
}

static int
id_of(const cJSON *o, const char *name, double max, long *out)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, name);

	if (!cJSON_IsNumber(v) || v->valuedouble < 1 || v->valuedouble > max ||
	    v->valuedouble != (double)(long)v->valuedouble)
		return -1;
	*out = (long)v->valuedouble;
	return 0;
}

static int
iteration_cmp(const void *a, const void *b)
{
	const struct ado_iteration *x = a, *y = b;

	return (x->id > y->id) - (x->id < y->id);
}

int
adoparse_iterations(const char *json, size_t len, struct ado_iteration **out,
    size_t *n, char *err, size_t errlen)
{
	cJSON *root = parse(json, len, err, errlen);
	const cJSON *value, *it;
	struct ado_iteration *v = NULL;
	size_t k = 0;
	int ret = -1;

	*out = NULL;
	*n = 0;
	if (!root)
		return -1;
	value = cJSON_GetObjectItemCaseSensitive(root, "value");
	if (!cJSON_IsArray(value)) {
		perr(err, errlen, "iterations: no \"value\" array");
		goto out;
	}
	v = xcalloc((size_t)cJSON_GetArraySize(value) + 1, sizeof(*v));
	cJSON_ArrayForEach (it, value) {
		long id;

		if (id_of(it, "id", 1e9, &id) == -1 ||
		    commit_of(it, "sourceRefCommit", v[k].source) == -1 ||
		    commit_of(it, "targetRefCommit", v[k].target) == -1) {
			perr(err, errlen,
			    "iterations: an iteration without a "
			    "valid id or commits");
			goto out;
		}
		/* the merge base may be missing for an iteration in flight */
		if (commit_of(it, "commonRefCommit", v[k].common) == -1)
			v[k].common[0] = '\0';
		v[k].id = (unsigned)id;
		k++;
	}
	qsort(v, k, sizeof(*v), iteration_cmp);
	*out = v;
	*n = k;
	v = NULL;
	ret = 0;
out:
	free(v);
	cJSON_Delete(root);
	return ret;
}

static unsigned
change_flags(const cJSON *ct)
{
	static const struct {
		const char *name;
		unsigned flag;
	} names[] = {
	    {"add", ADO_CHANGE_ADD},
	    {"edit", ADO_CHANGE_EDIT},
	    {"delete", ADO_CHANGE_DELETE},
	    {"rename", ADO_CHANGE_RENAME},
	    {"sourceRename", ADO_CHANGE_RENAME},
	    {"targetRename", ADO_CHANGE_RENAME},
	};
	unsigned flags = 0;
	const char *p;

	if (cJSON_IsNumber(ct)) {
		/* VersionControlChangeType numbers */
		unsigned v =
		    (unsigned)(ct->valuedouble >= 0 && ct->valuedouble < 65536 ?
			    ct->valuedouble :
			    0);

		if (v & 1)
			flags |= ADO_CHANGE_ADD;
		if (v & 2)
			flags |= ADO_CHANGE_EDIT;
		if (v & 8)
			flags |= ADO_CHANGE_RENAME;
		if (v & 16)
			flags |= ADO_CHANGE_DELETE;
		if (v & (1024 | 2048))
			flags |= ADO_CHANGE_RENAME;
		return flags ? flags : ADO_CHANGE_OTHER;
	}
	if (!cJSON_IsString(ct))
		return 0;
	for (p = ct->valuestring; *p;) {
		size_t len, i;

		p += strspn(p, ", ");
		len = strcspn(p, ", ");
		if (!len)
			break;
		for (i = 0; i < ARRAY_SIZE(names); i++)
			if (strlen(names[i].name) == len &&
			    strncmp(p, names[i].name, len) == 0)
				break;
		flags |=
		    i < ARRAY_SIZE(names) ? names[i].flag : ADO_CHANGE_OTHER;
		p += len;
	}
	return flags;
}

/* a repository path: "/...", printable, bounded; a copy or NULL */
static char *
path_copy(const cJSON *v)
{
	const char *s;
	size_t n;

	if (!cJSON_IsString(v))
		return NULL;
	s = v->valuestring;
	n = strlen(s);
	if (n < 2 || n > ADO_PATH_MAX || s[0] != '/')
		return NULL;
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f)
			return NULL;
	return xstrdup(s);
}

static void
blob_id(const cJSON *o, const char *name, char *out)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, name);

	out[0] = '\0';
	if (cJSON_IsString(v) && event_is_sha1(v->valuestring)) {
		for (size_t i = 0; i < EVENT_COMMIT_LEN; i++) {
			char ch = v->valuestring[i];

			out[i] = (char)(ch >= 'A' && ch <= 'F' ? ch + 32 : ch);
		}
		out[EVENT_COMMIT_LEN] = '\0';
	}
}

static int
count_of(const cJSON *o, const char *name, unsigned *out)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, name);

	if (!v) {
		*out = 0;
		return 0;
	}
	if (!cJSON_IsNumber(v) || v->valuedouble < 0 || v->valuedouble > 1e9)
		return -1;
	*out = (unsigned)v->valuedouble;
	return 0;
}

int
adoparse_changes(const char *json, size_t len, struct ado_change **out,
    size_t *n, size_t max, unsigned *next_skip, unsigned *next_top, char *err,
    size_t errlen)
{
	cJSON *root = parse(json, len, err, errlen);
	const cJSON *entries, *e;
	int ret = -1;

	*next_skip = *next_top = 0;
	if (!root)
		return -1;
	entries = cJSON_GetObjectItemCaseSensitive(root, "changeEntries");
	if (!cJSON_IsArray(entries)) {
		perr(err, errlen, "changes: no \"changeEntries\" array");
		goto out;
	}
	if (count_of(root, "nextSkip", next_skip) == -1 ||
	    count_of(root, "nextTop", next_top) == -1) {
		perr(err, errlen, "changes: bad nextSkip or nextTop");
		goto out;
	}
	cJSON_ArrayForEach (e, entries) {
		const cJSON *item = cJSON_GetObjectItemCaseSensitive(e, "item");
		const cJSON *type;
		struct ado_change *c;

		if (*n >= max) {
			perr(
			    err, errlen, "changes: more than %zu entries", max);
			goto out;
		}
		if (!cJSON_IsObject(item)) {
			perr(err, errlen, "changes: an entry without an item");
			goto out;
		}
		*out = xreallocarray(*out, *n + 1, sizeof(**out));
		c = &(*out)[*n];
		memset(c, 0, sizeof(*c));
		c->path =
		    path_copy(cJSON_GetObjectItemCaseSensitive(item, "path"));
		if (!c->path) {
			perr(err, errlen,
			    "changes: an entry without a valid path");
			goto out;
		}
		(*n)++;
		c->type = change_flags(
		    cJSON_GetObjectItemCaseSensitive(e, "changeType"));
		c->original_path = path_copy(
		    cJSON_GetObjectItemCaseSensitive(e, "originalPath"));
		if (!c->original_path)
			c->original_path =
			    path_copy(cJSON_GetObjectItemCaseSensitive(
				item, "originalPath"));
		blob_id(item, "objectId", c->object_id);
		blob_id(item, "originalObjectId", c->original_object_id);
		type = cJSON_GetObjectItemCaseSensitive(item, "gitObjectType");
		c->is_folder = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(
				   item, "isFolder")) ||
		    (cJSON_IsString(type) &&
			strcmp(type->valuestring, "tree") == 0);
	}
	ret = 0;
out:
	cJSON_Delete(root);
	return ret;
}

void
ado_changes_free(struct ado_change *c, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(c[i].path);
		free(c[i].original_path);
	}
	free(c);
}

/* properties in read form {"$type","$value"} (or write form) */
static int
has_property(const cJSON *thread, const char *key)
{
	const cJSON *props =
	    cJSON_GetObjectItemCaseSensitive(thread, "properties");
	const cJSON *p = cJSON_GetObjectItemCaseSensitive(props, key);

	return cJSON_IsObject(p) &&
	    (cJSON_GetObjectItemCaseSensitive(p, "$value") ||
		cJSON_GetObjectItemCaseSensitive(p, "value"));
}

/*
 * A thread's status, read as a name ("closed") or a number (4): resolved
 * is fixed(2), wontFix(3), closed(4) or byDesign(5); unknown(0), active(1),
 * pending(6) and a missing status are open.
 */
static int
thread_resolved(const cJSON *status)
{
	static const char *const resolved[] = {
	    "fixed", "wontFix", "closed", "byDesign"};

	if (cJSON_IsNumber(status))
		return status->valuedouble >= 2 && status->valuedouble <= 5;
	if (!cJSON_IsString(status))
		return 0;
	for (size_t i = 0; i < ARRAY_SIZE(resolved); i++)
		if (strcasecmp(status->valuestring, resolved[i]) == 0)
			return 1;
	return 0;
}

int
adoparse_find_thread(const char *json, size_t len, const char *property,
    const char *author_id, struct ado_thread *out, char *err, size_t errlen)
{
	cJSON *root = parse(json, len, err, errlen);
	const cJSON *value, *t;
	int ret = 0;

	if (!root)
		return -1;
	value = cJSON_GetObjectItemCaseSensitive(root, "value");
	if (!cJSON_IsArray(value)) {
		cJSON_Delete(root);
		return perr(err, errlen, "threads: no \"value\" array");
	}
	cJSON_ArrayForEach (t, value) {
		const cJSON *first, *author, *id, *content;

		if (cJSON_IsTrue(
			cJSON_GetObjectItemCaseSensitive(t, "isDeleted")) ||
		    !has_property(t, property))
			continue;
		first = cJSON_GetArrayItem(
		    cJSON_GetObjectItemCaseSensitive(t, "comments"), 0);
		author = cJSON_GetObjectItemCaseSensitive(first, "author");
		id = cJSON_GetObjectItemCaseSensitive(author, "id");
		if (!cJSON_IsString(id) ||
		    strcasecmp(id->valuestring, author_id) != 0 ||
		    cJSON_IsTrue(
			cJSON_GetObjectItemCaseSensitive(first, "isDeleted")))
			continue;
		if (id_of(t, "id", 2147483647.0, &out->id) == -1 ||
		    id_of(first, "id", 2147483647.0, &out->comment_id) == -1) {
			ret = perr(err, errlen,
			    "threads: our thread has no "
			    "valid thread or comment id");
			break;
		}
		out->resolved = thread_resolved(
		    cJSON_GetObjectItemCaseSensitive(t, "status"));
		content = cJSON_GetObjectItemCaseSensitive(first, "content");
		if (!cJSON_IsString(content) ||
		    prreport_digest(content->valuestring,
			strlen(content->valuestring), out->digest) == -1)
			out->digest[0] = '\0';
		ret = 1;
		break;
	}
	cJSON_Delete(root);
	return ret;
}

int
adoparse_identity(
    const char *json, size_t len, char *id, char *err, size_t errlen)
{
	cJSON *root = parse(json, len, err, errlen);
	const cJSON *v;
	int ret = 0;

	if (!root)
		return -1;
	v = cJSON_GetObjectItemCaseSensitive(
	    cJSON_GetObjectItemCaseSensitive(root, "authenticatedUser"), "id");
	if (!cJSON_IsString(v) || !event_is_guid(v->valuestring))
		ret = perr(err, errlen,
		    "connectionData: no authenticatedUser.id GUID");
	else
		snprintf(id, EVENT_GUID_LEN + 1, "%s", v->valuestring);
	cJSON_Delete(root);
	return ret;
}

int
adoparse_thread_ids(const char *json, size_t len, long *thread_id,
    long *comment_id, char *err, size_t errlen)
{
	cJSON *root = parse(json, len, err, errlen);
	const cJSON *first;
	int ret = 0;

	if (!root)
		return -1;
	first = cJSON_GetArrayItem(
	    cJSON_GetObjectItemCaseSensitive(root, "comments"), 0);
	if (id_of(root, "id", 2147483647.0, thread_id) == -1 ||
	    id_of(first, "id", 2147483647.0, comment_id) == -1)
		ret =
		    perr(err, errlen, "thread: no valid thread or comment id");
	cJSON_Delete(root);
	return ret;
}

void
adoparse_error_message(const char *json, size_t len, char *out, size_t outlen)
{
	cJSON *root = cJSON_ParseWithLength(json, len);
	const cJSON *m = cJSON_GetObjectItemCaseSensitive(root, "message");
	size_t i = 0;

	if (outlen == 0)
		return;
	out[0] = '\0';
	if (cJSON_IsString(m)) {
		for (const char *p = m->valuestring; *p && i + 1 < outlen; p++)
			out[i++] = (unsigned char)*p < 0x20 ? ' ' : *p;
		out[i] = '\0';
	}
	cJSON_Delete(root);
}
