#!/bin/sh
# register-hook.sh: create the Azure DevOps service-hook subscriptions that
# feed datadiffd, once (ado-reference.md section 8). Run it again at will:
# it finds the subscriptions it made and creates nothing twice.
#
# Secrets never reach a command line (ps(1) shows every process's argv to
# every user): curl reads the PAT from a config on file descriptor 3 (a
# here-document), the JSON body (which holds the hook password) on stdin,
# and jq reads the hook password on stdin. The environment variables
# ADO_PAT and HOOK_PASSWORD, when used, are unset before anything runs.
set -u

PROG=register-hook
API_VERSION=7.1
# shellcheck disable=SC2034 # PROG is read by hook-common.sh
# shellcheck source=scripts/hook-common.sh
. "$(dirname "$0")/hook-common.sh"

usage() {
	cat <<'EOF'
usage: register-hook.sh ORG_URL PROJECT DAEMON_URL

Create, unless they exist already, the two Azure DevOps service-hook
subscriptions datadiffd needs, for project PROJECT (a name or an id) of
the organization or collection at ORG_URL:
  git.pullrequest.created
  git.pullrequest.updated   with notificationType PushNotification
Both post (Web Hooks, resource version 1.0, all resource details) to
DAEMON_URL, the daemon's full hook URL with HTTP Basic auth, e.g.
  register-hook.sh https://dev.azure.com/fabrikam "Fabrikam Project" \
      https://datadiff.example.com/hooks/azure-devops

Prints one line per subscription, "created EVENT ID" or "exists EVENT ID".
A subscription exists when one has the same event type, DAEMON_URL,
project, notification type and repository filter.

DAEMON_URL must be https (Azure DevOps sends Basic auth only over https);
plain http is accepted for a loopback host only (tests). ORG_URL must be
https too, unless loopback or ADO_ALLOW_HTTP=1 (an on-premises server
without TLS: the PAT then crosses the network in clear).

Environment:
  ADO_PAT_FILE        file holding the personal access token
                      (default /etc/datadiffd/ado-pat)
  ADO_PAT             the token itself, when ADO_PAT_FILE is not set
  HOOK_PASSWORD_FILE  file holding the password the hook sends
                      (default /etc/datadiffd/hook-password)
  HOOK_PASSWORD       the password itself, when HOOK_PASSWORD_FILE is not
                      set
  HOOK_USER           the user name the hook sends (default ado)
  REPOSITORY          a repository id: only pull requests of that
                      repository (default: every repository of PROJECT)
The PAT's user must be allowed to edit the project's subscriptions
(Project Administrators).

Exit status: 0 done, 1 failed, 2 bad usage.
EOF
}

# is_guid STRING
is_guid() {
	case $1 in
	????????-????-????-????-????????????) ;;
	*) return 1 ;;
	esac
	case $1 in
	*[!0-9a-fA-F-]*) return 1 ;;
	esac
	return 0
}

# check_url WHAT URL ALLOW_HTTP: an absolute http(s) URL; plain http only
# for a loopback host, or when ALLOW_HTTP is 1
check_url() {
	case $2 in
	*[[:space:][:cntrl:]]*) die "the $1 '$2' holds white space" ;;
	https://*) _scheme=https ;;
	http://*) _scheme=http ;;
	*) die "the $1 '$2' is not an http:// or https:// URL" ;;
	esac
	_h=$(url_host "$2") ||
		die "the $1 '$2' has no host (or has user info: credentials do not go in URLs)"
	if [ "$_scheme" = http ] && ! is_loopback "$_h" && [ "$3" != 1 ]; then
		die "refusing the plain http $1 '$2': use https (plain http is for loopback tests only)"
	fi
}

# ado_curl CURL_ARGS...: curl with the PAT, read from a config on fd 3
ado_curl() {
	curl --config /dev/fd/3 "$@" 3<<EOF
user = "$auth_conf"
EOF
}

