#!/bin/sh
# send-hook.sh: post a saved Azure DevOps service-hook payload to a running
# datadiffd, the way the service does (POST, JSON, HTTP Basic auth), and
# show what the daemon answered.
#
# The password never reaches a command line (ps(1) shows every process's
# argv to every user): curl reads it from a config on file descriptor 3 (a
# here-document); HOOK_PASSWORD, when used, is unset before curl runs.
set -u

# shellcheck disable=SC2034 # read by hook-common.sh
PROG=send-hook
# shellcheck source=scripts/hook-common.sh
. "$(dirname "$0")/hook-common.sh"

usage() {
	cat <<'EOF'
usage: send-hook.sh [-u USER] [-p PASSWORD_FILE] DAEMON_URL PAYLOAD.json

Post PAYLOAD.json ("-": standard input), a saved service-hook delivery,
to DAEMON_URL, the daemon's full hook URL, e.g.
  send-hook.sh -p /etc/datadiffd/hook-password \
      http://127.0.0.1:8080/hooks/azure-devops tests/data/events/created.json
with Content-Type "application/json; charset=utf-8" and HTTP Basic auth.
Prints "HTTP STATUS", then the daemon's answer (pretty-printed when JSON).

  -u USER           the user name (default: $HOOK_USER, else ado)
  -p PASSWORD_FILE  file holding the password; without -p the password is
                    $HOOK_PASSWORD, else the content of $HOOK_PASSWORD_FILE,
                    else of /etc/datadiffd/hook-password

DAEMON_URL must be https, or plain http to a loopback host (the password
would otherwise cross the network in clear).

Exit status: 0 for a 2xx answer, 1 for any other answer or failure,
2 for bad usage.
EOF
}

# ---- main ----

unset secret auth_conf
case ${1:-} in
--help)
	usage
	exit 0
	;;
esac
user=${HOOK_USER:-ado}
password_file=
while getopts hu:p: opt; do
	case $opt in
	h)
		usage
		exit 0
		;;
	u) user=$OPTARG ;;
	p) password_file=$OPTARG ;;
	*)
		usage >&2
		exit 2
		;;
	esac
done
shift $((OPTIND - 1))
if [ $# -ne 2 ]; then
	usage >&2
	exit 2
fi
url=$1
payload=$2

case $url in
*[[:space:][:cntrl:]]*) die "the daemon URL '$url' holds white space" ;;
https://*) scheme=https ;;
http://*) scheme=http ;;
*) die "the daemon URL '$url' is not an http:// or https:// URL" ;;
esac
host=$(url_host "$url") ||
	die "the daemon URL '$url' has no host (or has user info: use -u and -p)"
if [ "$scheme" = http ] && ! is_loopback "$host"; then
	die "refusing to send the password over plain http to '$host': use https (plain http is for loopback only)"
fi
case $user in
'' | *:* | *[[:cntrl:]]*)
	die "the user name '$user' is empty or holds ':' or a control character"
	;;
esac
if [ "$payload" != - ] && { [ ! -f "$payload" ] || [ ! -r "$payload" ]; }; then
	die "cannot read the payload '$payload'"
fi
command -v curl >/dev/null 2>&1 || die "curl is required"

if [ -n "$password_file" ]; then
	load_secret password "$password_file"
elif [ -n "${HOOK_PASSWORD:-}" ]; then
	secret=$HOOK_PASSWORD
	clean_secret "password in HOOK_PASSWORD"
else
	load_secret password "${HOOK_PASSWORD_FILE:-/etc/datadiffd/hook-password}"
fi
auth_conf=$(printf '%s:%s' "$user" "$secret" |
	sed -e 's/\\/\\\\/g' -e 's/"/\\"/g')
unset secret HOOK_PASSWORD

out=$(curl --config /dev/fd/3 -sS --proto '=http,https' --connect-timeout 10 \
	--max-time 60 -X POST \
	-H 'Content-Type: application/json; charset=utf-8' \
	--data-binary "@$payload" -w "${NL}%{http_code}" --url "$url" 3<<EOF
user = "$auth_conf"
EOF
) || die "cannot post to $url"
status=${out##*"$NL"}
body=${out%"$NL"*}

printf 'HTTP %s\n' "$status"
if [ -n "$body" ]; then
	if command -v jq >/dev/null 2>&1 &&
		printf '%s\n' "$body" | jq -e . >/dev/null 2>&1; then
		printf '%s\n' "$body" | jq .
	else
		printf '%s\n' "$body"
	fi
fi
case $status in
2??) exit 0 ;;
*) exit 1 ;;
esac
