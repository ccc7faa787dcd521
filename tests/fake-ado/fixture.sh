# fixture.sh: shell helpers to build fixtures for fake-ado and run it.
# POSIX sh, meant to be sourced:  . tests/fake-ado/fixture.sh
# Needs jq, and sha1sum (coreutils) for blob ids.
#
# Fixture layout (fake-ado re-reads it on every request, so a test may add
# a push while the server runs; files are written via a temporary file and
# mv, so the server never sees half a file):
#   DIR/blobs/<sha1>                               raw blob bytes
#   DIR/prs/<repo>/<pr>/iterations.json            array of iterations
#   DIR/prs/<repo>/<pr>/changes/<it>.json          array of change entries
#   DIR/prs/<repo>/<pr>/changes/<it>-<base>.json   same with $compareTo=base
#   DIR/prs/<repo>/<pr>/pr.json                    GitPullRequest (optional)
#
# Building:
#   fx_init DIR
#   fx_blob DIR FILE            copy FILE in under its git blob id; prints it
#   fx_blob_link DIR FILE       same, as a symbolic link (for huge files)
#   fx_blob_id FILE             print the git blob id of FILE
#   fx_iteration ID SOURCE TARGET COMMON [REASON]   print one iteration
#   fx_iterations DIR REPO PR JSON_ARRAY
#   fx_change TYPE PATH NEWID OLDID [ORIGINALPATH]  print one change entry
#   fx_changes DIR REPO PR ITERATION JSON_ARRAY [COMPARETO]
#   fx_pr DIR REPO PR JSON_OBJECT
# Running (call directly, not in $(...), so $FX_PID stays our child):
#   fx_start BUILD DIR ORG PATFILE WORKDIR [MEMBER_PATFILE]
#                                            sets FX_PID FX_PORT FX_URL
#                                            FX_ORG_URL FX_CONTROL
#                                            FX_MEMBER_PAT_FILE
#   fx_stop                                  SIGTERM, wait; its exit status
#   fx_faults JSON_ARRAY | fx_reset | fx_requests | fx_threads REPO PR |
#   fx_statuses REPO PR                      the /_fake control API
# Acting as the member, "Fake User" (another user of the organization, not
# the daemon; needs fx_start with a member PAT file):
#   fx_member_curl CURL_ARGS...              curl with the member's token
#   fx_member_thread REPO PR JSON            create a thread; print it

# fx_init DIR: an empty fixture directory
fx_init() {
	mkdir -p "$1/blobs" "$1/prs"
}

# fx_lower STRING: lowercase (repository ids are stored lowercase)
fx_lower() {
	printf '%s' "$1" | tr 'ABCDEFGHIJKLMNOPQRSTUVWXYZ' \
		'abcdefghijklmnopqrstuvwxyz'
}

# fx_pr_dir DIR REPO PR: the directory of a pull request's fixtures
fx_pr_dir() {
	printf '%s/prs/%s/%s' "$1" "$(fx_lower "$2")" "$3"
}

# fx_write FILE: stdin to FILE through a temporary file and mv
fx_write() {
	cat >"$1.tmp.$$" && mv -f "$1.tmp.$$" "$1"
}

# fx_blob_id FILE: sha1 of "blob <size>\0<content>", as git hash-object
fx_blob_id() {
	_fx_size=$(wc -c <"$1" | tr -d ' ') &&
	{ printf 'blob %s\000' "$_fx_size" && cat "$1"; } |
		sha1sum | cut -c1-40
}

# fx_blob DIR FILE: copy FILE into DIR/blobs under its blob id; print the id
fx_blob() {
	_fx_id=$(fx_blob_id "$2") &&
	mkdir -p "$1/blobs" &&
	cp -f "$2" "$1/blobs/$_fx_id.tmp.$$" &&
	mv -f "$1/blobs/$_fx_id.tmp.$$" "$1/blobs/$_fx_id" &&
	printf '%s\n' "$_fx_id"
}

