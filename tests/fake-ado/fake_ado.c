/*
 * fake-ado: a fake Azure DevOps REST server for datadiffd's integration
 * tests and `make demo`.
 *
 *   fake-ado --fixtures DIR --org NAME --pat-file FILE [--member-pat FILE]
 *            [--listen 127.0.0.1:PORT] [--port-file FILE] [--log FILE]
 *
 * Serves http://127.0.0.1:PORT/NAME with the Git routes of fake_git.h, the
 * project and service-hook routes of fake_hooks.h and GET
 * /NAME/_apis/connectionData (fake_identity.h), in the shapes and with the
 * failures of the real service: Basic auth against the PAT (401
 * TF400813), a required api-version (400; optional for connectionData),
 * Azure DevOps error envelopes, and injected faults (fake_fault.h: 5xx,
 * 429 + Retry-After, 203 + a sign-in page, delays).
 *
 * Two tokens are accepted, each read from a file (one trailing line break
 * dropped): the --pat-file token is the daemon's, "DataDiff Bot"; the
 * optional --member-pat token belongs to "Fake User", another member of
 * the organization. Comments, statuses and subscriptions carry the
 * identity of the token that created them, and connectionData returns it;
 * the journal's "auth" says "ok" for the first and "member" for the
 * second.
 *
 * Under /_fake, without auth, a control API for tests:
 *   GET  /_fake/requests              every REST request so far (journal)
 *   GET  /_fake/threads?repo=R&pr=N   threads of a pull request
 *   GET  /_fake/statuses?repo=R&pr=N  statuses of a pull request
 *   GET  /_fake/subscriptions         service-hook subscriptions, with
 *                                     the Basic passwords as sent
 *   POST /_fake/faults                replace the fault rules (GET: list)
 *   POST /_fake/reset                 forget threads, statuses,
 *                                     subscriptions, requests, faults
 *
 * One thread per connection, so a delayed answer never holds up another;
 * one mutex around the in-memory state. SIGTERM or SIGINT stops the server
 * and exits 0.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <cjson/cJSON.h>
#include <microhttpd.h>

#include "fake_fault.h"
#include "fake_git.h"
#include "fake_hooks.h"
#include "fake_identity.h"
#include "fake_journal.h"
#include "fake_prs.h"
#include "fake_reply.h"
#include "log.h"
#include "strbuf.h"
#include "xmalloc.h"
#include "banned.h"

#define FAKE_MAX_BODY           (16u * 1024 * 1024) /* bytes of a request body */
#define FAKE_MAX_PAT            4096                /* bytes of the PAT file */
#define FAKE_MAX_CONNECTIONS    256                 /* open connections */
#define FAKE_CONNECTION_TIMEOUT 120 /* seconds a connection may idle */
#define FAKE_MAX_HOST           255 /* bytes of a Host header we echo */

#define TYPE_VERSION_MISSING                      \
	"Microsoft.VisualStudio.Services.WebApi." \
	"VssVersionNotSpecifiedException, "       \
	"Microsoft.VisualStudio.Services.WebApi"
#define TYPE_VERSION_RANGE                        \
	"Microsoft.VisualStudio.Services.WebApi." \
	"VssVersionOutOfRangeException, "         \
	"Microsoft.VisualStudio.Services.WebApi"
#define TYPE_RATE_LIMIT                              \
	"Microsoft.TeamFoundation.Framework.Server." \
	"RequestBlockedException, "                  \
	"Microsoft.TeamFoundation.Framework.Server"
#define TYPE_TOO_LARGE                            \
	"Microsoft.VisualStudio.Services.WebApi." \
	"VssRequestContentTooLargeException, "    \
	"Microsoft.VisualStudio.Services.WebApi"
#define TYPE_FAULT  "FakeAdo.InjectedFaultException, fake-ado"
#define TYPE_NO_ORG "FakeAdo.OrganizationNotFoundException, fake-ado"

