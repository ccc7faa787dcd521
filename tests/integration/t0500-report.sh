#!/bin/sh
# A created PR gets one report thread and a succeeded status; a new push
# edits the same comment; a vote (same commits) changes nothing.
. "$(dirname "$0")/lib.sh"

B=$T/tree-base
H1T=$T/tree-head1
H2T=$T/tree-head2
mkdir -p "$B/data" "$B/docs" "$H1T/data" "$H1T/docs" "$H2T/data" "$H2T/docs"
printf 'id,name,price\n1,apple,10\n2,pear,20\n3,fig,30\n4,kiwi,40\n' >"$B/data/prices.csv"
printf 'id,name,price\n1,apple,10\n2,pear,25\n3,fig,30\n5,plum,50\n' >"$H1T/data/prices.csv"
printf 'id,name,price\n1,apple,11\n2,pear,25\n3,fig,30\n5,plum,50\n6,lime,60\n' >"$H2T/data/prices.csv"
printf '# notes\n' >"$B/docs/readme.md"
printf '# notes, edited\n' >"$H1T/docs/readme.md"
cp "$H1T/docs/readme.md" "$H2T/docs/readme.md"
BASE=$(sha 1)
H1=$(sha 2)
H2=$(sha 3)

ado_start || exit 1
dd_config
fx_push "$T/ado" "$REPO" 1 1 "$B" "$H1T" "$H1" "$BASE" "$BASE"
dd_start || exit 1

ado_event "$T/created.json" created "$H1" "$BASE"
code=$(post "$T/created.json")
check "created: 202" test "$code" = 202
check "a final status is posted" wait_final 1 1
check "the status is succeeded, with the counts" \
	test "$(last_status 1)" = "succeeded 1 data file: +1 -1 ~1 rows"
check "exactly one report thread" test "$(our_threads 1 | jq length)" -eq 1
report 1 >"$T/r1.md"
check "the report starts with the marker" \
	test "$(head -n 1 "$T/r1.md")" = "<!-- datadiffd:report -->"
check "the summary row has the counts" grep -qF \
	'| data/prices.csv | id *(auto)* | 4 → 4 | +1 | −1 | 1 (33.3%) |' "$T/r1.md"
check "the changed value is shown old and new" \
	grep -qF '| 2 | price | 20 | 25 |' "$T/r1.md"
check "the compared commits are named" grep -qF \
	"\`$(printf %.7s "$BASE")\` (merge base with main) → \`$(printf %.7s "$H1")\`" "$T/r1.md"
check "the non-data file is not in the report" \
	test "$(grep -c readme "$T/r1.md")" -eq 0
check "the thread supports Markdown" test "$(our_threads 1 |
	jq '.[0].properties["Microsoft.TeamFoundation.Discussion.SupportsMarkdown"]["$value"]')" = 1
thread=$(our_threads 1 | jq '.[0].id')

# a new push: iteration 2, the same comment edited in place
fx_push "$T/ado" "$REPO" 1 2 "$B" "$H2T" "$H2" "$BASE" "$BASE"
ado_event "$T/push.json" updated "$H2" "$BASE"
code=$(post "$T/push.json")
check "push: 202" test "$code" = 202
check "a second final status" wait_final 1 2
check "still exactly one report thread" test "$(our_threads 1 | jq length)" -eq 1
check "the same thread" test "$(our_threads 1 | jq '.[0].id')" = "$thread"
report 1 >"$T/r2.md"
check "its comment shows the new push" grep -qF \
	'| data/prices.csv | id *(auto)* | 4 → 5 | +2 | −1 | 2 (66.7%) |' "$T/r2.md"
check "edited with one PATCH" \
	test "$(requests_matching "^PATCH .*/threads/$thread/comments/1")" -eq 1
check "created with one POST" test "$(requests_matching '^POST .*/threads\?')" -eq 1
check "the status names iteration 2" \
	test "$(fx_statuses "$REPO" 1 | jq '.[-1].iterationId')" = 2

# a vote: the same commit pair, nothing new anywhere
before=$(fx_requests | jq length)
ado_event "$T/vote.json" updated "$H2" "$BASE"
code=$(post "$T/vote.json")
check "vote: 200 ignored" test "$code" = 200
sleep 1
check "vote: no request to Azure DevOps" test "$(fx_requests | jq length)" -eq "$before"
check "no secret in the daemon's log" test "$(grep -c test-pat "$T/log")" -eq 0
dd_stop
check "exit 0" test $? -eq 0
finish
