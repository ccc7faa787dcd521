#!/bin/sh
# An update arrives before Azure DevOps has created the iteration of the
# pushed commit: the job waits for it, then diffs that iteration.
. "$(dirname "$0")/lib.sh"

B=$T/tree-base
H1T=$T/tree-head1
H2T=$T/tree-head2
mkdir -p "$B/data" "$H1T/data" "$H2T/data"
printf 'id,v\n1,a\n2,b\n' >"$B/data/t.csv"
printf 'id,v\n1,a\n2,c\n' >"$H1T/data/t.csv"
printf 'id,v\n1,z\n2,c\n3,d\n' >"$H2T/data/t.csv"
BASE=$(sha 70)
H1=$(sha 71)
H2=$(sha 72)

ado_start || exit 1
dd_config
fx_push "$T/ado" "$REPO" 1 1 "$B" "$H1T" "$H1" "$BASE" "$BASE"
dd_start || exit 1

# the push event comes first; its iteration only a few seconds later
ado_event "$T/e.json" updated "$H2" "$BASE"
code=$(post "$T/e.json")
check "accepted" test "$code" = 202
check "the job waits for the iteration" \
	wait_for 10 grep -q "commit $(printf %.7s "$H2") has no iteration yet, waiting" "$T/log"
check "no status while waiting" test "$(fx_statuses "$REPO" 1 | jq length)" -eq 0
fx_push "$T/ado" "$REPO" 1 2 "$B" "$H2T" "$H2" "$BASE" "$BASE"
check "then a final status" wait_final 1 1
check "for iteration 2" test "$(fx_statuses "$REPO" 1 | jq '.[-1].iterationId')" = 2
check "with the pushed commit's changes" grep -qF \
	'| data/t.csv | id *(auto)* | 2 → 3 | +1 |  | 2 (100.0%) |' \
	"$(report 1 >"$T/r.md"; echo "$T/r.md")"
dd_stop
finish