# api METHOD PATH WHAT [CURL_ARGS...]: call ORG_URL/PATH to WHAT (a POST
# body comes on stdin). Sets HTTP (the status) and RESP (the answer). Dies
# when the server cannot be reached, rejects the PAT, or answers anything
# but 2xx (or 404 when api_allow_404 is 1)
api() {
	_method=$1
	_url=$org_url/$2
	_what=$3
	shift 3
	_out=$(ado_curl -sS --proto '=http,https' --connect-timeout 10 \
		--max-time 60 -X "$_method" -H 'Accept: application/json' \
		-H 'X-TFS-FedAuthRedirect: Suppress' \
		-w "${NL}%{http_code} %{content_type}" "$@" --url "$_url") ||
		die "cannot $_what: $_method $_url failed"
	_tail=${_out##*"$NL"}
	RESP=${_out%"$NL"*}
	HTTP=${_tail%% *}
	_ctype=$(lower "${_tail#* }")
	# a rejected PAT: 401, or a 203 / redirect / HTML sign-in page
	case $HTTP in
	401 | 203 | 3??)
		die "the PAT was rejected (HTTP $HTTP from $_method $_url)"
		;;
	esac
	case $_ctype in
	text/html*)
		die "the PAT was rejected (HTTP $HTTP with an HTML page from $_method $_url)"
		;;
	esac
	case $HTTP in
	2??) ;;
	403)
		die "cannot $_what: HTTP 403 (the PAT's user needs the project's 'Edit subscriptions' permission): $(message)"
		;;
	404)
		[ "${api_allow_404:-0}" = 1 ] ||
			die "cannot $_what: HTTP 404 from $_method $_url: $(message)"
		;;
	*)
		die "cannot $_what: HTTP $HTTP from $_method $_url: $(message)"
		;;
	esac
}

# message: the "message" of an Azure DevOps error answer in $RESP
message() {
	_m=$(printf '%s' "$RESP" | jq -r '.message // empty' 2>/dev/null |
		head -c 600)
	printf '%s' "${_m:-no message}"
}

