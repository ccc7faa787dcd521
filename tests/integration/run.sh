#!/bin/sh
# Run the integration tests (tests/integration/t[0-9]*.sh) against the
# binaries in BUILD and print "integration: N passed, N failed" (one test
# per "ok"/"not ok" line).
set -u
BUILD=${1:-build}
export BUILD
cd "$(dirname "$0")/../.."
passed=0
failed=0
for t in tests/integration/t[0-9]*.sh; do
	[ -f "$t" ] || continue
	if [ -n "${ONLY:-}" ] && ! echo "$t" | grep -q "$ONLY"; then
		continue
	fi
	echo "# $(basename "$t")"
	out=$(sh "$t" 2>&1)
	rc=$?
	printf '%s\n' "$out" | sed 's/^/  /'
	p=$(printf '%s\n' "$out" | grep -c '^ok - ')
	f=$(printf '%s\n' "$out" | grep -c '^not ok - ')
	if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then
		echo "  not ok - $(basename "$t") exited $rc"
		f=1
	fi
	passed=$((passed + p))
	failed=$((failed + f))
done
echo "integration: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
