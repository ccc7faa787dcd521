# shellcheck shell=sh
# hook-common.sh: the helpers register-hook.sh and send-hook.sh share,
# sourced by both after they set PROG. POSIX sh.

NL='
'
CR=$(printf '\r')

die() {
	printf '%s: %s\n' "$PROG" "$*" >&2
	exit 1
}

warn() {
	printf '%s: warning: %s\n' "$PROG" "$*" >&2
}

# lower STRING: ASCII lowercase
lower() {
	printf '%s' "$1" | tr 'ABCDEFGHIJKLMNOPQRSTUVWXYZ' \
		'abcdefghijklmnopqrstuvwxyz'
}

# url_host URL: print the host of an http(s) URL ("[::1]" for IPv6);
# fails for user info in the URL or an empty host
url_host() {
	_rest=${1#*://}
	_authority=${_rest%%[/?#]*}
	case $_authority in
	'' | *@*) return 1 ;;
	\[*\]*) _host=${_authority%%\]*}\] ;;
	*) _host=${_authority%%:*} ;;
	esac
	[ -n "$_host" ] || return 1
	printf '%s\n' "$_host"
}

# is_loopback HOST: localhost, 127.x.y.z or [::1]
is_loopback() {
	case $(lower "$1") in
	localhost | \[::1\]) return 0 ;;
	127.*[!0-9.]*) return 1 ;;
	127.*) return 0 ;;
	esac
	return 1
}

# clean_secret WHAT: $secret without trailing CR/LF; it must be non-empty,
# without control characters
clean_secret() {
	while :; do
		case $secret in
		*"$NL") secret=${secret%"$NL"} ;;
		*"$CR") secret=${secret%"$CR"} ;;
		*) break ;;
		esac
	done
	[ -n "$secret" ] || die "the $1 is empty"
	case $secret in
	*[[:cntrl:]]*) die "the $1 holds control characters" ;;
	esac
}

# load_secret WHAT FILE: the file's content into $secret
load_secret() {
	if [ ! -f "$2" ] || [ ! -r "$2" ]; then
		die "cannot read the $1 file '$2'"
	fi
	secret=$(cat -- "$2") || die "cannot read the $1 file '$2'"
	clean_secret "$1 in '$2'"
}

# conf_quote: stdin as the inside of a double-quoted curl config value
conf_quote() {
	sed -e 's/\\/\\\\/g' -e 's/"/\\"/g'
}