/* what Azure DevOps sends a browser-less client with a rejected PAT */
static const char fake_signin_html[] =
    "<!DOCTYPE html>\n"
    "<html lang=\"en\">\n"
    "<head>\n"
    "<meta charset=\"utf-8\">\n"
    "<title>Azure DevOps Services | Sign In</title>\n"
    "</head>\n"
    "<body>\n"
    "<div id=\"signin\">\n"
    "<h1>Sign in to your account</h1>\n"
    "<p>You need to sign in to continue to Azure DevOps.</p>\n"
    "<form method=\"post\" "
    "action=\"https://login.microsoftonline.com/common/oauth2/authorize\">\n"
    "<input type=\"email\" name=\"loginfmt\" placeholder=\"Email, phone, or "
    "Skype\">\n"
    "<input type=\"submit\" value=\"Next\">\n"
    "</form>\n"
    "</div>\n"
    "</body>\n"
    "</html>\n";

enum fake_auth {
	FAKE_AUTH_OK, /* the --pat-file token: fake_identity_bot */
	FAKE_AUTH_MISSING,
	FAKE_AUTH_BAD,
	FAKE_AUTH_MEMBER, /* the --member-pat token: fake_identity_member */
};

static const char *const fake_auth_names[] = {"ok", "missing", "bad", "member"};

struct fake_options {
	const char *fixtures;
	const char *org;
	const char *pat_file;
	const char *member_pat_file; /* NULL: no member token */
	const char *listen;
	const char *port_file;
	const char *log;
};

struct fake_server {
	const char *org;
	const char *fixtures;
	char *pat;
	size_t pat_len;
	char *member_pat; /* NULL without --member-pat */
	size_t member_pat_len;
	struct sockaddr_in addr;
	uint16_t port;
	struct MHD_Daemon *daemon;
	int log_fd;

	pthread_mutex_t lock; /* guards everything below */
	pthread_cond_t wake;  /* broadcast at shutdown: delays end early */
	int stopping;
	struct fake_journal *journal;
	struct fake_faults *faults;
	struct fake_prs *prs;
	struct fake_git git;
	struct fake_hooks *hooks;
};

/* one request */
struct fake_conn {
	char *uri; /* raw request URI, query included */
	struct strbuf body;
	int started;
};

static void
fake_usage(void)
{
	fprintf(stderr,
	    "usage: fake-ado --fixtures DIR --org NAME --pat-file FILE "
	    "[--member-pat FILE]\n"
	    "                [--listen 127.0.0.1:PORT] [--port-file FILE] "
	    "[--log FILE]\n");
	exit(2);
}

/* ---- helpers ---- */

static int
fake_equal(const char *a, const char *b, size_t len)
{
	unsigned char diff = 0;

	for (size_t i = 0; i < len; i++)
		diff |= (unsigned char)(a[i] ^ b[i]);
	return diff == 0;
}

/* is pass the token tok (len bytes; NULL: no such token)? */
static int
fake_is_token(const char *pass, const char *tok, size_t len)
{
	return tok && strlen(pass) == len && fake_equal(pass, tok, len);
}

static enum fake_auth
fake_check_auth(struct fake_server *srv, struct MHD_Connection *conn)
{
	enum fake_auth ret = FAKE_AUTH_BAD;
	char *user, *pass = NULL;

	if (!MHD_lookup_connection_value(
		conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_AUTHORIZATION))
		return FAKE_AUTH_MISSING;
	/* any user name; the password must be the PAT or the member's */
	user = MHD_basic_auth_get_username_password(conn, &pass);
	if (user && pass && fake_is_token(pass, srv->pat, srv->pat_len))
		ret = FAKE_AUTH_OK;
	else if (user && pass &&
	    fake_is_token(pass, srv->member_pat, srv->member_pat_len))
		ret = FAKE_AUTH_MEMBER;
	if (user)
		MHD_free(user);
	if (pass)
		MHD_free(pass);
	return ret;
}

/*
 * The api-version of the request: the query argument, else the
 * "api-version=" parameter of the Accept header. Copies it into buf and
 * returns buf, or NULL when neither is given.
 */
static const char *
fake_api_version(struct MHD_Connection *conn, char *buf, size_t size)
{
	const char *v, *accept, *p;
	size_t len;

	v = fake_git_arg(conn, "api-version");
	if (v && *v) {
		len = strlen(v);
	} else {
		accept = MHD_lookup_connection_value(
		    conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_ACCEPT);
		p = accept ? strcasestr(accept, "api-version") : NULL;
		if (!p)
			return NULL;
		p += strlen("api-version");
		while (*p == ' ')
			p++;
		if (*p != '=')
			return NULL;
		p++;
		while (*p == ' ')
			p++;
		v = p;
		len = strcspn(v, ";, \t");
		if (len == 0)
			return NULL;
	}
	if (len >= size)
		len = size - 1;
	memcpy(buf, v, len);
	buf[len] = '\0';
	return buf;
}

