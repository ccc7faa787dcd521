#!/bin/sh
# Replay each fuzz target's seed corpus (tests/fuzz/corpus/TARGET) with the
# gcc-built standalone driver, so the targets never rot. Prints
# "fuzz-replay: N passed, N failed" (one test per corpus file).
set -u
BUILD=${1:-build}
cd "$(dirname "$0")/../.."
passed=0
failed=0
for t in "$BUILD"/fuzz/fuzz_*; do
	[ -x "$t" ] || continue
	name=$(basename "$t")
	dir=tests/fuzz/corpus/$name
	[ -d "$dir" ] || continue
	n=$(find "$dir" -type f | wc -l)
	if out=$("$t" "$dir" 2>&1); then
		echo "  $out"
		passed=$((passed + n))
	else
		printf '%s\n' "$out" | tail -n 20 | sed 's/^/    /'
		echo "  $name: FAILED"
		failed=$((failed + n))
	fi
done
echo "fuzz-replay: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
