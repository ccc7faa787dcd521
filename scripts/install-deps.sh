#!/bin/sh
# Install the Debian 12 packages datadiffd needs to build, test and fuzz
# (with --bench: also what scripts/bench.sh measures with).
# Idempotent: prints nothing and changes nothing when all are present.
set -eu

PACKAGES="
build-essential
pkg-config
libmicrohttpd-dev
libcurl4-openssl-dev
libcjson-dev
libsystemd-dev
libinih-dev
libxxhash-dev
libcmocka-dev
clang
libclang-rt-14-dev
curl
ca-certificates
jq
git
"
if [ "${1:-}" = "--bench" ]; then
	PACKAGES="$PACKAGES time wrk"
	# a Node.js that is already there (NodeSource ships npm inside it)
	# conflicts with Debian's npm package: add them only when missing
	command -v node >/dev/null 2>&1 || PACKAGES="$PACKAGES nodejs"
	command -v npm >/dev/null 2>&1 || PACKAGES="$PACKAGES npm"
fi

missing=""
for p in $PACKAGES; do
	if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null |
	    grep -q 'install ok installed'; then
		missing="$missing $p"
	fi
done
[ -z "$missing" ] && exit 0

echo "install-deps: installing:$missing"
SUDO=""
if [ "$(id -u)" -ne 0 ]; then
	SUDO="sudo"
fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
# shellcheck disable=SC2086
$SUDO apt-get install -y -qq --no-install-recommends $missing >/dev/null
