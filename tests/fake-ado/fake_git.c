/*
 * fake_git.c: the Git REST routes of the fake Azure DevOps server (see
 * fake_git.h).
 */
#include "fake_git.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fake_file.h"
#include "fake_path.h"
#include "log.h"
#include "xmalloc.h"
#include "banned.h"

#define FAKE_GIT_MAX_SEGMENTS 16  /* path segments of a route */
#define FAKE_GIT_MAX_ID_LEN   200 /* bytes of a repository id on disk */

#define TYPE_GIT            "Microsoft.TeamFoundation.Git.Server."
#define ASM_GIT             ", Microsoft.TeamFoundation.Git.Server"
#define TYPE_REPO_NOT_FOUND TYPE_GIT "GitRepositoryNotFoundException" ASM_GIT
#define TYPE_PR_NOT_FOUND   TYPE_GIT "GitPullRequestNotFoundException" ASM_GIT
#define TYPE_ITERATION_NOT_FOUND \
	TYPE_GIT "GitPullRequestIterationNotFoundException" ASM_GIT
#define TYPE_ITEM_NOT_FOUND TYPE_GIT "GitItemNotFoundException" ASM_GIT
#define TYPE_ARGUMENT       "System.ArgumentException, mscorlib"
#define TYPE_ROUTE_NOT_FOUND                      \
	"Microsoft.VisualStudio.Services.WebApi." \
	"VssResourceNotFoundException, "          \
	"Microsoft.VisualStudio.Services.WebApi"
#define TYPE_METHOD                               \
	"Microsoft.VisualStudio.Services.WebApi." \
	"VssMethodNotAllowedException, "          \
	"Microsoft.VisualStudio.Services.WebApi"
#define TYPE_FIXTURE "FakeAdo.FixtureException, fake-ado"

enum fake_git_route {
	ROUTE_BLOB,
	ROUTE_PR,
	ROUTE_ITERATIONS,
	ROUTE_CHANGES,
	ROUTE_THREADS,
	ROUTE_THREAD,
	ROUTE_COMMENT,
	ROUTE_STATUSES,
};

/* the path after B; "*" is a variable */
struct fake_git_route_def {
	enum fake_git_route route;
	const char *words[6];
	const char *methods; /* the Allow header */
};

static const struct fake_git_route_def fake_git_routes[] = {
    {ROUTE_BLOB, {"blobs", "*"}, "GET"},
    {ROUTE_PR, {"pullRequests", "*"}, "GET"},
    {ROUTE_ITERATIONS, {"pullRequests", "*", "iterations"}, "GET"},
    {ROUTE_CHANGES, {"pullRequests", "*", "iterations", "*", "changes"}, "GET"},
    {ROUTE_THREADS, {"pullRequests", "*", "threads"}, "GET, POST"},
    {ROUTE_THREAD, {"pullRequests", "*", "threads", "*"}, "GET, PATCH"},
    {ROUTE_COMMENT, {"pullRequests", "*", "threads", "*", "comments", "*"},
	"GET, PATCH"},
    {ROUTE_STATUSES, {"pullRequests", "*", "statuses"}, "GET, POST"},
};

/* one request, taken apart */
struct fake_git_call {
	const struct fake_git *g;
	const struct fake_git_request *req;
	const char *method;                 /* HEAD counts as GET */
	char repo[FAKE_GIT_MAX_ID_LEN + 1]; /* lowercase */
	long vars[3];                       /* numeric path variables */
	const char *sha;                    /* blob id as given */
	struct fake_pr_ref pr;
	char repo_url[2048];
	char base_url[1024];
};

struct fake_git_arg_lookup {
	const char *key;
	const char *value;
	int found;
};

static enum MHD_Result
fake_git_arg_iter(
    void *cls, enum MHD_ValueKind kind, const char *key, const char *value)
{
	struct fake_git_arg_lookup *l = cls;

	(void)kind;
	if (!key || strcasecmp(key, l->key) != 0)
		return MHD_YES;
	l->value = value ? value : "";
	l->found = 1;
	return MHD_NO;
}