/*
 * 7.0 and 7.1, each also as -preview and -preview.N (the daemon asks the
 * preview-only connectionData with its configured version + "-preview")
 */
static int
fake_api_version_ok(const char *v)
{
	const char *p;

	if (strncmp(v, "7.0", 3) != 0 && strncmp(v, "7.1", 3) != 0)
		return 0;
	p = v + 3;
	if (*p == '\0')
		return 1;
	if (strncmp(p, "-preview", strlen("-preview")) != 0)
		return 0;
	p += strlen("-preview");
	if (*p == '\0')
		return 1;
	if (*p++ != '.' || *p == '\0')
		return 0;
	return strspn(p, "0123456789") == strlen(p);
}

/* "http://" plus the Host header, or our own address for links */
static void
fake_host_url(struct fake_server *srv, struct MHD_Connection *conn, char *buf,
    size_t size)
{
	const char *host = MHD_lookup_connection_value(
	    conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_HOST);
	char ip[INET_ADDRSTRLEN];

	if (host && *host && strlen(host) <= FAKE_MAX_HOST &&
	    strspn(host,
		"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
		"0123456789.-:[]") == strlen(host)) {
		(void)snprintf(buf, size, "http://%s", host);
		return;
	}
	if (!inet_ntop(AF_INET, &srv->addr.sin_addr, ip, sizeof(ip)))
		(void)snprintf(ip, sizeof(ip), "127.0.0.1");
	(void)snprintf(buf, size, "http://%s:%u", ip, (unsigned int)srv->port);
}

/* wait ms milliseconds, or less when the server stops */
static void
fake_delay(struct fake_server *srv, long ms)
{
	struct timespec deadline;

	clock_gettime(CLOCK_MONOTONIC, &deadline);
	deadline.tv_sec += ms / 1000;
	deadline.tv_nsec += (ms % 1000) * 1000000L;
	if (deadline.tv_nsec >= 1000000000L) {
		deadline.tv_sec++;
		deadline.tv_nsec -= 1000000000L;
	}
	pthread_mutex_lock(&srv->lock);
	while (!srv->stopping)
		if (pthread_cond_timedwait(&srv->wake, &srv->lock, &deadline) ==
		    ETIMEDOUT)
			break;
	pthread_mutex_unlock(&srv->lock);
}

/* ---- sending ---- */

static enum MHD_Result
fake_send(struct MHD_Connection *conn, struct fake_reply *reply,
    const char *api_version)
{
	struct MHD_Response *resp = NULL;
	char content_type[128];
	enum MHD_Result ret;
	size_t len;
	char *buf;

	if (reply->status == 0)
		fake_reply_error(reply, 500,
		    "FakeAdo.InternalErrorException, fake-ado",
		    "fake-ado: the request was not answered");
	if (reply->fd >= 0) {
		resp = MHD_create_response_from_fd64(reply->fd_size, reply->fd);
		if (resp)
			reply->fd = -1; /* MHD closes it now */
	} else {
		buf = strbuf_detach(&reply->body, &len);
		resp = MHD_create_response_from_buffer(
		    len, buf, MHD_RESPMEM_MUST_FREE);
		if (!resp)
			free(buf);
	}
	if (!resp) {
		log_warnx("fake-ado: cannot create a response");
		return MHD_NO;
	}
	if (reply->status == 204)
		content_type[0] = '\0'; /* no content, no type */
	else if (reply->content_type)
		(void)snprintf(content_type, sizeof(content_type), "%s",
		    reply->content_type);
	else if (api_version)
		(void)snprintf(content_type, sizeof(content_type),
		    "application/json; charset=utf-8; api-version=%s",
		    api_version);
	else
		(void)snprintf(content_type, sizeof(content_type),
		    "application/json; charset=utf-8");
	if (content_type[0])
		(void)MHD_add_response_header(
		    resp, MHD_HTTP_HEADER_CONTENT_TYPE, content_type);
	for (size_t i = 0; i < reply->nheaders; i++)
		(void)MHD_add_response_header(
		    resp, reply->headers[i].name, reply->headers[i].value);
	ret = MHD_queue_response(conn, reply->status, resp);
	MHD_destroy_response(resp);
	return ret;
}

/* ---- REST ---- */

