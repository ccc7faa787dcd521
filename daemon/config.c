/*
 * config.c: the configuration file and its checks (see config.h).
 *
 * inih splits "name = value" lines and strips comments; lines reach it
 * through cfg_reader(), which numbers them, rejects over-long ones on their
 * own line, dedents them (so no line is taken as a continuation of the
 * previous value) and follows section headers itself, so that every
 * message can name its line and [rule] sections keep their file order.
 */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <arpa/inet.h>
#include <fnmatch.h>
#include <math.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <ini.h>

#include "bounds.h"
#include "event.h"
#include "strbuf.h"
#include "xmalloc.h"
#include "banned.h"

enum cfg_section {
	SEC_NONE, /* before any section, or an unknown one */
	SEC_SERVER,
	SEC_ADO,
	SEC_QUEUE,
	SEC_DIFF,
	SEC_RULE,
};

static const char *const section_names[] = {
    [SEC_NONE] = "",
    [SEC_SERVER] = "server",
    [SEC_ADO] = "azure-devops",
    [SEC_QUEUE] = "queue",
    [SEC_DIFF] = "diff",
    [SEC_RULE] = "rule",
};

enum cfg_type {
	T_STRING,   /* char *: printable text */
	T_PATH,     /* char *: an absolute path */
	T_LISTEN,   /* char *: host:port or [v6]:port */
	T_HOOKPATH, /* char *: an URL path */
	T_USER,     /* char *: a Basic auth user name */
	T_APIVER,   /* char *: 7.1, 7.1-preview.1 */
	T_THREAD,   /* char *: active or closed */
	T_UINT,     /* unsigned */
	T_SIZE,     /* size_t, with an optional K/M/G suffix */
	T_BOOL,     /* int */
	T_DOUBLE,   /* double >= 0 (tolerance) */
	T_DELIM,    /* char: one character or "tab" */
	T_ORGS,     /* list: organization_url */
	T_REPOS,    /* list: repository */
	T_GLOBS,    /* list of char *: space- or comma-separated globs */
	T_COLUMNS,  /* list of char *: comma-separated column names */
	T_FAILON,   /* unsigned flags: comma- or space-separated names */
};

struct cfg_key {
	enum cfg_section section;
	const char *name;
	enum cfg_type type;
	size_t off;   /* in struct config, or struct config_rule for SEC_RULE */
	size_t count; /* list count (size_t) offset, or "has" (int) offset */
	unsigned long long min, max;
	const char *def; /* default, parsed like a value from the file */
	int list;        /* may be repeated, the values add up */
};

#define C(f)  offsetof(struct config, f)
#define R(f)  offsetof(struct config_rule, f)
#define NOCNT ((size_t)-1)

static const struct cfg_key keys[] = {
    {SEC_SERVER, "listen", T_LISTEN, C(listen), NOCNT, 0, 0, "127.0.0.1:8080",
	0},
    {SEC_SERVER, "hook_path", T_HOOKPATH, C(hook_path), NOCNT, 0, 0,
	"/hooks/azure-devops", 0},
    {SEC_SERVER, "auth_user", T_USER, C(auth_user), NOCNT, 0, 0, "ado", 0},
    {SEC_SERVER, "auth_password_file", T_PATH, C(auth_password_file), NOCNT, 0,
	0, "/etc/datadiffd/hook-password", 0},
    {SEC_SERVER, "allow_unauthenticated", T_BOOL, C(allow_unauthenticated),
	NOCNT, 0, 1, "no", 0},
    {SEC_SERVER, "max_body_bytes", T_SIZE, C(max_body_bytes), NOCNT,
	INGRESS_MIN_BODY_BYTES, INGRESS_MAX_BODY_BYTES, "2M", 0},
    {SEC_SERVER, "max_connections", T_UINT, C(max_connections), NOCNT, 1,
	INGRESS_MAX_CONNECTIONS, BOUNDS_STR(INGRESS_DEFAULT_CONNECTIONS), 0},
    {SEC_SERVER, "max_connections_per_ip", T_UINT, C(max_connections_per_ip),
	NOCNT, 1, INGRESS_MAX_CONNECTIONS, BOUNDS_STR(INGRESS_DEFAULT_PER_IP),
	0},
    {SEC_SERVER, "connection_timeout", T_UINT, C(connection_timeout), NOCNT, 1,
	3600, BOUNDS_STR(INGRESS_DEFAULT_TIMEOUT), 0},

    {SEC_ADO, "organization_url", T_ORGS, C(orgs), C(norgs), 0, 0, NULL, 1},
    {SEC_ADO, "pat_file", T_PATH, C(pat_file), NOCNT, 0, 0,
	"/etc/datadiffd/ado-pat", 0},
    {SEC_ADO, "repository", T_REPOS, C(repos), C(nrepos), 0, 0, NULL, 1},
    {SEC_ADO, "api_version", T_APIVER, C(api_version), NOCNT, 0, 0, "7.1", 0},
    {SEC_ADO, "timeout_seconds", T_UINT, C(timeout_seconds), NOCNT, 5, 600,
	"60", 0},

    {SEC_QUEUE, "state_dir", T_PATH, C(state_dir), NOCNT, 0, 0, NULL, 0},
    {SEC_QUEUE, "workers", T_UINT, C(workers), NOCNT, 1, QUEUE_MAX_WORKERS, "2",
	0},
    {SEC_QUEUE, "max_attempts", T_UINT, C(max_attempts), NOCNT, 1, 100, "8", 0},
    {SEC_QUEUE, "max_jobs", T_UINT, C(max_jobs), NOCNT, 1, QUEUE_MAX_JOBS,
	BOUNDS_STR(QUEUE_DEFAULT_JOBS), 0},

    {SEC_DIFF, "include", T_GLOBS, C(include), C(ninclude), 0, 0, "*.csv *.tsv",
	1},
    {SEC_DIFF, "exclude", T_GLOBS, C(exclude), C(nexclude), 0, 0, NULL, 1},
    {SEC_DIFF, "max_file_bytes", T_SIZE, C(max_file_bytes), NOCNT, 1024,
	JOB_MAX_FILE_BYTES, "1G", 0},
    {SEC_DIFF, "max_rows", T_UINT, C(max_rows), NOCNT, 1, CSV_MAX_ROWS,
	BOUNDS_STR(DIFF_DEFAULT_MAX_ROWS), 0},
    {SEC_DIFF, "samples", T_SIZE, C(samples), NOCNT, 0, REPORT_MAX_SAMPLES, "5",
	0},
    {SEC_DIFF, "skip_drafts", T_BOOL, C(skip_drafts), NOCNT, 0, 1, "no", 0},
    {SEC_DIFF, "fail_on", T_FAILON, C(fail_on), NOCNT, 0, 0, NULL, 1},
    {SEC_DIFF, "thread_status", T_THREAD, C(thread_status), NOCNT, 0, 0,
	"active", 0},

    {SEC_RULE, "key", T_COLUMNS, R(key), R(nkey), 1, DIFF_MAX_KEY_COLUMNS, NULL,
	0},
    {SEC_RULE, "ignore", T_COLUMNS, R(ignore), R(nignore), 1,
	DIFF_MAX_IGNORE_COLUMNS, NULL, 1},
    {SEC_RULE, "tolerance", T_DOUBLE, R(tolerance), R(has_tolerance), 0, 0,
	NULL, 0},
    {SEC_RULE, "delimiter", T_DELIM, R(delimiter), NOCNT, 0, 0, NULL, 0},
    {SEC_RULE, "samples", T_SIZE, R(samples), R(has_samples), 0,
	REPORT_MAX_SAMPLES, NULL, 0},
    {SEC_RULE, "fail_on", T_FAILON, R(fail_on), R(has_fail_on), 0, 0, NULL, 1},
};

