/*
 * fake_reply.c: HTTP answers of the fake Azure DevOps server (see
 * fake_reply.h).
 */
#include "fake_reply.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "banned.h"

#define FAKE_REPLY_MAX_MESSAGE 4096 /* bytes of an error message */

void
fake_reply_init(struct fake_reply *r)
{
	memset(r, 0, sizeof(*r));
	strbuf_init(&r->body, FAKE_REPLY_MAX_BODY);
	r->fd = -1;
}

void
fake_reply_release(struct fake_reply *r)
{
	strbuf_release(&r->body);
	if (r->fd >= 0)
		close(r->fd);
	fake_reply_init(r);
}

int
fake_reply_header(struct fake_reply *r, const char *name, const char *fmt, ...)
{
	struct fake_reply_header *h;
	va_list ap;
	int n;

	if (r->nheaders >= FAKE_REPLY_MAX_HEADERS)
		return -1;
	h = &r->headers[r->nheaders];
	n = snprintf(h->name, sizeof(h->name), "%s", name);
	if (n < 0 || (size_t)n >= sizeof(h->name))
		return -1;
	va_start(ap, fmt);
	n = vsnprintf(h->value, sizeof(h->value), fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= sizeof(h->value))
		return -1;
	r->nheaders++;
	return 0;
}

static void
fake_reply_set_body(struct fake_reply *r, unsigned int status,
    const char *content_type, const char *data, size_t len)
{
	strbuf_reset(&r->body);
	if (strbuf_add(&r->body, data, len) == -1) {
		/* only a 1 GiB answer gets here: say so instead */
		strbuf_reset(&r->body);
		strbuf_addstr(
		    &r->body, "{\"message\":\"fake-ado: answer too big\"}");
		status = 500;
		content_type = NULL;
	}
	r->status = status;
	r->content_type = content_type;
}

int
fake_reply_json(struct fake_reply *r, unsigned int status, const cJSON *json)
{
	char *text;

	text = cJSON_PrintUnformatted(json);
	if (!text) {
		fake_reply_error(r, 500,
		    "FakeAdo.InternalErrorException, fake-ado",
		    "fake-ado: cannot print the JSON answer");
		return -1;
	}
	fake_reply_set_body(r, status, NULL, text, strlen(text));
	cJSON_free(text);
	return 0;
}

void
fake_reply_raw(struct fake_reply *r, unsigned int status,
    const char *content_type, const char *data, size_t len)
{
	fake_reply_set_body(r, status, content_type, data, len);
}

static void
fake_reply_verror(struct fake_reply *r, unsigned int status,
    const char *type_name, const char *fmt, va_list ap)
{
	char message[FAKE_REPLY_MAX_MESSAGE];
	char type_key[128];
	const char *end, *start;
	cJSON *err = NULL;
	size_t len;

	(void)vsnprintf(message, sizeof(message), fmt, ap);
	/* "Ns.Sub.FooException, Assembly" -> "FooException" */
	end = strchr(type_name, ',');
	if (!end)
		end = type_name + strlen(type_name);
	start = end;
	while (start > type_name && start[-1] != '.')
		start--;
	len = (size_t)(end - start);
	if (len >= sizeof(type_key))
		len = sizeof(type_key) - 1;
	memcpy(type_key, start, len);
	type_key[len] = '\0';

	err = cJSON_CreateObject();
	cJSON_AddStringToObject(err, "$id", "1");
	cJSON_AddNullToObject(err, "innerException");
	cJSON_AddStringToObject(err, "message", message);
	cJSON_AddStringToObject(err, "typeName", type_name);
	cJSON_AddStringToObject(err, "typeKey", type_key);
	cJSON_AddNumberToObject(err, "errorCode", 0);
	cJSON_AddNumberToObject(err, "eventId", 3000);
	(void)fake_reply_json(r, status, err);
	cJSON_Delete(err);
}

void
fake_reply_error(struct fake_reply *r, unsigned int status,
    const char *type_name, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fake_reply_verror(r, status, type_name, fmt, ap);
	va_end(ap);
}

void
fake_reply_unauthorized(struct fake_reply *r)
{
	fake_reply_error(r, 401,
	    "Microsoft.TeamFoundation.Framework.Server."
	    "UnauthorizedRequestException, "
	    "Microsoft.TeamFoundation.Framework.Server",
	    "TF400813: The user '' is not authorized to access this "
	    "resource.");
	(void)fake_reply_header(
	    r, "WWW-Authenticate", "Basic realm=\"https://fake-ado/\"");
	(void)fake_reply_header(r, "X-TFS-ServiceError",
	    "TF400813%%3A%%20The%%20user%%20%%27%%27%%20is%%20not%%20"
	    "authorized%%20to%%20access%%20this%%20resource.");
}

void
fake_reply_control_error(
    struct fake_reply *r, unsigned int status, const char *fmt, ...)
{
	char message[FAKE_REPLY_MAX_MESSAGE];
	cJSON *err;
	va_list ap;

	va_start(ap, fmt);
	(void)vsnprintf(message, sizeof(message), fmt, ap);
	va_end(ap);
	err = cJSON_CreateObject();
	cJSON_AddStringToObject(err, "error", message);
	(void)fake_reply_json(r, status, err);
	cJSON_Delete(err);
}

void
fake_reply_now(char *buf, size_t size)
{
	struct timespec ts;
	struct tm tm;
	char sec[32];

	clock_gettime(CLOCK_REALTIME, &ts);
	gmtime_r(&ts.tv_sec, &tm);
	if (strftime(sec, sizeof(sec), "%Y-%m-%dT%H:%M:%S", &tm) == 0)
		sec[0] = '\0';
	(void)snprintf(buf, size, "%s.%03ldZ", sec, ts.tv_nsec / 1000000);
}