# fx_blob_link DIR FILE: like fx_blob, as a symbolic link (no copy)
fx_blob_link() {
	_fx_id=$(fx_blob_id "$2") &&
	case $2 in
	/*) _fx_abs=$2 ;;
	*) _fx_abs=$(pwd)/$2 ;;
	esac &&
	mkdir -p "$1/blobs" &&
	ln -sf "$_fx_abs" "$1/blobs/$_fx_id" &&
	printf '%s\n' "$_fx_id"
}

# fx_iteration ID SOURCE TARGET COMMON [REASON]: one GitPullRequestIteration
# (REASON defaults to create for iteration 1, push after)
fx_iteration() {
	_fx_reason=${5:-}
	if [ -z "$_fx_reason" ]; then
		if [ "$1" = 1 ]; then _fx_reason=create; else _fx_reason=push; fi
	fi
	jq -nc --argjson id "$1" --arg s "$2" --arg t "$3" --arg c "$4" \
		--arg r "$_fx_reason" \
		--arg now "$(date -u +%Y-%m-%dT%H:%M:%S.000Z)" '{
		id: $id,
		description: "Iteration \($id)",
		author: {displayName: "Fake User",
			id: "2f7d6a3c-9b8e-4c1d-a0f5-6e4b3c2d1a09",
			uniqueName: "fake.user@fake-ado.example"},
		createdDate: $now, updatedDate: $now,
		sourceRefCommit: {commitId: $s},
		targetRefCommit: {commitId: $t},
		commonRefCommit: {commitId: $c},
		hasMoreCommits: false,
		reason: $r
	}'
}

# fx_iterations DIR REPO PR JSON_ARRAY: write iterations.json
fx_iterations() {
	_fx_d=$(fx_pr_dir "$1" "$2" "$3") &&
	mkdir -p "$_fx_d" &&
	printf '%s\n' "$4" | jq -c 'if type == "array" then . else
		error("fx_iterations: not a JSON array") end' |
		fx_write "$_fx_d/iterations.json"
}

# fx_change TYPE PATH NEWID OLDID [ORIGINALPATH]: one change entry as the
# service returns it; an empty NEWID (delete) or OLDID (add) is left out
fx_change() {
	jq -nc --arg type "$1" --arg path "$2" --arg new "$3" --arg old "$4" \
		--arg orig "${5:-}" '
		{item: ({path: $path}
			+ (if $new == "" then {} else {objectId: $new} end)
			+ (if $old == "" then {} else {originalObjectId: $old} end)),
		 changeType: $type}
		+ (if $orig == "" then {} else {originalPath: $orig} end)'
}

# fx_changes DIR REPO PR ITERATION JSON_ARRAY [COMPARETO]: write the change
# list of an iteration; entries without changeTrackingId/changeId get 1, 2..
fx_changes() {
	_fx_d=$(fx_pr_dir "$1" "$2" "$3")/changes &&
	_fx_f=$4.json &&
	if [ -n "${6:-}" ]; then _fx_f=$4-$6.json; fi &&
	mkdir -p "$_fx_d" &&
	printf '%s\n' "$5" | jq -c 'if type == "array" then . else
		error("fx_changes: not a JSON array") end
		| to_entries | map({changeTrackingId: (.key + 1),
			changeId: (.key + 1)} + .value)' |
		fx_write "$_fx_d/$_fx_f"
}

# fx_pr DIR REPO PR JSON_OBJECT: write pr.json
fx_pr() {
	_fx_d=$(fx_pr_dir "$1" "$2" "$3") &&
	mkdir -p "$_fx_d" &&
	printf '%s\n' "$4" | jq -c 'if type == "object" then . else
		error("fx_pr: not a JSON object") end' |
		fx_write "$_fx_d/pr.json"
}

# fx_alive PID: is PID running (and not a zombie awaiting wait)?
fx_alive() {
	_fx_st=$(sed 's/.*) //' "/proc/$1/stat" 2>/dev/null | cut -d' ' -f1)
	[ -n "$_fx_st" ] && [ "$_fx_st" != Z ] && [ "$_fx_st" != X ]
}

# fx_start BUILD DIR ORG PATFILE WORKDIR [MEMBER_PATFILE]: start
# BUILD/fake-ado in the background, wait (at most 20 s) for its port file.
# Requests with the token of PATFILE act as the daemon ("DataDiff Bot").
# MEMBER_PATFILE (default: $FX_MEMBER_PAT_FILE when set and not empty)
# holds a second token, of "Fake User", another member of the organization
# (fake-ado --member-pat): without one, that user's requests get 401.
# Sets FX_PID, FX_PORT, FX_URL (http://127.0.0.1:PORT), FX_ORG_URL
# (FX_URL/ORG), FX_CONTROL (FX_URL/_fake) and FX_MEMBER_PAT_FILE (the
# member PAT file in use, "" for none; later fx_start calls default to it
# too). Its stderr goes to WORKDIR/fake-ado.stderr, the request log to
# WORKDIR/fake-ado.requests.log.
fx_start() {
	_fx_pf=$5/fake-ado.port
	FX_MEMBER_PAT_FILE=${6:-${FX_MEMBER_PAT_FILE:-}}
	rm -f "$_fx_pf"
	"$1/fake-ado" --fixtures "$2" --org "$3" --pat-file "$4" \
		${FX_MEMBER_PAT_FILE:+--member-pat} \
		${FX_MEMBER_PAT_FILE:+"$FX_MEMBER_PAT_FILE"} \
		--listen 127.0.0.1:0 --port-file "$_fx_pf" \
		--log "$5/fake-ado.requests.log" 2>"$5/fake-ado.stderr" &
	FX_PID=$!
	_fx_i=0
	while [ ! -s "$_fx_pf" ]; do
		if ! fx_alive "$FX_PID"; then
			wait "$FX_PID"
			echo "fx_start: fake-ado exited early:" >&2
			cat "$5/fake-ado.stderr" >&2
			FX_PID=
			return 1
		fi
		_fx_i=$((_fx_i + 1))
		if [ "$_fx_i" -gt 200 ]; then
			echo "fx_start: no port file after 20 s" >&2
			kill -KILL "$FX_PID" 2>/dev/null
			FX_PID=
			return 1
		fi
		sleep 0.1
	done
	FX_PORT=$(cat "$_fx_pf")
	FX_URL=http://127.0.0.1:$FX_PORT
	# shellcheck disable=SC2034 # for the scripts that source this file
	FX_ORG_URL=$FX_URL/$3
	FX_CONTROL=$FX_URL/_fake
}

# fx_stop: SIGTERM fake-ado, wait at most 20 s, return its exit status
# (137 after a SIGKILL when it did not stop)
fx_stop() {
	[ -n "${FX_PID:-}" ] || return 1
	kill -TERM "$FX_PID" 2>/dev/null
	_fx_i=0
	while fx_alive "$FX_PID"; do
		_fx_i=$((_fx_i + 1))
		if [ "$_fx_i" -gt 200 ]; then
			echo "fx_stop: fake-ado ignored SIGTERM for 20 s" >&2
			kill -KILL "$FX_PID" 2>/dev/null
			break
		fi
		sleep 0.1
	done
	wait "$FX_PID"
	_fx_rc=$?
	FX_PID=
	return "$_fx_rc"
}

# the control API (needs fx_start first)
fx_faults() {
	curl -sS -f --max-time 10 -X POST -H 'Content-Type: application/json' \
		--data-binary "$1" "$FX_CONTROL/faults" >/dev/null
}
fx_reset() {
	curl -sS -f --max-time 10 -X POST "$FX_CONTROL/reset" >/dev/null
}
fx_requests() {
	curl -sS -f --max-time 10 "$FX_CONTROL/requests"
}
fx_threads() {
	curl -sS -f --max-time 10 -G --data-urlencode "repo=$1" \
		--data-urlencode "pr=$2" "$FX_CONTROL/threads"
}
fx_statuses() {
	curl -sS -f --max-time 10 -G --data-urlencode "repo=$1" \
		--data-urlencode "pr=$2" "$FX_CONTROL/statuses"
}

# fx_member_curl CURL_ARGS...: curl as the member: Basic auth with an empty
# user name and the token of $FX_MEMBER_PAT_FILE (its line break dropped,
# as fake-ado does), handed over in a config on fd 3 so it never shows on
# a command line
fx_member_curl() {
	if [ -z "${FX_MEMBER_PAT_FILE:-}" ]; then
		echo "fx_member_curl: fake-ado was started without a member PAT" >&2
		return 1
	fi
	_fx_tok=$(cat "$FX_MEMBER_PAT_FILE") || return 1
	_fx_tok=${_fx_tok%"$(printf '\r')"}
	_fx_tok=$(printf '%s' "$_fx_tok" | sed -e 's/\\/\\\\/g' -e 's/"/\\"/g')
	curl --config /dev/fd/3 "$@" 3<<EOF
user = ":$_fx_tok"
EOF
	_fx_rc=$?
	_fx_tok=
	return "$_fx_rc"
}

# fx_member_thread REPO PR JSON: create a thread (a GitPullRequestCommentThread
# body, as the daemon posts) on pull request PR of REPO as the member; print
# the thread the fake answers; fail unless it answers 2xx
fx_member_thread() {
	fx_member_curl -sS -f --max-time 10 -X POST \
		-H 'Content-Type: application/json' --data-binary "$3" \
		"$FX_ORG_URL/_apis/git/repositories/$1/pullRequests/$2/threads?api-version=7.1"
}

# fx_tree_changes DIR BASE_TREE HEAD_TREE: compare two directory trees and
# print the change entries (edit, add, delete) as a JSON array, storing
# every blob they name in DIR/blobs. Paths are "/" + the path in the tree.
fx_tree_changes() {
	{
		[ -d "$2" ] && (cd "$2" && find . -type f)
		[ -d "$3" ] && (cd "$3" && find . -type f)
	} | sed 's|^\./||' | LC_ALL=C sort -u | while IFS= read -r _fx_p; do
		if [ -f "$2/$_fx_p" ] && [ -f "$3/$_fx_p" ]; then
			cmp -s "$2/$_fx_p" "$3/$_fx_p" && continue
			_fx_old=$(fx_blob "$1" "$2/$_fx_p") &&
			_fx_new=$(fx_blob "$1" "$3/$_fx_p") &&
			fx_change edit "/$_fx_p" "$_fx_new" "$_fx_old"
		elif [ -f "$3/$_fx_p" ]; then
			_fx_new=$(fx_blob "$1" "$3/$_fx_p") &&
			fx_change add "/$_fx_p" "$_fx_new" ""
		else
			_fx_old=$(fx_blob "$1" "$2/$_fx_p") &&
			fx_change delete "/$_fx_p" "" "$_fx_old"
		fi
	done | jq -s -c .
}

# fx_push DIR REPO PR ITERATION BASE_TREE HEAD_TREE SOURCE TARGET COMMON:
# add iteration ITERATION (head SOURCE) whose changes against the merge
# base are BASE_TREE -> HEAD_TREE; earlier iterations stay
fx_push() {
	_fx_d=$(fx_pr_dir "$1" "$2" "$3")
	_fx_its='[]'
	[ -f "$_fx_d/iterations.json" ] && _fx_its=$(cat "$_fx_d/iterations.json")
	_fx_one=$(fx_iteration "$4" "$7" "$8" "$9") &&
	fx_changes "$1" "$2" "$3" "$4" "$(fx_tree_changes "$1" "$5" "$6")" &&
	fx_iterations "$1" "$2" "$3" \
		"$(printf '%s\n' "$_fx_its" | jq -c --argjson one "$_fx_one" \
			'map(select(.id != $one.id)) + [$one]')"
}
