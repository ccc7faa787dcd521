#!/bin/sh
# The daemon starts, serves /healthz, and stops with exit status 0.
. "$(dirname "$0")/lib.sh"

dd_config
check "starts and logs where it listens" dd_start
check "GET /healthz answers 200 ok" \
	sh -c "[ \"\$(curl -s $DD_URL/healthz)\" = ok ]"
check "GET /readyz answers 200 once workers run" \
	sh -c "curl -sf $DD_URL/readyz | grep -qx ready"
check "the spool layout is created" \
	test -d "$T/state/queue" -a -d "$T/state/done" -a -d "$T/state/failed"
dd_stop
rc=$?
check "SIGTERM: exit status 0" test "$rc" -eq 0
check "SIGTERM: an orderly stop is logged" grep -q "datadiffd: stopped" "$T/log"
check "no secret in the log" sh -c "! grep -q -e hook-secret -e test-pat $T/log"
finish
