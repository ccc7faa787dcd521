/*
 * ado.c: the Azure DevOps REST client on libcurl (see ado.h).
 */
#include "ado.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include <cjson/cJSON.h>
#include <curl/curl.h>

#include "bounds.h"
#include "clock.h"
#include "config.h"
#include "log.h"
#include "metrics.h"
#include "strbuf.h"
#include "xmalloc.h"
#include "banned.h"

#ifndef DATADIFFD_VERSION
#define DATADIFFD_VERSION "0.1.0"
#endif

struct ado {
	CURL *curl;
	struct ado_target t;
	char err[512];
	char curl_err[CURL_ERROR_SIZE];
	struct strbuf body; /* the answer of a JSON call */
	FILE *out;          /* the destination of a blob */
	uint64_t written, max;
	int too_large;
	long retry_after_s; /* from the Retry-After header, -1 none */
	char content_type[128];
	char service_error[256]; /* X-TFS-ServiceError, decoded */
	uint64_t rng;
	/* who the token is, for the organization and token it was asked of */
	char me[EVENT_GUID_LEN + 1];
	char me_org[EVENT_URL_MAX];
	uint64_t me_token; /* FNV-1a of the token: a cache key, not a secret */
};

const char *
ado_result_name(enum ado_result r)
{
	switch (r) {
	case ADO_OK:
		return "ok";
	case ADO_AUTH:
		return "authentication failed";
	case ADO_RETRY:
		return "unavailable";
	case ADO_NOT_FOUND:
		return "not found";
	case ADO_FAILED:
		return "failed";
	case ADO_TOO_LARGE:
		return "too large";
	case ADO_UNSURE:
		return "outcome unknown";
	case ADO_CANCELED:
		break;
	}
	return "canceled";
}

static void PRINTF_LIKE(2, 3) set_err(struct ado *a, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(a->err, sizeof(a->err), fmt, ap);
	va_end(ap);
}

const char *
ado_error(const struct ado *a)
{
	return a->err;
}

struct ado *
ado_new(void)
{
	struct ado *a = xcalloc(1, sizeof(*a));

	a->curl = curl_easy_init();
	if (!a->curl) {
		free(a);
		return NULL;
	}
	strbuf_init(&a->body, ADO_MAX_RESPONSE_BYTES);
	a->rng =
	    (uint64_t)clock_ms() ^ ((uint64_t)getpid() << 20) ^ 0x9e3779b9u;
	return a;
}

void
ado_free(struct ado *a)
{
	if (!a)
		return;
	curl_easy_cleanup(a->curl);
	strbuf_release(&a->body);
	free(a);
}

void
ado_set_target(struct ado *a, const struct ado_target *t)
{
	a->t = *t;
}

/* ---- libcurl callbacks ---- */

static size_t
on_body(char *p, size_t size, size_t nmemb, void *ud)
{
	struct ado *a = ud;
	size_t n = size * nmemb;

	if (a->out) {
		/* libcurl 7.88 does not stop at MAXFILESIZE on unknown sizes */
		if (n > a->max - a->written) {
			a->too_large = 1;
			return 0;
		}
		if (fwrite(p, 1, n, a->out) != n)
			return 0;
		a->written += n;
		return n;
	}
	if (strbuf_add(&a->body, p, n) == -1) {
		a->too_large = 1;
		return 0;
	}
	return n;
}

static void
header_value(
    const char *line, size_t n, size_t name_len, char *out, size_t outlen)
{
	const char *v = line + name_len;
	size_t vl = n - name_len;

	while (vl && (*v == ' ' || *v == '\t')) {
		v++;
		vl--;
	}
	while (
	    vl && (v[vl - 1] == '\r' || v[vl - 1] == '\n' || v[vl - 1] == ' '))
		vl--;
	if (vl >= outlen)
		vl = outlen - 1;
	memcpy(out, v, vl);
	out[vl] = '\0';
}

/* "Access%20Denied%3A%20..." -> text, control characters dropped */
static void
url_decode(char *s)
{
	char *o = s;

	for (char *p = s; *p; p++) {
		if (*p == '%' && p[1] && p[2]) {
			char hex[3] = {p[1], p[2], 0};
			char *end;
			long v = strtol(hex, &end, 16);

			if (*end == '\0') {
				*o++ = v >= 0x20 && v < 0x7f ? (char)v : ' ';
				p += 2;
				continue;
			}
		}
		*o++ = *p;
	}
	*o = '\0';
}

