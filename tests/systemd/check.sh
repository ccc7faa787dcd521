#!/bin/sh
# Check the systemd units: `systemd-analyze verify` clean and the exposure
# of `systemd-analyze security --offline=yes` at most 1.5. Prints
# "systemd: N passed, N failed"; skipped (with a note) without
# systemd-analyze.
set -u
BUILD=${1:-build}
cd "$(dirname "$0")/../.."
case "$BUILD" in
/*) ;;
*) BUILD="$PWD/$BUILD" ;;
esac
if ! command -v systemd-analyze >/dev/null 2>&1; then
	echo "systemd: systemd-analyze not installed, units not checked"
	echo "systemd: 0 passed, 0 failed"
	exit 0
fi
T=$(mktemp -d "${TMPDIR:-/tmp}/datadiffd-units.XXXXXX")
trap 'rm -rf "$T"' EXIT
passed=0
failed=0
result() {
	if [ "$1" -eq 0 ]; then
		passed=$((passed + 1))
		echo "  ok - $2"
	else
		failed=$((failed + 1))
		echo "  not ok - $2"
		sed 's/^/    /' "$T/out" | head -n 20
	fi
}
sed -e "s|@SBINDIR@|$BUILD|g" -e "s|@SYSCONFDIR@|/etc|g" \
	-e "s|@DOCDIR@|/usr/share/doc/datadiffd|g" \
	systemd/datadiffd.service >"$T/datadiffd.service"
cp systemd/datadiffd.socket "$T/datadiffd.socket"
systemd-analyze verify "$T/datadiffd.service" "$T/datadiffd.socket" \
	>"$T/out" 2>&1
result $? "systemd-analyze verify: clean"
systemd-analyze security --offline=yes "$T/datadiffd.service" >"$T/out" 2>&1
level=$(sed -n 's/.*Overall exposure level for datadiffd.service: \([0-9.]*\).*/\1/p' "$T/out")
awk -v l="${level:-99}" 'BEGIN { exit !(l <= 1.5) }'
result $? "systemd-analyze security: exposure ${level:-?} <= 1.5"
echo "systemd: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
