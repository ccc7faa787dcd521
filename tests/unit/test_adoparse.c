/*
 * test_adoparse.c: reading Azure DevOps answers (ado-reference.md 3-4).
 */
#include <stdlib.h>
#include <string.h>

#include "unit.h"
#include "adoparse.h"
#include "strbuf.h"
#include "banned.h"

#define C40(c)                                                                \
	c c c c c c c c c c c c c c c c c c c c c c c c c c c c c c c c c c c \
	    c c c c c

static void
test_iterations(void **state)
{
	const char *json =
	    "{\"count\":2,\"value\":["
	    "{\"id\":2,\"sourceRefCommit\":{\"commitId\":\"" C40(
		"B") "\"},"
		     "\"targetRefCommit\":{\"commitId\":\"" C40(
			 "c") "\"},"
			      "\"commonRefCommit\":{\"commitId\":\"" C40(
				  "d") "\"},\"reason\":\"push\"},"
				       "{\"id\":1,\"sourceRefCommit\":{\"commitId\":\"" C40(
					   "a") "\"},"
						"\"targetRefCommit\":{\"commitId\":\"" C40(
						    "c") "\"}}]}";
	struct ado_iteration *its;
	size_t n;
	char err[128];

	(void)state;
	assert_int_equal(
	    adoparse_iterations(json, strlen(json), &its, &n, err, sizeof(err)),
	    0);
	assert_int_equal(n, 2);
	/* sorted by id; commits lower-cased; a missing merge base is "" */
	assert_int_equal(its[0].id, 1);
	assert_string_equal(its[0].common, "");
	assert_int_equal(its[1].id, 2);
	assert_string_equal(its[1].source, C40("b"));
	assert_string_equal(its[1].common, C40("d"));
	free(its);
}

static const char *const bad_iterations[] = {
    "",
    "[]",
    "{\"value\":{}}",
    "{\"value\":[{\"id\":0,\"sourceRefCommit\":{\"commitId\":\"" C40(
	"a") "\"},\"targetRefCommit\":{\"commitId\":\"" C40("a") "\"}}]}",
    "{\"value\":[{\"id\":1,\"sourceRefCommit\":{\"commitId\":\"xyz\"},"
    "\"targetRefCommit\":{\"commitId\":\"" C40("a") "\"}}]}",
    "{\"value\":[{\"id\":1.5,\"sourceRefCommit\":{\"commitId\":\"" C40(
	"a") "\"},\"targetRefCommit\":{\"commitId\":\"" C40("a") "\"}}]}",
};

static void
test_iterations_bad(void **state)
{
	(void)state;
	for (size_t i = 0;
	     i < sizeof(bad_iterations) / sizeof(bad_iterations[0]); i++) {
		struct ado_iteration *its = NULL;
		size_t n = 0;
		char err[128] = "";

		if (adoparse_iterations(bad_iterations[i],
			strlen(bad_iterations[i]), &its, &n, err,
			sizeof(err)) != -1)
			fail_msg("case %zu parsed", i);
		assert_null(its);
		assert_true(err[0] != '\0');
	}
}

static void
test_changes_pages(void **state)
{
	const char *p1 =
	    "{\"changeEntries\":["
	    "{\"changeTrackingId\":1,\"changeId\":1,\"item\":{\"objectId\":\"" C40("1") "\",\"originalObjectId\":\"" C40(
		"2") "\",\"path\":\"/data/a.csv\"},"
		     "\"changeType\":\"edit\"},"
		     "{\"item\":{\"objectId\":\"" C40(
			 "3") "\",\"path\":\"/new.csv\"},"
			      "\"changeType\":\"add\"},"
			      "{\"item\":{\"originalObjectId\":\"" C40(
				  "4") "\",\"path\":\"/gone.csv\"},\"changeType\":\"delete, sourceRename\"},"
				       "{\"item\":{\"objectId\":\"" C40("5") "\",\"originalObjectId\":\"" C40(
					   "6") "\",\"path\":\"/b.csv\"},\"originalPath\":\"/a/b.csv\","
						"\"changeType\":\"edit, rename\"},"
						"{\"item\":{\"path\":\"/dir\",\"isFolder\":true,"
						"\"gitObjectType\":\"tree\"},\"changeType\":\"add\"},"
						"{\"item\":{\"path\":\"/n.csv\"},\"changeType\":18}"
						"],\"nextSkip\":6,\"nextTop\":6}";
	const char *p2 = "{\"changeEntries\":[],\"nextSkip\":0,\"nextTop\":0}";
	struct ado_change *c = NULL;
	size_t n = 0;
	unsigned skip, top;
	char err[128];

	(void)state;
	assert_int_equal(adoparse_changes(p1, strlen(p1), &c, &n, 100, &skip,
			     &top, err, sizeof(err)),
	    0);
	assert_int_equal(n, 6);
	assert_int_equal(skip, 6);
	assert_int_equal(top, 6);
	assert_int_equal(c[0].type, ADO_CHANGE_EDIT);
	assert_string_equal(c[0].path, "/data/a.csv");
	assert_string_equal(c[0].object_id, C40("1"));
	assert_string_equal(c[0].original_object_id, C40("2"));
	assert_int_equal(c[1].type, ADO_CHANGE_ADD);
	assert_string_equal(c[1].original_object_id, "");
	assert_int_equal(c[2].type, ADO_CHANGE_DELETE | ADO_CHANGE_RENAME);
	assert_int_equal(c[3].type, ADO_CHANGE_EDIT | ADO_CHANGE_RENAME);
	assert_string_equal(c[3].original_path, "/a/b.csv");
	assert_true(c[4].is_folder);
	/* numeric flags: edit (2) | delete (16) */
	assert_int_equal(c[5].type, ADO_CHANGE_EDIT | ADO_CHANGE_DELETE);
	assert_int_equal(adoparse_changes(p2, strlen(p2), &c, &n, 100, &skip,
			     &top, err, sizeof(err)),
	    0);
	assert_int_equal(n, 6);
	assert_int_equal(skip, 0);
	/* the cap on entries */
	assert_int_equal(adoparse_changes(p1, strlen(p1), &c, &n, 8, &skip,
			     &top, err, sizeof(err)),
	    -1);
	assert_non_null(strstr(err, "more than 8"));
	ado_changes_free(c, n);
}

