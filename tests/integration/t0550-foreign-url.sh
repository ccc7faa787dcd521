#!/bin/sh
# Nothing is ever sent to a host that is not a configured organization:
# neither for an event from another organization, nor when a payload's
# URLs point elsewhere.
. "$(dirname "$0")/lib.sh"

B=$T/tree-base
H=$T/tree-head
mkdir -p "$B/data" "$H/data"
printf 'id,v\n1,a\n' >"$B/data/t.csv"
printf 'id,v\n1,b\n' >"$H/data/t.csv"
BASE=$(sha 50)
HEAD=$(sha 51)

# the "evil" server: a second fake, organization "evil"
mkdir -p "$T/evil"
fx_init "$T/evil/ado"
printf 'x\n' >"$T/evil/pat"
fx_start "$BUILD" "$T/evil/ado" evil "$T/evil/pat" "$T/evil" || exit 1
EVIL_CONTROL=$FX_CONTROL
EVIL_ORG=$FX_ORG_URL
PIDS="$PIDS $FX_PID"

ado_start || exit 1
dd_config
fx_push "$T/ado" "$REPO" 1 1 "$B" "$H" "$HEAD" "$BASE" "$BASE"
dd_start || exit 1

ado_event "$T/e.json" created "$HEAD" "$BASE"
jq --arg evil "$EVIL_ORG/" '.resourceContainers |= map_values(.baseUrl = $evil)
	| .resource.url = ($evil + "x/_apis/git/repositories/r/pullRequests/1")' \
	"$T/e.json" >"$T/foreign.json"
code=$(post "$T/foreign.json")
check "an event from an unconfigured organization: 403" test "$code" = 403

# our organization in baseUrl, but every other URL in the payload evil
jq --arg evil "$EVIL_ORG/$PROJECT/_apis/git/repositories/$REPO" '
	.resource.url = ($evil + "/pullRequests/1")
	| .resource.repository.url = $evil
	| .resource._links.web.href = $evil
	| .resource.lastMergeSourceCommit.url = $evil' "$T/e.json" >"$T/mixed.json"
code=$(post "$T/mixed.json")
check "baseUrl ours, other URLs elsewhere: 202" test "$code" = 202
check "the job ran against the configured organization" wait_final 1 1
check "the evil server never saw a request" \
	test "$(curl -s "$EVIL_CONTROL/requests" | jq length)" -eq 0
check "the PAT only ever went to the configured fake (all requests authorized)" \
	test "$(fx_requests | jq '[.[] | select(.auth != "ok")] | length')" -eq 0
dd_stop
finish
