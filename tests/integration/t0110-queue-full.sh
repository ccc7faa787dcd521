#!/bin/sh
# max_jobs waiting jobs: the next PR is answered 503 with Retry-After.
. "$(dirname "$0")/lib.sh"

dd_config '[queue]' 'max_jobs = 2'
# a slow stub keeps the jobs on the spool
dd_start DATADIFFD_JOB_STUB=3000 || exit 1
for pr in 1 2; do
	event "$T/e$pr.json" ".resource.pullRequestId = $pr"
	post "$T/e$pr.json" >/dev/null
done
event "$T/e3.json" '.resource.pullRequestId = 3'
code=$(post "$T/e3.json")
check "a third PR with max_jobs = 2: 503 + Retry-After" sh -c "
	[ $code = 503 ] && grep -qi '^Retry-After: ' $T/head"
event "$T/e2b.json" ".resource.pullRequestId = 2 | .resource.lastMergeSourceCommit.commitId = \"$(sha 5)\""
code=$(post "$T/e2b.json")
check "a newer event for a queued PR still coalesces: 202" test "$code" = 202
dd_stop
finish
