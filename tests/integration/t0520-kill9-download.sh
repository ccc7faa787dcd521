#!/bin/sh
# kill -9 while the blobs download: after a restart, exactly one thread.
. "$(dirname "$0")/lib.sh"

B=$T/tree-base
H=$T/tree-head
mkdir -p "$B/data" "$H/data"
printf 'id,v\n1,a\n2,b\n' >"$B/data/t.csv"
printf 'id,v\n1,a\n2,c\n' >"$H/data/t.csv"
BASE=$(sha 20)
HEAD=$(sha 21)

ado_start || exit 1
dd_config
fx_push "$T/ado" "$REPO" 1 1 "$B" "$H" "$HEAD" "$BASE" "$BASE"
dd_start || exit 1
# slow blobs: the download is still running when the daemon dies
fx_faults '[{"path": "/blobs/", "delay_ms": 4000, "count": -1}]'
ado_event "$T/e.json" created "$HEAD" "$BASE"
code=$(post "$T/e.json")
check "accepted" test "$code" = 202
check "a blob download started" wait_for 10 sh -c \
	"curl -s $FX_CONTROL/requests | jq -e 'map(select(.path | test(\"/blobs/\"))) | length > 0' >/dev/null"
kill -KILL "$DD_PID"
wait "$DD_PID" 2>/dev/null
check "no thread yet" test "$(our_threads 1 | jq length)" -eq 0
check "the job is still on the spool" sh -c "ls $T/state/queue/*.job >/dev/null"
fx_faults '[]'
dd_start || exit 1
check "after the restart: a final status" wait_final 1 1
check "exactly one thread" test "$(our_threads 1 | jq length)" -eq 1
check "with the report" grep -qF '| data/t.csv | id *(auto)* | 2 → 2 |' \
	"$(report 1 >"$T/r.md"; echo "$T/r.md")"
check "the work directory was cleaned" sh -c "[ -z \"\$(ls -A $T/state/work)\" ]"
dd_stop
finish
