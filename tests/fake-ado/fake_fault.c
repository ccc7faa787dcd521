/*
 * fake_fault.c: injected failures of the fake Azure DevOps server (see
 * fake_fault.h).
 */
#include "fake_fault.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <cjson/cJSON.h>

#include "xmalloc.h"
#include "banned.h"

#define FAKE_FAULT_MAX_PATH 1024 /* bytes of a path substring */

struct fake_rule {
	char method[16]; /* "" = any method */
	char *path;      /* substring of the request path */
	long count;      /* left; -1 = forever */
	struct fake_fault_hit hit;
};

struct fake_faults {
	struct fake_rule rules[FAKE_FAULT_MAX_RULES];
	size_t nrules;
};

struct fake_faults *
fake_faults_new(void)
{
	return xcalloc(1, sizeof(struct fake_faults));
}

void
fake_faults_clear(struct fake_faults *f)
{
	for (size_t i = 0; i < f->nrules; i++)
		free(f->rules[i].path);
	memset(f, 0, sizeof(*f));
}

void
fake_faults_free(struct fake_faults *f)
{
	if (!f)
		return;
	fake_faults_clear(f);
	free(f);
}

static int fake_faults_fail(char *err, size_t errlen, const char *fmt, ...)
    PRINTF_LIKE(3, 4);

static int
fake_faults_fail(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	(void)vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
	return -1;
}

/* an integral JSON number within [min, max] */
static int
fake_faults_int(const cJSON *v, long min, long max, long *out)
{
	double d;

	if (!cJSON_IsNumber(v))
		return -1;
	d = v->valuedouble;
	if (d != floor(d) || d < (double)min || d > (double)max)
		return -1;
	*out = (long)d;
	return 0;
}

static int
fake_faults_parse_rule(const cJSON *o, size_t idx, struct fake_rule *rule,
    char *err, size_t errlen)
{
	const cJSON *v;
	long n;
	int len;

	memset(rule, 0, sizeof(*rule));
	rule->count = 1;
	if (!cJSON_IsObject(o))
		return fake_faults_fail(
		    err, errlen, "rule %zu: not an object", idx);

	v = cJSON_GetObjectItemCaseSensitive(o, "method");
	if (v && !cJSON_IsNull(v)) {
		if (!cJSON_IsString(v) || strlen(v->valuestring) == 0 ||
		    strlen(v->valuestring) >= sizeof(rule->method))
			return fake_faults_fail(err, errlen,
			    "rule %zu: \"method\" must be a method name", idx);
		(void)snprintf(
		    rule->method, sizeof(rule->method), "%s", v->valuestring);
	}

	v = cJSON_GetObjectItemCaseSensitive(o, "path");
	if (v && !cJSON_IsNull(v)) {
		if (!cJSON_IsString(v) ||
		    strlen(v->valuestring) > FAKE_FAULT_MAX_PATH)
			return fake_faults_fail(err, errlen,
			    "rule %zu: \"path\" must be a string of at most "
			    "%d bytes",
			    idx, FAKE_FAULT_MAX_PATH);
		rule->path = xstrdup(v->valuestring);
	} else {
		rule->path = xstrdup("");
	}

	v = cJSON_GetObjectItemCaseSensitive(o, "status");
	if (v && !cJSON_IsNull(v)) {
		if (fake_faults_int(v, 0, 599, &n) == -1 || (n != 0 && n < 200))
			goto fail_status;
		rule->hit.status = (unsigned int)n;
	}

	v = cJSON_GetObjectItemCaseSensitive(o, "count");
	if (v && !cJSON_IsNull(v)) {
		if (fake_faults_int(v, -1, 1000000000L, &n) == -1)
			goto fail_count;
		rule->count = n;
	}

	v = cJSON_GetObjectItemCaseSensitive(o, "delay_ms");
	if (v && !cJSON_IsNull(v)) {
		if (fake_faults_int(v, 0, FAKE_FAULT_MAX_DELAY_MS, &n) == -1)
			goto fail_delay;
		rule->hit.delay_ms = n;
	}

	v = cJSON_GetObjectItemCaseSensitive(o, "retry_after");
	if (cJSON_IsString(v)) {
		len = snprintf(rule->hit.retry_after,
		    sizeof(rule->hit.retry_after), "%s", v->valuestring);
		if (len < 0 || (size_t)len >= sizeof(rule->hit.retry_after) ||
		    strpbrk(v->valuestring, "\r\n"))
			goto fail_retry;
	} else if (v && !cJSON_IsNull(v)) {
		if (fake_faults_int(v, 0, 1000000000L, &n) == -1)
			goto fail_retry;
		(void)snprintf(rule->hit.retry_after,
		    sizeof(rule->hit.retry_after), "%ld", n);
	}

	v = cJSON_GetObjectItemCaseSensitive(o, "html203");
	if (v && !cJSON_IsNull(v)) {
		if (!cJSON_IsBool(v))
			return fake_faults_fail(err, errlen,
			    "rule %zu: \"html203\" must be true or false", idx);
		rule->hit.html203 = cJSON_IsTrue(v);
	}

	v = cJSON_GetObjectItemCaseSensitive(o, "after");
	if (v && !cJSON_IsNull(v)) {
		if (!cJSON_IsBool(v))
			return fake_faults_fail(err, errlen,
			    "rule %zu: \"after\" must be true or false", idx);
		rule->hit.after = cJSON_IsTrue(v);
		if (rule->hit.after && !rule->hit.status)
			return fake_faults_fail(err, errlen,
			    "rule %zu: \"after\" needs a \"status\"", idx);
	}
	return 0;

fail_status:
	return fake_faults_fail(err, errlen,
	    "rule %zu: \"status\" must be an HTTP status (200 to 599)", idx);
fail_count:
	return fake_faults_fail(err, errlen,
	    "rule %zu: \"count\" must be -1 (forever) or a count", idx);
fail_delay:
	return fake_faults_fail(err, errlen,
	    "rule %zu: \"delay_ms\" must be 0 to %d", idx,
	    FAKE_FAULT_MAX_DELAY_MS);
fail_retry:
	return fake_faults_fail(err, errlen,
	    "rule %zu: \"retry_after\" must be a short string or a number",
	    idx);
}

