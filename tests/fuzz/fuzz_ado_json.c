/*
 * fuzz_ado_json: an Azure DevOps answer -> every response parser. What
 * they accept must hold valid ids and paths; nothing may crash or leak.
 */
#include <assert.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "adoparse.h"
#include "prreport.h"
#include "banned.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *json = (const char *)data;
	struct ado_iteration *its = NULL;
	struct ado_change *ch = NULL;
	size_t n = 0, nch = 0;
	unsigned skip, top;
	long t, c;
	struct ado_thread th;
	char err[256], msg[128], id[EVENT_GUID_LEN + 1];
	char digest[PRREPORT_DIGEST_LEN + 1];

	if (size > (1 << 20))
		return 0;
	if (adoparse_iterations(json, size, &its, &n, err, sizeof(err)) == 0) {
		for (size_t i = 0; i < n; i++) {
			assert(its[i].id >= 1);
			assert(event_is_sha1(its[i].source));
			assert(event_is_sha1(its[i].target));
			assert(
			    !its[i].common[0] || event_is_sha1(its[i].common));
			assert(i == 0 || its[i - 1].id <= its[i].id);
		}
	}
	free(its);
	if (adoparse_changes(json, size, &ch, &nch, 1000, &skip, &top, err,
		sizeof(err)) == 0) {
		for (size_t i = 0; i < nch; i++) {
			assert(ch[i].path[0] == '/');
			assert(strlen(ch[i].path) <= ADO_PATH_MAX);
			assert(!ch[i].object_id[0] ||
			    event_is_sha1(ch[i].object_id));
		}
	}
	ado_changes_free(ch, nch);
	if (adoparse_find_thread(json, size, "datadiffd.report",
		"6f1c2d3e-4a5b-4c6d-8e7f-0a1b2c3d4e5f", &th, err,
		sizeof(err)) == 1) {
		assert(th.id >= 1 && th.comment_id >= 1);
		assert(th.resolved == 0 || th.resolved == 1);
		assert(
		    !th.digest[0] || strlen(th.digest) == PRREPORT_DIGEST_LEN);
	}
	if (adoparse_identity(json, size, id, err, sizeof(err)) == 0)
		assert(event_is_guid(id));
	if (adoparse_thread_ids(json, size, &t, &c, err, sizeof(err)) == 0)
		assert(t >= 1 && c >= 1);
	if (prreport_digest(json, size, digest) == 0)
		assert(strlen(digest) == PRREPORT_DIGEST_LEN);
	adoparse_error_message(json, size, msg, sizeof(msg));
	assert(strlen(msg) < sizeof(msg));
	return 0;
}
