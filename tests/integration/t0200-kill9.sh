#!/bin/sh
# kill -9 right after a 202: after a restart the job runs, exactly once.
. "$(dirname "$0")/lib.sh"

dd_config
dd_start DATADIFFD_JOB_STUB=3000 || exit 1
code=$(post "$EVENTS/created.json")
check "the event is accepted" test "$code" = 202
kill -KILL "$DD_PID"
wait "$DD_PID" 2>/dev/null
check "the job is on the spool after the kill" \
	sh -c "ls $T/state/queue/*.job >/dev/null 2>&1"
check "it did not finish before the kill" \
	test "$(count_log 'stub run for pull request 1 ')" -eq 0

dd_start DATADIFFD_JOB_STUB=10 || exit 1
check "after the restart it runs" \
	wait_for 10 grep -q 'stub run for pull request 1 ' "$T/log"
wait_for 5 sh -c "! ls $T/state/queue/*.job >/dev/null 2>&1"
dd_stop
check "exactly once" test "$(count_log 'stub run for pull request 1 ')" -eq 1
check "its commit pair is recorded" \
	sh -c "grep -q '^53d54ac915144006c2c9e90d2c7d3880920db49c a511f535b1ea495ee0c903badb68fbc83772c882' $T/state/done/*"

dd_start DATADIFFD_JOB_STUB=10 || exit 1
sleep 0.5
dd_stop
check "another restart does not run it again" \
	test "$(count_log 'stub run for pull request 1 ')" -eq 1
finish
