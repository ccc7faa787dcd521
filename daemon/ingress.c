/*
 * ingress.c: routes, authentication, body cap, the decision, status codes
 * (see ingress.h and design.md 5.5).
 */
#include "ingress.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <microhttpd.h>

#include "bounds.h"
#include "config.h"
#include "event.h"
#include "liveconf.h"
#include "log.h"
#include "metrics.h"
#include "strbuf.h"
#include "xmalloc.h"
#include "banned.h"

#define REALM "datadiffd"

struct ingress {
	struct MHD_Daemon *mhd;
	struct queue *q;
	int fd;
	int loopback; /* the socket only takes connections from this host */
};

/* one request; lives from the first callback to MHD's completion call */
struct request {
	const struct config *cfg; /* the configuration it started with */
	int is_hook;
	int rejected; /* a response was queued before the body */
	int too_large;
	struct strbuf body;
	char client[INET6_ADDRSTRLEN + 8];
};

/* ---- listening socket ---- */

int
ingress_listen(const char *listen_addr, char *err, size_t errlen)
{
	char host[256];
	const char *port, *h = listen_addr;
	size_t hl;
	struct addrinfo hints, *res = NULL, *ai;
	int fd = -1, one = 1, rc;

	if (*h == '[') {
		const char *close = strchr(h, ']');

		if (!close || close[1] != ':')
			goto bad;
		hl = (size_t)(close - h - 1);
		h++;
		port = close + 2;
	} else {
		const char *colon = strrchr(h, ':');

		if (!colon)
			goto bad;
		hl = (size_t)(colon - h);
		port = colon + 1;
	}
	if (hl == 0 || hl >= sizeof(host))
		goto bad;
	memcpy(host, h, hl);
	host[hl] = '\0';
	memset(&hints, 0, sizeof(hints));
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV;
	rc = getaddrinfo(host, port, &hints, &res);
	if (rc != 0) {
		snprintf(err, errlen, "listen '%s': %s", listen_addr,
		    gai_strerror(rc));
		return -1;
	}
	for (ai = res; ai; ai = ai->ai_next) {
		fd = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC,
		    ai->ai_protocol);
		if (fd == -1)
			continue;
		setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
		if (bind(fd, ai->ai_addr, ai->ai_addrlen) == 0 &&
		    listen(fd, SOMAXCONN) == 0)
			break;
		snprintf(err, errlen, "listen '%s': %s", listen_addr,
		    strerror(errno));
		close(fd);
		fd = -1;
	}
	freeaddrinfo(res);
	return fd;
bad:
	snprintf(err, errlen, "listen '%s': not host:port", listen_addr);
	return -1;
}

static void
sockaddr_text(const struct sockaddr *sa, char *out, size_t outlen)
{
	char host[INET6_ADDRSTRLEN] = "?";
	unsigned port = 0;

	if (sa && sa->sa_family == AF_INET) {
		const struct sockaddr_in *in = (const void *)sa;

		inet_ntop(AF_INET, &in->sin_addr, host, sizeof(host));
		port = ntohs(in->sin_port);
		snprintf(out, outlen, "%s:%u", host, port);
	} else if (sa && sa->sa_family == AF_INET6) {
		const struct sockaddr_in6 *in6 = (const void *)sa;

		inet_ntop(AF_INET6, &in6->sin6_addr, host, sizeof(host));
		port = ntohs(in6->sin6_port);
		snprintf(out, outlen, "[%s]:%u", host, port);
	} else {
		snprintf(out, outlen, "?");
	}
}

/* whether the socket is bound to a loopback address (not a wildcard) */
static int
socket_is_loopback(int fd)
{
	struct sockaddr_storage ss;
	socklen_t len = sizeof(ss);

	if (getsockname(fd, (struct sockaddr *)&ss, &len) == -1)
		return 0;
	if (ss.ss_family == AF_INET) {
		const struct sockaddr_in *in = (const void *)&ss;

		return (ntohl(in->sin_addr.s_addr) >> 24) == 127;
	}
	if (ss.ss_family == AF_INET6) {
		const struct sockaddr_in6 *in6 = (const void *)&ss;
		const uint8_t *b = in6->sin6_addr.s6_addr;

		return IN6_IS_ADDR_LOOPBACK(&in6->sin6_addr) ||
		    (IN6_IS_ADDR_V4MAPPED(&in6->sin6_addr) && b[12] == 127);
	}
	return 0;
}

