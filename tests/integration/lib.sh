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
	env "$@" "$DATADIFFD" -c "$T/d.conf" >>"$T/log" 2>&1 &
	DD_PID=$!
	PIDS="$PIDS $DD_PID"
	if ! wait_for 10 grep -q "listening on" "$T/log"; then
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