static void
fake_fault_reply(const struct fake_fault_hit *hit, struct fake_reply *reply)
{
	if (hit->html203) {
		fake_reply_raw(reply, 203, "text/html; charset=utf-8",
		    fake_signin_html, strlen(fake_signin_html));
	} else if (hit->status == 401) {
		fake_reply_unauthorized(reply);
	} else if (hit->status == 429) {
		fake_reply_error(reply, 429, TYPE_RATE_LIMIT,
		    "TF400733: The request has been canceled: Request was "
		    "blocked due to exceeding usage of resource 'Core' in "
		    "namespace 'User'.");
		(void)fake_reply_header(reply, "X-RateLimit-Resource", "Core");
		(void)fake_reply_header(reply, "X-RateLimit-Limit", "200");
		(void)fake_reply_header(reply, "X-RateLimit-Remaining", "0");
		(void)fake_reply_header(reply, "X-RateLimit-Reset", "%lld",
		    (long long)time(NULL) + 60);
	} else {
		fake_reply_error(reply, hit->status, TYPE_FAULT,
		    "fake-ado: injected fault: HTTP %u", hit->status);
	}
	if (hit->retry_after[0])
		(void)fake_reply_header(
		    reply, "Retry-After", "%s", hit->retry_after);
}

/* does the path start with the segment /org (any case)? */
static int
fake_is_org(const char *org, const char *path)
{
	size_t len = strlen(org);

	return path[0] == '/' && strncasecmp(path + 1, org, len) == 0 &&
	    (path[len + 1] == '/' || path[len + 1] == '\0');
}

/* the answer to a request no fault took over; returns the api-version */
static const char *
fake_rest_answer(struct fake_server *srv, struct MHD_Connection *conn,
    struct fake_conn *fc, const char *url, const char *method,
    enum fake_auth auth, char *vbuf, size_t vsize, struct fake_reply *reply)
{
	struct fake_git_request req;
	char host_url[FAKE_MAX_HOST + 32];
	const char *version;

	if (!fake_is_org(srv->org, url)) {
		fake_reply_error(reply, 404, TYPE_NO_ORG,
		    "fake-ado: no such organization: this server serves '%s' "
		    "at /%s",
		    srv->org, srv->org);
		return NULL;
	}
	if (auth != FAKE_AUTH_OK && auth != FAKE_AUTH_MEMBER) {
		fake_reply_unauthorized(reply);
		return NULL;
	}
	if (fc->body.overflow) {
		fake_reply_error(reply, 413, TYPE_TOO_LARGE,
		    "The request body is larger than %u bytes.", FAKE_MAX_BODY);
		return NULL;
	}
	version = fake_api_version(conn, vbuf, vsize);
	/* clients probe connectionData without one */
	if (!version && !fake_identity_is_route(url)) {
		fake_reply_error(reply, 400, TYPE_VERSION_MISSING,
		    "No api-version was supplied for the \"%s\" request. The "
		    "version must be supplied either as part of the Accept "
		    "header (e.g. \"application/json; api-version=1.0\") or as "
		    "a query parameter (e.g. \"?api-version=1.0\").",
		    method);
		return NULL;
	}
	if (version && !fake_api_version_ok(version)) {
		fake_reply_error(reply, 400, TYPE_VERSION_RANGE,
		    "The requested REST API version of %s is out of range for "
		    "this server. The latest REST API version this server "
		    "supports is 7.1.",
		    version);
		return NULL;
	}
	fake_host_url(srv, conn, host_url, sizeof(host_url));
	req.conn = conn;
	req.method = method;
	req.path = url;
	req.body = fc->body.buf;
	req.body_len = fc->body.len;
	req.host_url = host_url;
	req.caller = auth == FAKE_AUTH_MEMBER ? &fake_identity_member :
						&fake_identity_bot;
	pthread_mutex_lock(&srv->lock);
	if (!fake_identity_serve(&req, reply) &&
	    !fake_hooks_serve(srv->hooks, &req, reply))
		fake_git_serve(&srv->git, &req, reply);
	pthread_mutex_unlock(&srv->lock);
	return version;
}

static enum MHD_Result
fake_rest(struct fake_server *srv, struct MHD_Connection *conn,
    struct fake_conn *fc, const char *url, const char *method,
    struct fake_reply *reply)
{
	struct fake_journal_entry e;
	struct fake_fault_hit hit;
	const char *version = NULL, *query;
	enum fake_auth auth;
	enum MHD_Result ret;
	uint64_t handle;
	char vbuf[64];
	int faulted;