static size_t
on_header(char *line, size_t size, size_t nmemb, void *ud)
{
	struct ado *a = ud;
	size_t n = size * nmemb;
	char v[256];

	if (n > 12 && strncasecmp(line, "Retry-After:", 12) == 0) {
		char *end;
		long s;

		header_value(line, n, 12, v, sizeof(v));
		errno = 0;
		s = strtol(v, &end, 10);
		if (!errno && end != v && s >= 0)
			a->retry_after_s = s > ADO_MAX_RETRY_AFTER_S ?
			    ADO_MAX_RETRY_AFTER_S :
			    s;
	} else if (n > 13 && strncasecmp(line, "Content-Type:", 13) == 0) {
		header_value(
		    line, n, 13, a->content_type, sizeof(a->content_type));
	} else if (n > 19 &&
	    strncasecmp(line, "X-TFS-ServiceError:", 19) == 0) {
		header_value(
		    line, n, 19, a->service_error, sizeof(a->service_error));
		url_decode(a->service_error);
	}
	return n;
}

static int
on_progress(void *ud, curl_off_t dltotal, curl_off_t dlnow, curl_off_t ultotal,
    curl_off_t ulnow)
{
	struct ado *a = ud;

	(void)dltotal;
	(void)dlnow;
	(void)ultotal;
	(void)ulnow;
	return a->t.cancel && *a->t.cancel;
}

/* ---- one request, with its retries ---- */

struct req {
	const char *method; /* GET, POST, PATCH */
	const char *path;   /* under the repository, with a query or not */
	const char *body;   /* JSON to send, or NULL */
	const char *accept;
	int blob;      /* the answer goes to a->out */
	int once;      /* creates something: never sent twice blindly */
	int org_level; /* path is under {org}/_apis, not the repository */
};

/*
 * Whether a request that failed with rc may have reached the service (and
 * been carried out): anything after the connection was made.
 */
static int
maybe_sent(CURLcode rc)
{
	switch (rc) {
	case CURLE_COULDNT_RESOLVE_PROXY:
	case CURLE_COULDNT_RESOLVE_HOST:
	case CURLE_COULDNT_CONNECT:
	case CURLE_SSL_CONNECT_ERROR:
	case CURLE_PEER_FAILED_VERIFICATION:
		return 0;
	default:
		return 1;
	}
}

static int64_t
backoff_ms(struct ado *a, unsigned attempt)
{
	double ms = ADO_RETRY_BASE_MS;
	uint64_t x = a->rng;

	for (unsigned i = 1; i < attempt && ms < ADO_RETRY_MAX_MS; i++)
		ms *= 2;
	if (ms > ADO_RETRY_MAX_MS)
		ms = ADO_RETRY_MAX_MS;
	x ^= x << 13;
	x ^= x >> 7;
	x ^= x << 17;
	a->rng = x;
	return (int64_t)(ms * (0.8 + 0.4 * (double)(x % 10001) / 10000.0));
}

/* sleep ms in slices, watching cancel; 0, or -1 when canceled */
static int
nap(struct ado *a, int64_t ms)
{
	while (ms > 0) {
		struct timespec ts = {0, 100 * 1000000L};

		if (a->t.cancel && *a->t.cancel)
			return -1;
		if (ms < 100)
			ts.tv_nsec = (long)ms * 1000000L;
		nanosleep(&ts, NULL);
		ms -= 100;
	}
	return 0;
}

static int
is_loopback_http(const char *url)
{
	char host[256];
	const char *p, *e;
	size_t n;

	if (strncmp(url, "http://", 7) != 0)
		return 0;
	p = url + 7;
	if (*p == '[') {
		e = strchr(p, ']');
		if (!e)
			return 0;
		e++;
	} else {
		e = p + strcspn(p, ":/");
	}
	n = (size_t)(e - p);
	if (n >= sizeof(host))
		return 0;
	memcpy(host, p, n);
	host[n] = '\0';
	return config_is_loopback_host(host);
}

