#!/bin/sh
# scripts/register-hook.sh against the fake Azure DevOps (subscriptions
# created once, in the exact shape of ado-reference 8; secrets kept out of
# argv; a rejected PAT and a plain-http daemon URL refused), and
# scripts/send-hook.sh against the real daemon with stub jobs.
# shellcheck disable=SC2016 # jq filters are single-quoted on purpose
# shellcheck disable=SC2317 # the t_* functions run through check()
# shellcheck source-path=SCRIPTDIR
. "$(dirname "$0")/lib.sh"
# shellcheck source=../fake-ado/fixture.sh
. "$ROOT/tests/fake-ado/fixture.sh"

REGISTER=$ROOT/scripts/register-hook.sh
SEND=$ROOT/scripts/send-hook.sh
ORG=fabrikam
PROJ_ID=6ce954b1-ce1f-45d1-b94d-e6bf2464ba2c
REPO_ID=4bc14d40-c903-45e2-872e-0462c7748079
# loopback, so plain http is allowed; nothing needs to listen there
HOOK_URL=http://127.0.0.1:9/hooks/azure-devops
unset ADO_PAT HOOK_PASSWORD HOOK_USER REPOSITORY ADO_ALLOW_HTTP

# secrets with characters a careless quoting would break
printf 'ado-pat-%s-Zq9\n' "$$" >"$T/ado-pat"
printf 'wrong-pat\n' >"$T/wrong-pat"
printf 'hook pw "%s" \\ $HOME\r\n' "$$" >"$T/hook-pw"
chmod 600 "$T/ado-pat" "$T/wrong-pat" "$T/hook-pw"
PAT=$(cat "$T/ado-pat")
HOOK_PW=$(tr -d '\r' <"$T/hook-pw")

fx_init "$T/fx"
printf '[{"id":"%s","name":"Fabrikam Project"},
	{"id":"0d2a7e3b-5c4f-4a1e-9b8d-7c6e5f4a3b2c","name":"Other"}]\n' \
	"$PROJ_ID" >"$T/fx/projects.json"
if ! fx_start "$BUILD" "$T/fx" "$ORG" "$T/ado-pat" "$T"; then
	not_ok "fake-ado starts"
	finish
fi
PIDS="$PIDS $FX_PID"

# shims that record the argv of every curl, jq, sed, tr and cat run
mkdir -p "$T/bin"
for tool in curl jq sed tr cat; do
	real=$(command -v "$tool")
	printf '#!/bin/sh\nprintf "%%s\\n" "%s $*" >>"%s"\nexec "%s" "$@"\n' \
		"$tool" "$T/argv.log" "$real" >"$T/bin/$tool"
	chmod +x "$T/bin/$tool"
done

# reg NAME [ENV=VALUE...] COMMAND ARGS...: run with the test's secrets
# files (ENV=VALUE overrides); stdout in $T/NAME.out, stderr in
# $T/NAME.err, exit status in $T/NAME.rc
reg() {
	_n=$1
	shift
	env ADO_PAT_FILE="$T/ado-pat" HOOK_PASSWORD_FILE="$T/hook-pw" "$@" \
		>"$T/$_n.out" 2>"$T/$_n.err"
	echo $? >"$T/$_n.rc"
}

rc_is() {
	[ "$(cat "$T/$1.rc")" = "$2" ]
}

# subs: the subscriptions the fake holds, unmasked
subs() {
	curl -sS -f --max-time 10 "$FX_CONTROL/subscriptions"
}

# lines_are NAME WORD: two lines "WORD git.pullrequest.created GUID" and
# "WORD git.pullrequest.updated GUID", nothing on stderr
guid='[0-9a-f]\{8\}-[0-9a-f]\{4\}-[0-9a-f]\{4\}-[0-9a-f]\{4\}-[0-9a-f]\{12\}'
lines_are() {
	rc_is "$1" 0 && [ ! -s "$T/$1.err" ] &&
	[ "$(wc -l <"$T/$1.out")" -eq 2 ] &&
	sed -n 1p "$T/$1.out" | grep -qx "$2 git.pullrequest.created $guid" &&
	sed -n 2p "$T/$1.out" | grep -qx "$2 git.pullrequest.updated $guid"
}

# ---- register-hook.sh ----

reg first PATH="$T/bin:$PATH" "$REGISTER" "$FX_ORG_URL/" "Fabrikam Project" \
	"$HOOK_URL"
check "first run: created x2" lines_are first created
if ! rc_is first 0; then
	sed 's/^/#   stderr: /' "$T/first.err"
fi
subs >"$T/subs.json"