	auth = fake_check_auth(srv, conn);
	query = strchr(fc->uri, '?');
	memset(&e, 0, sizeof(e));
	e.method = method;
	e.path = url;
	e.query = query ? query + 1 : "";
	e.auth = fake_auth_names[auth];
	e.accept = MHD_lookup_connection_value(
	    conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_ACCEPT);
	e.content_type = MHD_lookup_connection_value(
	    conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_TYPE);
	if (fc->body.len || strcmp(method, "POST") == 0 ||
	    strcmp(method, "PATCH") == 0 || strcmp(method, "PUT") == 0) {
		e.body = fc->body.buf;
		e.body_len = fc->body.len;
	}

	pthread_mutex_lock(&srv->lock);
	handle = fake_journal_add(srv->journal, &e);
	faulted = fake_faults_match(srv->faults, method, url, &hit);
	pthread_mutex_unlock(&srv->lock);

	if (faulted && hit.delay_ms > 0)
		fake_delay(srv, hit.delay_ms);
	if (faulted && !hit.after && (hit.html203 || hit.status)) {
		fake_fault_reply(&hit, reply);
	} else {
		version = fake_rest_answer(srv, conn, fc, url, method, auth,
		    vbuf, sizeof(vbuf), reply);
		if (faulted && hit.after) {
			/* done, but the client never learns it */
			fake_reply_release(reply);
			fake_reply_init(reply);
			fake_fault_reply(&hit, reply);
			version = NULL;
		}
	}
	ret = fake_send(conn, reply, version);

	pthread_mutex_lock(&srv->lock);
	fake_journal_finish(srv->journal, handle, reply->status, faulted);
	pthread_mutex_unlock(&srv->lock);
	return ret;
}

/* ---- control API ---- */

static int
fake_control_method(
    const char *method, const char *allowed, struct fake_reply *reply)
{
	if (strcmp(method, allowed) == 0 ||
	    (strcmp(allowed, "GET") == 0 && strcmp(method, "HEAD") == 0))
		return 0;
	fake_reply_control_error(reply, 405, "use %s", allowed);
	(void)fake_reply_header(reply, "Allow", "%s", allowed);
	return -1;
}

static void
fake_control(struct fake_server *srv, struct MHD_Connection *conn,
    struct fake_conn *fc, const char *url, const char *method,
    struct fake_reply *reply)
{
	char host_url[FAKE_MAX_HOST + 32];
	char err[256];
	int statuses = 0;

	if (strcmp(url, "/_fake/requests") == 0) {
		if (fake_control_method(method, "GET", reply) == -1)
			return;
		pthread_mutex_lock(&srv->lock);
		reply->status = 200;
		if (fake_journal_render(srv->journal, &reply->body) == -1)
			fake_reply_control_error(reply, 500,
			    "the request journal is too big to render");
		pthread_mutex_unlock(&srv->lock);
	} else if (strcmp(url, "/_fake/threads") == 0 ||
	    strcmp(url, "/_fake/statuses") == 0) {
		if (fake_control_method(method, "GET", reply) == -1)
			return;
		statuses = strcmp(url, "/_fake/statuses") == 0;
		fake_host_url(srv, conn, host_url, sizeof(host_url));
		pthread_mutex_lock(&srv->lock);
		fake_git_dump(&srv->git, host_url, fake_git_arg(conn, "repo"),
		    fake_git_arg(conn, "pr"), statuses, reply);
		pthread_mutex_unlock(&srv->lock);
	} else if (strcmp(url, "/_fake/subscriptions") == 0) {
		if (fake_control_method(method, "GET", reply) == -1)
			return;
		pthread_mutex_lock(&srv->lock);
		fake_hooks_dump(srv->hooks, reply);
		pthread_mutex_unlock(&srv->lock);
	} else if (strcmp(url, "/_fake/faults") == 0) {
		if (strcmp(method, "POST") != 0 &&
		    fake_control_method(method, "GET", reply) == -1)
			return;
		pthread_mutex_lock(&srv->lock);
		if (strcmp(method, "POST") == 0 &&
		    (fc->body.overflow ||
			fake_faults_set(srv->faults, fc->body.buf, fc->body.len,
			    err, sizeof(err)) == -1)) {
			fake_reply_control_error(reply, 400,
			    "bad fault rules: %s",
			    fc->body.overflow ? "body too large" : err);
		} else {
			reply->status = 200;
			if (fake_faults_render(srv->faults, &reply->body) == -1)
				fake_reply_control_error(
				    reply, 500, "cannot render the rules");
		}
		pthread_mutex_unlock(&srv->lock);
	} else if (strcmp(url, "/_fake/reset") == 0) {
		if (fake_control_method(method, "POST", reply) == -1)
			return;
		pthread_mutex_lock(&srv->lock);
		fake_journal_clear(srv->journal);
		fake_faults_clear(srv->faults);
		fake_prs_clear(srv->prs);
		fake_hooks_clear(srv->hooks);
		pthread_mutex_unlock(&srv->lock);
		fake_reply_raw(reply, 200, NULL, "{}", 2);
	} else {
		fake_reply_control_error(reply, 404,
		    "no control route '%s' (requests, threads, statuses, "
		    "subscriptions, faults, reset)",
		    url);
	}
}

