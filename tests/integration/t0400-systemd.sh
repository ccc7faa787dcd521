#!/bin/sh
# The systemd protocol: READY=1 once listening, STATUS=, WATCHDOG=1 when
# WatchdogSec= is set, RELOADING=1 ... READY=1 around SIGHUP, STOPPING=1
# on SIGTERM; and socket activation.
. "$(dirname "$0")/lib.sh"

dd_config
"$BUILD/notify-sink" "$T/notify.sock" "$T/notify" &
SINK=$!
PIDS="$PIDS $SINK"
wait_for 5 test -S "$T/notify.sock"
dd_start NOTIFY_SOCKET="$T/notify.sock" WATCHDOG_USEC=200000 || exit 1
check "READY=1 is sent" wait_for 5 grep -q '^READY=1' "$T/notify"
check "it is ready when it says so: /readyz 200" sh -c "
	[ \$(curl -s -o /dev/null -w '%{http_code}' $DD_URL/readyz) = 200 ]"
check "STATUS= reports the queue" wait_for 5 grep -q '^STATUS=0 waiting, 0 running' "$T/notify"
check "WATCHDOG=1 pings come from the main loop" \
	wait_for 5 sh -c "[ \$(grep -c '^WATCHDOG=1' $T/notify) -ge 3 ]"
kill -HUP "$DD_PID"
check "SIGHUP: RELOADING=1 then READY=1" wait_for 5 sh -c "
	grep -n '' $T/notify | grep -A100 'RELOADING=1' | grep -q ':READY=1'"
dd_stop
check "SIGTERM: STOPPING=1" grep -q '^STOPPING=1' "$T/notify"
kill -TERM "$SINK"

# socket activation: systemd-socket-activate passes the listening socket
# activate HOST: start the daemon on a passed socket bound to HOST and a
# free port; sets DD_PID and port
activate() {
	port=0
	for try in 1 2 3 4 5; do
		p=$(shuf -i 20000-60000 -n 1)
		systemd-socket-activate -l "$1:$p" \
			"$DATADIFFD" -c "$T/d.conf" >>"$T/log" 2>&1 &
		DD_PID=$!
		PIDS="$PIDS $DD_PID"
		if wait_for 3 sh -c "grep -q 'Listening on .*:$p' '$T/log'"; then
			port=$p
			return 0
		fi
		kill "$DD_PID" 2>/dev/null
	done
	return 1
}
if command -v systemd-socket-activate >/dev/null 2>&1; then
	: >"$T/log"
	activate 127.0.0.1
	DD_URL="http://127.0.0.1:$port"
	code=$(post "$EVENTS/git-push.json")
	check "socket activation: the first request starts and is served" \
		test "$code" = 200
	check "socket activation: the daemon used the passed socket" \
		grep -q "listening on 127.0.0.1:$port (socket activation)" "$T/log"
	kill -TERM "$DD_PID"
	wait "$DD_PID"
	check "socket activation: exit 0" test $? -eq 0

	# allow_unauthenticated holds for a loopback socket only: the listen
	# line says 127.0.0.1, but the socket passed listens on every address
	dd_config '[server]' 'allow_unauthenticated = yes'
	activate 0.0.0.0
	code=$(curl -s -o /dev/null -w '%{http_code}' \
		-H 'Content-Type: application/json' \
		--data-binary "@$EVENTS/git-push.json" \
		"http://127.0.0.1:$port/hooks/azure-devops")
	check "a wildcard socket: no auth is still 401" test "$code" = 401
	check "a wildcard socket: the setting is said to be ignored" \
		grep -qF 'allow_unauthenticated is ignored' "$T/log"
	kill -TERM "$DD_PID"
	wait "$DD_PID"
	: >"$T/log"
	activate 127.0.0.1
	code=$(curl -s -o /dev/null -w '%{http_code}' \
		-H 'Content-Type: application/json' \
		--data-binary "@$EVENTS/git-push.json" \
		"http://127.0.0.1:$port/hooks/azure-devops")
	check "a loopback socket: allow_unauthenticated lets it in" \
		test "$code" = 200
	kill -TERM "$DD_PID"
	wait "$DD_PID"
else
	echo "# systemd-socket-activate not installed: socket activation not tested"
fi
finish
