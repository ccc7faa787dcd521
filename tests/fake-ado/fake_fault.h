/*
 * fake_fault: injected failures of the fake Azure DevOps server.
 *
 * Tests post a JSON array of rules to /_fake/faults:
 *   {"method":"GET"?, "path":"substring"?, "status":503?, "count":2?,
 *    "retry_after":"1"?, "delay_ms":0?, "html203":false?, "after":false?}
 * For each REST request the first rule whose method (if given, compared
 * case-insensitively) matches, whose path (default "": every path) is a
 * substring of the request path, and which has count left (default 1; -1 =
 * forever) is consumed. Its outcome: wait delay_ms, then answer html203
 * (a 203 sign-in page) or status (an error), or serve normally when
 * neither is set. With "after", the request is carried out first (a thread
 * is created, a status posted) and only its answer is replaced by status:
 * a gateway error after the service did the work.
 *
 * Not thread-safe: the caller holds the server lock around every call.
 */
#ifndef FAKE_FAULT_H
#define FAKE_FAULT_H

#include <stddef.h>

#include "strbuf.h"

#define FAKE_FAULT_MAX_RULES    64
#define FAKE_FAULT_MAX_DELAY_MS 600000 /* ten minutes */

struct fake_faults;

/* What a consumed rule asks for. */
struct fake_fault_hit {
	unsigned int status; /* 0 = serve normally after the delay */
	int html203;         /* answer 203 + a sign-in page */
	int after;           /* carry the request out, then answer status */
	long delay_ms;
	char retry_after[64]; /* "" = no Retry-After header */
};

/* An empty rule set. */
struct fake_faults *fake_faults_new(void);

/* Free the rules. NULL is accepted. */
void fake_faults_free(struct fake_faults *f);

/* Remove every rule. */
void fake_faults_clear(struct fake_faults *f);

/*
 * Replace every rule with the rules in the JSON array json (len bytes).
 * Returns 0, or -1 with a message in err (and the old rules kept) when the
 * document is not an array of valid rules.
 */
int fake_faults_set(struct fake_faults *f, const char *json, size_t len,
    char *err, size_t errlen);

/*
 * Find and consume the first rule matching method and path. Returns 1 and
 * fills *hit, or 0 when no rule matches.
 */
int fake_faults_match(struct fake_faults *f, const char *method,
    const char *path, struct fake_fault_hit *hit);

/*
 * Append the rules with their remaining counts to out as a JSON array.
 * Returns 0, or -1 when out hit its ceiling.
 */
int fake_faults_render(const struct fake_faults *f, struct strbuf *out);

#endif /* FAKE_FAULT_H */