const char *
fake_git_arg(struct MHD_Connection *conn, const char *key)
{
	struct fake_git_arg_lookup l = {key, NULL, 0};

	(void)MHD_get_connection_values(
	    conn, MHD_GET_ARGUMENT_KIND, fake_git_arg_iter, &l);
	return l.found ? l.value : NULL;
}

/* a decimal number in [min, max]; -1 when s is anything else */
static int
fake_git_parse_long(const char *s, long min, long max, long *out)
{
	char *end;
	long v;

	if (!s || !isdigit((unsigned char)s[0]))
		return -1;
	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || *end || v < min || v > max)
		return -1;
	*out = v;
	return 0;
}

/*
 * The repository id as stored on disk: lowercase letters, digits, '-', '_',
 * '.', not starting with '.'. Returns -1 for anything else (which then
 * names no repository).
 */
static int
fake_git_repo_id(const char *in, char *out, size_t size)
{
	size_t len = strlen(in);

	if (len == 0 || len >= size || in[0] == '.')
		return -1;
	for (size_t i = 0; i <= len; i++) {
		unsigned char c = (unsigned char)in[i];

		if (c && !isalnum(c) && c != '-' && c != '_' && c != '.')
			return -1;
		out[i] = (char)tolower(c);
	}
	return 0;
}

static int
fake_git_is_dir(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

/* snprintf into a path buffer; -1 when it does not fit */
static int fake_git_path(char *buf, size_t size, const char *fmt, ...)
    PRINTF_LIKE(3, 4);

static int
fake_git_path(char *buf, size_t size, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf, size, fmt, ap);
	va_end(ap);
	return n < 0 || (size_t)n >= size ? -1 : 0;
}

/*
 * Read a whole fixture file into out. Returns 0, or -1 with errno set
 * (EFBIG when it is over FAKE_GIT_MAX_FIXTURE).
 */
/*
 * Parse fixture file name of the pull request: a JSON array (want_array)
 * or object. Returns the document; or NULL with errno ENOENT when the file
 * does not exist; or NULL (errno EIO) after a 500 answer naming the broken
 * fixture.
 */
static cJSON *
fake_git_fixture(struct fake_git_call *c, const char *name, int want_array,
    struct fake_reply *reply)
{
	struct strbuf text;
	char path[PATH_MAX];
	cJSON *doc = NULL;

	strbuf_init(&text, FAKE_GIT_MAX_FIXTURE);
	if (fake_git_path(path, sizeof(path), "%s/prs/%s/%ld/%s",
		c->g->fixtures, c->repo, c->vars[0], name) == -1) {
		errno = ENAMETOOLONG;
		goto fail;
	}
	if (fake_file_read(path, &text) == -1) {
		if (errno == ENOENT)
			goto out;
		goto fail;
	}
	doc = cJSON_ParseWithLength(text.buf, text.len);
	if (want_array ? !cJSON_IsArray(doc) : !cJSON_IsObject(doc)) {
		cJSON_Delete(doc);
		doc = NULL;
		log_warnx("fake-ado: fixture '%s' is not a JSON %s", path,
		    want_array ? "array" : "object");
		fake_reply_error(reply, 500, TYPE_FIXTURE,
		    "fake-ado: fixture '%s' is not a JSON %s", path,
		    want_array ? "array" : "object");
		errno = EIO;
	}
	goto out;
fail:
	log_warn("fake-ado: cannot read fixture '%s'", path);
	fake_reply_error(reply, 500, TYPE_FIXTURE,
	    "fake-ado: cannot read fixture '%s': %s", path, strerror(errno));
	errno = EIO;
out:
	strbuf_release(&text);
	return doc;
}

