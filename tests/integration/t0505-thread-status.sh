#!/bin/sh
# The report thread's status (thread_status): active by default; a thread
# a reviewer resolved stays resolved over a push that changes no data and
# opens again when the data diff changes. With closed, the thread is
# created closed and datadiffd never changes its status.
. "$(dirname "$0")/lib.sh"

B=$T/tree-base
H1T=$T/tree-head1
H2T=$T/tree-head2
H3T=$T/tree-head3
for d in "$B" "$H1T" "$H2T" "$H3T"; do
	mkdir -p "$d/data" "$d/docs"
done
printf 'id,v\n1,a\n2,b\n' >"$B/data/t.csv"
printf 'id,v\n1,a\n2,c\n' >"$H1T/data/t.csv"
cp "$H1T/data/t.csv" "$H2T/data/t.csv" # the same data, a docs change
printf 'id,v\n1,a\n2,d\n3,e\n' >"$H3T/data/t.csv"
printf 'one\n' >"$B/docs/n.md"
cp "$B/docs/n.md" "$H1T/docs/n.md"
printf 'two\n' >"$H2T/docs/n.md"
cp "$H2T/docs/n.md" "$H3T/docs/n.md"
BASE=$(sha 70)

# thread_status PR: the status of our report thread ("" when unknown)
thread_status() {
	our_threads "$1" | jq -r '.[0].status // ""'
}

# our_patches PR THREAD: PATCH requests of the daemon on the thread itself
our_patches() {
	fx_requests | jq --arg p "/pullRequests/$1/threads/$2" \
		'[.[] | select(.method == "PATCH" and (.path | endswith($p))
			and .auth != "member")] | length'
}

# member_sets PR THREAD STATUS: a reviewer sets the thread's status
member_sets() {
	fx_member_curl -sS -f --max-time 10 -o /dev/null -X PATCH \
		-H 'Content-Type: application/json' \
		--data-binary "{\"status\":\"$3\"}" \
		"$FX_ORG_URL/_apis/git/repositories/$REPO/pullRequests/$1/threads/$2?api-version=7.1"
}

# push PR ITERATION TREE SHA: a push and its hook; wait for its status
push() {
	fx_push "$T/ado" "$REPO" "$1" "$2" "$B" "$3" "$4" "$BASE" "$BASE"
	ado_event "$T/e.json" "$([ "$2" = 1 ] && echo created || echo updated)" \
		"$4" "$BASE" "$1"
	[ "$(post "$T/e.json")" = 202 ] && wait_final "$1" "$2"
}

printf 'member-token-%s\n' "$$" >"$T/member-pat"
chmod 600 "$T/member-pat"
FX_MEMBER_PAT_FILE=$T/member-pat
ado_start || exit 1
dd_config
dd_start || exit 1

# ---- active (the default) ----
check "created: a report" push 1 1 "$H1T" "$(sha 71)"
check "the thread is created active" test "$(thread_status 1)" = active
thread=$(our_threads 1 | jq '.[0].id')
check "a reviewer resolves it" member_sets 1 "$thread" fixed
check "a push that changes no data: reported" push 1 2 "$H2T" "$(sha 72)"
check "the comment names the new head" grep -qF "\`$(sha 72 | cut -c1-7)\`" \
	"$(report 1 >"$T/r2.md" && echo "$T/r2.md")"
check "the thread stays resolved" test "$(thread_status 1)" = fixed
check "its status is not touched" test "$(our_patches 1 "$thread")" -eq 0
check "a push that changes the data: reported" push 1 3 "$H3T" "$(sha 73)"
check "the thread is active again" test "$(thread_status 1)" = active
check "with one PATCH of its status" test "$(our_patches 1 "$thread")" -eq 1
check "the reopening is logged" test "$(count_log \
	"report thread $thread updated and reopened: the data diff changed")" -eq 1
check "still one thread" test "$(our_threads 1 | jq length)" -eq 1

# ---- closed ----
dd_stop
dd_config '[diff]' 'thread_status = closed'
dd_start || exit 1
check "created (closed): a report" push 2 1 "$H1T" "$(sha 81)"
check "the thread is created closed" test "$(thread_status 2)" = closed
thread=$(our_threads 2 | jq '.[0].id')
check "a reviewer opens it to discuss" member_sets 2 "$thread" active
check "a push that changes the data: reported" push 2 2 "$H3T" "$(sha 83)"
check "the thread keeps the reviewer's status" test "$(thread_status 2)" = active
check "datadiffd never PATCHed it" test "$(our_patches 2 "$thread")" -eq 0
dd_stop
check "exit 0" test $? -eq 0
finish
