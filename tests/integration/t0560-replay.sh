#!/bin/sh
# --replay EVENT.json runs the pipeline once; with --dry-run it prints the
# report and writes nothing anywhere.
. "$(dirname "$0")/lib.sh"

B=$T/tree-base
H=$T/tree-head
mkdir -p "$B/data" "$H/data"
printf 'id,v\n1,a\n2,b\n' >"$B/data/t.csv"
printf 'id,v\n1,a\n2,c\n' >"$H/data/t.csv"
BASE=$(sha 60)
HEAD=$(sha 61)
ado_start || exit 1
dd_config
fx_push "$T/ado" "$REPO" 1 1 "$B" "$H" "$HEAD" "$BASE" "$BASE"
ado_event "$T/e.json" created "$HEAD" "$BASE"

"$DATADIFFD" -c "$T/d.conf" --replay "$T/e.json" --dry-run >"$T/out.md" 2>"$T/err"
rc=$?
check "dry run: exit 0" test "$rc" -eq 0
check "dry run: the report on stdout" grep -qF '| data/t.csv | id *(auto)* | 2 → 2 |' "$T/out.md"
check "dry run: only GET requests reached Azure DevOps" \
	test "$(fx_requests | jq '[.[] | select(.method != "GET")] | length')" -eq 0
check "dry run: no thread, no status" \
	test "$(our_threads 1 | jq length)-$(fx_statuses "$REPO" 1 | jq length)" = "0-0"
check "dry run: nothing in the state directory" test -z "$(ls -A "$T/state")"

"$DATADIFFD" -c "$T/d.conf" --replay "$T/e.json" >"$T/out2" 2>"$T/err2"
rc=$?
check "replay: exit 0" test "$rc" -eq 0
check "replay: the report is published" test "$(our_threads 1 | jq length)" -eq 1
check "replay: the status succeeded" test "$(last_status 1 | cut -d' ' -f1)" = succeeded

"$DATADIFFD" -c "$T/d.conf" --replay "$EVENTS/git-push.json" >/dev/null 2>"$T/err3"
rc=$?
check "replay of an event with nothing to do: exit 1 and why" \
	sh -c "[ $rc -eq 1 ] && grep -q 'nothing to do' $T/err3"
finish