static void
fake_git_pull_request(struct fake_git_call *c, struct fake_reply *reply)
{
	cJSON *pr;

	pr = fake_git_fixture(c, "pr.json", 0, reply);
	if (!pr && errno == ENOENT)
		fake_reply_error(reply, 404, TYPE_PR_NOT_FOUND,
		    "TF401180: The requested pull request was not found.");
	if (!pr)
		return;
	(void)fake_reply_json(reply, 200, pr);
	cJSON_Delete(pr);
}

static void
fake_git_iterations(struct fake_git_call *c, struct fake_reply *reply)
{
	cJSON *value, *list;

	value = fake_git_fixture(c, "iterations.json", 1, reply);
	if (!value && errno != ENOENT)
		return;
	/* a pull request directory without iterations.json: none yet */
	if (!value)
		value = cJSON_CreateArray();
	list = cJSON_CreateObject();
	cJSON_AddNumberToObject(list, "count", cJSON_GetArraySize(value));
	cJSON_AddItemToObject(list, "value", value);
	(void)fake_reply_json(reply, 200, list);
	cJSON_Delete(list);
}

/* query argument key as a number in [0, max]; def when absent or empty */
static int
fake_git_arg_long(struct fake_git_call *c, const char *key, long def, long max,
    long *out, struct fake_reply *reply)
{
	const char *v = fake_git_arg(c->req->conn, key);

	*out = def;
	if (!v || !*v)
		return 0;
	if (fake_git_parse_long(v, 0, max, out) == 0)
		return 0;
	fake_reply_error(reply, 400, TYPE_ARGUMENT,
	    "The value '%s' is not valid for %s.\r\nParameter name: %s", v, key,
	    key);
	return -1;
}

static void
fake_git_changes(struct fake_git_call *c, struct fake_reply *reply)
{
	long top, skip, compare, total, next_skip = 0, next_top = 0;
	cJSON *all = NULL, *page, *out = NULL;
	const cJSON *item;
	char name[128];
	long i = 0;

	if (fake_git_arg_long(
		c, "$top", FAKE_GIT_DEFAULT_TOP, INT_MAX, &top, reply) == -1 ||
	    fake_git_arg_long(c, "$skip", 0, INT_MAX, &skip, reply) == -1 ||
	    fake_git_arg_long(c, "$compareTo", 0, INT_MAX, &compare, reply) ==
		-1)
		goto out;
	if (top == 0)
		top = FAKE_GIT_DEFAULT_TOP;
	if (top > FAKE_GIT_MAX_TOP)
		top = FAKE_GIT_MAX_TOP;
	if (compare)
		(void)snprintf(name, sizeof(name), "changes/%ld-%ld.json",
		    c->vars[1], compare);
	else
		(void)snprintf(
		    name, sizeof(name), "changes/%ld.json", c->vars[1]);
	all = fake_git_fixture(c, name, 1, reply);
	if (!all) {
		if (errno == ENOENT)
			fake_reply_error(reply, 404, TYPE_ITERATION_NOT_FOUND,
			    "The requested iteration %ld of pull request %ld "
			    "was not found.",
			    compare ? compare : c->vars[1], c->vars[0]);
		goto out;
	}
	total = cJSON_GetArraySize(all);
	out = cJSON_CreateObject();
	page = cJSON_AddArrayToObject(out, "changeEntries");
	cJSON_ArrayForEach (item, all) {
		if (i >= skip && i - skip < top)
			cJSON_AddItemToArray(page, cJSON_Duplicate(item, 1));
		i++;
	}
	if (skip < total && total - skip > top) {
		next_skip = skip + top;
		next_top = top;
	}
	cJSON_AddNumberToObject(out, "nextSkip", (double)next_skip);
	cJSON_AddNumberToObject(out, "nextTop", (double)next_top);
	(void)fake_reply_json(reply, 200, out);
out:
	cJSON_Delete(out);
	cJSON_Delete(all);
}

/* how the client asked for the blob: 0 metadata, 1 raw bytes, -1 bad */
static int
fake_git_blob_format(struct fake_git_call *c, const char **content_type,
    struct fake_reply *reply)
{
	const char *format = fake_git_arg(c->req->conn, "$format");
	const char *accept;

