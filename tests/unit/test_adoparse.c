/*
 * test_adoparse.c: reading Azure DevOps answers (ado-reference.md 3-4).
 */
#include <stdio.h>
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

#define ME    "6f1c2d3e-4a5b-4c6d-8e7f-0a1b2c3d4e5f"
#define OTHER "2f7d6a3c-9b8e-4c1d-a0f5-6e4b3c2d1a09"
#define PROP                                               \
	"\"properties\":{\"datadiffd.report\":{\"$type\":" \
	"\"System.String\",\"$value\":\"1\"}}"

static void
test_find_thread(void **state)
{
	const char *json =
	    "{\"count\":6,\"value\":["
	    /* the service's own thread */
	    "{\"id\":1,\"comments\":[{\"id\":1,\"content\":\"x\","
	    "\"author\":{\"id\":\"00000002-0000-8888-8000-000000000000\"},"
	    "\"commentType\":\"system\"}],\"properties\":{\"CodeReviewThreadType\":"
	    "{\"$type\":\"System.String\",\"$value\":\"ReviewersUpdate\"}}},"
	    /* ours, deleted */
	    "{\"id\":5,\"isDeleted\":true,\"comments\":[{\"id\":1,"
	    "\"author\":{\"id\":\"" ME "\"},\"content\":\"old\"}]," PROP "},"
	    /* someone else's, with our property and marker: not ours */
	    "{\"id\":6,\"status\":4,\"comments\":[{\"id\":2,\"author\":"
	    "{\"id\":\"" OTHER
	    "\"},\"content\":\"<!-- datadiffd:report -->\"}]," PROP "},"
	    /* ours without the property (a comment of ours): not it */
	    "{\"id\":8,\"comments\":[{\"id\":1,\"author\":{\"id\":\"" ME
	    "\"},\"content\":\"<!-- datadiffd:report -->\"}]},"
	    /* ours, resolved */
	    "{\"id\":7,\"status\":\"fixed\",\"comments\":[{\"id\":3,"
	    "\"author\":{\"id\":\"" ME
	    "\"},\"content\":\"<!-- datadiffd:report "
	    "-->\\n<!-- datadiffd:data 0123456789abcdef -->\\n### x\"}]," PROP
	    "},"
	    "{\"id\":9,\"comments\":[{\"id\":1,\"author\":{\"id\":\"" ME
	    "\"}}]," PROP "}]}";
	const char *no_author = "{\"value\":[{\"id\":9,\"comments\":[{\"id\":2,"
				"\"author\":{\"id\":7}}]," PROP
				"},{\"id\":4,\"comments\":[]," PROP "}]}";
	const char *none = "{\"count\":0,\"value\":[]}";
	struct ado_thread th;
	char err[128];

	(void)state;
	/* property and author: the first such thread not deleted */
	assert_int_equal(adoparse_find_thread(json, strlen(json),
			     "datadiffd.report", ME, &th, err, sizeof(err)),
	    1);
	assert_int_equal(th.id, 7);
	assert_int_equal(th.comment_id, 3);
	assert_int_equal(th.resolved, 1);
	assert_string_equal(th.digest, "0123456789abcdef");
	assert_int_equal(
	    adoparse_find_thread(json, strlen(json), "datadiffd.report",
		"6F1C2D3E-4A5B-4C6D-8E7F-0A1B2C3D4E5F", &th, err, sizeof(err)),
	    1);
	assert_int_equal(th.id, 7);
	/* another member's thread is theirs even with our property */
	assert_int_equal(adoparse_find_thread(json, strlen(json),
			     "datadiffd.report", OTHER, &th, err, sizeof(err)),
	    1);
	assert_int_equal(th.id, 6);
	assert_int_equal(th.comment_id, 2);
	assert_int_equal(th.resolved, 1); /* closed, as a number */
	assert_string_equal(th.digest, "");
	assert_int_equal(adoparse_find_thread(no_author, strlen(no_author),
			     "datadiffd.report", ME, &th, err, sizeof(err)),
	    0);
	assert_int_equal(adoparse_find_thread(none, strlen(none),
			     "datadiffd.report", ME, &th, err, sizeof(err)),
	    0);
	assert_int_equal(
	    adoparse_find_thread("{}", 2, "p", ME, &th, err, sizeof(err)), -1);
	/* open: active, pending, or no status at all */
	{
		static const char *const open[] = {"\"status\":\"active\",",
		    "\"status\":\"pending\",", "\"status\":1,", ""};

		for (size_t i = 0; i < sizeof(open) / sizeof(open[0]); i++) {
			char doc[512];

			snprintf(doc, sizeof(doc),
			    "{\"value\":[{\"id\":3,%s\"comments\":[{\"id\":1,"
			    "\"author\":{\"id\":\"" ME "\"},\"content\":"
			    "\"<!-- datadiffd:data 0123 -->\"}]," PROP "}]}",
			    open[i]);
			th.resolved = -1;
			assert_int_equal(
			    adoparse_find_thread(doc, strlen(doc),
				"datadiffd.report", ME, &th, err, sizeof(err)),
			    1);
			assert_int_equal(th.resolved, 0);
			/* a digest too short is none */
			assert_string_equal(th.digest, "");
		}
	}
}

static void
test_identity(void **state)
{
	const char *good =
	    "{\"authenticatedUser\":{\"id\":\"" ME "\",\"descriptor\":\"x\","
	    "\"providerDisplayName\":\"DataDiff Bot\",\"isActive\":true},"
	    "\"authorizedUser\":{\"id\":\"" OTHER "\"},"
	    "\"instanceId\":\"c1a5e2d4-7b3f-4e9a-9d8c-2f6b0e1a3c5d\"}";
	const char *bad[] = {
	    "{}",
	    "{\"authenticatedUser\":{}}",
	    "{\"authenticatedUser\":{\"id\":7}}",
	    "{\"authenticatedUser\":{\"id\":\"not-a-guid\"}}",
	    "{\"authorizedUser\":{\"id\":\"" ME "\"}}",
	    "[1]",
	    "<html>",
	};
	char id[40], err[128];

	(void)state;
	assert_int_equal(
	    adoparse_identity(good, strlen(good), id, err, sizeof(err)), 0);
	assert_string_equal(id, ME);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (adoparse_identity(
			bad[i], strlen(bad[i]), id, err, sizeof(err)) != -1)
			fail_msg("case %zu parsed", i);
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
	    cmocka_unit_test(test_identity),
	    cmocka_unit_test(test_thread_ids_and_errors),
	};

	unit_init(argc, argv);
	return UNIT_RUN("adoparse", tests);
}
