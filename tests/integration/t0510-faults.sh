#!/bin/sh
# Azure DevOps failing: 503 and 429 (with Retry-After) are retried and the
# report still lands exactly once; a 203 sign-in page (a rejected PAT)
# ends the job with status error, one clear log line and no retry storm.
. "$(dirname "$0")/lib.sh"

B=$T/tree-base
H=$T/tree-head
mkdir -p "$B/data" "$H/data"
printf 'id,v\n1,a\n2,b\n' >"$B/data/t.csv"
printf 'id,v\n1,a\n2,c\n3,d\n' >"$H/data/t.csv"
BASE=$(sha 10)
HEAD=$(sha 11)

ado_start || exit 1
dd_config
fx_push "$T/ado" "$REPO" 1 1 "$B" "$H" "$HEAD" "$BASE" "$BASE"
fx_push "$T/ado" "$REPO" 2 1 "$B" "$H" "$HEAD" "$BASE" "$BASE"
dd_start || exit 1

fx_faults '[{"method": "GET", "path": "/pullRequests/1/iterations", "status": 503, "count": 2},
	{"method": "POST", "path": "/pullRequests/1/threads", "status": 429, "count": 1, "retry_after": "1"},
	{"method": "POST", "path": "/pullRequests/1/statuses", "status": 503, "count": 1, "retry_after": "0"},
	{"method": "GET", "path": "/blobs/", "status": 500, "count": 1}]'
ado_event "$T/e1.json" created "$HEAD" "$BASE" 1
code=$(post "$T/e1.json")
check "accepted" test "$code" = 202
check "503/429/500: a final status" wait_final 1 1
check "the report landed exactly once" test "$(our_threads 1 | jq length)" -eq 1
check "...with the counts" grep -qF '| +1 |' "$(report 1 >"$T/r1.md"; echo "$T/r1.md")"
check "the status succeeded" test "$(last_status 1 | cut -d' ' -f1)" = succeeded
check "the 503s were retried" test "$(requests_matching '^GET .*/pullRequests/1/iterations\?')" -eq 3
check "the 429 waited for Retry-After, then POSTed again" \
	test "$(requests_matching '^POST .*/pullRequests/1/threads')" -eq 2
check "each retry is one log line" \
	test "$(grep -c 'ado: .* retrying in' "$T/log")" -eq 5
check "a Retry-After of 1 s was honoured" grep -q 'HTTP 429, retrying in 1.0 s' "$T/log"
check "a Retry-After of 0 still waits 1 s, no busy loop" \
	grep -q 'statuses: HTTP 503, retrying in 1.0 s' "$T/log"

# a rejected PAT: 203 and a sign-in page, for every listing of iterations
fx_faults '[{"path": "/pullRequests/2/iterations", "html203": true, "count": -1}]'
ado_event "$T/e2.json" created "$HEAD" "$BASE" 2
code=$(post "$T/e2.json")
check "203: a final status" wait_final 2 1
check "203: the status is error" test "$(last_status 2 | cut -d' ' -f1)" = error
check "203: one clear log line about the token" \
	test "$(grep -c 'sign-in page: the personal access token is expired, revoked or for another organization' "$T/log")" -eq 1
sleep 2
check "203: no retry storm (one request)" \
	test "$(requests_matching '^GET .*/pullRequests/2/iterations\?')" -eq 1
check "203: the job is in failed/ with its reason" \
	grep -q 'personal access token was rejected' "$T"/state/failed/*-2-*.json
check "203: no thread was posted" test "$(our_threads 2 | jq length)" -eq 0
dd_stop
finish