/* ---- libmicrohttpd callbacks ---- */

static void *
fake_uri_log(void *cls, const char *uri, struct MHD_Connection *conn)
{
	struct fake_conn *fc = xcalloc(1, sizeof(*fc));

	(void)cls;
	(void)conn;
	fc->uri = xstrdup(uri ? uri : "");
	strbuf_init(&fc->body, FAKE_MAX_BODY + 1);
	return fc;
}

static void
fake_completed(void *cls, struct MHD_Connection *conn, void **con_cls,
    enum MHD_RequestTerminationCode toe)
{
	struct fake_conn *fc = *con_cls;

	(void)cls;
	(void)conn;
	(void)toe;
	if (!fc)
		return;
	free(fc->uri);
	strbuf_release(&fc->body);
	free(fc);
	*con_cls = NULL;
}

static enum MHD_Result
fake_access(void *cls, struct MHD_Connection *conn, const char *url,
    const char *method, const char *version, const char *upload_data,
    size_t *upload_data_size, void **con_cls)
{
	struct fake_server *srv = cls;
	struct fake_conn *fc = *con_cls;
	struct fake_reply reply;
	enum MHD_Result ret;

	(void)version;
	if (!fc)
		return MHD_NO;
	if (!fc->started) {
		/* headers only; the body (if any) comes next */
		fc->started = 1;
		return MHD_YES;
	}
	if (*upload_data_size) {
		/* past the ceiling the sticky overflow flag answers 413 */
		(void)strbuf_add(&fc->body, upload_data, *upload_data_size);
		*upload_data_size = 0;
		return MHD_YES;
	}
	fake_reply_init(&reply);
	if (strcmp(url, "/_fake") == 0 || strncmp(url, "/_fake/", 7) == 0) {
		fake_control(srv, conn, fc, url, method, &reply);
		ret = fake_send(conn, &reply, NULL);
	} else {
		ret = fake_rest(srv, conn, fc, url, method, &reply);
	}
	fake_reply_release(&reply);
	return ret;
}

/* ---- startup and shutdown ---- */

static void
fake_parse_options(int argc, char **argv, struct fake_options *opt)
{
	static const struct option longopts[] = {
	    {"fixtures", required_argument, NULL, 'f'},
	    {"org", required_argument, NULL, 'o'},
	    {"pat-file", required_argument, NULL, 'p'},
	    {"member-pat", required_argument, NULL, 'm'},
	    {"listen", required_argument, NULL, 'l'},
	    {"port-file", required_argument, NULL, 'P'},
	    {"log", required_argument, NULL, 'L'},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0},
	};
	int ch;

	memset(opt, 0, sizeof(*opt));
	opt->listen = "127.0.0.1:0";
	while ((ch = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		switch (ch) {
		case 'f':
			opt->fixtures = optarg;
			break;
		case 'o':
			opt->org = optarg;
			break;
		case 'p':
			opt->pat_file = optarg;
			break;
		case 'm':
			opt->member_pat_file = optarg;
			break;
		case 'l':
			opt->listen = optarg;
			break;
		case 'P':
			opt->port_file = optarg;
			break;
		case 'L':
			opt->log = optarg;
			break;
		default:
			fake_usage();
		}
	}
	if (optind != argc || !opt->fixtures || !opt->org || !opt->pat_file)
		fake_usage();
	if (!opt->org[0] || strchr(opt->org, '/'))
		fatalx("fake-ado: --org '%s' is not an organization name",
		    opt->org);
}

