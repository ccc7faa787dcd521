/*
 * fake_journal.c: the request record of the fake Azure DevOps server (see
 * fake_journal.h).
 */
#include "fake_journal.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "log.h"
#include "xmalloc.h"
#include "banned.h"

/* one JSON line of the log file: a record with a 64 KiB body fits */
#define FAKE_JOURNAL_MAX_LINE (1024u * 1024)

struct fake_record {
	uint64_t seq;
	char *method;
	char *path;
	char *query;
	const char *auth; /* static string */
	char *accept;     /* NULL when absent */
	char *content_type;
	char *body; /* NULL when absent */
	size_t body_len;
	unsigned int status;
	int fault;
};

struct fake_journal {
	struct fake_record *records;
	size_t nrecords;
	size_t alloc;
	uint64_t epoch; /* bumped by clear, so stale handles are ignored */
	int log_fd;
	int full_logged;
};

/* a handle packs the epoch (high 24 bits) and the sequence number */
#define FAKE_JOURNAL_SEQ_BITS 40

struct fake_journal *
fake_journal_new(int log_fd)
{
	struct fake_journal *j = xcalloc(1, sizeof(*j));

	j->log_fd = log_fd;
	j->epoch = 1;
	return j;
}

static void
fake_record_release(struct fake_record *r)
{
	free(r->method);
	free(r->path);
	free(r->query);
	free(r->accept);
	free(r->content_type);
	free(r->body);
	memset(r, 0, sizeof(*r));
}

void
fake_journal_clear(struct fake_journal *j)
{
	for (size_t i = 0; i < j->nrecords; i++)
		fake_record_release(&j->records[i]);
	j->nrecords = 0;
	j->epoch++;
	j->full_logged = 0;
}

void
fake_journal_free(struct fake_journal *j)
{
	if (!j)
		return;
	fake_journal_clear(j);
	free(j->records);
	free(j);
}

static char *
fake_journal_dup(const char *s)
{
	return s ? xstrdup(s) : NULL;
}

uint64_t
fake_journal_add(struct fake_journal *j, const struct fake_journal_entry *e)
{
	struct fake_record *r;
	size_t keep;

	if (j->nrecords >= FAKE_JOURNAL_MAX_RECORDS) {
		if (!j->full_logged)
			log_warnx(
			    "fake-ado: request journal full (%u records), "
			    "not recording more",
			    FAKE_JOURNAL_MAX_RECORDS);
		j->full_logged = 1;
		return 0;
	}
	if (j->nrecords == j->alloc) {
		j->alloc = j->alloc ? 2 * j->alloc : 64;
		j->records =
		    xreallocarray(j->records, j->alloc, sizeof(*j->records));
	}
	r = &j->records[j->nrecords];
	memset(r, 0, sizeof(*r));
	r->seq = j->nrecords + 1;
	r->method = xstrdup(e->method);
	r->path = xstrdup(e->path);
	r->query = xstrdup(e->query);
	r->auth = e->auth;
	r->accept = fake_journal_dup(e->accept);
	r->content_type = fake_journal_dup(e->content_type);
	if (e->body) {
		keep = e->body_len < FAKE_JOURNAL_MAX_BODY ?
		    e->body_len :
		    FAKE_JOURNAL_MAX_BODY;
		r->body = xmemdup(e->body, keep);
		r->body_len = keep;
	}
	j->nrecords++;
	return (j->epoch << FAKE_JOURNAL_SEQ_BITS) | r->seq;
}

static int
fake_journal_add_nullable(struct strbuf *out, const char *s)
{
	if (!s)
		return strbuf_addstr(out, "null");
	return strbuf_add_json_string(out, s, strlen(s));
}

static int
fake_record_render(const struct fake_record *r, struct strbuf *out)
{
	strbuf_addf(
	    out, "{\"seq\":%llu,\"method\":", (unsigned long long)r->seq);
	strbuf_add_json_string(out, r->method, strlen(r->method));
	strbuf_addstr(out, ",\"path\":");
	strbuf_add_json_string(out, r->path, strlen(r->path));
	strbuf_addstr(out, ",\"query\":");
	strbuf_add_json_string(out, r->query, strlen(r->query));
	strbuf_addf(out, ",\"auth\":\"%s\",\"status\":", r->auth);
	if (r->status)
		strbuf_addf(out, "%u", r->status);
	else
		strbuf_addstr(out, "null");
	strbuf_addstr(out, ",\"accept\":");
	fake_journal_add_nullable(out, r->accept);
	strbuf_addstr(out, ",\"content_type\":");
	fake_journal_add_nullable(out, r->content_type);
	if (r->body) {
		strbuf_addstr(out, ",\"body\":");
		strbuf_add_json_string(out, r->body, r->body_len);
	}
	strbuf_addf(out, ",\"fault\":%s}", r->fault ? "true" : "false");
	return out->overflow ? -1 : 0;
}

static void
fake_journal_log(struct fake_journal *j, const struct fake_record *r)
{
	struct strbuf line;
	size_t off = 0;
	ssize_t n;

	if (j->log_fd < 0)
		return;
	strbuf_init(&line, FAKE_JOURNAL_MAX_LINE);
	if (fake_record_render(r, &line) == -1 ||
	    strbuf_addch(&line, '\n') == -1) {
		log_warnx("fake-ado: request %llu too long for the log",
		    (unsigned long long)r->seq);
		goto out;
	}
	/* O_APPEND: one write per line keeps lines whole */
	while (off < line.len) {
		n = write(j->log_fd, line.buf + off, line.len - off);
		if (n < 0) {
			log_warn("fake-ado: cannot write the request log");
			goto out;
		}
		off += (size_t)n;
	}
out:
	strbuf_release(&line);
}

void
fake_journal_finish(
    struct fake_journal *j, uint64_t handle, unsigned int status, int fault)
{
	uint64_t seq = handle & ((UINT64_C(1) << FAKE_JOURNAL_SEQ_BITS) - 1);
	struct fake_record *r;

	if (!handle || handle >> FAKE_JOURNAL_SEQ_BITS != j->epoch)
		return;
	if (seq == 0 || seq > j->nrecords)
		return;
	r = &j->records[seq - 1];
	r->status = status;
	r->fault = fault;
	fake_journal_log(j, r);
}

int
fake_journal_render(const struct fake_journal *j, struct strbuf *out)
{
	strbuf_addch(out, '[');
	for (size_t i = 0; i < j->nrecords; i++) {
		if (i > 0)
			strbuf_addch(out, ',');
		fake_record_render(&j->records[i], out);
	}
	strbuf_addch(out, ']');
	return out->overflow ? -1 : 0;
}
