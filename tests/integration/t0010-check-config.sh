#!/bin/sh
# --check-config prints "configuration OK" or every error with its line,
# and exits 0 or 1; a start with a broken file refuses to run.
. "$(dirname "$0")/lib.sh"

dd_config
out=$("$DATADIFFD" --check-config -c "$T/d.conf" 2>&1)
rc=$?
check "a good file: configuration OK, exit 0" \
	test "$rc" -eq 0 -a "$out" = "configuration OK"

dd_config '[queue]' 'workers = 0' '[servr]' 'x = 1' '[diff]' 'fail_on = typo'
out=$("$DATADIFFD" --check-config -c "$T/d.conf" 2>&1)
rc=$?
check "a bad file: exit 1" test "$rc" -eq 1
check "every error with its line" sh -c "
	echo '$out' | grep -qx '$T/d.conf:10: workers: 0 is out of range (1 to 64)' &&
	echo '$out' | grep -qF '$T/d.conf:11: unknown section' &&
	echo '$out' | grep -qF '$T/d.conf:14: fail_on: unknown condition'"

dd_config
chmod 644 "$T/pat"
out=$("$DATADIFFD" --check-config -c "$T/d.conf" 2>&1)
rc=$?
check "a secret readable by others is refused, and how to fix it is said" \
	sh -c "[ $rc -eq 1 ] && echo '$out' | grep -qF 'chmod 600 $T/pat'"
check "the secret itself is never printed" sh -c "! echo '$out' | grep -q test-pat"

"$DATADIFFD" -c "$T/d.conf" >"$T/log" 2>&1
rc=$?
check "a start with a broken configuration exits 1 and says why" \
	sh -c "[ $rc -eq 1 ] && grep -q 'not starting' $T/log"

# the spool's parts are checked too: a start would fail on them
dd_config
mkdir -p "$T/state/queue" "$T/state/done" "$T/state/work"
rm -rf "$T/state/failed"
: >"$T/state/failed"
"$DATADIFFD" --check-config -c "$T/d.conf" >"$T/out" 2>&1
rc=$?
check "state_dir/failed a file: exit 1, named" sh -c "[ $rc -eq 1 ] &&
	grep -qF \"'$T/state/failed' is not a directory\" $T/out"
rm "$T/state/failed"
mkdir "$T/state/failed"
chmod 500 "$T/state/queue"
"$DATADIFFD" --check-config -c "$T/d.conf" >"$T/out" 2>&1
rc=$?
chmod 700 "$T/state/queue"
if [ "$(id -u)" -ne 0 ]; then
	check "state_dir/queue read-only: exit 1, named" sh -c "[ $rc -eq 1 ] &&
		grep -qF \"'$T/state/queue' is not writable\" $T/out"
fi
out=$("$DATADIFFD" --check-config -c "$T/d.conf" 2>&1)
check "all writable again: configuration OK" test "$out" = "configuration OK"

out=$("$DATADIFFD" --check-config -c "$T/nonexistent.conf" 2>&1)
rc=$?
check "a missing file: exit 1 with the reason" \
	sh -c "[ $rc -eq 1 ] && echo '$out' | grep -q 'No such file'"
finish