	*content_type = "application/octet-stream";
	if (format && *format) {
		if (strcasecmp(format, "octetstream") == 0)
			return 1;
		if (strcasecmp(format, "json") == 0)
			return 0;
		if (strcasecmp(format, "text") == 0) {
			*content_type = "text/plain; charset=utf-8";
			return 1;
		}
		fake_reply_error(reply, 400, TYPE_ARGUMENT,
		    "fake-ado: $format '%s' is not supported (json, "
		    "octetstream, text)",
		    format);
		return -1;
	}
	accept = MHD_lookup_connection_value(
	    c->req->conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_ACCEPT);
	return accept && strcasestr(accept, "application/octet-stream") ? 1 : 0;
}

static void
fake_git_blob(struct fake_git_call *c, struct fake_reply *reply)
{
	const char *content_type;
	char sha[41], path[PATH_MAX], url[4096];
	struct stat st;
	cJSON *meta = NULL, *links;
	int fd = -1, raw;

	if (strlen(c->sha) != 40)
		goto bad_sha;
	for (size_t i = 0; i <= 40; i++) {
		if (i < 40 && !isxdigit((unsigned char)c->sha[i]))
			goto bad_sha;
		sha[i] = (char)tolower((unsigned char)c->sha[i]);
	}
	raw = fake_git_blob_format(c, &content_type, reply);
	if (raw == -1)
		goto out;
	if (fake_git_path(
		path, sizeof(path), "%s/blobs/%s", c->g->fixtures, sha) == -1)
		goto not_found;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0 || fstat(fd, &st) == -1 || !S_ISREG(st.st_mode))
		goto not_found;
	if (raw) {
		/* streamed by MHD from the file, never loaded */
		reply->status = 200;
		reply->content_type = content_type;
		reply->fd = fd;
		reply->fd_size = (uint64_t)st.st_size;
		fd = -1;
		goto out;
	}
	meta = cJSON_CreateObject();
	cJSON_AddStringToObject(meta, "objectId", sha);
	cJSON_AddNumberToObject(meta, "size", (double)st.st_size);
	(void)snprintf(url, sizeof(url), "%s/blobs/%s", c->repo_url, sha);
	cJSON_AddStringToObject(meta, "url", url);
	links = cJSON_AddObjectToObject(meta, "_links");
	cJSON_AddStringToObject(
	    cJSON_AddObjectToObject(links, "self"), "href", url);
	cJSON_AddStringToObject(
	    cJSON_AddObjectToObject(links, "repository"), "href", c->repo_url);
	(void)fake_reply_json(reply, 200, meta);
	goto out;

bad_sha:
	fake_reply_error(reply, 400, TYPE_ARGUMENT,
	    "The value '%s' is not a valid SHA-1 object id.\r\n"
	    "Parameter name: sha1",
	    c->sha);
	goto out;
not_found:
	fake_reply_error(reply, 404, TYPE_ITEM_NOT_FOUND,
	    "TF401174: The item '%s' could not be found in the repository "
	    "'%s'.",
	    sha, c->repo);
out:
	if (fd >= 0)
		close(fd);
	cJSON_Delete(meta);
}

int
fake_git_allowed(const char *methods, const char *method)
{
	size_t len = strlen(method);
	const char *p = methods;

	while (*p) {
		size_t n = strcspn(p, ",");

		if (n == len && strncmp(p, method, n) == 0)
			return 1;
		p += n;
		while (*p == ',' || *p == ' ')
			p++;
	}
	return 0;
}

static const struct fake_git_route_def *
fake_git_match(char **rest, size_t nrest, const char **vars, size_t *nvars)
{
	for (size_t r = 0; r < ARRAY_SIZE(fake_git_routes); r++) {
		const struct fake_git_route_def *def = &fake_git_routes[r];
		size_t nwords = 0, nv = 0, i;

		while (nwords < ARRAY_SIZE(def->words) && def->words[nwords])
			nwords++;
		if (nwords != nrest)
			continue;
		for (i = 0; i < nwords; i++) {
			if (strcmp(def->words[i], "*") == 0)
				vars[nv++] = rest[i];
			else if (strcasecmp(def->words[i], rest[i]) != 0)
				break;
		}
		if (i == nwords) {
			*nvars = nv;
			return def;
		}
	}
	return NULL;
}

