#!/bin/sh
# Run every unit test binary in BUILD/tests; print "unit: N passed, N failed"
# over all of them (each binary prints its own line too).
set -u
BUILD=${1:-build}
passed=0
failed=0
bad=""
for t in "$BUILD"/tests/test_*; do
	[ -x "$t" ] || continue
	out=$("$t" 2>&1)
	rc=$?
	printf '%s\n' "$out" | grep -E '^(seed:|\[  FAILED|\[  ERROR|.*: [0-9]+ passed, [0-9]+ failed$)' | sed 's/^/  /'
	line=$(printf '%s\n' "$out" | grep -E ': [0-9]+ passed, [0-9]+ failed$' | tail -n 1)
	p=$(printf '%s\n' "$line" | sed -E 's/.*: ([0-9]+) passed, ([0-9]+) failed$/\1/')
	f=$(printf '%s\n' "$line" | sed -E 's/.*: ([0-9]+) passed, ([0-9]+) failed$/\2/')
	if [ -z "$line" ] || [ "$rc" -ne 0 ]; then
		[ -n "$line" ] || { p=0; f=1; }
		[ "$f" -gt 0 ] || f=1
		bad="$bad $(basename "$t")"
		printf '%s\n' "$out" | tail -n 30 | sed 's/^/    /'
	fi
	passed=$((passed + p))
	failed=$((failed + f))
done
[ -z "$bad" ] || echo "unit: failing:$bad"
echo "unit: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
