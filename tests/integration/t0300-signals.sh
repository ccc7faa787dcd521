#!/bin/sh
# SIGTERM lets a running job finish, then exits 0; SIGHUP re-reads the
# configuration, and a broken file keeps the running one.
. "$(dirname "$0")/lib.sh"

dd_config
dd_start DATADIFFD_JOB_STUB=1500 || exit 1
code=$(post "$EVENTS/created.json")
wait_for 10 grep -q 'pull request 1 started' "$T/log"
dd_stop
rc=$?
check "SIGTERM during a job: exit 0" test "$rc" -eq 0
check "the running job finished first" grep -q 'pull request 1 done' "$T/log"
check "nothing left on the spool" sh -c "! ls $T/state/queue/ | grep -q ."

: >"$T/log"
dd_start DATADIFFD_JOB_STUB=10 || exit 1
cp "$T/d.conf" "$T/good.conf"
printf '[queue]\nworkers = lots\n' >>"$T/d.conf"
kill -HUP "$DD_PID"
check "SIGHUP with a broken file: the errors are logged" \
	wait_for 5 grep -q "d.conf:.*workers: 'lots' is not a whole number" "$T/log"
check "...and the running configuration is kept" \
	grep -q "keeping the running configuration" "$T/log"
code=$(post "$EVENTS/updated-push.json")
check "it keeps serving: 202" test "$code" = 202

cp "$T/good.conf" "$T/d.conf"
printf '[server]\nhook_path = /hooks/v2\n' >>"$T/d.conf"
kill -HUP "$DD_PID"
check "SIGHUP with a good file: loaded" \
	wait_for 5 grep -q "reload: configuration '.*' loaded" "$T/log"
code=$(curl -s -o /dev/null -w '%{http_code}' -u ado:hook-secret \
	--data-binary @"$EVENTS/git-push.json" "$DD_URL/hooks/v2")
check "the new hook path answers" test "$code" = 200
code=$(post "$EVENTS/git-push.json")
check "the old one is gone: 404" test "$code" = 404
check "the process never restarted" \
	test "$(grep -c 'listening on' "$T/log")" -eq 1
dd_stop
check "exit 0" test $? -eq 0
finish