static void
fake_git_route_not_found(
    const struct fake_git_request *req, struct fake_reply *reply)
{
	fake_reply_error(reply, 404, TYPE_ROUTE_NOT_FOUND,
	    "The resource '%s' was not found: no %s route for it.", req->path,
	    req->method);
}

static void
fake_git_repo_not_found(const char *repo, struct fake_reply *reply)
{
	fake_reply_error(reply, 404, TYPE_REPO_NOT_FOUND,
	    "TF401019: The Git repository with name or identifier %s does not "
	    "exist or you do not have permissions for the operation you are "
	    "attempting.",
	    repo);
}

/* does DIR/prs/<repo>[/<pr>] exist? (pr 0: the repository) */
static int
fake_git_exists(const char *fixtures, const char *repo, long pr)
{
	char path[PATH_MAX];
	int ret;

	if (pr)
		ret = fake_git_path(
		    path, sizeof(path), "%s/prs/%s/%ld", fixtures, repo, pr);
	else
		ret = fake_git_path(
		    path, sizeof(path), "%s/prs/%s", fixtures, repo);
	return ret == 0 && fake_git_is_dir(path);
}

static void
fake_git_dispatch(struct fake_git_call *c, enum fake_git_route route,
    struct fake_reply *reply)
{
	const struct fake_git_request *req = c->req;
	struct fake_prs *prs = c->g->prs;
	int get = strcmp(c->method, "GET") == 0;

	switch (route) {
	case ROUTE_BLOB:
		fake_git_blob(c, reply);
		break;
	case ROUTE_PR:
		fake_git_pull_request(c, reply);
		break;
	case ROUTE_ITERATIONS:
		fake_git_iterations(c, reply);
		break;
	case ROUTE_CHANGES:
		fake_git_changes(c, reply);
		break;
	case ROUTE_THREADS:
		if (get)
			fake_prs_list_threads(prs, &c->pr, reply);
		else
			fake_prs_create_thread(prs, &c->pr, req->caller,
			    req->body, req->body_len, reply);
		break;
	case ROUTE_THREAD:
		if (get)
			fake_prs_get_thread(prs, &c->pr, c->vars[1], reply);
		else
			fake_prs_update_thread(prs, &c->pr, c->vars[1],
			    req->body, req->body_len, reply);
		break;
	case ROUTE_COMMENT:
		if (get)
			fake_prs_get_comment(
			    prs, &c->pr, c->vars[1], c->vars[2], reply);
		else
			fake_prs_update_comment(prs, &c->pr, c->vars[1],
			    c->vars[2], req->body, req->body_len, reply);
		break;
	case ROUTE_STATUSES:
		if (get)
			fake_prs_list_statuses(prs, &c->pr, reply);
		else
			fake_prs_create_status(prs, &c->pr, req->caller,
			    req->body, req->body_len, reply);
		break;
	}
}

void
fake_git_serve(const struct fake_git *g, const struct fake_git_request *req,
    struct fake_reply *reply)
{
	const struct fake_git_route_def *def;
	struct fake_git_call c;
	char *seg[FAKE_GIT_MAX_SEGMENTS];
	const char *vars[6], *project = NULL;
	char org[256], proj[512];
	size_t nseg, nvars = 0, i = 1;
	char *path = NULL;