#define NKEYS (sizeof(keys) / sizeof(keys[0]))

/* where a key was set first, to refuse a second setting */
struct cfg_seen {
	size_t rule; /* rule index, or (size_t)-1 for the global sections */
	size_t key;
	unsigned long line;
};

struct cfg_parse {
	struct config *cfg;
	struct config_errors *errs;
	const char *file;
	const char *p, *end; /* the reader's position */
	unsigned long line;  /* the line last handed to inih */
	enum cfg_section sec;
	int sec_unknown; /* inside an unknown section: stay quiet */
	struct cfg_seen *seen;
	size_t nseen;
	int failed;
};

/* ---- errors ---- */

void
config_errors_init(struct config_errors *errs)
{
	errs->msg = NULL;
	errs->n = 0;
}

void
config_errors_release(struct config_errors *errs)
{
	for (size_t i = 0; i < errs->n; i++)
		free(errs->msg[i]);
	free(errs->msg);
	config_errors_init(errs);
}

static void PRINTF_LIKE(4, 5) cfg_error(struct config_errors *errs,
    const char *file, unsigned long line, const char *fmt, ...)
{
	struct strbuf sb;
	va_list ap;

	if (errs->n > CONFIG_MAX_ERRORS)
		return;
	strbuf_init(&sb, 1024);
	if (errs->n == CONFIG_MAX_ERRORS) {
		strbuf_addf(&sb, "%s: too many errors, giving up", file);
	} else {
		if (line)
			strbuf_addf(&sb, "%s:%lu: ", file, line);
		else
			strbuf_addf(&sb, "%s: ", file);
		va_start(ap, fmt);
		strbuf_vaddf(&sb, fmt, ap);
		va_end(ap);
	}
	errs->msg = xreallocarray(errs->msg, errs->n + 1, sizeof(*errs->msg));
	errs->msg[errs->n++] = strbuf_detach(&sb, NULL);
}

#define PERR(ps, ...)                                                       \
	do {                                                                \
		(ps)->failed = 1;                                           \
		cfg_error((ps)->errs, (ps)->file, (ps)->line, __VA_ARGS__); \
	} while (0)

/* ---- small parsers ---- */

static int
is_printable(const char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			return 0;
	return 1;
}

static int
parse_ull(const char *s, unsigned long long *out, int suffix)
{
	char *end;
	unsigned long long v, mul = 1;

	if (!isdigit((unsigned char)*s))
		return -1;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno)
		return -1;
	if (suffix && *end) {
		switch (*end) {
		case 'k':
		case 'K':
			mul = 1ull << 10;
			break;
		case 'm':
		case 'M':
			mul = 1ull << 20;
			break;
		case 'g':
		case 'G':
			mul = 1ull << 30;
			break;
		default:
			return -1;
		}
		end++;
		if (*end == 'i' && end[1] == 'B')
			end += 2;
		else if (*end == 'B')
			end++;
		if (v > ~0ull / mul)
			return -1;
		v *= mul;
	}
	if (*end)
		return -1;
	*out = v;
	return 0;
}

static int
parse_bool(const char *s, int *out)
{
	static const char *const yes[] = {"yes", "true", "on", "1"};
	static const char *const no[] = {"no", "false", "off", "0"};

	for (size_t i = 0; i < ARRAY_SIZE(yes); i++) {
		if (strcasecmp(s, yes[i]) == 0) {
			*out = 1;
			return 0;
		}
		if (strcasecmp(s, no[i]) == 0) {
			*out = 0;
			return 0;
		}
	}
	return -1;
}

int
config_is_loopback_host(const char *host)
{
	struct in_addr a4;
	struct in6_addr a6;
	char v6[INET6_ADDRSTRLEN];
	size_t n = strlen(host);

	if (strcasecmp(host, "localhost") == 0)
		return 1;
	/* an address, not a name that merely starts like one */
	if (inet_pton(AF_INET, host, &a4) == 1)
		return (ntohl(a4.s_addr) >> 24) == 127;
	if (n >= 2 && host[0] == '[' && host[n - 1] == ']' &&
	    n - 2 < sizeof(v6)) {
		memcpy(v6, host + 1, n - 2);
		v6[n - 2] = '\0';
		host = v6;
	}
	return inet_pton(AF_INET6, host, &a6) == 1 && IN6_IS_ADDR_LOOPBACK(&a6);
}

