# lib.sh: shared helpers of the integration tests (sourced by tNNNN-*.sh).
#
# Each test script starts the real build/datadiffd (and, where it needs
# one, the fake Azure DevOps) on free loopback ports in its own temporary
# directory, checks what the daemon answers, logs and writes, and stops
# everything it started. A check prints "ok - NAME" or "not ok - NAME";
# run.sh counts them.

set -u
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
BUILD=${BUILD:-build}
case "$BUILD" in
/*) ;;
*) BUILD="$ROOT/$BUILD" ;;
esac
DATADIFFD="$BUILD/datadiffd"
EVENTS="$ROOT/tests/data/events"
T=$(mktemp -d "${TMPDIR:-/tmp}/datadiffd-it.XXXXXX")
PIDS=""
FAILED=0

cleanup() {
	for p in $PIDS; do
		kill -KILL "$p" 2>/dev/null
	done
	wait 2>/dev/null
	if [ "$FAILED" -eq 0 ] || [ -z "${KEEP_TMP:-}" ]; then
		rm -rf "$T"
	else
		echo "# kept $T"
	fi
}
trap cleanup EXIT
trap 'exit 1' INT TERM

ok() { echo "ok - $1"; }
not_ok() {
	echo "not ok - $1"
	FAILED=$((FAILED + 1))
	if [ -f "$T/log" ]; then
		tail -n 15 "$T/log" | sed 's/^/#   log: /'
	fi
}
# check NAME COMMAND...: ok when COMMAND succeeds
check() {
	name=$1
	shift
	if "$@"; then ok "$name"; else not_ok "$name"; fi
}
finish() {
	[ "$FAILED" -eq 0 ]
	exit $?
}

# wait_for SECONDS COMMAND...: poll until COMMAND succeeds
wait_for() {
	secs=$1
	shift
	i=0
	while [ "$i" -lt $((secs * 20)) ]; do
		if "$@" 2>/dev/null; then
			return 0
		fi
		sleep 0.05
		i=$((i + 1))
	done
	return 1
}

# dd_config [LINES...]: a configuration with secrets and a state dir in $T;
# extra lines are appended as given (sections and keys)
dd_config() {
	mkdir -p "$T/state"
	printf 'test-pat-%s\n' "$$" >"$T/pat"
	printf 'hook-secret\n' >"$T/pw"
	chmod 600 "$T/pat" "$T/pw"
	{
		printf '[server]\nlisten = 127.0.0.1:0\n'
		printf 'auth_password_file = %s\n' "$T/pw"
		printf '[azure-devops]\n'
		printf 'organization_url = %s\n' "${DD_ORG:-https://dev.azure.com/fabrikam}"
		printf 'pat_file = %s\n' "$T/pat"
		printf '[queue]\nstate_dir = %s\n' "$T/state"
		for line in "$@"; do
			printf '%s\n' "$line"
		done
	} >"$T/d.conf"
}

# dd_start [ENV=VALUE...]: start the daemon; sets DD_PID, DD_PORT, DD_URL
dd_start() {
	: >>"$T/log"
	# the log is kept across restarts: wait for this start's line
	before=$(grep -c "listening on" "$T/log")
	env "$@" "$DATADIFFD" -c "$T/d.conf" >>"$T/log" 2>&1 &
	DD_PID=$!
	PIDS="$PIDS $DD_PID"
	if ! wait_for 10 sh -c "[ \$(grep -c 'listening on' '$T/log') -gt $before ]"; then
		echo "# datadiffd did not start"
		tail -n 20 "$T/log" | sed 's/^/#   log: /'
		return 1
	fi
	DD_PORT=$(grep -o 'listening on [^ ,]*' "$T/log" | tail -n 1 |
		sed 's/.*://')
	DD_URL="http://127.0.0.1:$DD_PORT"
	return 0
}

# dd_stop: SIGTERM and wait; returns the daemon's exit status
dd_stop() {
	kill -TERM "$DD_PID" 2>/dev/null
	wait "$DD_PID"
}

# post FILE [CURL ARGS...]: POST the hook; prints the status code, the body
# goes to $T/resp and the headers to $T/head
post() {
	f=$1
	shift
	curl -s -o "$T/resp" -D "$T/head" -w '%{http_code}' \
		-u ado:hook-secret -H 'Content-Type: application/json' \
		--data-binary "@$f" "$@" "$DD_URL/hooks/azure-devops"
}

# event OUT [JQ FILTER]: a payload from the updated-push sample, edited
event() {
	out=$1
	filter=${2:-.}
	jq "$filter" "$EVENTS/updated-push.json" >"$out"
}

# sha N: a 40-hex commit id made from a number
sha() {
	printf '%040x' "$1"
}

# count_log PATTERN: lines of the log matching the fixed string
count_log() {
	grep -cF -- "$1" "$T/log"
}

# ---- Azure DevOps (the fake) ----
. "$ROOT/tests/fake-ado/fixture.sh"
REPO=4bc14d40-c903-45e2-872e-0462c7748079
PROJECT=6ce954b1-ce1f-45d1-b94d-e6bf2464ba2c

# ado_start: start the fake with fixtures in $T/ado and the PAT of
# dd_config (call dd_config after it: the daemon's organization is the
# fake's); sets FX_* of fixture.sh and DD_ORG
ado_start() {
	fx_init "$T/ado"
	printf 'test-pat-%s\n' "$$" >"$T/pat"
	chmod 600 "$T/pat"
	fx_start "$BUILD" "$T/ado" fabrikam "$T/pat" "$T" || return 1
	PIDS="$PIDS $FX_PID"
	DD_ORG=$FX_ORG_URL
}

# ado_event OUT TYPE SOURCE TARGET [PR]: a payload for the fake's
# organization (type created or updated)
ado_event() {
	jq --arg org "$FX_ORG_URL/" --arg type "git.pullrequest.$2" \
		--arg src "$3" --arg tgt "$4" --argjson pr "${5:-1}" \
		--arg url "$FX_ORG_URL/$PROJECT/_apis/git/repositories/$REPO/pullRequests/${5:-1}" '
		.eventType = $type
		| .resourceContainers |= map_values(.baseUrl = $org)
		| .resource.url = $url
		| .resource.pullRequestId = $pr
		| .resource.lastMergeSourceCommit.commitId = $src
		| .resource.lastMergeTargetCommit.commitId = $tgt' \
		"$EVENTS/created.json" >"$1"
}

# final_statuses PR: the number of statuses other than pending
final_statuses() {
	fx_statuses "$REPO" "${1:-1}" | jq 'map(select(.state != "pending")) | length'
}

# wait_final PR N: wait until PR has N final statuses
wait_final() {
	wait_for 30 sh -c "[ \"\$(curl -s -G --data-urlencode repo=$REPO --data-urlencode pr=$1 $FX_CONTROL/statuses | jq 'map(select(.state != \"pending\")) | length')\" -ge $2 ]"
}

# our_threads PR: our report threads (JSON array)
our_threads() {
	fx_threads "$REPO" "${1:-1}" | jq -c 'map(select(.properties["datadiffd.report"]))'
}

# report PR: the Markdown of our report
report() {
	fx_threads "$REPO" "${1:-1}" |
		jq -r 'map(select(.properties["datadiffd.report"])) | .[0].comments[0].content'
}

# last_status PR: the newest status, "state description"
last_status() {
	fx_statuses "$REPO" "${1:-1}" | jq -r '.[-1] | "\(.state) \(.description)"'
}

# requests_matching PATTERN: how many requests the fake saw whose
# "METHOD path?query" matches the extended regular expression
requests_matching() {
	fx_requests | jq -r '.[] | "\(.method) \(.path)?\(.query // "")"' |
		grep -cE -- "$1"
}