static enum ado_result
request(struct ado *a, const struct req *r)
{
	struct strbuf url;
	struct curl_slist *hdrs = NULL;
	char line[256], msg[256];
	unsigned attempt = 0;
	enum ado_result res = ADO_FAILED;
	const char *proto;

	strbuf_init(&url, 8192);
	if (r->org_level)
		strbuf_addf(&url, "%s/_apis%s", a->t.org_url, r->path);
	else
		strbuf_addf(&url,
		    "%s/%s/_apis/git/repositories/%s%s%capi-version=%s",
		    a->t.org_url, a->t.project, a->t.repo, r->path,
		    strchr(r->path, '?') ? '&' : '?', a->t.api_version);
	if (url.overflow) {
		set_err(a, "request URL too long");
		strbuf_release(&url);
		return ADO_FAILED;
	}
	snprintf(line, sizeof(line), "Accept: %s;api-version=%s", r->accept,
	    a->t.api_version);
	hdrs = curl_slist_append(hdrs, line);
	hdrs = curl_slist_append(hdrs, "X-TFS-FedAuthRedirect: Suppress");
	hdrs =
	    curl_slist_append(hdrs, "User-Agent: datadiffd/" DATADIFFD_VERSION);
	if (r->body)
		hdrs = curl_slist_append(
		    hdrs, "Content-Type: application/json; charset=utf-8");
	proto = is_loopback_http(a->t.org_url) ? "http,https" : "https";

	for (;;) {
		CURL *c = a->curl;
		CURLcode rc;
		long status = 0;
		int64_t wait = -1;

		curl_easy_reset(c);
		strbuf_reset(&a->body);
		a->written = 0;
		a->too_large = 0;
		a->retry_after_s = -1;
		a->content_type[0] = '\0';
		a->service_error[0] = '\0';
		a->curl_err[0] = '\0';
		if (r->blob &&
		    (fseek(a->out, 0, SEEK_SET) == -1 ||
			ftruncate(fileno(a->out), 0) == -1)) {
			set_err(a, "cannot rewind the blob file: %s",
			    strerror(errno));
			break;
		}
		curl_easy_setopt(c, CURLOPT_URL, url.buf);
		curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
		curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, proto);
		curl_easy_setopt(c, CURLOPT_REDIR_PROTOCOLS_STR, proto);
		curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 0L);
		curl_easy_setopt(c, CURLOPT_SSL_VERIFYPEER, 1L);
		curl_easy_setopt(c, CURLOPT_SSL_VERIFYHOST, 2L);
		curl_easy_setopt(c, CURLOPT_HTTPAUTH, (long)CURLAUTH_BASIC);
		curl_easy_setopt(c, CURLOPT_USERNAME, "");
		curl_easy_setopt(c, CURLOPT_PASSWORD, a->t.pat);
		curl_easy_setopt(c, CURLOPT_HTTPHEADER, hdrs);
		curl_easy_setopt(
		    c, CURLOPT_CONNECTTIMEOUT_MS, (long)ADO_CONNECT_TIMEOUT_MS);
		if (r->blob) {
			/* a large blob may take long: abort only when it stalls */
			curl_easy_setopt(c, CURLOPT_LOW_SPEED_LIMIT,
			    (long)ADO_LOW_SPEED_BYTES);
			curl_easy_setopt(
			    c, CURLOPT_LOW_SPEED_TIME, (long)a->t.timeout_s);
			curl_easy_setopt(
			    c, CURLOPT_MAXFILESIZE_LARGE, (curl_off_t)a->max);
		} else {
			curl_easy_setopt(c, CURLOPT_TIMEOUT_MS,
			    (long)a->t.timeout_s * 1000L);
		}
		curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body);
		curl_easy_setopt(c, CURLOPT_WRITEDATA, a);
		curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, on_header);
		curl_easy_setopt(c, CURLOPT_HEADERDATA, a);
		curl_easy_setopt(c, CURLOPT_XFERINFOFUNCTION, on_progress);
		curl_easy_setopt(c, CURLOPT_XFERINFODATA, a);
		curl_easy_setopt(c, CURLOPT_NOPROGRESS, 0L);
		curl_easy_setopt(c, CURLOPT_ERRORBUFFER, a->curl_err);
		curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, r->method);
		if (r->body)
			curl_easy_setopt(c, CURLOPT_POSTFIELDS, r->body);
		else if (strcmp(r->method, "GET") == 0)
			curl_easy_setopt(c, CURLOPT_HTTPGET, 1L);

		rc = curl_easy_perform(c);
		if (rc == CURLE_OK)
			curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
		metrics_ado(rc == CURLE_OK ? status : 0);
		attempt++;

		if (a->t.cancel && *a->t.cancel) {
			set_err(a, "%s %s: canceled", r->method, r->path);
			res = ADO_CANCELED;
			break;
		}
		if (a->too_large || rc == CURLE_FILESIZE_EXCEEDED) {
			set_err(a, "%s %s: larger than %llu bytes", r->method,
			    r->path,
			    (unsigned long long)(r->blob ?
				    a->max :
				    ADO_MAX_RESPONSE_BYTES));
			res = ADO_TOO_LARGE;
			break;
		}
		if (rc != CURLE_OK) {
			snprintf(msg, sizeof(msg), "%s",
			    a->curl_err[0] ? a->curl_err :
					     curl_easy_strerror(rc));
			if (r->once && maybe_sent(rc)) {
				set_err(
				    a, "%s %s: %s", r->method, r->path, msg);
				res = ADO_UNSURE;
				break;
			}
			wait = backoff_ms(a, attempt);
		} else if (status == 203 ||
		    (status >= 200 && status < 300 && !r->blob &&
			strncasecmp(a->content_type, "text/html", 9) == 0)) {
			set_err(a,
			    "%s %s: Azure DevOps answered %ld with a sign-in page: "
			    "the personal access token is expired, revoked or "
			    "for another organization",
			    r->method, r->path, status);
			res = ADO_AUTH;
			break;
		} else if (status == 401 || status == 403) {
			adoparse_error_message(
			    a->body.buf, a->body.len, msg, sizeof(msg));
			set_err(a,
			    "%s %s: Azure DevOps answered %ld: the personal "
			    "access token was rejected or lacks a scope (needs "
			    "Code (Read & write) and Code (Status))%s%s",
			    r->method, r->path, status,
			    a->service_error[0] || msg[0] ? ": " : "",
			    a->service_error[0] ? a->service_error : msg);
			res = ADO_AUTH;
			break;
		} else if (status == 429 || status == 503) {
			/* throttled or unavailable: nothing was carried out */
			snprintf(msg, sizeof(msg), "HTTP %ld", status);
			wait = a->retry_after_s < 0 ? backoff_ms(a, attempt) :
			    a->retry_after_s == 0   ? ADO_RETRY_BASE_MS :
						      a->retry_after_s * 1000;
		} else if (status >= 500) {
			snprintf(msg, sizeof(msg), "HTTP %ld", status);
			if (r->once) {
				set_err(
				    a, "%s %s: %s", r->method, r->path, msg);
				res = ADO_UNSURE;
				break;
			}
			wait = backoff_ms(a, attempt);
		} else if (status == 404) {
			adoparse_error_message(
			    a->body.buf, a->body.len, msg, sizeof(msg));
			set_err(a, "%s %s: not found%s%s", r->method, r->path,
			    msg[0] ? ": " : "", msg);
			res = ADO_NOT_FOUND;
			break;
		} else if (status >= 400 || status < 200 || status >= 300) {
			adoparse_error_message(
			    a->body.buf, a->body.len, msg, sizeof(msg));
			set_err(a, "%s %s: HTTP %ld%s%s", r->method, r->path,
			    status, msg[0] ? ": " : "", msg);
			res = ADO_FAILED;
			break;
		} else {
			res = ADO_OK;
			break;
		}
		/* a failure worth another try, if the deadline allows */
		if (clock_ms() + wait > a->t.deadline_ms) {
			set_err(a,
			    "%s %s: %s, giving up for now after %u "
			    "attempt%s",
			    r->method, r->path, msg, attempt,
			    attempt == 1 ? "" : "s");
			res = ADO_RETRY;
			break;
		}
		log_warnx("ado: %s %s: %s, retrying in %.1f s", r->method,
		    r->path, msg, (double)wait / 1000.0);
		if (nap(a, wait) == -1) {
			set_err(a, "%s %s: canceled", r->method, r->path);
			res = ADO_CANCELED;
			break;
		}
	}
	curl_slist_free_all(hdrs);
	strbuf_release(&url);
	return res;
}

