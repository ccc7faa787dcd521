/*
 * fake_reply: one HTTP answer of the fake Azure DevOps server, built by the
 * route handlers and sent by fake_ado.c.
 *
 * A reply is a status, a body (a strbuf, or an open file streamed as is),
 * a content type and a few extra headers. A content type of NULL means
 * "JSON": the sender then writes "application/json; charset=utf-8" plus the
 * api-version of the request, as Azure DevOps does.
 */
#ifndef FAKE_REPLY_H
#define FAKE_REPLY_H

#include <stddef.h>
#include <stdint.h>

#include <cjson/cJSON.h>

#include "compat.h"
#include "strbuf.h"

#define FAKE_REPLY_MAX_HEADERS 8
#define FAKE_REPLY_MAX_BODY    (1024u * 1024 * 1024) /* bytes of a body */

struct fake_reply_header {
	char name[64];
	char value[256];
};

struct fake_reply {
	unsigned int status;      /* HTTP status; 0 = not answered yet */
	const char *content_type; /* static string; NULL = JSON */
	struct strbuf body;       /* the body, unless fd >= 0 */
	int fd;                   /* >= 0: stream fd_size bytes of this file */
	uint64_t fd_size;
	struct fake_reply_header headers[FAKE_REPLY_MAX_HEADERS];
	size_t nheaders;
};

/* An empty reply (status 0, no body, fd -1). */
void fake_reply_init(struct fake_reply *r);

/* Free the body, close the fd (if still owned), back to the init state. */
void fake_reply_release(struct fake_reply *r);

/*
 * Add a response header. Returns 0, or -1 when the table is full or the
 * name or value is too long (then nothing is added).
 */
int fake_reply_header(struct fake_reply *r, const char *name, const char *fmt,
    ...) PRINTF_LIKE(3, 4);

/*
 * Answer status with json printed unformatted; json stays the caller's.
 * Replaces any earlier body. Returns 0, or -1 when printing failed (then the
 * reply is a 500 error).
 */
int fake_reply_json(
    struct fake_reply *r, unsigned int status, const cJSON *json);

/* Answer status with len bytes of data and the given static content type. */
void fake_reply_raw(struct fake_reply *r, unsigned int status,
    const char *content_type, const char *data, size_t len);

/*
 * Answer status with Azure DevOps' error envelope:
 * {"$id":"1","innerException":null,"message":...,"typeName":...,
 *  "typeKey":...,"errorCode":0,"eventId":3000}.
 * type_name is the .NET type ("Ns.FooException, Assembly"); typeKey is its
 * class name (FooException), derived from it.
 */
void fake_reply_error(struct fake_reply *r, unsigned int status,
    const char *type_name, const char *fmt, ...) PRINTF_LIKE(4, 5);

/*
 * The 401 Azure DevOps sends for a missing or rejected PAT: the TF400813
 * body and WWW-Authenticate: Basic realm="https://fake-ado/".
 */
void fake_reply_unauthorized(struct fake_reply *r);

/* Answer a JSON {"error": message} (the control API's error form). */
void fake_reply_control_error(struct fake_reply *r, unsigned int status,
    const char *fmt, ...) PRINTF_LIKE(3, 4);

/* Now as the service writes dates: 2025-06-17T16:55:46.589Z. */
void fake_reply_now(char *buf, size_t size);

#endif /* FAKE_REPLY_H */