/*
 * The PAT file's content without its trailing line break, NUL-terminated;
 * its length goes to *lenp. The caller frees it.
 */
static char *
fake_read_pat(const char *path, size_t *lenp)
{
	struct strbuf sb;
	char chunk[1024];
	ssize_t n;
	int fd;

	strbuf_init(&sb, FAKE_MAX_PAT);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		fatal("fake-ado: cannot open PAT file '%s'", path);
	for (;;) {
		n = read(fd, chunk, sizeof(chunk));
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			fatal("fake-ado: cannot read PAT file '%s'", path);
		if (n == 0)
			break;
		if (strbuf_add(&sb, chunk, (size_t)n) == -1)
			fatalx(
			    "fake-ado: PAT file '%s' is longer than %d bytes",
			    path, FAKE_MAX_PAT);
	}
	close(fd);
	if (sb.len && sb.buf[sb.len - 1] == '\n')
		strbuf_truncate(&sb, sb.len - 1);
	if (sb.len && sb.buf[sb.len - 1] == '\r')
		strbuf_truncate(&sb, sb.len - 1);
	if (sb.len == 0 || memchr(sb.buf, '\0', sb.len))
		fatalx("fake-ado: PAT file '%s' holds no usable token", path);
	return strbuf_detach(&sb, lenp);
}

static void
fake_parse_listen(struct fake_server *srv, const char *listen)
{
	const char *colon = strrchr(listen, ':');
	char host[INET_ADDRSTRLEN];
	char *end;
	long port;
	size_t len;

	if (!colon)
		goto bad;
	len = (size_t)(colon - listen);
	if (len == 0 || len >= sizeof(host))
		goto bad;
	memcpy(host, listen, len);
	host[len] = '\0';
	errno = 0;
	port = strtol(colon + 1, &end, 10);
	if (errno || end == colon + 1 || *end || port < 0 || port > 65535)
		goto bad;
	memset(&srv->addr, 0, sizeof(srv->addr));
	srv->addr.sin_family = AF_INET;
	srv->addr.sin_port = htons((uint16_t)port);
	if (inet_pton(AF_INET, host, &srv->addr.sin_addr) != 1)
		goto bad;
	return;
bad:
	fatalx("fake-ado: --listen '%s' is not IPV4-ADDRESS:PORT", listen);
}

/* write the port to path through a temporary file and rename(2) */
static void
fake_write_port_file(const char *path, unsigned int port)
{
	struct strbuf tmp, line;
	int fd;

	strbuf_init(&tmp, 4096);
	strbuf_init(&line, 32);
	if (strbuf_addf(&tmp, "%s.tmp.%ld", path, (long)getpid()) == -1)
		fatalx("fake-ado: --port-file '%s' is too long", path);
	strbuf_addf(&line, "%u\n", port);
	fd = open(tmp.buf, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0)
		fatal("fake-ado: cannot create '%s'", tmp.buf);
	if (write(fd, line.buf, line.len) != (ssize_t)line.len)
		fatal("fake-ado: cannot write '%s'", tmp.buf);
	if (close(fd) == -1)
		fatal("fake-ado: cannot write '%s'", tmp.buf);
	if (rename(tmp.buf, path) == -1)
		fatal("fake-ado: cannot rename '%s' to '%s'", tmp.buf, path);
	strbuf_release(&tmp);
	strbuf_release(&line);
}