/* host:port or [v6]:port; host and port returned when asked */
static int
parse_listen(const char *s, char *host, size_t hostlen, unsigned *port)
{
	const char *colon;
	const char *h = s;
	size_t hl;
	unsigned long long p;

	if (*s == '[') {
		const char *close = strchr(s, ']');

		if (!close || close[1] != ':')
			return -1;
		h = s + 1;
		hl = (size_t)(close - h);
		colon = close + 1;
	} else {
		colon = strrchr(s, ':');
		if (!colon)
			return -1;
		hl = (size_t)(colon - s);
		if (memchr(s, ':', hl))
			return -1;
	}
	if (hl == 0 || hl >= 256 || parse_ull(colon + 1, &p, 0) == -1 ||
	    p > 65535)
		return -1;
	for (size_t i = 0; i < hl; i++)
		if (!isalnum((unsigned char)h[i]) && !strchr(".-:_", h[i]))
			return -1;
	if (host) {
		if (hl >= hostlen)
			return -1;
		memcpy(host, h, hl);
		host[hl] = '\0';
	}
	if (port)
		*port = (unsigned)p;
	return 0;
}

static int
valid_hook_path(const char *s)
{
	if (s[0] != '/' || strlen(s) > 256)
		return 0;
	for (; *s; s++)
		if (!isalnum((unsigned char)*s) && !strchr("/_.-~", *s))
			return 0;
	return 1;
}

static int
valid_api_version(const char *s)
{
	const char *p = s;

	if (!isdigit((unsigned char)*p))
		return 0;
	while (isdigit((unsigned char)*p))
		p++;
	if (*p++ != '.' || !isdigit((unsigned char)*p))
		return 0;
	while (isdigit((unsigned char)*p))
		p++;
	if (*p == '\0')
		return 1;
	if (strncmp(p, "-preview", 8) != 0)
		return 0;
	p += 8;
	if (*p == '\0')
		return 1;
	if (*p++ != '.' || !isdigit((unsigned char)*p))
		return 0;
	while (isdigit((unsigned char)*p))
		p++;
	return *p == '\0';
}

/* split "scheme://host[:port]/path" of a normalised URL; host lower-case */
static int
url_host(const char *url, char *host, size_t hostlen)
{
	const char *p = strstr(url, "://"), *e;
	size_t n;

	if (!p)
		return -1;
	p += 3;
	if (*p == '[') {
		e = strchr(p, ']');
		if (!e)
			return -1;
		p++;
		n = (size_t)(e - p);
	} else {
		e = p + strcspn(p, ":/");
		n = (size_t)(e - p);
	}
	if (n == 0 || n >= hostlen)
		return -1;
	memcpy(host, p, n);
	host[n] = '\0';
	return 0;
}

/*
 * The form organizations are compared in: lower case, and the legacy
 * https://ORG.visualstudio.com[/DefaultCollection] as https://dev.azure.com/ORG.
 */
static char *
org_canon(const char *url)
{
	static const char suffix[] = ".visualstudio.com";
	struct strbuf sb;
	char host[256];
	const char *path;
	size_t hl;

	strbuf_init(&sb, 2 * EVENT_URL_MAX);
	if (strncmp(url, "https://", 8) == 0 &&
	    url_host(url, host, sizeof(host)) == 0 &&
	    (hl = strlen(host)) > sizeof(suffix) - 1 &&
	    strcasecmp(host + hl - (sizeof(suffix) - 1), suffix) == 0 &&
	    url[8 + hl] != ':') {
		path = url + 8 + hl;
		if (strncasecmp(path, "/DefaultCollection", 18) == 0 &&
		    (path[18] == '\0' || path[18] == '/'))
			path += 18;
		strbuf_addstr(&sb, "https://dev.azure.com/");
		strbuf_add(&sb, host, hl - (sizeof(suffix) - 1));
		strbuf_addstr(&sb, path);
	} else {
		strbuf_addstr(&sb, url);
	}
	for (size_t i = 0; i < sb.len; i++)
		sb.buf[i] = (char)tolower((unsigned char)sb.buf[i]);
	return strbuf_detach(&sb, NULL);
}

/* percent-decode s into a new string; NULL when malformed */
static char *
percent_decode(const char *s, size_t n)
{
	char *out = xmalloc(n + 1);
	size_t o = 0;

	for (size_t i = 0; i < n; i++) {
		if (s[i] == '%') {
			char hex[3] = {0, 0, 0};

			if (i + 2 >= n || !isxdigit((unsigned char)s[i + 1]) ||
			    !isxdigit((unsigned char)s[i + 2])) {
				free(out);
				return NULL;
			}
			hex[0] = s[i + 1];
			hex[1] = s[i + 2];
			out[o++] = (char)strtol(hex, NULL, 16);
			i += 2;
		} else {
			out[o++] = s[i];
		}
	}
	out[o] = '\0';
	if (o == 0 || strlen(out) != o || !is_printable(out)) {
		free(out);
		return NULL;
	}
	return out;
}

/* ---- list values ---- */

static void
push_str(char ***v, size_t *n, const char *s, size_t len)
{
	*v = xreallocarray(*v, *n + 1, sizeof(**v));
	(*v)[(*n)++] = xmemdup(s, len);
}