	memset(&c, 0, sizeof(c));
	c.g = g;
	c.req = req;
	c.method = strcmp(req->method, "HEAD") == 0 ? "GET" : req->method;
	path = xstrdup(req->path);
	if (fake_path_split(path, seg, ARRAY_SIZE(seg), &nseg) == -1 ||
	    nseg < 1 || strcasecmp(seg[0], g->org) != 0)
		goto not_found;
	if (i < nseg && strcasecmp(seg[i], "_apis") != 0)
		project = seg[i++];
	if (nseg - i < 4 || strcasecmp(seg[i], "_apis") != 0 ||
	    strcasecmp(seg[i + 1], "git") != 0 ||
	    strcasecmp(seg[i + 2], "repositories") != 0)
		goto not_found;
	def = fake_git_match(seg + i + 4, nseg - i - 4, vars, &nvars);
	if (!def)
		goto not_found;
	if (!fake_git_allowed(def->methods, c.method)) {
		fake_reply_error(reply, 405, TYPE_METHOD,
		    "The requested resource does not support http method "
		    "'%s'.",
		    req->method);
		(void)fake_reply_header(reply, "Allow", "%s", def->methods);
		goto out;
	}
	if (fake_git_repo_id(seg[i + 3], c.repo, sizeof(c.repo)) == -1 ||
	    !fake_git_exists(g->fixtures, c.repo, 0)) {
		fake_git_repo_not_found(seg[i + 3], reply);
		goto out;
	}
	fake_path_escape(seg[0], org, sizeof(org));
	fake_path_escape(project ? project : "", proj, sizeof(proj));
	(void)snprintf(
	    c.base_url, sizeof(c.base_url), "%s/%s", req->host_url, org);
	(void)snprintf(c.repo_url, sizeof(c.repo_url),
	    "%s%s%s/_apis/git/repositories/%s", c.base_url, project ? "/" : "",
	    proj, c.repo);
	if (def->route == ROUTE_BLOB) {
		c.sha = vars[0];
		fake_git_blob(&c, reply);
		goto out;
	}
	for (size_t v = 0; v < nvars && v < ARRAY_SIZE(c.vars); v++)
		if (fake_git_parse_long(vars[v], 1, INT_MAX, &c.vars[v]) == -1)
			goto not_found;
	if (!fake_git_exists(g->fixtures, c.repo, c.vars[0])) {
		fake_reply_error(reply, 404, TYPE_PR_NOT_FOUND,
		    "TF401180: The requested pull request was not found.");
		goto out;
	}
	c.pr.repo = c.repo;
	c.pr.id = c.vars[0];
	c.pr.repo_url = c.repo_url;
	c.pr.base_url = c.base_url;
	fake_git_dispatch(&c, def->route, reply);
	goto out;

not_found:
	fake_git_route_not_found(req, reply);
out:
	free(path);
}

void
fake_git_dump(const struct fake_git *g, const char *host_url, const char *repo,
    const char *pr, int statuses, struct fake_reply *reply)
{
	char id[FAKE_GIT_MAX_ID_LEN + 1], repo_url[2048], base_url[1024];
	struct fake_pr_ref ref;
	char org[256];
	long n;

	if (!repo || !pr) {
		fake_reply_control_error(
		    reply, 400, "query arguments repo and pr are required");
		return;
	}
	if (fake_git_parse_long(pr, 1, INT_MAX, &n) == -1) {
		fake_reply_control_error(
		    reply, 400, "pr must be a pull request id");
		return;
	}
	if (fake_git_repo_id(repo, id, sizeof(id)) == -1 ||
	    !fake_git_exists(g->fixtures, id, n)) {
		fake_reply_control_error(reply, 404,
		    "no fixture for pull request %ld of repository '%s'", n,
		    repo);
		return;
	}
	fake_path_escape(g->org, org, sizeof(org));
	(void)snprintf(base_url, sizeof(base_url), "%s/%s", host_url, org);
	(void)snprintf(repo_url, sizeof(repo_url),
	    "%s/_apis/git/repositories/%s", base_url, id);
	ref.repo = id;
	ref.id = n;
	ref.repo_url = repo_url;
	ref.base_url = base_url;
	if (statuses)
		fake_prs_dump_statuses(g->prs, &ref, reply);
	else
		fake_prs_dump_threads(g->prs, &ref, reply);
}