static enum ado_result
get_json(struct ado *a, const char *path)
{
	struct req r = {"GET", path, NULL, "application/json", 0, 0, 0};

	return request(a, &r);
}

static enum ado_result
send_json(
    struct ado *a, const char *method, const char *path, cJSON *body, int once)
{
	char *text = cJSON_PrintUnformatted(body);
	struct req r = {method, path, text, "application/json", 0, once, 0};
	enum ado_result res;

	if (!text) {
		set_err(a, "cannot build the request body");
		return ADO_FAILED;
	}
	res = request(a, &r);
	free(text);
	return res;
}

enum ado_result
ado_pause(struct ado *a, unsigned attempt)
{
	int64_t wait = backoff_ms(a, attempt);

	if (clock_ms() + wait > a->t.deadline_ms)
		return ADO_RETRY;
	return nap(a, wait) == -1 ? ADO_CANCELED : ADO_OK;
}

/* ---- the calls ---- */

enum ado_result
ado_iterations(
    struct ado *a, unsigned long pr, struct ado_iteration **its, size_t *n)
{
	char path[128], err[256];
	enum ado_result res;

	snprintf(path, sizeof(path), "/pullRequests/%lu/iterations", pr);
	res = get_json(a, path);
	if (res != ADO_OK)
		return res;
	if (adoparse_iterations(
		a->body.buf, a->body.len, its, n, err, sizeof(err)) == -1) {
		set_err(a, "GET %s: %s", path, err);
		return ADO_FAILED;
	}
	return ADO_OK;
}