void
ingress_local_address(int fd, char *out, size_t outlen)
{
	struct sockaddr_storage ss;
	socklen_t len = sizeof(ss);

	if (getsockname(fd, (struct sockaddr *)&ss, &len) == -1) {
		snprintf(out, outlen, "?");
		return;
	}
	sockaddr_text((struct sockaddr *)&ss, out, outlen);
}

/* ---- responses ---- */

static enum MHD_Result
respond(struct MHD_Connection *conn, unsigned status, const char *type,
    const char *body, size_t len, int auth_challenge)
{
	struct MHD_Response *r;
	enum MHD_Result ret;

	r = MHD_create_response_from_buffer(
	    len, (void *)(uintptr_t)body, MHD_RESPMEM_MUST_COPY);
	if (!r)
		return MHD_NO;
	MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, type);
	MHD_add_response_header(r, "Cache-Control", "no-store");
	if (status == MHD_HTTP_SERVICE_UNAVAILABLE)
		MHD_add_response_header(
		    r, MHD_HTTP_HEADER_RETRY_AFTER, INGRESS_RETRY_AFTER);
	if (status == MHD_HTTP_METHOD_NOT_ALLOWED)
		MHD_add_response_header(r, MHD_HTTP_HEADER_ALLOW,
		    auth_challenge == 2 ? "POST" : "GET, HEAD");
	if (auth_challenge == 1)
		ret = MHD_queue_basic_auth_fail_response(conn, REALM, r);
	else
		ret = MHD_queue_response(conn, status, r);
	MHD_destroy_response(r);
	return ret;
}

/* {"status":"...","reason":"..."} (or "job" for queued) */
static enum MHD_Result
respond_json(struct MHD_Connection *conn, unsigned status, const char *what,
    const char *field, const char *value)
{
	struct strbuf sb;
	enum MHD_Result ret;

	strbuf_init(&sb, 4096);
	strbuf_addstr(&sb, "{\"status\":");
	strbuf_add_json_string(&sb, what, strlen(what));
	if (field) {
		strbuf_addf(&sb, ",\"%s\":", field);
		strbuf_add_json_string(&sb, value, strlen(value));
	}
	strbuf_addstr(&sb, "}\n");
	ret = respond(conn, status, "application/json", sb.buf, sb.len,
	    status == MHD_HTTP_UNAUTHORIZED);
	strbuf_release(&sb);
	return ret;
}

/* ---- authentication ---- */

/*
 * Compare a (from the request) with secret s in time that depends only on
 * the length of s.
 */
static int
ct_equal(const char *a, const char *s)
{
	size_t la = strlen(a), ls = strlen(s);
	unsigned char d = (unsigned char)(la != ls);

	for (size_t i = 0; i < ls; i++) {
		unsigned char x = (unsigned char)(i < la ? a[i] : 0);

		d |= (unsigned char)(x ^ (unsigned char)s[i]);
	}
	return d == 0;
}

static int
authorized(struct MHD_Connection *conn, const struct config *cfg,
    const struct ingress *in)
{
	char *pass = NULL;
	char *user;
	int ok;

	/*
	 * The socket decides, not the listen line: a reload or a socket
	 * systemd passed cannot open the hook to the network
	 */
	if (cfg->allow_unauthenticated && in->loopback)
		return 1;
	user = MHD_basic_auth_get_username_password(conn, &pass);
	if (!user || !pass) {
		MHD_free(user);
		MHD_free(pass);
		return 0;
	}
	/* both compared in full: no early exit tells which one was wrong */
	ok = ct_equal(user, cfg->auth_user);
	ok &= ct_equal(pass, cfg->hook_password);
	explicit_bzero(pass, strlen(pass));
	MHD_free(user);
	MHD_free(pass);
	return ok;
}

/* ---- the decision ---- */

static const char *
event_type_label(const struct pr_event *ev)
{
	return ev->event_type[0] ? ev->event_type : "event";
}