static void
test_changes_bad_path(void **state)
{
	const char *bad[] = {
	    "{\"changeEntries\":[{\"item\":{\"path\":\"relative.csv\"}}]}",
	    "{\"changeEntries\":[{\"item\":{\"path\":\"/a\\u0001b\"}}]}",
	    "{\"changeEntries\":[{\"item\":{}}]}",
	    "{\"changeEntries\":[{}]}",
	    "{\"changeEntries\":[],\"nextSkip\":-1}",
	};

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct ado_change *c = NULL;
		size_t n = 0;
		unsigned skip, top;
		char err[128];

		if (adoparse_changes(bad[i], strlen(bad[i]), &c, &n, 100, &skip,
			&top, err, sizeof(err)) != -1)
			fail_msg("case %zu parsed", i);
		ado_changes_free(c, n);
	}
}

static void
test_find_thread(void **state)
{
	const char *json =
	    "{\"count\":4,\"value\":["
	    "{\"id\":1,\"comments\":[{\"id\":1,\"content\":\"x\","
	    "\"commentType\":\"system\"}],\"properties\":{\"CodeReviewThreadType\":"
	    "{\"$type\":\"System.String\",\"$value\":\"ReviewersUpdate\"}}},"
	    "{\"id\":5,\"isDeleted\":true,\"comments\":[{\"id\":1,"
	    "\"content\":\"<!-- datadiffd:report -->old\"}]},"
	    "{\"id\":7,\"comments\":[{\"id\":3,\"content\":\"text\"}],"
	    "\"properties\":{\"datadiffd.report\":{\"$type\":\"System.String\","
	    "\"$value\":\"1\"}}},"
	    "{\"id\":9,\"comments\":[{\"id\":1,"
	    "\"content\":\"<!-- datadiffd:report -->\"}]}]}";
	const char *by_marker =
	    "{\"value\":[{\"id\":9,\"comments\":[{\"id\":2,"
	    "\"content\":\"<!-- datadiffd:report -->\\n## x\"}]}]}";
	const char *none = "{\"count\":0,\"value\":[]}";
	long t = 0, c = 0;
	char err[128];

	(void)state;
	/* the property wins, deleted threads are skipped */
	assert_int_equal(
	    adoparse_find_thread(json, strlen(json), "datadiffd.report",
		"<!-- datadiffd:report -->", &t, &c, err, sizeof(err)),
	    1);
	assert_int_equal(t, 7);
	assert_int_equal(c, 3);
	assert_int_equal(adoparse_find_thread(by_marker, strlen(by_marker),
			     "datadiffd.report", "<!-- datadiffd:report -->",
			     &t, &c, err, sizeof(err)),
	    1);
	assert_int_equal(t, 9);
	assert_int_equal(c, 2);
	assert_int_equal(
	    adoparse_find_thread(none, strlen(none), "datadiffd.report",
		"<!-- datadiffd:report -->", &t, &c, err, sizeof(err)),
	    0);
	assert_int_equal(
	    adoparse_find_thread("{}", 2, "p", "m", &t, &c, err, sizeof(err)),
	    -1);
}

static void
test_thread_ids_and_errors(void **state)
{
	const char *created = "{\"id\":12,\"comments\":[{\"id\":1}]}";
	const char *errbody =
	    "{\"$id\":\"1\",\"innerException\":null,\"message\":\"TF400813: "
	    "The user '' is not\\nauthorized.\",\"typeKey\":\"X\"}";
	long t, c;
	char err[128], msg[40];

	(void)state;
	assert_int_equal(adoparse_thread_ids(created, strlen(created), &t, &c,
			     err, sizeof(err)),
	    0);
	assert_int_equal(t, 12);
	assert_int_equal(c, 1);
	assert_int_equal(adoparse_thread_ids(
			     "{\"id\":\"12\"}", 11, &t, &c, err, sizeof(err)),
	    -1);
	adoparse_error_message(errbody, strlen(errbody), msg, sizeof(msg));
	/* cut to the buffer, line break replaced */
	assert_string_equal(msg, "TF400813: The user '' is not authorized");
	adoparse_error_message("<html>", 6, msg, sizeof(msg));
	assert_string_equal(msg, "");
}

int
main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_iterations),
	    cmocka_unit_test(test_iterations_bad),
	    cmocka_unit_test(test_changes_pages),
	    cmocka_unit_test(test_changes_bad_path),
	    cmocka_unit_test(test_find_thread),
	    cmocka_unit_test(test_thread_ids_and_errors),
	};

	unit_init(argc, argv);
	return UNIT_RUN("adoparse", tests);
}