t_shape() {
	jq -e --arg p "$PROJ_ID" --arg url "$HOOK_URL" --arg pw "$HOOK_PW" '
		def want($e; $pin): {
			publisherId: "tfs", eventType: $e, resourceVersion: "1.0",
			consumerId: "webHooks", consumerActionId: "httpRequest",
			publisherInputs: $pin,
			consumerInputs: {url: $url, basicAuthUsername: "ado",
				basicAuthPassword: $pw, resourceDetailsToSend: "all",
				messagesToSend: "text", detailedMessagesToSend: "none"}};
		[.[] | select(.method == "POST")] as $posts |
		($posts | length) == 2 and
		all($posts[]; .path == "/fabrikam/_apis/hooks/subscriptions" and
			.query == "api-version=7.1" and
			.content_type == "application/json") and
		($posts[0].body | fromjson) ==
			want("git.pullrequest.created"; {projectId: $p}) and
		($posts[1].body | fromjson) ==
			want("git.pullrequest.updated";
				{projectId: $p, notificationType: "PushNotification"})
	' "$T/requests.json" >/dev/null
}
fx_requests >"$T/requests.json"
check "the two POST bodies have exactly the shape of ado-reference 8" t_shape

check "the project was resolved from its name, then the list filtered" \
	jq -e '
	.[0].method == "GET" and
	.[0].path == "/fabrikam/_apis/projects/Fabrikam Project" and
	.[0].query == "api-version=7.1" and
	([.[] | select(.method == "GET" and
		(.path | endswith("/_apis/hooks/subscriptions")))] |
		length == 2 and all(.[];
		(.query | contains("publisherId=tfs") and
			contains("consumerId=webHooks") and
			contains("consumerActionId=httpRequest") and
			contains("api-version=7.1")))) and
	all(.[]; .auth == "ok" and .status == 200)
	' "$T/requests.json" >/dev/null

t_stored() {
	_c=$(sed -n 1p "$T/first.out" | cut -d' ' -f3) &&
	_u=$(sed -n 2p "$T/first.out" | cut -d' ' -f3) &&
	jq -e --arg c "$_c" --arg u "$_u" --arg pw "$HOOK_PW" --arg p "$PROJ_ID" '
		length == 2 and
		.[0].id == $c and .[0].eventType == "git.pullrequest.created" and
		.[1].id == $u and .[1].eventType == "git.pullrequest.updated" and
		.[1].publisherInputs.notificationType == "PushNotification" and
		(.[0].publisherInputs | has("notificationType") | not) and
		all(.[]; .resourceVersion == "1.0" and
			.publisherInputs.projectId == $p and
			.consumerInputs.basicAuthUsername == "ado" and
			.consumerInputs.basicAuthPassword == $pw)
	' "$T/subs.json" >/dev/null
}
check "stored: the printed ids, the password exactly the file's (CR LF trimmed)" \
	t_stored

t_argv() {
	[ -s "$T/argv.log" ] &&
	grep -q '^curl ' "$T/argv.log" && grep -q '^jq ' "$T/argv.log" &&
	! grep -qF -- "$PAT" "$T/argv.log" &&
	! grep -qF -- "$HOOK_PW" "$T/argv.log" &&
	! grep -qF -- "$(printf ':%s' "$PAT" | base64)" "$T/argv.log" &&
	! grep -qF -- "hook pw" "$T/argv.log"
}
check "no secret on any curl, jq, sed, tr or cat command line" t_argv

reg second "$REGISTER" "$FX_ORG_URL" "Fabrikam Project" "$HOOK_URL"
t_second() {
	lines_are second exists &&
	[ "$(cut -d' ' -f3 "$T/second.out")" = \
		"$(cut -d' ' -f3 "$T/first.out")" ]
}
check "second run: exists x2, with the ids of the first" t_second
check "second run: still exactly 2 subscriptions, no POST" sh -c "
	curl -sS -f '$FX_CONTROL/subscriptions' | jq -e 'length == 2' >/dev/null &&
	curl -sS -f '$FX_CONTROL/requests' |
		jq -e '[.[] | select(.method == \"POST\")] | length == 2' >/dev/null"

reg byid "$REGISTER" "$FX_ORG_URL" "$(echo "$PROJ_ID" | tr a-f A-F)" \
	"$HOOK_URL"
check "PROJECT given as an id (any case): exists x2" lines_are byid exists

reg env ADO_PAT_FILE= HOOK_PASSWORD_FILE= ADO_PAT="$PAT" \
	HOOK_PASSWORD="$HOOK_PW" "$REGISTER" "$FX_ORG_URL" "fabrikam project" \
	"$HOOK_URL"
check "secrets from ADO_PAT/HOOK_PASSWORD: exists x2" lines_are env exists

reg repo REPOSITORY="$(echo "$REPO_ID" | tr a-f A-F)" "$REGISTER" \
	"$FX_ORG_URL" "Fabrikam Project" "$HOOK_URL"
reg repo2 REPOSITORY="$REPO_ID" "$REGISTER" "$FX_ORG_URL" \
	"Fabrikam Project" "$HOOK_URL"
t_repo() {
	lines_are repo created && lines_are repo2 exists &&
	subs | jq -e --arg r "$REPO_ID" 'length == 4 and
		([.[2:][].publisherInputs.repository] == [$r, $r])' >/dev/null
}
check "REPOSITORY: a filtered pair is created once, then exists" t_repo