enum ado_result
ado_changes(struct ado *a, unsigned long pr, unsigned it, size_t max,
    struct ado_change **changes, size_t *n)
{
	unsigned skip = 0, top = ADO_PAGE_SIZE;
	char path[160], err[256];
	enum ado_result res;

	*changes = NULL;
	*n = 0;
	for (;;) {
		unsigned next_skip, next_top;

		snprintf(path, sizeof(path),
		    "/pullRequests/%lu/iterations/%u/changes?$top=%u&$skip=%u",
		    pr, it, top, skip);
		res = get_json(a, path);
		if (res != ADO_OK)
			goto fail;
		if (adoparse_changes(a->body.buf, a->body.len, changes, n, max,
			&next_skip, &next_top, err, sizeof(err)) == -1) {
			set_err(a, "GET %s: %s", path, err);
			res = ADO_FAILED;
			goto fail;
		}
		if (next_skip == 0)
			return ADO_OK;
		/* every page must move forward, or we would loop forever */
		if (next_skip <= skip) {
			set_err(a, "GET %s: nextSkip %u does not advance", path,
			    next_skip);
			res = ADO_FAILED;
			goto fail;
		}
		skip = next_skip;
		top = next_top && next_top <= ADO_PAGE_SIZE ? next_top :
							      ADO_PAGE_SIZE;
	}
fail:
	ado_changes_free(*changes, *n);
	*changes = NULL;
	*n = 0;
	return res;
}

enum ado_result
ado_blob(struct ado *a, const char *sha, const char *path, uint64_t max_bytes,
    uint64_t *size)
{
	char urlpath[128];
	struct req r = {
	    "GET", urlpath, NULL, "application/octet-stream", 1, 0, 0};
	enum ado_result res;

	*size = 0;
	if (!event_is_sha1(sha)) {
		set_err(a, "blob id '%.40s' is not a SHA-1", sha);
		return ADO_FAILED;
	}
	snprintf(urlpath, sizeof(urlpath),
	    "/blobs/%s?$format=octetstream&resolveLfs=true", sha);
	a->out = fopen(path, "w+e");
	if (!a->out) {
		set_err(a, "cannot create '%s': %s", path, strerror(errno));
		return ADO_FAILED;
	}
	a->max = max_bytes;
	res = request(a, &r);
	if (fclose(a->out) != 0 && res == ADO_OK) {
		set_err(a, "cannot write '%s': %s", path, strerror(errno));
		res = ADO_FAILED;
	}
	a->out = NULL;
	*size = a->written;
	return res;
}

static uint64_t
fnv1a(const char *s)
{
	uint64_t h = UINT64_C(0xcbf29ce484222325);

	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * UINT64_C(0x100000001b3);
	return h;
}

enum ado_result
ado_identity(struct ado *a, const char **id)
{
	char path[128], err[256];
	struct req r = {"GET", path, NULL, "application/json", 0, 0, 1};
	uint64_t token = fnv1a(a->t.pat);
	enum ado_result res;

	*id = a->me;
	if (a->me[0] && a->me_token == token &&
	    strcmp(a->me_org, a->t.org_url) == 0)
		return ADO_OK;
	a->me[0] = '\0';
	/* a preview-only resource */
	snprintf(path, sizeof(path), "/connectionData?api-version=%s%s",
	    a->t.api_version,
	    strstr(a->t.api_version, "-preview") ? "" : "-preview");
	res = request(a, &r);
	if (res != ADO_OK)
		return res;
	if (adoparse_identity(
		a->body.buf, a->body.len, a->me, err, sizeof(err)) == -1) {
		a->me[0] = '\0';
		set_err(a, "GET %s: %s", path, err);
		return ADO_FAILED;
	}
	snprintf(a->me_org, sizeof(a->me_org), "%s", a->t.org_url);
	a->me_token = token;
	return ADO_OK;
}