static void
free_strv(char **v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

/* split s on the separators; trims spaces; calls back per item */
static int
split_items(struct cfg_parse *ps, const char *s, const char *seps,
    const struct cfg_key *k, void *base)
{
	char ***v = (char ***)((char *)base + k->off);
	size_t *n = (size_t *)((char *)base + k->count);
	const char *p = s;

	while (*p) {
		const char *e;
		size_t len;

		while (*p == ' ' || *p == '\t')
			p++;
		e = p + strcspn(p, seps);
		len = (size_t)(e - p);
		while (len && (p[len - 1] == ' ' || p[len - 1] == '\t'))
			len--;
		if (len == 0) {
			if (*e && strchr(",", *e)) {
				PERR(ps, "%s: empty item in '%s'", k->name, s);
				return -1;
			}
		} else {
			if (k->type == T_GLOBS && *p == '/') {
				p++;
				len--;
			}
			if (k->max && *n >= k->max) {
				PERR(ps, "%s: more than %llu items", k->name,
				    k->max);
				return -1;
			}
			if (len)
				push_str(v, n, p, len);
		}
		p = *e ? e + 1 : e;
	}
	return 0;
}

static int
set_fail_on(struct cfg_parse *ps, const char *s, unsigned *flags)
{
	static const struct {
		const char *name;
		unsigned flag;
	} names[] = {
	    {"duplicate_keys", FAIL_ON_DUPLICATE_KEYS},
	    {"null_keys", FAIL_ON_NULL_KEYS},
	    {"malformed", FAIL_ON_MALFORMED},
	    {"schema_change", FAIL_ON_SCHEMA_CHANGE},
	};
	const char *p = s;

	while (*p) {
		size_t len;
		size_t i;

		p += strspn(p, " \t,");
		len = strcspn(p, " \t,");
		if (!len)
			break;
		for (i = 0; i < ARRAY_SIZE(names); i++)
			if (strlen(names[i].name) == len &&
			    strncmp(p, names[i].name, len) == 0)
				break;
		if (i == ARRAY_SIZE(names)) {
			PERR(ps,
			    "fail_on: unknown condition '%.*s' (duplicate_keys, "
			    "null_keys, malformed or schema_change)",
			    (int)len, p);
			return -1;
		}
		*flags |= names[i].flag;
		p += len;
	}
	return 0;
}

static int
add_org(struct cfg_parse *ps, const char *value)
{
	struct config *cfg = ps->cfg;
	char norm[EVENT_URL_MAX], host[256];
	struct config_org *o;

	if (event_normalize_url(value, norm, sizeof(norm)) == -1) {
		PERR(ps, "organization_url: '%s' is not an http(s) URL", value);
		return -1;
	}
	if (url_host(norm, host, sizeof(host)) == -1) {
		PERR(ps, "organization_url: '%s' has no host", value);
		return -1;
	}
	if (strncmp(norm, "https://", 8) != 0 &&
	    !config_is_loopback_host(host)) {
		PERR(ps,
		    "organization_url: '%s' must use https (plain http only "
		    "for loopback hosts)",
		    value);
		return -1;
	}
	if (strchr(norm, '?') || strchr(norm, '#')) {
		PERR(ps, "organization_url: '%s' has a query", value);
		return -1;
	}
	cfg->orgs =
	    xreallocarray(cfg->orgs, cfg->norgs + 1, sizeof(*cfg->orgs));
	o = &cfg->orgs[cfg->norgs++];
	o->url = xstrdup(norm);
	o->canon = org_canon(norm);
	o->line = ps->line;
	return 0;
}

static int
add_repo(struct cfg_parse *ps, const char *value)
{
	struct config *cfg = ps->cfg;
	struct config_repo *r;
	const char *git, *slash, *name, *name_end;
	char *before = NULL, *project = NULL, *repo = NULL;

	git = strstr(value, "/_git/");
	if (!git)
		goto bad;
	before = xmemdup(value, (size_t)(git - value));
	slash = strrchr(before, '/');
	if (!slash || slash == before || slash[-1] == '/')
		goto bad;
	project = percent_decode(slash + 1, strlen(slash + 1));
	name = git + 6;
	name_end = name + strcspn(name, "/?#");
	repo = percent_decode(name, (size_t)(name_end - name));
	if (!project || !repo || (*name_end && strcmp(name_end, "/") != 0))
		goto bad;
	free(before);
	cfg->repos =
	    xreallocarray(cfg->repos, cfg->nrepos + 1, sizeof(*cfg->repos));
	r = &cfg->repos[cfg->nrepos++];
	r->url = xstrdup(value); /* its organization is resolved later */
	r->org = 0;
	r->project = project;
	r->name = repo;
	r->line = ps->line;
	return 0;
bad:
	free(before);
	free(project);
	free(repo);
	PERR(ps,
	    "repository: '%s' is not a repository URL "
	    "(https://dev.azure.com/ORG/PROJECT/_git/REPOSITORY)",
	    value);
	return -1;
}

static char **
str_slot(void *base, const struct cfg_key *k)
{
	return (char **)((char *)base + k->off);
}

static int
set_string(struct cfg_parse *ps, const struct cfg_key *k, void *base,
    const char *value)
{
	char **slot = str_slot(base, k);
	int ok = 1;

	switch (k->type) {
	case T_PATH:
		ok = value[0] == '/' && strlen(value) < 4096;
		if (!ok)
			PERR(ps, "%s: '%s' is not an absolute path", k->name,
			    value);
		break;
	case T_LISTEN:
		ok = parse_listen(value, NULL, 0, NULL) == 0;
		if (!ok)
			PERR(ps, "%s: '%s' is not host:port or [address]:port",
			    k->name, value);
		break;
	case T_HOOKPATH:
		ok = valid_hook_path(value);
		if (!ok)
			PERR(ps,
			    "%s: '%s' must start with '/' and hold only "
			    "letters, digits and /_.-~",
			    k->name, value);
		else if (strcmp(value, "/healthz") == 0 ||
		    strcmp(value, "/readyz") == 0 ||
		    strcmp(value, "/metrics") == 0) {
			ok = 0;
			PERR(ps, "%s: '%s' is taken by a built-in endpoint",
			    k->name, value);
		}
		break;
	case T_USER:
		ok = strlen(value) <= 256 && !strchr(value, ':');
		if (!ok)
			PERR(ps, "%s: must not contain ':'", k->name);
		break;
	case T_APIVER:
		ok = valid_api_version(value);
		if (!ok)
			PERR(ps, "%s: '%s' is not a version like 7.1", k->name,
			    value);
		break;
	case T_THREAD:
		ok = strcmp(value, "active") == 0 ||
		    strcmp(value, "closed") == 0;
		if (!ok)
			PERR(ps, "%s: '%s' is neither active nor closed",
			    k->name, value);
		break;
	default:
		break;
	}
	if (!ok)
		return -1;
	free(*slot);
	*slot = xstrdup(value);
	return 0;
}

static int
set_number(struct cfg_parse *ps, const struct cfg_key *k, void *base,
    const char *value)
{
	unsigned long long v;

	if (parse_ull(value, &v, k->type == T_SIZE) == -1) {
		PERR(ps, "%s: '%s' is not a whole number%s", k->name, value,
		    k->type == T_SIZE ? " (suffixes K, M, G allowed)" : "");
		return -1;
	}
	if (v < k->min || v > k->max) {
		PERR(ps, "%s: %s is out of range (%llu to %llu)", k->name,
		    value, k->min, k->max);
		return -1;
	}
	if (k->type == T_UINT)
		*(unsigned *)((char *)base + k->off) = (unsigned)v;
	else
		*(size_t *)((char *)base + k->off) = (size_t)v;
	if (k->count != NOCNT)
		*(int *)((char *)base + k->count) = 1;
	return 0;
}

static int
set_value(struct cfg_parse *ps, const struct cfg_key *k, void *base,
    const char *value)
{
	switch (k->type) {
	case T_STRING:
	case T_PATH:
	case T_LISTEN:
	case T_HOOKPATH:
	case T_USER:
	case T_APIVER:
	case T_THREAD:
		if (!*value) {
			PERR(ps, "%s: empty value", k->name);
			return -1;
		}
		return set_string(ps, k, base, value);
	case T_UINT:
	case T_SIZE:
		return set_number(ps, k, base, value);
	case T_BOOL:
		if (parse_bool(value, (int *)((char *)base + k->off)) == -1) {
			PERR(ps, "%s: '%s' is not yes or no", k->name, value);
			return -1;
		}
		return 0;
	case T_DOUBLE: {
		char *end;
		double d;

		errno = 0;
		d = strtod(value, &end);
		if (!*value || errno || *end || !isfinite(d) || d < 0) {
			PERR(ps, "%s: '%s' is not a number >= 0", k->name,
			    value);
			return -1;
		}
		*(double *)((char *)base + k->off) = d;
		*(int *)((char *)base + k->count) = 1;
		return 0;
	}
	case T_DELIM: {
		char *slot = (char *)base + k->off;

		if (strcmp(value, "tab") == 0 || strcmp(value, "\\t") == 0) {
			*slot = '\t';
			return 0;
		}
		if (strlen(value) != 1 || value[0] == '"') {
			PERR(ps,
			    "%s: '%s' must be one character other than a "
			    "quote, or 'tab'",
			    k->name, value);
			return -1;
		}
		*slot = value[0];
		return 0;
	}
	case T_ORGS:
		return add_org(ps, value);
	case T_REPOS:
		return add_repo(ps, value);
	case T_GLOBS:
		return split_items(ps, value, " \t,", k, base);
	case T_COLUMNS:
		return split_items(ps, value, ",", k, base);
	case T_FAILON:
		if (k->count != NOCNT)
			*(int *)((char *)base + k->count) = 1;
		return set_fail_on(
		    ps, value, (unsigned *)((char *)base + k->off));
	}
	return -1;
}

/* ---- the reader and the handler ---- */

static void
cfg_enter_section(struct cfg_parse *ps, const char *s, size_t len)
{
	struct config *cfg = ps->cfg;
	struct config_rule *r;
	size_t i, glen;
	const char *g;

	while (len && isspace((unsigned char)*s)) {
		s++;
		len--;
	}
	while (len && isspace((unsigned char)s[len - 1]))
		len--;
	ps->sec_unknown = 0;
	for (i = SEC_SERVER; i < SEC_RULE; i++) {
		if (strlen(section_names[i]) == len &&
		    strncmp(s, section_names[i], len) == 0) {
			ps->sec = (enum cfg_section)i;
			return;
		}
	}
	if (len > 4 && strncmp(s, "rule", 4) == 0 &&
	    isspace((unsigned char)s[4])) {
		g = s + 5;
		while (isspace((unsigned char)*g))
			g++;
		glen = len - (size_t)(g - s);
		if (glen >= 2 && g[0] == '"' && g[glen - 1] == '"') {
			g++;
			glen -= 2;
			while (glen && *g == '/') {
				g++;
				glen--;
			}
			if (glen == 0) {
				ps->failed = 1;
				cfg_error(ps->errs, ps->file, ps->line,
				    "[rule]: empty glob");
				ps->sec = SEC_NONE;
				ps->sec_unknown = 1;
				return;
			}
			cfg->rules = xreallocarray(
			    cfg->rules, cfg->nrules + 1, sizeof(*cfg->rules));
			r = &cfg->rules[cfg->nrules++];
			memset(r, 0, sizeof(*r));
			r->glob = xmemdup(g, glen);
			r->line = ps->line;
			ps->sec = SEC_RULE;
			return;
		}
	}
	ps->failed = 1;
	cfg_error(ps->errs, ps->file, ps->line,
	    "unknown section '[%.*s]' (server, azure-devops, queue, diff or "
	    "rule \"GLOB\")",
	    (int)(len > 80 ? 80 : len), s);
	ps->sec = SEC_NONE;
	ps->sec_unknown = 1;
}

/*
 * fgets-like reader for inih over the text: one line per call, numbered,
 * checked for length and shape, dedented.
 */
static char *
cfg_reader(char *str, int num, void *stream)
{
	struct cfg_parse *ps = stream;
	const char *p, *nl, *e;
	size_t len;

	if (ps->p >= ps->end)
		return NULL;
	p = ps->p;
	nl = memchr(p, '\n', (size_t)(ps->end - p));
	e = nl ? nl : ps->end;
	ps->p = nl ? nl + 1 : ps->end;
	ps->line++;
	if (e > p && e[-1] == '\r')
		e--;
	while (p < e && (*p == ' ' || *p == '\t'))
		p++;
	len = (size_t)(e - p);
	str[0] = '\n';
	str[1] = '\0';
	if (memchr(p, '\0', len)) {
		PERR(ps, "NUL byte in the line");
		return str;
	}
	if (len > CONFIG_MAX_LINE || len + 2 > (size_t)num) {
		PERR(ps, "line too long (more than %d bytes)", CONFIG_MAX_LINE);
		return str;
	}
	if (len == 0 || *p == ';' || *p == '#')
		return str;
	if (*p == '[') {
		const char *close = memchr(p, ']', len);

		if (!close) {
			PERR(ps, "section header without ']'");
			return str;
		}
		cfg_enter_section(ps, p + 1, (size_t)(close - p - 1));
		return str;
	}
	if (!memchr(p, '=', len)) {
		PERR(ps, "expected 'key = value'");
		return str;
	}
	memcpy(str, p, len);
	str[len] = '\n';
	str[len + 1] = '\0';
	return str;
}

static int
cfg_handler(
    void *user, const char *section, const char *name, const char *value)
{
	struct cfg_parse *ps = user;
	const struct cfg_key *k = NULL;
	size_t ki, rule = (size_t)-1;
	void *base = ps->cfg;

	(void)section;
	if (ps->sec_unknown)
		return 1;
	if (ps->sec == SEC_NONE) {
		PERR(ps, "'%s' outside of any section", name);
		return 1;
	}
	for (ki = 0; ki < NKEYS; ki++) {
		if (keys[ki].section == ps->sec &&
		    strcmp(keys[ki].name, name) == 0) {
			k = &keys[ki];
			break;
		}
	}
	if (!k) {
		PERR(ps, "unknown key '%s' in [%s]", name,
		    section_names[ps->sec]);
		return 1;
	}
	if (!is_printable(value)) {
		PERR(ps, "%s: control characters in the value", name);
		return 1;
	}
	if (ps->sec == SEC_RULE) {
		rule = ps->cfg->nrules - 1;
		base = &ps->cfg->rules[rule];
	}
	for (size_t i = 0; i < ps->nseen; i++) {
		if (ps->seen[i].rule == rule && ps->seen[i].key == ki) {
			if (!k->list) {
				PERR(ps, "%s: set twice (first on line %lu)",
				    name, ps->seen[i].line);
				return 1;
			}
			goto set;
		}
	}
	ps->seen = xreallocarray(ps->seen, ps->nseen + 1, sizeof(*ps->seen));
	ps->seen[ps->nseen].rule = rule;
	ps->seen[ps->nseen].key = ki;
	ps->seen[ps->nseen].line = ps->line;
	ps->nseen++;
	if (k->list && k->def) {
		/* the file's own values replace the default list */
		free_strv(*(char ***)((char *)base + k->off),
		    *(size_t *)((char *)base + k->count));
		*(char ***)((char *)base + k->off) = NULL;
		*(size_t *)((char *)base + k->count) = 0;
	}
set:
	set_value(ps, k, base, value);
	return 1;
}

/* defaults, parsed like values so a bad default cannot slip through */
static void
cfg_defaults(struct cfg_parse *ps)
{
	for (size_t i = 0; i < NKEYS; i++)
		if (keys[i].section != SEC_RULE && keys[i].def)
			set_value(ps, &keys[i], ps->cfg, keys[i].def);
}

/* checks across keys, after the whole file is read */
static void
cfg_validate(struct cfg_parse *ps)
{
	struct config *cfg = ps->cfg;
	char host[256];

	ps->line = 0;
	if (cfg->norgs == 0)
		PERR(ps,
		    "[azure-devops]: organization_url is required (the "
		    "organizations to serve)");
	for (size_t i = 0; i < cfg->nrepos; i++) {
		struct config_repo *r = &cfg->repos[i];
		char norm[EVENT_URL_MAX];
		char *orgpart = xstrdup(r->url);
		long org = -1;

		/* .../{project}/_git/{repo}: the organization is before project */
		*strstr(orgpart, "/_git/") = '\0';
		*strrchr(orgpart, '/') = '\0';
		if (event_normalize_url(orgpart, norm, sizeof(norm)) == 0)
			org = config_find_org(cfg, norm);
		free(orgpart);
		if (org < 0) {
			cfg_error(ps->errs, ps->file, r->line,
			    "repository: '%s' is not in a configured "
			    "organization_url",
			    r->url);
			ps->failed = 1;
			continue;
		}
		r->org = (size_t)org;
	}
	if (cfg->ninclude == 0)
		PERR(
		    ps, "[diff]: include is empty, so no file would be diffed");
	if (cfg->allow_unauthenticated &&
	    (parse_listen(cfg->listen, host, sizeof(host), NULL) == -1 ||
		!config_is_loopback_host(host)))
		PERR(ps,
		    "[server]: allow_unauthenticated = yes needs a loopback "
		    "listen address, not '%s'",
		    cfg->listen);
	for (size_t i = 0; i < cfg->nrules; i++)
		if (!cfg->rules[i].nkey && !cfg->rules[i].nignore &&
		    !cfg->rules[i].has_tolerance && !cfg->rules[i].delimiter &&
		    !cfg->rules[i].has_samples && !cfg->rules[i].has_fail_on) {
			cfg_error(ps->errs, ps->file, cfg->rules[i].line,
			    "[rule \"%s\"]: sets nothing (key, ignore, "
			    "tolerance, delimiter, samples or fail_on)",
			    cfg->rules[i].glob);
			ps->failed = 1;
		}
}

int
config_parse(struct config *cfg, const char *file, const char *text, size_t len,
    struct config_errors *errs)
{
	struct cfg_parse ps;

	memset(cfg, 0, sizeof(*cfg));
	memset(&ps, 0, sizeof(ps));
	cfg->file = xstrdup(file);
	ps.cfg = cfg;
	ps.errs = errs;
	ps.file = file;
	cfg_defaults(&ps);
	if (len >= 3 && memcmp(text, "\xef\xbb\xbf", 3) == 0) {
		text += 3;
		len -= 3;
	}
	ps.p = text;
	ps.end = text + len;
	ps.line = 0;
	ini_parse_stream(cfg_reader, &ps, cfg_handler, &ps);
	cfg_validate(&ps);
	free(ps.seen);
	return ps.failed ? -1 : 0;
}

void
config_release(struct config *cfg)
{
	free(cfg->file);
	free(cfg->listen);
	free(cfg->hook_path);
	free(cfg->auth_user);
	free(cfg->auth_password_file);
	for (size_t i = 0; i < cfg->norgs; i++) {
		free(cfg->orgs[i].url);
		free(cfg->orgs[i].canon);
	}
	free(cfg->orgs);
	free(cfg->pat_file);
	for (size_t i = 0; i < cfg->nrepos; i++) {
		free(cfg->repos[i].url);
		free(cfg->repos[i].project);
		free(cfg->repos[i].name);
	}
	free(cfg->repos);
	free(cfg->api_version);
	free(cfg->thread_status);
	free(cfg->state_dir);
	free_strv(cfg->include, cfg->ninclude);
	free_strv(cfg->exclude, cfg->nexclude);
	for (size_t i = 0; i < cfg->nrules; i++) {
		free(cfg->rules[i].glob);
		free_strv(cfg->rules[i].key, cfg->rules[i].nkey);
		free_strv(cfg->rules[i].ignore, cfg->rules[i].nignore);
	}
	free(cfg->rules);
	if (cfg->pat) {
		explicit_bzero(cfg->pat, strlen(cfg->pat));
		free(cfg->pat);
	}
	if (cfg->hook_password) {
		explicit_bzero(cfg->hook_password, strlen(cfg->hook_password));
		free(cfg->hook_password);
	}
	memset(cfg, 0, sizeof(*cfg));
}

/* ---- lookups ---- */

int
config_path_selected(const struct config *cfg, const char *path)
{
	int in = 0;

	for (size_t i = 0; i < cfg->ninclude && !in; i++)
		in = fnmatch(cfg->include[i], path, 0) == 0;
	for (size_t i = 0; i < cfg->nexclude && in; i++)
		in = fnmatch(cfg->exclude[i], path, 0) != 0;
	return in;
}

const struct config_rule *
config_rule_for(const struct config *cfg, const char *path)
{
	for (size_t i = 0; i < cfg->nrules; i++)
		if (fnmatch(cfg->rules[i].glob, path, 0) == 0)
			return &cfg->rules[i];
	return NULL;
}

long
config_find_org(const struct config *cfg, const char *url)
{
	char *canon = org_canon(url);
	long found = -1;

	for (size_t i = 0; i < cfg->norgs && found < 0; i++)
		if (strcmp(cfg->orgs[i].canon, canon) == 0)
			found = (long)i;
	free(canon);
	return found;
}

static int
name_or_id(const char *want, const char *name, const char *id)
{
	return (name && *name && strcasecmp(want, name) == 0) ||
	    (id && *id && strcasecmp(want, id) == 0);
}

int
config_repo_selected(const struct config *cfg, size_t org,
    const char *project_name, const char *project_id, const char *repo_name,
    const char *repo_id)
{
	if (cfg->nrepos == 0)
		return 1;
	for (size_t i = 0; i < cfg->nrepos; i++) {
		const struct config_repo *r = &cfg->repos[i];

		if (r->org == org &&
		    name_or_id(r->project, project_name, project_id) &&
		    name_or_id(r->name, repo_name, repo_id))
			return 1;
	}
	return 0;
}

/* ---- loading: the file, secrets, state directory ---- */

static int
read_file(const char *path, size_t max, char **out, size_t *lenp,
    struct config_errors *errs, const char *what)
{
	struct stat st;
	char *buf = NULL;
	size_t len = 0;
	int fd, ret = -1;

	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	if (fd == -1) {
		cfg_error(
		    errs, path, 0, "cannot open %s: %s", what, strerror(errno));
		return -1;
	}
	if (fstat(fd, &st) == -1 || !S_ISREG(st.st_mode)) {
		cfg_error(errs, path, 0, "%s is not a regular file", what);
		goto out;
	}
	if ((size_t)st.st_size > max) {
		cfg_error(
		    errs, path, 0, "%s is larger than %zu bytes", what, max);
		goto out;
	}
	buf = xmalloc((size_t)st.st_size + 1);
	while (len < (size_t)st.st_size) {
		ssize_t n = read(fd, buf + len, (size_t)st.st_size - len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			cfg_error(errs, path, 0, "cannot read %s: %s", what,
			    n < 0 ? strerror(errno) : "short read");
			goto out;
		}
		len += (size_t)n;
	}
	buf[len] = '\0';
	*out = buf;
	*lenp = len;
	buf = NULL;
	ret = 0;
out:
	free(buf);
	close(fd);
	return ret;
}

/*
 * Load a secret: $CREDENTIALS_DIRECTORY/cred when present, else path, which
 * must be a regular file owned by us or root and closed to group and others.
 */
static int
load_secret(
    const char *cred, const char *path, char **out, struct config_errors *errs)
{
	const char *dir = getenv("CREDENTIALS_DIRECTORY");
	char credpath[4096];
	struct stat st;
	char *buf = NULL;
	size_t len;
	int from_creds = 0;

	if (dir && *dir) {
		int n =
		    snprintf(credpath, sizeof(credpath), "%s/%s", dir, cred);

		if (n > 0 && (size_t)n < sizeof(credpath) &&
		    access(credpath, F_OK) == 0) {
			path = credpath;
			from_creds = 1;
		}
	}
	if (stat(path, &st) == -1) {
		cfg_error(errs, path, 0,
		    "cannot read the %s secret: %s (or provide the systemd "
		    "credential '%s')",
		    cred, strerror(errno), cred);
		return -1;
	}
	if (!from_creds && (st.st_mode & 077)) {
		cfg_error(errs, path, 0,
		    "the %s secret must not be accessible by group or others "
		    "(mode %04o): chmod 600 %s",
		    cred, (unsigned)(st.st_mode & 07777), path);
		return -1;
	}
	if (!from_creds && st.st_uid != geteuid() && st.st_uid != 0) {
		cfg_error(errs, path, 0,
		    "the %s secret must be owned by root or by the service user",
		    cred);
		return -1;
	}
	if (read_file(path, 4096, &buf, &len, errs, "the secret") == -1)
		return -1;
	while (len && (buf[len - 1] == '\n' || buf[len - 1] == '\r'))
		buf[--len] = '\0';
	if (len == 0 || strlen(buf) != len || !is_printable(buf)) {
		cfg_error(errs, path, 0,
		    "the %s secret is empty or holds control characters", cred);
		explicit_bzero(buf, len);
		free(buf);
		return -1;
	}
	*out = buf;
	return 0;
}

/* the state directory must be writable; create makes its layout */
static int
check_state_dir(
    const struct config *cfg, int create, struct config_errors *errs)
{
	static const char *const subdirs[] = {
	    "queue", "failed", "done", "work"};
	char path[4096];
	struct stat st;
	int fd, n;

	if (stat(cfg->state_dir, &st) == -1 && errno == ENOENT && !create) {
		/* a start would create it: its parent must let it */
		char *parent = xstrdup(cfg->state_dir);
		char *slash = strrchr(parent, '/');
		int ok;

		if (slash == parent)
			slash[1] = '\0';
		else if (slash)
			*slash = '\0';
		ok = access(parent, W_OK | X_OK) == 0;
		if (!ok)
			cfg_error(errs, cfg->file, 0,
			    "[queue]: state_dir '%s' does not exist and '%s' "
			    "does not let it be created: %s",
			    cfg->state_dir, parent, strerror(errno));
		free(parent);
		return ok ? 0 : -1;
	}
	if (stat(cfg->state_dir, &st) == -1) {
		if (errno != ENOENT || !create ||
		    mkdir(cfg->state_dir, 0700) == -1) {
			cfg_error(errs, cfg->file, 0,
			    "[queue]: state_dir '%s': %s", cfg->state_dir,
			    strerror(errno));
			return -1;
		}
	} else if (!S_ISDIR(st.st_mode)) {
		cfg_error(errs, cfg->file, 0,
		    "[queue]: state_dir '%s' is not a directory",
		    cfg->state_dir);
		return -1;
	}
	n = snprintf(path, sizeof(path), "%s/.probe-%ld", cfg->state_dir,
	    (long)getpid());
	if (n < 0 || (size_t)n >= sizeof(path))
		return -1;
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (fd == -1) {
		cfg_error(errs, cfg->file, 0,
		    "[queue]: state_dir '%s' is not writable: %s",
		    cfg->state_dir, strerror(errno));
		return -1;
	}
	close(fd);
	unlink(path);
	/* each part of the layout: made when asked, else checked if there */
	for (size_t i = 0; i < ARRAY_SIZE(subdirs); i++) {
		n = snprintf(
		    path, sizeof(path), "%s/%s", cfg->state_dir, subdirs[i]);
		if (n < 0 || (size_t)n >= sizeof(path))
			return -1;
		if (create && mkdir(path, 0700) == -1 && errno != EEXIST) {
			cfg_error(errs, cfg->file, 0,
			    "[queue]: cannot create '%s': %s", path,
			    strerror(errno));
			return -1;
		}
		if (stat(path, &st) == -1) {
			if (errno == ENOENT && !create)
				continue; /* a start creates it */
			cfg_error(errs, cfg->file, 0, "[queue]: '%s': %s", path,
			    strerror(errno));
			return -1;
		}
		if (!S_ISDIR(st.st_mode)) {
			cfg_error(errs, cfg->file, 0,
			    "[queue]: '%s' is not a directory", path);
			return -1;
		}
		if (access(path, W_OK | X_OK) == -1) {
			cfg_error(errs, cfg->file, 0,
			    "[queue]: '%s' is not writable: %s", path,
			    strerror(errno));
			return -1;
		}
	}
	return 0;
}

int
config_load(struct config *cfg, const char *file, int create,
    struct config_errors *errs)
{
	char *text = NULL;
	size_t len = 0;
	int ret = 0;

	memset(cfg, 0, sizeof(*cfg));
	if (read_file(file, CONFIG_MAX_FILE_BYTES, &text, &len, errs,
		"the configuration") == -1) {
		cfg->file = xstrdup(file);
		return -1;
	}
	if (config_parse(cfg, file, text, len, errs) == -1)
		ret = -1;
	free(text);
	if (!cfg->state_dir) {
		const char *sd = getenv("STATE_DIRECTORY");

		/* systemd may list several, separated by ':' */
		if (sd && *sd == '/')
			cfg->state_dir = xstrndup(sd, strcspn(sd, ":"));
		else
			cfg->state_dir = xstrdup(QUEUE_DEFAULT_STATE_DIR);
	}
	if (load_secret("ado-pat", cfg->pat_file, &cfg->pat, errs) == -1)
		ret = -1;
	if (!cfg->allow_unauthenticated &&
	    load_secret("hook-password", cfg->auth_password_file,
		&cfg->hook_password, errs) == -1)
		ret = -1;
	if (check_state_dir(cfg, create, errs) == -1)
		ret = -1;
	return ret;
}
