#!/bin/sh
# demo.sh BUILD: see datadiffd work, end to end, on this machine.
#
# Starts the bundled fake Azure DevOps with a sample dbt repository and a
# pull request that edits its seeds (tests/data/demo: base -> head), starts
# the real datadiffd against it, sends the pull request's service hook,
# waits for the report thread and prints the Markdown it posted, then
# stops both. Everything runs on 127.0.0.1 in a temporary directory.
set -u
BUILD=${1:-build}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT" || exit 2
case "$BUILD" in
/*) ;;
*) BUILD="$ROOT/$BUILD" ;;
esac
. "$ROOT/tests/fake-ado/fixture.sh"

T=$(mktemp -d "${TMPDIR:-/tmp}/datadiffd-demo.XXXXXX")
DD_PID=
cleanup() {
	[ -n "$DD_PID" ] && kill -TERM "$DD_PID" 2>/dev/null && wait "$DD_PID"
	[ -n "${FX_PID:-}" ] && fx_stop
	rm -rf "$T"
}
trap cleanup EXIT
trap 'exit 1' INT TERM

say() { printf '\n\033[1m== %s\033[0m\n' "$*"; }
die() {
	echo "demo: $*" >&2
	[ -f "$T/datadiffd.log" ] && sed 's/^/  datadiffd: /' "$T/datadiffd.log" >&2
	exit 1
}

REPO=4bc14d40-c903-45e2-872e-0462c7748079
PROJECT=6ce954b1-ce1f-45d1-b94d-e6bf2464ba2c
BASE=a511f535b1ea495ee0c903badb68fbc83772c882
HEAD=53d54ac915144006c2c9e90d2c7d3880920db49c

say "A sample pull request on a fake Azure DevOps"
fx_init "$T/ado"
fx_push "$T/ado" "$REPO" 1 1 tests/data/demo/base tests/data/demo/head \
	"$HEAD" "$BASE" "$BASE" || die "cannot build the fixtures"
jq -r '.[] | "  \(.changeType)\t\(.item.path)"' \
	"$T/ado/prs/$REPO/1/changes/1.json"
printf 'demo-pat-%s\n' "$$" >"$T/pat"
printf 'demo-hook-password\n' >"$T/hook-password"
chmod 600 "$T/pat" "$T/hook-password"
fx_start "$BUILD" "$T/ado" fabrikam "$T/pat" "$T" || die "fake-ado did not start"
echo "  fake Azure DevOps organization: $FX_ORG_URL"

say "datadiffd, configured for that organization"
mkdir -p "$T/state"
cat >"$T/datadiffd.conf" <<CONF
[server]
listen = 127.0.0.1:0
auth_password_file = $T/hook-password
[azure-devops]
organization_url = $FX_ORG_URL
pat_file = $T/pat
[queue]
state_dir = $T/state
[diff]
fail_on = duplicate_keys, malformed
[rule "seeds/products.tsv"]
key = sku
CONF
sed 's/^/  /' "$T/datadiffd.conf"
: >"$T/datadiffd.log" # before the daemon, which starts in the background
"$BUILD/datadiffd" -c "$T/datadiffd.conf" >>"$T/datadiffd.log" 2>&1 &
DD_PID=$!
i=0
until grep -q 'listening on' "$T/datadiffd.log"; do
	i=$((i + 1))
	[ "$i" -le 100 ] || die "datadiffd did not start"
	sleep 0.1
done
PORT=$(grep -o 'listening on [^ ,]*' "$T/datadiffd.log" | sed 's/.*://')
HOOK=http://127.0.0.1:$PORT/hooks/azure-devops

say "The service hook Azure DevOps sends when the pull request is created"
jq --arg org "$FX_ORG_URL/" --arg url "$FX_ORG_URL/$PROJECT/_apis/git/repositories/$REPO/pullRequests/1" '
	.resourceContainers |= map_values(.baseUrl = $org)
	| .resource.url = $url' tests/data/events/created.json >"$T/hook.json"
curl -s -u ado:demo-hook-password -H 'Content-Type: application/json' \
	--data-binary @"$T/hook.json" -w '  -> HTTP %{http_code}\n' "$HOOK"

say "Waiting for the report"
i=0
until fx_statuses "$REPO" 1 2>/dev/null |
	jq -e 'map(select(.state != "pending")) | length > 0' >/dev/null; do
	i=$((i + 1))
	[ "$i" -le 300 ] || die "no final status after 30 s"
	sleep 0.1
done
grep -E '^(ingress|queue|job)' "$T/datadiffd.log" | sed 's/^/  /'

say "PR status posted (context datadiffd/data-diff)"
fx_statuses "$REPO" 1 | jq -r '.[] | "  \(.state)\t\(.description)"'

say "The report thread datadiffd posted into the pull request"
echo
fx_threads "$REPO" 1 | jq -r '
	map(select(.properties["datadiffd.report"])) | .[0].comments[0].content'