enum ado_result
ado_find_thread(struct ado *a, unsigned long pr, const char *property,
    int *found, struct ado_thread *thread)
{
	char path[128], err[256];
	const char *me;
	enum ado_result res;
	int r;

	*found = 0;
	res = ado_identity(a, &me);
	if (res != ADO_OK)
		return res;
	snprintf(path, sizeof(path), "/pullRequests/%lu/threads", pr);
	res = get_json(a, path);
	if (res != ADO_OK)
		return res;
	r = adoparse_find_thread(
	    a->body.buf, a->body.len, property, me, thread, err, sizeof(err));
	if (r == -1) {
		set_err(a, "GET %s: %s", path, err);
		return ADO_FAILED;
	}
	*found = r;
	return ADO_OK;
}

static cJSON *
property(const char *type, cJSON *value)
{
	cJSON *p = cJSON_CreateObject();

	cJSON_AddStringToObject(p, "type", type);
	cJSON_AddItemToObject(p, "value", value);
	return p;
}

enum ado_result
ado_create_thread(struct ado *a, unsigned long pr, const char *content,
    const char *prop, const char *status, long *thread_id, long *comment_id)
{
	cJSON *body = cJSON_CreateObject();
	cJSON *comments = cJSON_AddArrayToObject(body, "comments");
	cJSON *c = cJSON_CreateObject();
	cJSON *props = cJSON_AddObjectToObject(body, "properties");
	char path[128], err[256];
	enum ado_result res;

	cJSON_AddNumberToObject(c, "parentCommentId", 0);
	cJSON_AddStringToObject(c, "content", content);
	cJSON_AddStringToObject(c, "commentType", "text");
	cJSON_AddItemToArray(comments, c);
	cJSON_AddStringToObject(body, "status", status);
	cJSON_AddItemToObject(props,
	    "Microsoft.TeamFoundation.Discussion.SupportsMarkdown",
	    property("System.Int32", cJSON_CreateNumber(1)));
	cJSON_AddItemToObject(
	    props, prop, property("System.String", cJSON_CreateString("1")));
	snprintf(path, sizeof(path), "/pullRequests/%lu/threads", pr);
	res = send_json(a, "POST", path, body, 1);
	cJSON_Delete(body);
	if (res == ADO_OK &&
	    adoparse_thread_ids(a->body.buf, a->body.len, thread_id, comment_id,
		err, sizeof(err)) == -1) {
		set_err(a, "POST %s: %s", path, err);
		res = ADO_FAILED;
	}
	return res;
}

enum ado_result
ado_set_thread_status(
    struct ado *a, unsigned long pr, long thread_id, const char *status)
{
	cJSON *body = cJSON_CreateObject();
	char path[128];
	enum ado_result res;

	cJSON_AddStringToObject(body, "status", status);
	snprintf(
	    path, sizeof(path), "/pullRequests/%lu/threads/%ld", pr, thread_id);
	res = send_json(a, "PATCH", path, body, 0);
	cJSON_Delete(body);
	return res;
}

enum ado_result
ado_update_comment(struct ado *a, unsigned long pr, long thread_id,
    long comment_id, const char *content)
{
	cJSON *body = cJSON_CreateObject();
	char path[160];
	enum ado_result res;

	cJSON_AddStringToObject(body, "content", content);
	snprintf(path, sizeof(path),
	    "/pullRequests/%lu/threads/%ld/comments/%ld", pr, thread_id,
	    comment_id);
	res = send_json(a, "PATCH", path, body, 0);
	cJSON_Delete(body);
	return res;
}

enum ado_result
ado_post_status(struct ado *a, unsigned long pr, unsigned it, const char *genre,
    const char *name, const char *state, const char *description)
{
	cJSON *body = cJSON_CreateObject();
	cJSON *ctx = cJSON_AddObjectToObject(body, "context");
	char path[128];
	enum ado_result res;

	cJSON_AddStringToObject(body, "state", state);
	cJSON_AddStringToObject(body, "description", description);
	cJSON_AddStringToObject(ctx, "genre", genre);
	cJSON_AddStringToObject(ctx, "name", name);
	if (it)
		cJSON_AddNumberToObject(body, "iterationId", it);
	snprintf(path, sizeof(path), "/pullRequests/%lu/statuses", pr);
	/* a second status for the same iteration is harmless: the last wins */
	res = send_json(a, "POST", path, body, 0);
	cJSON_Delete(body);
	return res;
}
