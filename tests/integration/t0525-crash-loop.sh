#!/bin/sh
# A job whose runs keep taking the daemon down (here: kill -9 mid-run)
# uses up max_attempts like any failure: the next start gives it up with
# an error status instead of running it again for ever.
. "$(dirname "$0")/lib.sh"

B=$T/tree-base
H=$T/tree-head
mkdir -p "$B/data" "$H/data"
printf 'id,v\n1,a\n' >"$B/data/t.csv"
printf 'id,v\n1,b\n' >"$H/data/t.csv"
BASE=$(sha 50)
HEAD=$(sha 51)

# blobs_asked N: the fake has seen at least N blob requests
blobs_asked() {
	[ "$(requests_matching '/blobs/')" -ge "$1" ]
}

ado_start || exit 1
dd_config '[queue]' 'max_attempts = 2'
fx_push "$T/ado" "$REPO" 1 1 "$B" "$H" "$HEAD" "$BASE" "$BASE"
fx_faults '[{"path": "/blobs/", "delay_ms": 4000, "count": -1}]'
dd_start || exit 1
ado_event "$T/e.json" created "$HEAD" "$BASE"
code=$(post "$T/e.json")
check "accepted" test "$code" = 202
check "attempt 1 is downloading" wait_for 10 blobs_asked 1
kill -KILL "$DD_PID"
wait "$DD_PID" 2>/dev/null
dd_start || exit 1
check "attempt 2 after a restart" wait_for 10 sh -c \
	"grep -qF 'started (attempt 2)' $T/log"
check "attempt 2 is downloading" wait_for 10 blobs_asked 2
kill -KILL "$DD_PID"
wait "$DD_PID" 2>/dev/null
fx_faults '[]'
asked=$(requests_matching '/blobs/')
dd_start || exit 1
check "the third start gives it up" wait_for 10 grep -qF \
	'failed for good: gave up after 2 attempts: the daemon stopped' "$T/log"
check "with an error status on the PR" wait_for 10 sh -c \
	"[ \"\$(curl -s -G --data-urlencode repo=$REPO --data-urlencode pr=1 $FX_CONTROL/statuses | jq -r '.[-1].state')\" = error ]"
check "without running it again" test "$(requests_matching '/blobs/')" -eq "$asked"
check "not started a third time" test "$(count_log 'started (attempt 3)')" -eq 0
check "moved to failed/" sh -c "ls $T/state/failed/*.json >/dev/null"
check "off the spool" sh -c "[ -z \"\$(ls -A $T/state/queue)\" ]"
code=$(post "$T/e.json")
check "the daemon keeps serving" test "$code" = 202
dd_stop
finish