static enum MHD_Result
hook_ignored(struct MHD_Connection *conn, struct request *rq,
    const struct pr_event *ev, const char *reason)
{
	metrics_hook(HOOK_IGNORED);
	if (ev && ev->pr_id)
		log_info("ingress: 200 ignored %s for pull request %lu: %s",
		    event_type_label(ev), ev->pr_id, reason);
	else
		log_info(
		    "ingress: 200 ignored from %s: %s", rq->client, reason);
	return respond_json(conn, MHD_HTTP_OK, "ignored", "reason", reason);
}

static enum MHD_Result
hook_process(
    struct ingress *in, struct MHD_Connection *conn, struct request *rq)
{
	const struct config *cfg = rq->cfg;
	struct pr_event ev;
	char reason[256], key[QUEUE_KEY_MAX];
	enum event_result er;
	long org;

	er = event_parse(
	    rq->body.buf, rq->body.len, &ev, reason, sizeof(reason));
	if (er == EVENT_BAD) {
		metrics_hook(HOOK_BAD_REQUEST);
		log_warnx("ingress: 400 from %s: %s", rq->client, reason);
		return respond_json(
		    conn, MHD_HTTP_BAD_REQUEST, "error", "reason", reason);
	}
	if (er == EVENT_IGNORE)
		return hook_ignored(conn, rq, NULL, reason);

	org = config_find_org(cfg, ev.org_url);
	if (org < 0) {
		metrics_hook(HOOK_FORBIDDEN);
		log_warnx("ingress: 403 from %s: organization '%s' is not "
			  "configured",
		    rq->client, ev.org_url);
		return respond_json(conn, MHD_HTTP_FORBIDDEN, "error", "reason",
		    "organization not configured");
	}
	if (!config_repo_selected(cfg, (size_t)org, ev.project_name,
		ev.project_id, ev.repo_name, ev.repo_id))
		return hook_ignored(conn, rq, &ev, "repository not configured");
	if (ev.type != EVENT_PR_CREATED && ev.type != EVENT_PR_UPDATED) {
		snprintf(reason, sizeof(reason), "%.200s needs no diff",
		    event_type_label(&ev));
		return hook_ignored(conn, rq, &ev, reason);
	}
	if (strcmp(ev.status, "active") != 0) {
		/* closed for good: its processed pair need not be kept */
		queue_job_key(cfg->orgs[org].canon, ev.repo_id, ev.pr_id, key);
		queue_forget(in->q, key);
		snprintf(
		    reason, sizeof(reason), "pull request is %s", ev.status);
		return hook_ignored(conn, rq, &ev, reason);
	}
	if (ev.is_draft && cfg->skip_drafts)
		return hook_ignored(
		    conn, rq, &ev, "draft pull request (skip_drafts = yes)");

	/* the canonical form: a respelt organization_url keeps its jobs */
	switch (queue_submit(in->q, &ev, cfg->orgs[org].canon,
	    ev.type == EVENT_PR_CREATED, key)) {
	case QUEUE_ACCEPTED:
		metrics_hook(HOOK_ACCEPTED);
		log_info("ingress: 202 queued job %s: %s for pull request %lu "
			 "(%.7s..%.7s)",
		    key, ev.event_type, ev.pr_id, ev.target_commit,
		    ev.source_commit);
		return respond_json(
		    conn, MHD_HTTP_ACCEPTED, "queued", "job", key);
	case QUEUE_UNCHANGED:
		return hook_ignored(
		    conn, rq, &ev, "commit pair already processed or queued");
	case QUEUE_FULL:
		metrics_hook(HOOK_UNAVAILABLE);
		log_warnx("ingress: 503 for pull request %lu: the spool holds "
			  "max_jobs = %u jobs",
		    ev.pr_id, cfg->max_jobs);
		return respond_json(conn, MHD_HTTP_SERVICE_UNAVAILABLE, "error",
		    "reason", "queue full, retry later");
	case QUEUE_IO_ERROR:
		break;
	}
	metrics_hook(HOOK_UNAVAILABLE);
	log_errx("ingress: 503 for pull request %lu: the spool cannot be "
		 "written",
	    ev.pr_id);
	return respond_json(conn, MHD_HTTP_SERVICE_UNAVAILABLE, "error",
	    "reason", "spool not writable, retry later");
}