int
fake_faults_set(struct fake_faults *f, const char *json, size_t len, char *err,
    size_t errlen)
{
	struct fake_faults next;
	const cJSON *item;
	cJSON *doc = NULL;
	int ret = -1;

	memset(&next, 0, sizeof(next));
	doc = cJSON_ParseWithLength(json, len);
	if (!cJSON_IsArray(doc)) {
		fake_faults_fail(err, errlen, "the body must be a JSON array");
		goto out;
	}
	if ((size_t)cJSON_GetArraySize(doc) > FAKE_FAULT_MAX_RULES) {
		fake_faults_fail(
		    err, errlen, "more than %d rules", FAKE_FAULT_MAX_RULES);
		goto out;
	}
	cJSON_ArrayForEach (item, doc) {
		struct fake_rule *rule = &next.rules[next.nrules];

		if (fake_faults_parse_rule(
			item, next.nrules, rule, err, errlen) == -1) {
			free(rule->path);
			goto out;
		}
		next.nrules++;
	}
	fake_faults_clear(f);
	*f = next;
	next.nrules = 0;
	ret = 0;
out:
	for (size_t i = 0; i < next.nrules; i++)
		free(next.rules[i].path);
	cJSON_Delete(doc);
	return ret;
}

int
fake_faults_match(struct fake_faults *f, const char *method, const char *path,
    struct fake_fault_hit *hit)
{
	for (size_t i = 0; i < f->nrules; i++) {
		struct fake_rule *rule = &f->rules[i];

		if (rule->count == 0)
			continue;
		if (rule->method[0] && strcasecmp(rule->method, method) != 0)
			continue;
		if (!strstr(path, rule->path))
			continue;
		if (rule->count > 0)
			rule->count--;
		*hit = rule->hit;
		return 1;
	}
	return 0;
}

int
fake_faults_render(const struct fake_faults *f, struct strbuf *out)
{
	strbuf_addch(out, '[');
	for (size_t i = 0; i < f->nrules; i++) {
		const struct fake_rule *rule = &f->rules[i];

		if (i > 0)
			strbuf_addch(out, ',');
		strbuf_addstr(out, "{\"method\":");
		if (rule->method[0])
			strbuf_add_json_string(
			    out, rule->method, strlen(rule->method));
		else
			strbuf_addstr(out, "null");
		strbuf_addstr(out, ",\"path\":");
		strbuf_add_json_string(out, rule->path, strlen(rule->path));
		strbuf_addf(out,
		    ",\"status\":%u,\"count\":%ld,\"delay_ms\":%ld,"
		    "\"html203\":%s,\"after\":%s,\"retry_after\":",
		    rule->hit.status, rule->count, rule->hit.delay_ms,
		    rule->hit.html203 ? "true" : "false",
		    rule->hit.after ? "true" : "false");
		if (rule->hit.retry_after[0])
			strbuf_add_json_string(out, rule->hit.retry_after,
			    strlen(rule->hit.retry_after));
		else
			strbuf_addstr(out, "null");
		strbuf_addch(out, '}');
	}
	strbuf_addch(out, ']');
	return out->overflow ? -1 : 0;
}
