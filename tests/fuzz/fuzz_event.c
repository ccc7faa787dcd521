/*
 * fuzz_event: bytes -> event_parse(). On EVENT_OK every identifier must be
 * valid (what later reaches a URL), every string terminated inside its
 * array, and the organization URL normalised; IGNORE and BAD always come
 * with a reason.
 */
#include <assert.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "event.h"
#include "banned.h"

#define TERMINATED(a) assert(memchr((a), '\0', sizeof(a)) != NULL)

static void
check_ok(const struct pr_event *ev)
{
	char again[EVENT_URL_MAX];
	size_t n;

	TERMINATED(ev->event_type);
	TERMINATED(ev->event_id);
	TERMINATED(ev->subscription_id);
	TERMINATED(ev->org_url);
	TERMINATED(ev->project_id);
	TERMINATED(ev->project_name);
	TERMINATED(ev->repo_id);
	TERMINATED(ev->repo_name);
	TERMINATED(ev->status);
	TERMINATED(ev->source_ref);
	TERMINATED(ev->target_ref);
	TERMINATED(ev->source_commit);
	TERMINATED(ev->target_commit);
	TERMINATED(ev->merge_commit);
	TERMINATED(ev->title);

	assert(ev->type <= EVENT_PR_COMMENTED);
	assert(ev->event_type[0] != '\0');
	assert(!ev->event_id[0] || event_is_guid(ev->event_id));
	assert(!ev->subscription_id[0] || event_is_guid(ev->subscription_id));
	assert(event_is_guid(ev->project_id));
	assert(event_is_guid(ev->repo_id));
	assert(ev->pr_id >= 1 && ev->pr_id <= 2147483647UL);
	assert(ev->status[0] != '\0');
	assert(event_is_sha1(ev->source_commit));
	assert(event_is_sha1(ev->target_commit));
	assert(!ev->merge_commit[0] || event_is_sha1(ev->merge_commit));
	assert(ev->is_draft == 0 || ev->is_draft == 1);
	assert(ev->is_test == 0);
	for (const char *p = ev->repo_id; *p; p++)
		assert(!(*p >= 'A' && *p <= 'Z'));
	for (const char *p = ev->target_commit; *p; p++)
		assert(!(*p >= 'A' && *p <= 'Z'));

	assert(strncmp(ev->org_url, "https://", 8) == 0 ||
	    strncmp(ev->org_url, "http://", 7) == 0);
	n = strlen(ev->org_url);
	assert(ev->org_url[n - 1] != '/');
	/* normalised: a fixed point of event_normalize_url */
	assert(event_normalize_url(ev->org_url, again, sizeof(again)) == 0);
	assert(strcmp(again, ev->org_url) == 0);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct pr_event ev;
	char reason[128];
	enum event_result res;

	memset(reason, 'x', sizeof(reason));
	res =
	    event_parse((const char *)data, size, &ev, reason, sizeof(reason));
	TERMINATED(reason);
	switch (res) {
	case EVENT_OK:
		check_ok(&ev);
		break;
	case EVENT_IGNORE:
		assert(reason[0] != '\0');
		TERMINATED(ev.event_type);
		assert(!ev.is_test || ev.type != EVENT_OTHER);
		break;
	case EVENT_BAD:
		assert(reason[0] != '\0');
		assert(ev.is_test == 0);
		break;
	default:
		abort();
	}
	return 0;
}