/* ---- routes ---- */

static enum MHD_Result
serve_get(struct ingress *in, struct MHD_Connection *conn, const char *url)
{
	struct queue_stats st;
	struct strbuf sb;
	enum MHD_Result ret;

	if (strcmp(url, "/healthz") == 0)
		return respond(conn, MHD_HTTP_OK, "text/plain", "ok\n", 3, 0);
	if (strcmp(url, "/readyz") == 0) {
		queue_get_stats(in->q, &st);
		if (!st.workers)
			return respond(conn, MHD_HTTP_SERVICE_UNAVAILABLE,
			    "text/plain", "not ready: workers not running\n",
			    31, 0);
		if (!st.writable)
			return respond(conn, MHD_HTTP_SERVICE_UNAVAILABLE,
			    "text/plain", "not ready: spool not writable\n", 30,
			    0);
		return respond(
		    conn, MHD_HTTP_OK, "text/plain", "ready\n", 6, 0);
	}
	if (strcmp(url, "/metrics") == 0) {
		queue_get_stats(in->q, &st);
		strbuf_init(&sb, 1 << 20);
		metrics_render(&sb, &st);
		ret = respond(conn, MHD_HTTP_OK,
		    "text/plain; version=0.0.4; charset=utf-8", sb.buf, sb.len,
		    0);
		strbuf_release(&sb);
		return ret;
	}
	return respond(
	    conn, MHD_HTTP_NOT_FOUND, "text/plain", "not found\n", 10, 0);
}

static void
client_address(struct MHD_Connection *conn, char *out, size_t len)
{
	const union MHD_ConnectionInfo *ci =
	    MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
	char addr[INET6_ADDRSTRLEN + 8];
	char *colon;

	sockaddr_text(ci ? ci->client_addr : NULL, addr, sizeof(addr));
	/* the address without the port */
	colon = strrchr(addr, ':');
	if (colon && addr[0] != '[')
		*colon = '\0';
	snprintf(out, len, "%s", addr);
}

static enum MHD_Result
on_request(void *cls, struct MHD_Connection *conn, const char *url,
    const char *method, const char *version, const char *upload_data,
    size_t *upload_data_size, void **con_cls)
{
	struct ingress *in = cls;
	struct request *rq = *con_cls;
	int is_get = strcmp(method, "GET") == 0 || strcmp(method, "HEAD") == 0;
	int is_post = strcmp(method, "POST") == 0;

	(void)version;
	if (!rq) {
		const char *clen;

		rq = xcalloc(1, sizeof(*rq));
		*con_cls = rq;
		rq->cfg = liveconf_get();
		client_address(conn, rq->client, sizeof(rq->client));
		if (strcmp(url, rq->cfg->hook_path) != 0) {
			if (is_get)
				return serve_get(in, conn, url);
			rq->rejected = 1;
			if (strcmp(url, "/healthz") == 0 ||
			    strcmp(url, "/readyz") == 0 ||
			    strcmp(url, "/metrics") == 0)
				return respond(conn,
				    MHD_HTTP_METHOD_NOT_ALLOWED, "text/plain",
				    "method not allowed\n", 19, 0);
			return respond(conn, MHD_HTTP_NOT_FOUND, "text/plain",
			    "not found\n", 10, 0);
		}
		if (!is_post) {
			rq->rejected = 1;
			return respond(conn, MHD_HTTP_METHOD_NOT_ALLOWED,
			    "text/plain", "method not allowed\n", 19, 2);
		}
		rq->is_hook = 1;
		strbuf_init(&rq->body, rq->cfg->max_body_bytes + 1);
		/* refuse before reading a byte of the body */
		if (!authorized(conn, rq->cfg, in)) {
			rq->rejected = 1;
			metrics_hook(HOOK_UNAUTHORIZED);
			log_warnx("ingress: 401 from %s: missing or wrong "
				  "credentials",
			    rq->client);
			return respond_json(conn, MHD_HTTP_UNAUTHORIZED,
			    "error", "reason", "authentication required");
		}
		clen = MHD_lookup_connection_value(
		    conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_LENGTH);
		if (clen &&
		    strtoull(clen, NULL, 10) > rq->cfg->max_body_bytes) {
			rq->rejected = 1;
			metrics_hook(HOOK_TOO_LARGE);
			log_warnx("ingress: 413 from %s: body of %s bytes, "
				  "max_body_bytes = %zu",
			    rq->client, clen, rq->cfg->max_body_bytes);
			return respond_json(conn, MHD_HTTP_CONTENT_TOO_LARGE,
			    "error", "reason", "body too large");
		}
		return MHD_YES;
	}
	if (rq->rejected) {
		/* the answer is out: swallow whatever body still comes */
		*upload_data_size = 0;
		return MHD_YES;
	}
	if (*upload_data_size) {
		if (!rq->too_large &&
		    strbuf_add(&rq->body, upload_data, *upload_data_size) == -1)
			rq->too_large = 1;
		*upload_data_size = 0;
		return MHD_YES;
	}
	if (rq->too_large) {
		metrics_hook(HOOK_TOO_LARGE);
		log_warnx(
		    "ingress: 413 from %s: body over max_body_bytes = %zu",
		    rq->client, rq->cfg->max_body_bytes);
		return respond_json(conn, MHD_HTTP_CONTENT_TOO_LARGE, "error",
		    "reason", "body too large");
	}
	return hook_process(in, conn, rq);
}