# ensure EVENT NOTIFICATION_TYPE: find or create one subscription
ensure() {
	api GET "_apis/hooks/subscriptions?publisherId=tfs&eventType=$1&consumerId=webHooks&consumerActionId=httpRequest&api-version=$API_VERSION" \
		"list the subscriptions"
	_found=$(printf '%s' "$RESP" | jq -r --arg e "$1" --arg n "$2" \
		--arg url "$daemon_url" --arg p "$project_id" \
		--arg r "$repository" '
		[.value[]? | select(.eventType == $e and
			.consumerInputs.url == $url and
			((.publisherInputs.projectId // "") | ascii_downcase) == $p and
			(.publisherInputs.notificationType // "") == $n and
			((.publisherInputs.repository // "") | ascii_downcase) == $r)]
		| first | if . == null then "" else
			"\(.id) \(.status // "unknown") \(.consumerInputs.basicAuthUsername // "")"
		end') || die "cannot list the subscriptions: the answer is not JSON"
	if [ -n "$_found" ]; then
		# "ID STATUS USER": neither id nor status has a space
		_id=${_found%% *}
		_rest=${_found#* }
		_status=${_rest%% *}
		_user=${_rest#* }
		echo "exists $1 $_id"
		if [ "$_status" != enabled ]; then
			warn "subscription $_id is '$_status', not enabled: re-enable it in Project settings > Service hooks"
		fi
		if [ "$_user" != "$hook_user" ]; then
			warn "subscription $_id sends the user '$_user', not '$hook_user': delete it and run again to replace it"
		fi
		return 0
	fi
	_body=$(printf '%s' "$hook_password" | jq -Rsc --arg e "$1" \
		--arg n "$2" --arg p "$project_id" --arg r "$repository" \
		--arg url "$daemon_url" --arg user "$hook_user" '{
		publisherId: "tfs",
		eventType: $e,
		resourceVersion: "1.0",
		consumerId: "webHooks",
		consumerActionId: "httpRequest",
		publisherInputs: ({projectId: $p}
			+ (if $r == "" then {} else {repository: $r} end)
			+ (if $n == "" then {} else {notificationType: $n} end)),
		consumerInputs: {
			url: $url,
			basicAuthUsername: $user,
			basicAuthPassword: .,
			resourceDetailsToSend: "all",
			messagesToSend: "text",
			detailedMessagesToSend: "none"
		}}') || die "cannot build the subscription for $1"
	api POST "_apis/hooks/subscriptions?api-version=$API_VERSION" \
		"create the $1 subscription" \
		-H 'Content-Type: application/json' --data-binary @- <<EOF
$_body
EOF
	_id=$(printf '%s' "$RESP" | jq -r '.id // empty' 2>/dev/null)
	is_guid "$_id" ||
		die "cannot create the $1 subscription: HTTP $HTTP without a subscription id"
	echo "created $1 $_id"
}

# ---- main ----

unset secret auth_conf hook_password api_allow_404
case ${1:-} in
-h | --help)
	usage
	exit 0
	;;
-*)
	usage >&2
	exit 2
	;;
esac
if [ $# -ne 3 ]; then
	usage >&2
	exit 2
fi
org_url=$1
while :; do
	case $org_url in
	*/) org_url=${org_url%/} ;;
	*) break ;;
	esac
done
project=$2
daemon_url=$3
[ -n "$project" ] || die "PROJECT is empty"

# refuse before anything is read or sent
check_url "organization URL" "$org_url" "${ADO_ALLOW_HTTP:-0}"
check_url "daemon URL" "$daemon_url" 0
case ${daemon_url#*://} in
*/?*) ;;
*) warn "the daemon URL '$daemon_url' has no path: datadiffd listens on /hooks/azure-devops by default" ;;
esac
for tool in curl jq sed tr; do
	command -v "$tool" >/dev/null 2>&1 || die "$tool is required"
done
hook_user=${HOOK_USER:-ado}
case $hook_user in
*:* | *[[:cntrl:]]*) die "HOOK_USER '$hook_user' holds ':' or a control character" ;;
esac
repository=${REPOSITORY:-}
if [ -n "$repository" ]; then
	is_guid "$repository" ||
		die "REPOSITORY '$repository' is not a repository id (a GUID)"
	repository=$(lower "$repository")
fi

# the secrets, into unexported variables; the environment copies go
if [ -n "${ADO_PAT_FILE:-}" ]; then
	load_secret PAT "$ADO_PAT_FILE"
elif [ -n "${ADO_PAT:-}" ]; then
	secret=$ADO_PAT
	clean_secret "PAT in ADO_PAT"
else
	load_secret PAT /etc/datadiffd/ado-pat
fi
auth_conf=$(printf ':%s' "$secret" | conf_quote)
if [ -n "${HOOK_PASSWORD_FILE:-}" ]; then
	load_secret "hook password" "$HOOK_PASSWORD_FILE"
elif [ -n "${HOOK_PASSWORD:-}" ]; then
	secret=$HOOK_PASSWORD
	clean_secret "hook password in HOOK_PASSWORD"
else
	load_secret "hook password" /etc/datadiffd/hook-password
fi
hook_password=$secret
unset secret ADO_PAT HOOK_PASSWORD

# PROJECT may be a name: the subscription wants the id
project_enc=$(printf '%s' "$project" | jq -sRr @uri) ||
	die "cannot encode the project name"
api_allow_404=1
api GET "_apis/projects/$project_enc?api-version=$API_VERSION" \
	"find the project"
api_allow_404=0
if [ "$HTTP" = 404 ]; then
	die "project '$project' was not found in $org_url: $(message)"
fi
project_id=$(printf '%s' "$RESP" | jq -r '.id // empty' 2>/dev/null)
is_guid "$project_id" ||
	die "cannot find the project: the answer for '$project' has no project id"
project_id=$(lower "$project_id")

ensure git.pullrequest.created ""
ensure git.pullrequest.updated PushNotification