static void
fake_server_init(struct fake_server *srv, const struct fake_options *opt)
{
	pthread_condattr_t attr;
	struct stat st;

	memset(srv, 0, sizeof(*srv));
	srv->org = opt->org;
	srv->fixtures = opt->fixtures;
	srv->log_fd = -1;
	if (stat(opt->fixtures, &st) == -1 || !S_ISDIR(st.st_mode))
		fatalx("fake-ado: --fixtures '%s' is not a directory",
		    opt->fixtures);
	srv->pat = fake_read_pat(opt->pat_file, &srv->pat_len);
	if (opt->member_pat_file) {
		srv->member_pat =
		    fake_read_pat(opt->member_pat_file, &srv->member_pat_len);
		/* one token, two owners: no way to tell who calls */
		if (srv->member_pat_len == srv->pat_len &&
		    memcmp(srv->member_pat, srv->pat, srv->pat_len) == 0)
			fatalx("fake-ado: --member-pat '%s' holds the same "
			       "token as --pat-file '%s'",
			    opt->member_pat_file, opt->pat_file);
	}
	fake_parse_listen(srv, opt->listen);
	if (opt->log) {
		srv->log_fd = open(
		    opt->log, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
		if (srv->log_fd < 0)
			fatal("fake-ado: cannot open log '%s'", opt->log);
	}
	pthread_mutex_init(&srv->lock, NULL);
	pthread_condattr_init(&attr);
	pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
	pthread_cond_init(&srv->wake, &attr);
	pthread_condattr_destroy(&attr);
	srv->journal = fake_journal_new(srv->log_fd);
	srv->faults = fake_faults_new();
	srv->prs = fake_prs_new();
	srv->git.fixtures = srv->fixtures;
	srv->git.org = srv->org;
	srv->git.prs = srv->prs;
	srv->hooks = fake_hooks_new(srv->fixtures);
}

static void
fake_server_release(struct fake_server *srv)
{
	fake_journal_free(srv->journal);
	fake_faults_free(srv->faults);
	fake_prs_free(srv->prs);
	fake_hooks_free(srv->hooks);
	pthread_cond_destroy(&srv->wake);
	pthread_mutex_destroy(&srv->lock);
	if (srv->log_fd >= 0)
		close(srv->log_fd);
	free(srv->pat);
	free(srv->member_pat);
}

static void
fake_server_start(struct fake_server *srv)
{
	const union MHD_DaemonInfo *info;

	srv->daemon = MHD_start_daemon(MHD_USE_THREAD_PER_CONNECTION |
		MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_ERROR_LOG,
	    ntohs(srv->addr.sin_port), NULL, NULL, fake_access, srv,
	    MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&srv->addr,
	    MHD_OPTION_URI_LOG_CALLBACK, fake_uri_log, srv,
	    MHD_OPTION_NOTIFY_COMPLETED, fake_completed, srv,
	    MHD_OPTION_CONNECTION_LIMIT, (unsigned int)FAKE_MAX_CONNECTIONS,
	    MHD_OPTION_CONNECTION_TIMEOUT,
	    (unsigned int)FAKE_CONNECTION_TIMEOUT, MHD_OPTION_END);
	if (!srv->daemon)
		fatalx("fake-ado: cannot listen on port %u",
		    (unsigned int)ntohs(srv->addr.sin_port));
	info = MHD_get_daemon_info(srv->daemon, MHD_DAEMON_INFO_BIND_PORT);
	if (!info || info->port == 0)
		fatalx("fake-ado: cannot learn the bound port");
	srv->port = info->port;
}

static void
fake_server_stop(struct fake_server *srv)
{
	pthread_mutex_lock(&srv->lock);
	srv->stopping = 1;
	pthread_cond_broadcast(&srv->wake);
	pthread_mutex_unlock(&srv->lock);
	MHD_stop_daemon(srv->daemon);
	srv->daemon = NULL;
}

int
main(int argc, char **argv)
{
	cJSON_Hooks hooks = {xmalloc, free};
	struct fake_options opt;
	struct fake_server srv;
	char ip[INET_ADDRSTRLEN];
	sigset_t set;
	int sig = 0;

	log_init(0);
	cJSON_InitHooks(&hooks);
	fake_parse_options(argc, argv, &opt);
	fake_server_init(&srv, &opt);

	/* every thread inherits the mask; only sigwait() sees the signals */
	signal(SIGPIPE, SIG_IGN);
	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	pthread_sigmask(SIG_BLOCK, &set, NULL);

	fake_server_start(&srv);
	if (opt.port_file)
		fake_write_port_file(opt.port_file, srv.port);
	if (!inet_ntop(AF_INET, &srv.addr.sin_addr, ip, sizeof(ip)))
		(void)snprintf(ip, sizeof(ip), "?");
	log_info("fake-ado: listening on %s:%u", ip, (unsigned int)srv.port);

	while (sigwait(&set, &sig) != 0)
		;
	log_info(
	    "fake-ado: %s, stopping", sig == SIGINT ? "SIGINT" : "SIGTERM");
	fake_server_stop(&srv);
	fake_server_release(&srv);
	return 0;
}
