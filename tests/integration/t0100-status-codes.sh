#!/bin/sh
# Every answer of design.md 5.5, from the real daemon with a stub job.
. "$(dirname "$0")/lib.sh"

dd_config '[diff]' 'skip_drafts = yes' '[server]' 'max_body_bytes = 64K'
dd_start DATADIFFD_JOB_STUB=50 || exit 1

code=$(post "$EVENTS/created.json")
check "created event: 202 queued with the job id" sh -c "
	[ $code = 202 ] && jq -e '.status == \"queued\" and (.job | test(\"-1\$\"))' $T/resp >/dev/null"
check "the job is durable when answered" sh -c "ls $T/state/queue/*.job >/dev/null 2>&1 || ls $T/state/done/* >/dev/null 2>&1"
wait_for 10 sh -c "grep -q 'pull request 1 done' $T/log"

event "$T/vote.json" '.resource.lastMergeSourceCommit.commitId = "53d54ac915144006c2c9e90d2c7d3880920db49c"'
code=$(post "$T/vote.json")
check "a vote (same commit pair): 200 ignored" sh -c "
	[ $code = 200 ] && jq -e '.status == \"ignored\" and (.reason | test(\"already processed\"))' $T/resp >/dev/null"

code=$(post "$EVENTS/updated-push.json")
check "a push (new commit pair): 202" test "$code" = 202

code=$(post "$EVENTS/git-push.json")
check "another event type: 200 ignored" sh -c "
	[ $code = 200 ] && jq -e '.status == \"ignored\"' $T/resp >/dev/null"
code=$(post "$EVENTS/portal-test.json")
check "the portal's Test event: 200 with a friendly reason" sh -c "
	[ $code = 200 ] && jq -e '.reason | test(\"test event\")' $T/resp >/dev/null"
code=$(post "$EVENTS/abandoned.json")
check "an abandoned PR: 200 ignored" sh -c "
	[ $code = 200 ] && jq -e '.reason == \"pull request is abandoned\"' $T/resp >/dev/null"
code=$(post "$EVENTS/draft.json")
check "a draft with skip_drafts: 200 ignored" sh -c "
	[ $code = 200 ] && jq -e '.reason | test(\"draft\")' $T/resp >/dev/null"

code=$(curl -s -o "$T/resp" -D "$T/head" -w '%{http_code}' \
	--data-binary @"$EVENTS/created.json" "$DD_URL/hooks/azure-devops")
check "no credentials: 401 with WWW-Authenticate" sh -c "
	[ $code = 401 ] && grep -qi '^WWW-Authenticate: Basic realm=\"datadiffd\"' $T/head"
code=$(post "$EVENTS/created.json" -u ado:wrong)
check "a wrong password: 401" test "$code" = 401
code=$(post "$EVENTS/created.json" -u nobody:hook-secret)
check "a wrong user: 401" test "$code" = 401

head -c 70000 /dev/zero | tr '\0' 'x' >"$T/big.json"
code=$(post "$T/big.json")
check "a body over max_body_bytes: 413" test "$code" = 413
code=$(post "$T/big.json" -H 'Transfer-Encoding: chunked')
check "a chunked body over max_body_bytes: 413" test "$code" = 413

code=$(post "$EVENTS/bad-not-json.json")
check "not JSON: 400" sh -c "[ $code = 400 ] && jq -e '.status == \"error\"' $T/resp >/dev/null"
code=$(post "$EVENTS/bad-repo-id.json")
check "an invalid identifier: 400 naming the field" sh -c "
	[ $code = 400 ] && jq -e '.reason | test(\"repository.id\")' $T/resp >/dev/null"

event "$T/foreign.json" '.resourceContainers.collection.baseUrl = "https://dev.azure.com/evil/"'
code=$(post "$T/foreign.json")
check "an organization not configured: 403" test "$code" = 403

check "GET on the hook path: 405" sh -c "
	[ \$(curl -s -o /dev/null -w '%{http_code}' $DD_URL/hooks/azure-devops) = 405 ]"
check "an unknown path: 404" sh -c "
	[ \$(curl -s -o /dev/null -w '%{http_code}' $DD_URL/nope) = 404 ]"

curl -s "$DD_URL/metrics" >"$T/metrics"
check "/metrics counts hooks by result" sh -c "
	grep -qx 'datadiffd_hooks_total{result=\"accepted\"} 2' $T/metrics &&
	grep -qx 'datadiffd_hooks_total{result=\"unauthorized\"} 3' $T/metrics &&
	grep -qx 'datadiffd_hooks_total{result=\"too_large\"} 2' $T/metrics &&
	grep -qx 'datadiffd_hooks_total{result=\"forbidden\"} 1' $T/metrics"
check "/metrics has the job histogram and queue gauges" sh -c "
	grep -q '^datadiffd_job_duration_seconds_bucket{le=\"+Inf\"} ' $T/metrics &&
	grep -q '^datadiffd_queue_jobs{state=\"waiting\"} ' $T/metrics"
check "/metrics reveals no secret" sh -c "! grep -q -e hook-secret -e test-pat $T/metrics"

# the spool gone: 503 with Retry-After, and /readyz says so (after a
# reload, which replaces the configuration the daemon started with)
kill -HUP "$DD_PID"
check "reloaded" wait_for 10 grep -qF 'reload: configuration' "$T/log"
rm -rf "$T/state/queue"
event "$T/push2.json" ".resource.lastMergeSourceCommit.commitId = \"$(sha 77)\""
code=$(post "$T/push2.json")
check "spool not writable: 503 with Retry-After" sh -c "
	[ $code = 503 ] && grep -qi '^Retry-After: ' $T/head"
check "/readyz: 503 while the spool is not writable" sh -c "
	[ \$(curl -s -o /dev/null -w '%{http_code}' $DD_URL/readyz) = 503 ]"
check "/healthz still 200" sh -c "
	[ \$(curl -s -o /dev/null -w '%{http_code}' $DD_URL/healthz) = 200 ]"
check "the periodic check logs the spool by its path" wait_for 15 grep -qF \
	"queue: the spool in '$T/state' is not writable" "$T/log"
mkdir "$T/state/queue"
code=$(post "$T/push2.json")
check "the spool back: 202 again" test "$code" = 202
dd_stop
check "still exits 0" test $? -eq 0
finish