reg badpat ADO_PAT_FILE="$T/wrong-pat" "$REGISTER" "$FX_ORG_URL" \
	"Fabrikam Project" "$HOOK_URL"
check "a wrong PAT: non-zero exit, 'the PAT was rejected'" sh -c "
	! grep -qx 0 '$T/badpat.rc' && grep -q 'the PAT was rejected' '$T/badpat.err' &&
	[ ! -s '$T/badpat.out' ]"

fx_faults '[{"path":"/_apis/projects/","html203":true,"count":1}]'
reg signin "$REGISTER" "$FX_ORG_URL" "Fabrikam Project" "$HOOK_URL"
check "a 203 sign-in page: non-zero exit, 'the PAT was rejected'" sh -c "
	! grep -qx 0 '$T/signin.rc' && grep -q 'the PAT was rejected' '$T/signin.err'"

reg noproj "$REGISTER" "$FX_ORG_URL" "No Such Project" "$HOOK_URL"
check "an unknown project: non-zero exit naming it" sh -c "
	! grep -qx 0 '$T/noproj.rc' &&
	grep -q \"project 'No Such Project' was not found\" '$T/noproj.err'"

# forget the subscriptions, so that the script has to create again
fx_reset
fx_faults '[{"method":"POST","path":"/hooks/subscriptions","status":500,"count":1}]'
reg fail500 "$REGISTER" "$FX_ORG_URL" "Fabrikam Project" "$HOOK_URL"
check "a 500 on create: non-zero exit with the server's message" sh -c "
	! grep -qx 0 '$T/fail500.rc' &&
	grep -q 'cannot create the git.pullrequest.created subscription: HTTP 500' '$T/fail500.err'"

before=$(fx_requests | jq length)
reg plain "$REGISTER" "$FX_ORG_URL" "Fabrikam Project" \
	http://datadiff.example.com/hooks/azure-devops
after=$(fx_requests | jq length)
check "a plain-http non-loopback DAEMON_URL: refused, no request sent" sh -c "
	! grep -qx 0 '$T/plain.rc' && grep -q 'refusing the plain http' '$T/plain.err' &&
	[ '$before' = '$after' ]"

reg usage "$REGISTER" "$FX_ORG_URL" "Fabrikam Project"
reg help "$REGISTER" --help
check "--help: usage, exit 0; wrong arguments: exit 2" sh -c "
	grep -qx 0 '$T/help.rc' && grep -q '^usage: register-hook.sh ORG_URL PROJECT DAEMON_URL' '$T/help.out' &&
	grep -qx 2 '$T/usage.rc'"

fx_stop
check "fake-ado stops cleanly" test $? -eq 0

# ---- send-hook.sh, against the real daemon (jobs stubbed) ----

# shellcheck disable=SC2119 # no extra configuration lines
dd_config
printf 'not-the-password\n' >"$T/wrong-pw"
chmod 600 "$T/wrong-pw"
if ! dd_start DATADIFFD_JOB_STUB=10; then
	not_ok "datadiffd starts"
	finish
fi
: >"$T/argv.log"
reg send PATH="$T/bin:$PATH" "$SEND" -p "$T/pw" "$DD_URL/hooks/azure-devops" \
	"$EVENTS/created.json"
check "send-hook.sh: prints HTTP 202 and the JSON answer, exit 0" sh -c "
	grep -qx 0 '$T/send.rc' && head -n 1 '$T/send.out' | grep -qx 'HTTP 202' &&
	sed 1d '$T/send.out' | jq -e '.status == \"queued\"' >/dev/null"
check "send-hook.sh: the password is on no command line" sh -c "
	grep -q '^curl ' '$T/argv.log' && ! grep -q 'hook-secret' '$T/argv.log'"

reg sendbad "$SEND" -p "$T/wrong-pw" "$DD_URL/hooks/azure-devops" \
	"$EVENTS/created.json"
check "send-hook.sh: a wrong password prints HTTP 401, exit 1" sh -c "
	grep -qx 1 '$T/sendbad.rc' && head -n 1 '$T/sendbad.out' | grep -qx 'HTTP 401'"

reg sendenv HOOK_PASSWORD=hook-secret "$SEND" -u ado \
	"$DD_URL/hooks/azure-devops" - <"$EVENTS/updated-push.json"
check "send-hook.sh: \$HOOK_PASSWORD and a payload on stdin: 2xx, exit 0" \
	sh -c "grep -qx 0 '$T/sendenv.rc' && head -n 1 '$T/sendenv.out' | grep -q '^HTTP 20[02]$'"

reg sendplain "$SEND" -p "$T/pw" http://datadiff.example.com/hooks/azure-devops \
	"$EVENTS/created.json"
check "send-hook.sh: plain http to a non-loopback host is refused" sh -c "
	grep -qx 1 '$T/sendplain.rc' && grep -q 'refusing' '$T/sendplain.err'"

dd_stop
check "datadiffd still exits 0" test $? -eq 0
finish
