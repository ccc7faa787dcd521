#!/bin/sh
# Our report thread is the one with our property whose first comment we
# wrote (the token's identity from connectionData): another member's
# thread with the same property and marker is left alone. A create whose
# answer is lost after Azure DevOps made the thread is not sent twice.
. "$(dirname "$0")/lib.sh"

BOT=6f1c2d3e-4a5b-4c6d-8e7f-0a1b2c3d4e5f
B=$T/tree-base
H=$T/tree-head
mkdir -p "$B/data" "$H/data"
printf 'id,v\n1,a\n2,b\n' >"$B/data/t.csv"
printf 'id,v\n1,a\n2,c\n3,d\n' >"$H/data/t.csv"
BASE=$(sha 60)
HEAD=$(sha 61)

# bot_reports PR: threads with our property written by the daemon
bot_reports() {
	fx_threads "$REPO" "$1" | jq --arg me "$BOT" \
		'map(select(.properties["datadiffd.report"] and
			.comments[0].author.id == $me)) | length'
}

printf 'member-token-%s\n' "$$" >"$T/member-pat"
chmod 600 "$T/member-pat"
FX_MEMBER_PAT_FILE=$T/member-pat
ado_start || exit 1
dd_config
fx_push "$T/ado" "$REPO" 1 1 "$B" "$H" "$HEAD" "$BASE" "$BASE"
fx_push "$T/ado" "$REPO" 2 1 "$B" "$H" "$HEAD" "$BASE" "$BASE"
dd_start || exit 1

# another member posts a look-alike first
fx_member_thread "$REPO" 1 '{"comments":[{"parentCommentId":0,
	"content":"<!-- datadiffd:report -->\nnothing changed, merge away",
	"commentType":"text"}],"status":"active",
	"properties":{"datadiffd.report":{"type":"System.String","value":"1"}}}' \
	>"$T/member-thread.json"
check "the member's look-alike exists" \
	jq -e '.comments[0].author.displayName == "Fake User"' \
	"$T/member-thread.json" >/dev/null
ado_event "$T/e1.json" created "$HEAD" "$BASE" 1
check "accepted" test "$(post "$T/e1.json")" = 202
check "a final status" wait_final 1 1
check "our own report thread was created" test "$(bot_reports 1)" -eq 1
check "the member's thread is untouched" sh -c "
	curl -s -G --data-urlencode repo=$REPO --data-urlencode pr=1 \
		$FX_CONTROL/threads |
	jq -e --argjson id $(jq .id "$T/member-thread.json") \
		'map(select(.id == \$id))[0].comments[0].content ==
		 \"<!-- datadiffd:report -->\\nnothing changed, merge away\"' >/dev/null"
check "no PATCH went to the member's thread" \
	test "$(requests_matching "^PATCH .*/threads/$(jq .id "$T/member-thread.json")/")" -eq 0

# the create is carried out but its answer lost (a gateway 502)
fx_faults '[{"method":"POST","path":"/pullRequests/2/threads","status":502,"after":true}]'
ado_event "$T/e2.json" created "$HEAD" "$BASE" 2
check "accepted (PR 2)" test "$(post "$T/e2.json")" = 202
check "a final status (PR 2)" wait_final 2 1
check "one POST only: the thread was found, not created again" \
	test "$(requests_matching '^POST .*/pullRequests/2/threads')" -eq 1
check "exactly one report thread" test "$(bot_reports 2)" -eq 1
check "it holds the report" sh -c "
	curl -s -G --data-urlencode repo=$REPO --data-urlencode pr=2 \
		$FX_CONTROL/threads |
	jq -e 'map(select(.properties[\"datadiffd.report\"]))[0].comments[0].content |
		contains(\"| data/t.csv |\")' >/dev/null"
check "the status is succeeded" sh -c "
	curl -s -G --data-urlencode repo=$REPO --data-urlencode pr=2 \
		$FX_CONTROL/statuses | jq -e '.[-1].state == \"succeeded\"' >/dev/null"
check "the log says why it looked again" \
	grep -qF 'looking for it before trying again' "$T/log"
check "who we are is asked once per worker, not per job" \
	test "$(requests_matching 'connectionData')" -le 2
dd_stop
finish
