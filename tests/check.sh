#!/bin/sh
# Run every test suite against the binaries in BUILD (default build/).
# Each suite prints its own "NAME: N passed, N failed" line; this script
# runs them all, then fails if any suite failed.
set -u
BUILD=${1:-build}
export BUILD
cd "$(dirname "$0")/.."

failed=""
run() {
	name=$1
	shift
	if ! "$@"; then
		failed="$failed $name"
	fi
}

run unit tests/unit/run.sh "$BUILD"
run fuzz-replay tests/fuzz/replay.sh "$BUILD"
run cli tests/cli/run.sh "$BUILD"
run fake-ado tests/fake-ado/selftest.sh "$BUILD"
run systemd tests/systemd/check.sh "$BUILD"
run integration tests/integration/run.sh "$BUILD"

if [ -n "$failed" ]; then
	echo "check: FAILED:$failed"
	exit 1
fi
echo "check: all suites passed"