static void
on_completed(void *cls, struct MHD_Connection *conn, void **con_cls,
    enum MHD_RequestTerminationCode toe)
{
	struct request *rq = *con_cls;

	(void)cls;
	(void)conn;
	(void)toe;
	if (!rq)
		return;
	strbuf_release(&rq->body);
	liveconf_put(rq->cfg);
	free(rq);
	*con_cls = NULL;
}

static void
on_mhd_log(void *cls, const char *fmt, va_list ap)
{
	char msg[512];
	size_t n;

	(void)cls;
	vsnprintf(msg, sizeof(msg), fmt, ap);
	n = strlen(msg);
	while (n && (msg[n - 1] == '\n' || msg[n - 1] == '\r'))
		msg[--n] = '\0';
	log_warnx("ingress: libmicrohttpd: %s", msg);
}

int
ingress_start(
    struct ingress **ip, int fd, struct queue *q, char *err, size_t errlen)
{
	struct ingress *in = xcalloc(1, sizeof(*in));
	const struct config *cfg = liveconf_get();

	in->q = q;
	in->fd = fd;
	in->loopback = socket_is_loopback(fd);
	if (cfg->allow_unauthenticated && !in->loopback)
		log_warnx("ingress: allow_unauthenticated is ignored: the "
			  "socket is not bound to a loopback address");
	in->mhd = MHD_start_daemon(
	    MHD_USE_EPOLL_INTERNAL_THREAD | MHD_USE_ITC | MHD_USE_ERROR_LOG, 0,
	    NULL, NULL, on_request, in, MHD_OPTION_EXTERNAL_LOGGER, on_mhd_log,
	    in, MHD_OPTION_LISTEN_SOCKET, fd, MHD_OPTION_THREAD_POOL_SIZE,
	    (unsigned)INGRESS_THREADS, MHD_OPTION_CONNECTION_LIMIT,
	    cfg->max_connections, MHD_OPTION_PER_IP_CONNECTION_LIMIT,
	    cfg->max_connections_per_ip, MHD_OPTION_CONNECTION_TIMEOUT,
	    cfg->connection_timeout, MHD_OPTION_CONNECTION_MEMORY_LIMIT,
	    (size_t)INGRESS_CONNECTION_MEMORY, MHD_OPTION_NOTIFY_COMPLETED,
	    on_completed, in, MHD_OPTION_END);
	liveconf_put(cfg);
	if (!in->mhd) {
		snprintf(err, errlen, "cannot start the HTTP server");
		free(in);
		return -1;
	}
	*ip = in;
	return 0;
}

void
ingress_quiesce(struct ingress *in)
{
	if (in && in->mhd)
		MHD_quiesce_daemon(in->mhd);
}

void
ingress_stop(struct ingress *in)
{
	if (!in)
		return;
	if (in->mhd)
		MHD_stop_daemon(in->mhd);
	if (in->fd != -1)
		close(in->fd);
	free(in);
}
